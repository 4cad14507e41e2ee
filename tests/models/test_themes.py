"""Themes from the report outline and the passage's words, with the gold written inline."""

import logging

import numpy as np
import pytest

from dataclasses import replace

from gold import GoldSpan, covering, process_marked, shipped_models
from ancols_nlp.models.themes.features import featurize, section_runs
from ancols_nlp.models.themes.scoring import entry_key, thematic_headings
from ancols_nlp.models.themes.specificity import heading_weights
from ancols_nlp.models.themes.lexicon import LEXICON
from ancols_nlp.models.themes.model import LinearThemeModel, lean_on_neighbours, load_model
from ancols_nlp.models.themes.train import DocPassages, without_outline
from ancols_nlp.models.themes.tagger import LexiconTagger, load_theme_tagger
from ancols_nlp.pipelines.process import process_text
from ancols_nlp.pipelines.sentences import load_sentencizer
from ancols_nlp.pipelines.types import THEMES, SourceText, ThemeItem

# Neutral sentences: only the heading above them says what they are about.
REPORT = ("""Rapport définitif de contrôle n°2014-098 Septembre 2015

### 4. PATRIMOINE

#### 4.5 VENTE DE PATRIMOINE

<obs theme=ventes>Sur la période examinée, la société a cédé 14 logements à leurs occupants, """
"""conformément à sa programmation.</obs>

## 6. TENUE DE LA COMPTABILITE ET ANALYSE FINANCIERE

### 6.1 Tenue des comptes sur la periode 2011–2015

# 6.1.1 Identification des nouveaux travaux de gros entretien programmés entrant dans le périmètre de la """
"""provision et calcul de son montant ré-estimé au 1<sup>er</sup> janvier 2016 - c/1572

<obs theme=comptabilite>Le montant retenu a été recalculé programme par programme à partir des dates des """
"""derniers travaux.</obs>

### 6.2 **ANALYSE FINANCIERE**

<obs theme=finances>L'autofinancement net s'est établi à 110 k€ en 2013, soit 1,8 % des loyers.</obs>
""")


@pytest.fixture(scope="module")
def processed():
    return process_marked(REPORT)


def test_the_trained_model_is_shipped():
    assert isinstance(load_theme_tagger(), LinearThemeModel)


def test_the_lexicon_covers_exactly_the_themes():
    assert set(LEXICON) == set(THEMES)


def test_themes_follow_the_innermost_thematic_heading(processed):
    text, gold, doc = processed
    for span in gold:
        segment = covering(doc, span)
        assert segment.kind != "other", text[span.start:span.end]
        assert segment.themes[0] == span.theme, (text[span.start:span.end], segment.section_path)


def test_long_and_emphasised_numbered_headings_nest_in_the_outline(processed):
    _, gold, doc = processed
    accounts = covering(doc, gold[1])
    assert accounts.section_path[-2] == "6.1 Tenue des comptes sur la periode 2011–2015"
    finance = covering(doc, gold[2])
    assert finance.section_path == ["6. TENUE DE LA COMPTABILITE ET ANALYSE FINANCIERE", "6.2 ANALYSE FINANCIERE"]


def test_generic_headings_are_skipped():
    assert thematic_headings(("SYNTHESE",)) == []
    assert thematic_headings(("3. PATRIMOINE", "3.6 CONCLUSION", )) == ["3. PATRIMOINE"]
    assert thematic_headings(("Points faibles", "Conclusion")) == []
    # a "Présentation" chapter introduces the organism as a whole (its stock, its tenants, its group)
    assert thematic_headings(("PRÉSENTATION DU GROUPE", "Le patrimoine immobilier")) == ["Le patrimoine immobilier"]
    accounts = "4.2 La présentation des comptes annuels"
    assert thematic_headings((accounts,)) == [accounts]


