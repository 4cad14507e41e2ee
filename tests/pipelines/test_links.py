"""Rebuttals: the finding(s) they answer, with a confidence, and the stance they take (French cues).

The reports below are of our own making, in the ANCOLS layout: inline gold gives each passage its kind,
and each test names the findings an answer must (and must not) reach.
"""

import re

import pytest

from ancols_nlp.models.kinds.stance import stance
from ancols_nlp.pipelines.links import CALLED, MIN_CONFIDENCE, answer_blocks, link_rebuttals
from ancols_nlp.pipelines.types import Segment
from gold import covering, parse, process_marked

HEADING = re.compile(r"^(#+)\s+(.+)$", re.MULTILINE)


def linked(marked: str, **options) -> list[Segment]:
    """Segments of the inline-gold passages (kinds as marked, markdown headings as sections), linked."""
    text, spans = parse(marked)
    headings = [(m.start(), len(m.group(1)), m.group(2)) for m in HEADING.finditer(text)]
    segments = []
    for i, span in enumerate(spans):
        path: list[tuple[int, str]] = []
        for start, level, title in headings:
            if start < span.start:
                path = [p for p in path if p[0] < level] + [(level, title)]
        body = text[span.start:span.end]
        segments.append(Segment(id=i, start=span.start, end=span.end, text=body, kind=span.kind,
                                block="footnote" if body.startswith("<sup>") else "paragraph",
                                section_path=[title for _, title in path]))
    link_rebuttals(segments, text, stance, **options)
    return segments


def containing(segments: list[Segment], words: str) -> Segment:
    return next(s for s in segments if words in s.text)


def test_the_core_finding_several_sentences_above_not_the_sentence_before():
    segments = linked("""## 3.2 Loyers

<obs>Le conseil d'administration n'a pas délibéré sur la politique des loyers depuis 2012.</obs> <obs>Les hausses \
annuelles ont suivi l'IRL.</obs> <obs>Le loyer moyen atteint 5,8 € par m² de surface habitable.</obs>
<obs>Les logements récents sont les plus chers.</obs>
<reb>Dans sa réponse, la société indique que son conseil d'administration délibérera sur la politique des loyers \
lors de sa prochaine séance.</reb>""")
    answer, core = containing(segments, "délibérera"), containing(segments, "n'a pas délibéré")
    assert answer.responds_to[0] == core.id
    assert containing(segments, "récents").id not in answer.responds_to
    assert len(answer.link_confidence) == len(answer.responds_to) and answer.link_confidence[0] >= MIN_CONFIDENCE


def test_follow_on_sentences_share_the_openers_target():
    segments = linked("""## 5.1 Sécurité

<obs>Les registres de sécurité des immeubles ne sont pas tenus à jour.</obs> <obs>La société gère 40 immeubles \
collectifs.</obs>
<reb>Dans sa réponse, la société s'engage à tenir à jour les registres de sécurité de ses immeubles.</reb> \
<reb>Elle précise qu'un agent y sera affecté dès le mois de septembre.</reb>""")
    opener, follow_on = containing(segments, "s'engage"), containing(segments, "Elle précise")
    assert answer_blocks(segments) == [[opener.id, follow_on.id]]
    assert follow_on.responds_to == opener.responds_to and opener.responds_to[0] == containing(segments, "registres").id
    assert (opener.stance, follow_on.stance) == ("commits", "commits")  # "un agent y sera affecté": a promise too


def test_follow_ons_arguing_a_disagreement_contest_until_a_commitment_or_another_topic():
    segments = linked("""## 3.1.4 Vacance

<obs>La vacance commerciale atteint 6,0 % du parc, le double de la moyenne régionale.</obs>
<obs>Les logements vacants depuis plus de trois mois sont concentrés sur deux résidences.</obs>
<reb>Dans sa réponse, l'organisme conteste le taux de vacance retenu par l'Agence.</reb> \
<reb>Il indique que 42 logements de la résidence des Tilleuls étaient réservés au relogement des ménages de \
l'opération de démolition.</reb> <reb>Il s'engage à remettre en location les logements libérés en 2019.</reb> \
<reb>Il précise que les loyers de ces logements sont inférieurs à 5 € par m².</reb> \
<reb>Concernant la seconde résidence, l'organisme précise que les logements sont en travaux.</reb>""")
    stances = [containing(segments, words).stance for words in ("conteste", "42 logements", "remettre en location",
                                                                "inférieurs à 5", "seconde résidence")]
    assert stances == ["contests", "contests", "commits", "explains", "explains"]


