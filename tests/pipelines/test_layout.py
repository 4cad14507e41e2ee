import pytest

from ancols_nlp.pipelines.layout import blocks
from ancols_nlp.pipelines.sections import outline, section_path

MARKDOWN_REPORT = """# FICHE RECAPITULATIVE DU RAPPORT N° 2016-047

| Indicateurs | Organisme | Référence région |
|---|---|---|
| Logements vacants | 6,0% | 3,4% |

### 2.2 GOUVERNANCE ET MANAGEMENT

#### 2.2.1 Gouvernance

Lozère Habitations est une société administrée par un conseil d'administration composé de dix membres.
Ce dernier se réunit en moyenne trois fois dans l'année.

- la réalisation de prestations comptables,
- la prise à bail de tous locaux

<sup>1</sup> Source INSEE 2011

#### 2.2.2 Organisation

Au 31 décembre 2013, l'organisme est composé de vingt-huit salariés.
"""

# A PDF dump hard-wraps every printed line and puts a blank line after each.
WRAPPED_LETTER = """Un rapport de contrôle sur la Coop'lvry Habitat a été effectué par l'ANCOLS en 2024 \
sur la période 

2018-2022. Une réunion de restitution a eu lieu le 27 mars 2024. 

Lors de la séance du 16 décembre 2024, le conseil d'administration de la Coop a pris acte des 

observations et a voté le texte suivant. 

Le rapport de l'ANCOLS comporte 1 point fort, 12 recommandations et 12 observations qui feront 

l'objet de réponses détaillées dans les développements ci-après. En propos introductif, le Conseil 

d'Administration de la Coop'lvry Habitat souhaite revenir sur 4 sujets fondamentaux présents dans le 

rapport définitif. 
"""


def kinds_and_text(text):
    return [(b.kind, text[b.start:b.end]) for b in blocks(text)]


def test_markdown_report_blocks_are_typed():
    found = kinds_and_text(MARKDOWN_REPORT)
    assert found[0] == ("heading", "# FICHE RECAPITULATIVE DU RAPPORT N° 2016-047")
    assert [k for k, _ in found[1:4]] == ["table_row"] * 3
    paragraph = next(t for k, t in found if k == "paragraph")
    # Two lines of one paragraph are one block; offsets cover both lines.
    assert paragraph.startswith("Lozère Habitations") and paragraph.endswith("trois fois dans l'année.")
    assert [t for k, t in found if k == "list_item"] == ["- la réalisation de prestations comptables,",
                                                       "- la prise à bail de tous locaux"]
    assert ("footnote", "<sup>1</sup> Source INSEE 2011") in found


def test_a_row_label_ending_on_an_abbreviation_stays_in_its_row():
    """003's summary sheet: the label's stop is "techn."'s, the unit "(%)" after it; a cell that ends a sentence
    is still a paragraph of its own."""
    text = ("| Indicateurs | Organisme | Réf. nat. |\n"
            "| Logements vacants à plus de 3 mois, hors vac. techn.(%) | 2 | nc |\n"
            "| Mettre en place un plan de contrôle des charges récupérables. | X | 2016 |\n")
    found = kinds_and_text(text)
    assert ("table_row", "| Logements vacants à plus de 3 mois, hors vac. techn.(%) | 2 | nc |") in found
    assert ("paragraph", "Mettre en place un plan de contrôle des charges récupérables.") in found


def test_hard_wrapped_lines_are_joined_until_a_sentence_ends():
    found = kinds_and_text(WRAPPED_LETTER)
    assert [k for k, _ in found] == ["paragraph", "paragraph", "paragraph"]
    assert found[0][1].endswith("le 27 mars 2024.")
    assert "2018-2022" in found[0][1]
    assert found[1][1].startswith("Lors de la séance") and found[1][1].endswith("le texte suivant.")


