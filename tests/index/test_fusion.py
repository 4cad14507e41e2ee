"""Properties of score fusion."""

import numpy as np
import pytest

from ancols_nlp.index.ranking import DENSE_FEEDBACK_MIX, feedback_scores, minmax, rrf, weighted, zscore


def test_zscore_centres_and_scales():
    z = zscore(np.array([1.0, 2.0, 3.0, 10.0]))
    assert z.mean() == pytest.approx(0.0) and z.std() == pytest.approx(1.0)
    assert np.all(zscore(np.array([4.0, 4.0])) == 0.0)
    assert zscore(np.zeros(0)).size == 0
    assert np.all(minmax(np.array([2.0, 2.0])) == 0.0)


LEX = {1: 12.0, 2: 9.0, 3: 4.0, 4: 1.0}
DEN = {1: 0.31, 2: 0.42, 3: 0.55, 5: 0.40}


def _order(scores):
    return [i for i, _ in sorted(scores.items(), key=lambda kv: -kv[1])]


def test_weight_one_or_zero_gives_back_a_single_list():
    assert _order(weighted(LEX, DEN, lexical_weight=1.0))[:4] == [1, 2, 3, 4]
    assert _order(weighted(LEX, DEN, lexical_weight=0.0))[:4] == [3, 2, 5, 1]


def test_fusion_ignores_the_scale_of_each_list():
    a = weighted(LEX, DEN, lexical_weight=0.6)
    b = weighted({i: 7 * s + 3 for i, s in LEX.items()}, {i: 0.1 * s - 2 for i, s in DEN.items()}, lexical_weight=0.6)
    assert _order(a) == _order(b)
    assert all(a[i] == pytest.approx(b[i]) for i in a)


def test_fusion_covers_the_union_and_a_missing_score_counts_as_the_lists_lowest():
    fused = weighted(LEX, DEN, lexical_weight=0.5)
    assert set(fused) == {1, 2, 3, 4, 5}
    assert fused[5] < fused[2]  # 5 has no lexical score: lowest lexical, like 4
    assert weighted({}, {}, lexical_weight=0.5) == {}


def test_agreement_beats_a_single_strong_signal():
    lex = {1: 10.0, 2: 9.0, 3: 1.0}
    den = {1: 0.1, 2: 0.5, 3: 0.6}
    assert _order(weighted(lex, den, lexical_weight=0.5))[0] == 2


def test_rrf():
    fused = rrf([1, 2, 3], [3, 1, 4], k=60)
    assert _order(fused)[0] == 1
    assert fused[1] == pytest.approx(1 / 61 + 1 / 62)
    assert set(fused) == {1, 2, 3, 4}


def test_dense_feedback_takes_tied_lexical_passages_by_id_whatever_their_order():
    """The embedded store's lexical candidates come in heap order, PostgreSQL's best first: with a tie at the
    DENSE_FEEDBACK_PASSAGES-th place (an acronym alone, "HLM", matches glossary rows of equal BM25), the first-seen
    tied passage fed the feedback vector, so every hybrid score differed between the backends. The lower id wins,
    as in ``best_hits``."""
    rng = np.random.default_rng(7)
    pool = list(range(10, 20))
    vectors = rng.normal(size=(len(pool), 8)).astype(np.float32)
    scores = [9.0, 8.0, 7.0, 6.0, 5.0, 5.0, 5.0, 1.0, 0.5, 0.2]  # three tied at the 5th place
    best_first = dict(zip(pool, scores))
    heap_order = dict(reversed(best_first.items()))
    query = rng.normal(size=8).astype(np.float32)
    assert feedback_scores(pool, vectors, heap_order, query) == feedback_scores(pool, vectors, best_first, query)
    centroid = vectors[:5].mean(axis=0)
    moved = DENSE_FEEDBACK_MIX * query + (1 - DENSE_FEEDBACK_MIX) * centroid / np.linalg.norm(centroid)
    assert np.allclose(list(feedback_scores(pool, vectors, heap_order, query).values()), vectors @ moved, atol=1e-5)
