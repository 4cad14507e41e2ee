"""Roles in the kind features: who speaks (control body or organism), carried across a paragraph, and the
"doit / il convient" that prescribe nothing. Sentences of our own making, ANCOLS-style and chamber-style."""

import pytest

from ancols_nlp.models.kinds import cues, roles
from ancols_nlp.models.kinds.features import FEATURE_NAMES, featurize, recommendation_list_flags
from ancols_nlp.pipelines.types import SentenceContext


def paragraph(*texts: str, start: int = 0) -> list[SentenceContext]:
    """Sentences of one block, with offsets, as the pipeline gives them."""
    out, pos, end = [], start, start + sum(len(t) + 1 for t in texts)
    for i, text in enumerate(texts):
        out.append(SentenceContext(text=text, block="paragraph", previous=texts[i - 1] if i else "",
                                   start=pos, end=pos + len(text), block_start=start, block_end=end))
        pos += len(text) + 1
    return out


def feature(contexts, name):
    column = FEATURE_NAMES.index(name)
    return [float(v) for v in featurize(contexts)[:, column]]


@pytest.mark.parametrize("sentence, previous, voice", [
    ("La société a précisé que les travaux seraient achevés en 2020.", "", roles.ORG_VOICE),
    ("Les services de l'office ont reconnu l'absence de procédure écrite.", "", roles.ORG_VOICE),
    ("L'ordonnateur a fait savoir que la charte serait révisée.", "", roles.ORG_VOICE),
    ("Selon la société, ces écarts s'expliquent par la vacance technique.", "", roles.ORG_VOICE),
    ("D'après ses dirigeants, le plan sera adopté en décembre.", "", roles.ORG_VOICE),
    ("Elle précise que la procédure a été revue.", "Dans sa réponse, la société conteste ce calcul.",
     roles.ORG_VOICE),
    ("La chambre recommandait en 2009 la mise en place d'un audit interne.", "", roles.BODY),
    ("La Cour relève que les provisions sont insuffisantes.", "", roles.BODY),
    ("L'Agence ne peut qu'inciter l'organisme à poursuivre ses efforts.", "", roles.BODY),
    ("La mission a constaté des retards dans la réalisation des diagnostics.", "", roles.BODY),
    # the pronoun is the control body or a document, not the organism
    ("Elle prend acte de l'engagement de la société.", "La chambre recommande une mise à jour de la charte.",
     roles.BODY),
    ("Elle précise les règles de mise en concurrence.", "La charte de déontologie a été adoptée en 2013.", ""),
    ("Le taux de vacance atteint 6,3 % en 2015.", "", ""),
])
def test_who_speaks(sentence, previous, voice):
    assert roles.own_voice(sentence, previous) == voice


def test_the_organism_voice_carries_to_the_end_of_its_paragraph_or_until_the_control_body_speaks():
    first = paragraph("En réponse, la société a indiqué que le plan de travaux avait été adopté.",
                      "Les chantiers démarreront au printemps.",
                      "L'Agence maintient que ce plan n'est pas financé.",
                      "Le fonds de roulement est faible.")
    second = paragraph("Le patrimoine compte 4 200 logements.", start=500)
    assert feature(first + second, "carried_org") == [0.0, 1.0, 0.0, 0.0, 0.0]
    assert feature(first + second, "carried_body") == [0.0, 0.0, 0.0, 1.0, 0.0]


@pytest.mark.parametrize("sentence, family", [
    ("Le pouvoir adjudicateur doit publier un avis d'attribution dans un délai de trente jours.", "legal_rule"),
    ("Les organismes d'HLM doivent transmettre chaque année l'enquête OPS au préfet.", "legal_rule"),
    ("La convention stipule que « le prestataire doit remettre un rapport mensuel ».", "quoted_must"),
    ("Il convient de rappeler que la société a été créée en 1952.", "discourse_convient"),
    ("Le ratio d'autofinancement devrait atteindre 12 % en 2021 puis ramener l'endettement à 30 ans.", "forecast"),
])
def test_duty_words_that_prescribe_nothing_are_told_apart(sentence, family):
    assert cues.FEATURE_CUES[family].search(sentence)
    assert feature(paragraph(sentence), "any_rec") == [0.0]


