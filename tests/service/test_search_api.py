"""Search, classify and segment endpoints through HTTP."""

import json
import re
import unicodedata

import pytest

from ancols_nlp.index.query import Filters, SearchParams
from ancols_nlp.service.routers import search


@pytest.fixture(scope="module")
def corpus_ids(client, corpus_dir):
    ids = {}
    for path in sorted(corpus_dir.glob("*.txt")):
        response = client.post("/documents", files={"file": (path.name, path.read_bytes(), "text/plain")})
        assert response.status_code == 201, response.text
        ids[path.name] = response.json()["id"]
    return ids


def test_vacancy_query_finds_the_toit_forezien_passages(client, corpus_ids, corpus_texts):
    """The Toit Forézien report (004) is the one whose commercial vacancy is high."""
    toit = corpus_ids["004_964ee9d999fa8f65.txt"]
    results = client.get("/search", params={"q": "vacance commerciale élevée", "k": 10}).json()["results"]
    top = results[:5]
    assert sum(r["document_id"] == toit for r in top) >= 3
    text = corpus_texts["004_964ee9d999fa8f65.txt"]
    first = next(r for r in results if r["document_id"] == toit)
    assert text[first["start"]:first["end"]] == first["text"]
    assert "vacan" in first["text"].lower()
    assert first["highlights"] and all(text[a:b].lower().startswith("vacan") or text[a:b].lower().startswith("commerc")
                                       or text[a:b].lower().startswith("élev") for a, b in first["highlights"])


@pytest.mark.parametrize("mode", ["lexical", "hybrid"])
def test_a_misspelt_word_finds_the_passages_its_spelling_finds_and_the_answer_names_it(client, corpus_ids, mode):
    """"recouvrment" is no report's word (lexically it found nothing): it is also searched as "recouvrement", the
    answer says so (for a "did you mean") and highlights the word found; a query spelt right has no correction.
    Most of the same passages (whole ones), not in the same order: as a synonym's, the correction counts in a
    passage's score, not in its section's."""
    def ask(q):
        return client.get("/search", params={"q": q, "k": 10, "mode": mode, "grain": "passage"}).json()
    right, typed = ask("recouvrement"), ask("recouvrment")
    assert right["corrections"] == [] and typed["corrections"] == [{"typed": "recouvrment", "meant": "recouvrement"}]
    ids = [r["id"] for r in typed["results"]]
    assert len(set(ids) & {r["id"] for r in right["results"]}) >= 8
    first = typed["results"][0]
    marked = [first["text"][a - first["start"]:b - first["start"]].lower() for a, b in first["highlights"]]
    assert marked and all(m.startswith("recouvr") for m in marked)


def test_a_sentence_result_is_a_sentence_of_its_passage_and_keeps_the_passage(client, runtime, corpus_ids,
                                                                              corpus_texts):
    """grain=sentence: each result is one stored sentence of a found passage (both stores keep the spans), its text
    and highlights the sentence's, the passage given whole beside it; facets and counts stay the passages'."""
    toit = corpus_ids["004_964ee9d999fa8f65.txt"]
    params = {"q": "vacance commerciale élevée", "k": 10, "mode": "hybrid"}
    body = client.get("/search", params=params | {"grain": "sentence"}).json()
    passages = client.get("/search", params=params | {"grain": "passage"}).json()
    assert body["facets"] == passages["facets"] and body["total_candidates"] == passages["total_candidates"]
    names = {doc_id: name for name, doc_id in corpus_ids.items()}
    parts = [r for r in body["results"] if r["passage_text"] is not None]
    assert len(parts) >= 5 and len({r["id"] for r in body["results"]}) < 10  # sentences of multi-sentence passages
    # Each result has a key of its own, its passage's id and where it starts: a client keying results by it keeps all.
    assert [r["result_id"] for r in body["results"]] == [f"{r['id']}@{r['start']}" for r in body["results"]]
    assert len({r["result_id"] for r in body["results"]}) == len(body["results"]) == 10
    for r in body["results"]:
        text = corpus_texts[names[r["document_id"]]]
        assert r["passage_start"] <= r["start"] < r["end"] <= r["passage_end"]
        assert r["text"] == text[r["start"]:r["end"]]
        assert r["passage_text"] in (None, text[r["passage_start"]:r["passage_end"]])
        assert all(r["start"] <= a < b <= r["end"] for a, b in r["highlights"])
        row = runtime.store.meta.segment_by_seq(r["document_id"], r["position"])
        assert (r["start"], r["end"]) in row.sentences and row.sentences == sorted(row.sentences)
        assert row.sentences[0][0] == row.start and row.sentences[-1][1] == row.end
    first = next(r for r in parts if r["document_id"] == toit)
    assert "vacance commerciale" in first["text"].lower() and first["highlights"]


