"""BM25 over segments (bm25s), with the French analyzer.

bm25s builds a static sparse matrix, so the index is rebuilt from the stored analysed terms
when the set of segments changes; that costs a fraction of a second per 10k segments and
keeps the scorer a maintained library's rather than ours. Parameters: index/ranking.py.
"""

from __future__ import annotations

import numpy as np
import bm25s

from index.analyzer import analyze_query
from index.ranking import BM25_B, BM25_K1, SYNONYM_WEIGHT


class LexicalIndex:
    """BM25 scores for the segment ids it was built on."""

    def __init__(self, ids: np.ndarray, terms: list[list[str]], *, k1: float = BM25_K1, b: float = BM25_B):
        self.ids = np.asarray(ids, dtype=np.int64)
        self._bm25: bm25s.BM25 | None = None
        if len(self.ids):
            self._bm25 = bm25s.BM25(k1=k1, b=b)
            self._bm25.index([t or ["∅"] for t in terms], show_progress=False)

    def __len__(self) -> int:
        return len(self.ids)

    def scores(self, query: str) -> np.ndarray:
        """One score per indexed segment, aligned with ``self.ids`` (zeros when nothing matches)."""
        if self._bm25 is None:
            return np.zeros(0, dtype=np.float32)
        terms, extra = analyze_query(query)
        vocab = self._bm25.vocab_dict
        own = [t for t in terms if t in vocab]
        syn = [t for t in extra if t in vocab]
        out = self._bm25.get_scores(own) if own else np.zeros(len(self.ids), dtype=np.float32)
        if syn:
            out = out + SYNONYM_WEIGHT * self._bm25.get_scores(syn)
        return np.asarray(out, dtype=np.float32)
