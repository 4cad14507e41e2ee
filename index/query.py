"""What a search is asked and what it answers, the same for every backend: filters, parameters, hits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Mode = Literal["lexical", "semantic", "hybrid"]
Fusion = Literal["weighted", "rrf"]
Grain = Literal["sentence", "passage"]  # what a search result is: one sentence of a found passage, or all of it


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
class Hit:
    id: int
    score: float
    lexical: float | None = None
    dense: float | None = None


@dataclass(frozen=True)
class SearchParams:
    """How to rank; the defaults are the shipped ranking (and the defaults of the ``ANCOLS_*`` settings)."""

    mode: Mode = "hybrid"
    fusion: Fusion = "weighted"
    # Share of the lexical z-score in the weighted hybrid sum (index/ranking.py ``weighted``).
    lexical_weight: float = 0.7
    candidates: int = 200  # per list (lexical, dense) pooled for the hybrid re-scoring
    rrf_k: int = 60  # the usual reciprocal-rank constant
