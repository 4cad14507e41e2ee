"""The fiche récapitulative's indicator table as rows, on the corpus reports' three layouts."""

import pytest

from ancols_nlp.pipelines.indicators import indicators


def _row(rows, start):
    return next(r for r in rows if r.name.startswith(start))


def test_tab_separated_table_with_categories_prefixes_and_source_notes(corpus_texts):
    rows = indicators(corpus_texts["001_d290a1a4feb3bef7.txt"])
    assert len(rows) == 16
    vacant = rows[0]
    assert (vacant.category, vacant.name, vacant.organism, vacant.regional, vacant.national, vacant.unit, vacant.year,
            vacant.source) == ("Patrimoine", "Logements vacants (hors vacance technique)", "0,9 %", "3,5 %", "2,9 %",
                               "%", 2015, "RPLS au 1/1/2015")
    poor = _row(rows, "Locataires dont les ressources sont : < 20 %")
    assert (poor.organism, poor.source, poor.year) == ("25,5 %", "Enquête OPS 2012", 2012)
    # A name broken over two lines is one indicator; a row's own note beats its category's.
    assert (_row(rows, "Fonds de roulement net global à terminaison des opérations (mois de dépenses)").organism
            == "5,8 mois")
    assert _row(rows, "Personnes isolées").source == "RPLS au 1/1/2015"
    assert _row(rows, "Age moyen du parc").unit == "années" and _row(rows, "Age moyen du parc").regional is None


def test_markdown_table_columns_are_found_by_name(corpus_texts):
    """003 puts the national reference before the regional one."""
    rows = indicators(corpus_texts["003_12d7f4ee594b802f.txt"])
    assert len(rows) == 9
    aid = _row(rows, "Bénéficiaires d'aide au logement")
    assert (aid.organism, aid.national, aid.regional, aid.unit) == ("45", "46.7", "59.5", "%")
    assert _row(rows, "Loyers mensuels (€/m² de surface corrigée)").unit == "€/m² de surface corrigée"
    assert _row(rows, "Fonds de roulement net global (mois").organism == "5"  # "5<br>Quartile : 3"


def test_category_with_a_year_and_values_with_units(corpus_texts):
    rows = indicators(corpus_texts["004_964ee9d999fa8f65.txt"])
    assert len(rows) == 16
    age = _row(rows, "Âge moyen du parc")
    assert (age.organism, age.regional, age.national, age.unit) == ("41 ans", "37 ans", "39 ans", "ans")
    assert _row(rows, "Taux de rotation 2016").year == 2016
    funds = _row(rows, "Fonds disponibles à terminaison des opérations (en euros")
    assert (funds.organism, funds.unit) == ("1 812 €", "€")
    credit = _row(rows, "Taux de créances")
    assert (credit.regional, credit.national, credit.source) == (
        None, "14,1%", "Bolero 2016 : ensemble des OPH et SA de province")


@pytest.mark.parametrize("name", ["000_ad04bc466fc4cae0.txt", "002_6bf2bb461188af34.txt"])
def test_no_rows_without_a_readable_table(corpus_texts, name):
    """A letter has no fiche; 002's PDF extraction scattered the table's columns over separate lines."""
    assert indicators(corpus_texts[name]) == []