def test_a_follow_on_read_as_a_finding_inside_the_answers_paragraph_does_not_end_the_answer():
    segments = linked("""## 2.2.4 Direction générale

<obs>Le directeur général cumule de manière irrégulière un mandat social et un contrat de travail.</obs>
<obs>Le conseil d'administration se réunit six fois par an.</obs>
<rec>La société doit mettre fin à ce cumul.</rec>
<reb>En réponse aux observations provisoires, l'organisme indique qu'il a identifié ce problème lié au cumul \
du mandat social et du contrat de travail.</reb> <obs>Cette situation est en cours de régularisation.</obs> \
<reb>Il précise de plus que sa rémunération est raisonnable.</reb>""")
    opener, follow_on = containing(segments, "identifié ce problème"), containing(segments, "Il précise de plus")
    assert follow_on.responds_to == opener.responds_to
    assert containing(segments, "cumule").id in follow_on.responds_to


def test_a_sentence_end_cut_by_a_page_break_is_not_the_core_finding():
    segments = linked("""## 5.5 Projection financière

<obs>Le programme de ventes repose sur dix cessions par an.</obs>
<obs>envisagé par la société.</obs>
<reb>En réponse aux observations provisoires, l'organisme précise avoir bien pris conscience des difficultés \
présentées.</reb>""")
    answer = containing(segments, "pris conscience")
    assert answer.responds_to[0] == containing(segments, "dix cessions").id


def test_a_footnote_left_in_the_body_is_not_an_answered_finding():
    segments = linked("""## 5.2.3 Coûts de gestion

<obs>Les coûts de gestion sont élevés : ils représentent 23 % des loyers.</obs>
<obs>$^{70}$ Les dégrèvements de taxes foncières imputés en minoration des coûts de gestion s'établissaient à \
389 k€.</obs>
<reb>En réponse aux observations provisoires, l'organisme indique que ses coûts de gestion tiennent à la \
qualité de service.</reb>""")
    answer = containing(segments, "qualité de service")
    assert answer.responds_to == [containing(segments, "sont élevés").id]


def test_an_answer_covering_two_findings_of_its_paragraph():
    segments = linked("""## 2.2 Commande publique

<obs>Les travaux de peinture sont commandés au coup par coup, sans publicité ni mise en concurrence.</obs>
<obs>Les marchés de maîtrise d'œuvre de deux opérations n'ont pas fait l'objet d'un appel d'offres.</obs>
<obs>La société a désigné un responsable des achats en 2014.</obs>
<reb>Dans sa réponse, la société s'engage à mettre en concurrence les travaux de peinture et à lancer un appel \
d'offres pour la maîtrise d'œuvre de ses prochaines opérations.</reb>""")
    answer = containing(segments, "Dans sa réponse")
    assert {containing(segments, "peinture").id, containing(segments, "maîtrise d'œuvre de deux").id} \
        <= set(answer.responds_to[:2])
    assert containing(segments, "responsable des achats").id not in answer.responds_to[:2]


def test_a_footnote_answers_through_its_call():
    segments = linked("""## 4.1 Vacance

<obs>La vacance commerciale atteint 6,3 % du parc<sup>3</sup>.</obs> <obs>Elle est concentrée sur trois \
résidences.</obs>
<reb><sup>3</sup> La société indique que ce taux inclut les logements bloqués avant démolition.</reb>""")
    note = containing(segments, "bloqués")
    assert note.responds_to == [containing(segments, "6,3 %").id] and note.link_confidence == [CALLED]


