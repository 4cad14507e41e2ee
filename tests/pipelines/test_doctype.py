"""Document type and identity on the shared corpus (reports in PDF-dump and markdown layouts, a reply letter)."""

import pytest

from ancols_nlp.pipelines.doctype import doc_type, read_meta

EXPECTED = {
    "000_ad04bc466fc4cae0.txt": ("reply", "Coop'lvry Habitat", None, 2024),
    "001_d290a1a4feb3bef7.txt": ("report", "Espace Domicile", "2016-047", 2016),
    "002_6bf2bb461188af34.txt": ("report", "LOGIDIA", "2016-051", 2016),
    "003_12d7f4ee594b802f.txt": ("report", "Lozère Habitations", "2014-098", 2014),
    "004_964ee9d999fa8f65.txt": ("report", "Le Toit Forézien", "2017-101", 2017),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_metadata(corpus_texts, name):
    meta = read_meta(corpus_texts[name])
    assert (meta.doc_type, meta.organism, meta.report_number, meta.year) == EXPECTED[name]


def test_name_before_its_legal_form():
    text = ("Habitat du Nord Société anonyme d'habitations à loyer modéré\n\nRAPPORT DE CONTRÔLE N° 2019-012\n\n"
            + "Habitat du Nord dispose de 4 000 logements. " * 5)
    assert read_meta(text).organism == "Habitat du Nord"


def test_quoted_name_after_its_legal_form_without_department():
    text = ("**Rapport définitif n° 2014-098 Septembre 2015**\n**Société anonyme d'HLM «Lozère Habitations»**\n"
            "**Mende (48)**\n\n"
            + "Lozère Habitations gère 1 814 logements. " * 3)
    meta = read_meta(text)
    assert (meta.organism, meta.report_number, meta.doc_type) == ("Lozère Habitations", "2014-098", "report")


def test_letter_names_the_controlled_organism_not_the_agency():
    text = ("Madame la Directrice Générale,\n\nUn rapport de contrôle sur la Maison Familiale de Provence a été "
            "effectué par l'ANCOLS en 2023. Le conseil d'administration de la Maison Familiale de Provence a pris "
            "acte des observations. "
            "Nous contestons l'analyse de l'ANCOLS sur la vacance, que la Maison Familiale de Provence a réduite.\n")
    meta = read_meta(text)
    assert meta.doc_type == "reply"
    assert meta.organism == "Maison Familiale de Provence"


def test_reply_title_makes_a_reply_even_without_a_salutation():
    assert doc_type("# Réponse de l'organisme au rapport définitif n° 2017-101\n\n"
                    "La société conteste…") == "reply"


def test_a_report_quoting_an_answer_under_its_title_stays_a_report():
    assert doc_type("RAPPORT DE CONTRÔLE N° 2019-012\n\nSynthèse\n\nLa société doit réduire sa vacance.\n\n"
                    "Réponse de l'organisme : la société s'engage à réduire sa vacance.\n") == "report"


def test_a_reply_letter_s_title_is_what_it_answers_not_its_salutation(corpus_texts):
    """Letter 000's title was its first line, "Monsieur le Directeur Général,"; it opens on a salutation, a place and
    date and the agency's address, and has no object line: its title says whom and what it answers. A report's
    title stays its first line."""
    letter = corpus_texts["000_ad04bc466fc4cae0.txt"]
    assert letter.lstrip().startswith("Monsieur le Directeur Général,")
    assert read_meta(letter).title == "Coop'lvry Habitat : réponse au rapport de contrôle"
    assert read_meta(corpus_texts["002_6bf2bb461188af34.txt"]).title == "RAPPORT DEFINITIF DE CONTRÔLE"


@pytest.mark.parametrize(("line", "title"), [
    ("Objet : Réponse au rapport définitif n° 2019-012", "Réponse au rapport définitif n° 2019-012"),
    ("Objet : contrôle de la société Habitat du Nord", "contrôle de la société Habitat du Nord"),
    ("Réponses de l'organisme au rapport n° 2019-012", "Réponses de l'organisme au rapport n° 2019-012"),
])
def test_a_reply_letter_s_object_line_is_its_title(line, title):
    text = (f"Madame la Directrice Générale,\n\nLille, le 3 mai 2021\n\nANCOLS\n\n{line}\n\n"
            "Nous avons pris connaissance du rapport de contrôle sur la société Habitat du Nord. " * 2)
    meta = read_meta(text)
    assert (meta.doc_type, meta.title) == ("reply", title)


IDENTITY = {  # legal form, département code and name, date, control period
    "000_ad04bc466fc4cae0.txt": ("coopérative d'HLM", None, None, "2024-12-20", "2018-2022"),
    "001_d290a1a4feb3bef7.txt": ("SA d'HLM", "44", "Loire-Atlantique", "2017-11", "2011-2015"),
    "002_6bf2bb461188af34.txt": ("SA d'HLM", "01", "Ain", "2017-09", "2011-2015"),
    "003_12d7f4ee594b802f.txt": ("SA d'HLM", "48", "Lozère", "2015-09", "2009-2013"),
    "004_964ee9d999fa8f65.txt": ("coopérative d'HLM", "42", "Loire", "2019-04", "2013-2017"),
}


@pytest.mark.parametrize("name", sorted(IDENTITY))
def test_corpus_legal_form_departement_date_and_period(corpus_texts, name):
    """003 names a forecast period (2012-2021) more often than the reviewed one; 004 cites its previous
    report's date (août 2012) before its own."""
    meta = read_meta(corpus_texts[name])
    assert (meta.legal_form, meta.department_code, meta.department, meta.date, meta.control_period) == IDENTITY[name]


def test_office_public_and_overseas_departement():
    text = ("RAPPORT DE CONTRÔLE N° 2020-033 Mars 2022\n"
            "Office public de l'habitat de la Réunion Saint-Denis (974)\n\n"
            "Le contrôle porte sur les exercices 2015 à 2020. L'OPH gère 9 000 logements.")
    meta = read_meta(text)
    assert (meta.legal_form, meta.department_code, meta.department, meta.date, meta.control_period) == (
        "OPH", "974", "La Réunion", "2022-03", "2015-2020")


def test_a_target_year_is_not_the_document_s_date(corpus_texts):
    letter = corpus_texts["000_ad04bc466fc4cae0.txt"]
    dated = letter.replace("La Grande Arche", "La Grande Arche\n\nObjectif de neutralité carbone à l'horizon 2050", 1)
    assert dated != letter
    assert read_meta(dated).year == 2024
