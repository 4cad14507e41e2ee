"""BM25 over segments, with the French analyzer, over a large base and a small delta of newer segments.

Each part keeps raw term frequencies (a CSC posting matrix), not precomputed BM25 weights as
bm25s does: the IDF and the length normalisation are computed at query time from the statistics
of all parts together, so a segment scores exactly as it would in one index rebuilt from scratch,
whether it sits in the persisted base or in the delta of recent writes. The formula is bm25s's
"lucene" variant, which this store used before (idf = ln(1 + (N − df + ½)/(df + ½)),
tf / (tf + k1·(1 − b + b·dl/avgdl))). Segments of deleted documents still count in N and df
until the next merge, so scores drift by their share of the base. Parameters: index/ranking.py.
A query's synonym phrases (index/expansion.py) score only in the rows holding all of their terms.

A search asks for the n best rows (``LexicalIndex.top``) and reads the postings of its own terms
only: max-score, term at a time, over arrays as long as those postings, so its cost does not grow
with the number of rows stored; a query whose postings (its longest list aside) reach a tenth of the
rows sums them over a dense array instead, a cost then bounded by theirs (issue 16;
``bench/lexical_anchor.py`` measures it against Tantivy).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from pathlib import Path

import numpy as np

from ancols_nlp.index.expansion import NO_SYNONYMS, Expansion, Phrase, Synonyms, expand
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


WeightedTerms = tuple[tuple[str, float], ...]
# Pruning compares float64 bounds with float32 scores: it keeps a row unless its bound is this much below.
SLACK = 1e-6
# Merging one more term's postings costs a sort of all those merged. Checking whether the merged ones
# suffice right where the bounds first allow it mostly fails (the n-th best is far below the sum of the
# merged bounds): the check waits for a margin (1.0 → 1.5: dev queries at 1M, 5–14% less CPU).
MERGE_MARGIN = 1.5
# A query whose postings, its longest list aside, reach this share of a part's rows is summed over a dense
# per-row array (one bincount, a few ns a posting), whose extra cost is then bounded by its postings'. The
# longest list is aside because the sparse path mostly looks it up for its candidates instead of merging it.
# Measured on synthetic passages, one thread, CPU ms (min of 5, median over queries), dense only / sparse
# only / share 0.05 / 0.1: 1M rows, top 10: dev queries 1.91 / 3.17 / 2.13 / 1.89, sampled 2–4-word queries
# 0.91 / 0.58 / 0.57 / 0.58; top 200: dev 2.62 / 4.21 / 2.56 / 2.54, sampled 1.30 / 1.03 / 0.99 / 0.92;
# 100k rows, top 200: dev 0.17 / 0.65 / 0.18 / 0.19, sampled 0.12 / 0.14 / 0.13 / 0.14.
DENSE_SHARE = 0.1


@dataclass(frozen=True)
class LexicalQuery:
    """What a query scores with: weighted terms, and synonym phrases, each scoring its ``scored`` terms at
    ``SYNONYM_WEIGHT`` in the rows that hold every term of the phrase."""

    terms: WeightedTerms
    phrases: tuple[tuple[Phrase, Phrase], ...] = ()  # (every term of the phrase, the terms that score)

    @classmethod
    def of(cls, q: Expansion) -> LexicalQuery:
        return cls(tuple((t, 1.0) for t in q.terms),
                   tuple((p, q.scored(p)) for p in q.phrases if q.scored(p)))


@dataclass(frozen=True)
class Matches:
    """The best rows of a query and their scores, in no particular order."""

    rows: np.ndarray  # int64
    scores: np.ndarray  # float32


@dataclass(frozen=True)
class _Postings:
    """One query term's postings in one part: rows of the part, ascending, and each one's BM25 contribution."""

    rows: np.ndarray  # int32
    saturation: np.ndarray  # float32, length-normalised frequency
    idf: np.float32  # with the term's query weight
    bound: float  # the largest contribution

    def weights(self, at: np.ndarray | slice = slice(None)) -> np.ndarray:
        return self.idf * self.saturation[at]

    def lookup(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Which of ``rows`` (ascending) hold the term, and their contributions."""
        at = np.searchsorted(self.rows, rows)
        held = at < len(self.rows)
        held[held] = self.rows[at[held]] == rows[held]
        return held, self.weights(at[held])


