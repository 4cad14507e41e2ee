"""Search across every stored passage, with filters and facet counts."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response
from starlette.concurrency import run_in_threadpool

from ancols_nlp.index import grain as grains
from ancols_nlp.index.query import Filters, Grain, SearchParams
from ancols_nlp.service.deps import RuntimeDep, SettingsDep
from ancols_nlp.service.errors import no_word
from ancols_nlp.service.query_text import clean_query, year_range
from ancols_nlp.service.routers.common import at_most, known_parameters, stored_filters
from ancols_nlp.service.runtime import Runtime
from ancols_nlp.service.schemas import Correction, DocType, ErrorResponse, KindName, SearchResponse, Theme
from ancols_nlp.service.views import corrections, search_results

router = APIRouter(tags=["search"], dependencies=[Depends(known_parameters)])
Many = Annotated[list[str], Query()]


@router.get("/search", response_model=SearchResponse, responses={422: {"model": ErrorResponse}})
async def search(runtime: RuntimeDep, settings: SettingsDep,
                 q: Annotated[str, Query(description="What to look for, in French.",
                                         examples=["vacance commerciale élevée"])],
                 k: Annotated[int, Query(ge=1, description="How many results: at most ANCOLS_MAX_RESULTS "
                                                           "(default 100), refused past it.")] = 10,
                 mode: Literal["lexical", "semantic", "hybrid"] | None = None,
                 grain: Annotated[Grain | None, Query(description="sentence: the best passages' sentences, each "
                                                                  "with its passage's span; default "
                                                                  "ANCOLS_SEARCH_GRAIN.")] = None,
                 kind: Annotated[list[KindName], Query()] = [], theme: Annotated[list[Theme], Query()] = [],
                 document_id: Many = [],
                 organism: Many = [], doc_type: Annotated[list[DocType], Query()] = [],
                 year_min: int | None = None, year_max: int | None = None) -> Response:
    query = clean_query(q, settings.max_query_chars)
    year_min, year_max = year_range(year_min, year_max)
    params = replace(runtime.store.params, mode=mode) if mode else runtime.store.params
    filters = Filters(kind=tuple(kind), theme=tuple(theme), document_id=tuple(document_id), organism=tuple(organism),
                      doc_type=tuple(doc_type), year_min=year_min, year_max=year_max)
    if filters.organism or filters.document_id:  # read from the store: off the event loop
        filters = await run_in_threadpool(stored_filters, runtime, filters, ("query",))
    at_most(k, settings.max_results, ("query", "k"))
    grain = grain or settings.search_grain
    version = runtime.store.version  # read before searching: see SearchCache.put
    key = runtime.answers.key(query, params.mode, grain, k, filters)
    body = runtime.answers.get(version, key)  # on the event loop: a cached answer needs no worker thread
    if body is None:
        body = await run_in_threadpool(answer, runtime, query, k, filters, params, grain)
        runtime.answers.put(version, key, body)
    return Response(body, media_type="application/json")


def answer(runtime: Runtime, query: str, k: int, filters: Filters, params: SearchParams,
           grain: Grain = "passage") -> bytes:
    """The JSON body of a search, as the cache keeps it."""
    outcome, shown = grains.search(runtime.store, query, k=k, filters=filters, params=params, grain=grain)
    if not outcome.expansion.searchable:
        raise no_word()
    results = search_results(runtime.store, outcome, shown)
    corrected = [Correction(typed=typed, meant=meant) for typed, meant in corrections(outcome, results)]
    response = SearchResponse(query=query, mode=params.mode, results=results,
                              facets=outcome.facets, total_candidates=outcome.total, corrections=corrected)
    # Serialised here by pydantic-core: returned as a model, FastAPI would validate it again against
    # ``response_model``, turn it into Python objects and JSON-encode those (~1.4 ms of CPU a request).
    return response.model_dump_json().encode()
