"""The PostgreSQL scorer's candidate sums (index/postgres/bm25.py), without a server."""

import numpy as np

from ancols_nlp.index.postgres.bm25 import _summed


def test_each_distinct_id_gets_its_weights_summed_in_posting_order_and_a_position_holding_it():
    # Three terms' postings laid end to end, as the scorer concatenates them: ids repeat across terms.
    ids = np.array([7, 900_000, 3, 7, 42, 3, 7], dtype=np.int64)
    weights = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7], dtype=np.float32)
    at, distinct, sums = _summed(ids, weights)
    assert distinct.tolist() == [3, 7, 42, 900_000]
    expected = {}
    for i, w in zip(ids.tolist(), weights.astype(np.float64).tolist()):
        expected[i] = expected.get(i, 0.0) + w  # the order a posting list is read in
    assert sums.tolist() == [expected[i] for i in distinct.tolist()]
    assert sums.dtype == np.float64
    assert (ids[at] == distinct).all()
