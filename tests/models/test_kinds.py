"""The kind model on tricky real report sentences, with the gold written inline (see ANNOTATION.md)."""

import logging
import unicodedata

import numpy as np
import pytest

from gold import parse, shipped_models
from ancols_nlp.models.kinds import cues, rules
from ancols_nlp.models.kinds.model import LinearKindModel, load_model
from ancols_nlp.pipelines.process import process_text
from ancols_nlp.pipelines.sentences import load_sentencizer
from ancols_nlp.pipelines.types import KINDS, SentenceContext, SourceText

REPORT = ("""Rapport définitif de contrôle n°2017-101 Avril 2019

## 2.3.2 Gestion des ressources humaines

<obs>La société doit composer avec des coûts de gestion élevés liés notamment à des effectifs """
"""importants.</obs> """
"""<rec>La société gagnerait à formaliser une gestion prévisionnelle des emplois et des compétences.</rec>

<reb>En réponse aux observations provisoires, la société précise que la diminution des effectifs est """
"""engagée depuis 2018.</reb>

<obs>L'Agence maintient que le niveau des effectifs reste très supérieur à celui des organismes comparables.</obs>

## 3.3.3 Exploitation et sécurité du patrimoine

<rec>La formalisation des contrôles de sécurité effectués par les chargés de secteur, qui ont vocation à """
"""alimenter les registres de sécurité des immeubles, constituerait un progrès.</rec> """
"""<rec>L'attention de la société est attirée sur le risque de mise en cause de sa responsabilité en cas """
"""d'accident.</rec>

<obs>Les visites de patrimoine ont montré un parc globalement bien entretenu.</obs> """
"""<rec>La société est invitée à réinterroger sa politique de loyers, pour mieux l'inscrire en phase avec sa """
"""vocation sociale.</rec>

<other>Indicateurs	Organisme	Référence région	France métropolitaine</other>
<other>Logements vacants à plus de 3 mois (hors vacance technique)	3,8%	1,8%	1,5%</other>
""")

LETTER = ("""Monsieur le Directeur Général,

<reb>Le Conseil d'Administration souhaite revenir sur la situation financière de la coopérative et son """
"""avenir.</reb> """
"""<reb>Le rapport souligne un taux de vacance de 6 %, qui résulte pour l'essentiel de la démolition programmée """
"""de deux résidences.</reb>

<reb>Nous vous prions d'agréer, Monsieur le Directeur Général, l'expression de nos salutations distinguées.</reb>

<other>Le Président,</other>
""")


@pytest.fixture(scope="module")
def kind_model():
    return shipped_models().kinds


def covering(doc, span):
    return max(doc.segments, key=lambda s: min(s.end, span.end) - max(s.start, span.start))


def run(marked):
    text, gold = parse(marked)
    return text, gold, process_text(SourceText(text, "text/markdown"), nlp=load_sentencizer(), models=shipped_models())


def test_the_trained_model_is_shipped(kind_model):
    assert isinstance(kind_model, LinearKindModel)


def test_tricky_report_sentences():
    text, gold, doc = run(REPORT)
    for span in gold:
        assert covering(doc, span).kind == span.kind, text[span.start:span.end]


def test_reply_letter_speaks_in_the_organism_voice():
    text, gold, doc = run(LETTER)
    assert doc.meta.doc_type == "reply"
    statements = [span for span in gold if span.kind == "rebuttal"]
    for span in statements[:2]:
        assert covering(doc, span).kind == "rebuttal", text[span.start:span.end]
    signature = gold[-1]
    assert covering(doc, signature).kind == "other"


def test_probabilities_are_a_distribution(kind_model):
    contexts = [SentenceContext(text=t, block=b) for t, b in [
        ("La société doit mettre fin au cumul du mandat social et du contrat de travail.", "paragraph"),
        ("Dans sa réponse, l'organisme conteste le calcul du taux de vacance.", "paragraph"),
        ("4.3 Attributions des logements", "heading"),
        ("La vacance commerciale demeure à un niveau très élevé (6,3 %).", "paragraph"),
    ]]
    predictions = kind_model(contexts)
    assert [p.kind for p in predictions] == ["recommendation", "rebuttal", "other", "observation"]
    for p in predictions:
        assert set(p.scores) == set(KINDS)
        assert sum(p.scores.values()) == pytest.approx(1.0, abs=1e-4)
        assert all(0.0 <= v <= 1.0 for v in p.scores.values())


def test_the_model_embeds_only_what_the_layout_does_not_decide(kind_model):
    seen = []
    spy = LinearKindModel(kind_model.params,
                          embed=lambda texts: seen.extend(texts) or np.zeros((len(texts), 512), np.float32))
    spy([SentenceContext(text="4.3 Attributions", block="heading"),
         SentenceContext(text="Taux de rotation\t10,4 %", block="table_row"),
         SentenceContext(text="La vacance est élevée.", block="paragraph")])
    assert seen == ["La vacance est élevée."]


