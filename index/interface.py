"""What the service needs of a store, whatever engine holds the rows.

The embedded default (SQLite + BM25 + FAISS, ``ancols_nlp.index.store``) and server backends are
adapters behind these protocols: the routers, the CLI and the chat only speak to them.
Row dicts are the same for every backend (see ``ancols_nlp.index.metadata._segment_row``/``_document_row``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from ancols_nlp.index.search import Filters, Hit, SearchParams
from ancols_nlp.pipelines.types import ProcessedDocument


class Embedder(Protocol):
    fingerprint: str
    dimension: int

    def encode_passages(self, texts: list[str]) -> np.ndarray: ...

    def encode_query(self, text: str) -> np.ndarray: ...


@dataclass(frozen=True)
class Added:
    id: str
    segment_count: int
    duplicate: bool


@dataclass(frozen=True)
class SearchOutcome:
    hits: list[Hit]
    rows: dict[int, dict]
    facets: dict[str, dict[str, int]]
    total: int


@dataclass(frozen=True)
class StoreStats:
    documents: int
    segments: int
    vector_index: str  # what answers dense queries, e.g. "flat", "hnsw", "pgvector-hnsw"


class DocumentReader(Protocol):
    """Row lookups the API serves (documents, segments, links, indicators)."""

    def find_by_sha(self, sha256: str) -> str | None: ...

    def document(self, doc_id: str, *, with_text: bool = False) -> dict | None: ...

    def document_heads(self, doc_ids: set[str] | list[str]) -> dict[str, dict]: ...

    def documents(self, *, limit: int, offset: int) -> tuple[list[dict], int]: ...

    def segments_of(self, doc_id: str, *, limit: int, offset: int) -> tuple[list[dict], int]: ...

    def segments_by_id(self, ids: list[int]) -> dict[int, dict]: ...

    def segment_by_seq(self, doc_id: str, seq: int) -> dict | None: ...

    def segments_answering(self, doc_id: str, seq: int) -> list[dict]: ...

    def indicators_of(self, doc_id: str) -> list[dict]: ...


class SegmentStore(Protocol):
    """Writes, search and lifecycle of one store."""

    embedder: Embedder
    meta: DocumentReader

    def add(self, doc: ProcessedDocument, *, filename: str, data: bytes,
            vectors: np.ndarray | None = None) -> Added: ...

    def delete(self, doc_id: str) -> bool: ...

    def search(self, query: str, *, k: int, filters: Filters, params: SearchParams | None = None) -> SearchOutcome: ...

    def stats(self) -> StoreStats: ...

    def organisms(self) -> list[str]: ...

    def reembed(self) -> int: ...

    def reanalyze(self) -> int: ...

    def close(self) -> None: ...