def test_the_neighbours_window_stops_at_the_section_edge():
    """Under a new heading, the passages just before it (another section) do not lend it their words."""
    vacancy = ("4.1 Vacance",)
    items = [ThemeItem("La vacance commerciale atteint 6 % et la rotation 12 %.", vacancy),
             ThemeItem("Les logements vacants sont concentrés sur deux résidences.", vacancy),
             ThemeItem("Le conseil a approuvé le rapport de gestion.", ("4.2 Gouvernance",))]
    assert [tuple(r) for r in section_runs(items)] == [(0, 2), (0, 2), (2, 3)]
    window = featurize(items, lambda texts: np.ones((len(texts), 4)))[:, 3 * len(THEMES):4 * len(THEMES)]
    assert window[1, THEMES.index("vacance")] > 0
    assert window[2, THEMES.index("vacance")] == 0


def test_an_unsure_passage_leans_on_its_neighbours_in_its_section():
    """A sentence that names no theme ("Ces éléments ont été portés à la connaissance de l'Agence.") between two
    staff sentences of a reply letter continues their topic; a confident passage, or one across a heading, does not."""
    staff, neutral = np.full(len(THEMES), 0.02), np.full(len(THEMES), 0.05)
    staff[THEMES.index("gouvernance")] = 0.76
    neutral[THEMES.index("finances")] = 0.4
    probs = np.vstack([staff, neutral / neutral.sum(), staff, neutral / neutral.sum()])
    runs = np.array([(0, 3), (0, 3), (0, 3), (3, 4)])  # the last passage is under the next heading
    leaning = lean_on_neighbours(probs, runs, weight=1.0, unsure_below=0.5)
    assert THEMES[int(probs[1].argmax())] == "finances" and THEMES[int(leaning[1].argmax())] == "gouvernance"
    assert np.allclose(leaning[[0, 2, 3]], probs[[0, 2, 3]])
    assert np.allclose(leaning.sum(axis=1), 1.0)


def test_training_also_reads_each_document_without_its_outline():
    doc = DocPassages("r", [ThemeItem("Les logements vacants sont concentrés.", ("4. GESTION", "4.1 Vacance"))],
                      ["vacance"])
    flat = without_outline(doc)
    assert [(i.text, i.section_path) for i in flat.items] == [("Les logements vacants sont concentrés.", ())]
    assert flat.themes == doc.themes


def test_scores_are_probabilities_best_first():
    model = load_model()
    ranked = model.tag_document([ThemeItem("Le taux d'impayés atteint 13 % des loyers quittancés.",
                                           ("4.4 TRAITEMENT DES IMPAYES",))])[0]
    assert ranked[0][0] == "impayes"
    scores = [s for _, s in ranked]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert all(theme in THEMES for theme, _ in ranked)


def test_lexicon_fallback_when_no_model(processed):
    _, gold, _ = processed
    _, _, doc = process_marked(REPORT, replace(shipped_models(), themes=LexiconTagger()))
    assert covering(doc, gold[0]).themes[0] == "ventes"
    for segment in (s for s in doc.segments if s.themes):  # the lexicon's shares of the evidence, best first
        shares = [segment.theme_scores[t] for t in segment.themes]
        assert shares == sorted(shares, reverse=True) and 0 < sum(shares) <= 1.0 + 1e-6


def test_missing_artefact_warns_and_the_lexicon_takes_over(tmp_path, caplog):
    with caplog.at_level(logging.WARNING):
        assert load_model(tmp_path) is None
        assert isinstance(load_theme_tagger(tmp_path), LexiconTagger)
    assert "falling back to the lexicon tagger" in caplog.text


def test_table_rows_and_other_segments_get_themes_too(corpus_texts):
    """A fiche récapitulative row is ``other`` for its kind but still about something."""
    text = corpus_texts["001_d290a1a4feb3bef7.txt"]
    _, _, doc = process_marked(text[:3000])
    row_start = text.index("Logements vacants (hors vacance technique)")
    row = covering(doc, GoldSpan(row_start, row_start + 40, "other", "vacance"))
    assert row.kind == "other" and row.themes[0] == "vacance", (row.text, row.themes)