def test_no_link_below_the_threshold():
    marked = """# 3. PATRIMOINE

<obs>Le parc compte 1 200 logements répartis sur 14 communes.</obs>

## 3.4 Accessibilité

<reb>La société remercie l'équipe de contrôle pour la qualité des échanges.</reb>"""
    answer = containing(linked(marked), "remercie")
    assert answer.responds_to == [] and answer.link_confidence == []
    weak = containing(linked(marked, min_confidence=0.0), "remercie")  # the only candidate, unrelated and far
    assert len(weak.responds_to) == 1 and weak.link_confidence[0] < MIN_CONFIDENCE


def test_an_earlier_answer_is_not_answered_again():
    segments = linked("""## 6.1 Comptabilité

<obs>Les intérêts de 2009 à 2012 ont été inscrits sur le seul exercice 2012.</obs>
<reb>Dans sa réponse, la société s'engage à rectifier l'inscription des intérêts.</reb>
<obs>Des prêts sont consentis au personnel sans autorisation du conseil d'administration.</obs>
<reb>La société s'engage à soumettre les prêts au personnel au conseil d'administration.</reb>""")
    second = containing(segments, "soumettre")
    assert second.responds_to[0] == containing(segments, "prêts sont consentis").id


@pytest.mark.parametrize("text, expected", [
    ("Dans sa réponse, l'organisme conteste que le détachement d'une personne ait eu une incidence.", "contests"),
    ("La société ne partage pas l'analyse de l'Agence sur le niveau de ses loyers.", "contests"),
    ("Dans sa réponse, la société précise toutefois que la hausse de la vacance tient aux démolitions prévues.",
     "contests"),
    ("Contrairement à ce qu'indique le rapport, les contrats de maîtrise d'œuvre ont été mis en concurrence.",
     "contests"),
    ("La société indique que ces écarts ne sauraient remettre en cause la qualité de l'instruction.", "contests"),
    ("L'organisme considère que ses frais de personnel tiennent à la présence de gardiens dans chaque résidence.",
     "contests"),
    ("Dans sa réponse, l'organisme reconnaît que la convention initiale n'a pas été corrigée.", "accepts"),
    ("Lors de la séance du 16 décembre 2024, le conseil d'administration a pris acte des observations.", "accepts"),
    ("La société reconnaît l'omission et va mettre en place un contrôle des dossiers.", "accepts"),
    ("La société s'engage à revoir son règlement, reconnaissant qu'il est ancien.", "commits"),
    ("Dans sa réponse écrite, la société s'engage pour l'avenir à examiner la demande insatisfaite.", "commits"),
    ("La société va mettre en place un marché à bons de commande pour les travaux d'entretien.", "commits"),
    ("Elle prévoit de présenter sa charte d'attribution au conseil d'administration en fin d'année.", "commits"),
    ("L'organisme indique avoir régularisé les trois baux en mars.", "commits"),
    ("La société précise qu'il s'agit de reprises d'opérations dont l'architecte était déjà désigné.",
     "explains"),
])
def test_stance_cues(text, expected):
    assert stance(text) == expected


# Real report text (001 § 4.2.3.1 and 003 § 2.2.2.2), through the whole pipeline with the shipped models.
ATTRIBUTIONS = """## 4.2.3.1 Analyse de la gestion des attributions

<obs>Le processus de sélection des candidats à l'attribution des logements s'appuie sur la présentation de \
candidatures par les collectivités et n'est pas de nature à garantir l'homogénéité de traitement des ménages \
demandeurs.</obs>

<obs>De fait, la société se dessaisit de ses prérogatives d'instruction de la demande et de sélection des \
candidats que lui confère le CCH.</obs> <obs>Elle n'est ainsi pas en mesure de garantir l'équité de traitement des \
candidats au regard des orientations d'attribution qu'elle s'est fixées.</obs>

<reb>La société fait valoir l'existence d'un travail partenarial avec les communes, qui possèdent une bonne \
connaissance des caractéristiques de la demande locale.</reb> <reb>Elle indique en outre que le processus de \
sélection mis en œuvre n'est pas incompatible avec les obligations de relogement au titre du contingent \
préfectoral et d'Action logement, au demeurant parfaitement remplies par la société (cf. 4.2.3.2).</reb> \
<reb>Pour l'avenir, la société propose de soumettre aux réservataires et aux EPCI dotés d'une conférence \
intercommunale du logement la liste des demandes en délai dépassé pour améliorer la prise en compte des ménages \
concernés.</reb>
"""