def test_grain_passage_gives_the_stores_passages(client, runtime, corpus_ids):
    """grain=passage answers as before sentences existed: the store's hits, each whole; the default is sentences."""
    params = {"q": "les impayés des locataires", "k": 8}
    body = client.get("/search", params=params | {"grain": "passage"})
    assert client.get("/search", params=params).content == client.get(
        "/search", params=params | {"grain": "sentence"}).content != body.content
    out = runtime.store.search(params["q"], k=8, filters=Filters())
    rows = [out.rows[h.id] for h in out.hits]
    assert [(r["position"], r["start"], r["end"], r["score"]) for r in body.json()["results"]] == [
        (row.seq, row.start, row.end, h.score) for h, row in zip(out.hits, rows)]
    assert all(r["passage_text"] is None and (r["passage_start"], r["passage_end"]) == (r["start"], r["end"])
               for r in body.json()["results"])


def test_an_unknown_grain_is_refused(client):
    response = client.get("/search", params={"q": "vacance", "grain": "paragraph"})
    assert response.status_code == 422 and response.json()["error"]["detail"][0]["loc"][:2] == ["query", "grain"]


def test_a_k_above_the_results_limit_is_refused_naming_it(client, runtime):
    """``k=500`` was accepted (up to 1,000) and cut to ``ANCOLS_MAX_RESULTS`` without a word: the answer looked
    like every passage there was. A ``k`` past the limit is refused as any out-of-range value, naming it."""
    limit = runtime.settings.max_results
    response = client.get("/search", params={"q": "vacance", "k": limit + 1})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and error["detail"][0]["loc"] == ["query", "k"]
    assert str(limit) in error["detail"][0]["msg"]
    assert client.get("/search", params={"q": "vacance", "k": limit}).status_code == 200
    assert "ANCOLS_MAX_RESULTS" in client.get("/openapi.json").text


def test_filters_and_facets(client, corpus_ids):
    params = {"q": "la société doit respecter les règles de la commande publique", "k": 20, "kind": "recommendation"}
    body = client.get("/search", params=params).json()
    assert body["results"] and all(r["kind"] == "recommendation" for r in body["results"])
    assert set(body["facets"]["kind"]) == {"recommendation"}
    reply = corpus_ids["000_ad04bc466fc4cae0.txt"]
    only = client.get("/search", params={"q": "conseil d'administration", "document_id": reply}).json()["results"]
    assert only and {r["document_id"] for r in only} == {reply}


def test_each_facet_count_is_what_its_filter_returns(client, corpus_ids):
    """The theme facet counted a passage's first theme while the filter matched any it listed (952 passages for
    commande_publique against 82 counted); passages without organism counted as "inconnu", which no filter matched.
    A note naming no organism is added for the test."""
    note = client.post("/documents", files={"file": ("note.txt", "Note interne\n\nLa vacance commerciale du parc "
                                                     "reste faible cette année.\n", "text/plain")}).json()
    try:
        assert client.get(f"/documents/{note['id']}").json()["meta"].get("organism") is None
        body = client.get("/search", params={"q": "vacance"}).json()
        facets, total = body["facets"], body["total_candidates"]
        assert sum(facets["theme"].values()) > total  # a passage listing two themes counts under each
        assert "inconnu" not in facets["organism"] and sum(facets["organism"].values()) < total
        for name in ("theme", "organism", "kind"):
            for value, count in facets[name].items():
                filtered = client.get("/search", params={"q": "vacance", name: value}).json()
                assert filtered["total_candidates"] == count, (name, value)
        assert client.get("/search", params={"q": "vacance", "organism": "inconnu"}).status_code == 422  # none has it
    finally:
        assert client.delete(f"/documents/{note['id']}").status_code in (200, 204)


