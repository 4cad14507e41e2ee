"""The document endpoints through HTTP, on real report text."""

import logging
import unicodedata

import pytest

from officegen import PageBreak, Para, corpus_parts, heavy_docx, make_docx
from pdfgen import corpus_paragraphs, make_pdf

from ancols_nlp.pipelines import process

TOIT = "004_964ee9d999fa8f65.txt"


@pytest.fixture(scope="module")
def uploaded(client, corpus_dir):
    data = (corpus_dir / TOIT).read_bytes()
    response = client.post("/documents", files={"file": (TOIT, data, "text/plain")})
    assert response.status_code == 201, response.text
    return response.json(), data.decode("utf-8")


def test_text_upload_keeps_the_text_unchanged(client, uploaded):
    created, original = uploaded
    body = client.get(f"/documents/{created['id']}/text").json()
    assert body["text"] == original


def test_segment_offsets_index_the_uploaded_text(client, uploaded):
    created, original = uploaded
    segments = client.get(f"/documents/{created['id']}/segments", params={"limit": 100000}).json()["segments"]
    assert len(segments) == created["segment_count"] > 100
    for s in segments:
        assert original[s["start"]:s["end"]] == s["text"]
    kinds = {s["kind"] for s in segments}
    assert {"observation", "recommendation", "other"} <= kinds
    amiante = next(s for s in segments if "prescriptions concernant l'amiante" in s["text"])
    assert amiante["kind"] == "recommendation"


def test_document_metadata(client, uploaded):
    created, _ = uploaded
    doc = client.get(f"/documents/{created['id']}").json()
    assert doc["meta"]["doc_type"] == "report"
    assert doc["meta"]["report_number"] == "2017-101"
    assert {k: doc["meta"][k] for k in ("legal_form", "department_code", "department", "date", "control_period")} == {
        "legal_form": "coopérative d'HLM", "department_code": "42", "department": "Loire", "date": "2019-04",
        "control_period": "2013-2017"}
    assert any(s["title"].startswith("SYNTHESE") for s in doc["sections"])
    assert sum(1 for s in doc["sections"] if s["themes"]) > len(doc["sections"]) // 2
    rows = client.get(f"/documents/{created['id']}/indicators").json()["indicators"]
    vacant = next(r for r in rows if r["name"].startswith("Logements vacants au 31/12/2016"))
    assert (vacant["organism"], vacant["regional"], vacant["national"], vacant["year"]) == (
        "6,0%", "3,4%", "3,0%", 2016)
    listing = client.get("/documents").json()
    assert created["id"] in [d["id"] for d in listing["documents"]]


def test_same_bytes_twice_give_the_first_id_without_processing_them_again(client, runtime, uploaded, corpus_dir,
                                                                          monkeypatch):
    """The answer describes what is stored: it named the new upload ("copy.txt") while the document kept the first
    upload's name, which GET /documents/{id} shows."""
    created, _ = uploaded
    monkeypatch.setattr(runtime, "process", lambda *args: pytest.fail("a stored document was processed again"))
    again = client.post("/documents", files={"file": ("copy.txt", (corpus_dir / TOIT).read_bytes(), "text/plain")})
    assert again.status_code == 201 and created["filename"] != "copy.txt"
    assert again.json() == {**created, "duplicate": True}
    assert client.get(f"/documents/{created['id']}").json()["filename"] == created["filename"]


def test_pdf_upload_has_pages_and_clean_text(client, corpus_dir):
    paragraphs = corpus_paragraphs(corpus_dir / "002_6bf2bb461188af34.txt", limit_chars=9000)
    pdf = make_pdf(paragraphs, header="RAPPORT DEFINITIF DE CONTRÔLE N° 2016-051",
                   footer="ANCOLS – Rapport définitif")
    created = client.post("/documents", files={"file": ("logidia.pdf", pdf, "application/pdf")})
    assert created.status_code == 201, created.text
    doc_id = created.json()["id"]
    text = client.get(f"/documents/{doc_id}/text").json()
    assert "RAPPORT DEFINITIF DE CONTRÔLE N° 2016-051" not in text["text"]
    assert len(text["pages"]) >= 2
    segments = client.get(f"/documents/{doc_id}/segments").json()["segments"]
    assert all(s["page"] is not None for s in segments)
    assert max(s["page_end"] for s in segments) == len(text["pages"])


