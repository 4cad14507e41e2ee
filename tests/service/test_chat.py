"""POST /chat: cited answers from the stored passages (offline, or from an OpenAI-compatible model)."""

import asyncio
import json
import re
import socket
import threading
import time
from dataclasses import replace

import pytest
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.testclient import TestClient
from pdfgen import corpus_paragraphs, make_pdf
from pydantic import SecretStr

from ancols_nlp.service.app import create_app
from ancols_nlp.service.chat.retrieval import build_query, names

TOIT = "004_964ee9d999fa8f65.txt"
REPLY = "000_ad04bc466fc4cae0.txt"
MARKER = re.compile(r"\[(\d+)\]")
QUESTION = "Que dit le contrôle sur la vacance commerciale élevée ?"


@pytest.fixture(scope="module")
def docs(runtime, corpus_dir):
    return {name: runtime.ingest((corpus_dir / name).read_bytes(), name).id for name in (TOIT, REPLY)}


def ask(client, *turns, **extra):
    messages = [{"role": "user" if i % 2 == 0 else "assistant", "content": t} for i, t in enumerate(turns)]
    response = client.post("/chat", json={"messages": messages, **extra})
    assert response.status_code == 200, response.text
    return response.json()


def sentences(answer: str) -> list[str]:
    """The answer's sentences: every one ends with its markers and a period."""
    out = []
    for paragraph in answer.split("\n\n"):
        out += [s for s in re.split(r"(?<=\]\.)\s+", paragraph.strip()) if s]
    return out


def check_citations(body, client):
    citations = body["citations"]
    assert [c["n"] for c in citations] == list(range(1, len(citations) + 1))
    cited = {int(n) for n in MARKER.findall(body["answer"])}
    assert cited == set(range(1, len(citations) + 1))  # every marker points at a citation, every citation is used
    texts = {}
    for c in citations:
        if c["document_id"] not in texts:
            texts[c["document_id"]] = client.get(f"/documents/{c['document_id']}/text").json()["text"]
        assert texts[c["document_id"]][c["start"]:c["end"]] == c["text"]
        assert c["segment_id"].startswith(c["document_id"] + ":")


def test_offline_answer_cites_every_sentence(client, docs):
    body = ask(client, QUESTION)
    assert body["generated_by"] == "offline" and body["llm_error"] is None
    assert "vacance commerciale" in body["query"] and "dit" not in body["query"].split()
    assert body["citations"] and body["citations"][0]["document_id"] == docs[TOIT]
    for sentence in sentences(body["answer"]):
        assert re.search(r"(\[\d+\])+\.$", sentence), sentence
    check_citations(body, client)
    assert "vacance commerciale" in body["answer"].lower()
    assert body["answer"].startswith("Pour ") and "le contrôle constate" in body["answer"]


def test_answer_groups_findings_before_the_organisms_answers(client, docs):
    body = ask(client, "Qu'a répondu l'organisme sur la vacance ?")
    kinds = [c["kind"] for c in body["citations"]]
    assert "rebuttal" in kinds
    assert "répond" in body["answer"]
    # Within one document's group, findings come before answers (citations are numbered in answer order).
    toit = [c["kind"] for c in body["citations"] if c["document_id"] == docs[TOIT]]
    order = {"observation": 0, "recommendation": 1, "rebuttal": 2, "other": 3}
    assert [order[k] for k in toit] == sorted(order[k] for k in toit)
    check_citations(body, client)


def test_a_question_for_a_kind_no_passage_holds_says_so_before_the_nearest_passages(client, docs):
    """"Qu'a répondu l'organisme sur l'accessibilité ?" of Le Toit Forézien: no answer of the organism is about it,
    and the answer listed the control's findings as if they answered; it now says first that none was found."""
    body = ask(client, "Qu'a répondu l'organisme sur l'accessibilité ?", filters={"organism": "Le Toit Forézien"})
    assert body["citations"] and "rebuttal" not in {c["kind"] for c in body["citations"]}
    first, rest = body["answer"].split("\n\n", 1)
    assert first == "Aucune réponse de l'organisme ne porte sur « accessibilité » dans les documents indexés ; " \
                    "voici les passages les plus proches."
    assert rest.startswith("Pour Le Toit Forézien") and "le contrôle constate" in rest
    check_citations(body, client)
    found = ask(client, "Qu'a répondu l'organisme sur la vacance ?")  # answers there: no such sentence
    assert "rebuttal" in {c["kind"] for c in found["citations"]} and not found["answer"].startswith("Aucun")