def test_an_organism_filter_matches_as_a_query_names_the_organism(client, corpus_ids):
    """A query naming "lozere habitations" is read as naming Lozère Habitations, but the same words as a filter were
    refused as naming no stored organism: a filter matches as a query names (case, accents, composed or not), and a
    name that matches nothing is still refused."""
    named = client.get("/search", params={"q": "gouvernance lozere habitations"}).json()["results"]
    assert named and named[0]["organism"] == "Lozère Habitations"
    exact = client.get("/search", params={"q": "gouvernance", "organism": "Lozère Habitations"}).json()
    for typed in ("lozere habitations", unicodedata.normalize("NFD", "LOZÈRE HABITATIONS")):
        found = client.get("/search", params={"q": "gouvernance", "organism": typed})
        assert found.status_code == 200, found.text
        assert [r["id"] for r in found.json()["results"]] == [r["id"] for r in exact["results"]]
        assert found.json()["total_candidates"] == exact["total_candidates"]
    assert client.get("/search", params={"q": "gouvernance", "organism": "lozere habitat"}).status_code == 422


def test_an_organism_named_after_an_elided_article_is_favoured_as_without_it(client, corpus_ids):
    """"impayés d'Espace Domicile": the name glued to "d'" was not read as naming Espace Domicile (the chat read it
    since 6c1fc34), so its passages were not favoured and "d'Espace Domicile" was matched as words: the two queries
    ranked otherwise. Search and chat read an organism with one function (``mentioned_organisms``)."""
    plain = client.get("/search", params={"q": "impayés Espace Domicile"}).json()["results"]
    for q in ("impayés d'Espace Domicile", "impayés d’Espace Domicile", "impayés D'Espace Domicile"):
        elided = client.get("/search", params={"q": q}).json()["results"]
        assert [(r["id"], r["score"]) for r in elided] == [(r["id"], r["score"]) for r in plain], q
    assert plain[0]["organism"] == "Espace Domicile"


@pytest.mark.parametrize("mode", ["lexical", "hybrid"])
def test_a_dwelling_type_query_finds_the_passages_naming_that_type_first(client, corpus_ids, corpus_texts, mode):
    """001's rent tables give a row per dwelling type ("T3\t1 452\t68…"). "T3" was read "t" (a function word) and
    "3": the query searched the number 3 alone. Read as one word, the type, its passages come first, the type lit."""
    assert re.search(r"^T3\t1 452", corpus_texts["001_d290a1a4feb3bef7.txt"], re.MULTILINE)
    results = client.get("/search", params={"q": "loyers des T3", "k": 5, "mode": mode}).json()["results"]
    first = results[0]
    assert first["document_id"] == corpus_ids["001_d290a1a4feb3bef7.txt"] and re.search(r"\bT3\b", first["text"])
    assert "T3" in {first["text"][a - first["start"]:b - first["start"]] for a, b in first["highlights"]}


@pytest.mark.parametrize("mode", ["lexical", "semantic", "hybrid"])
def test_every_mode_answers(client, corpus_ids, mode):
    body = client.get("/search", params={"q": "impayés en hausse", "k": 5, "mode": mode}).json()
    assert body["mode"] == mode and len(body["results"]) == 5
    assert body["results"][0]["score"] >= body["results"][-1]["score"]


@pytest.mark.parametrize("q", ["", "   ", "\x00\x01\x02", "vacance " * 2000])
def test_absurd_queries_are_refused_clearly(client, q):
    response = client.get("/search", params={"q": q})
    assert response.status_code == 422
    assert response.json()["error"]["code"] in {"bad_query", "invalid_request"}


