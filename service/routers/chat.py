"""Chat for a chatbot frontend: cited answers from the stored passages, whole or streamed (SSE)."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from ancols_nlp.service.chat import answer, answer_events, prepare
from ancols_nlp.service.deps import RuntimeDep
from ancols_nlp.service.routers.common import known_parameters
from ancols_nlp.service.schemas import ChatRequest, ChatResponse, ErrorResponse

router = APIRouter(tags=["chat"], dependencies=[Depends(known_parameters)])

SSE_EXAMPLE = (
    'event: delta\ndata: {"text": "Pour Le Toit Forézien (rapport n° 2017-101), le contrôle constate : '
    '« Niveau très élevé de la vacance commerciale » [1]."}\n\n'
    'event: citations\ndata: {"citations": [{"n": 1, "segment_id": "f0e034a57c404de2:212", "...": "..."}]}\n\n'
    'event: done\ndata: {"generated_by": "offline", "llm_error": null, "query": "vacance commerciale", '
    '"answer": "..."}\n\n'
)


@router.post("/chat", response_model=ChatResponse,
             responses={200: {"content": {"text/event-stream": {"example": SSE_EXAMPLE}},
                              "description": "The answer (JSON), or with `stream: true` Server-Sent Events: "
                                             "`delta` {text}…, then `citations` {citations}, then `done` "
                                             "{generated_by, llm_error, query, answer}. A `reset` event (only "
                                             "when a configured LLM breaks mid-answer) says to drop the text "
                                             "received so far."},
                        422: {"model": ErrorResponse}})
async def chat(body: ChatRequest, runtime: RuntimeDep):
    """Answer the last user message from the retrieved passages; every sentence cites them as [n].

    The answer is built offline from the passages (grouped by organism: findings, recommendations,
    the organism's answers), or written by the model at ``ANCOLS_LLM_BASE_URL`` when one is
    configured (falling back to the offline answer, with ``llm_error`` set, when it fails).
    """
    if not body.stream:
        return await answer(runtime, body)
    prepared = await run_in_threadpool(prepare, runtime, body)  # bad input fails here, before the stream starts
    return StreamingResponse(answer_events(runtime, body, prepared), media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