def test_a_sentence_result_gives_its_own_pages_not_its_passages(client, corpus_dir):
    """A sentence of a passage that runs onto the next page said the passage's pages: "p. 1–2" for a sentence printed
    whole on page 1. Each sentence result now names the pages holding its own start and end."""
    paragraphs = corpus_paragraphs(corpus_dir / "001_d290a1a4feb3bef7.txt", limit_chars=20_000)
    pdf = make_pdf(paragraphs, header="Rapport de contrôle n°2016-047", footer="ANCOLS – Rapport définitif")
    doc_id = client.post("/documents", files={"file": ("espace-domicile.pdf", pdf, "application/pdf")}).json()["id"]
    pages = client.get(f"/documents/{doc_id}/text").json()["pages"]

    def page_at(offset):
        return next(p["number"] for p in pages if offset < p["end"])

    results = [r for q in ("commande publique", "logements attributions", "conseil d'administration")
               for r in client.get("/search", params={"q": q, "k": 100, "document_id": doc_id}).json()["results"]]
    across = [r for r in results if r["passage_text"] is not None and page_at(r["passage_start"]) != page_at(
        r["passage_end"] - 1)]
    assert any(page_at(r["start"]) == page_at(r["end"] - 1) for r in across)  # a sentence on one page of two
    for r in results:
        assert (r["page"], r["page_end"]) == (page_at(r["start"]), page_at(r["end"] - 1)), r["text"]


