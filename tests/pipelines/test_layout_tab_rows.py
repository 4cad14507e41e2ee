"""A line holding tab-separated cells is a table row, even when its only tabs are the empty cells after its text (a
table's first row or caption, as the Word and spreadsheet exports of the corpus write it): never a heading."""

from ancols_nlp.pipelines.layout import blocks
from ancols_nlp.pipelines.sections import outline, section_path

# Corpus 001, § 3.2.1: the table's caption ends in empty cells, a paragraph follows the table.
RENT_TABLE = """### 3.2.1 Loyers

Sur la base des données de l'enquête RPLS 2015, la distribution statistique des valeurs des taux de loyer de \
l'organisme montre l'existence de niveaux plus élevés que ceux constatés pour l'ensemble du département.

\tTaux de loyer mensuel en € par m² de surface habitable\t\t\t\t\t
\tmoyenne\t1 <sup>er</sup> quartile\tmédiane\t3 <sup>ème</sup> quartile\t\t
SA Espace Domicile\t5,8\t5,2\t5,8\t6,3\t\t

En outre, on peut constater que près des trois quarts des loyers du parc de la société se situent au-dessus du loyer \
de référence utilisé pour le calcul de l'APL.
"""

# Corpus 004, summary sheet: a row naming a part of the table, in capitals, its value cells empty.
SUMMARY_SHEET = """Indicateurs\tOrganisme\tRéférence région\tFrance métropolitaine\tSource
Taux de créances inscrit au bilan (% des loyers et charges)\t14,8%\t\t14,1%\t(3)
STRUCTURE FINANCIERE ET RENTABILITE\t\t\t\t
Fonds disponibles à terminaison des opérations\t\t\t\t
Autofinancement net / chiffre d'affaires\t6,4%\t\t11,4%\t(3)

(1) RPLS au 1/1/2017
"""


def kinds_of(text):
    return {text[b.start:b.end]: b.kind for b in blocks(text)}


def test_caption_ending_in_empty_cells_is_a_table_row():
    found = kinds_of(RENT_TABLE)
    assert found["Taux de loyer mensuel en € par m² de surface habitable"] == "table_row"
    assert found["### 3.2.1 Loyers"] == "heading"


def test_paragraph_after_the_table_stays_in_its_section():
    sections = outline(RENT_TABLE, blocks(RENT_TABLE))
    assert section_path(sections, RENT_TABLE.index("En outre")) == ["3.2.1 Loyers"]


def test_capitals_row_of_empty_cells_is_no_heading():
    found = kinds_of(SUMMARY_SHEET)
    assert found["STRUCTURE FINANCIERE ET RENTABILITE"] == "table_row"
    assert "heading" not in found.values()
    assert outline(SUMMARY_SHEET, blocks(SUMMARY_SHEET)) == []
