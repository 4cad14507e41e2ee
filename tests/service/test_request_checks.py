"""What a request gives that a route cannot use is refused with a clear 422, never answered as if it had been applied:
a single-valued parameter given twice, a filter given empty, a form field the upload does not take.

These checks are the routers' (service/routers/common.py), the same whatever the store: one backend is enough."""

import unicodedata

import pytest
from fastapi.testclient import TestClient

from ancols_nlp.service.app import create_app
from ancols_nlp.service.runtime import Runtime
from ancols_nlp.service.settings import Settings

LETTER, REPORT = "000_ad04bc466fc4cae0.txt", "002_6bf2bb461188af34.txt"


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    runtime = Runtime.from_settings(Settings(data_dir=tmp_path_factory.mktemp("data"), max_upload_mb=2))
    with TestClient(create_app(runtime=runtime)) as c:
        yield c
    runtime.close()


@pytest.fixture(scope="module")
def stored(client, corpus_dir):
    ids = {}
    for name in (LETTER, REPORT):
        response = client.post("/documents", files={"file": (name, (corpus_dir / name).read_bytes(), "text/plain")})
        assert response.status_code == 201, response.text
        ids[name] = response.json()["id"]
    return ids


def refused(response, name: str) -> str:
    """The message of a 422 on ``name``, asserted to be one."""
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "invalid_request" and error["detail"][0]["loc"][1] == name, error
    return error["detail"][0]["msg"]


@pytest.mark.parametrize(("name", "values"), [("q", ["vacance commerciale", "loyers"]), ("k", ["3", "5"]),
                                              ("mode", ["lexical", "semantic"]), ("year_min", ["2010", "2016"])])
def test_a_single_valued_search_parameter_given_twice_is_refused(client, stored, name, values):
    """``q=vacance&q=loyers`` searched "loyers" alone and ``mode=lexical&mode=semantic`` answered semantic: the last
    value won and the first was dropped without a word."""
    asked = [("q", "taux de vacance")] * (name != "q") + [(name, value) for value in values]
    message = refused(client.get("/search", params=asked), name)
    assert "2 times" in message and "one value" in message
    assert client.get("/search", params=asked[:-1]).status_code == 200


@pytest.mark.parametrize(("method", "path", "body", "name"), [
    ("post", "/chat", {"messages": [{"role": "user", "content": "vacance commerciale"}]}, "stream"),
    ("post", "/chat", {"messages": [{"role": "user", "content": "vacance commerciale"}]}, "k"),
    ("post", "/classify", {"text": "La société doit réduire sa vacance commerciale."}, "doc_type"),
    ("get", "/organisms", None, "limit")])
def test_a_parameter_in_the_address_of_a_route_that_takes_none_is_refused(client, stored, method, path, body, name):
    """``POST /chat?stream=true`` answered in one JSON body, not streamed, and ``?k=2`` cited eight passages: the
    chat and /classify take their options in the JSON body, /organisms none, and what the address gave was
    dropped without a word, where /search refuses a parameter it does not take."""
    asked = {"json": body} if body else {}
    message = refused(getattr(client, method)(path, params={name: "2"}, **asked), name)
    assert "Unknown parameter; this route takes none" in message
    assert getattr(client, method)(path, **asked).status_code == 200


def test_paging_given_twice_is_refused(client, stored):
    """``limit=1&limit=3`` listed three documents."""
    assert "one value" in refused(client.get("/documents", params=[("limit", "1"), ("limit", "3")]), "limit")
    assert "one value" in refused(client.get("/jobs", params=[("status", "done"), ("status", "failed")]), "status")
    assert client.get("/documents", params=[("limit", "1"), ("offset", "1")]).json()["limit"] == 1


@pytest.mark.parametrize("name", ["organism", "document_id", "kind", "theme", "doc_type"])
def test_a_filter_given_empty_is_refused_alike(client, stored, name):
    """``organism=`` (a form's "any" option sent as is) answered 200 with no passage, as if no organism had any,
    where ``kind=`` was a 422 listing the kinds: an empty filter is refused alike, saying to leave it out."""
    message = refused(client.get("/search", params={"q": "vacance commerciale", name: ""}), name)
    assert "empty" in message and "leave it out" in message
    assert client.get("/search", params={"q": "vacance commerciale"}).json()["results"]


def test_a_filter_repeated_still_takes_every_value(client, stored):
    body = client.get("/search", params=[("q", "vacance"), ("document_id", stored[LETTER]),
                                         ("document_id", stored[REPORT]), ("k", "30")]).json()
    assert {r["document_id"] for r in body["results"]} == set(stored.values())


@pytest.mark.parametrize("value", ["", [""], ["LOGIDIA", ""]])
def test_a_chat_filter_given_empty_is_refused(client, stored, value):
    """The chat's ``"organism": ""`` answered "nothing relevant is stored" (200): the filter matched no passage."""
    asked = {"messages": [{"role": "user", "content": "Que dit le contrôle sur la vacance ?"}],
             "filters": {"organism": value}}
    response = client.post("/chat", json=asked)
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["detail"][0]["loc"][:3] == ["body", "filters", "organism"]
    assert "empty" in error["detail"][0]["msg"]
    asked["filters"] = {"organism": "LOGIDIA"}
    assert {c["organism"] for c in client.post("/chat", json=asked).json()["citations"]} == {"LOGIDIA"}


