"""Query → ranked segment ids, over an immutable snapshot of the derived indexes.

A snapshot is built once per change of the stored segments and swapped in whole, so a
search never sees half of an ingestion and never waits for one.

Ranking (constants and the measurements behind them: index/ranking.py):
- lexical: BM25 over each segment's text under its innermost heading, times a prior on what the
  segment is (headings and "other" segments are damped) and on the kind the query asks for;
- semantic: cosine of the query and passage vectors, times the same priors;
- hybrid: the lexical and the semantic candidates are pooled, the dense model re-scores the pool
  with a query vector moved towards the best lexical passages (vector-space pseudo-relevance
  feedback), and both scores are z-normalised over the pool before a weighted sum. Z-scores
  make the weight mean the same thing whatever the query (BM25 is unbounded, cosines sit in a
  narrow band) and, unlike min–max, one outlier does not squash the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

import numpy as np

from index import fusion
from index.analyzer import query_kinds
from index.lexical import LexicalIndex
from index.ranking import DENSE_FEEDBACK_MIX, DENSE_FEEDBACK_PASSAGES, OFF_INTENT_PRIOR, segment_prior
from index.vectors import VectorIndex

Mode = Literal["lexical", "semantic", "hybrid"]
Fusion = Literal["weighted", "rrf"]


@dataclass(frozen=True)
class Filters:
    kind: tuple[str, ...] = ()
    theme: tuple[str, ...] = ()
    document_id: tuple[str, ...] = ()
    organism: tuple[str, ...] = ()
    doc_type: tuple[str, ...] = ()
    year_min: int | None = None
    year_max: int | None = None

    def active(self) -> bool:
        return any((self.kind, self.theme, self.document_id, self.organism, self.doc_type,
                    self.year_min is not None, self.year_max is not None))


@dataclass(frozen=True)
class Columns:
    """Per-segment attributes aligned with ``ids`` (ascending), for filters, facets and priors."""

    ids: np.ndarray
    kind: np.ndarray
    themes: list[list[str]]
    document_id: np.ndarray
    organism: np.ndarray
    doc_type: np.ndarray
    year: np.ndarray  # -1 when unknown
    block: np.ndarray | None = None  # layout block kind ("heading", "table_row"…); None = unknown

    def mask(self, f: Filters) -> np.ndarray:
        keep = np.ones(len(self.ids), dtype=bool)
        if f.kind:
            keep &= np.isin(self.kind, f.kind)
        if f.document_id:
            keep &= np.isin(self.document_id, f.document_id)
        if f.organism:
            wanted = {o.casefold() for o in f.organism}
            keep &= np.array([(o or "").casefold() in wanted for o in self.organism], dtype=bool)
        if f.doc_type:
            keep &= np.isin(self.doc_type, f.doc_type)
        if f.theme:
            wanted_themes = set(f.theme)
            keep &= np.array([bool(wanted_themes.intersection(t)) for t in self.themes], dtype=bool)
        if f.year_min is not None:
            keep &= self.year >= f.year_min
        if f.year_max is not None:
            keep &= (self.year <= f.year_max) & (self.year >= 0)
        return keep

    @cached_property
    def facet_codes(self) -> dict[str, tuple[list[str], np.ndarray]]:
        """Per facet (kind, first theme, organism): its labels and each segment's label index (-1 = none)."""
        out = {}
        for name, values in (("kind", list(self.kind)), ("theme", [t[0] if t else None for t in self.themes]),
                             ("organism", [o or "inconnu" for o in self.organism])):
            labels = sorted({v for v in values if v is not None})
            index = {v: n for n, v in enumerate(labels)}
            out[name] = (labels, np.array([index.get(v, -1) if v is not None else -1 for v in values], dtype=np.int64))
        return out

    def facets(self, mask: np.ndarray) -> dict[str, dict[str, int]]:
        """Counts per kind, first theme and organism among the segments ``mask`` lets through."""
        out = {}
        for name, (labels, codes) in self.facet_codes.items():
            picked = codes[mask]
            counts = np.bincount(picked[picked >= 0], minlength=len(labels))
            out[name] = {label: int(c) for label, c in zip(labels, counts) if c}
        return out

    def priors(self) -> np.ndarray:
        blocks = self.block if self.block is not None else [""] * len(self.ids)
        return np.array([segment_prior(k, b) for k, b in zip(self.kind, blocks)], dtype=np.float32)


@dataclass(frozen=True)
class Hit:
    id: int
    score: float
    lexical: float | None = None
    dense: float | None = None


@dataclass
class Snapshot:
    columns: Columns
    lexical: LexicalIndex
    vectors: VectorIndex
    position: dict[int, int] = field(default_factory=dict)  # segment id → row in columns
    prior: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))

    def __post_init__(self) -> None:
        self.position = {int(i): n for n, i in enumerate(self.columns.ids)}
        self.prior = self.columns.priors()


@dataclass(frozen=True)
class SearchParams:
    mode: Mode = "hybrid"
    fusion: Fusion = "weighted"
    lexical_weight: float = 0.7  # share of the lexical z-score in the hybrid sum
    candidates: int = 200  # per list (lexical, dense) pooled for the hybrid re-scoring
    rrf_k: int = 60


