"""Segment vectors in FAISS, keyed by segment id; inner product on unit vectors = cosine.

Exact search (``IndexFlatIP``) is used up to ``HNSW_THRESHOLD`` vectors, where it answers in
a few milliseconds; beyond, an HNSW graph keeps latency flat. The index type chosen is
recorded in ``kind`` so the service can report it.
"""

from __future__ import annotations

import faiss
import numpy as np

HNSW_THRESHOLD = 200_000
HNSW_NEIGHBOURS = 32


class VectorIndex:
    def __init__(self, dimension: int, ids: np.ndarray | None = None, vectors: np.ndarray | None = None):
        self.dimension = dimension
        n = 0 if ids is None else len(ids)
        if n > HNSW_THRESHOLD:
            base = faiss.IndexHNSWFlat(dimension, HNSW_NEIGHBOURS, faiss.METRIC_INNER_PRODUCT)
            base.hnsw.efSearch = 128
            self.kind = f"hnsw{HNSW_NEIGHBOURS}"
        else:
            base = faiss.IndexFlatIP(dimension)
            self.kind = "flat"
        self._index = faiss.IndexIDMap2(base)
        if n:
            self.add(ids, vectors)

    def __len__(self) -> int:
        return self._index.ntotal

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        self._index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.asarray(ids, dtype=np.int64))

    def remove(self, ids: np.ndarray) -> None:
        self._index.remove_ids(np.asarray(ids, dtype=np.int64))

    def get(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of ``ids`` (all must be present), one row each."""
        ids = np.asarray(ids, dtype=np.int64)
        if not ids.size:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self._index.reconstruct_batch(ids)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(ids, cosine scores) of the ``k`` nearest segments among ``allowed`` ids (all if None), best first."""
        if not len(self) or k <= 0 or (allowed is not None and allowed.size == 0):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        params = None
        if allowed is not None:
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(np.asarray(allowed, dtype=np.int64)))
        x = np.asarray(query, dtype=np.float32).reshape(1, -1)
        # One query is latency-bound: FAISS's OpenMP fan-out costs more than it saves (5 ms vs
        # 0.4 ms on 4k vectors with two busy cores). The setting is the calling thread's own, and
        # is put back so other OpenMP users in this thread are not affected.
        threads = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)
        try:
            scores, ids = self._index.search(x, min(k, len(self)), params=params)
        finally:
            faiss.omp_set_num_threads(threads)
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]
