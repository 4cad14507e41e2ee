"""A table's caption or group row ends in empty tab cells (as the Word and spreadsheet exports of the corpus write
it) and reads as a title: it names the rows under it, but the text after the table goes under it too.

The two expected failures document that defect: fixing it (the caption a table row, ffab166; or a section that ends
with its table, 4dd31b2; that and sentence-case part labels as headings, 20500db) was measured and not kept, dev search
hybrid nDCG@10 down 0.010, 0.0045 and 0.0035. Strict: a change that fixes it fails here until the marks go."""

import pytest

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

# Corpus 004, summary sheet: group rows in capitals and in sentence case, their value cells empty; notes, then text.
SUMMARY_SHEET = """# FICHE RECAPITULATIVE DU RAPPORT N° 2018-036

Indicateurs\tOrganisme\tRéférence région\tFrance métropolitaine\tSource
Taux de créances inscrit au bilan (% des loyers et charges)\t14,8%\t\t14,1%\t(3)
STRUCTURE FINANCIERE ET RENTABILITE\t\t\t\t
Fonds disponibles à terminaison des opérations\t\t\t\t
Autofinancement net / chiffre d'affaires\t6,4%\t\t11,4%\t(3)

(1) RPLS au 1/1/2017

Le Toit Forézien est une société anonyme d'HLM dont le siège est à Saint-Étienne.
"""


def path_at(text, fragment):
    return section_path(outline(text, blocks(text)), text.index(fragment))


def test_caption_names_its_own_rows():
    assert path_at(RENT_TABLE, "SA Espace Domicile") == [
        "3.2.1 Loyers", "Taux de loyer mensuel en € par m² de surface habitable"]


@pytest.mark.xfail(strict=True, reason="known defect: the text after a table stays under its caption")
def test_paragraph_after_the_table_leaves_the_caption():
    assert path_at(RENT_TABLE, "En outre") == ["3.2.1 Loyers"]


@pytest.mark.xfail(strict=True, reason="known defect: the text after a table stays under its caption")
def test_group_rows_name_the_rows_and_notes_of_their_table_only():
    assert path_at(SUMMARY_SHEET, "Autofinancement net")[-1] == "Fonds disponibles à terminaison des opérations"
    assert "STRUCTURE FINANCIERE ET RENTABILITE" in path_at(SUMMARY_SHEET, "(1) RPLS")
    assert path_at(SUMMARY_SHEET, "Le Toit Forézien") == ["FICHE RECAPITULATIVE DU RAPPORT N° 2018-036"]