def test_a_follow_up_question_uses_the_previous_turn(client, docs):
    first = ask(client, "vacance commerciale élevée")
    body = ask(client, "vacance commerciale élevée", first["answer"], "Et qu'a répondu l'organisme ?")
    assert "vacance" in body["query"]
    assert any(c["kind"] == "rebuttal" for c in body["citations"])
    check_citations(body, client)


def test_a_follow_up_after_a_long_turn_searches_no_more_than_a_question_may_hold(client, runtime, docs, corpus_dir):
    """A report's pages pasted as the first turn (within a message's 20,000 characters), then "et ensuite ?": the
    search took the whole turn, a 12,012-character query past the 2,000 a question is held to (and one lexical
    look-up per distinct word to weigh it)."""
    limit = runtime.settings.max_query_chars
    paragraphs = [p for p in (corpus_dir / TOIT).read_text(encoding="utf-8").split("\n\n") if len(p) > 200]
    pasted = "\n\n".join(paragraphs)[:19_000]
    assert len(pasted) > 5 * limit
    body = ask(client, pasted, "…", "et ensuite ?")
    assert 0 < len(body["query"]) <= limit and body["citations"], body["query"][:200]
    check_citations(body, client)


def test_the_verb_a_question_is_asked_with_is_not_searched(client, docs):
    """"Que faites-vous pour réduire la vacance ?" searched "faites-vous" (the term of "fait") with the topic, and
    cited "Le quartier des Hauts de Terrenoire fait partie du QPV…" for it. "Faire" asks, as "dire" or "donner"."""
    asked = ask(client, "Que faites-vous pour réduire la vacance ?")
    assert asked["query"] == "réduire vacance"
    assert asked["citations"] == ask(client, "Comment réduire la vacance ?")["citations"] != []
    assert ask(client, "Que fait l'organisme pour réduire la vacance ?")["query"] == "réduire vacance"


def test_nothing_relevant_is_said_plainly(client, docs):
    body = ask(client, "Quelle est la recette de la tarte aux pommes ?")
    assert body["citations"] == []
    assert "aucun passage" in body["answer"]
    assert MARKER.search(body["answer"]) is None


@pytest.mark.parametrize("question", ["Quel était le budget de la ville de Lyon en 2019 ?",
                                      "Combien de logements à Paris en 2019 ?", "Et à Paris ?"])
def test_a_question_on_what_the_reports_do_not_hold_cites_nothing_though_it_names_a_year(client, docs, question):
    """"Combien de logements à Paris en 2019 ?" cited the Toit Forézien's sales "dès 2019" and its 102 logements:
    "2019" is a word the passages hold, so the question passed for known, and a passage sharing the year and a
    common word covered it. A year is no word a passage must share, and a name no passage writes (Paris, Lyon) says
    the question is about what the reports do not hold; so does a follow-up naming one."""
    body = ask(client, "Que dit le contrôle sur la vacance ?", "…", question)
    assert body["citations"] == [] and "aucun passage" in body["answer"], body["citations"]
    on_topic = ask(client, "La vacance en 2019")  # a year in a question the reports answer: still answered
    assert on_topic["citations"] and "vacance" in on_topic["answer"]


@pytest.mark.parametrize("question", ["le la", "?!… ;;", "Et ?"])
def test_a_question_with_no_word_to_search_is_refused_as_search_refuses_it(client, docs, question):
    """"le la" was refused by ``/search`` (422, reason ``no_word``) and answered 200 "aucun passage" by the chat: the
    same question gets the same answer from both, streamed or not. A follow-up of stopwords takes the turn before."""
    searched = client.get("/search", params={"q": question})
    assert searched.status_code == 422 and searched.json()["error"]["detail"] == {"reason": "no_word"}
    for stream in (False, True):
        response = client.post("/chat", json={"messages": [{"role": "user", "content": question}], "stream": stream})
        assert response.status_code == 422, response.text
        assert response.json()["error"] == searched.json()["error"]
    assert ask(client, "vacance commerciale", "…", question)["citations"]
    assert ask(client, "CA")["query"] == "CA"  # a stopword the reports define as an acronym is searched


def test_filters_restrict_the_passages(client, docs):
    only_recs = ask(client, "vacance", filters={"kind": "recommendation"})
    assert only_recs["citations"] and {c["kind"] for c in only_recs["citations"]} == {"recommendation"}
    reply_only = ask(client, "recouvrement des impayés", filters={"document_id": [docs[REPLY]]})
    assert reply_only["citations"] and {c["document_id"] for c in reply_only["citations"]} == {docs[REPLY]}
    assert len(ask(client, "vacance", k=2, filters={"kind": ["observation"]})["citations"]) <= 2


