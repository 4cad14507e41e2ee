"""BM25 over segments, with the French analyzer, over a large base and a small delta of newer segments.

Each part keeps raw term frequencies (a CSC posting matrix), not precomputed BM25 weights as
bm25s does: the IDF and the length normalisation are computed at query time from the statistics
of all parts together, so a segment scores exactly as it would in one index rebuilt from scratch,
whether it sits in the persisted base or in the delta of recent writes. The formula is bm25s's
"lucene" variant, which this store used before (idf = ln(1 + (N − df + ½)/(df + ½)),
tf / (tf + k1·(1 − b + b·dl/avgdl))). Segments of deleted documents still count in N and df
until the next merge, so scores drift by their share of the base. Parameters: index/ranking.py.
A query's synonym phrases (index/expansion.py) score only in the rows holding all of their terms.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from pathlib import Path

import numpy as np

from ancols_nlp.index.expansion import NO_SYNONYMS, Synonyms, expand
from ancols_nlp.index.ranking import BM25_B, BM25_K1, SYNONYM_WEIGHT

EMPTY = "∅"  # the one term of a passage with no analysed word: it still has a length


@dataclass(frozen=True)
class TermMatrix:
    """Postings of one part: for term t, rows ``row[start[t]:start[t+1]]`` with frequencies ``tf``."""

    vocab: dict[str, int]
    start: np.ndarray  # int64, len(vocab) + 1
    row: np.ndarray  # int32, row of the part
    tf: np.ndarray  # float32
    length: np.ndarray  # float32, analysed terms per row

    def __len__(self) -> int:
        return len(self.length)

    @classmethod
    def build(cls, terms: Iterable[list[str]]) -> TermMatrix:
        vocab: dict[str, int] = {}
        term_ids: list[int] = []
        lengths: list[int] = []
        for doc in terms:
            doc = doc or [EMPTY]
            term_ids.extend(vocab.setdefault(t, len(vocab)) for t in doc)
            lengths.append(len(doc))
        length = np.array(lengths, dtype=np.int64)
        rows = np.repeat(np.arange(len(length), dtype=np.int64), length)
        keys, tf = np.unique(np.array(term_ids, dtype=np.int64) * max(len(length), 1) + rows, return_counts=True)
        tids, row = np.divmod(keys, max(len(length), 1))
        start = np.searchsorted(tids, np.arange(len(vocab) + 1)).astype(np.int64)
        return cls(vocab, start, row.astype(np.int32), tf.astype(np.float32), length.astype(np.float32))

    def df(self, tid: int) -> int:
        return int(self.start[tid + 1] - self.start[tid])

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        for name in ("start", "row", "tf", "length"):
            np.save(directory / f"{name}.npy", getattr(self, name))
        (directory / "vocab.json").write_text(json.dumps(list(self.vocab), ensure_ascii=False))

    @classmethod
    def load(cls, directory: Path) -> TermMatrix:
        """Postings are memory-mapped: a query reads the pages of its own terms only."""
        vocab = {t: n for n, t in enumerate(json.loads((directory / "vocab.json").read_text()))}
        arrays = {name: np.load(directory / f"{name}.npy", mmap_mode="r") for name in ("start", "row", "tf")}
        return cls(vocab, length=np.load(directory / "length.npy"), **arrays)


class LexicalIndex:
    """BM25 scores over the rows of its parts, concatenated in order; queries expand with the thesaurus and
    the ``mined`` acronyms of the documents the parts hold."""

    def __init__(self, parts: list[TermMatrix], *, k1: float = BM25_K1, b: float = BM25_B,
                 mined: Synonyms = NO_SYNONYMS):
        self.mined = mined
        self.parts = parts
        self.offsets = np.cumsum([0] + [len(p) for p in parts])
        self.n = int(self.offsets[-1])
        lengths = np.concatenate([p.length for p in parts]) if parts else np.zeros(0, np.float32)
        average = float(lengths.mean()) if self.n else 1.0
        norm = (k1 * ((1.0 - b) + b * lengths / average)).astype(np.float32)
        # Each posting's length-normalised frequency, for these statistics: computed once per snapshot
        # (26M postings at 1M segments, a fraction of a second), it leaves a query one multiply per posting.
        self._saturation = [p.tf / (p.tf + norm[np.asarray(p.row) + o]) for p, o in zip(parts, self.offsets)]

    def __len__(self) -> int:
        return self.n

    def scores(self, query: str) -> np.ndarray:
        """One score per row (zeros when nothing matches)."""
        if not self.n:
            return np.zeros(0, dtype=np.float32)
        q = expand(query, self.mined)
        rows, weights = [], []
        for term in q.terms:
            r, w = self._postings(term)
            rows.append(r)
            weights.append(w)
        for phrase in q.phrases:
            postings = {t: self._postings(t) for t in phrase}
            common = reduce(np.intersect1d, (r for r, _ in postings.values()))
            for term in q.scored(phrase):
                r, w = postings[term]
                keep = np.isin(r, common)
                rows.append(r[keep])
                weights.append(np.float32(SYNONYM_WEIGHT) * w[keep])
        if not rows:
            return np.zeros(self.n, dtype=np.float32)
        return np.bincount(np.concatenate(rows), np.concatenate(weights), minlength=self.n).astype(np.float32)

    def _postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """The rows holding ``term`` and its BM25 weight in each (idf × saturated frequency)."""
        found = [(p, o, s, p.vocab[term]) for p, o, s in zip(self.parts, self.offsets, self._saturation)
                 if term in p.vocab]
        if not found:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        df = sum(p.df(tid) for p, _, _, tid in found)
        idf = np.float32(np.log1p((self.n - df + 0.5) / (df + 0.5)))
        rows, weights = [], []
        for part, offset, saturation, tid in found:
            a, z = part.start[tid], part.start[tid + 1]
            rows.append(part.row[a:z] + offset if offset else part.row[a:z])
            weights.append(idf * saturation[a:z])
        return np.concatenate(rows), np.concatenate(weights)
