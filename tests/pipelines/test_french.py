"""The language home: one accent folding, sourced thesaurus, acronyms mined from a document, kind intents."""

import pytest

from ancols_nlp.pipelines import french
from ancols_nlp.pipelines.french.acronyms import Acronym, glossary_row, mine_acronyms


def test_one_folding_for_case_and_accents():
    assert french.fold("Élevée À L'ŒIL") == "elevee a l'œil"
    assert french.fold("Coop'Ivry Habitat") == "coop'ivry habitat"


def test_every_thesaurus_group_cites_its_source():
    groups = french.thesaurus()
    assert groups and all(len(g.phrases) >= 2 and g.source for g in groups)
    assert any(g.phrases == ("CAL", "commission d'attribution des logements") and "L441-2" in g.source for g in groups)


@pytest.mark.parametrize("text, pair", [
    ("La commission d'attribution des logements (CAL) se réunit chaque mois.",
     ("CAL", "commission d'attribution des logements")),
    ("Le plan stratégique de patrimoine (PSP) date de 2017.", ("PSP", "plan stratégique de patrimoine")),
    ("Il est dirigé par l'Office Public de l'Habitat (OPH) de la ville.", ("OPH", "Office Public de l'Habitat")),
    ("Les habitations à loyer modéré (HLM) du quartier.", ("HLM", "habitations à loyer modéré")),
    ("La CUS (convention d'utilité sociale) a été signée en 2011.", ("CUS", "convention d'utilité sociale")),
    ("La dotation aux provisions pour gros entretien (PGE) augmente.", ("PGE", "provisions pour gros entretien")),
    ("Les procès-verbaux (PV) du conseil ne sont pas signés.", ("PV", "procès-verbaux")),
])
def test_a_document_defines_its_acronyms(text, pair):
    assert mine_acronyms(text) == (Acronym(*pair),)


@pytest.mark.parametrize("text", [
    "Le taux de vacance atteint 4,2 % (2019).",
    "Les loyers sont plafonnés (cf. supra).",
    "La société (SA) a été créée en 1958.",  # one word cannot spell two letters
    "La caisse (CA) est vide.",
    "Le DPE (voir annexe 3) est à jour.",
    "Les logements (T3) sont grands.",
    "Le conseil s'est réuni (CA).",  # the long form must start with the acronym's letter, a content word
])
def test_what_is_not_an_acronym_definition(text):
    assert mine_acronyms(text) == ()


@pytest.mark.parametrize("row", [  # rows of the corpus reports' lists of acronyms, as the layout reads them
    "GIE\tGroupement d'Intérêt Économique\tUSH\tUnion Sociale pour l'Habitat",
    "| <b>DTA</b>   | Dossier technique d'amiante                    | <b>SA d'HLM</b>   |",
    "CGLLS\tCaisse de Garantie du Logement Locatif Social\tSA d'HLM\tSociété Anonyme d'HLM",
])
def test_a_glossary_row_pairs_an_acronym_with_its_long_form(row):
    assert glossary_row(row)


@pytest.mark.parametrize("row", [
    "2.2\tGouvernance et management\t7",  # a table of contents' line
    "| FEVRIER   | Jeu 19 à 13 h 30  | Jeu 19 à 14 h 00  |",  # upper-case cell, no long form of it
    "ACNE\t4 778 144",
    "La commission d'attribution des logements (CAL) se réunit chaque mois.",  # a definition in running text
    "CAL\tcommission des finances",  # initials that do not spell it
])
def test_what_is_not_a_glossary_row(row):
    assert not glossary_row(row)


@pytest.mark.parametrize("name", ["000_ad04bc466fc4cae0.txt", "002_6bf2bb461188af34.txt", "004_964ee9d999fa8f65.txt"])
def test_a_report_typed_with_the_modifier_apostrophe_defines_the_same_acronyms(corpus_texts, name):
    """Some keyboards and word processors type the apostrophe as U+02BC ("lʼhabitat"), which the analyzer reads as
    one (fr-4) but the mining did not: "conseil dʼadministration (CA)" spelled "cd", and "CA" went unmined."""
    typed = corpus_texts[name].replace("'", "\u02bc").replace("’", "\u02bc")
    expected = tuple(Acronym(a.short, a.long.replace("'", "\u02bc").replace("’", "\u02bc"))
                     for a in mine_acronyms(corpus_texts[name]))
    assert any("\u02bc" in a.long for a in expected) and mine_acronyms(typed) == expected


@pytest.mark.parametrize("text, pair", [
    ("La CUS de lʼOPH (Office Public de lʼHabitat) a été signée.", ("OPH", "Office Public de lʼHabitat")),
    ("LʼEPCI (Établissement Public de Coopération Intercommunale) porte le programme local de lʼhabitat.",
     ("EPCI", "Établissement Public de Coopération Intercommunale")),
    ("LʼUnion Sociale pour lʼHabitat (USH) publie un guide.", ("USH", "Union Sociale pour lʼHabitat")),
])
def test_an_acronym_after_an_elided_article_of_any_case_and_apostrophe_is_mined(text, pair):
    assert mine_acronyms(text) == (Acronym(*pair),)


def test_a_definition_is_kept_once_in_its_first_wording():
    text = ("Le conseil d'administration (CA) vote le budget. Le conseil d'administration (CA) se réunit. "
            "Le supplément de loyer de solidarité (SLS) est appliqué.")
    assert mine_acronyms(text) == (Acronym("CA", "conseil d'administration"),
                                   Acronym("SLS", "supplément de loyer de solidarité"))


@pytest.mark.parametrize("query, kinds", [
    ("l'organisme s'engage à réduire la vacance", ("rebuttal",)),
    ("la société s'est engagée à revoir ses loyers", ("rebuttal",)),
    ("dans sa réponse, la société conteste", ("rebuttal",)),
    ("qu'a répondu l'organisme sur les impayés", ("rebuttal",)),
    ("la société fait valoir la livraison récente", ("rebuttal",)),
    ("réponse aux demandes de logement", ()),  # an answer to applicants, not a rebuttal
    ("engagements hors bilan et emprunts", ()),
    ("demandes de logement en attente", ()),  # a request for housing, not a prescription
    ("l'Agence demande à la société de régulariser", ("recommendation",)),
    ("ce que l'organisme doit faire pour la vacance", ("recommendation",)),
    ("les recommandations sur la commande publique", ("recommendation",)),
    ("les irrégularités constatées dans les attributions", ("observation",)),
    ("points faibles de la gestion locative", ("observation",)),
    ("l'organisme conteste les constats du rapport", ("rebuttal", "observation")),
    ("vacance commerciale élevée", ()),
])
def test_wording_asks_for_a_kind(query, kinds):
    assert french.kind_intents(query) == kinds


@pytest.mark.parametrize("typed, written", [
    ("fumees", "fumées"), ("fumee", "fumée"), ("solidarite", "solidarité"), ("financiere", "financière"),
    ("financieres", "financières"), ("systemes", "systèmes"), ("bareme", "barème"),
    ("impayes", "impayés"), ("impaye", "impayé"),
])
def test_an_ending_french_writes_accented_is_respelled(typed, written):
    assert french.accented(typed) == written


def test_a_word_with_an_accent_or_without_such_an_ending_is_left():
    assert french.accented("fumée") is None  # typed with its accent already
    assert french.accented("loyer") is None and french.accented("taux") is None  # no accented-only ending
    assert french.accented("ee") is None  # an ending alone is no word
