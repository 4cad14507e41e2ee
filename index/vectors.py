"""Segment vectors in FAISS, keyed by segment id; inner product on unit vectors = cosine.

Up to ``EXACT_LIMIT`` vectors the index is exact (``IndexFlatIP``, 4 bytes a dimension), where
one query costs a few milliseconds. Beyond, an inverted file over 8-bit scalar-quantised vectors
(IVF-SQ8): a quarter of the memory (512 MB instead of 2 GB at 1M × 512; half, with the codes' copy in
segment-id order that decodes a hybrid pool's vectors, ``SQ8Codes``) and a query scans only ``NPROBE`` of
``nlist`` ≈ 4√n clusters. Its recall@10 against exact search and its memory are
measured on the synthetic 1M set by ``bench/vector_recall.py`` (BENCHMARKS.md). HNSW was the
previous large-index choice: its graph costs as much as the SQ8 codes again and takes tens of
minutes to build on two cores. ``kind`` names the choice; ``/health`` reports it.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

EXACT_LIMIT = 100_000
NPROBE = 32
TRAINING_SAMPLE = 100_000


class VectorIndex:
    def __init__(self, index: faiss.Index, kind: str, dimension: int):
        self._index = index
        self.kind = kind
        self.dimension = dimension
        self._codes = SQ8Codes.of(index) if isinstance(index, faiss.IndexIVFScalarQuantizer) else None

    @classmethod
    def build(cls, dimension: int, ids: np.ndarray, vectors: np.ndarray, *,
              exact_limit: int = EXACT_LIMIT) -> VectorIndex:
        """The index suited to ``len(ids)`` vectors, holding them."""
        ids = np.asarray(ids, dtype=np.int64)
        vectors = np.ascontiguousarray(vectors, dtype=np.float32).reshape(len(ids), dimension)
        if len(ids) <= exact_limit:
            index, kind = faiss.IndexIDMap2(faiss.IndexFlatIP(dimension)), "flat"
        else:
            nlist = 1 << round(math.log2(4 * math.sqrt(len(ids))))
            index = faiss.IndexIVFScalarQuantizer(faiss.IndexFlatIP(dimension), dimension, nlist,
                                                  faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT)
            sample = np.random.default_rng(0).choice(len(ids), min(len(ids), TRAINING_SAMPLE), replace=False)
            index.train(vectors[np.sort(sample)])
            index.set_direct_map_type(faiss.DirectMap.Hashtable)  # reconstruct by id, for the hybrid re-scoring
            index.nprobe = NPROBE
            kind = f"ivf{nlist}-sq8"
        if len(ids):
            index.add_with_ids(vectors, ids)
        return cls(index, kind, dimension)

    def save(self, path: Path) -> None:
        faiss.write_index(self._index, str(path))

    @classmethod
    def load(cls, path: Path, kind: str) -> VectorIndex:
        index = faiss.read_index(str(path))
        if isinstance(index, faiss.IndexIVF):
            index.nprobe = NPROBE
        return cls(index, kind, index.d)

    def __len__(self) -> int:
        return self._index.ntotal

    def get(self, ids: np.ndarray) -> np.ndarray:
        """The stored vectors of ``ids`` (all must be present), one row each; decoded from 8 bits for IVF-SQ8."""
        ids = np.asarray(ids, dtype=np.int64)
        if not ids.size:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if self._codes is not None:
            return self._codes.decode(self._index, ids)
        return self._index.reconstruct_batch(ids)

    def search(self, query: np.ndarray, k: int, allowed: Allowed | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(ids, cosine scores) of the ``k`` nearest segments among ``allowed`` ids (all if None), best first."""
        if not len(self) or k <= 0 or (allowed is not None and not allowed.bitmap.size):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        params = None
        if allowed is not None:
            selector = faiss.IDSelectorBitmap(allowed.bitmap)  # ``allowed`` holds the bitmap until the search returns
            params = (faiss.SearchParametersIVF(sel=selector, nprobe=NPROBE) if isinstance(self._index, faiss.IndexIVF)
                      else faiss.SearchParameters(sel=selector))
        x = np.asarray(query, dtype=np.float32).reshape(1, -1)
        with _one_thread():
            scores, ids = self._index.search(x, min(k, len(self)), params=params)
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]


