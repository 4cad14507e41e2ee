"""Word, OpenDocument and HTML uploads read directly: structure kept in the layout's shapes, pages where the file
says, furniture aside, and every broken, hostile or foreign archive refused with a clear error."""

import io
import xml.etree.ElementTree as ET
import zipfile

import pytest

from gold import shipped_models
from officegen import W, Heading, Item, PageBreak, Para, Table, corpus_parts, make_docx, make_html, make_odt

from ancols_nlp.pipelines import office_zip
from ancols_nlp.pipelines.errors import (
    EmptyDocument,
    EncryptedOffice,
    OfficeTooLarge,
    UnreadableOffice,
    UnsupportedType,
)
from ancols_nlp.pipelines.extract import extract
from ancols_nlp.pipelines.process import process_text
from ancols_nlp.pipelines.sentences import load_sentencizer

RECOMMENDATION = ("La société doit réduire la vacance de ses logements[[Article L. 442-5 du code de la construction "
                  "et de l'habitation.]], qui atteint 6,3 % à la fin de l'exercice.")
PARTS = [
    Heading("Synthèse"),
    Para("Le conseil d'administration s'est réuni quatre fois par an sur la période contrôlée."),
    Heading("Le patrimoine", 1, numbered=True),
    Heading("La vacance", 2, numbered=True),
    Para(RECOMMENDATION),
    Para("Les logements vacants se répartissent ainsi :"),
    Item("logements en attente de travaux ;"),
    Item("logements proposés à la vente."),
    Table([["Indicateur", "Organisme", "Région"], ["Logements vacants", "6,3 %", "3,4 %"]]),
    PageBreak(),
    Heading("La gestion locative", 1, numbered=True),
    Para("Le taux de rotation annuel s'établit à 10,4 % en 2015,\nen baisse depuis 2012."),
    Heading("2.3 Les loyers", 2),
    Para("Les loyers pratiqués sont inférieurs aux loyers plafonds de 8 % en moyenne."),
]


def read(data: bytes, name: str):
    return extract(data, name, max_pages=100)


def paragraphs(text: str) -> list[str]:
    return text.split("\n\n")


@pytest.mark.parametrize("rendered", [False, True], ids=["explicit breaks", "word layout marks"])
def test_docx_text_takes_the_shapes_the_layout_reads(rendered):
    source = read(make_docx(PARTS, header="Rapport définitif n° 2016-047", footer="ANCOLS", rendered=rendered),
                  "rapport.docx")
    blocks = paragraphs(source.text)
    assert blocks[:3] == ["# Synthèse", PARTS[1].text, "# 1. Le patrimoine"]  # numbers drawn from the style's list
    assert blocks[3] == "## 1.1 La vacance"
    assert blocks[4].startswith("La société doit réduire la vacance de ses logements¹,")
    assert blocks[5] == "¹ Article L. 442-5 du code de la construction et de l'habitation."  # after its caller
    assert blocks[7:9] == ["- logements en attente de travaux ;", "- logements proposés à la vente."]
    assert blocks[9] == "| Indicateur | Organisme | Région |\n| Logements vacants | 6,3 % | 3,4 % |"
    assert blocks[10:12] == ["# 2. La gestion locative",
                             "Le taux de rotation annuel s'établit à 10,4 % en 2015,\nen baisse depuis 2012."]
    assert blocks[12] == "## 2.3 Les loyers"  # a typed number is kept, and no number is drawn for it
    assert "Rapport définitif" not in source.text and "ANCOLS" not in source.text
    assert {(f.kind, f.text) for f in source.furniture} == {("header", "Rapport définitif n° 2016-047 1"),
                                                             ("footer", "ANCOLS 1")}
    second = source.text.index("# 2. La gestion locative")
    assert [(p.number, p.start, p.end) for p in source.pages] == [(1, 0, second), (2, second, len(source.text))]
    assert source.media_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_docx_processed_gets_kinds_sections_notes_and_pages():
    source = read(make_docx(PARTS), "rapport.docx")
    doc = process_text(source, nlp=load_sentencizer(), models=shipped_models())
    by_text = {s.text.split(" ")[0] + " " + s.text.split(" ")[1]: s for s in doc.segments}
    recommendation = by_text["La société"]
    assert recommendation.kind == "recommendation"
    assert recommendation.section_path == ["1. Le patrimoine", "1.1 La vacance"] and recommendation.page_start == 1
    note = by_text["¹ Article"]
    assert note.block == "footnote" and note.kind == "other"
    assert by_text["| Logements"].block == "table_row"
    assert by_text["- logements"].block == "list_item"
    loyers = by_text["Les loyers"]
    assert loyers.section_path == ["2. La gestion locative", "2.3 Les loyers"] and loyers.page_start == 2
    assert [s.title for s in doc.sections] == ["Synthèse", "1. Le patrimoine", "1.1 La vacance",
                                               "2. La gestion locative", "2.3 Les loyers"]