def test_docx_upload_has_kinds_sections_and_pages(client, corpus_dir):
    """A Word report through the API: its heading styles become the outline, its page breaks the pages, its running
    header stays out of the text."""
    parts = corpus_parts(corpus_dir / TOIT, limit_chars=60_000)
    parts[len(parts) // 2:len(parts) // 2] = [PageBreak()]
    docx = make_docx(parts, header="Le Toit Forézien – Rapport de contrôle 2017", footer="ANCOLS")
    created = client.post("/documents", files={"file": ("toit.docx", docx, "application/octet-stream")})
    assert created.status_code == 201, created.text
    doc_id = created.json()["id"]
    doc = client.get(f"/documents/{doc_id}").json()
    assert doc["media_type"].endswith("wordprocessingml.document")
    assert any(s["title"].startswith("SYNTHESE") for s in doc["sections"]) and len(doc["sections"]) > 10
    text = client.get(f"/documents/{doc_id}/text").json()
    assert len(text["pages"]) == 2 and "Rapport de contrôle 2017" not in text["text"]
    segments = client.get(f"/documents/{doc_id}/segments", params={"limit": 100000}).json()["segments"]
    assert {"observation", "recommendation", "other"} <= {s["kind"] for s in segments}
    assert {s["page"] for s in segments} == {1, 2}
    amiante = next(s for s in segments if "prescriptions concernant l'amiante" in s["text"])
    assert amiante["kind"] == "recommendation" and amiante["section_path"]


def test_delete_removes_the_document_everywhere(client, corpus_dir):
    data = (corpus_dir / "000_ad04bc466fc4cae0.txt").read_bytes()
    doc_id = client.post("/documents", files={"file": ("reply.txt", data, "text/plain")}).json()["id"]
    query = {"q": "Coop'lvry Habitat conseil d'administration", "k": 50}
    assert doc_id in {r["document_id"] for r in client.get("/search", params=query).json()["results"]}
    assert client.delete(f"/documents/{doc_id}").status_code == 204
    assert client.get(f"/documents/{doc_id}").status_code == 404
    assert doc_id not in {r["document_id"] for r in client.get("/search", params=query).json()["results"]}
    assert client.delete(f"/documents/{doc_id}").json()["error"]["code"] == "not_found"


def test_an_uploaded_name_is_stored_and_shown_as_a_readable_base_name(client):
    """A name sent with folders, a terminal escape, accents as combining marks and 600 characters: it was stored
    and listed as sent. It is its base name, composed, without controls, cut with its extension kept (which the
    upload is read by)."""
    data = "Le conseil d'administration n'a pas délibéré sur les loyers de la résidence des Tilleuls.".encode()
    sent = "../../srv/" + unicodedata.normalize("NFD", "réponse contrôle\x1b[2J ") * 30 + ".txt"
    response = client.post("/documents", files={"file": (sent, data, "text/plain")})
    assert response.status_code == 201, response.text
    try:
        name = response.json()["filename"]
        assert client.get(f"/documents/{response.json()['id']}").json()["filename"] == name
        assert name.startswith("réponse contrôle[2J réponse") and name.endswith(".txt") and len(name) <= 255
        assert name == unicodedata.normalize("NFC", name) and "/" not in name and "\x1b" not in name
    finally:
        client.delete(f"/documents/{response.json()['id']}")


@pytest.mark.parametrize("name, data, status, code", [
    ("empty.txt", b"", 422, "empty_document"),
    ("notes.md", "---\ntitle: Rapport définitif de contrôle n° 2016-047\n---\n\n".encode(), 422, "empty_document"),
    ("fake.pdf", b"this is not a pdf at all", 422, "unreadable_pdf"),
    ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, 415, "unsupported_type"),
    ("archive.zip", b"PK\x03\x04" + b"\x00" * 64, 415, "unsupported_type"),
    ("rapport.docx", b"PK\x03\x04" + b"\x00" * 64, 422, "unreadable_office"),
    ("rapport.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, 415, "unsupported_type"),
    ("binary.txt", bytes(range(256)) * 8, 415, "unsupported_type"),
])
def test_bad_uploads_get_a_clear_4xx(client, name, data, status, code):
    response = client.post("/documents", files={"file": (name, data, "application/octet-stream")})
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


def test_upload_over_the_size_limit_is_refused(client):
    response = client.post("/documents", files={"file": ("big.txt", b"a" * (3 * 1024 * 1024), "text/plain")})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_nul_bytes_in_a_text_or_an_id_are_kept_or_not_found_never_a_500(client):
    # One stray NUL, under the share of control bytes that marks a file as binary.
    text = ("La société doit réduire la vacance\x00 de ses logements, qui atteint 6,3 % à la fin de "
            "l'exercice.\n\n"
            + "Le conseil d'administration s'est réuni quatre fois par an sur la période contrôlée.\n\n" * 2)
    response = client.post("/documents", files={"file": ("nul.txt", text.encode(), "text/plain")})
    assert response.status_code == 201
    doc_id = response.json()["id"]
    assert client.get(f"/documents/{doc_id}/text").json()["text"] == text
    assert client.get(f"/documents/{doc_id}/segments").json()["segments"][0]["text"].startswith("La société")
    found = client.get("/search", params={"q": "réduire la vacance", "document_id": doc_id}).json()["results"]
    assert found and found[0]["document_id"] == doc_id
    assert client.get("/search", params={"q": "vacance", "organism": "\x00"}).status_code == 422  # no such organism
    assert client.get("/search", params={"q": "vacance", "theme": "\x00"}).status_code == 422
    assert client.get("/documents/a%00b").status_code == 404
    assert client.delete("/documents/a%00b").status_code == 404
    assert client.delete(f"/documents/{doc_id}").status_code == 204


def test_latin1_text_is_decoded(client):
    text = "La société doit réduire la vacance de ses logements, qui atteint 6,3 % à la fin de l'exercice."
    response = client.post("/documents", files={"file": ("latin1.txt", text.encode("cp1252"), "text/plain")})
    assert response.status_code == 201
    body = client.get(f"/documents/{response.json()['id']}/text").json()
    assert body["text"] == text


@pytest.fixture(scope="module")
def report_paragraphs(corpus_dir):
    return corpus_paragraphs(corpus_dir / "001_d290a1a4feb3bef7.txt", limit_chars=3000)


@pytest.fixture(scope="module")
def other_report_paragraphs(corpus_dir):
    return corpus_paragraphs(corpus_dir / "003_12d7f4ee594b802f.txt", limit_chars=3000)


def test_hostile_or_unreadable_pdfs_get_a_clear_422(client, report_paragraphs):
    from pdfgen import encrypted_pdf, scanned_pdf, truncated_pdf

    cases = {
        "encrypted.pdf": (encrypted_pdf(report_paragraphs), "encrypted_pdf"),
        "scan.pdf": (scanned_pdf(), "no_text_layer"),
        "truncated.pdf": (truncated_pdf(make_pdf(report_paragraphs, header="H", footer="F")), "unreadable_pdf"),
    }
    for name, (data, code) in cases.items():
        response = client.post("/documents", files={"file": (name, data, "application/pdf")})
        assert response.status_code == 422, (name, response.text)
        assert response.json()["error"]["code"] == code, name
    assert "scanned" in client.post(
        "/documents", files={"file": ("scan.pdf", scanned_pdf(), "application/pdf")}).json()["error"]["message"]


def test_a_scanned_report_is_read_by_ocr_and_its_pages_say_so(client, report_paragraphs):
    """The report's first pages printed, then each page turned into a 200 dpi image with no text layer."""
    from pdfgen import rasterised_pdf, render_pdf

    printed = render_pdf(report_paragraphs, header="ANCOLS – exemplaire numérisé", footer="Espace Domicile – copie")
    response = client.post("/documents", files={"file": ("scan.pdf", rasterised_pdf(printed.data), "application/pdf")})
    assert response.status_code == 201, response.text
    created = response.json()
    body = client.get(f"/documents/{created['id']}/text").json()
    assert [page["ocr"] for page in body["pages"]] == [True] * printed.page_count
    assert "propriétaire, au" in body["text"] and "numérisé" not in body["text"] and "copie" not in body["text"]
    doc = client.get(f"/documents/{created['id']}").json()
    assert {f["kind"] for f in doc["furniture"]} == {"header", "footer", "page_number"}
    segments = client.get(f"/documents/{created['id']}/segments").json()["segments"]
    assert len(segments) == created["segment_count"] > 5
    assert all(body["text"][s["start"]:s["end"]] == s["text"] for s in segments)


def test_a_scanned_page_left_unread_is_marked_and_the_upload_warned(runtime, client, report_paragraphs,
                                                                   other_report_paragraphs, caplog):
    """OCR off: the report is stored from its text pages; its scanned page 2 is missing, and the answer, the pages,
    the log and a second upload of the same bytes all say so. OCR on: the same page is read, nothing to warn of."""
    from pdfgen import rasterised_pdf, render_pdf

    printed = render_pdf(report_paragraphs, header="ANCOLS – annexe numérisée", footer="Espace Domicile")
    assert printed.page_count >= 2
    mixed = rasterised_pdf(printed.data, only={2})
    runtime.settings.ocr = False
    try:
        with caplog.at_level(logging.WARNING, logger="ancols.ingest"):
            response = client.post("/documents", files={"file": ("annexe.pdf", mixed, "application/pdf")})
            again = client.post("/documents", files={"file": ("annexe.pdf", mixed, "application/pdf")}).json()
    finally:
        runtime.settings.ocr = True
    assert response.status_code == 201, response.text
    created = response.json()
    [warning] = created["warnings"]
    assert warning["code"] == "unread_scanned_pages" and warning["pages"] == [2] and "ANCOLS_OCR" in warning["message"]
    assert again["duplicate"] and again["warnings"] == created["warnings"]
    assert f"annexe.pdf ({created['id']}): Page 2 is scanned" in caplog.text
    assert [r.levelname for r in caplog.records if "Page 2 is scanned" in r.message] == ["WARNING"] * 2
    text = client.get(f"/documents/{created['id']}/text").json()
    pages = client.get(f"/documents/{created['id']}").json()["pages"]
    assert text["pages"] == pages and len(pages) == printed.page_count
    assert [p["unread"] for p in pages] == ["ocr_off" if p["number"] == 2 else None for p in pages]
    assert pages[1]["start"] == pages[1]["end"] and all(p["start"] < p["end"] for p in pages if p["number"] != 2)

    # another report: a copy of this one would be refused as the same report (near_duplicate), OCR or not
    other = render_pdf(other_report_paragraphs, header="ANCOLS – annexe numérisée", footer="Lozère Habitations")
    read = client.post("/documents", files={"file": ("annexe-2.pdf", rasterised_pdf(other.data, only={1}),
                                                     "application/pdf")})
    assert read.status_code == 201, read.text
    assert read.json()["warnings"] == []
    pages = client.get(f"/documents/{read.json()['id']}").json()["pages"]
    assert [(p["ocr"], p["unread"]) for p in pages] == [(p["number"] == 1, None) for p in pages]


def test_a_text_whose_paragraph_is_past_the_sentence_splitters_reach_gets_a_clear_422(client, corpus_dir):
    """A .txt exported without line breaks (here 1.2 million characters of a report on one line, within the upload
    limit) reached spaCy's 1,000,000-character limit inside the sentence splitter: a 500. Now a 422 that says why,
    and nothing is stored. (A report the module stores already, 001 as scan.pdf, is answered as stored before it is
    split: another one.)"""
    before = client.get("/documents").json()["total"]
    line = " ".join(corpus_paragraphs(corpus_dir / "002_6bf2bb461188af34.txt", limit_chars=3000))
    data = (line * (1_200_000 // len(line) + 1)).encode()
    response = client.post("/documents", files={"file": ("one-line.txt", data, "text/plain")})
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "paragraph_too_long" and "line break" in error["message"]
    assert client.get("/documents").json()["total"] == before


def test_a_word_file_past_the_reader_deadline_is_refused_and_the_service_answers_the_next(runtime, client):
    """The Word reader runs in the PDF reader's child process, under its deadline: a file within the zip caps that
    would hold the service for seconds is a clear 422, and the next upload is read."""
    limit = runtime.settings.max_pdf_seconds
    runtime.settings.max_pdf_seconds = 0.5
    try:
        response = client.post("/documents", files={"file": ("lourd.docx", heavy_docx(), "application/octet-stream")})
        after = client.post("/documents", files={"file": ("court.docx", make_docx([Para(
            "Le taux de vacance atteint 6,3 % à la fin de l'exercice contrôlé.")]), "application/octet-stream")})
    finally:
        runtime.settings.max_pdf_seconds = limit
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "document_too_complex" and "longer than" in response.text
    assert after.status_code == 201, after.text
    assert client.delete(f"/documents/{after.json()['id']}").status_code == 204


def test_too_many_pages_is_refused(runtime, client, report_paragraphs):
    pdf = make_pdf(report_paragraphs * 6, header="H", footer="F")
    limit = runtime.settings.max_pdf_pages
    runtime.settings.max_pdf_pages = 2
    try:
        response = client.post("/documents", files={"file": ("long.pdf", pdf, "application/pdf")})
    finally:
        runtime.settings.max_pdf_pages = limit
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_many_pages"


def unexpected(*args, **kwargs):
    raise AssertionError("a duplicate upload went through the pipeline")


def test_the_same_report_uploaded_as_pdf_and_as_docx_is_stored_once(client, corpus_dir, monkeypatch):
    """Report 002 uploaded as a PDF, then as a .docx: the texts differ a little (the PDF's pages, the Word
    paragraphs), and both were stored, so every passage came twice in a search. The second upload is answered as a
    duplicate of the first (its id and name), with a warning saying which stored document it repeats, once its text
    is read: its layout is never analysed nor its sentences classified (minutes for a long report)."""
    report = corpus_dir / "002_6bf2bb461188af34.txt"
    pdf = make_pdf(corpus_paragraphs(report, limit_chars=10**7), header="LOGIDIA – Rapport", footer="ANCOLS")
    first = client.post("/documents", files={"file": ("logidia.pdf", pdf, "application/pdf")})
    assert first.status_code == 201 and not first.json()["duplicate"], first.text
    try:
        total = client.get("/documents").json()["total"]
        docx = make_docx(corpus_parts(report))
        monkeypatch.setattr(process.layout, "blocks", unexpected)
        again = client.post("/documents", files={"file": ("logidia.docx", docx, "application/octet-stream")})
        assert again.status_code == 201, again.text
        body = again.json()
        assert body["duplicate"] and (body["id"], body["filename"]) == (first.json()["id"], "logidia.pdf")
        [warning] = [w for w in body["warnings"] if w["code"] == "near_duplicate"]
        assert first.json()["id"] in warning["message"] and "2016-051" in warning["message"]
        assert client.get("/documents").json()["total"] == total
    finally:
        assert client.delete(f"/documents/{first.json()['id']}").status_code == 204


def test_a_reply_letter_uploaded_as_text_and_as_docx_is_stored_once(client, corpus_dir):
    """Reply letter 000 names no report number, so its .txt and its .docx (the same words) were both stored: a
    document naming none is looked up by its date (the letter's day), then compared as a report is."""
    letter = corpus_dir / "000_ad04bc466fc4cae0.txt"
    first = client.post("/documents", files={"file": ("reponse.txt", letter.read_bytes(), "text/plain")})
    assert first.status_code == 201 and not first.json()["duplicate"], first.text
    try:
        again = client.post("/documents", files={"file": ("reponse.docx", make_docx(corpus_parts(letter)),
                                                          "application/octet-stream")}).json()
        assert again["duplicate"] and again["id"] == first.json()["id"]
        [warning] = again["warnings"]
        assert warning["code"] == "near_duplicate" and "dated 2024-12-20" in warning["message"]
    finally:
        assert client.delete(f"/documents/{first.json()['id']}").status_code == 204
