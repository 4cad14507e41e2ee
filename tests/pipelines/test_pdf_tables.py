"""Tables and page-foot notes of a report PDF printed from real ANCOLS report text (corpus 003, its own tables and
notes), read back as the layout step expects them: rows as cells joined by " | ", notes numbered in superscript."""

from __future__ import annotations

import pytest
from pdfgen import Footnote, RenderedPdf, Table, corpus_paragraphs, render_pdf

from ancols_nlp.pipelines import layout
from ancols_nlp.pipelines.pdf_text import extract_pdf
from ancols_nlp.pipelines.types import SourceText

REPORT = "003_12d7f4ee594b802f.txt"
HEADER, FOOTER = "RAPPORT DE CONTRÔLE N° 2014-098 – Lozère Habitations", "ANCOLS – Rapport définitif"


@pytest.fixture(scope="module")
def paragraphs(corpus_dir) -> list:
    return corpus_paragraphs(corpus_dir / REPORT, 40_000, tables=True)


@pytest.fixture(scope="module")
def report(paragraphs) -> RenderedPdf:
    return render_pdf(paragraphs, header=HEADER, footer=FOOTER)


@pytest.fixture(scope="module")
def extracted(report) -> SourceText:
    return extract_pdf(report.data, max_pages=50)


def kinds_of(text: str) -> dict[str, str]:
    """Each block's text → its kind, as the layout step reads ``text``."""
    return {text[b.start:b.end]: b.kind for b in layout.blocks(text)}


def one_line_rows(paragraphs: list, report: RenderedPdf) -> list[str]:
    """The printed rows of tables none of whose cells was wrapped over two lines (a row as cells joined by " | ")."""
    tables = {k for k, p in enumerate(paragraphs) if isinstance(p, Table)}
    return [line.text for line in report.lines if line.paragraph in tables and "|" in line.text
            and all(cell.strip() for cell in line.text.split("|"))]


def test_the_excerpt_holds_tables_ruled_or_not_and_notes(paragraphs):
    tables = [p for p in paragraphs if isinstance(p, Table)]
    assert len(tables) >= 8 and any(t.ruled for t in tables) and any(not t.ruled for t in tables)
    assert any(t.caps_header for t in tables)
    assert sum(isinstance(p, Footnote) for p in paragraphs) >= 3


def test_each_table_row_comes_out_on_a_line_of_its_own_with_its_cells(paragraphs, report, extracted):
    rows = one_line_rows(paragraphs, report)
    assert len(rows) >= 40
    lines = set(extracted.text.splitlines())
    missing = [row for row in rows if row not in lines]
    assert len(missing) <= len(rows) // 20, missing[:5]


def test_rows_are_table_rows_for_the_layout_step_even_in_capitals(extracted):
    kinds = kinds_of(extracted.text)
    assert kinds["VACANCE/ROTATION (EN %) | 2009 | 2010 | 2011 | 2012 | 2013"] == "table_row"
    assert kinds["Taux de rotation | 17,49 | 13,88 | 15,15 | 14,74 | 12,18"] == "table_row"
    assert kinds["Évolution du parc géré depuis 5 ans (% annuel) | nc | 1.17 | 1.5"] == "table_row"
    assert not any(kind == "heading" and "|" in text for text, kind in kinds.items())


def test_a_table_s_title_source_and_the_next_text_stay_blocks_of_their_own(extracted):
    text = extracted.text
    at = text.index("Taux de rotation | 17,49")
    kinds = kinds_of(text)
    after = [b for b in layout.blocks(text) if b.start > at]
    assert text[after[0].start:after[0].end] == "Source : données de l'organisme"
    assert text[after[1].start:after[1].end] == "3.2 ACCES AU LOGEMENT" and after[1].kind == "heading"
    assert kinds["Tableau 3"] != "table_row"
    assert "Tableau 3" not in {t for t in kinds if "|" in t}


def test_page_foot_notes_are_footnotes_numbered_as_the_text_writes_them(extracted):
    kinds = kinds_of(extracted.text)
    assert kinds["¹ Source INSEE 2011"] == "footnote"
    assert kinds["² Source DRE Languedoc-Roussillon enquête PLS 2010"] == "footnote"
    note = "¹ Les sources des données de référence et les dates retenues figurent en annexe Sources et sigles"
    assert kinds[note] == "footnote"
    assert not any(kind == "heading" and "Source" in text for text, kind in kinds.items())


def test_raised_note_calls_and_exponents_come_out_in_superscript(extracted):
    text = " ".join(extracted.text.split())
    assert "de la région Languedoc-Roussillon.²" in text  # the call of note 2, "Source DRE …"
    assert "SA d'HLM de 31 ans⁵" in text
    assert "3,98 €/m² de surface habitable" in text
    assert "habitable3" not in text and "ans5" not in text


def test_a_ruled_and_an_unruled_table_read_the_same(paragraphs):
    table = next(p for p in paragraphs if isinstance(p, Table) and len(p.rows) >= 4 and not p.ruled)
    rows = [" | ".join(cell for cell in row if cell) for row in table.rows]
    for ruled in (False, True):
        printed = Table(table.rows, title=table.title, source=table.source, ruled=ruled)
        text = extract_pdf(render_pdf(["Le tableau ci-dessous.", printed], header=HEADER, footer=FOOTER).data,
                           max_pages=5).text
        lines = text.splitlines()
        assert lines[lines.index(table.title) + 1:][:len(rows) + 1] == rows + [table.source], ruled


