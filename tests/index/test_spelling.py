"""Typo tolerance (index/spelling.py) on an index of the corpus reports' own paragraphs: a misspelt word finds the
passages its spelling finds and is named, a query spelt right is searched as before."""

from __future__ import annotations

import re
import time

import pytest

from ancols_nlp.index.analyzer import analyze, respelled
from ancols_nlp.index import lexical
from ancols_nlp.index.expansion import expand
from ancols_nlp.index.lexical import LexicalIndex, LexicalQuery, TermMatrix
from ancols_nlp.index.lexicon import load
from ancols_nlp.index.ranking import SYNONYM_WEIGHT
from ancols_nlp.index.spelling import corrections, nearest


@pytest.fixture(scope="module")
def paragraphs(corpus_texts) -> list[str]:
    return [p.strip() for text in corpus_texts.values() for p in text.split("\n\n") if p.strip()]


@pytest.fixture(scope="module")
def index(paragraphs) -> LexicalIndex:
    return LexicalIndex([TermMatrix.build(analyze(p) for p in paragraphs)])


@pytest.mark.parametrize("typed, meant", [
    ("recouvrment", "recouvrement"),  # a letter dropped
    ("chaufage", "chauffage"),  # a double letter typed once
    ("amiatne", "amiante"),  # two letters swapped
    ("ascenceurs", "ascenseurs"),  # a letter replaced
    ("provisoin", "provision"),
])
def test_a_misspelt_word_finds_the_passages_its_spelling_finds(index, typed, meant):
    assert index.passages_with(analyze(typed)[0]) == 0 < index.passages_with(analyze(meant)[0])
    assert index.expansion(typed).corrected == ((typed, meant),)
    found = index.top(index.query(typed), 5).rows.tolist()
    assert found and found == index.top(index.query(meant), 5).rows.tolist()


@pytest.mark.parametrize("typed, meant", [("recouvrment des loyers", "recouvrement des loyers"),
                                          ("entretien des ascenceurs", "entretien des ascenseurs")])
def test_in_a_query_the_corrected_word_brings_back_the_passage_its_spelling_finds(index, typed, meant):
    """Missed in the top 10 without the correction (only the other words count), found with it."""
    first = index.top(index.query(meant), 1).rows[0]
    assert first in index.top(index.query(typed), 10).rows
    assert first not in index.top(LexicalQuery.of(expand(typed, index.mined)), 10).rows


def test_the_correction_weighs_as_the_word_typed_right(index):
    """It joins as an expansion's phrase at ``CORRECTION_WEIGHT`` (1): the same passage first, with the same score."""
    right, typed = (index.top(index.query(q), 1) for q in ("chauffage", "chaufage"))
    assert typed.rows.tolist() == right.rows.tolist() and typed.scores[0] == pytest.approx(right.scores[0], rel=1e-6)


def test_two_misspelt_words_outweigh_the_one_typed_right(index, paragraphs, monkeypatch):
    """Two words misspelt, one typed right: the passages holding both words meant come first. At a synonym's weight
    (0.35) the word typed right ("insuffisante") decided, as blind set 13's typo query showed."""
    query = "provison pour gros entretein insuffisante"
    assert index.expansion(query).corrected == (("provison", "provision"), ("entretein", "entretien"))

    def top_hold_both() -> list[bool]:
        meant = {t for p in index.expansion(query).meant for t in p}
        return [meant <= set(analyze(paragraphs[r])) for r in index.top(index.query(query), 5).rows]

    assert all(top_hold_both())
    monkeypatch.setattr(lexical, "CORRECTION_WEIGHT", SYNONYM_WEIGHT)
    assert not all(top_hold_both())


@pytest.mark.parametrize("query", ["recouvrement des loyers", "vacance commerciale élevée",
                                   "la société doit respecter les règles de la commande publique",
                                   "detecteurs de fumees", "CGLLS", "logements vacants en 2017"])