@pytest.mark.parametrize("sentence", [
    "La chambre recommandait que la stratégie financière soit définie par le conseil d'administration.",
    "La chambre invite la société à mettre à jour sa charte de gestion des risques.",
    "L'Agence ne peut qu'inciter l'office à formaliser ses procédures.",
    "La mission préconisait une refonte du règlement intérieur de la commission d'appel d'offres.",
    "Il importe que la société fiabilise son inventaire des logements.",
    "Il paraît essentiel de renforcer le contrôle interne des opérations financières.",
    "Il pourrait être intéressant que l'office réalise une enquête de satisfaction.",
    "Des efforts sont encore à mener pour réduire la vacance.",
])
def test_prescriptions_outside_the_doit_formula(sentence):
    assert feature(paragraph(sentence), "any_rec") == [1.0]


def test_infinitive_items_under_a_recommendations_title():
    title = SentenceContext(text="Recommandations", block="heading", start=0, end=15, block_start=0, block_end=15)
    items = paragraph("Se conformer à l'article R. 433-6 du code de la construction et de l'habitation.",
                      "Mettre en conformité le règlement intérieur de la commission d'appel d'offres.", start=20)
    after = SentenceContext(text="Procédure", block="heading", start=300, end=309, block_start=300, block_end=309)
    last = paragraph("Renforcer le contrôle interne est une priorité du groupe.", start=320)
    contexts = [title, *items, after, *last]
    assert recommendation_list_flags(contexts) == [True, True, True, False, False]
    assert feature(contexts, "rec_list_item") == [0.0, 1.0, 1.0, 0.0, 0.0]


@pytest.mark.parametrize("sentence", [
    "L'examen de la gestion de la société a été ouvert le 11 septembre 2015 par lettre du président"
    " de la chambre.",
    "En application de l'article L. 243-2 du code des juridictions financières, l'entretien a eu lieu le 21 janvier.",
    "La réponse de l'ordonnateur a été enregistrée au greffe le 30 septembre 2016.",
    "La chambre, lors de sa séance du 22 mars 2016, a arrêté ses observations provisoires.",
])
def test_the_control_procedure_is_boilerplate(sentence):
    assert feature(paragraph(sentence), "any_other") == [1.0]


CHAMBER_REPORT = """Rapport d'observations définitives

PROCÉDURE

<other>L'examen de la gestion de la société a été ouvert le 3 mars 2015 par lettre du président.</other>

<other>La réponse de l'ordonnateur a été enregistrée au greffe le 12 octobre 2016.</other>

LA COMMANDE PUBLIQUE

<obs>La commission d'appel d'offres ne s'est pas réunie en 2013.</obs>

<rec>La chambre recommande de mettre le règlement intérieur de la commission en conformité.</rec>

<obs>La chambre avait relevé en 2009 l'absence de procédure écrite.</obs>

<rec>Elle invitait alors la société à formaliser ses procédures d'achat.</rec>

<reb>Dans sa réponse, l'ordonnateur a précisé que la procédure serait révisée en 2017.</reb>

<obs>La chambre prend acte de cet engagement.</obs>

Recommandations

<rec>Mettre en conformité le règlement intérieur de la commission d'appel d'offres.</rec>

<rec>Se conformer aux règles de publicité des marchés publics.</rec>
"""

AGENCY_REPORT = """Rapport définitif de contrôle n°2019-042

## 2.2 Gouvernance et management

<rec>L'Agence ne peut qu'inciter l'office à mettre en place un contrôle interne.</rec>

<obs>Le pouvoir adjudicateur doit publier un avis d'attribution dans les trente jours.</obs>

<rec>Il importe que l'office respecte ce délai.</rec>

<obs>Il convient de rappeler que l'office a été créé en 1921.</obs>

<obs>Le fonds de roulement devrait atteindre 4 mois de dépenses en 2022.</obs>
"""


@pytest.mark.parametrize("marked", [CHAMBER_REPORT, AGENCY_REPORT], ids=["chamber", "agency"])
def test_kinds_follow_roles_in_a_report(marked):
    from gold import covering, process_marked

    text, gold, doc = process_marked(marked)
    wrong = [(span.kind, covering(doc, span).kind, text[span.start:span.end]) for span in gold
             if covering(doc, span).kind != span.kind]
    assert not wrong