PUBLIC_PROCUREMENT = """## 2.2.2.2 Commande publique

<obs>Lozère Habitations ne respecte pas systématiquement la réglementation en matière de commande publique.</obs>

<obs>malgré des montants annuels cumulés élevés, les travaux de peinture sont réalisés au coup par coup sans \
aucune publicité et mise en concurrence</obs>

<obs>- malgré des montants supérieurs au seuil réglementaire, les marchés de la maîtrise d'œuvre de deux \
opérations réalisées sur la période de contrôle n'ont pas fait l'objet d'un appel d'offres avec procédure \
formalisée ; les opérations concernées sont le "Mas de Booz" à La Canourgue et l'EHPAD de \
Saint-Alban-sur-Limagnole.</obs>

<rec>Lozère Habitations doit prendre toutes les dispositions nécessaires pour appliquer strictement les règles de \
la commande publique.</rec>
<reb>Dans sa réponse, l'organisme s'engage à mettre en place un marché à bons de commande pour les travaux de \
peinture.</reb> <reb>Concernant les deux marchés de maîtrise d'œuvre, Lozère Habitations précise qu'il s'agit de \
reprises d'opérations pour lesquelles la maîtrise d'œuvre était déjà désignée.</reb>
"""


def test_an_answer_is_cut_where_its_stance_changes():
    """A segment carries one stance: the explanation, the contest and the proposal of one answer paragraph are
    three segments, each with its stance, all answering the paragraph's findings."""
    _, gold, doc = process_marked(ATTRIBUTIONS)
    answers = [covering(doc, span) for span in gold if span.kind == "rebuttal"]
    assert len({a.id for a in answers}) == 3
    assert [a.stance for a in answers] == ["explains", "contests", "commits"]
    findings = {covering(doc, span).id for span in gold if span.kind == "observation"}
    assert all(set(a.responds_to) & findings for a in answers)


def test_a_follow_on_announcing_another_point_answers_that_point():
    """"Concernant les deux marchés de maîtrise d'œuvre, …" opens its own answer: it reaches the finding on those
    contracts, while the commitment before it stays on the painting works it names."""
    _, gold, doc = process_marked(PUBLIC_PROCUREMENT)
    painting, contracts = (covering(doc, span) for span in gold[1:3])
    commitment, explanation = (covering(doc, span) for span in gold[4:6])
    assert (commitment.stance, explanation.stance) == ("commits", "explains")
    assert explanation.responds_to[0] == contracts.id
    assert painting.id in commitment.responds_to and commitment.responds_to[0] != contracts.id



def test_the_pieces_of_one_answer_keep_its_theme(corpus_texts):
    """Cut at its stance changes, an answer is still about one topic. In the Coop'Ivry reply letter the board
    minutes on the 2021 budget (the forecast, self-financing: finances in the gold) were cut into pieces, and
    "La Directrice Générale affirmait que la prévision restait prudente …", tagged on its own words, read as
    gouvernance; it now takes the theme read on the whole answer."""
    from ancols_nlp.models.shipped import load_models
    from ancols_nlp.pipelines.process import process_text
    from ancols_nlp.pipelines.sentences import load_sentencizer
    from ancols_nlp.pipelines.types import SourceText

    text = corpus_texts["000_ad04bc466fc4cae0.txt"]
    doc = process_text(SourceText(text, "text/plain"), nlp=load_sentencizer(), models=load_models())
    at = text.index("affirmait que la prévision restait prudente")
    piece = next(s for s in doc.segments if s.start <= at < s.end)
    assert piece.kind == "rebuttal" and piece.themes[0] == "finances", (piece.text, piece.themes)