def test_missing_artefact_falls_back_to_rules_with_a_warning(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        assert load_model(tmp_path) is None
    assert "falling back to the rule classifier" in caplog.text


@pytest.mark.parametrize("sentence, prescribes", [
    ("La société doit composer avec une vacance structurelle élevée.", False),
    ("Elle doit en outre faire face à une hausse de ses charges.", False),
    ("Le fonds de roulement devrait atteindre 7,9 mois de dépenses en 2020.", False),
    ("La société doit procéder sans délai à la régularisation de ces anomalies.", True),
    ("La société gagnerait à formaliser sa politique d'achat.", True),
    ("L'équipe de contrôle attire toutefois l'attention de la société sur la résidence La Chan.", True),
    ("Un renforcement de l'attention sur la gestion de ses attributions est nécessaire.", True),
    ("Le niveau de la dette impose de faire preuve d'une grande vigilance.", True),
    ("La société doit mettre en place un plan de vente.", True),
    ("Le plan dépend de la stratégie que la société va mettre en place.", False),
    ("Des regroupements d'organismes devront avoir lieu dans le département.", False),
])
def test_prescription_cues(sentence, prescribes):
    found = bool(cues.RECOMMENDATION.search(sentence)) and not cues.FEATURE_CUES["forecast"].search(sentence)
    assert found == prescribes


def test_rules_fallback_on_the_annotation_guide_examples():
    assert rules.rule_kind(SentenceContext(
        "Dans sa réponse, la société s'engage à revoir sa procédure d'attribution.", "paragraph")) == "rebuttal"
    assert rules.rule_kind(SentenceContext("L'Agence maintient que la procédure d'attribution est irrégulière.",
                                           "paragraph")) == "observation"
    assert rules.rule_kind(SentenceContext("Il appartient à la société de régulariser la situation.",
                                           "paragraph")) == "recommendation"
    assert rules.rule_kind(SentenceContext("2.2 Gouvernance", "heading")) == "other"


@pytest.mark.parametrize("name, first, count", [("001_d290a1a4feb3bef7.txt", "#### **Points forts:**", 7 + 3 + 2),
                                                ("004_964ee9d999fa8f65.txt", "POINTS FORTS:", 5 + 4 + 2)])
def test_points_forts_faibles_and_irregularities_are_statement_segments(corpus_texts, name, first, count):
    """Each bullet of the fiche's lists is its own finding segment, including 004's "- ►" bullets and
    the last, longest items the model alone used to call other."""
    text = corpus_texts[name]
    start = text.index(first)
    end = text.index("Précédent rapport de contrôle", start)
    doc = process_text(SourceText(text[:end], "text/plain"), nlp=load_sentencizer(), models=shipped_models())
    items = [s for s in doc.segments if s.start >= start and s.block == "list_item"]
    assert len(items) == count
    assert all(s.kind in ("observation", "recommendation") for s in items), [(s.kind, s.text) for s in items]
    assert all(sum(c.isalpha() for c in s.text) > 10 for s in items)  # no bullet left alone


# Report 002's own prescription, with a note's call glued to its verb as the reports place them ("doit¹").
CALLED_DUTY = ("La société doit¹ appliquer le plus grand soin au respect du formalisme des marchés publics pour "
               "garantir la traçabilité et la transparence.")


def test_a_note_call_glued_to_the_verb_does_not_hide_the_prescription(kind_model):
    context = [SentenceContext(CALLED_DUTY, "paragraph")]
    assert kind_model(context)[0].kind == "recommendation"  # the call hid "doit" from the cues' \b: observation
    assert rules.predict(context)[0].kind == "recommendation"


# Report 001's prescriptions and a reply's commitment, as a file written with decomposed accents reads them.
DECOMPOSED = ["L'office doit mettre en place une procédure de contrôle des charges récupérables.",
              "La société s'est engagée à régulariser la situation des logements concernés dès 2025.",
              "Le taux de vacance commerciale s'élève à 4,2 % du patrimoine."]


def test_decomposed_accents_read_as_the_same_text_composed(kind_model):
    """A text written with decomposed accents (NFD: "e" + U+0301, as macOS writes files) missed every cue holding an
    accent: the review measured a recommendation turned observation (0.496 → 0.565)."""
    composed = [SentenceContext(text, "paragraph") for text in DECOMPOSED]
    decomposed = [SentenceContext(unicodedata.normalize("NFD", text), "paragraph") for text in DECOMPOSED]
    assert any(c.text != d.text for c, d in zip(composed, decomposed))
    for as_typed, as_decomposed in zip(kind_model(composed), kind_model(decomposed)):
        assert as_decomposed.kind == as_typed.kind
        assert as_decomposed.scores == pytest.approx(as_typed.scores, abs=1e-6)
    assert [p.kind for p in rules.predict(decomposed)] == [p.kind for p in rules.predict(composed)]