def test_two_files_sent_to_the_one_file_upload_are_refused(client, stored, corpus_dir):
    """``curl -F file=@a -F file=@b /documents`` stored b alone and answered 201: a was dropped without a word."""
    letter, report = ((corpus_dir / name).read_bytes() for name in (LETTER, REPORT))
    response = client.post("/documents", files=[("file", ("a.txt", letter[:3000], "text/plain")),
                                                ("file", ("b.txt", report[:3000], "text/plain"))])
    message = refused(response, "file")
    assert "2 times" in message and "/jobs" in message
    assert client.get("/documents").json()["total"] == len(stored)


def test_a_form_field_the_upload_does_not_take_is_refused(client, stored, corpus_dir):
    """``-F title=…`` or ``-F files=@b`` beside ``file`` were ignored: the document was stored without them."""
    letter = (corpus_dir / LETTER).read_bytes()[:3000]
    response = client.post("/documents", data={"title": "Réponse de LOGIDIA"},
                           files={"file": ("a.txt", letter, "text/plain")})
    assert "this route takes file" in refused(response, "title")
    response = client.post("/jobs", data={"priority": "1"}, files=[("files", ("a.txt", letter, "text/plain"))])
    assert "this route takes files" in refused(response, "priority")
    assert client.get("/documents").json()["total"] == len(stored)
    assert client.get("/jobs").json()["total"] == 0


@pytest.mark.parametrize(("path", "field"), [("/documents", "file"), ("/jobs", "files")])
@pytest.mark.parametrize("how", ["raw", "urlencoded"])
def test_an_upload_not_sent_as_a_form_is_refused_saying_how_to_send_it(client, stored, corpus_dir, path, field, how):
    """The report sent as the request's body (``curl --data-binary @rapport.txt``) or as a form's text
    (``curl -d file=…``) got 422 "Field required" / "Expected UploadFile, received: <class 'str'>" on
    ``body.file``: nothing said that the file goes in a multipart form."""
    report = (corpus_dir / REPORT).read_bytes()[:3000]
    sent = ({"content": report, "headers": {"Content-Type": "text/plain"}} if how == "raw"
            else {"data": {field: report.decode("utf-8")}})
    response = client.post(path, **sent)
    assert response.status_code == 415, response.text
    error = response.json()["error"]
    assert error["code"] == "not_multipart"
    assert "multipart/form-data" in error["message"] and f"-F {field}=@" in error["message"]
    assert client.get("/documents").json()["total"] == len(stored)


@pytest.mark.parametrize(("name", "value", "said"), [("organism", "Logidia Habitat", "GET /organisms"),
                                                     ("organism", "Coop Ivry Habitat", "LOGIDIA"),
                                                     ("document_id", "2016-051", "GET /documents")])
def test_a_filter_naming_nothing_stored_is_refused(client, stored, name, value, said):
    """``organism=Coop Ivry Habitat`` (the letter writes "Coop'lvry Habitat") or a report number given as
    ``document_id`` answered 200 with no passage, as if the reports said nothing of the subject. Names are matched
    as before (any case); one no stored document has is refused, saying where the names are listed."""
    message = refused(client.get("/search", params={"q": "vacance", name: value}), name)
    assert value in message and said in message
    chat = client.post("/chat", json={"messages": [{"role": "user", "content": "vacance"}], "filters": {name: value}})
    assert chat.status_code == 422 and chat.json()["error"]["detail"][0]["loc"][:3] == ["body", "filters", name]
    found = client.get("/search", params=[("q", "vacance"), ("organism", "logidia"), ("organism", "LOGIDIA"),
                                          ("document_id", stored[REPORT])]).json()["results"]
    assert found and {r["organism"] for r in found} == {"LOGIDIA"}


@pytest.mark.parametrize("q", ["créances impayées", "réponse de l'organisme sur les impayés"])
def test_a_query_with_decomposed_accents_is_searched_as_typed_composed(client, stored, q):
    """Text pasted from a PDF or typed on a Mac may write "é" as "e" + U+0301 (NFD). The analyser composed it, but
    the typo rule cut the word at the accent: "créances" was read as "cr" and "ances", no passage holds "ances",
    and "annes" was searched with it ("réponse": "ponse" searched as "pose"), a different answer to the same words."""
    composed, decomposed = (client.get("/search", params={"q": unicodedata.normalize(form, q)}).json()
                            for form in ("NFC", "NFD"))
    assert decomposed["corrections"] == composed["corrections"] == []
    assert [r["id"] for r in decomposed["results"]] == [r["id"] for r in composed["results"]]
    assert decomposed["query"] == q


def test_an_organism_filter_with_decomposed_accents_names_the_stored_organism(client, stored, corpus_dir):
    """``organism=Le Toit Forézien`` with "é" as "e" + U+0301 was refused: "No stored document names the organism
    'Le Toit Forézien'; GET /organisms lists them: …, Le Toit Forézien", the two names alike on screen."""
    toit = "004_964ee9d999fa8f65.txt"
    assert client.post("/documents", files={"file": (toit, (corpus_dir / toit).read_bytes(), "text/plain")}
                       ).status_code == 201
    name = unicodedata.normalize("NFD", "Le Toit Forézien")
    found = client.get("/search", params={"q": "vacance commerciale", "organism": name})
    assert found.status_code == 200, found.text
    assert {r["organism"] for r in found.json()["results"]} == {"Le Toit Forézien"}
    chat = client.post("/chat", json={"messages": [{"role": "user", "content": "Que dit le contrôle sur la vacance ?"}],
                                      "filters": {"organism": [name]}})
    assert chat.status_code == 200, chat.text
    assert {c["organism"] for c in chat.json()["citations"]} == {"Le Toit Forézien"}
