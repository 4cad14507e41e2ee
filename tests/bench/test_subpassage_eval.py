"""Sub-passages (bench/subpassage_eval.py) on the reply letter 000, whose judged units are its PDF lines: a paragraph
over three lines takes one gain whole, three once cut into the pipeline's sentences."""

from functools import partial
from pathlib import Path

from bench.search_eval import load_score
from bench.subpassage_eval import (DECAY, JOINED, Pool, by_sentence, by_window, joined, long_by_sentence, near,
                                   ranked, sentence_spans, short_runs, trimmed, whole)

from ancols_nlp.index.analyzer import analyze
from ancols_nlp.index.expansion import Expansion, expand
from ancols_nlp.index.grain import query_terms
from ancols_nlp.index.ranking import SYNONYM_WEIGHT
from ancols_nlp.pipelines.sentences import load_sentencizer

SHARED = Path(__file__).resolve().parents[3] / "shared"
DOC = "000_ad04bc466fc4cae0"
# Units 29-31: "Le Conseil d'Administration tient également à réaffirmer son souhait de pouvoir loger en priorité les"
# / "lvryennes et des lvryens. Il s'agit là d'une orientation politique et stratégique forte. A l'échelon d'un" /
# "même territoire communal, nous refuserons que deux politiques d'attribution différentes coexistent": three
# sentences, each over most of one line.
LINES = ("29", "30", "31")


def _letter():
    score = load_score(SHARED / "eval" / "score.py")
    units = {DOC: {r[0]: (int(r[1]), int(r[2])) for r in score.read_tsv(SHARED / "eval" / "dev" / f"{DOC}.units.tsv")}}
    text = (SHARED / "corpus" / f"{DOC}.txt").read_text(encoding="utf-8")
    span = (units[DOC][LINES[0]][0], units[DOC][LINES[-1]][1])
    return score, units, {(DOC, u): 2 for u in LINES}, sentence_spans(load_sentencizer(), text), span


def _gains(score, units, rel, pieces):
    return score.score_query([{"document_id": DOC, "start": s, "end": e} for s, e in pieces], units, rel)[0]


def test_a_three_line_paragraph_cut_into_its_sentences_takes_three_gains_by_the_scorers_rule():
    score, units, rel, sentences, span = _letter()
    assert _gains(score, units, rel, whole(sentences, span)) == [2]
    pieces = by_sentence(sentences, span)
    assert len(pieces) == 3 and pieces[0][0] == span[0] and pieces[-1][1] == span[1]
    assert _gains(score, units, rel, pieces) == [2, 2, 2]
    assert _gains(score, units, rel, by_window(sentences, span)) == [2, 2]
    assert span[1] - span[0] > 300 and long_by_sentence(sentences, span) == pieces


def test_a_short_segment_stays_whole_and_the_ceiling_sees_only_pieces_near_a_judged_unit():
    _, units, rel, sentences, span = _letter()
    short = (span[0], units[DOC][LINES[0]][1])
    assert long_by_sentence(sentences, short) == [short]
    far = (units[DOC]["0"][0], units[DOC]["0"][1])
    assert near({DOC: [far, *by_sentence(sentences, span)]}, units, rel) == {DOC: by_sentence(sentences, span)}


def _ranked_with_next(next_score: float, **options) -> tuple[list[dict], list[dict]]:
    """The letter's three sentences (segment 1, fused 2.0) and the text after them (segment 2, ``next_score``)
    ranked for a query held by the middle sentence: freely, and with ``options``."""
    _, _, _, sentences, span = _letter()
    texts = {DOC: (SHARED / "corpus" / f"{DOC}.txt").read_text(encoding="utf-8")}
    query = "orientation politique et stratégique"
    pool = Pool([(DOC, 1, 2.0, span), (DOC, 2, next_score, (span[1] + 10, span[1] + 200))],
                query_terms(query, expand(query)))
    rank = partial(ranked, pool, {DOC: sentences}, texts, by_sentence, 0.5)
    return rank(), rank(**options)


def test_a_cap_keeps_at_most_two_pieces_of_one_segment_and_fills_the_list_from_the_next():
    _, _, _, sentences, span = _letter()
    free, capped = _ranked_with_next(1.0, cap=2)
    assert [p["segment"] for p in free][:3] == [1, 1, 1]
    assert [p["segment"] for p in capped][:3] == [1, 1, 2]
    assert (capped[0]["start"], capped[0]["end"]) == by_sentence(sentences, span)[1]  # holds the query's terms


def test_trimming_keeps_the_run_from_the_first_to_the_last_sentence_holding_a_query_term():
    _, _, _, sentences, span = _letter()
    first, middle, last = by_sentence(sentences, span)
    assert trimmed(sentences, span, lambda s: s == middle) == [middle]
    assert trimmed(sentences, span, lambda s: s != middle) == [(first[0], last[1])]
    assert trimmed(sentences, span, lambda s: False) == [span]


def test_joined_pieces_reach_the_shortest_length_and_cover_the_segment():
    """The letter's three sentences (each under ``JOINED`` characters but the three over it) join into pieces of
    at least ``JOINED`` characters, the short remainder going to the piece before."""
    _, _, _, sentences, span = _letter()
    cut = by_sentence(sentences, span)
    pieces = joined(sentences, span)
    assert [e - s for s, e in cut if e - s < JOINED] and pieces[0][0] == span[0] and pieces[-1][1] == span[1]
    assert all(e - s >= JOINED for s, e in pieces) and len(pieces) < len(cut)
    assert all(any(s == c[0] for c in cut) for s, _ in pieces)  # cut only where a sentence starts


