"""Term overlap between passages: the sets and norms made once score exactly as the pairwise cosine; a figure
weighs more, a year as a word."""

import re

from ancols_nlp.pipelines.overlap import TermSets, cosine, idf, is_figure, terms


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


def test_an_amount_or_a_rate_weighs_as_a_figure_a_year_or_a_period_as_a_word(corpus_texts):
    letter = [terms(p) for p in re.split(r"\n\s*\n", corpus_texts["000_ad04bc466fc4cae0.txt"]) if p.strip()]
    costs = next(t for t in letter if "33" in t)  # "ils évoluent de +33% sur la période 2018-2022, passant de 1377 €"
    assert {"33", "1377", "2018", "2022"} <= set(costs)
    assert [t for t in ("33", "1377", "2018", "2022", "couts") if is_figure(t)] == ["33", "1377"]
    plain, weighted = idf(letter), idf(letter, figure=2.0)
    assert weighted["33"] == 2.0 * plain["33"] and weighted["1377"] == 2.0 * plain["1377"]
    assert weighted["2018"] == plain["2018"] and weighted["2022"] == plain["2022"]
