"""How a search query is read: the organisms it names (from the stored names) and the themes it is all about."""

from __future__ import annotations

import pytest

from ancols_nlp.index.query_intents import mentioned_organisms, query_themes, read_query
from ancols_nlp.pipelines.organism_names import organisms as grouped

# The organisms of the corpus reports, as the documents name them (pipelines/doctype.py).
STORED = ["Coop'lvry Habitat", "Espace Domicile", "LOGIDIA", "Lozère Habitations", "Le Toit Forézien"]
KNOWN = grouped(dict.fromkeys(STORED, 1))  # each its own organism


@pytest.mark.parametrize("query, organisms, text", [
    ("lozere habitations : vacance des logements familiaux", ("Lozère Habitations",),
     "vacance des logements familiaux"),
    ("Logidia, coûts de gestion", ("LOGIDIA",), "coûts de gestion"),
    ("remise en état des logements au Toit Forézien", ("Le Toit Forézien",), "remise en état des logements au"),
    ("coop'lvry habitat, relations avec la coopérative", ("Coop'lvry Habitat",), "relations avec la coopérative"),
    ("Espace Domicile", ("Espace Domicile",), "Espace Domicile"),  # the name alone stays what is matched
    ("domicile des locataires", (), "domicile des locataires"),  # a part of a name is not the name
])
def test_a_stored_organism_named_in_the_query_leaves_the_matched_words(query, organisms, text):
    intent = read_query(query, KNOWN)
    assert intent.organisms == organisms and intent.text == text


@pytest.mark.parametrize("query", ["charges récupérables Coop'Ivry Habitat", "charges récupérables Coop'lvry Habitat"])
def test_an_organism_named_by_one_spelling_is_every_spelling_it_is_stored_under(query):
    """The report writes "Coop'Ivry Habitat", its reply letter read by OCR "Coop'lvry Habitat"
    (pipelines/organism_names.py): either name asks for both documents' passages."""
    known = grouped({"Coop'Ivry Habitat": 1, "Coop'lvry Habitat": 1, "Espace Domicile": 1})
    intent = read_query(query, known)
    assert intent.organisms == ("Coop'Ivry Habitat", "Coop'lvry Habitat") and intent.text == "charges récupérables"


def test_organisms_are_recognised_only_among_the_stored_ones():
    assert read_query("Lozère Habitations politique des loyers").organisms == ()
    assert mentioned_organisms("le toit", STORED) == ((), "le toit")


@pytest.mark.parametrize("query, themes", [
    ("contrôle interne", ("gouvernance",)),
    ("Que dit le rapport sur les marchés publics ?", ("commande_publique",)),
    ("sécurité et accessibilité", ("patrimoine",)),
    ("recouvrement des impayés", ("impayes",)),
    # other words say what the query is about: the theme's passages are not favoured
    ("vacance des parkings", ()),
    ("entretien des ascenseurs", ()),
    ("loyers pratiqués au-dessus des plafonds", ()),
])
def test_a_theme_is_an_intent_only_when_its_wording_is_the_whole_topic(query, themes):
    assert query_themes(query) == themes


def test_kinds_themes_and_organism_read_together():
    intent = read_query("Le Toit Forézien : recommandations sur la gouvernance", KNOWN)
    assert intent == intent.__class__(text="recommandations sur la gouvernance", kinds=("recommendation",),
                                      organisms=("Le Toit Forézien",), themes=("gouvernance",))
