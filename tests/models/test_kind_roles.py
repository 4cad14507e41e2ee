"""Roles in the kind features: who speaks (control body or organism), carried across a paragraph, and the
"doit / il convient" that prescribe nothing. Sentences of our own making, ANCOLS-style and chamber-style."""

import pytest

from ancols_nlp.models.kinds import cues, decisions, roles
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


@pytest.mark.parametrize("sentence, voice", [
    # verbs whose first sense is not saying report the organism's voice only with a clause
    ("Monsieur Durand a assuré la direction générale de la société de 2012 à 2018.", ""),
    ("La société assure elle-même la tenue de sa comptabilité.", ""),
    ("La société propose à chaque nouveau locataire de souscrire une part sociale.", ""),
    ("La société a justifié du respect des délais de mise en sécurité des ascenseurs.", ""),
    ("Le coût de cette mesure resterait mineur pour l'organisme, qui dispose de réserves.", ""),
    ("La société assure que les diagnostics seront achevés en 2021.", roles.ORG_VOICE),
    ("L'office considère que ses loyers restent modérés.", roles.ORG_VOICE),
    ("L'organisme rappelle qu'un plan de vente a été adopté en 2017.", roles.ORG_VOICE),
    ("Pour la société, ces écarts ne sont que temporaires.", roles.ORG_VOICE),
    # the opening says whose answer it is, whatever the verb
    ("Dans sa réponse, la société développe d'autres arguments pour faire valoir sa position.", roles.ORG_VOICE),
    ("La société a agi en réponse aux attentes des communes.", ""),
    # the author refuting the answer, subject unnamed
    ("Contrairement à ce qu'indique l'ordonnateur, la charte n'a jamais été adoptée.", roles.BODY),
    ("Ces arguments ne sont pas de nature à modifier l'appréciation portée sur les loyers.", roles.BODY),
    # a past participle after "être" is a state, and "objectif" a noun: no speech act
    ("Le précédent rapport relève que le rôle social de la société est très affirmé.", ""),
    ("La société a pour objectif majeur l'amélioration de l'accessibilité de ses logements.", ""),
    ("L'office objecte que ce calcul omet les logements en vente.", roles.ORG_VOICE),
    # a request of the control body is a prescription
    ("Deux processus comptables ont retenu son attention, pour lesquels l'Agence sollicite un réexamen :",
     roles.BODY),
])
def test_speech_verbs_and_refutations(sentence, voice):
    assert roles.own_voice(sentence) == voice


def test_a_paragraph_opened_by_the_answer_reports_the_answer_until_the_control_body_speaks():
    answer = paragraph("En réponse aux observations provisoires, l'office indique que le plan sera révisé.",
                       "Deux promesses de vente ont été signées en 2019.",
                       "Il précise par ailleurs que les ventes reprendront en 2021.",
                       "L'Agence maintient que ce plan n'est pas financé.",
                       "Le fonds de roulement reste faible.")
    told = paragraph("La société a indiqué en cours de contrôle que le plan serait révisé.",
                     "Le plan de 2015 prévoyait 20 ventes par an.", start=800)
    who = roles.voices([c.text for c in answer + told], [c.block_start for c in answer + told])
    assert [v.reply for v in who] == [True, True, True, False, False, False, False]


def test_a_pronoun_stands_for_the_last_role_named_across_a_list():
    texts = ["En réponse, l'organisme indique que ce diagnostic a un intérêt limité pour deux raisons :",
             "- il porte sur les parties communes ;", "- il ne prescrit aucun travaux.",
             "Il ajoute qu'un repérage est fait à chaque relocation."]
    who = roles.voices(texts, [0, 1, 2, 3])
    assert (who[3].own, who[3].reply) == (roles.ORG_VOICE, True)


@pytest.mark.parametrize("sentence, prescribes", [
    ("Sur ce point, le règlement intérieur devra être modifié.", True),
    ("Ce point devra faire l'objet d'une régularisation rapide.", True),
    ("Le niveau des impayés devrait appeler de la part de l'office une analyse approfondie.", True),
    ("En conséquence, Habitat Sud devra modifier sa procédure de convocation.", True),
    ("Le résultat devrait s'améliorer dès 2020 avec la baisse des taux.", False),
    ("Le pouvoir adjudicateur doit modifier l'avis de marché avant sa publication.", False),
])
def test_a_duty_to_remedy_whatever_its_subject(sentence, prescribes):
    assert decisions.prescribed(sentence, decisions.REMEDY) == prescribes