def search(snapshot: Snapshot, query: str, query_vector: np.ndarray | None, k: int,
           filters: Filters, params: SearchParams) -> tuple[list[Hit], np.ndarray]:
    """Best-first hits and the filter mask they were drawn from (for facets)."""
    mask = snapshot.columns.mask(filters)
    if not len(snapshot.columns.ids):
        return [], mask
    prior = _query_prior(snapshot, query)
    use_dense = params.mode != "lexical" and query_vector is not None and len(snapshot.vectors) > 0
    lex: dict[int, float] = {}
    den: dict[int, float] = {}
    lex_all = np.zeros(0, dtype=np.float32)
    if params.mode in ("lexical", "hybrid"):
        lex, lex_all = _lexical(snapshot, query, mask, prior, params.candidates)
    if params.mode == "lexical" or (params.mode == "hybrid" and not use_dense):
        fused = lex
    elif params.mode == "semantic":
        if not use_dense:
            return [], mask
        den = _dense(snapshot, query_vector, mask, params.candidates, filtered=filters.active())
        fused = {i: s * float(prior[snapshot.position[i]]) for i, s in den.items()}
    else:
        den = _rescore(snapshot, query_vector, lex, mask, params.candidates, filtered=filters.active())
        if lex_all.size:  # dense-only candidates keep their (low) lexical score, not an invented 0
            lex = {i: lex[i] if i in lex else float(lex_all[snapshot.position[i]]) for i in den}
        fused = fuse(lex, den, params)
    return best_hits(fused, lex, den, k), mask


def fuse(lex: dict[int, float], den: dict[int, float], params: SearchParams) -> dict[int, float]:
    """The hybrid score of each pooled candidate."""
    if params.fusion == "rrf":
        return fusion.rrf(_ranked(lex), _ranked(den), k=params.rrf_k)
    return fusion.weighted(lex, den, lexical_weight=params.lexical_weight)


def best_hits(fused: dict[int, float], lex: dict[int, float], den: dict[int, float], k: int) -> list[Hit]:
    """The ``k`` best, ties broken by id so every backend ranks alike."""
    ranked = sorted(fused.items(), key=lambda kv: (-kv[1], kv[0]))[:k]
    return [Hit(i, float(s), lex.get(i), den.get(i)) for i, s in ranked]


def _query_prior(snapshot: Snapshot, query: str) -> np.ndarray:
    """Segment priors, with the kinds the query asks for (if any) favoured over the others."""
    wanted = query_kinds(query)
    if not wanted:
        return snapshot.prior
    return snapshot.prior * np.where(np.isin(snapshot.columns.kind, wanted), 1.0, OFF_INTENT_PRIOR).astype(np.float32)


def _ranked(scores: dict[int, float]) -> list[int]:
    return [i for i, _ in sorted(scores.items(), key=lambda kv: -kv[1])]


def _lexical(snapshot: Snapshot, query: str, mask: np.ndarray, prior: np.ndarray,
             n: int) -> tuple[dict[int, float], np.ndarray]:
    """The ``n`` best matching segments, and the (masked, prior-weighted) score of every row."""
    scores = snapshot.lexical.scores(query)
    if scores.size == 0:
        return {}, scores
    # The lexical index is built on the same ascending ids as the columns.
    scores = np.where(mask, scores * prior, 0.0).astype(np.float32)
    top = np.argpartition(-scores, n)[:n] if scores.size > n else np.arange(scores.size)
    return {int(snapshot.lexical.ids[i]): float(scores[i]) for i in top if scores[i] > 0}, scores


def _dense(snapshot: Snapshot, vector: np.ndarray, mask: np.ndarray, n: int, *, filtered: bool) -> dict[int, float]:
    allowed = snapshot.columns.ids[mask] if filtered else None
    ids, scores = snapshot.vectors.search(vector, n, allowed)
    return dict(zip(ids.tolist(), scores.tolist()))


def _rescore(snapshot: Snapshot, vector: np.ndarray, lex: dict[int, float], mask: np.ndarray, n: int,
             *, filtered: bool) -> dict[int, float]:
    """Cosines of the pooled candidates (lexical ∪ dense top ``n``) with the feedback query vector."""
    pool = list(lex)
    pool += [i for i in _dense(snapshot, vector, mask, n, filtered=filtered) if i not in lex]
    if not pool:
        return {}
    return feedback_scores(pool, snapshot.vectors.get(np.array(pool, dtype=np.int64)), lex, vector)


def feedback_scores(pool: list[int], vectors: np.ndarray, lex: dict[int, float], vector: np.ndarray) -> dict[int, float]:
    """Cosines of the ``pool`` passages (``vectors``, in pool order) with the query vector moved towards
    the best lexical passages."""
    best = sorted(lex, key=lambda i: -lex[i])[:DENSE_FEEDBACK_PASSAGES]
    query = np.asarray(vector, dtype=np.float32).reshape(-1)
    if best:
        centroid = vectors[[pool.index(i) for i in best]].mean(axis=0)
        norm = float(np.linalg.norm(centroid))
        if norm > 1e-9:
            query = DENSE_FEEDBACK_MIX * query + (1.0 - DENSE_FEEDBACK_MIX) * centroid / norm
    return dict(zip(pool, (vectors @ query).tolist()))