def test_prose_with_no_table_is_never_cut_into_cells(corpus_dir):
    prose = corpus_paragraphs(corpus_dir / "004_964ee9d999fa8f65.txt", 30_000)
    text = extract_pdf(render_pdf(prose, header=HEADER, footer=FOOTER).data, max_pages=50).text
    assert " | " not in text
    assert not any(text.startswith(n) for n in "¹²³")


def test_a_row_whose_label_wraps_keeps_its_whole_label_and_its_figures(paragraphs):
    """The summary sheet's table with its label column narrowed so that labels wrap over two lines: each row is
    still one line, its label whole before its figures, and the layout step reads it as one table row."""
    table = next(p for p in paragraphs if isinstance(p, Table))
    printed = Table(table.rows, title=table.title, source=table.source, widths=(55, 35, 25, 25))
    text = extract_pdf(render_pdf(["Le tableau ci-dessous.", printed], header=HEADER, footer=FOOTER).data,
                       max_pages=5).text
    rows = [" | ".join(cell for cell in row if cell) for row in table.rows]
    row = "Logements vacants à plus de 3 mois, hors vac. techn.(%) | 2 | nc | nc"
    lines = text.splitlines()
    assert row in rows and lines[lines.index(table.title) + 1:][:len(rows) + 1] == rows + [table.source]
    assert kinds_of(text)[row] == "table_row"


def test_a_row_whose_text_cell_wraps_under_a_one_line_label_stays_one_row(corpus_dir):
    """The summary sheet's table of 003 ("Points faibles | • Liens avec la société Cogra…"): its labels fit one line
    and its text cells wrap, so the row is drawn line by line, the label beside the cell's first line and the
    cell's other lines under it alone. Those lines were read as prose: "à améliorer• Autofinancement faible." a
    paragraph of its own, and rows whose cell wrapped twice lost their cells ("Présentation générale de
    l'organisme La SA d'HLM…", no table row). Each row is one line, its cell whole, read as a table row."""
    table = next(p for p in corpus_paragraphs(corpus_dir / REPORT, 400_000, tables=True)
                 if isinstance(p, Table) and any(row[0] == "Points faibles" for row in p.rows))
    rows = [" | ".join(cell for cell in row if cell) for row in table.rows]
    for ruled in (False, True):
        printed = Table(table.rows, title=table.title, source=table.source, ruled=ruled)
        text = extract_pdf(render_pdf(["Le tableau ci-dessous.", printed, "La suite du rapport."], header=HEADER,
                                      footer=FOOTER).data, max_pages=5).text
        lines = text.splitlines()
        assert lines[lines.index(table.title) + 1:][:len(rows) + 1] == rows + [table.source], ruled
        kinds = kinds_of(text)  # a cell holding sentences is read out of its row, as from the report's .txt
        assert [kinds[block] for row in table.rows for block in kinds if block.startswith(row[0])] == ["table_row"] * 4


@pytest.mark.parametrize("valign", ["middle", "bottom"])
@pytest.mark.parametrize("label_mm", [55, 35])
def test_a_label_wrapped_above_its_centred_or_bottom_aligned_figures_stays_in_its_row(paragraphs, valign, label_mm):
    """The summary sheet's table as a word processor prints it with its cells centred or bottom-aligned in the row,
    its label column narrowed so that labels wrap over two or three lines: the label's first lines come alone above
    the line of its figures. Each row was cut in two ("Évolution du parc géré depuis 5" a line of prose, "ans (%
    annuel) | nc | 1.17 | 1.5" the row) or, for a three-line label, lost its first line. Each row is one line, its
    label whole before its figures, read as a table row."""
    table = next(p for p in paragraphs if isinstance(p, Table))
    rows = [" | ".join(cell for cell in row if cell) for row in table.rows]
    for ruled in (False, True):
        printed = Table(table.rows, title=table.title, source=table.source, ruled=ruled,
                        widths=(label_mm, 35, 25, 25), valign=valign)
        text = extract_pdf(render_pdf(["Le tableau ci-dessous.", printed, "La suite du rapport."], header=HEADER,
                                      footer=FOOTER).data, max_pages=5).text
        lines = text.splitlines()
        assert lines[lines.index(table.title) + 1:][:len(rows) + 1] == rows + [table.source], ruled
        kinds = kinds_of(text)
        assert [kinds[row] for row in rows[1:]] == ["table_row"] * (len(rows) - 1)


def test_a_label_only_row_above_a_row_stays_a_row_of_its_own(corpus_dir):
    """003's rent arrears table (corpus text: "P.M.:" and "Terme échu total de décembre (créances non exigibles) :"
    are rows of their own, with no figures) printed bottom-aligned: the label-only rows are not read as the first
    line of the row under them."""
    table = next(p for p in corpus_paragraphs(corpus_dir / REPORT, 10**7, tables=True)
                 if isinstance(p, Table) and any(row[0].startswith("P.M.") for row in p.rows))
    rows = [" | ".join(cell for cell in row if cell) for row in table.rows]
    alone = [row for row in rows if "|" not in row and row.endswith(":")]
    text = extract_pdf(render_pdf(["Le tableau ci-dessous.", Table(table.rows, valign="bottom")], header=HEADER,
                                  footer=FOOTER).data, max_pages=5).text
    assert alone and all(row in text.splitlines() for row in alone)
