"""Term overlap between passages: the sets and norms made once score exactly as the pairwise cosine."""

import re

from ancols_nlp.pipelines.overlap import TermSets, cosine, idf, terms


def test_term_sets_score_a_letter_against_a_report_exactly_as_the_pairwise_cosine(corpus_texts):
    report = [terms(p) for p in re.split(r"\n\s*\n", corpus_texts["001_d290a1a4feb3bef7.txt"]) if p.strip()][:300]
    letter = [terms(p) for p in re.split(r"\n\s*\n", corpus_texts["000_ad04bc466fc4cae0.txt"]) if p.strip()][:40]
    weights = idf([*report, *letter])
    sets = TermSets(report, weights)
    for own in letter:
        scored = sets.cosines(own, range(len(report)))
        assert scored == {i: cosine(own, finding, weights) for i, finding in enumerate(report)}
    best = sets.cosines(letter[5], range(len(report)))
    assert 0.0 < max(best.values()) <= 1.0
