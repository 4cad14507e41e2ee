"""Combining lexical and dense evidence into one ranking.

BM25 scores are unbounded and query-dependent, cosines sit in a narrow band: each list is
min–max normalised over the candidates before a weighted sum, so the weight means the same
thing for every query. Reciprocal-rank fusion is kept as the documented alternative.
"""

from __future__ import annotations

import numpy as np


def minmax(scores: np.ndarray) -> np.ndarray:
    if scores.size == 0:
        return scores
    lo, hi = float(scores.min()), float(scores.max())
    return np.zeros_like(scores) if hi - lo < 1e-9 else (scores - lo) / (hi - lo)


def weighted(lexical: dict[int, float], dense: dict[int, float], *, lexical_weight: float) -> dict[int, float]:
    """Convex combination of normalised scores over the union of candidates (missing = 0)."""
    ids = list(lexical.keys() | dense.keys())
    lex = minmax(np.array([lexical.get(i, 0.0) for i in ids], dtype=np.float32))
    den = minmax(np.array([dense.get(i, 0.0) for i in ids], dtype=np.float32))
    fused = lexical_weight * lex + (1.0 - lexical_weight) * den
    return dict(zip(ids, fused.tolist()))


def rrf(*rankings: list[int], k: int = 60) -> dict[int, float]:
    """Reciprocal-rank fusion of best-first id lists."""
    out: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            out[item] = out.get(item, 0.0) + 1.0 / (k + rank + 1)
    return out