@pytest.mark.parametrize(("name", "value"), [("kind", "recommandation"), ("kind", "constat"), ("doc_type", "rapport"),
                                            ("theme", "vacance commerciale"), ("theme", "loyers")])
def test_an_unknown_kind_type_or_theme_is_refused_not_answered_with_nothing(client, corpus_ids, name, value):
    """A French spelling of a kind ("recommandation"), type or theme ("loyers" for loyers_charges) matched no
    passage and answered 200 with no results, as if the corpus held none. Kinds, types and themes are closed lists
    (ANNOTATION.md's), in /search as in /chat."""
    response = client.get("/search", params={"q": "vacance commerciale", name: value})
    assert response.status_code == 422 and response.json()["error"]["code"] == "invalid_request"
    assert response.json()["error"]["detail"][0]["loc"][:2] == ["query", name]
    assert client.get("/search", params={"q": "vacance commerciale", "kind": "recommendation",
                                         "doc_type": "report", "theme": "patrimoine"}).json()["results"]


def test_classify(client):
    rec = client.post("/classify", json={"text": "La société doit mettre fin au cumul du mandat social et du contrat "
                                                 "de travail du directeur général."}).json()
    assert rec["kind"] == "recommendation"
    assert rec["themes"][0]["theme"] == "gouvernance"
    reb = client.post("/classify",
                      json={"text": "Dans sa réponse, l'organisme conteste le calcul du taux de vacance."}).json()
    assert reb["kind"] == "rebuttal"
    assert client.post("/classify", json={"text": ""}).status_code == 422


def test_classify_lists_the_themes_a_stored_passage_would(client, corpus_ids, corpus_texts):
    """Report 004's recommendation, asked of /classify and stored in the report: the same themes, the best and those
    scoring at least the floor; /classify listed three whatever their score (patrimoine 0.0007, attributions 0.0)."""
    text = next(line for line in corpus_texts["004_964ee9d999fa8f65.txt"].splitlines()
                if line.startswith("Sur le plan réglementaire, la société doit respecter"))
    themes = client.post("/classify", json={"text": text}).json()["themes"]
    stored = next(s for s in client.get(f"/documents/{corpus_ids['004_964ee9d999fa8f65.txt']}/segments",
                                        params={"limit": 100000}).json()["segments"] if s["text"] == text)
    assert [t["theme"] for t in themes] == stored["themes"] == ["gouvernance"]


def test_classify_takes_the_length_the_setting_allows(client, runtime, corpus_texts, monkeypatch):
    """ANCOLS_MAX_CLASSIFY_CHARS raised past 20,000 was refused by the request's schema, fixed at 20,000."""
    text = corpus_texts["004_964ee9d999fa8f65.txt"][:25_000]
    response = client.post("/classify", json={"text": text})
    assert response.status_code == 422
    assert "ANCOLS_MAX_CLASSIFY_CHARS" in response.json()["error"]["message"]
    monkeypatch.setattr(runtime, "settings", runtime.settings.model_copy(update={"max_classify_chars": 30_000}))
    assert client.post("/classify", json={"text": text}).json()["kind"] == "other"
    assert client.post("/classify", json={"text": " \n "}).json()["error"]["message"] == "The text is empty."


def test_a_year_range_ending_before_it_starts_is_refused(client, corpus_ids):
    """year_min after year_max answered 200 with nothing, as if no passage matched: the bounds swapped by mistake."""
    asked = {"q": "vacance commerciale", "year_min": 2017, "year_max": 2016}
    refused = client.get("/search", params=asked)
    message = refused.json()["error"]["message"]
    assert refused.status_code == 422 and "year_min (2017) is after year_max (2016)" in message
    chat = client.post("/chat", json={"messages": [{"role": "user", "content": asked["q"]}],
                                      "filters": {"year_min": 2017, "year_max": 2016}})
    assert chat.status_code == 422 and chat.json()["error"]["message"] == message
    found = client.get("/search", params={**asked, "year_min": 2016, "year_max": 2017}).json()
    assert found["results"] and {r["document_id"] for r in found["results"]} <= set(corpus_ids.values())


