"""BM25 of the PostgreSQL store, summed in the service from the query terms' packed postings.

One statement reads each query term's postings (index/postgres/postings.py), the rows of the documents the
filters allow, concatenated by the server, with the term's document frequency and the corpus size and
length; the scores are then computed as the embedded store computes them (index/lexical.py): the same
``LexicalQuery``, float32 saturations and idfs, contributions summed in float64, times the float32 prior,
so both backends rank alike. Every matching passage is scored over arrays (a few ms for 100k postings),
and the hybrid's dense-only candidates are scored from the same arrays, without another statement.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import reduce

import numpy as np
import psycopg

from ancols_nlp.index.lexical import LexicalQuery
from ancols_nlp.index.postgres.postings import POSTING
from ancols_nlp.index.postgres.retrieval import AnalysedQuery, where
from ancols_nlp.index.postgres.spans import SectionSpans
from ancols_nlp.index.query import Filters
from ancols_nlp.index.query_intents import QueryIntent
from ancols_nlp.index.ranking import bm25_idf, intent_priors, length_norm, section_bm25, section_tf
from ancols_nlp.pipelines.types import KINDS, THEMES

_RECORD = np.dtype([(name, kind) for name, kind, _ in POSTING])
# Each term's postings in the documents the filters allow (``{clause}`` over ``term_blocks s``, read in ``first``
# order from its index: ids ascending, no sort), its df and the corpus statistics; a term no passage holds has a
# df of 0 and no postings. Those of the organisms the query names (``named``, lower-case) come again apart: their
# ids get the organism prior (none named: NULL, without the second aggregate: 2-5 ms of server CPU a search at 1M).
_READ = ("SELECT w.term, coalesce(df.df, 0), c.segments, c.length, c.sections, b.postings, b.named"
         " FROM unnest(%(terms)s::text[]) AS w(term) CROSS JOIN corpus c"
         " LEFT JOIN term_df df ON df.term = w.term"
         " LEFT JOIN LATERAL (SELECT string_agg(s.postings, ''::bytea ORDER BY s.first) AS postings, {named} AS named"
         " FROM term_blocks s WHERE s.term = w.term AND {clause}) b ON TRUE")
_NAMED = ("string_agg(s.postings, ''::bytea ORDER BY s.first)"
          " FILTER (WHERE lower(coalesce(s.organism, '')) = ANY(%(named)s))")


@dataclass(frozen=True)
class _Postings:
    """One term's postings (ids ascending) and each one's passage attributes."""

    df: int
    ids: np.ndarray  # int64
    tf: np.ndarray  # float32
    length: np.ndarray  # float32
    prior: np.ndarray  # float32, kind × block
    kind: np.ndarray  # int16, KINDS code from 1
    themes: np.ndarray  # uint64, bit n for THEMES[n]
    named: np.ndarray  # bool: of an organism the query names

    @classmethod
    def of(cls, df: int, packed: bytes | None, named: bytes | None = None) -> _Postings:
        records = np.frombuffer(packed or b"", _RECORD)
        ids = records["id"].astype(np.int64)
        order = None if np.all(ids[1:] > ids[:-1]) else np.argsort(ids, kind="stable")
        arrays = [ids] + [records[name].astype(kind) for name, kind in
                          (("tf", np.float32), ("length", np.float32), ("prior", np.float32), ("kind", np.int16),
                           ("themes", np.uint64))]
        arrays.append(np.isin(ids, np.frombuffer(named or b"", _RECORD)["id"]))
        return cls(df, *(a if order is None else a[order] for a in arrays))


@dataclass(frozen=True)
class _Scored:
    """Candidate passages: each list's ids, their contributions and attributes."""

    ids: np.ndarray
    weights: np.ndarray  # float32
    prior: np.ndarray
    kind: np.ndarray
    themes: np.ndarray
    named: np.ndarray


