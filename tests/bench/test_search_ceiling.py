"""The best nDCG@10 a segmentation allows (bench/search_ceiling.py), on the reply letter 000's judged units: its
units are its PDF lines, so a paragraph holding three graded lines takes one gain where the ideal list counts three."""

from pathlib import Path

from bench.search_ceiling import best_gains, ceiling, covered
from bench.search_eval import load_score

SHARED = Path(__file__).resolve().parents[3] / "shared"
DOC = "000_ad04bc466fc4cae0"
# Units 226-228: "• Le travail sur la récupération des charges locatives liées à la masse salariale (emplois de" /
# "gardien.ne.s, employé.e.s d'immeuble et encadrement) en incitant au cumul des tâches pour" /
# "augmenter la récupérabilité;" — one bullet of the letter over three lines.
LINES = ("226", "227", "228")


def _gold():
    score = load_score(SHARED / "eval" / "score.py")
    rows = score.read_tsv(SHARED / "eval" / "dev" / f"{DOC}.units.tsv")
    units = {DOC: {r[0]: (int(r[1]), int(r[2])) for r in rows}}
    return score, units, {(DOC, u): 2 for u in LINES}


def test_a_paragraph_over_three_graded_lines_is_credited_with_all_three_as_the_scorer_does():
    score, units, rel = _gold()
    span = (units[DOC]["226"][0], units[DOC]["228"][1])
    gains, credited = score.score_query([{"document_id": DOC, "start": span[0], "end": span[1]}], units, rel)
    assert covered(score, units, rel, DOC, span) == credited == set(rel)
    assert gains == [2]


def test_the_ceiling_is_below_one_when_a_passage_holds_several_graded_units():
    score, units, rel = _gold()
    paragraph = {DOC: [units[DOC]["225"], (units[DOC]["226"][0], units[DOC]["228"][1])]}  # an ungraded line first
    assert best_gains(score, paragraph, units, rel) == [2]
    assert round(ceiling(score, paragraph, units, rel), 3) == round(score.dcg([2]) / score.dcg([2, 2, 2]), 3) < 0.5
    lines = {DOC: [units[DOC][u] for u in LINES]}
    assert best_gains(score, lines, units, rel) == [2, 2, 2]
    assert ceiling(score, lines, units, rel) == 1.0