class LexicalIndex:
    """BM25 scores over the rows of its parts, concatenated in order; queries expand with the thesaurus and
    the ``mined`` acronyms of the documents the parts hold."""

    def __init__(self, parts: list[TermMatrix], *, k1: float = BM25_K1, b: float = BM25_B,
                 mined: Synonyms = NO_SYNONYMS, dense_share: float = DENSE_SHARE):
        self.mined = mined
        self.parts = parts
        self.dense_share = dense_share
        self.offsets = np.cumsum([0] + [len(p) for p in parts])
        self.n = int(self.offsets[-1])
        lengths = np.concatenate([p.length for p in parts]) if parts else np.zeros(0, np.float32)
        average = float(lengths.mean()) if self.n else 1.0
        norm = (k1 * ((1.0 - b) + b * lengths / average)).astype(np.float32)
        # Each posting's length-normalised frequency, for these statistics: computed once per snapshot
        # (26M postings at 1M segments, a fraction of a second), it leaves a query one multiply per posting.
        self._saturation = [p.tf / (p.tf + norm[np.asarray(p.row) + o]) for p, o in zip(parts, self.offsets)]
        self._rows = [np.asarray(p.row) for p in parts]  # plain views of the memory maps: cheaper to slice
        # The largest of each term's, for the bound that lets a query skip rows that cannot rank.
        self._peak = [np.maximum.reduceat(s, p.start[:-1]) if len(s) else s for p, s in zip(parts, self._saturation)]

    def __len__(self) -> int:
        return self.n

    def query(self, text: str) -> LexicalQuery:
        """The query's own terms and the phrases of the thesaurus and of this index's mined acronyms it names."""
        return LexicalQuery.of(expand(text, self.mined))

    def _idf(self, term: str, weight: float) -> tuple[np.float32, list[int | None]]:
        """The term's idf over every part (times its query weight; 0 when absent) and its id in each part."""
        tids = [p.vocab.get(term) for p in self.parts]
        df = sum(p.df(t) for p, t in zip(self.parts, tids) if t is not None)
        return np.float32(weight * np.log1p((self.n - df + 0.5) / (df + 0.5)) if df else 0.0), tids

    def _postings(self, query: LexicalQuery) -> list[list[_Postings]]:
        """Each part's postings of the query terms (a term repeated in the query counts each time), and of its
        phrases: one list each, the rows holding all of the phrase's terms with the sum of its scored ones."""
        found: list[list[_Postings]] = [[] for _ in self.parts]
        for term, weight in query.terms:
            idf, tids = self._idf(term, weight)
            if not idf:
                continue
            for n, tid in enumerate(tids):
                if tid is not None:  # every term of a part's vocabulary has postings there
                    a, z = self.parts[n].start[tid], self.parts[n].start[tid + 1]
                    found[n].append(_Postings(self._rows[n][a:z], self._saturation[n][a:z], idf,
                                              float(idf * self._peak[n][tid])))
        for phrase, scored in query.phrases:
            idfs = {t: self._idf(t, SYNONYM_WEIGHT) for t in dict.fromkeys(phrase)}
            for n in range(len(self.parts)):
                if any(tids[n] is None for _, tids in idfs.values()):
                    continue
                spans = {t: (self.parts[n].start[tids[n]], self.parts[n].start[tids[n] + 1])
                         for t, (_, tids) in idfs.items()}
                common = reduce(np.intersect1d, (self._rows[n][a:z] for a, z in spans.values()))
                if not len(common):
                    continue
                weights = np.zeros(len(common), dtype=np.float32)
                for t in scored:
                    a, z = spans[t]
                    at = np.searchsorted(self._rows[n][a:z], common)
                    weights += idfs[t][0] * self._saturation[n][a:z][at]
                found[n].append(_Postings(common, weights, np.float32(1.0), float(weights.max())))
        return found

    def top(self, query: LexicalQuery, n: int, prior: np.ndarray | None = None,
            allowed: np.ndarray | None = None, *, prior_bound: float | None = None) -> Matches:
        """The ``n`` best rows with a score above 0: BM25 times ``prior`` (per row), among ``allowed`` rows.

        ``prior_bound`` is an upper bound of ``prior`` (its maximum when not given)."""
        if prior is not None and prior_bound is None:
            prior_bound = float(prior.max(initial=0.0))
        rows, scores = [], []
        for postings, a, z in zip(self._postings(query), self.offsets[:-1], self.offsets[1:]):
            if postings:
                weigh = None if prior is None else prior[a:z]
                keep = None if allowed is None else allowed[a:z]
                lengths = [len(p.rows) for p in postings]
                if sum(lengths) - max(lengths) >= self.dense_share * (z - a):
                    r, s = _dense_top(postings, n, weigh, keep, z - a)
                else:
                    r, s = _top(postings, n, weigh, keep, 1.0 if prior is None else prior_bound)
                rows.append(r.astype(np.int64) + a)
                scores.append(s)
        if not rows:
            return Matches(np.zeros(0, np.int64), np.zeros(0, np.float32))
        rows, scores = np.concatenate(rows), np.concatenate(scores)
        if len(rows) > n:
            best = np.argpartition(-scores, n)[:n]
            rows, scores = rows[best], scores[best]
        return Matches(rows, scores)

    def scores_of(self, query: LexicalQuery, rows: np.ndarray) -> np.ndarray:
        """BM25 of the given rows (0 where no term matches), without prior."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.zeros(len(rows), dtype=np.float64)
        for postings, a, z in zip(self._postings(query), self.offsets[:-1], self.offsets[1:]):
            inside = np.flatnonzero((rows >= a) & (rows < z))
            order = inside[np.argsort(rows[inside])]
            local = (rows[order] - a).astype(np.int32)
            for p in postings:
                held, weights = p.lookup(local)
                out[order[held]] += weights
        return out.astype(np.float32)


def _top(postings: list[_Postings], n: int, prior: np.ndarray | None, allowed: np.ndarray | None,
         prior_bound: float) -> tuple[np.ndarray, np.ndarray]:
    """The ``n`` best rows of one part (max-score, term at a time).

    Terms go by decreasing bound (largest contribution). The first ones are merged over all their
    postings into the candidate rows; once the n-th best candidate scores above what the remaining
    terms could give a row they alone hold, no other row can rank: the remaining terms (the long,
    low-idf lists) are looked up for the candidates only, and a candidate that cannot reach the n-th
    best score any more is dropped. Everything runs on arrays as long as the postings read (sorted,
    merged, searched), never on one as long as the part."""
    postings = sorted(postings, key=lambda p: -p.bound)
    rest = np.cumsum([p.bound for p in postings][::-1])[::-1].tolist() + [0.0]
    m = 1
    while True:
        # Only rows holding several of the merged terms can score above the bound of the terms left.
        if m == len(postings) or prior_bound * (rest[0] - rest[m]) > MERGE_MARGIN * rest[m]:
            rows, acc = _union(postings[:m], allowed)
            threshold = _nth_above(rows, acc, prior, n, rest[m])
            if m == len(postings) or prior_bound * rest[m] < threshold * (1 - SLACK):
                break
        m += 1
    for p, left in zip(postings[m:], rest[m:]):
        keep = (acc + left) * prior_bound >= threshold * (1 - SLACK)
        rows, acc = rows[keep], acc[keep]
        _add_to(p, rows, acc)
        threshold = max(threshold, _nth_above(rows, acc, prior, n, threshold / prior_bound))
    # The n best are among the rows whose unweighted score may reach the n-th best weighted one.
    best = np.flatnonzero(acc * prior_bound >= threshold * (1 - SLACK))
    rows, scores = rows[best], acc[best].astype(np.float32)
    if prior is not None:
        scores *= prior[rows]
    best, scores = _best(np.flatnonzero(scores > 0), scores, n)
    return rows[best], scores


def _dense_top(postings: list[_Postings], n: int, prior: np.ndarray | None, allowed: np.ndarray | None,
               rows: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``n`` best rows of one part from every row's sum (for postings reaching a good share of the rows)."""
    scores = np.bincount(np.concatenate([p.rows for p in postings]), np.concatenate([p.weights() for p in postings]),
                         minlength=rows).astype(np.float32)
    if prior is not None:
        scores *= prior
    if allowed is not None:
        scores[~allowed] = 0.0
    # The rows of the rarest term score high: their n-th best bounds the n-th best from below, so that
    # only the rows above it are ranked, not every matching one.
    floor = _nth(scores[max(postings, key=lambda p: p.bound).rows], n)
    return _best(np.flatnonzero(scores >= floor if floor > 0 else scores > 0), scores, n)