def test_a_decay_lowers_each_further_piece_of_a_segment_below_the_next_segments_best():
    """The letter's sentences score 2.0 + 0.5 × their share of the query's three terms (1, 1/3, 0): the next
    segment's best piece (1.9 at least) comes after all three, but before the second (1/3, less one decay)."""
    free, decayed = _ranked_with_next(1.9, decay=DECAY)
    assert [p["segment"] for p in free][:3] == [1, 1, 1]
    assert [p["segment"] for p in decayed][:3] == [1, 2, 1]
    assert (decayed[0]["start"], decayed[0]["end"]) == (free[0]["start"], free[0]["end"])


def test_short_runs_join_a_list_to_the_long_sentence_introducing_it_and_stop_at_a_long_item():
    """The letter's first sentence of 100 characters or more ending with a colon, followed by a shorter one: the
    items under 100 characters after it (the ``M`` splitting's bound) join it in one piece, up to the first longer
    sentence, a piece of its own."""
    text = (SHARED / "corpus" / f"{DOC}.txt").read_text(encoding="utf-8")
    sentences = sentence_spans(load_sentencizer(), text)
    size = [e - s for s, e in sentences]
    intro = next(n for n, (s, e) in enumerate(sentences[:-1])
                 if size[n] >= 100 and text[s:e].endswith(":") and size[n + 1] < 100)
    end = next(n for n in range(intro + 1, len(sentences)) if size[n] >= 100)
    assert end - intro > 1  # the introduction and one item at least, then the longer sentence
    span = (sentences[intro][0], sentences[end][1])
    assert short_runs(sentences, span, text, 100) == [(span[0], sentences[end - 1][1]), sentences[end]]
    items = (sentences[intro + 1][0], sentences[end - 1][1])
    assert short_runs(sentences, span, text.replace(":", "."), 100) == [sentences[intro], items, sentences[end]]


def test_a_synonym_phrase_held_whole_counts_in_a_pieces_share():
    """For a query none of the letter's sentences holds, the third sentence holding every term of one of its
    synonym phrases ("territoire communal") comes first once phrases count, at ``SYNONYM_WEIGHT`` of a term."""
    _, _, _, sentences, span = _letter()
    texts = {DOC: (SHARED / "corpus" / f"{DOC}.txt").read_text(encoding="utf-8")}
    query = "gouvernance"
    named = Expansion(tuple(analyze(query)), (tuple(analyze("territoire communal")),))
    pool = Pool([(DOC, 1, 2.0, span)], query_terms(query, expand(query)), named)
    rank = partial(ranked, pool, {DOC: sentences}, texts, by_sentence, 0.5)
    cut = by_sentence(sentences, span)
    assert [(p["start"], p["end"]) for p in rank()] == cut
    assert [(p["start"], p["end"]) for p in rank(phrase=SYNONYM_WEIGHT)] == [cut[2], cut[0], cut[1]]


def test_rare_terms_weigh_more_in_a_share_and_a_common_ones_piece_falls_below_the_next_segment():
    """The letter's third sentence holds only "politiques" of the query's three terms: a third of the plain share
    (2.0 + 0.5 / 3, above the next segment's 2.1), about a twentieth once the common term weighs a tenth of the
    others (search10's I, idf weights): the next segment's pieces (none holding a term) come before it."""
    free, weighted = _ranked_with_next(2.1, weights=_common_politique())
    assert [p["segment"] for p in free][:3] == [1, 1, 2]
    assert [p["segment"] for p in weighted][:5] == [1, 2, 2, 2, 1]
    assert (weighted[0]["start"], weighted[0]["end"]) == (free[0]["start"], free[0]["end"])


def _common_politique() -> dict[int, float]:
    """The query's terms by number, "politique" weighing a tenth of the others."""
    terms = dict.fromkeys(analyze("orientation politique stratégique"))
    return {n: 0.1 if t == analyze("politiques")[0] else 1.0 for n, t in enumerate(terms)}


def test_a_weighted_share_mixed_with_the_plain_one_moves_the_common_ones_piece_part_of_the_way():
    """search11's Ih: the sentence holding only "politiques" keeps 0.75 × 1/3 + 0.25 × 0.1/2.1 of the query with
    a quarter of the weighted share (2.13, still above the next segment's 2.1), 0.19 with half (2.09, below)."""
    free, quarter = _ranked_with_next(2.1, weights=_common_politique(), mix=0.25)
    _, half = _ranked_with_next(2.1, weights=_common_politique(), mix=0.5)
    assert [p["segment"] for p in quarter][:3] == [p["segment"] for p in free][:3] == [1, 1, 2]
    assert [p["segment"] for p in half][:5] == [1, 2, 2, 2, 1]


def test_a_sentence_holding_no_query_term_falls_below_the_next_segment_when_its_segment_holds_one():
    """The letter's first sentence holds none of the query's terms (2.0, above the next segment's 1.0): demoted by
    1.5 (search10's Z) it comes after the next segment's three pieces, the two holding a term still first; the
    next segment, holding none, is not demoted."""
    free, demoted = _ranked_with_next(1.0, zero=1.5)
    assert [p["segment"] for p in free][:4] == [1, 1, 1, 2]
    assert [p["segment"] for p in demoted][:6] == [1, 1, 2, 2, 2, 1]
    assert [(p["start"], p["end"]) for p in demoted][:2] == [(p["start"], p["end"]) for p in free][:2]