def test_sections_take_the_themes_of_the_text_they_hold(corpus_texts):
    doc = process_text(SourceText(text=corpus_texts["001_d290a1a4feb3bef7.txt"], media_type="text/plain"),
                       nlp=load_sentencizer(), models=shipped_models())
    by_title = {s.title.split(" ", 1)[-1].casefold(): s for s in doc.sections}
    assert by_title["traitement des impayes"].themes[0] == "impayes"
    assert by_title["analyse financiere"].themes[0] == "finances"
    assert by_title["maintenance du parc"].themes[0] == "patrimoine"
    for section in doc.sections:
        shares = [section.theme_scores[t] for t in section.themes]
        # each share is rounded to 3 decimals: their sum may exceed 1 by half a unit of the last place each
        assert shares == sorted(shares, reverse=True) and sum(shares) <= 1.0 + 0.0005 * len(shares)
    # A chapter sums up its subsections: the themes of its largest parts are its own.
    chapter = next(s for s in doc.sections if s.level == 1 and "STRATEGIE PATRIMONIALE" in s.title)
    assert {"patrimoine", "developpement"} <= set(chapter.themes)


def test_a_satisfaction_survey_is_service_quality_not_social_occupation():
    """"Enquête" alone is the occupation survey (OPS); under "Enquête de satisfaction" it is the service's quality."""
    _, gold, doc = process_marked("""### 3.5 QUALITE DU SERVICE RENDU AUX LOCATAIRES

#### 3.5.3 Enquête de satisfaction

<obs theme=qualite_service>La société interroge ses locataires tous les trois ans et 62 % d'entre eux ont """
                                  """répondu la dernière fois.</obs>
""")
    segment = covering(doc, gold[0])
    assert segment.themes[0] == "qualite_service", (segment.section_path, segment.theme_scores)


def test_a_heading_word_that_heads_several_themes_weighs_less():
    """"Patrimoine" heads chapters whose passages are about procurement or vacancy as well; "attributions" heads
    allocation only. Weights come from the training passages' gold themes (written here), an unseen entry weighs 1."""
    exploitation, allocation = ("5. STRATEGIE", "5.4.2 Exploitation du patrimoine"), ("4.3 Attributions",)
    passages = [(ThemeItem("Le contrat de chauffage a été reconduit sans consultation.", exploitation),
                 "commande_publique"),
                (ThemeItem("Les logements vacants attendent leur remise en état.", exploitation), "vacance"),
                (ThemeItem("Les chaudières ont été remplacées en 2014.", exploitation), "patrimoine"),
                (ThemeItem("La commission examine trois candidats par logement.", allocation), "attributions"),
                (ThemeItem("Les dossiers sont complets.", allocation), "attributions"),
                (ThemeItem("Sans thème.", allocation), "")]
    weights = heading_weights(passages, shrink=1.0)
    stock, allocations = (entry_key(t, p) for t, p in (("patrimoine", "patrimoine"), ("attributions", LEXICON[
        "attributions"][0])))
    assert weights[stock] < 1.0 < weights[allocations]
    assert entry_key("ventes", "vente") not in weights
    assert heading_weights(passages, shrink=1e6)[stock] == pytest.approx(1.0, abs=1e-3)


def test_the_passages_own_words_win_under_a_heading_of_several_themes():
    """Under "Exploitation du patrimoine" a sentence about competition is procurement; under a sub-section on rent
    receivables in the accounts chapter, a neutral sentence is accounting (its chapter), not arrears."""
    _, gold, doc = process_marked("""## 5. STRATEGIE PATRIMONIALE

### 5.4 Maintenance du parc

#### 5.4.2 Exploitation du patrimoine

<obs theme=commande_publique>Aucun fournisseur n'a été mis en concurrence. Le contrat a été prolongé par """
                                  """avenant.</obs>

## 6. TENUE DE LA COMPTABILITE ET ANALYSE FINANCIERE

### 6.1 Tenue des comptes

#### 6.1.3 Estimation de la perte de valeur des créances sur locataires

<obs theme=comptabilite>Le montant retenu a été recalculé par l'équipe de contrôle.</obs>
""")
    for span in gold:
        segment = covering(doc, span)
        assert segment.themes[0] == span.theme, (segment.text, segment.section_path, segment.theme_scores)