def test_odt_text_headings_notes_and_soft_page_breaks():
    source = read(make_odt(PARTS), "rapport.odt")
    blocks = paragraphs(source.text)
    assert blocks[:4] == ["# Synthèse", PARTS[1].text, "# Le patrimoine", "## La vacance"]
    assert blocks[4].startswith("La société doit réduire la vacance de ses logements¹,")
    assert blocks[5].startswith("¹ Article L. 442-5")
    assert blocks[7] == "- logements en attente de travaux ;"
    assert blocks[9] == "| Indicateur | Organisme | Région |\n| Logements vacants | 6,3 % | 3,4 % |"
    assert blocks[11] == "Le taux de rotation annuel s'établit à 10,4 % en 2015,\nen baisse depuis 2012."
    assert [p.number for p in source.pages] == [1, 2]
    assert source.pages[1].start == source.text.index("# La gestion locative")
    assert [(f.kind, f.text) for f in source.furniture] == [("header", "Rapport définitif")]
    assert "Rapport définitif" not in source.text


def test_html_page_without_the_site_around_it():
    page = make_html(PARTS).replace(b"<p>Les loyers", b"<p>Les loyers &amp; charges&nbsp;: les loyers")
    source = read(page, "rapport.html")
    assert not any(word in source.text for word in ("Accueil", "Mentions", "menu", "margin", "Rapports"))
    blocks = paragraphs(source.text)
    assert blocks[:4] == ["# Synthèse", PARTS[1].text, "# Le patrimoine", "## La vacance"]
    assert blocks[4].startswith("La société doit réduire la vacance de ses logements¹,")
    assert "| Indicateur | Organisme | Région |\n| Logements vacants | 6,3 % | 3,4 % |" in blocks
    assert "Le taux de rotation annuel s'établit à 10,4 % en 2015,\nen baisse depuis 2012." in blocks
    assert "Les loyers & charges\xa0: les loyers pratiqués" in source.text
    assert blocks[-1] == "¹ Article L. 442-5 du code de la construction et de l'habitation."
    assert source.pages == [] and source.media_type == "text/html"  # a web page has no pages


def test_html_is_known_by_its_content_whatever_its_name():
    source = read(b"\xef\xbb\xbf<!DOCTYPE html><html><body><h2>3.1 Les ventes</h2><p>Texte.</p></body></html>",
                  "export")
    assert source.text == "## 3.1 Les ventes\n\nTexte." and source.media_type == "text/html"


def test_a_corpus_report_as_docx_keeps_its_headings_as_the_layout_reads_them(corpus_dir):
    source = read(make_docx(corpus_parts(corpus_dir / "004_964ee9d999fa8f65.txt", limit_chars=40_000)), "toit.docx")
    doc = process_text(source, nlp=load_sentencizer(), models=shipped_models())
    titles = [s.title for s in doc.sections]
    assert any(t.startswith("SYNTHESE") for t in titles) and len(titles) > 10
    assert {"recommendation", "observation", "other"} <= {s.kind for s in doc.segments}


