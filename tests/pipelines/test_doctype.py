"""Document type and identity on the shared corpus (reports in PDF-dump and markdown layouts, a reply letter)."""

import pytest

from pipelines.doctype import doc_type, read_meta

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
    text = ("**Rapport définitif n° 2014-098 Septembre 2015**\n**Société anonyme d'HLM «Lozère Habitations»**\n**Mende (48)**\n\n"
            + "Lozère Habitations gère 1 814 logements. " * 3)
    meta = read_meta(text)
    assert (meta.organism, meta.report_number, meta.doc_type) == ("Lozère Habitations", "2014-098", "report")


def test_letter_names_the_controlled_organism_not_the_agency():
    text = ("Madame la Directrice Générale,\n\nUn rapport de contrôle sur la Maison Familiale de Provence a été effectué par "
            "l'ANCOLS en 2023. Le conseil d'administration de la Maison Familiale de Provence a pris acte des observations. "
            "Nous contestons l'analyse de l'ANCOLS sur la vacance, que la Maison Familiale de Provence a réduite.\n")
    meta = read_meta(text)
    assert meta.doc_type == "reply"
    assert meta.organism == "Maison Familiale de Provence"


def test_reply_title_makes_a_reply_even_without_a_salutation():
    assert doc_type("# Réponse de l'organisme au rapport définitif n° 2017-101\n\nLa société conteste…") == "reply"
