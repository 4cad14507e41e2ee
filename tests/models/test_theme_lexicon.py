"""The theme lexicon: every entry names its source, and words shared by two themes go to the one they mean."""

import pytest

from ancols_nlp.models.themes.lexicon import LEXICON_FILE
from ancols_nlp.models.themes.scoring import lexicon_counts, thematic_headings, theme_scores

LEGEND_SOURCES = {"guide", "v1", "CCH", "CCP", "compta", "travail", "outline"}


def test_every_entry_names_a_source_of_the_legend():
    rows = [line.rstrip("\n").split("\t") for line in LEXICON_FILE.read_text(encoding="utf-8").splitlines()
            if line and not line.startswith("#")]
    assert rows
    for theme, pattern, source in rows:
        assert any(code in source for code in LEGEND_SOURCES), (theme, pattern, source)


@pytest.mark.parametrize(("text", "theme", "not_theme"), [
    # a tenants' satisfaction survey is service quality; the occupation survey (OPS) is who is housed
    ("La société a conduit une enquête de satisfaction auprès de ses locataires.", "qualite_service",
     "occupation_sociale"),
    ("L'enquête OPS a été transmise dans les délais.", "occupation_sociale", None),
    # new supply is development, not a tender's offers
    ("L'offre nouvelle a progressé de 120 logements.", "developpement", "commande_publique"),
    ("Trois offres ont été remises par les entreprises.", "commande_publique", None),
    # the housing market is not a public contract
    ("Le marché local de l'habitat est détendu.", None, "commande_publique"),
    ("Le marché de nettoyage a été renouvelé sans mise en concurrence.", "commande_publique", None),
    # a vacant post is staff, not an unlet dwelling
    ("Les postes vacants sont publiés sur le site de recrutement.", "gouvernance", "vacance"),
    ("La vacance de poste du directeur général a duré six mois.", "gouvernance", "vacance"),
    ("La vacance commerciale atteint 4 % du parc.", "vacance", None),
    # reduced mobility is accessibility of the stock, not tenants' turnover
    ("Peu de logements sont adaptés aux personnes à mobilité réduite.", "patrimoine", "vacance"),
    # the economic accessibility of the stock is its rents
    ("Accessibilité économique du parc", "loyers_charges", "patrimoine"),
    ("Les ressources humaines comptent 40 salariés.", "gouvernance", "occupation_sociale"),
    ("Les swaps de taux couvrent une partie des emprunts.", "finances", "comptabilite"),
    ("Le bilan fonctionnel fait apparaître un fonds de roulement confortable.", "finances", "comptabilite"),
    ("Une convention collective s'applique au personnel.", "gouvernance", "loyers_charges"),
    ("Les loyers respectent les plafonds des conventions APL.", "loyers_charges", None),
    ("Les quartiers prioritaires de la ville concentrent le parc de logements.", "patrimoine", "attributions"),
])
def test_shared_words_go_to_the_theme_they_mean(text, theme, not_theme):
    counts = lexicon_counts(text)
    assert theme is None or counts.get(theme), (text, counts)
    if not_theme:
        assert not_theme not in counts, (text, counts)


def test_generic_headings_give_no_lexicon_evidence():
    """An annex title names its table, not the footnotes printed after it."""
    neutral = "Le devis a été modifié en cours de chantier."
    assert theme_scores(neutral, ("ANNEXE 3 – DÉCOMPOSITION DU RÉSULTAT FINANCIER",)) == {}
    assert "finances" in theme_scores(neutral, ("6. ANALYSE FINANCIERE",))


def test_a_long_run_of_numerals_in_a_heading_is_read_in_one_pass():
    """A heading of numbers or roman-numeral letters ("XXXX…", a table's row of years, as /classify's section_path
    may send) made the "numbered présentation" heading pattern backtrack exponentially: 25 characters took 5 s of
    CPU, 40 never finished. A numbered présentation is still generic; the numbers alone are not."""
    assert thematic_headings(("II. 1. Présentation de l'organisme", "X" * 60, "2015 2016 2017" * 20)) == [
        "X" * 60, "2015 2016 2017" * 20]
    assert theme_scores("Le devis a été modifié.", ("1" * 200,)) == {}


@pytest.mark.parametrize(("text", "theme"), [
    # staff and HR vocabulary (code du travail) is gouvernance: payroll, contracts, hiring and dismissal
    ("La masse salariale a diminué de 8 % en deux ans.", "gouvernance"),
    ("Le recours aux CDD et à l'intérim a été limité.", "gouvernance"),
    ("Le licenciement du responsable technique a été prononcé en 2022.", "gouvernance"),
    # the information system, usually in the plural, and the board's minutes
    ("Le schéma directeur des systèmes d'information reste à écrire.", "gouvernance"),
    ("Les procès-verbaux des séances sont tenus à jour.", "gouvernance"),
    # closing, approving and certifying the accounts is accounting
    ("L'arrêté des comptes 2022 a pris six mois de retard.", "comptabilite"),
    ("La certification des comptes a été refusée par l'auditeur.", "comptabilite"),
    # the plan comptable général's vocabulary: year-end cut-off, fixed assets, the books
    ("Les charges constatées d'avance ne sont pas rattachées à l'exercice.", "comptabilite"),
    ("La perte de valeur des immeubles n'est pas constatée.", "comptabilite"),
    ("Les coûts internes sont portés en production immobilisée.", "comptabilite"),
    ("Le grand livre ne concorde pas avec la balance générale.", "comptabilite"),
    ("Les dotations aux amortissements suivent la méthode par composants.", "comptabilite"),
    # who is housed (the OPS survey, CCH L.442-5)
    ("Les emménagés récents disposent de ressources plus faibles que l'ensemble des locataires.",
     "occupation_sociale"),
    ("Un tiers des ménages perçoivent des minima sociaux (RSA, AAH).", "occupation_sociale"),
    ("La société veut éviter la paupérisation de certaines résidences.", "occupation_sociale"),
])
def test_staff_and_accounts_vocabulary(text, theme):
    assert lexicon_counts(text).get(theme), (text, lexicon_counts(text))


def test_a_note_call_glued_to_a_word_does_not_hide_it():
    # report 004's own sentence: folded, "marchés²⁹" was "marches29", which no entry ends on
    called = "Le contrôle effectué sur un échantillon de pièces de marchés²⁹ n'a pas révélé d'irrégularité."
    assert "commande_publique" in lexicon_counts(called)