class Bm25:
    """A query's prior-weighted BM25 over the passages ``filters`` allow: the best ``top(n)``, or ``of(ids)``."""

    def __init__(self, query: LexicalQuery, postings: dict[str, _Postings], segments: int, average: float,
                 intent: QueryIntent, filters: Filters, section_average: float = 1.0):
        self.query, self.postings, self.segments = query, postings, segments
        self.average, self.section_average = average, section_average
        self.intent = intent
        self.filters = filters
        self._scored: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None

    @classmethod
    def read(cls, conn: psycopg.Connection, query: AnalysedQuery, filters: Filters) -> Bm25:
        """The postings of the query's terms and phrases (its ``expansion``), in one statement."""
        intent = query.intent
        lexical = LexicalQuery.of(query.expansion)
        terms = list(dict.fromkeys([t for t, _ in lexical.terms] + [t for p, *_ in lexical.phrases for t in p]))
        clause, args = where(replace(filters, kind=(), theme=()))  # the documents' filters; the passages' below
        postings, segments, length, sections = {}, 0, 0, 0
        if terms:
            named = [o.casefold() for o in intent.organisms]
            rows = conn.execute(_READ.format(clause=clause, named=_NAMED if named else "NULL::bytea"),
                                {**args, "terms": terms, "named": named},
                                binary=True).fetchall()
            for term, df, segments, length, sections, packed, of_named in rows:
                postings[term] = _Postings.of(int(df), packed, of_named)
        average = float(length) / segments if segments else 1.0
        return cls(lexical, postings, int(segments), average, intent, filters,
                   float(length) / sections if sections else 1.0)

    def _idf(self, term: str, weight: float) -> np.float32:
        return bm25_idf(self.postings[term].df, self.segments, weight)

    def _saturation(self, p: _Postings) -> np.ndarray:
        """As the embedded index's: tf / (tf + k1·(1 − b + b·length/average)), in float32."""
        return p.tf / (p.tf + length_norm(p.length, self.average))

    def _lists(self) -> list[_Scored]:
        """Each query term's postings (a term repeated counts each time) and each phrase's: the passages holding
        all of its terms, with the sum of its scored terms' contributions."""
        out, saturation = [], {t: self._saturation(p) for t, p in self.postings.items()}
        for term, weight in self.query.terms:
            idf, p = self._idf(term, weight), self.postings[term]
            if idf and len(p.ids):
                out.append(_Scored(p.ids, idf * saturation[term], p.prior, p.kind, p.themes, p.named))
        for phrase, scored, weight in self.query.phrases:
            held = list(dict.fromkeys(phrase))
            if not all(len(self.postings[t].ids) for t in held):
                continue
            common = reduce(_common, sorted((self.postings[t].ids for t in held), key=len))
            if not len(common):
                continue
            weights = np.zeros(len(common), dtype=np.float32)
            for t in scored:
                at = np.searchsorted(self.postings[t].ids, common)
                weights += self._idf(t, weight) * saturation[t][at]
            first = self.postings[held[0]]
            at = np.searchsorted(first.ids, common)
            out.append(_Scored(common, weights, first.prior[at], first.kind[at], first.themes[at], first.named[at]))
        return out

    def _scores(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every matching passage (ids ascending), its prior-weighted score and whether the filters keep it."""
        if self._scored is None:
            lists = self._lists()
            if not lists:
                self._scored = np.zeros(0, np.int64), np.zeros(0, np.float32), np.zeros(0, bool)
                return self._scored
            at, ids, sums = _summed(np.concatenate([s.ids for s in lists]), np.concatenate([s.weights for s in lists]))

            def attribute(name: str) -> np.ndarray:
                return np.concatenate([getattr(s, name) for s in lists])[at]

            rows = _Rows(attribute("kind"), attribute("themes"), attribute("named"))
            prior = intent_priors(attribute("prior"), self.intent, rows)
            keep = np.ones(len(ids), dtype=bool)
            if self.filters.kind:
                keep &= rows.has_kind(self.filters.kind)
            if self.filters.theme:
                keep &= rows.has_theme(self.filters.theme)
            self._scored = ids, sums.astype(np.float32) * prior, keep
        return self._scored

    def top(self, n: int) -> dict[int, float]:
        """The ``n`` best passages the filters keep, with a score above 0, best first (then by id)."""
        ids, scores, keep = self._scores()
        rows = np.flatnonzero(keep & (scores > 0))
        if len(rows) > n > 0:  # the rows at least as good as the n-th best: ties at the n-th go by id
            rows = rows[scores[rows] >= -np.partition(-scores[rows], n - 1)[n - 1]]
        rows = rows[np.lexsort((ids[rows], -scores[rows]))][:n]
        return dict(zip(ids[rows].tolist(), scores[rows].tolist()))

    def sections(self, pooled: Callable[[], SectionSpans]) -> dict[int, float]:
        """The BM25 of each pooled passage's section (index/ranking.py ``SECTION_WEIGHT``; ``pooled`` reads their
        spans), from the postings read, as the embedded store's ``LexicalIndex.section_scores``: the query's own
        terms, the passages' idf."""
        spans, terms = pooled(), []
        for term, weight in self.query.terms:
            idf, p = self._idf(term, weight), self.postings[term]
            if idf:
                terms.append((idf, section_tf(p.ids, p.tf, spans.first, spans.after)))
        return dict(zip(spans.ids, section_bm25(terms, spans.length, self.section_average).tolist()))

    def of(self, wanted: list[int]) -> dict[int, float]:
        """The scores of the ``wanted`` passages that match and the filters keep."""
        ids, scores, keep = self._scores()
        if not len(ids):
            return {}
        wanted_ids = np.asarray(wanted, dtype=np.int64)
        at = np.minimum(np.searchsorted(ids, wanted_ids), len(ids) - 1)
        held = (ids[at] == wanted_ids) & keep[at] & (scores[at] > 0)
        return dict(zip(wanted_ids[held].tolist(), scores[at[held]].tolist()))


@dataclass(frozen=True)
class _Rows:
    """The matching passages' attributes, as ``ranking.intent_priors`` and the filters ask for them."""

    kind: np.ndarray
    themes: np.ndarray
    named: np.ndarray  # of the organisms the query names (the postings read only tell those apart)

    def has_kind(self, kinds: tuple[str, ...]) -> np.ndarray:
        return np.isin(self.kind, _codes(kinds))

    def has_organism(self, organisms: tuple[str, ...]) -> np.ndarray:
        return self.named

    def has_theme(self, themes: tuple[str, ...]) -> np.ndarray:
        bits = sum(1 << n for n, t in enumerate(THEMES) if t in themes)
        return (self.themes & np.uint64(bits)) != 0


def _summed(ids: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A position in ``ids`` of each distinct id (its last), the distinct ids ascending, and their summed ``weights``
    (float64, added in posting order). A stable sort of the postings, not arrays as long as the ids' span: at 1M
    those cost 12-14 ms of allocation and page faults a search, the sort 3-4 ms (BENCHMARKS.md, pgprof)."""
    order = np.argsort(ids, kind="stable")
    ordered = ids[order]
    start = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    last = np.r_[start[1:], len(ordered)] - 1
    return order[last], ordered[start], np.add.reduceat(np.asarray(weights, dtype=np.float64)[order], start)


def _common(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The ids in both ascending arrays (``a`` the shorter)."""
    at = np.minimum(np.searchsorted(b, a), max(len(b) - 1, 0))
    return a[b[at] == a] if len(b) else b


def _codes(kinds: tuple[str, ...]) -> list[int]:
    return [n for n, k in enumerate(KINDS, start=1) if k in kinds]
