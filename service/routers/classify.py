"""Classify a free-standing passage, as the pipeline would inside a document."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from ancols_nlp.models.kinds.stance import stance
from ancols_nlp.service.deps import RuntimeDep, SettingsDep
from ancols_nlp.service.query_text import clean_query
from ancols_nlp.service.routers.common import known_parameters
from ancols_nlp.service.schemas import ClassifyRequest, ClassifyResponse, ErrorResponse, ThemeScore

router = APIRouter(tags=["classify"], dependencies=[Depends(known_parameters)])


@router.post("/classify", response_model=ClassifyResponse, responses={422: {"model": ErrorResponse}})
def classify(body: ClassifyRequest, runtime: RuntimeDep, settings: SettingsDep) -> ClassifyResponse:
    text = clean_query(body.text, settings.max_classify_chars, what="text", setting="ANCOLS_MAX_CLASSIFY_CHARS")
    prediction, themes = runtime.classify(text, doc_type=body.doc_type, section_path=tuple(body.section_path))
    return ClassifyResponse(kind=prediction.kind, scores=prediction.scores,
                            themes=[ThemeScore(theme=t, score=s) for t, s in themes],
                            stance=stance(text) if prediction.kind == "rebuttal" else None)