@contextmanager
def _one_thread():
    """FAISS calls of one query are latency-bound: its OpenMP fan-out costs more than it saves (a search 5 ms vs
    0.4 ms on 4k vectors with two busy cores; decoding 400 pool vectors ~0.9 vs ~0.2 ms at 1M). The setting is the
    calling thread's own, and is put back so other OpenMP users in this thread are not affected."""
    threads = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(1)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(threads)


@dataclass(frozen=True)
class SQ8Codes:
    """An IVF-SQ8 index's codes in segment-id order, with each id's list, to decode a hybrid pool's vectors (~400
    ids) with one gather and FAISS's own decoder instead of ``reconstruct_batch``'s hash lookup and decode per id
    (0.2 against 0.5-0.9 ms at 1M, BENCHMARKS.md). The floats are FAISS's: its scalar decoder on the same codes,
    plus the list's centroid when the codes are residuals, as ``reconstruct_from_offset`` adds it. Costs a copy of
    the codes (512 MB at 1M x 512) and ~2 s when the index is opened."""

    codes: np.ndarray  # uint8 (max id + 1, code size): row i holds id i's code
    lists: np.ndarray  # int32 (max id + 1,): id i's inverted list, -1 when the index does not hold i
    centroids: np.ndarray | None  # float32 (nlist, d) when codes are residuals

    @classmethod
    def of(cls, index: faiss.IndexIVFScalarQuantizer) -> SQ8Codes:
        invlists = index.invlists
        sizes = [invlists.list_size(n) for n in range(index.nlist)]
        per_list = [faiss.rev_swig_ptr(invlists.get_ids(n), size) if size else np.zeros(0, np.int64)
                    for n, size in enumerate(sizes)]
        rows = max((int(ids.max()) + 1 for ids in per_list if ids.size), default=0)
        codes = np.zeros((rows, index.code_size), dtype=np.uint8)
        lists = np.full(rows, -1, dtype=np.int32)
        for n, ids in enumerate(per_list):
            if ids.size:
                codes[ids] = faiss.rev_swig_ptr(invlists.get_codes(n), ids.size * index.code_size).reshape(
                    ids.size, index.code_size)
                lists[ids] = n
        centroids = index.quantizer.reconstruct_n(0, index.nlist) if index.by_residual else None
        return cls(codes, lists, centroids)

    def decode(self, index: faiss.IndexIVFScalarQuantizer, ids: np.ndarray) -> np.ndarray:
        """The vectors of ``ids`` as ``index.reconstruct_batch(ids)`` gives them, bit for bit."""
        lists = self.lists[ids]  # an id beyond the largest raises IndexError, as reconstruct_batch raises
        if (lists < 0).any():
            raise KeyError(f"ids not in the index: {ids[lists < 0][:5].tolist()}")
        codes = self.codes[ids]
        out = np.empty((len(ids), index.d), dtype=np.float32)
        with _one_thread():
            index.sq.decode_c(faiss.swig_ptr(codes), faiss.swig_ptr(out), len(ids))
        if self.centroids is not None:
            out += self.centroids[lists]
        return out


@dataclass(frozen=True)
class Allowed:
    """The ids a search may return, as FAISS's bitmap selector reads them. Making it from the ids costs more than
    the search it restricts (~2.5 ms from 677k ids), so a snapshot makes it once per filter (``Snapshot.nearest``)."""

    bitmap: np.ndarray  # uint8, empty when no id is allowed

    @classmethod
    def of(cls, ids: np.ndarray) -> Allowed:
        ids = np.asarray(ids, dtype=np.int64)
        return cls(_bitmap(ids) if ids.size else np.zeros(0, dtype=np.uint8))


def _bitmap(ids: np.ndarray) -> np.ndarray:
    """``ids`` as a bitmap (bit ``i % 8`` of byte ``i // 8``), for FAISS's ``IDSelectorBitmap``.

    Segment ids are SQLite's, dense from 1, so the bitmap is an eighth of a byte a stored segment
    (125 kB at 1M) and takes ~2.5 ms to make from 677k ids; ``IDSelectorBatch``'s hash set of the
    same ids took ~40 ms, eight times the whole unfiltered dense search (BENCHMARKS.md)."""
    bits = np.zeros(((int(ids.max()) >> 3) + 1) << 3, dtype=bool)
    bits[ids] = True
    return np.packbits(bits, bitorder="little")