def test_segment_shows_links_both_ways(client, corpus_ids):
    lozere = corpus_ids["003_12d7f4ee594b802f.txt"]
    segments = client.get(f"/documents/{lozere}/segments", params={"limit": 100000}).json()["segments"]
    rebuttal = next(s for s in segments if s["kind"] == "rebuttal" and s["responds_to"])
    detail = client.get(f"/segments/{rebuttal['id']}").json()
    answered = detail["responds_to"][0]
    assert answered["kind"] in {"observation", "recommendation"}
    back = client.get(f"/segments/{answered['id']}").json()
    assert rebuttal["id"] in [s["id"] for s in back["answered_by"]]
    assert detail["previous"]["position"] == rebuttal["position"] - 1
    assert client.get("/segments/nope:1").status_code == 404


def test_health_counts(client, corpus_ids):
    health = client.get("/health").json()
    assert health["documents"] >= len(corpus_ids) and health["segments"] > 1000


def _lit(result) -> set[str]:
    """The words a result highlights, lower-cased."""
    text, start = result["text"], result["start"]
    return {text[a - start:b - start].lower() for a, b in result["highlights"]}


def test_a_mined_acronym_highlights_its_other_form(client, corpus_ids):
    """The reports define "provision pour gros entretien (PGE)" themselves (no thesaurus entry): asked either way,
    a result (a whole passage) written the other way shows the words the query brought it by."""
    by_acronym = client.get("/search", params={"q": "PGE", "k": 10, "mode": "lexical", "grain": "passage"}).json()[
        "results"]
    long_only = [r for r in by_acronym if "provision pour gros entretien" in r["text"] and "PGE" not in r["text"]]
    assert long_only and all({"provision", "gros", "entretien"} <= _lit(r) for r in long_only)
    by_words = client.get("/search", params={"q": "provision pour gros entretien", "k": 10, "grain": "passage"}).json()[
        "results"]
    with_acronym = [r for r in by_words if re.search(r"\bPGE\b", r["text"])]
    assert with_acronym and all("pge" in _lit(r) for r in with_acronym)


def _cache_counts(client) -> tuple[int, int]:
    text = client.get("/metrics").text
    return tuple(int(re.search(rf"^ancols_search_cache_{name} (\d+)$", text, re.M).group(1))
                 for name in ("hits_total", "misses_total"))


def test_a_repeated_search_is_answered_from_the_cache_byte_for_byte(client, runtime, corpus_ids):
    params = {"q": "provision pour gros entretien", "k": 7, "mode": "hybrid", "kind": "recommendation"}
    if runtime.settings.store == "embedded":  # a merge of the corpus's writes saving its base meanwhile is a commit
        runtime.store.wait_for_merge()        # the snapshot has not taken in yet: nothing is cached until it has
    hits, misses = _cache_counts(client)
    first, again = client.get("/search", params=params), client.get("/search", params=params)
    assert first.status_code == again.status_code == 200
    uncached = search.answer(runtime, params["q"], 7, Filters(kind=("recommendation",)), SearchParams(mode="hybrid"),
                             runtime.settings.search_grain)
    assert first.content == again.content == uncached and json.loads(uncached)["results"]
    if runtime.settings.store == "embedded":
        assert _cache_counts(client) == (hits + 1, misses + 1)
    else:  # other processes may write to the database: nothing is cached
        assert _cache_counts(client) == (hits, misses)


def test_a_write_is_seen_by_the_next_identical_search(client, corpus_ids):
    """The same query, asked (and cached) before an upload and a deletion, answers each time as the store is."""
    params = {"q": "zinguerie des logements-foyers", "k": 10, "mode": "lexical"}
    text = "<rec>La société doit reprendre la zinguerie des logements-foyers avant l'hiver.</rec>"

    def documents() -> set[str]:
        return {r["document_id"] for r in client.get("/search", params=params).json()["results"]}

    before = documents()
    assert documents() == before
    created = client.post("/documents", files={"file": ("zinc.txt", text.encode(), "text/plain")}).json()["id"]
    assert documents() == before | {created}
    assert client.delete(f"/documents/{created}").status_code == 204
    assert documents() == before


