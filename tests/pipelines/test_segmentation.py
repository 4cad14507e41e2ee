"""Segmentation on the shapes reports arrive in (HTML/Word text exports, markdown, PDF dumps): a segment
never swallows gold units of different kinds. Text of our own making, gold written inline."""

import pytest

from gold import covering, parse, process_marked

from ancols_nlp.pipelines.layout import blocks, shape, split_lines
from ancols_nlp.pipelines.sections import outline, section_path

# An HTML export: a line per block element, table cells joined by " | " without outer pipes, no final
# period on titles nor on rows.
HTML_EXPORT = """<other>Les ventes de logements</other>

<obs>La société a vendu 159 logements en 2013, soit moins que l'objectif fixé par le plan stratégique.</obs>

<other>Ventes de logements</other>

<other>2013 | 2014 | 2015</other>

<other>Ventes réalisées | 159 | 62 | 73</other>

<other>MONTANT AU 31 DECEMBRE | 50,8 | 45,4 | 42,1</other>

<other>Source : rapport de gestion de la société.</other>

<obs>Le rythme des ventes reste très inférieur aux objectifs fixés par le conseil d'administration.</obs>
"""

# A Word export: one paragraph a line, no blank line between them.
WORD_EXPORT = """<other>Le patrimoine immobilier</other>
<obs>La société gère un parc de 3 800 logements, principalement constitué de maisons individuelles.</obs>
<other>Président : M. Jean Dupont</other>
<other>Directeur général : Mme Claire Martin</other>
<obs>Le parc est ancien : 82 % des logements ont été construits avant 1949.</obs>
"""


def block_texts(text):
    return [(b.kind, text[b.start:b.end]) for b in blocks(text)]


def assert_nothing_swallowed(doc, gold):
    """No segment covers most of two gold units of different kinds."""
    kinds_by_segment = {}
    for span in gold:
        kinds_by_segment.setdefault(covering(doc, span).id, set()).add(span.kind)
    assert all(len(kinds) == 1 for kinds in kinds_by_segment.values()), kinds_by_segment


def test_rows_without_outer_pipes_are_table_rows_and_titles_stand_alone():
    text, _ = parse(HTML_EXPORT)
    found = block_texts(text)
    assert found[0] == ("heading", "Les ventes de logements")
    assert ("table_row", "2013 | 2014 | 2015") in found
    assert ("table_row", "Ventes réalisées | 159 | 62 | 73") in found
    assert ("table_row", "MONTANT AU 31 DECEMBRE | 50,8 | 45,4 | 42,1") in found  # a row, not a heading
    assert ("paragraph", "Source : rapport de gestion de la société.") in found
    assert found[-1][1].startswith("Le rythme des ventes")


def test_tab_separated_rows_are_table_rows():
    text = "Indicateurs\tOrganisme\tRéférence région\nLogements vacants\t0,9 %\t3,5 %\n"
    assert [k for k, _ in block_texts(text)] == ["table_row", "table_row"]


def test_html_export_table_its_title_and_source_are_not_a_finding():
    text, gold, doc = process_marked(HTML_EXPORT)
    assert_nothing_swallowed(doc, gold)
    for span in gold:
        assert covering(doc, span).kind == span.kind, text[span.start:span.end]
    inner = covering(doc, gold[-1]).section_path
    assert inner == ["Ventes de logements"]  # a sibling of the title before it, not its child


def test_a_row_holding_a_sentence_is_a_statement_beside_its_marks():
    text = ("Recommandations | Réalisée | Page\n\n"
            "Mettre en conformité le règlement intérieur de la commission. | X | 25\n")
    found = block_texts(text)
    assert found == [("table_row", "Recommandations | Réalisée | Page"),
                     ("paragraph", "Mettre en conformité le règlement intérieur de la commission."),
                     ("table_row", "| X | 25")]


def test_word_export_one_paragraph_a_line():
    text, gold = parse(WORD_EXPORT)
    assert shape(text, split_lines(text)).separator == 1
    assert [k for k, _ in block_texts(text)] == ["heading", "paragraph", "paragraph", "paragraph", "paragraph"]
    _, gold, doc = process_marked(WORD_EXPORT)
    assert_nothing_swallowed(doc, gold)


def test_a_line_break_inside_an_html_paragraph_is_not_a_paragraph_end():
    text = ("Par lettres du président en date du 11 septembre 2015,\n"
            "M. Dupont a été informé de l'ouverture du contrôle.\n\n"
            "Les commissions d'attribution\n\nLa commission se réunit chaque mois.\n")
    assert block_texts(text) == [
        ("paragraph", "Par lettres du président en date du 11 septembre 2015,\n"
                      "M. Dupont a été informé de l'ouverture du contrôle."),
        ("heading", "Les commissions d'attribution"),
        ("paragraph", "La commission se réunit chaque mois."),
    ]


