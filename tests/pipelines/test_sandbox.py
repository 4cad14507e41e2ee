"""Hostile PDFs and Office files are stopped at the limits with a clear error, and the caller survives."""

import zlib

import pytest

from officegen import Para, heavy_docx, make_docx
from pdfgen import corpus_paragraphs, make_pdf
from ancols_nlp.pipelines.errors import DocumentTooComplex, PdfTooComplex
from ancols_nlp.pipelines.extract import extract
from ancols_nlp.pipelines.sandbox import Limits, extract_pdf_bounded


def bomb_pdf(inflated_mb: int) -> bytes:
    """A one-page PDF whose content stream inflates from a few hundred KB to ``inflated_mb`` MB."""
    packer = zlib.compressobj(9)
    chunk = b"BT /F1 12 Tf 72 712 Td (vacance) Tj ET\n" * 25_000  # ~1 MB of drawing operators
    stream = b"".join(packer.compress(chunk) for _ in range(inflated_mb)) + packer.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def test_a_normal_pdf_reads_the_same_in_the_sandbox(corpus_dir):
    pdf = make_pdf(corpus_paragraphs(corpus_dir / "001_d290a1a4feb3bef7.txt", limit_chars=6000),
                   header="Rapport définitif de contrôle n°2016-047", footer="ANCOLS")
    source = extract_pdf_bounded(pdf, max_pages=50, limits=Limits())
    assert "Espace Domicile" in source.text and len(source.pages) >= 2


def test_a_decompression_bomb_is_stopped_by_the_memory_cap():
    pdf = bomb_pdf(inflated_mb=400)
    assert len(pdf) < 3_000_000
    with pytest.raises(PdfTooComplex):
        extract_pdf_bounded(pdf, max_pages=50, limits=Limits(seconds=60, memory_mb=300))


def test_a_slow_pdf_is_stopped_at_the_deadline():
    with pytest.raises(PdfTooComplex, match="longer than"):
        extract_pdf_bounded(bomb_pdf(inflated_mb=60), max_pages=50, limits=Limits(seconds=0.5, memory_mb=4096))


def test_a_word_file_past_the_memory_cap_is_stopped_and_the_next_one_reads():
    with pytest.raises(DocumentTooComplex, match="memory"):
        extract(heavy_docx(), "rapport.docx", max_pages=50, limits=Limits(seconds=60, memory_mb=300))
    source = extract(make_docx([Para("Le taux de vacance atteint 6,3 %.")]), "rapport.docx", max_pages=50,
                     limits=Limits(seconds=60, memory_mb=300))
    assert source.text.strip() == "Le taux de vacance atteint 6,3 %."


def test_a_slow_word_file_is_stopped_at_the_deadline():
    with pytest.raises(DocumentTooComplex, match="longer than 0.5 s"):
        extract(heavy_docx(), "rapport.docx", max_pages=50, limits=Limits(seconds=0.5, memory_mb=4096))
