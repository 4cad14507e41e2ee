"""extract() on text uploads of odd shapes, made from real report text: no words at all, encodings."""

from __future__ import annotations

import pytest

from ancols_nlp.pipelines.errors import EmptyDocument
from ancols_nlp.pipelines.extract import extract


@pytest.fixture(scope="module")
def report(corpus_dir) -> str:
    """A few paragraphs of report 001, accents and typographic apostrophes included."""
    text = (corpus_dir / "001_d290a1a4feb3bef7.txt").read_text(encoding="utf-8")
    return "\n\n".join(p for p in text.split("\n\n") if len(p) > 200)[:4000]


@pytest.mark.parametrize("data", [
    pytest.param(b"\xef\xbb\xbf", id="byte-order-mark"),
    pytest.param("\u00a0\u00a0\n\u200b\n".encode(), id="no-break-and-zero-width-spaces"),
    pytest.param(b"-----\n*****\n", id="rules"),
    pytest.param(b"<html><body><p>\xe2\x80\x8b</p></body></html>", id="html-of-a-zero-width-space"),
])
def test_a_text_without_a_letter_or_a_digit_is_an_empty_document(data):
    """Stored, each became a document of no passage, or of passages holding nothing but spaces or dashes."""
    name = "page.html" if data.startswith(b"<html") else "notes.txt"
    with pytest.raises(EmptyDocument):
        extract(data, name, max_pages=10)


def test_one_line_of_report_text_is_kept(report):
    line = report.splitlines()[0]
    assert extract(line.encode(), "ligne.txt", max_pages=10).text == line


def test_a_utf8_text_with_a_windows_1252_line_keeps_its_utf8_accents(report):
    """A report pasted together from two exports: one line written as Windows-1252. Read whole as Windows-1252,
    every accent of the UTF-8 part came out as two characters ("sociÃ©tÃ©") and no accented word was found."""
    added = "\n\nObservation ajoutée : la société a réalisé des économies.\n"
    text = extract(report.encode() + added.encode("cp1252"), "rapport.txt", max_pages=10).text
    assert text == report + added


def test_a_windows_1252_text_stays_read_as_windows_1252(report):
    """An accented capital before a typographic sign ("É…", bytes C9 85) is also a valid UTF-8 pair: still read as
    written, not as the one character those two bytes make in UTF-8."""
    text = "L'OFFICE A ÉTÉ « CONTRÔLÉ… » " + report.replace("\u2009", " ").replace("\u202f", " ")
    assert extract(text.encode("cp1252", "replace"), "rapport.txt", max_pages=10).text == \
        text.encode("cp1252", "replace").decode("cp1252")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_a_text_saved_as_unicode_by_windows_is_read(report, encoding):
    """Notepad's and Excel's "Unicode" is UTF-16 opening with a byte order mark: it was refused as binary data
    (its every other byte is NUL), with no word of what to do."""
    data = report.encode(encoding)
    if encoding == "utf-16-le":
        data = b"\xff\xfe" + data
    assert extract(data, "rapport.txt", max_pages=10).text == report


def test_binary_data_named_txt_is_refused_saying_what_to_upload(corpus_dir):
    """A report compressed or exported to a binary format and named .txt was refused as "looks like binary data,
    not text." without a word of what would be taken."""
    import gzip

    from ancols_nlp.pipelines.errors import UnsupportedType

    data = gzip.compress((corpus_dir / "004_964ee9d999fa8f65.txt").read_bytes())[10:]  # its magic number gone
    with pytest.raises(UnsupportedType, match=r"binary data.*upload a PDF, \.docx.*UTF-8"):
        extract(data, "rapport.txt", max_pages=10)