def _best(rows: np.ndarray, scores: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``n`` of ``rows`` with the best ``scores`` (indexed by row)."""
    if len(rows) > n:
        rows = rows[np.argpartition(-scores[rows], n)[:n]]
    return rows, scores[rows]


def _nth_above(rows: np.ndarray, acc: np.ndarray, prior: np.ndarray | None, n: int, above: float) -> float:
    """The n-th best prior-weighted score when it is above ``above`` times the prior bound, else a lower bound of
    it: with priors at most that bound, only rows whose unweighted score is above ``above`` can be, so only
    their priors are read."""
    sub = np.flatnonzero(acc > above)
    if len(sub) < n:
        return 0.0
    return _nth(acc[sub] if prior is None else acc[sub] * prior[rows[sub]], n)


def _union(postings: list[_Postings], allowed: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """The rows of the postings, ascending, and their summed contributions: one sort of (row, weight) pairs
    packed in 64 bits (non-negative floats sort as their bit patterns)."""
    rows = np.concatenate([p.rows for p in postings])
    weights = np.concatenate([p.weights() for p in postings])
    if allowed is not None:
        keep = allowed[rows]
        rows, weights = rows[keep], weights[keep]
    if len(postings) == 1 or not len(rows):
        return rows, weights.astype(np.float64)
    keys = np.sort((rows.astype(np.int64) << 32) | weights.view(np.uint32))
    rows = (keys >> 32).astype(np.int32)
    first = np.empty(len(rows), dtype=bool)
    first[0], first[1:] = True, rows[1:] != rows[:-1]
    weights = (keys & 0xFFFFFFFF).astype(np.uint32).view(np.float32)
    return rows[first], np.bincount(np.cumsum(first) - 1, weights)


def _add_to(postings: _Postings, rows: np.ndarray, acc: np.ndarray) -> None:
    """Add a term's contributions to the candidate ``rows`` (ascending, scores ``acc``), and no other row:
    a binary search of each candidate in the term's postings, or of each posting in the candidates,
    whichever side is shorter."""
    if len(rows) <= len(postings.rows):
        held, weights = postings.lookup(rows)
        acc[held] += weights
    else:
        at = np.searchsorted(rows, postings.rows)
        hit = at < len(rows)
        hit[hit] = rows[at[hit]] == postings.rows[hit]
        acc[at[hit]] += postings.weights(hit)


def _nth(scores: np.ndarray, n: int) -> float:
    """The n-th largest score (0 when there are fewer)."""
    if len(scores) < n or n <= 0:
        return 0.0
    return float(np.partition(scores, len(scores) - n)[len(scores) - n])
