"""BM25 over segments, with the French analyzer, over a large base and a small delta of newer segments.

Each part keeps raw term frequencies (a CSC posting matrix), not precomputed BM25 weights as
bm25s does: the IDF and the length normalisation are computed at query time from the statistics
of all parts together, so a segment scores exactly as it would in one index rebuilt from scratch,
whether it sits in the persisted base or in the delta of recent writes. The formula is bm25s's
"lucene" variant, which this store used before (idf = ln(1 + (N − df + ½)/(df + ½)),
tf / (tf + k1·(1 − b + b·dl/avgdl))). The rows of documents deleted since the base was built stay in its
postings until the next merge, but not in the statistics (``live``): N and the average length are the live rows',
a term's df leaves out its postings in dead rows, counted when a query asks about the term (~0.5 ms for 500k
postings; a delete costs no pass over the base). So after a delete, or a delete and the same report uploaded
again, a passage scores as in a store that never held the deleted one. Counting them drifted scores by their share:
one corpus report of five (998 passages of 4,346) deleted and uploaded again changed the lexical top 10 of 9 of
the 20 dev queries (4 of them by a passage), each score by 1.8 % on average, up to 4.9 %. Parameters:
index/ranking.py.
A query's synonym phrases (index/expansion.py) score only in the rows holding all of their terms.

A search asks for the n best rows (``LexicalIndex.top``) and reads the postings of its own terms
only, document at a time, compiled (``index/maxscore.py``: MaxScore over blocks of postings with their
peak saturation), so its cost follows its postings, not the number of rows stored (issue 16;
``bench/lexical_anchor.py`` measures it against Tantivy).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ancols_nlp.index import maxscore
from ancols_nlp.index.analyzer import Respelling, respelled
from ancols_nlp.index.expansion import NO_SYNONYMS, Expansion, Phrase, Synonyms, expand
from ancols_nlp.index.ranking import (BM25_B, BM25_K1, CORRECTION_WEIGHT, SYNONYM_WEIGHT, bm25_idf, length_norm,
                                      section_bm25, section_tf)
from ancols_nlp.index.recent import Recent
from ancols_nlp.index.spelling import corrections

EMPTY = "∅"  # the one term of a passage with no analysed word: it still has a length
# Queries whose expansion and postings lists an index keeps: more than the searches computing at once, so a
# search's second use finds its first's (a phrase's lists hold up to a few MB at 1M segments).
QUERIES_KEPT = 16


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


@dataclass(frozen=True)
class LexicalQuery:
    """What a query scores with: weighted terms, and synonym phrases, each scoring its ``scored`` terms at its
    weight in the rows that hold every term of the phrase: ``SYNONYM_WEIGHT``, ``CORRECTION_WEIGHT`` for the
    word meant by a misspelt one."""

    terms: WeightedTerms
    phrases: tuple[tuple[Phrase, Phrase, float], ...] = ()  # (every term of the phrase, the terms that score, weight)

    @classmethod
    def of(cls, q: Expansion) -> LexicalQuery:
        return cls(tuple((t, 1.0) for t in q.terms),
                   tuple((p, q.scored(p), CORRECTION_WEIGHT if p in q.meant else SYNONYM_WEIGHT)
                         for p in q.phrases if q.scored(p)))


@dataclass(frozen=True)
class Matches:
    """The best rows of a query and their scores, in no particular order."""

    rows: np.ndarray  # int64
    scores: np.ndarray  # float32


@dataclass(frozen=True)
class _Lists:
    """A query's postings lists in one part, as ``maxscore`` reads them: list i is the part's postings
    ``[lo[i], hi[i])`` (``phrase[i]`` false) or the phrases' (true), with its idf and its bound."""

    phrase: np.ndarray  # bool
    lo: np.ndarray  # int64
    hi: np.ndarray  # int64
    first_block: np.ndarray  # int64, in the part's block peaks or the phrases'
    idf: np.ndarray  # float32, with the query weight (1 for a phrase: its weights are summed already)
    bound: np.ndarray  # float64, the largest contribution
    rows: np.ndarray  # int32, the phrases' rows, one phrase after the other
    weights: np.ndarray  # float32
    peaks: np.ndarray  # float32, the phrases' block peaks


