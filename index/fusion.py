"""Combining lexical and dense evidence into one ranking.

BM25 scores are unbounded and query-dependent, cosines sit in a narrow band: each list is
z-normalised over the pooled candidates (mean 0, unit spread) before a weighted sum, so the
weight means the same thing for every query, and one outlying score does not squash the others
towards 0 as min–max would. Reciprocal-rank fusion is kept as the documented alternative
(it ignores score gaps: 0.731 nDCG@10 on dev against 0.751). Min–max gives 0.745: worse on
the odd half of the queries (0.769 against 0.785), a little better on the even one (0.721 against 0.717).
"""

from __future__ import annotations

import numpy as np


def minmax(scores: np.ndarray) -> np.ndarray:
    if scores.size == 0:
        return scores
    lo, hi = float(scores.min()), float(scores.max())
    return np.zeros_like(scores) if hi - lo < 1e-9 else (scores - lo) / (hi - lo)


def zscore(scores: np.ndarray) -> np.ndarray:
    if scores.size == 0:
        return scores
    spread = float(scores.std())
    return np.zeros_like(scores) if spread < 1e-9 else (scores - float(scores.mean())) / spread


def weighted(lexical: dict[int, float], dense: dict[int, float], *, lexical_weight: float) -> dict[int, float]:
    """Weighted sum of z-normalised scores over the union of candidates (a missing score counts as the list's minimum)."""
    ids = list(lexical.keys() | dense.keys())
    if not ids:
        return {}
    lex = _aligned(lexical, ids)
    den = _aligned(dense, ids)
    fused = lexical_weight * zscore(lex) + (1.0 - lexical_weight) * zscore(den)
    return dict(zip(ids, fused.tolist()))


def _aligned(scores: dict[int, float], ids: list[int]) -> np.ndarray:
    floor = min(scores.values()) if scores else 0.0
    return np.array([scores.get(i, floor) for i in ids], dtype=np.float64)


def rrf(*rankings: list[int], k: int = 60) -> dict[int, float]:
    """Reciprocal-rank fusion of best-first id lists."""
    out: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            out[item] = out.get(item, 0.0) + 1.0 / (k + rank + 1)
    return out