@pytest.mark.parametrize("question", ["Quelles recommandations pour Le Toit Forézien ?",
                                      "Quels constats pour Le Toit Forézien ?"])
def test_a_question_about_an_organism_alone_cites_the_kinds_it_asks_for(client, docs, question):
    """"Quelles recommandations pour Le Toit Forézien ?" cited eight findings and no recommendation: with the organism
    taken as the filter the search was its name, and a recommendation, which seldom writes the name, was not
    relevant "enough" to it. Every passage of the organism named is about it."""
    asked = "recommendation" if "recommandations" in question else "observation"
    stored = client.get(f"/documents/{docs[TOIT]}/segments", params={"limit": 5000}).json()["segments"]
    assert sum(s["kind"] == asked for s in stored) >= 8
    body = ask(client, question)
    cited = body["citations"]
    assert {c["organism"] for c in cited} == {"Le Toit Forézien"}
    kinds = [c["kind"] for c in cited]
    assert kinds.count(asked) == 8 and set(kinds) <= {asked, "rebuttal"}, kinds  # and the organism's linked answers
    check_citations(body, client)


def parse_sse(text: str) -> list[tuple[str, dict]]:
    events = []
    for block in text.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.split("\n"))
        events.append((lines["event"], json.loads(lines["data"])))
    return events