@pytest.mark.parametrize(("name", "value"), [("offset", "10"), ("organisme", "Le Toit Forézien"),
                                            ("type", "recommendation"), ("themes", "vacance")])
def test_a_parameter_the_search_does_not_take_is_refused_not_ignored(client, corpus_ids, name, value):
    """``offset=10`` (there is no paging), or a filter misspelt ("organisme", "type" for kind, "themes"), answered
    200 with the unfiltered first page, as if it had been applied."""
    asked = {"q": "vacance commerciale", name: value}
    response = client.get("/search", params=asked)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and error["detail"][0]["loc"] == ["query", name]
    assert "organism" in error["detail"][0]["msg"] and "year_min" in error["detail"][0]["msg"]
    listed = client.get("/documents", params={"limit": 2, "page": 2})
    assert listed.status_code == 422 and listed.json()["error"]["detail"][0]["loc"] == ["query", "page"]
    assert client.get("/documents", params={"limit": 2, "offset": 1}).json()["offset"] == 1


@pytest.mark.parametrize("q", ["?!… ;;", "« »", "🏠", "le la les de du", "Et ?"])
def test_a_query_with_no_word_to_search_is_refused(client, corpus_ids, q):
    """Only punctuation, a symbol or stopwords: the lexical side has no term, and the dense side ranked whatever the
    query's punctuation embedded near (a table's "|---|----|" row, the letterhead), 200 with ten passages. A
    stopword the documents define as an acronym ("CA") is searched."""
    for mode in ("hybrid", "semantic", "lexical"):
        response = client.get("/search", params={"q": q, "mode": mode})
        assert response.status_code == 422, (mode, response.text)
        assert response.json()["error"]["code"] == "bad_query" and "no word" in response.json()["error"]["message"]
    assert client.get("/search", params={"q": "жильё вакансия", "mode": "semantic"}).json()["results"]
    board = client.get("/search", params={"q": "CA", "mode": "lexical"}).json()["results"]  # "ça", and the reports'
    assert board and "conseil d'administration" in board[0]["text"].lower()  # "conseil d'administration (CA)"
    assert client.get("/search", params={"q": "2017"}).json()["results"]


@pytest.mark.parametrize("mode", ["lexical", "hybrid"])
def test_a_correction_is_shown_as_a_word_the_passages_hold_not_a_stem(client, corpus_ids, mode):
    """"vacan" is one edit from "vacanc", which stems as "vacance" does: the answer said "did you mean vacanc", a
    word no report holds. It names the word the passages found write ("vacance"), as "recouvrment" gets
    "recouvrement"."""
    body = client.get("/search", params={"q": "taux de vacan", "k": 10, "mode": mode}).json()
    assert body["corrections"] == [{"typed": "vacan", "meant": "vacance"}]
    assert any(re.search(r"\bvacance\b", r["text"]) for r in body["results"])


def test_a_body_field_the_route_does_not_take_is_refused_not_ignored(client, corpus_ids):
    """A misspelt field ("doctype" for doc_type, "filter" for filters) was dropped: /classify read an organism's
    answer as a report's sentence, /chat answered from every organism. The chat's filters already refused one."""
    answer = "Nous contestons le calcul du taux de vacance retenu par le rapport."
    refused = client.post("/classify", json={"text": answer, "doctype": "reply"})
    assert refused.status_code == 422 and refused.json()["error"]["detail"][0]["loc"] == ["body", "doctype"]
    assert client.post("/classify", json={"text": answer, "doc_type": "reply"}).json()["kind"] == "rebuttal"
    asked = {"messages": [{"role": "user", "content": "vacance commerciale"}], "filter": {"organism": ["LOGIDIA"]}}
    refused = client.post("/chat", json=asked)
    assert refused.status_code == 422 and refused.json()["error"]["detail"][0]["loc"] == ["body", "filter"]
    asked["filters"] = asked.pop("filter")
    cited = client.post("/chat", json=asked).json()["citations"]
    assert cited and {c["organism"] for c in cited} == {"LOGIDIA"}
