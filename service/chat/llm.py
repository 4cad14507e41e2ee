"""Answers written by an OpenAI-compatible chat model, from the same numbered passages.

``POST {ANCOLS_LLM_BASE_URL}/chat/completions`` with the model ``ANCOLS_LLM_MODEL`` and, when
set, ``Authorization: Bearer $ANCOLS_LLM_API_KEY``. Any failure (connection, status, malformed
or empty answer, timeout) raises :class:`LLMError`; the caller falls back to the offline answer.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

import httpx

from ancols_nlp.service.chat.retrieval import Passage
from ancols_nlp.service.settings import Settings
from ancols_nlp.service.views import page_label

SYSTEM_PROMPT = (
    "Tu es l'assistant d'un service qui interroge les rapports de contrôle de l'ANCOLS sur les organismes de "
    "logement social et les réponses de ces organismes. Réponds en français, uniquement à partir des passages "
    "numérotés fournis, sans rien inventer. Termine chaque phrase par le numéro du ou des passages qui "
    "l'appuient, entre crochets, par exemple [1] ou [2][3]. Distingue ce que le contrôle a constaté, ce qu'il a "
    "recommandé et ce que l'organisme a répondu, et nomme l'organisme concerné. Si les passages ne permettent "
    "pas de répondre, dis-le simplement."
)
KIND_LABEL = {"observation": "constat", "recommendation": "recommandation", "rebuttal": "réponse de l'organisme",
              "other": "autre"}
MAX_PASSAGE_CHARS = 1500
HISTORY_TURNS = 6


class LLMError(Exception):
    pass


def passage_block(p: Passage) -> str:
    meta = p.meta
    parts = [meta.get("organism") or p.doc.filename or p.row.document_id]
    if meta.get("report_number"):
        parts.append(f"rapport n° {meta['report_number']}")
    if meta.get("doc_type") == "reply":
        parts.append("lettre de réponse")
    if p.row.page_start:
        parts.append(page_label(p.row.page_start, p.row.page_end))
    parts.append(KIND_LABEL.get(p.kind, p.kind))
    if p.row.section_path:
        parts.append(" › ".join(p.row.section_path[-2:]))
    text = " ".join(p.row.text.split())
    if len(text) > MAX_PASSAGE_CHARS:
        text = text[:MAX_PASSAGE_CHARS].rsplit(" ", 1)[0] + "…"
    return f"[{p.n}] ({' — '.join(parts)})\n{text}"


def build_messages(history: list[dict], question: str, passages: list[Passage]) -> list[dict]:
    """System prompt, the last turns of the conversation, then the passages and the question."""
    turns = [{"role": m["role"], "content": m["content"]} for m in history if m["role"] in ("user", "assistant")]
    blocks = "\n\n".join(passage_block(p) for p in passages)
    final = f"Passages :\n\n{blocks}\n\nQuestion : {question}"
    return [{"role": "system", "content": SYSTEM_PROMPT}, *turns[-HISTORY_TURNS:], {"role": "user", "content": final}]


def chunk_text(data: str) -> tuple[str, bool]:
    """The text of one streamed ``choices[0].delta.content`` chunk ("" for none), and whether it ends the answer
    (a ``finish_reason``); any other shape is an error."""
    try:
        choice = json.loads(data)["choices"][0]
        piece = (choice.get("delta") or {}).get("content") or ""
        finished = choice.get("finish_reason") is not None
    except (ValueError, KeyError, IndexError, TypeError, AttributeError) as exc:
        raise LLMError("the LLM endpoint sent a malformed chunk") from exc
    if not isinstance(piece, str):
        raise LLMError("the LLM endpoint sent a malformed chunk")
    return piece, finished


class LLMClient:
    def __init__(self, settings: Settings):
        if not settings.llm_base_url:
            raise ValueError("no LLM endpoint configured")
        self.url = settings.llm_base_url.rstrip("/") + "/chat/completions"
        self.model = settings.llm_model
        self.seconds = settings.llm_timeout_s
        self.timeout = httpx.Timeout(settings.llm_timeout_s)
        self.max_tokens = settings.llm_max_tokens
        self.temperature = settings.llm_temperature
        self.headers = {"Accept": "application/json"}
        if settings.llm_api_key is not None:
            self.headers["Authorization"] = f"Bearer {settings.llm_api_key.get_secret_value()}"

    def _payload(self, messages: list[dict], stream: bool) -> dict:
        return {"model": self.model, "messages": messages, "temperature": self.temperature,
                "max_tokens": self.max_tokens, "stream": stream}

    async def complete(self, messages: list[dict]) -> str:
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                # httpx's timeout is per read: a body dripped a byte at a time would never end the call
                call = client.post(self.url, json=self._payload(messages, False), headers=self.headers)
                response = await asyncio.wait_for(call, self.seconds)
        except httpx.HTTPError as exc:
            raise LLMError(f"the LLM endpoint could not be reached: {type(exc).__name__}") from exc
        except TimeoutError as exc:
            raise LLMError(f"the LLM endpoint did not answer within {self.seconds:g} s") from exc
        if response.status_code != 200:
            raise LLMError(f"the LLM endpoint answered HTTP {response.status_code}")
        try:
            content = response.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise LLMError("the LLM endpoint's answer is not a chat completion") from exc
        if not isinstance(content, str) or not content.strip():
            raise LLMError("the LLM answered nothing")
        return content.strip()

    async def _lines(self, response: httpx.Response) -> AsyncIterator[str]:
        """The stream's lines while a data line comes at least every ``seconds``: keep-alive comments or bytes
        dripped without text reset httpx's per-read timeout, so they alone would hold the answer open forever."""
        lines = response.aiter_lines()
        deadline = time.monotonic() + self.seconds
        while True:
            try:
                line = await asyncio.wait_for(anext(lines), max(0.0, deadline - time.monotonic()))
            except StopAsyncIteration:
                return
            except TimeoutError as exc:
                raise LLMError(f"the LLM endpoint sent no chunk for {self.seconds:g} s") from exc
            if line.startswith("data:"):
                deadline = time.monotonic() + self.seconds
            yield line

    async def stream(self, messages: list[dict]) -> AsyncIterator[str]:
        """The answer's text as it comes (``data: {...choices[0].delta.content...}`` chunks)."""
        produced = finished = False
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                async with client.stream("POST", self.url, json=self._payload(messages, True),
                                         headers={**self.headers, "Accept": "text/event-stream"}) as response:
                    if response.status_code != 200:
                        raise LLMError(f"the LLM endpoint answered HTTP {response.status_code}")
                    async for line in self._lines(response):
                        line = line.strip()
                        if not line.startswith("data:"):
                            continue
                        data = line[5:].strip()
                        if data == "[DONE]":
                            finished = True
                            break
                        piece, last = chunk_text(data)
                        finished = finished or last
                        if piece:
                            produced = True
                            yield piece
        except httpx.HTTPError as exc:
            raise LLMError(f"the LLM endpoint failed: {type(exc).__name__}") from exc
        if not produced:
            raise LLMError("the LLM answered nothing")
        if not finished:  # the connection ended (or was cut) with neither [DONE] nor a finish_reason
            raise LLMError("the LLM stream stopped before the end of its answer")