def test_streaming_sends_deltas_then_citations_then_done(client, docs):
    whole = ask(client, QUESTION)
    messages = [{"role": "user", "content": QUESTION}]
    with client.stream("POST", "/chat", json={"messages": messages, "stream": True}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        text = "".join(response.iter_text())
    events = parse_sse(text)
    names = [name for name, _ in events]
    assert names[-2:] == ["citations", "done"] and set(names[:-2]) == {"delta"} and len(names) > 3
    streamed = "".join(data["text"] for name, data in events if name == "delta")
    assert streamed == whole["answer"] == events[-1][1]["answer"]
    assert events[-2][1]["citations"] == whole["citations"]
    assert events[-1][1]["generated_by"] == "offline"


@pytest.mark.parametrize("payload, status, code", [
    ({"messages": []}, 422, "invalid_request"),
    ({}, 422, "invalid_request"),
    ({"messages": [{"role": "user", "content": "vacance"}], "k": 0}, 422, "invalid_request"),
    ({"messages": [{"role": "user", "content": "vacance"}], "k": 500}, 422, "invalid_request"),
    ({"messages": [{"role": "robot", "content": "vacance"}]}, 422, "invalid_request"),
    ({"messages": [{"role": "user", "content": "vacance"}], "filters": {"colour": "red"}}, 422, "invalid_request"),
    ({"messages": [{"role": "user", "content": "vacance"}], "filters": {"kind": "opinion"}}, 422, "invalid_request"),
    ({"messages": [{"role": "user", "content": "vacance"}, {"role": "assistant", "content": "…"}]}, 422, "bad_query"),
    ({"messages": [{"role": "user", "content": "\x00\x01  "}]}, 422, "bad_query"),
    ({"messages": [{"role": "user", "content": "vacance " * 400}]}, 422, "bad_query"),
    ({"messages": [{"role": "user", "content": "x" * 30_000}]}, 422, "invalid_request"),
])
def test_bad_chat_requests_get_a_clear_4xx(client, payload, status, code):
    for stream in (False, True):
        body = {**payload, "stream": stream} if payload else payload
        response = client.post("/chat", json=body)
        assert response.status_code == status, response.text
        assert response.json()["error"]["code"] == code


def test_malformed_or_oversized_bodies(client):
    response = client.post("/chat", content=b"{not json", headers={"Content-Type": "application/json"})
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"
    huge = json.dumps({"messages": [{"role": "user", "content": "vacance"}] * 40_000}).encode()
    assert len(huge) > 1024 * 1024
    response = client.post("/chat", content=huge, headers={"Content-Type": "application/json"})
    assert response.status_code == 413 and response.json()["error"]["code"] == "payload_too_large"


def test_openapi_documents_the_chat_and_jobs(client):
    spec = client.get("/openapi.json").json()
    assert {"/chat", "/jobs", "/jobs/{job_id}", "/metrics"} <= set(spec["paths"])
    chat = spec["paths"]["/chat"]["post"]
    assert "text/event-stream" in chat["responses"]["200"]["content"]
    assert spec["components"]["schemas"]["ChatRequest"].get("examples")
    assert "202" in spec["paths"]["/jobs"]["post"]["responses"]


# -- an OpenAI-compatible model, faked on 127.0.0.1 ----------------------------------------------------
CANNED = ["Le contrôle relève ", "une vacance commerciale très élevée [1]. ",
          "L'organisme dit la suivre de près [2]."]
# Streamed chunks that parse as JSON but are not chat-completion chunks (sent by the model "odd-<name>")
ODD_CHUNKS = {"null-choice": {"choices": [None]}, "text-delta": {"choices": [{"delta": "une vacance"}]},
              "number-content": {"choices": [{"delta": {"content": 5}}]}, "list-body": ["une vacance"]}


class FakeLLM:
    def __init__(self):
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        app = FastAPI()

        @app.post("/v1/chat/completions")
        async def completions(request: Request):
            body = await request.json()
            self.requests.append(body)
            self.headers.append(dict(request.headers))
            last = body["messages"][-1]["content"]
            if body["model"] == "broken":
                return JSONResponse({"error": {"message": "overloaded"}}, status_code=503)
            if "Passages" not in last or "[1]" not in last or body["messages"][0]["role"] != "system":
                return JSONResponse({"error": {"message": "no passages"}}, status_code=400)
            if body["model"] == "drip":  # alive (SSE comments, JSON whitespace) but no text for 6 s
                return StreamingResponse(self.drip(body.get("stream")), media_type="text/event-stream")
            if not body.get("stream"):
                return {"id": "x", "object": "chat.completion", "model": body["model"],
                        "choices": [{"index": 0, "message": {"role": "assistant", "content": "".join(CANNED)},
                                     "finish_reason": "stop"}]}

            async def chunks():
                for i, piece in enumerate(CANNED):
                    if body["model"] == "cutoff" and i == 1:
                        yield "data: {this is not json\n\n"
                        return
                    if body["model"] == "truncated" and i == 1:  # the connection ends: no [DONE], no finish_reason
                        return
                    if body["model"].startswith("odd-") and i == 1:
                        yield f"data: {json.dumps(ODD_CHUNKS[body['model'][4:]])}\n\n"
                        return
                    chunk = {"id": "x", "object": "chat.completion.chunk",
                             "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                    yield f"data: {json.dumps(chunk)}\n\n"
                yield "data: [DONE]\n\n"
            return StreamingResponse(chunks(), media_type="text/event-stream")

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @staticmethod
    async def drip(stream: bool):
        for _ in range(12):
            yield ": keep-alive\n\n" if stream else " "
            await asyncio.sleep(0.5)
        if stream:
            yield f"data: {json.dumps({'choices': [{'delta': {'content': CANNED[0]}}]})}\n\ndata: [DONE]\n\n"
        else:
            yield json.dumps({"choices": [{"message": {"content": CANNED[0]}}]})

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            assert time.monotonic() < deadline, "the fake LLM server did not start"
            time.sleep(0.05)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}/v1"


@pytest.fixture(scope="module")
def fake_llm():
    with FakeLLM() as server:
        yield server


def llm_client(runtime, tmp_path, **settings):
    changed = runtime.settings.model_copy(update={"data_dir": tmp_path, **settings})
    return TestClient(create_app(runtime=replace(runtime, settings=changed)))


def test_llm_answer_from_the_same_numbered_passages(runtime, docs, fake_llm, tmp_path):
    offline = None
    with TestClient(create_app(runtime=runtime)) as c:
        offline = ask(c, QUESTION)
    with llm_client(runtime, tmp_path, llm_base_url=fake_llm.base_url, llm_model="ok",
                    llm_api_key=SecretStr("sk-test")) as c:
        body = ask(c, QUESTION)
    assert body["generated_by"] == "llm" and body["llm_error"] is None
    assert body["answer"] == "".join(CANNED)
    assert body["citations"] == offline["citations"]
    sent = fake_llm.requests[-1]
    assert sent["model"] == "ok" and sent["stream"] is False
    system, last = sent["messages"][0]["content"], sent["messages"][-1]["content"]
    assert "français" in system and "[1]" in system
    for c in body["citations"]:  # every numbered passage went to the model
        assert f"[{c['n']}]" in last
        assert " ".join(c["text"].split())[:200] in last
    assert QUESTION in last
    assert fake_llm.headers[-1]["authorization"] == "Bearer sk-test"


def test_llm_tokens_are_streamed_through(runtime, docs, fake_llm, tmp_path):
    with llm_client(runtime, tmp_path, llm_base_url=fake_llm.base_url, llm_model="ok") as c:
        messages = [{"role": "user", "content": QUESTION}]
        with c.stream("POST", "/chat", json={"messages": messages, "stream": True}) as response:
            events = parse_sse("".join(response.iter_text()))
    deltas = [data["text"] for name, data in events if name == "delta"]
    assert deltas == CANNED
    assert [name for name, _ in events][-2:] == ["citations", "done"]
    assert events[-1][1]["generated_by"] == "llm" and events[-1][1]["answer"] == "".join(CANNED)
    assert fake_llm.requests[-1]["stream"] is True


@pytest.fixture(scope="module")
def paged_toit(runtime, corpus_dir):
    """Le Toit Forézien's report as a PDF: some of its passages run from one page onto the next."""
    pdf = make_pdf(corpus_paragraphs(corpus_dir / TOIT, limit_chars=30_000),
                   header="Le Toit Forézien – Rapport de contrôle 2017", footer="ANCOLS – Rapport définitif")
    return runtime.ingest(pdf, "toit.pdf").id


def test_a_passage_over_two_pages_is_cited_with_both(runtime, paged_toit, fake_llm, tmp_path):
    """The citations and the passages sent to the model said only a passage's first page ("p. 8" for pages 8-9)."""
    with llm_client(runtime, tmp_path, llm_base_url=fake_llm.base_url, llm_model="ok") as c:
        body = ask(c, "Combien de membres le conseil d'administration réunit-il ?",
                   filters={"document_id": [paged_toit]})
    spanning = [c for c in body["citations"] if c["page_end"] != c["page"]]
    assert spanning and all(c["page_end"] == c["page"] + 1 for c in spanning)
    sent = fake_llm.requests[-1]["messages"][-1]["content"]
    for c in body["citations"]:
        head = sent.split(f"[{c['n']}] (", 1)[1].split(")\n", 1)[0]
        pages = f"p. {c['page']}–{c['page_end']}" if c in spanning else f"p. {c['page']}"
        assert pages in head.split(" — "), head


def test_conversation_history_goes_to_the_model(runtime, docs, fake_llm, tmp_path):
    with llm_client(runtime, tmp_path, llm_base_url=fake_llm.base_url, llm_model="ok") as c:
        ask(c, "vacance commerciale élevée", "Réponse précédente [1].", "Et qu'a répondu l'organisme ?")
    roles = [m["role"] for m in fake_llm.requests[-1]["messages"]]
    assert roles == ["system", "user", "assistant", "user"]


@pytest.mark.parametrize("model", ["broken", "unreachable", "drip"])
def test_llm_failure_falls_back_to_the_offline_answer(runtime, docs, fake_llm, tmp_path, model):
    base = fake_llm.base_url
    if model == "unreachable":
        with socket.socket() as s:  # a port nobody listens on
            s.bind(("127.0.0.1", 0))
            base = f"http://127.0.0.1:{s.getsockname()[1]}/v1"
    with TestClient(create_app(runtime=runtime)) as c:
        offline = ask(c, QUESTION)
    timeout = 1 if model == "drip" else 5  # "drip" sends bytes every 0.5 s but no text for 6 s
    with llm_client(runtime, tmp_path, llm_base_url=base, llm_model=model, llm_timeout_s=timeout) as c:
        body = ask(c, QUESTION)
        messages = [{"role": "user", "content": QUESTION}]
        with c.stream("POST", "/chat", json={"messages": messages, "stream": True}) as response:
            events = parse_sse("".join(response.iter_text()))
    assert body["generated_by"] == "offline" and body["llm_error"]
    assert body["answer"] == offline["answer"] and body["citations"] == offline["citations"]
    assert events[-1][1]["generated_by"] == "offline" and events[-1][1]["llm_error"]
    assert "".join(d["text"] for n, d in events if n == "delta") == offline["answer"]


@pytest.mark.parametrize("model", ["cutoff", "truncated", *(f"odd-{name}" for name in ODD_CHUNKS)])
def test_a_stream_broken_midway_is_reset_then_answered_offline(runtime, docs, fake_llm, tmp_path, model):
    """Broken mid-way: a chunk that is not JSON, or JSON that is not a chunk (it broke the stream, no `done`), or
    the end of the stream before the answer's end (it was taken as the whole answer)."""
    with llm_client(runtime, tmp_path, llm_base_url=fake_llm.base_url, llm_model=model) as c:
        messages = [{"role": "user", "content": QUESTION}]
        with c.stream("POST", "/chat", json={"messages": messages, "stream": True}) as response:
            events = parse_sse("".join(response.iter_text()))
    names = [n for n, _ in events]
    reset = names.index("reset")
    assert names[0] == "delta" and events[0][1]["text"] == CANNED[0] and reset == 1
    after = "".join(d["text"] for n, d in events[reset:] if n == "delta")
    assert after == events[-1][1]["answer"] and events[-1][1]["generated_by"] == "offline"
    assert events[-1][1]["llm_error"]


def test_the_chat_reads_an_organism_as_search_does_short_names_included():
    """One recognition for search and chat (index/query_intents.py): "Toit Forézien" names "Le Toit Forézien"."""
    query = build_query(["Qu'a répondu le Toit Forézien sur la remise en état des logements ?"],
                        ["LOGIDIA", "Le Toit Forézien"])
    assert query.organisms == ("Le Toit Forézien",) and query.kinds == ("rebuttal",)
    assert query.text == "remise état logements"  # the question's words, without its frame nor the name



def test_a_chain_of_short_follow_ups_keeps_the_topic_and_the_organism_of_the_turns_before():
    """A frontend's conversation over the corpus organisms: "quelles recommandations ?" after "et pour Logidia ?"
    searched "Logidia" alone (the turn just before, itself a follow-up), and "que répond l'organisme ?" then searched
    "quelles recommandations ?" as written, citing Le Toit Forézien's "quelle que soit…": each short turn is read
    with the previous turn as it was itself understood, back to the one that says what is asked about."""
    organisms = ["Coop'Ivry Habitat", "Espace Domicile", "LOGIDIA", "Le Toit Forézien", "Lozère Habitations"]
    turns = ["Que dit le contrôle sur la vacance des logements ?", "et pour Logidia ?", "quelles recommandations ?",
             "que répond l'organisme ?"]
    queries = [build_query(turns[:n], organisms) for n in range(1, len(turns) + 1)]
    assert [q.text for q in queries] == ["vacance logements"] * 4
    assert [q.organisms for q in queries] == [(), ("LOGIDIA",), ("LOGIDIA",), ("LOGIDIA",)]
    assert [q.kinds[:1] for q in queries[2:]] == [("recommendation",), ("rebuttal",)]
    # A turn that asks about something new stops the chain.
    assert build_query([*turns, "les impayés de Lozère Habitations"], organisms).organisms == ("Lozère Habitations",)

@pytest.mark.parametrize("question, named, text", [
    ("Que dit le contrôle sur la vacance d'Espace Domicile ?", ("Espace Domicile",), "vacance"),
    ("Quelles recommandations l’ANCOLS a-t-elle faites à l'Espace Domicile ?", ("Espace Domicile",),
     "Espace Domicile"),  # the name alone: all its recommendations
    ("Comparer la vacance de LOGIDIA et d'Espace Domicile", ("Espace Domicile", "LOGIDIA"), "Comparer vacance"),
])
def test_an_organism_named_after_an_elided_article_is_the_chats_filter(question, named, text):
    """"la vacance d'Espace Domicile": the name glued to "d'" was not recognised, so the chat searched every
    organism's passages for "vacance d'Espace Domicile" (or cited LOGIDIA alone when both were named)."""
    query = build_query([question], ["Espace Domicile", "LOGIDIA", "Le Toit Forézien"])
    assert sorted(query.organisms) == sorted(named) and query.text == text


def test_a_misspelt_word_is_answered_as_the_search_corrects_it(client, docs):
    """"la vacence": /search answers the "vacance" passages (corrections: vacence → vacance), but the chat weighed
    the typed word as one no passage holds and said it found nothing."""
    typo = ask(client, "Que dit le contrôle sur la vacence ?")
    right = ask(client, "Que dit le contrôle sur la vacance ?")
    assert typo["citations"], typo["answer"]
    check_citations(typo, client)
    assert all("vacance" in c["text"].lower() for c in typo["citations"][:3]), typo["citations"]
    cited = {c["segment_id"] for c in typo["citations"]}
    assert len(cited & {c["segment_id"] for c in right["citations"]}) >= 3, cited  # the same "vacance" findings


@pytest.mark.parametrize("question", ["Que dit le rapport n° 2017-101 sur le recouvrement des impayés ?",
                                      "Que dit le rapport N°2017-101 sur le recouvrement des impayés ?",
                                      "Le rapport 2017-101 sur le recouvrement des impayés"])
def test_a_report_named_by_its_number_is_the_chats_filter(client, docs, question):
    """The API filters on a document, but "le rapport n° 2017-101" (the number as the report's title writes it, the
    store's ``report_number``) was searched as the words "2017" and "101": Coop'lvry Habitat's answers were cited
    beside the Toit Forézien's report. A number no stored report carries is no filter, and no error."""
    unnamed = ask(client, "Que dit le rapport sur le recouvrement des impayés ?")["citations"]
    assert {docs[TOIT], docs[REPLY]} <= {c["document_id"] for c in unnamed}
    body = ask(client, question)
    assert body["citations"] and {c["report_number"] for c in body["citations"]} == {"2017-101"}
    assert body["query"] == "recouvrement impayés"
    other = ask(client, question.replace("2017-101", "2016-047"))  # a report of the corpus, not stored here
    assert {docs[TOIT], docs[REPLY]} <= {c["document_id"] for c in other["citations"]}


def test_a_report_number_is_read_with_or_without_its_sign_and_left_when_nothing_carries_it():
    stored = {"2017-101": ["toit", "toit-reply"]}.get
    for question in ("Quelles recommandations du rapport n°2017-101 ?", "recommandations rapport 2017 - 101"):
        query = build_query([question], [], lambda number: stored(number, ()))
        assert query.documents == ("toit", "toit-reply") and query.named_only, question
    query = build_query(["Que dit la loi n° 2009-323 sur la vacance ?"], [], lambda number: stored(number, ()))
    assert query.documents == () and query.text == "loi 2009 323 vacance"
    follow_up = build_query(["Que dit le rapport n° 2017-101 sur la vacance ?", "et les impayés ?"], [],
                            lambda number: stored(number, ()))
    assert follow_up.documents == ("toit", "toit-reply") and follow_up.text == "vacance impayés"


@pytest.mark.parametrize("question", ["Quels engagements pour la commune et les EPCI ?", "Quels loyers et quel IRL ?"])
def test_an_acronym_of_the_thesaurus_no_passage_writes_is_no_name_that_puts_the_question_off_the_corpus(client, docs,
                                                                                                         question):
    """Neither report writes "EPCI" nor "IRL" (nor their phrases); typed in capitals, as acronyms are, each was read
    as a name no passage writes, as "Lyon", and the question cited nothing, though typed in lower case it is answered
    from the passages on the rest (the commune's engagements, the rents). An acronym of the thesaurus is a word of
    the reports' domain: the question is answered as in lower case."""
    lower = ask(client, question.replace("EPCI", "epci").replace("IRL", "irl"))["citations"]
    typed = ask(client, question)["citations"]
    assert lower and [c["segment_id"] for c in typed] == [c["segment_id"] for c in lower]


def test_a_name_after_an_elided_article_puts_the_question_off_the_corpus_as_without_it(client, docs):
    """"le budget d'Annecy": the name glued to "d'" started with a lower-case letter and was not read as a name, so
    "budget" alone (half the terms, one no passage holds) made the question known and a passage on another budget
    was cited; "le budget de Lyon" cited nothing."""
    assert names("Quel budget d'Annecy pour l’EPCI et la Ville ?") == ("Annecy", "Ville")
    for question in ("Quel était le budget de la ville d'Annecy en 2019 ?", "Quel était le budget d’Annecy ?"):
        body = ask(client, question)
        assert body["citations"] == [] and "aucun passage" in body["answer"], (question, body["citations"])


def test_the_report_filter_reads_the_documents_carrying_a_number_without_their_texts(runtime, docs):
    """The chat's report filter wants the ids of the documents carrying a number; it read each one's full text
    (~100 kB a report), as the near-duplicate check that compares them does."""
    found = runtime.store.meta.find_by_meta("report_number", "2017-101", with_text=False)
    whole = runtime.store.meta.find_by_meta("report_number", "2017-101")
    assert [r.id for r in found] == [r.id for r in whole] and docs[TOIT] in [r.id for r in found]
    assert all(r.text is None for r in found) and all(r.text for r in whole)
    assert [r.segment_count for r in found] == [r.segment_count for r in whole]


@pytest.mark.parametrize("question, meant", [
    ("Que dit le rapport sur la CAO ?", "Que dit le rapport sur la commission d'appel d'offres ?"),
    ("Que dit le rapport sur les impayes ?", "Que dit le rapport sur les impayés ?")])
def test_a_passage_holding_what_a_word_is_searched_as_covers_the_word(client, docs, question, meant):
    """The Toit Forézien writes "commission d'appel d'offres", never "CAO"; the search finds its passages by the
    thesaurus phrase (and "impayes" by the passages' "impayés"), but the chat kept only the passages holding the word
    as typed: "aucun passage". The phrase or the accented spelling the search read the word as now covers it."""
    typed = ask(client, question)["citations"]
    assert typed
    if "CAO" in question:  # the acronym alone searched as its phrase: the same passages
        assert [c["segment_id"] for c in typed] == [c["segment_id"] for c in ask(client, meant)["citations"]]
    else:
        assert any("impayés" in c["text"] for c in typed), typed


def test_a_question_typed_in_capitals_throughout_is_answered_as_in_lower_case(client, docs):
    """"QUE DIT LE RAPPORT SUR L'AMIANTE ET LE TÉLÉTRAVAIL ?": every word past the first was read as a name, and
    "télétravail", which no passage writes, as one no passage writes: nothing was cited, though typed in lower case
    the question is answered from the passages on asbestos (half its words known); so it is in capitals."""
    question = "Que dit le rapport sur l'amiante et le télétravail ?"
    for typed in (question, question.upper()):  # the search reads capitals otherwise (acronyms): not the same order
        cited = ask(client, typed)["citations"]
        assert cited and any("amiante" in c["text"].lower() for c in cited), typed


@pytest.mark.parametrize("question", ["Que pense Mme la Présidente de la vacance commerciale ?",
                                      "Que dit M. le Directeur général sur la vacance commerciale ?"])
def test_a_title_is_no_name_that_puts_the_question_off_the_corpus(client, docs, question):
    """Neither the Toit Forézien's report nor its reply writes "Mme" (the reply writes "Madame"), nor "M." before a
    name: a title, capitalised mid-sentence, was read as a name no passage writes, and the question on the
    commercial vacancy the report describes cited nothing. A title names no one (``titles.txt``)."""
    assert names(question) == ()
    cited = ask(client, question)["citations"]
    assert cited and any(w in c["text"].lower() for c in cited for w in ("vacance", "directeur", "président")), cited


def test_an_elided_article_is_cut_in_any_case_and_after_any_apostrophe(client, docs):
    """"L'EPCI" mid-sentence and "lʼEPCI" (U+02BC) kept their article in the searched text ("engagements commune
    L'EPCI"), and "lʼEPCI" was one unknown word; all three are read as "l'EPCI"."""
    assert names("Quel budget D'Annecy ?") == names("Quel budget dʼAnnecy ?") == ("Annecy",)
    asked = [ask(client, f"Quels engagements pour la commune et {epci} ?") for epci in ("l'EPCI", "L'EPCI", "lʼEPCI")]
    assert {body["query"] for body in asked} == {"engagements commune EPCI"}
    assert asked[0]["citations"] and all(body["citations"] == asked[0]["citations"] for body in asked)


def test_a_long_question_names_what_its_lines_name(corpus_texts):
    """``names`` sliced the text before each of its words again: quadratic in the question's length. Read once, a
    question of 300 list items from the Toit Forézien's report names what each item names alone, in order."""
    lines = [line.strip() for line in corpus_texts[TOIT].splitlines() if any(c.islower() for c in line)][:300]
    question = "\n".join(f"- {line}" for line in lines)
    assert names(question) == sum(map(names, lines), ()) and len(names(question)) > 100


@pytest.mark.parametrize("question", ["Que dit le rapport sur :\n- l'amiante\n- Télétravail",
                                      "Que dit le rapport sur :\n• Télétravail\n• amiante",
                                      "Que dit le rapport sur l'amiante et le\nTélétravail ?"])
def test_a_capital_at_a_line_or_list_items_start_is_no_name(client, docs, question):
    """"Télétravail", which no passage writes, capitalised at a line's start or after a "- " bullet, was read as a
    name no passage writes, and the question cited nothing, though it is answered from the passages on asbestos
    when written on one line in lower case (``test_a_question_typed_in_capitals_throughout…``)."""
    assert names(question) == ()
    cited = ask(client, question)["citations"]
    assert cited and any("amiante" in c["text"].lower() for c in cited), question
