"""Scanned report pages read by Tesseract: real corpus text printed as a report, each page turned into an image
as a scanner would, then read back through the pipeline and compared with the text-layer reading of the same PDF.

Tesseract missing is a failure, not a skip: CI installs it (.ci/run), and so does the README's install.
"""

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from cer import char_error_rate
from pdfgen import corpus_paragraphs, rasterised_pdf, render_pdf, with_blank_scan

from ancols_nlp.pipelines import layout
from ancols_nlp.pipelines.errors import NoTextLayer, OcrFailed, PdfTooComplex
from ancols_nlp.pipelines.ocr import Ocr
from ancols_nlp.pipelines.pdf_text import extract_pdf
from ancols_nlp.pipelines.sandbox import Limits, extract_pdf_bounded, ocr_progress
from ancols_nlp.pipelines.sections import outline
from ancols_nlp.pipelines.unread import unread_warnings

REPORT = "003_12d7f4ee594b802f.txt"  # opens on numbered headings: 1. PRÉAMBULE, 2.1 CONTEXTE…, 2.2.1 Gouvernance
HEADER = "ANCOLS – Rapport définitif de contrôle n° 2014-098"
FOOTER = "SA d'HLM Lozère Habitations – Rapport définitif"
MAX_CER = 0.01  # measured 0.00055 on these 4 pages (0.0004-0.0008 a page) scanned at 200 dpi; BENCHMARKS.md, OCR


@pytest.fixture(scope="module")
def tesseract():
    if shutil.which("tesseract") is None or "fra" not in subprocess.run(
            ["tesseract", "--list-langs"], capture_output=True, text=True).stdout.split():
        pytest.fail("tesseract with its French data is missing: apt-get install tesseract-ocr tesseract-ocr-fra "
                    "(see .ci/run)")
    return Ocr()


@pytest.fixture(scope="module")
def printed(corpus_dir):
    return render_pdf(corpus_paragraphs(corpus_dir / REPORT, 9000), header=HEADER, footer=FOOTER)


@pytest.fixture(scope="module")
def text_layer(printed):
    return extract_pdf(printed.data, max_pages=20)


@pytest.fixture(scope="module")
def scan(printed):
    return rasterised_pdf(printed.data, dpi=200)


@pytest.fixture(scope="module")
def read(scan, tesseract):
    return extract_pdf(scan, max_pages=20, ocr=tesseract)


def page_texts(source):
    return [source.text[page.start:page.end] for page in source.pages]


def test_a_scanned_report_reads_as_its_text_layer_does(printed, text_layer, read):
    assert printed.page_count >= 3
    assert [page.ocr for page in read.pages] == [True] * printed.page_count
    assert not any(page.ocr for page in text_layer.pages)
    assert char_error_rate(text_layer.text, read.text) < MAX_CER
    for expected, got in zip(page_texts(text_layer), page_texts(read)):
        assert char_error_rate(expected, got) < MAX_CER * 3  # no page is lost or swapped


def test_scanned_headers_footers_and_page_numbers_are_set_aside(printed, read):
    kinds = {(f.page, f.kind) for f in read.furniture}
    pages = range(1, printed.page_count + 1)
    assert kinds == {(n, kind) for n in pages for kind in ("header", "footer", "page_number")}
    numbers = [f.text.replace(" ", "") for f in read.furniture if f.kind == "page_number"]
    assert numbers == [f"Page{n}/{printed.page_count}" for n in range(1, printed.page_count + 1)]
    for word in ("Lozère Habitations – Rapport définitif", "Page 2"):
        assert word not in read.text


def test_numbered_headings_of_a_scan_open_the_same_sections(text_layer, read):
    def numbered(source):
        sections = outline(source.text, layout.blocks(source.text))
        return [(s.title.split()[0], s.level) for s in sections if s.title[0].isdigit()]

    expected = numbered(text_layer)
    assert {("1.", 1), ("2.", 1), ("2.1", 2), ("2.2", 2)} <= set(expected)
    assert numbered(read) == expected


def test_a_scanned_page_among_text_pages_is_read_alone(printed, text_layer, tesseract):
    mixed = extract_pdf(rasterised_pdf(printed.data, dpi=200, only={2}), max_pages=20, ocr=tesseract)
    assert [page.ocr for page in mixed.pages] == [n == 2 for n in range(1, printed.page_count + 1)]
    expected, got = page_texts(text_layer), page_texts(mixed)
    assert got[0] == expected[0] and got[2:] == expected[2:]
    assert char_error_rate(expected[1], got[1]) < MAX_CER * 3
    assert {f.kind for f in mixed.furniture if f.page == 2} == {"header", "footer", "page_number"}
    assert not any(page.unread for page in mixed.pages) and unread_warnings(mixed.pages) == ()