def test_pdf_dump_joins_full_lines_but_not_an_address():
    line = "Le conseil d'administration de la société a examiné le rapport provisoire lors de sa séance du"
    answer = "16 décembre 2024 et a voté une réponse que la société a transmise à l'Agence dans le délai."
    text = f"Monsieur le Directeur Général \n\nLa Grande Arche \n\n" + f"{line} \n\n{answer} \n\n" * 4
    assert shape(text, split_lines(text)).wrap > 0
    found = block_texts(text)
    assert found[:2] == [("paragraph", "Monsieur le Directeur Général"), ("paragraph", "La Grande Arche")]
    assert [k for k, _ in found] == ["paragraph"] * 6
    assert found[2][1] == f"{line} \n\n{answer}"


def test_numbered_end_notes_are_notes_with_their_further_paragraphs():
    text = ("1. PRÉSENTATION\n\nLe statut du mineur a été instauré en 19461.\n\n"
            "1. Loi n° 46-188 du 14 février 1946 relative au personnel des exploitations minières.\n\n"
            "2. Le texte a été modifié en 2013.\n\nIl s'applique aux ayants droit.\n\n3. Cf. annexe 1.\n")
    found = block_texts(text)
    assert found[:2] == [("heading", "1. PRÉSENTATION"),
                         ("paragraph", "Le statut du mineur a été instauré en 19461.")]
    assert [k for k, _ in found[2:]] == ["footnote"] * 3
    assert found[3][1] == "2. Le texte a été modifié en 2013.\n\nIl s'applique aux ayants droit."


def test_numbered_paragraphs_inside_the_body_are_not_end_notes():
    text = ("1. Le conseil se réunit quatre fois par an.\n\n2. Le comité d'audit rend compte au conseil.\n\n"
            "3. La direction applique ses décisions.\n\n2. GESTION LOCATIVE\n\nLa vacance est faible.\n")
    assert "footnote" not in [k for k, _ in block_texts(text)]


def test_unnumbered_headings_of_one_style_are_siblings():
    text = ("PROCÉDURE\n\nLe contrôle a été ouvert en 2015.\n\nOBSERVATIONS DÉFINITIVES\n\n"
            "PRÉSENTATION DU GROUPE\n\nLe groupe et ses filiales\n\nLa société a deux filiales.\n\n"
            "Les instances dirigeantes\n\nLe conseil compte dix membres.\n")
    sections = outline(text, blocks(text))
    assert [(s.title, s.level) for s in sections] == [
        ("PROCÉDURE", 1), ("OBSERVATIONS DÉFINITIVES", 1), ("PRÉSENTATION DU GROUPE", 1),
        ("Le groupe et ses filiales", 2), ("Les instances dirigeantes", 2)]
    assert section_path(sections, text.index("dix membres")) == ["PRÉSENTATION DU GROUPE", "Les instances dirigeantes"]


@pytest.mark.parametrize("title", ["Ventes de logements", "Maisons & Cités Habitat"])
def test_a_title_is_not_glued_to_its_paragraph(title):
    """A title followed by its paragraph after a blank line is a block of its own, whatever its case."""
    text = f"{title}\n\nLa société a vendu 159 logements en 2013.\n"
    assert block_texts(text)[0][1] == title


def test_a_list_exported_without_bullets_is_a_list_sharing_its_introduction():
    marked = ("<obs>Le conseil d'administration de l'établissement est composé de 31 membres :</obs>\n\n"
              "<obs>6 administrateurs représentant la région ;</obs>\n\n"
              "<obs>4 administrateurs représentant le département ;</obs>\n\n"
              "<obs>3 administrateurs désignés par le préfet de région.</obs>\n\n"
              "<obs>Le conseil se réunit quatre fois par an.</obs>\n")
    text, _ = parse(marked)
    assert [k for k, _ in block_texts(text)] == ["paragraph", "list_item", "list_item", "list_item", "paragraph"]
    text, gold, doc = process_marked(marked)
    for span in gold:
        assert covering(doc, span).kind == span.kind, text[span.start:span.end]


def test_the_marked_lines_under_a_table_are_its_notes():
    marked = ("<obs>La vacance reste supérieure à la moyenne régionale sur toute la période examinée.</obs>\n\n"
              "<other>Logements vacants (a) | 6,0 % | 3,4 %</other>\n\n"
              "<other>Source : RPLS au 1/1/2017</other>\n\n"
              "<other>(a) hors vacance technique</other>\n\n"
              "<other>* données provisoires</other>\n\n"
              "<obs>La société a engagé un plan de reconquête de la vacance en 2016.</obs>\n")
    text, _ = parse(marked)
    assert [k for k, _ in block_texts(text)] == ["paragraph", "table_row", "paragraph", "footnote", "footnote",
                                                 "paragraph"]
    text, gold, doc = process_marked(marked)
    assert_nothing_swallowed(doc, gold)
    for span in gold:
        assert covering(doc, span).kind == span.kind, text[span.start:span.end]


def test_a_list_after_a_paragraph_stays_a_list():
    text = "La société doit :\n\n- réviser ses statuts ;\n\n- réunir son conseil.\n\n(a) une note hors tableau\n"
    assert [k for k, _ in block_texts(text)] == ["paragraph", "list_item", "list_item", "list_item"]
