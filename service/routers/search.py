"""Search across every stored passage, with filters and facet counts."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from ancols_nlp.index.highlight import Highlighter
from ancols_nlp.index.search import Filters
from ancols_nlp.service.deps import RuntimeDep, SettingsDep
from ancols_nlp.service.errors import BadQuery
from ancols_nlp.service.routers.segments import segment_out
from ancols_nlp.service.schemas import ErrorResponse, ScoreBreakdown, SearchResponse, SearchResult

router = APIRouter(tags=["search"])
Many = Annotated[list[str], Query()]


def clean_query(q: str, max_chars: int) -> str:
    """The query with control characters removed; refused when empty or too long."""
    text = "".join(c if c.isprintable() else " " for c in q).strip()
    if not text:
        raise BadQuery("The query is empty.")
    if len(text) > max_chars:
        raise BadQuery(f"The query is longer than {max_chars} characters.")
    return text


@router.get("/search", response_model=SearchResponse, responses={422: {"model": ErrorResponse}})
def search(runtime: RuntimeDep, settings: SettingsDep,
           q: Annotated[str, Query(description="What to look for, in French.", examples=["vacance commerciale élevée"])],
           k: Annotated[int, Query(ge=1, le=1000)] = 10,
           mode: Literal["lexical", "semantic", "hybrid"] | None = None,
           kind: Many = [], theme: Many = [], document_id: Many = [], organism: Many = [],
           doc_type: Many = [], year_min: int | None = None, year_max: int | None = None) -> SearchResponse:
    query = clean_query(q, settings.max_query_chars)
    params = replace(runtime.store.params, mode=mode) if mode else runtime.store.params
    filters = Filters(kind=tuple(kind), theme=tuple(theme), document_id=tuple(document_id), organism=tuple(organism),
                      doc_type=tuple(doc_type), year_min=year_min, year_max=year_max)
    outcome = runtime.store.search(query, k=min(k, settings.max_results), filters=filters, params=params)
    rows = [outcome.rows[hit.id] for hit in outcome.hits]
    heads = runtime.store.meta.document_heads({row["document_id"] for row in rows})
    highlight = Highlighter(query)
    results = []
    for hit, row in zip(outcome.hits, rows):
        doc = heads.get(row["document_id"], {"meta": {}})
        results.append(SearchResult(
            **segment_out(row).model_dump(), score=hit.score,
            scores=ScoreBreakdown(lexical=hit.lexical, dense=hit.dense, fused=hit.score),
            organism=doc["meta"].get("organism"), report_number=doc["meta"].get("report_number"),
            doc_type=doc["meta"].get("doc_type"), highlights=highlight(row["text"], row["start"]),
        ))
    return SearchResponse(query=query, mode=params.mode, results=results, facets=outcome.facets,
                          total_candidates=outcome.total)
