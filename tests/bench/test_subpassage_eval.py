"""Sub-passages (bench/subpassage_eval.py) on the reply letter 000, whose judged units are its PDF lines: a paragraph
over three lines takes one gain whole, three once cut into the pipeline's sentences."""

from pathlib import Path

from bench.search_eval import load_score
from bench.subpassage_eval import (by_sentence, by_window, long_by_sentence, near, ranked, sentence_spans, trimmed,
                                   whole)

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


def test_a_cap_keeps_at_most_two_pieces_of_one_segment_and_fills_the_list_from_the_next():
    _, _, _, sentences, span = _letter()
    texts = {DOC: (SHARED / "corpus" / f"{DOC}.txt").read_text(encoding="utf-8")}
    other = (span[1] + 10, span[1] + 200)
    pool = [(DOC, 1, 2.0, span), (DOC, 2, 1.0, other)]
    query = "orientation politique et stratégique"
    free = ranked(pool, {DOC: sentences}, texts, query, by_sentence, 0.5)
    assert [p["segment"] for p in free][:3] == [1, 1, 1]
    capped = ranked(pool, {DOC: sentences}, texts, query, by_sentence, 0.5, cap=2)
    assert [p["segment"] for p in capped][:3] == [1, 1, 2]
    assert (capped[0]["start"], capped[0]["end"]) == by_sentence(sentences, span)[1]  # holds the query's terms


def test_trimming_keeps_the_run_from_the_first_to_the_last_sentence_holding_a_query_term():
    _, _, _, sentences, span = _letter()
    first, middle, last = by_sentence(sentences, span)
    assert trimmed(sentences, span, lambda s: s == middle) == [middle]
    assert trimmed(sentences, span, lambda s: s != middle) == [(first[0], last[1])]
    assert trimmed(sentences, span, lambda s: False) == [span]