def test_a_query_whose_words_the_passages_hold_is_searched_as_before(index, query):
    """Every word held (or a function word, a number): no correction, the same terms and phrases as the expansion
    without them."""
    spelled, _ = respelled(query, index.passages_with)
    assert index.expansion(query).corrected == ()
    assert index.query(query) == LexicalQuery.of(expand(spelled, index.mined))


def test_short_words_acronyms_and_numbers_are_left_as_typed(index):
    """Under five letters too many real words lie one edit away ("loyr": loyer, lors…), capitals are an acronym's,
    digits a figure's."""
    assert index.passages_with(analyze("loyr")[0]) == 0 and nearest("loyr")
    assert corrections("loyr AMIATNE 20O17", index.passages_with) == ()
    assert corrections("amiatne", index.passages_with) == (("amiatne", "amiante"),)


def test_a_run_of_letters_longer_than_any_word_is_not_corrected(index):
    """A 2,000-character query of one "word" (a paste gone wrong, a probe) cost /search 46 s: its ~150,000 spellings
    one edit away, each 2,000 letters long, were stemmed. No word is that long (French's longest lemma,
    "anticonstitutionnellement", has 25 letters); a typo of a real word is still corrected, glued to nothing."""
    glued = "recouvrment" * 180
    load()  # the lexicon, read once by the service at start-up
    started = time.process_time()
    assert corrections(glued, index.passages_with) == ()
    assert time.process_time() - started < 1.0
    assert corrections(f"{glued} recouvrment", index.passages_with) == (("recouvrment", "recouvrement"),)


def test_a_word_respelled_with_its_accents_is_not_corrected_again(index):
    """"detecteur de fumees": the accent rule adds "fumées" (fum), one edit away from "fumees"; the query holds it."""
    expansion = index.expansion("detecteur de fumees")
    assert "fum" in expansion.terms and expansion.corrected == ()


def test_did_you_mean_shows_a_word_not_a_stem(index):
    """Of the spellings whose term the passages hold, one without a letter cut ("thermiqu") or an accent added."""
    assert corrections("isolation thermiqeu", index.passages_with) == (("thermiqeu", "thermique"),)


@pytest.mark.parametrize("query", ["Combien coûte la vacance à l'organisme ?",
                                   "Combien de logements sont situés en QPV ?",
                                   "le conseil d'administration conteste avoir tardé à réagir",
                                   "supplement de loyer de solidarite"])
def test_a_word_french_knows_is_not_corrected_though_no_passage_holds_it(index, query):
    """"combien" is in no report, and "combine" one edit away is: a correct word was searched as a word the query
    never had ("réagir" as "régir", "solidarite" as "solidarive"). A word French knows (``index/lexicon.py``),
    or a lemma of it typed without accents, is left as typed."""
    unknown = [w for w in re.findall(r"[^\W\d_]{5,}", query) if not index.passages_with(analyze(w)[0])]
    assert unknown  # words the passages lack, that the rule used to correct
    assert corrections(query, index.passages_with) == ()


def test_a_misspelling_of_a_word_french_knows_is_still_corrected(index):
    assert corrections("Combein coûte la vacance ?", index.passages_with) != ()
    assert corrections("coût de la vaccance", index.passages_with) == (("vaccance", "vacance"),)


@pytest.mark.parametrize("query", ["remplacement des chaudieres", "penalites de retard", "degats des eaux",
                                   "ramonage des cheminees"])
def test_a_plural_or_feminine_typed_without_accents_is_not_corrected(index, query):
    """"chaudieres" (chaudières) is in no report: it was searched as "chaudieras", "penalites" as "penalives",
    "degats" as "degags", words no one meant. French knows them once their plural or feminine ending is read
    (the lemmas without accents were known, their inflections not); a misspelt plural is still corrected."""
    unknown = [w for w in re.findall(r"[^\W\d_]{5,}", query) if not index.passages_with(analyze(w)[0])]
    assert unknown
    assert corrections(query, index.passages_with) == ()
    assert corrections("recouvrments des loyers", index.passages_with) == (("recouvrments", "recouvrements"),)