def _readonly(a: np.ndarray) -> np.ndarray:
    """A read-only, contiguous view: the compiled kernels then see one array type whatever the caller holds
    (a memory map, a slice, a fresh array), and compile once."""
    view = np.ascontiguousarray(a).view()
    view.flags.writeable = False
    return view


_NO_PRIOR = _readonly(np.zeros(0, np.float32))
_NO_MASK = _readonly(np.zeros(0, bool))


class LexicalIndex:
    """BM25 scores over the rows of its parts, concatenated in order; queries expand with the thesaurus and
    the ``mined`` acronyms of the documents the parts hold."""

    def __init__(self, parts: list[TermMatrix], *, live: np.ndarray | None = None, k1: float = BM25_K1,
                 b: float = BM25_B, mined: Synonyms = NO_SYNONYMS, block: int = maxscore.BLOCK,
                 dense: float = maxscore.DENSE):
        """``live``: which rows the statistics count (None: every row), the others being a deleted document's;
        ``block`` and ``dense``: the search's tuning (``index/maxscore.py``; tests vary them to reach every path
        on small corpora)."""
        _compile()
        self.mined = mined
        self.block, self.dense = int(block), float(dense)
        self.parts = parts
        self.offsets = np.cumsum([0] + [len(p) for p in parts])
        self.n = int(self.offsets[-1])
        # Each part's dead rows (None when it has none), and the live rows' count: BM25's N.
        self._dead = [None if live is None or live[a:z].all() else _readonly(~live[a:z])
                      for a, z in zip(self.offsets[:-1], self.offsets[1:])]
        self.counted = self.n if live is None else int(live.sum())
        lengths = np.concatenate([p.length for p in parts]) if parts else np.zeros(0, np.float32)
        counted = lengths if live is None else lengths[live]
        average = float(counted.mean()) if self.counted else 1.0
        norm = length_norm(lengths, average, k1, b)
        # Each posting's length-normalised frequency, for these statistics: computed once per snapshot
        # (26M postings at 1M segments, a fraction of a second), it leaves a query one multiply per posting.
        self._saturation = [_readonly(p.tf / (p.tf + norm[np.asarray(p.row) + o])) for p, o in zip(parts, self.offsets)]
        self._rows = [_readonly(p.row) for p in parts]
        self._tf = [_readonly(p.tf) for p in parts]
        # Each term's largest saturation per block of postings, and over all of them: the bounds that let a
        # query skip rows that cannot rank.
        self._blocks = [maxscore.block_peaks(_readonly(p.start), s, block) for p, s in zip(parts, self._saturation)]
        self._peak = [np.maximum.reduceat(peaks, first[:-1]) if len(peaks) else peaks for peaks, first in self._blocks]
        self._expansions: Recent[Expansion] = Recent(QUERIES_KEPT)
        self._recent_lists: Recent[list[_Lists | None]] = Recent(QUERIES_KEPT)

    def __len__(self) -> int:
        return self.n

    def query(self, text: str) -> LexicalQuery:
        """The query's own terms and the phrases of the thesaurus and of this index's mined acronyms it names."""
        return LexicalQuery.of(self.expansion(text))

    def expansion(self, text: str) -> Expansion:
        """``expand`` of the query with its unaccented words respelled as these passages write them and its
        misspelt words corrected to the spelling they hold (a search asks twice: for its terms and for its
        highlights)."""
        return self._expansions.get(text, lambda: self._expanded(*respelled(text, self.passages_with)))

    def _expanded(self, text: str, respellings: tuple[Respelling, ...]) -> Expansion:
        return expand(text, self.mined, corrections(text, self.passages_with), respellings)

    def passages_with(self, term: str) -> int:
        """The term's document frequency over the live rows of every part."""
        found = 0
        for part, dead in zip(self.parts, self._dead):
            if (t := part.vocab.get(term)) is not None:
                found += part.df(t)
                if dead is not None:
                    found -= int(np.count_nonzero(dead[part.row[part.start[t]:part.start[t + 1]]]))
        return found

    def _idf(self, term: str, weight: float) -> tuple[np.float32, list[int | None]]:
        """The term's idf over every part (times its query weight; 0 when absent) and its id in each part."""
        return bm25_idf(self.passages_with(term), self.counted, weight), [p.vocab.get(term) for p in self.parts]

    def _lists(self, query: LexicalQuery) -> list[_Lists | None]:
        """``_made_lists``, made once for a hybrid search's top n and the scores of its dense-only candidates."""
        return self._recent_lists.get(query, lambda: self._made_lists(query))

    def _made_lists(self, query: LexicalQuery) -> list[_Lists | None]:
        """Each part's lists of the query (a term repeated in the query counts each time), and of its phrases:
        one list each, the rows holding all of the phrase's terms with the sum of its scored ones."""
        terms: list[list[tuple]] = [[] for _ in self.parts]
        phrases: list[list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = [[] for _ in self.parts]
        for term, weight in query.terms:
            idf, tids = self._idf(term, weight)
            if idf:
                for n, tid in enumerate(tids):
                    if tid is not None:  # every term of a part's vocabulary has postings there
                        start = self.parts[n].start
                        terms[n].append((start[tid], start[tid + 1], self._blocks[n][1][tid], idf,
                                         float(idf * self._peak[n][tid])))
        for phrase, scored, weight in query.phrases:
            idfs = {t: self._idf(t, weight) for t in dict.fromkeys(phrase)}
            weights = np.array([idf for idf, _ in idfs.values()], np.float32)
            for n, part in enumerate(self.parts):
                tids = [ids[n] for _, ids in idfs.values()]
                if None not in tids:
                    starts = np.array([part.start[t] for t in tids] + [part.start[t + 1] for t in tids], np.int64)
                    found = maxscore.phrase_postings(self._rows[n], self._saturation[n], starts[:len(tids)],
                                                     starts[len(tids):], weights,
                                                     np.isin(list(idfs), scored), self.block)
                    if len(found[0]):
                        phrases[n].append(found)
        return [_gathered(t, p) if t or p else None for t, p in zip(terms, phrases)]

    def top(self, query: LexicalQuery, n: int, prior: np.ndarray | None = None,
            allowed: np.ndarray | None = None, *, prior_bound: float | None = None) -> Matches:
        """The ``n`` best rows with a score above 0: BM25 times ``prior`` (per row), among ``allowed`` rows;
        of rows with equal scores, the first ones.

        ``prior_bound`` is an upper bound of ``prior`` (its maximum when not given)."""
        if prior is not None:
            prior = _readonly(np.asarray(prior, np.float32))
            prior_bound = float(prior.max(initial=0.0)) if prior_bound is None else prior_bound
        if allowed is not None:
            allowed = _readonly(np.asarray(allowed, bool))
        # Every argument of the kernel has one type whatever the caller passes (a new one would compile anew).
        rows, scores = [], []
        for lists, rows_a, sat_a, (peaks_a, _), a, z in zip(self._lists(query), self._rows, self._saturation,
                                                            self._blocks, self.offsets[:-1], self.offsets[1:]):
            if lists is not None:
                r, s = maxscore.top_n(rows_a, sat_a, peaks_a, lists.rows, lists.weights, lists.peaks, lists.phrase,
                                      lists.lo, lists.hi, lists.first_block, lists.idf, lists.bound,
                                      _NO_PRIOR if prior is None else prior[a:z],
                                      _NO_MASK if allowed is None else allowed[a:z],
                                      int(n), 1.0 if prior is None else float(prior_bound), self.block, self.dense)
                rows.append(r.astype(np.int64) + a)
                scores.append(s)
        if not rows:
            return Matches(np.zeros(0, np.int64), np.zeros(0, np.float32))
        rows, scores = np.concatenate(rows), np.concatenate(scores)
        if len(rows) > n:
            best = np.lexsort((rows, -scores))[:n]
            rows, scores = rows[best], scores[best]
        return Matches(rows, scores)

    def section_scores(self, query: LexicalQuery, first: np.ndarray, end: np.ndarray, length: np.ndarray,
                       average: float) -> np.ndarray:
        """BM25 of the sections [``first``, ``end``) (rows, each within one part) of the given ``length``s, for
        the query's own terms (index/ranking.py ``SECTION_WEIGHT``): reads its terms' postings in those rows only."""
        terms = []
        for term, weight in query.terms:
            idf, tids = self._idf(term, weight)
            if not idf:
                continue
            tf = np.zeros(len(first))
            for part, rows, tfs, offset, tid in zip(self.parts, self._rows, self._tf, self.offsets, tids):
                if tid is not None:
                    span = slice(part.start[tid], part.start[tid + 1])
                    tf += section_tf(rows[span], tfs[span], first - offset, end - offset)
            terms.append((idf, tf))
        return section_bm25(terms, length, average)

    def scores_of(self, query: LexicalQuery, rows: np.ndarray) -> np.ndarray:
        """BM25 of the given rows (0 where no term matches), without prior."""
        rows = np.asarray(rows, dtype=np.int64)
        out = np.zeros(len(rows), dtype=np.float64)
        for lists, rows_a, sat_a, a, z in zip(self._lists(query), self._rows, self._saturation,
                                              self.offsets[:-1], self.offsets[1:]):
            inside = np.flatnonzero((rows >= a) & (rows < z))
            if lists is not None and len(inside):
                order = inside[np.argsort(rows[inside])]
                out[order] += maxscore.scores_of(rows_a, sat_a, lists.rows, lists.weights, lists.phrase, lists.lo,
                                                 lists.hi, lists.idf, (rows[order] - a).astype(np.int32))
        return out.astype(np.float32)


def _gathered(terms: list[tuple], phrases: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> _Lists:
    """One part's lists: its terms' (lo, hi, first block, idf, bound), then its phrases' (rows, weights, peaks)."""
    sizes = [len(r) for r, _, _ in phrases]
    blocks = [len(p) for _, _, p in phrases]
    lo = np.concatenate([[t[0] for t in terms], np.cumsum([0] + sizes)[:-1]]).astype(np.int64)
    return _Lists(
        phrase=np.repeat([False, True], [len(terms), len(phrases)]),
        lo=lo, hi=lo + np.concatenate([[t[1] - t[0] for t in terms], sizes]).astype(np.int64),
        first_block=np.concatenate([[t[2] for t in terms], np.cumsum([0] + blocks)[:-1]]).astype(np.int64),
        idf=np.array([t[3] for t in terms] + [1.0] * len(phrases), np.float32),
        bound=np.array([t[4] for t in terms] + [float(p.max()) for _, _, p in phrases]),
        rows=np.concatenate([r for r, _, _ in phrases]) if phrases else np.zeros(0, np.int32),
        weights=np.concatenate([w for _, w, _ in phrases]) if phrases else np.zeros(0, np.float32),
        peaks=np.concatenate([p for _, _, p in phrases]) if phrases else np.zeros(0, np.float32))


_compiled = False


def _compile() -> None:
    """Run every kernel once on a tiny index (compiled, or loaded from numba's cache, once per process), so
    that opening a store, not its first search, pays for it."""
    global _compiled
    if not _compiled:
        _compiled = True
        index = LexicalIndex([TermMatrix.build([["a", "b"], ["b"]])])
        query = LexicalQuery((("a", 1.0),), ((("a", "b"), ("b",), SYNONYM_WEIGHT),))
        index.top(query, 1, np.ones(2, np.float32), np.ones(2, bool))
        index.top(query, 1)
        index.scores_of(query, np.arange(2))
        index.section_scores(query, np.arange(2), np.arange(1, 3), np.ones(2), 1.0)