@pytest.mark.parametrize("ocr, why", [(Ocr(enabled=False), "ocr_off"), (None, "ocr_off"), (Ocr(), "ocr_unavailable")])
def test_a_scanned_page_left_unread_keeps_an_empty_span_saying_why(printed, text_layer, ocr, why, monkeypatch,
                                                                   tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no Tesseract: OCR on then cannot run
    mixed = extract_pdf(rasterised_pdf(printed.data, dpi=200, only={2}), max_pages=20, ocr=ocr)
    assert [page.unread for page in mixed.pages] == [why if n == 2 else None for n in range(1, printed.page_count + 1)]
    expected, got = page_texts(text_layer), page_texts(mixed)
    assert got[1] == "" and got[0] == expected[0] and got[2:] == expected[2:]
    [warning] = unread_warnings(mixed.pages)
    assert (warning.code, warning.pages) == ("unread_scanned_pages", (2,))
    assert "Page 2 is scanned and not read" in warning.message
    assert ("ANCOLS_OCR" if why == "ocr_off" else "apt-get install tesseract-ocr") in warning.message


def test_running_headers_are_found_on_the_pages_left_when_scans_go_unread(printed, text_layer):
    """Two of four pages unread: the header printed on the other two is furniture, as on every page it could be."""
    mixed = extract_pdf(rasterised_pdf(printed.data, dpi=200, only={2, 3}), max_pages=20, ocr=Ocr(enabled=False))
    assert {(f.page, f.kind) for f in mixed.furniture} == {(n, kind) for n in (1, 4)
                                                           for kind in ("header", "footer", "page_number")}
    assert HEADER not in mixed.text and FOOTER not in mixed.text
    assert page_texts(mixed) == [page_texts(text_layer)[0], "", "", page_texts(text_layer)[3]]
    assert [warning.pages for warning in unread_warnings(mixed.pages)] == [(2, 3)]


def test_a_blank_scanned_page_that_ocr_reads_nothing_on_is_marked(printed, text_layer, tesseract):
    """A scanned sheet with nothing printed on it (the back of a page): OCR runs, reads no line."""
    mixed = extract_pdf(with_blank_scan(printed.data, at=3), max_pages=20, ocr=tesseract)
    assert [(page.ocr, page.unread) for page in mixed.pages][2] == (True, "ocr_empty")
    assert [page.number for page in mixed.pages if page.unread] == [3]
    assert page_texts(mixed)[2] == "" and page_texts(mixed)[3:] == page_texts(text_layer)[2:]
    [warning] = unread_warnings(mixed.pages)
    assert warning.pages == (3,) and "OCR read no text" in warning.message


def test_a_sheet_scanned_sideways_and_shown_upright_reads_as_shown(printed, text_layer, tesseract):
    turned = extract_pdf(rasterised_pdf(printed.data, dpi=200, sideways=True), max_pages=20, ocr=tesseract)
    assert char_error_rate(text_layer.text, turned.text) < MAX_CER
    assert {f.kind for f in turned.furniture if f.page == 2} == {"header", "footer", "page_number"}


def test_without_ocr_a_scan_is_refused_saying_how_to_enable_it(scan, monkeypatch, tmp_path):
    with pytest.raises(NoTextLayer, match="ANCOLS_OCR"):
        extract_pdf(scan, max_pages=20)
    with pytest.raises(NoTextLayer, match="tesseract-ocr-fra"):
        extract_pdf(scan, max_pages=20, ocr=Ocr(enabled=False))
    monkeypatch.setenv("PATH", str(tmp_path))  # Tesseract not installed: OCR is on, so not said to be off
    with pytest.raises(NoTextLayer, match="scanned.*Tesseract is not installed") as refused:
        extract_pdf(scan, max_pages=20, ocr=Ocr())
    assert "OCR is off" not in str(refused.value)


def test_ocr_gets_time_per_scanned_page_in_the_sandbox(printed, scan, read, tesseract):
    """One second would not read one page; the allowance of the pages announced by the reader does. Each page
    is told to ``ocr_progress`` before it is read."""
    told = []
    progress = ocr_progress.set(lambda done, pages: told.append((done, pages)))
    try:
        bounded = extract_pdf_bounded(scan, max_pages=20, limits=Limits(seconds=1.0, ocr=tesseract))
    finally:
        ocr_progress.reset(progress)
    assert bounded.text == read.text and bounded.pages == read.pages
    assert told == [(done, printed.page_count) for done in range(printed.page_count)]


def test_tesseract_dies_with_the_sandbox_stopped_at_its_deadline(scan):
    """At 600 dpi a page keeps Tesseract busy well past the reader's deadline: it must not outlive the reader."""
    ocr = Ocr(language="eng+fra", dpi=600, max_seconds=0.1)  # a language list of its own tells this Tesseract
    with pytest.raises(PdfTooComplex, match="longer than 3.1 s"):
        extract_pdf_bounded(scan, max_pages=20, limits=Limits(seconds=3.0, ocr=ocr))
    for _ in range(10):  # killed with the reader, it is gone at once; a second for its exit to be reaped
        if not _tesseracts(ocr.language):
            break
        time.sleep(0.1)
    assert not _tesseracts(ocr.language)


def test_tesseract_is_killed_past_its_page_allowance(scan):
    ocr = Ocr(language="fra+eng", page_seconds=0.2)
    with pytest.raises(OcrFailed, match="longer than 0.2 s"):
        extract_pdf(scan, max_pages=20, ocr=ocr)
    assert not _tesseracts(ocr.language)


def _tesseracts(language: str) -> set[int]:
    """Ids of the Tesseract processes running on the machine with this language argument."""
    found = set()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            args = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if args[0].endswith(b"tesseract") and language.encode() in args:
            found.add(int(cmdline.parent.name))
    return found


def test_language_data_not_installed_is_named_with_its_remedy(scan):
    """Debian's tesseract-ocr brings English only: without tesseract-ocr-fra every scan failed with Tesseract's last
    line, "OCR failed on a scanned page (Could not initialize tesseract.)", naming neither the language nor a fix."""
    with pytest.raises(OcrFailed) as failed:
        extract_pdf(scan, max_pages=20, ocr=Ocr(language="xyz"))
    message = str(failed.value)
    assert "'xyz'" in message and "tesseract-ocr-xyz" in message and "ANCOLS_OCR_LANGUAGE" in message
