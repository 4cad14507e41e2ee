"""Chat over the stored passages: retrieve, then answer offline or with a configured LLM.

:func:`answer` gives a whole :class:`ChatResponse`; :func:`answer_events` gives the same as
Server-Sent Events: ``delta`` (parts of the answer), then ``citations``, then ``done``. When an
LLM's stream breaks after it started, a ``reset`` event tells the client to drop the partial
text before the offline answer's deltas.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool

from ancols_nlp.index.query import Filters
from ancols_nlp.service.chat.compose import assign_quotes, number, offline_answer
from ancols_nlp.service.chat.llm import LLMClient, LLMError, build_messages
from ancols_nlp.service.chat.retrieval import (ChatQuery, Passage, build_query, known_organisms, report_documents,
                                               retrieve, searchable)
from ancols_nlp.service.errors import BadQuery, no_word
from ancols_nlp.service.query_text import clean_query, composed, year_range
from ancols_nlp.service.routers.common import stored_filters
from ancols_nlp.service.runtime import Runtime
from ancols_nlp.service.schemas import ChatRequest, ChatResponse, Citation

log = logging.getLogger("ancols.chat")
PARAGRAPH = "\n\n"


@dataclass
class Prepared:
    query: ChatQuery
    passages: list[Passage]
    citations: list[Citation]
    offline: list[str]  # paragraphs of the offline answer

    @property
    def offline_text(self) -> str:
        return PARAGRAPH.join(self.offline)


def to_filters(request: ChatRequest) -> Filters:
    f = request.filters
    year_min, year_max = year_range(f.year_min, f.year_max)
    return Filters(kind=tuple(f.kind), theme=tuple(f.theme), document_id=tuple(f.document_id),
                   organism=tuple(f.organism), doc_type=tuple(f.doc_type), year_min=year_min, year_max=year_max)


def citation(p: Passage) -> Citation:
    row, meta = p.row, p.meta
    return Citation(n=p.n, segment_id=p.segment_id, document_id=row.document_id, organism=meta.get("organism"),
                    report_number=meta.get("report_number"), doc_type=meta.get("doc_type"), page=row.page_start,
                    page_end=row.page_end, start=row.start, end=row.end, kind=row.kind,
                    section_path=row.section_path, text=row.text)


def user_turns(request: ChatRequest, max_chars: int) -> list[str]:
    """The user's turns as the search reads them: the question refused past ``max_chars``, the earlier turns (a
    follow-up's search takes the one before) cut to it, so no search is longer than a question may be."""
    if request.messages[-1].role != "user":
        raise BadQuery("The last message must be the user's question.")
    turns = [m.content for m in request.messages if m.role == "user"]
    turns[-1] = clean_query(turns[-1], max_chars, lines=True)
    return [composed(t)[:max_chars] for t in turns[:-1] if t.strip()] + [turns[-1]]


def prepare(runtime: Runtime, request: ChatRequest) -> Prepared:
    query = build_query(user_turns(request, runtime.settings.max_query_chars), known_organisms(runtime),
                        report_documents(runtime))
    if not searchable(runtime, query.text):
        raise no_word()
    filters = stored_filters(runtime, to_filters(request), ("body", "filters"))
    passages = number(assign_quotes(retrieve(runtime, query, filters, request.k), query.text))
    offline = offline_answer(passages, query.text, query.kinds)
    return Prepared(query, passages, [citation(p) for p in passages], offline)


def llm_messages(request: ChatRequest, prepared: Prepared) -> list[dict]:
    history = [m.model_dump() for m in request.messages[:-1]]
    return build_messages(history, prepared.query.question, prepared.passages)


async def answer(runtime: Runtime, request: ChatRequest) -> ChatResponse:
    prepared = await run_in_threadpool(prepare, runtime, request)
    settings = runtime.settings
    text, generated_by, llm_error = prepared.offline_text, "offline", None
    if settings.llm_base_url and prepared.passages:
        try:
            text = await LLMClient(settings).complete(llm_messages(request, prepared))
            generated_by = "llm"
        except LLMError as exc:
            log.warning("LLM failed, offline answer used: %s", exc)
            llm_error = str(exc)
    return ChatResponse(answer=text, citations=prepared.citations, generated_by=generated_by, llm_error=llm_error,
                        query=prepared.query.text)


def sse(event: str, data: object) -> str:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def offline_deltas(prepared: Prepared) -> list[str]:
    """The offline answer in sentence-sized pieces whose concatenation is the answer."""
    pieces = []
    for i, paragraph in enumerate(prepared.offline):
        sentences = paragraph.split("\n")
        for j, sentence in enumerate(sentences):
            pieces.append(sentence + ("\n" if j < len(sentences) - 1 else ""))
        if i < len(prepared.offline) - 1:
            pieces.append(PARAGRAPH)
    return pieces


async def answer_events(runtime: Runtime, request: ChatRequest, prepared: Prepared) -> AsyncIterator[str]:
    settings = runtime.settings
    generated_by, llm_error, text = "offline", None, ""
    if settings.llm_base_url and prepared.passages:
        parts: list[str] = []
        try:
            async for piece in LLMClient(settings).stream(llm_messages(request, prepared)):
                parts.append(piece)
                yield sse("delta", {"text": piece})
            generated_by, text = "llm", "".join(parts)
        except LLMError as exc:
            log.warning("LLM stream failed, offline answer used: %s", exc)
            llm_error = str(exc)
            if parts:
                yield sse("reset", {"reason": llm_error})
    if generated_by == "offline":
        for piece in offline_deltas(prepared):
            yield sse("delta", {"text": piece})
        text = prepared.offline_text
    yield sse("citations", {"citations": [c.model_dump() for c in prepared.citations]})
    yield sse("done", {"generated_by": generated_by, "llm_error": llm_error, "query": prepared.query.text,
                       "answer": text})