@pytest.mark.parametrize("make, name", [(make_html, "toit.html"), (make_docx, "toit.docx")])
def test_a_corpus_report_whose_file_marks_no_page_has_passages_without_a_page(corpus_dir, make, name):
    """Le Toit Forézien's report saved as a web page, or as a .docx written by a program that lays out no pages:
    every passage was cited "page 1", the 40,000th character as the first. Plain text's way: no page at all."""
    parts = corpus_parts(corpus_dir / "004_964ee9d999fa8f65.txt", limit_chars=40_000)
    source = read(make(parts), name)
    doc = process_text(source, nlp=load_sentencizer(), models=shipped_models())
    assert source.pages == [] and len(doc.segments) > 100
    assert {(s.page_start, s.page_end) for s in doc.segments} == {(None, None)}
    paged = read(make_docx([*parts[:40], PageBreak(), *parts[40:]]), name)  # one break: two pages, numbered
    assert [p.number for p in paged.pages] == [1, 2]


def _zip(files: dict[str, bytes | str]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked():
    bomb = _zip({"word/document.xml": b"<" + b" " * (office_zip.MAX_READ_BYTES + 1)})
    assert len(bomb) < 200_000
    with pytest.raises(OfficeTooLarge):
        read(bomb, "bombe.docx")


def test_a_zip_of_too_many_entries_is_refused():
    many = _zip({f"word/media/{i}.xml": "" for i in range(office_zip.MAX_ENTRIES + 1)})
    with pytest.raises(OfficeTooLarge, match="entries"):
        read(many, "rapport.docx")


def test_entity_expansion_is_refused():
    entities = "".join(f'<!ENTITY e{i} "{f"&e{i - 1};" * 10}">' for i in range(1, 9))
    laughs = f'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY e0 "lol">{entities}]><w>&e8;</w>'
    with pytest.raises(UnreadableOffice, match="DTD"):
        read(_zip({"word/document.xml": laughs}), "rapport.docx")
    with pytest.raises(ET.ParseError, match="amplification"):  # and this Python's expat stops it on its own
        ET.fromstring(laughs)


def test_an_encrypted_zip_is_refused():
    data = bytearray(make_docx(PARTS))
    for signature, flags_at in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.find(signature)
        while at >= 0:
            data[at + flags_at] |= 0x1
            at = data.find(signature, at + 4)
    with pytest.raises(EncryptedOffice):
        read(bytes(data), "rapport.docx")


def test_a_password_protected_odt_is_refused():
    """LibreOffice encrypts an .odt's parts itself (the zip is plain) and says so in the manifest."""
    manifest = ('<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                '<manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data '
                'manifest:checksum-type="SHA1/1K"/></manifest:file-entry></manifest:manifest>')
    odt = _zip({"mimetype": "application/vnd.oasis.opendocument.text", "META-INF/manifest.xml": manifest,
                "content.xml": b"\x8f\x13 encrypted bytes"})
    with pytest.raises(EncryptedOffice):
        read(odt, "rapport.odt")


def test_corrupt_office_files_are_named_as_such():
    whole = make_docx(PARTS)
    with pytest.raises(UnreadableOffice, match="corrupt or truncated"):
        read(whole[:len(whole) // 2], "rapport.docx")
    with pytest.raises(UnreadableOffice, match="not a Word document"):
        read(b"Rapport de controle\n", "rapport.docx")
    with pytest.raises(UnreadableOffice, match="well-formed"):
        read(_zip({"word/document.xml": "<w:document>"}), "rapport.docx")


def test_other_archives_and_legacy_word_stay_refused():
    with pytest.raises(UnsupportedType, match="zip archive"):
        read(_zip({"rapport.txt": "Le taux de vacance atteint 6,3 %."}), "rapports.zip")
    with pytest.raises(UnsupportedType, match="legacy Office document"):
        read(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512, "rapport.doc")
    with pytest.raises(EmptyDocument):
        read(make_docx([Para(" ")]), "vide.docx")


@pytest.mark.parametrize("error, code", [(UnreadableOffice, "unreadable_office"), (EncryptedOffice, "encrypted_office"),
                                         (OfficeTooLarge, "office_too_large")])
def test_errors_carry_a_stable_code(error, code):
    assert error.code == code and error().args[0]


@pytest.mark.parametrize("make, name", [(make_docx, "rapport.docx"), (make_odt, "rapport.odt"),
                                        (make_html, "rapport.html")])
def test_a_bold_title_keeps_its_bold_and_a_bold_sentence_does_not(make, name):
    """An unnumbered title set in bold is the layout's bold heading ("**…**"); a bold sentence stays a paragraph
    (wrapped in "**" it would read as a list item)."""
    parts = [Para("Les ventes de logements", bold=True),
             Para("La société doit mettre en place un plan de vente.", bold=True),
             Para("Le conseil a approuvé le plan de vente en 2016.")]
    assert paragraphs(read(make(parts), name).text) == [
        "**Les ventes de logements**", "La société doit mettre en place un plan de vente.",
        "Le conseil a approuvé le plan de vente en 2016."]


def test_pages_keep_the_numbers_the_file_gives_them_even_empty_ones():
    """A blank page (two breaks in a row, or a break before any text) holds no text but keeps its number, so the
    pages after it are numbered as the reader of the file sees them."""
    first, last = "Le patrimoine compte 2 780 logements.", "Le taux de vacance atteint 6,3 %."
    source = read(make_docx([PageBreak(), Para(first), PageBreak(), PageBreak(), Para(last)]), "rapport.docx")
    assert [p.number for p in source.pages] == [1, 2, 3, 4]
    page_at = source.page_finder()
    assert page_at(source.text.index(first)) == 2 and page_at(source.text.index(last)) == 4


def test_millions_of_tiny_elements_are_refused_before_they_are_parsed():
    """Small once unpacked (a few MB) yet millions of elements: the tree, not the bytes, would eat the memory."""
    empty = "<w:p/>" * (office_zip.MAX_TAGS + 1)
    with pytest.raises(OfficeTooLarge, match="elements"):
        read(_zip({"word/document.xml": f"<w:document><w:body>{empty}</w:body></w:document>"}), "rapport.docx")


def test_nesting_deeper_than_a_document_is_refused_not_a_crash():
    deep = "<w:hyperlink>" * 100_000 + "<w:r><w:t>x</w:t></w:r>" + "</w:hyperlink>" * 100_000
    with pytest.raises(UnreadableOffice, match="too deeply"):
        read(_zip({"word/document.xml": f'<w:document xmlns:w="{W}"><w:body><w:p>{deep}</w:p></w:body></w:document>'}),
             "rapport.docx")


def test_numbers_typed_in_superscript_are_superscripts():
    """A note numbered by hand (a superscript "1" opening the note's paragraph) is a note to the layout, as a Word
    footnote is; "m²" stays "m²"."""
    raised = '<w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr><w:t>{}</w:t></w:r>'
    body = (f'<w:p><w:r><w:t>Loyer moyen de 5,8 € par m</w:t></w:r>{raised.format("2")}<w:r><w:t>.</w:t></w:r></w:p>'
            f'<w:p>{raised.format("1")}<w:r><w:t xml:space="preserve"> Source : RPLS au 1/1/2015.</w:t></w:r></w:p>')
    source = read(_zip({"word/document.xml": f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'}),
                  "rapport.docx")
    assert paragraphs(source.text) == ["Loyer moyen de 5,8 € par m².", "¹ Source : RPLS au 1/1/2015."]


def test_html_as_pages_are_written_end_tags_left_out():
    """HTML lets a list item, a paragraph and the head leave their end tags out: the site's parts are still
    dropped whole and the page's text is still read."""
    page = ("<html><head><title>ANCOLS</title><meta charset=utf-8><body>"
            "<nav><ul><li>Accueil<li>Rapports</ul></nav><h1>Synthèse<p>Le taux de vacance atteint 6,3 %."
            "<p>La société doit le réduire.<footer><p>Mentions légales</footer>").encode()
    assert paragraphs(read(page, "page.html").text) == [
        "# Synthèse", "Le taux de vacance atteint 6,3 %.", "La société doit le réduire."]
