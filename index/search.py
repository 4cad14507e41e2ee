"""Query → ranked segment ids, over an immutable snapshot of the derived indexes.

A snapshot is built once per change of the stored segments and swapped in whole, so a
search never sees half of an ingestion and never waits for one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from index import fusion
from index.lexical import LexicalIndex
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
    """Per-segment attributes aligned with ``ids`` (ascending), for filters and facets."""

    ids: np.ndarray
    kind: np.ndarray
    themes: list[list[str]]
    document_id: np.ndarray
    organism: np.ndarray
    doc_type: np.ndarray
    year: np.ndarray  # -1 when unknown

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

    def __post_init__(self) -> None:
        self.position = {int(i): n for n, i in enumerate(self.columns.ids)}


@dataclass(frozen=True)
class SearchParams:
    mode: Mode = "hybrid"
    fusion: Fusion = "weighted"
    lexical_weight: float = 0.7
    candidates: int = 200
    rrf_k: int = 60


def search(snapshot: Snapshot, query: str, query_vector: np.ndarray | None, k: int,
           filters: Filters, params: SearchParams) -> tuple[list[Hit], np.ndarray]:
    """Best-first hits and the filter mask they were drawn from (for facets)."""
    mask = snapshot.columns.mask(filters)
    lex: dict[int, float] = {}
    den: dict[int, float] = {}
    if params.mode in ("lexical", "hybrid"):
        lex = _lexical(snapshot, query, mask, params.candidates)
    if params.mode in ("semantic", "hybrid") and query_vector is not None:
        den = _dense(snapshot, query_vector, mask, params.candidates, filtered=filters.active())
    if params.mode == "lexical":
        fused = lex
    elif params.mode == "semantic":
        fused = den
    elif params.fusion == "rrf":
        fused = fusion.rrf(_ranked(lex), _ranked(den), k=params.rrf_k)
    else:
        fused = fusion.weighted(lex, den, lexical_weight=params.lexical_weight)
    ranked = sorted(fused.items(), key=lambda kv: -kv[1])[:k]
    return [Hit(i, float(s), lex.get(i), den.get(i)) for i, s in ranked], mask


def _ranked(scores: dict[int, float]) -> list[int]:
    return [i for i, _ in sorted(scores.items(), key=lambda kv: -kv[1])]


def _lexical(snapshot: Snapshot, query: str, mask: np.ndarray, n: int) -> dict[int, float]:
    scores = snapshot.lexical.scores(query)
    if scores.size == 0:
        return {}
    # The lexical index is built on the same ascending ids as the columns.
    scores = np.where(mask, scores, 0.0)
    top = np.argpartition(-scores, min(n, scores.size - 1))[:n] if scores.size > n else np.arange(scores.size)
    return {int(snapshot.lexical.ids[i]): float(scores[i]) for i in top if scores[i] > 0}


def _dense(snapshot: Snapshot, vector: np.ndarray, mask: np.ndarray, n: int, *, filtered: bool) -> dict[int, float]:
    allowed = snapshot.columns.ids[mask] if filtered else None
    ids, scores = snapshot.vectors.search(vector, n, allowed)
    return dict(zip(ids.tolist(), scores.tolist()))