@pytest.mark.parametrize("texts, block, kind", [
    (["Recommandation n°2 : mettre en place un plan de contrôle interne."], "heading", "recommendation"),
    (["Recommandation 4 :", "Formaliser la procédure d'achat pour les marchés à procédure adaptée."], "paragraph",
     "recommendation"),
    (["Les recommandations du précédent rapport ont été mises en œuvre."], "paragraph", None),
])
def test_a_labelled_recommendation_is_one_wherever_the_layout_puts_it(texts, block, kind):
    context = SentenceContext(text=texts[-1], block=block, previous=texts[0] if len(texts) > 1 else "")
    assert decisions.place_decision(context, "heading") == kind


@pytest.mark.parametrize("sentence, previous, rule", [
    ("La charte prévoit qu'il appartient au comité de fixer les plafonds d'exposition.", "", True),
    ("Elle décrit les éléments que doit définir ce cadre de gestion.", "La charte a été adoptée en 2008.", True),
    ("Il ajoute que « les achats doivent respecter les principes de la commande publique.", "", True),
    ("La société doit respecter la « règle des trois devis ».", "", False),
    ("Des moyens de lutte contre l'incendie doivent être prévus pour tous les parcs. »",
     "L'absence d'extincteurs n'est pas conforme à l'article 96 de l'arrêté, en vertu duquel «", True),
    ("Elle doit réviser sa charte.", "La société a adopté une charte en 2008.", False),
])
def test_the_content_of_a_rule_is_not_an_order(sentence, previous, rule):
    assert decisions.states_a_rule(SentenceContext(text=sentence, block="paragraph", previous=previous)) == rule


def test_a_duty_inside_a_quotation_cut_into_sentences_is_not_an_order():
    article = paragraph("L'absence d'extincteurs n'est pas conforme à l'article 96 de l'arrêté, en vertu duquel « Des"
                        " moyens de lutte contre l'incendie doivent être prévus pour tous les parcs.",
                        "Ces extincteurs doivent être des types 13 A ou 21 B. »",
                        "La société doit installer des extincteurs dans ce parking.")
    assert decisions.quoted_flags(article) == [False, True, False]
    assert [decisions.overrule("recommendation", d) for d in decisions.role_decisions(article)[1:]] == [
        "observation", "recommendation"]


def test_the_control_body_taking_note_of_a_commitment_is_an_observation():
    context = SentenceContext(text="La chambre prend acte de la volonté de la société de compléter ce rapport.",
                              block="paragraph")
    decided = decisions.role_decision(context, False, roles.Voice(own=roles.BODY))
    assert decisions.overrule("recommendation", decided) == "observation"


@pytest.mark.parametrize("sentence, kind", [
    ("L'office est invité à poursuivre ses efforts de recouvrement.", "recommendation"),
    ("Les entreprises sont invitées à communiquer les postes à pourvoir.", None),
])
def test_the_organism_invited(sentence, kind):
    context = SentenceContext(text=sentence, block="paragraph")
    assert decisions.role_decision(context, False, roles.Voice()) == kind


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
    ("En vertu de l'article L. 225-38 du code de commerce, toute convention conclue avec le directeur général doit"
     " être autorisée par le conseil.", "legal_rule"),
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


@pytest.mark.parametrize("sentence, advice", [
    ("Un rapprochement mensuel des comptes pourrait être effectué afin de fiabiliser les provisions.", True),
    ("Les excédents pourraient être mobilisés pour financer la réhabilitation du parc ancien.", True),
    ("Cette solution aurait pour intérêt de regrouper les coûts de structure dans un seul compte.", True),
    ("Un plan pluriannuel présenterait l'avantage d'une meilleure visibilité sur les travaux.", True),
    # a hypothesis or a figure in the conditional advises nothing: no purpose clause
    ("Cet écart pourrait notamment être lié à la gestion des copropriétés.", False),
    ("Le besoin de financement pourrait être ramené à 2 M€ en 2020.", False),
])
def test_conditional_advice(sentence, advice):
    assert bool(cues.FEATURE_CUES["rec_soft"].search(sentence)) is advice


@pytest.mark.parametrize("sentence, kind", [
    ("Pour la bonne information du conseil, le directeur général pourrait présenter chaque année le suivi des"
     " impayés.", "recommendation"),
    ("La société pourrait utilement revoir la répartition des charges de chauffage.", "recommendation"),
    # what may happen to the organism is no advice
    ("La société pourrait être amenée à céder une partie de son patrimoine.", None),
    ("L'office pourrait connaître des tensions de trésorerie à partir de 2022.", None),
])
def test_the_organism_told_what_it_could_do(sentence, kind):
    assert decisions.role_decision(SentenceContext(text=sentence, block="paragraph"), False, roles.Voice()) == kind


def test_the_organism_saying_what_it_could_do_is_its_answer():
    context = SentenceContext(text="La société pourrait présenter un plan de cession dès 2020.", block="paragraph")
    assert decisions.role_decision(context, False, roles.Voice(own=roles.ORG_VOICE)) == "rebuttal"


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