def test_outline_nests_numbered_headings():
    text = MARKDOWN_REPORT
    sections = outline(text, blocks(text))
    titles = [(s.title, s.level) for s in sections]
    assert ("2.2 GOUVERNANCE ET MANAGEMENT", 2) in titles
    assert ("2.2.1 Gouvernance", 3) in titles
    offset = text.index("vingt-huit salariés")
    assert section_path(sections, offset)[-2:] == ["2.2 GOUVERNANCE ET MANAGEMENT", "2.2.2 Organisation"]
    offset = text.index("conseil d'administration composé")
    assert section_path(sections, offset)[-1] == "2.2.1 Gouvernance"


def test_setext_headings_are_headings():
    """Markdown's other heading style, the title underlined with "=" (level 1) or "-" (level 2): the titles were
    paragraphs and the underlines rules, so no passage of such a report had a section path. A line of dashes after a
    blank line stays a rule."""
    text = """Rapport de contrôle
===================

Gestion locative
----------------

La société doit réduire sa vacance commerciale.

---

Patrimoine
----------

Le patrimoine est ancien.
"""
    found = kinds_and_text(text)
    assert [t for k, t in found if k == "heading"] == ["Rapport de contrôle", "Gestion locative", "Patrimoine"]
    assert [k for k, _ in found].count("rule") == 4
    sections = outline(text, blocks(text))
    assert [(s.title, s.level) for s in sections] == [("Rapport de contrôle", 1), ("Gestion locative", 2),
                                                      ("Patrimoine", 2)]
    assert section_path(sections, text.index("vacance")) == ["Rapport de contrôle", "Gestion locative"]
    assert section_path(sections, text.index("ancien")) == ["Rapport de contrôle", "Patrimoine"]


# Corpus 002's summary sheet writes its part labels in sentence case; 001 and 004 write the same ones in bold or
# capitals, as headings. Making these headings too (with the caption sections, 20500db) was measured and not kept:
# dev search hybrid nDCG@10 0.7871 -> 0.7836. Strict: a change that makes them headings fails here until the mark goes.
PART_LABELS = """Points forts:

- Fort développement en secteurs tendus
- Parc jeune et bien entretenu

Points faibles:

- Loyers élevés
- Endettement important

Irrégularités :

- DAPP incomplets
"""


@pytest.mark.xfail(strict=True, reason="known defect: sentence-case part labels ending with a colon are paragraphs")
def test_summary_sheet_part_labels_are_headings():
    found = kinds_and_text(PART_LABELS)
    assert [t for k, t in found if k == "heading"] == ["Points forts:", "Points faibles:", "Irrégularités :"]
    sections = outline(PART_LABELS, blocks(PART_LABELS))
    assert section_path(sections, PART_LABELS.index("- Endettement")) == ["Points faibles"]


FIGURES_ROW = "Référence France région métropolitaine Source (2) 3,0 % 3,0 % 1,7 % 2,0 % 10,0 % 10,0 %"


def _names_no_section_after_a_figures_row(text: str, under: str) -> None:
    found = blocks(text)
    assert not [b for b in found if b.kind == "heading" and FIGURES_ROW in text[b.start:b.end]]
    assert not any(FIGURES_ROW in title for title in section_path(outline(text, found), text.index(under)))


def test_a_row_label_followed_by_its_figures_is_no_heading(corpus_texts):
    """Report 002's summary sheet: a row label and its percentages on one line, read as a title, named the section
    of the table under it."""
    text = corpus_texts["002_6bf2bb461188af34.txt"]
    _names_no_section_after_a_figures_row(text, "Autofinancement net / chiffre d'affaires")


def test_a_row_label_followed_by_its_figures_is_no_heading_in_a_pdf(corpus_dir):
    from pdfgen import corpus_paragraphs, render_pdf

    from ancols_nlp.pipelines.pdf_text import extract_pdf

    paragraphs = corpus_paragraphs(corpus_dir / "002_6bf2bb461188af34.txt", 4000, tables=True)
    text = extract_pdf(render_pdf(paragraphs, header="Rapport", footer="ANCOLS").data, max_pages=20).text
    _names_no_section_after_a_figures_row(text, "Fort développement en secteurs tendus")
