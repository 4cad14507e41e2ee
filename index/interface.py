"""What the service needs of a store, whatever engine holds the rows.

The embedded default (SQLite + BM25 + FAISS, ``ancols_nlp.index.store``) and server backends are
adapters behind these protocols: the routers, the CLI and the chat only speak to them.
Rows are the typed records of ``ancols_nlp.index.records``, which every backend builds alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ancols_nlp.index.embedder import Embedder
from ancols_nlp.index.expansion import Expansion
from ancols_nlp.index.query import Filters, Hit, SearchParams
from ancols_nlp.index.records import DocumentRef, DocumentRow, SegmentRow
from ancols_nlp.pipelines.types import DocumentWarning, Indicator, PageSpan, ProcessedDocument
from ancols_nlp.pipelines.unread import unread_warnings

if TYPE_CHECKING:
    from ancols_nlp.index.passages import Distinct


class StoreUnavailable(RuntimeError):
    """The store's database server cannot be reached (down, a wrong address or role): said in one line, not a
    traceback; the API answers it with a 503."""


@dataclass(frozen=True)
class Added:
    id: str
    segment_count: int
    duplicate: bool
    warnings: tuple[DocumentWarning, ...] = ()  # what the stored document lacks (scanned pages left unread)


@dataclass(frozen=True)
class SearchOutcome:
    hits: list[Hit]
    rows: dict[int, SegmentRow]
    facets: dict[str, dict[str, int]]
    total: int
    # The query's terms and the phrasings it was expanded with (thesaurus and the stored documents' own
    # acronyms): what a result's highlights show, so "PGE" lights up "provision pour gros entretien" too.
    expansion: Expansion


@dataclass(frozen=True)
class Passages:
    """A search's distinct passages before they are cut to what is shown: drawn best first with their texts (at
    most the k asked), their rows read whole only for those shown (``read_rows``). The sentence grain ranks the
    sentences of the first few drawn; ``outcome`` is the passage search."""

    drawn: Distinct
    read_rows: Callable[[list[int]], dict[int, SegmentRow]]
    facets: dict[str, dict[str, int]]
    total: int
    expansion: Expansion
    # The same search's passages for a larger k (the sentence grain's pool), as ``passages`` would give them: a
    # store may reuse this search's scores and texts read rather than search again.
    wider: Callable[[int], Passages]

    def outcome(self) -> SearchOutcome:
        """Every passage drawn, with its row (a document deleted between the two reads loses its hits)."""
        hits = [hit for hit, _ in self.drawn]
        rows = self.read_rows([h.id for h in hits])
        return SearchOutcome([h for h in hits if h.id in rows], rows, self.facets, self.total, self.expansion)


@dataclass(frozen=True)
class StoreStats:
    documents: int
    segments: int
    vector_index: str  # what answers dense queries, e.g. "flat", "hnsw", "pgvector-hnsw"


class DocumentReader(Protocol):
    """Row lookups the API serves (documents, segments, links, indicators)."""

    def find_by_sha(self, sha256: str) -> str | None: ...

    def find_by_meta(self, field: str, value: str, *, with_text: bool = True) -> list[DocumentRow]:
        """The stored documents whose metadata ``field`` (one of ``near_duplicates.KEYS``) has this value, oldest
        first, with their texts (``near_duplicates`` compares them) unless ``with_text`` is False (the chat's report
        filter wants their ids)."""
        ...

    def document(self, doc_id: str, *, with_text: bool = False) -> DocumentRow | None: ...

    def document_heads(self, doc_ids: set[str] | list[str]) -> dict[str, DocumentRef]: ...

    def documents(self, *, limit: int, offset: int) -> tuple[list[DocumentRow], int]: ...

    def segments_of(self, doc_id: str, *, limit: int, offset: int) -> tuple[list[SegmentRow], int]: ...

    def segments_by_id(self, ids: list[int]) -> dict[int, SegmentRow]: ...

    def segment_by_seq(self, doc_id: str, seq: int) -> SegmentRow | None: ...

    def segments_answering(self, doc_id: str, seq: int) -> list[SegmentRow]: ...

    def indicators_of(self, doc_id: str) -> list[Indicator]: ...


def already_stored(meta: DocumentReader, sha256: str) -> Added | None:
    """The stored document whose bytes have this SHA-256, if any: a duplicate upload is answered with the first id
    before it is processed again (seconds for a report). ``add`` checks again: the same bytes may land meanwhile."""
    doc_id = meta.find_by_sha(sha256)
    row = meta.document(doc_id) if doc_id else None
    if row is None:
        return None
    return Added(doc_id, row.segment_count, True, unread_warnings(PageSpan(**page) for page in row.pages))


class SegmentStore(Protocol):
    """Writes, search and lifecycle of one store."""

    embedder: Embedder
    meta: DocumentReader

    def add(self, doc: ProcessedDocument, *, filename: str, data: bytes,
            vectors: np.ndarray | None = None) -> Added: ...

    def delete(self, doc_id: str) -> bool: ...

    def search(self, query: str, *, k: int, filters: Filters, params: SearchParams | None = None) -> SearchOutcome: ...

    def passages(self, query: str, *, k: int, filters: Filters, params: SearchParams | None = None) -> Passages:
        """``search``'s passages drawn one at a time, before any row is read whole (``search`` is its ``outcome``)."""
        ...

    def stats(self) -> StoreStats: ...

    @property
    def version(self) -> int | None:
        """A token that changes with every write this process's searches can see, so an answer may be cached
        under it; None when the store cannot tell (another process may write)."""
        ...

    def organisms(self) -> list[str]: ...

    def organism_documents(self) -> dict[str, int]:
        """The names ``organisms`` lists, each with the number of documents giving it, in the order first stored
        (of their passages)."""
        ...

    def reembed(self) -> int: ...

    def reanalyze(self) -> int: ...

    def lead(self) -> None:
        """This process now owns the store's background writes (service/ownership.py), after another ended."""
        ...

    def close(self) -> None: ...