# An answer reported over a paragraph, as ANCOLS reports print it (italic in the PDF, plain in the text), and
# the control body's comments on the organism's règlement intérieur inside an annex.
ANSWER_REPORT = """Rapport définitif de contrôle n°2020-017

## 3.2 Politique de vente

<obs>L'objectif de vente de la convention d'utilité sociale n'est pas atteint : aucune vente n'a abouti.</obs>

<rec>La société doit revoir sa politique de vente.</rec> <rec>Un plan de vente pluriannuel constituerait un \
progrès.</rec>

<reb>En réponse aux observations provisoires, l'organisme considère que sa politique de vente est prudente. \
Deux promesses de vente ont été signées en 2019. Il précise par ailleurs que les ventes reprendront en 2021.</reb>

<obs>Monsieur Durand a assuré la direction générale de la société de 2012 à 2018.</obs>

<obs>La société assure elle-même la tenue de sa comptabilité.</obs>

## 3.3 Patrimoine

<obs>Le parc compte 2 790 logements, dont 40 % de logements individuels.</obs>

<obs>L'âge moyen du parc est de 41 ans.</obs>

<obs>La vacance commerciale atteint 6,0 % fin 2017.</obs>

## Annexe 2 Règlement intérieur de la commission d'attribution

<other>Article 3 : la commission se réunit une fois par mois au siège de la société.</other>

<rec>Sur ce point, le règlement intérieur devra être modifié.</rec>
"""


# Findings, answers and prescriptions in labelled boxes; the organism's answer may be in the first person.
BOXED_REPORT = ("""Rapport définitif de contrôle n°2021-005

## 1.1 Présentation de l'organisme

""" + "<obs>Le parc de la société compte 2 790 logements familiaux répartis sur 40 communes.</obs>\n\n" * 20 + """
## 2.1 Gouvernance

<obs>Observation n°3 : Le conseil d'administration n'a pas délibéré sur la politique d'attribution.</obs>

Réponse de l'organisme :

<reb>Nous avons inscrit la politique d'attribution à l'ordre du jour du conseil de juin 2021.</reb> \
<reb>Le projet de délibération a été transmis aux administrateurs.</reb>

<obs>Analyse de l'Agence : L'Agence prend acte de cet engagement.</obs>

<rec>Obligation de faire n°2 : Délibérer sur les orientations applicables aux attributions.</rec>
""")


# Shapes read in the unlabelled reports: bare nominal items of the fiche's lists, a request of the control body
# announcing a list, a previous report's content, a near future, the vigilance and expected-event formulas, the
# organism's own sales procedure.
FICHE_REPORT = ("""Rapport de contrôle n°2018-033

## POINTS FORTS

<obs>- Coûts de production maîtrisés</obs>

<obs>- Rôle social affirmé</obs>

## POINTS FAIBLES

<obs>- Erosion de la structure financière liée au programme d'amélioration envisagé</obs>

<rec>- Stratégie de vente à préciser</rec>

""" + "<obs>Le parc de la société compte 2 790 logements familiaux répartis sur 40 communes.</obs>\n\n" * 20 + """
## 1. Préambule

<obs>Le précédent rapport de contrôle relève que le rôle social de la société est très affirmé.</obs>

<obs>La société a pour objectif majeur l'amélioration de l'accessibilité de ses logements.</obs>

<obs>Plus de dix organismes se partagent le parc du département et des regroupements devront avoir lieu.</obs>

## 4.5 Vente de patrimoine

### 4.5.1 Procédure

<obs>La sélection des candidats acquéreurs s'effectue par ordre d'arrivée.</obs>

<obs>Un agent de la gestion locative a en charge le suivi des ventes.</obs>

## 5.1 Tenue de la comptabilité

<rec>Deux processus comptables ont retenu son attention, pour lesquels l'Agence sollicite un réexamen :</rec>

<rec>- les pertes sur les instruments de couverture sont enregistrées au compte 6718 ;</rec>

<rec>- les charges de mutualisation transitent par deux comptes distincts.</rec>

## 5.5 Projection financière

<obs>Il n'est pas possible d'apprécier ces cessions, faute de connaître la stratégie que la société va mettre \
en place.</obs>

<rec>L'endettement représente 21 années d'autofinancement, un niveau qui impose de faire preuve d'une grande \
vigilance.</rec>
""")


@pytest.mark.parametrize("marked", [CHAMBER_REPORT, AGENCY_REPORT, ANSWER_REPORT, BOXED_REPORT, FICHE_REPORT],
                         ids=["chamber", "agency", "answer", "boxed", "fiche"])
def test_kinds_follow_roles_in_a_report(marked):
    from gold import covering, process_marked

    text, gold, doc = process_marked(marked)
    wrong = [(span.kind, covering(doc, span).kind, text[span.start:span.end]) for span in gold
             if covering(doc, span).kind != span.kind]
    assert not wrong
