"""The embedded store: SQLite rows + derived BM25 and FAISS indexes, behind one small interface.

Writes go through one lock (single writer): the SQLite transaction commits first, then a
new search snapshot is built from the committed rows and swapped in. A crash between the two
loses nothing, because snapshots are always derived from SQLite when the store opens.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from pathlib import Path

import numpy as np

from index.analyzer import analyze
from index.interface import Added, Embedder, SearchOutcome, StoreStats
from index.lexical import LexicalIndex
from index.metadata import MetadataStore
from index.passages import (EMBEDDING_KEY, LEXICAL_FINGERPRINT, LEXICAL_KEY, distinct, document_contexts,
                            passage_context, passage_vectors)
from index.search import Columns, Filters, SearchParams, Snapshot, search
from index.vectors import VectorIndex
from pipelines.types import ProcessedDocument


class Store:
    def __init__(self, data_dir: Path, embedder: Embedder, params: SearchParams | None = None):
        self.embedder = embedder
        self.params = params or SearchParams()
        self.meta = MetadataStore(Path(data_dir) / "ancols.sqlite3")
        self._write = threading.Lock()
        stored = self.meta.get_setting(EMBEDDING_KEY)
        if stored is not None and stored != embedder.fingerprint:
            self.reembed()
        self.meta.set_setting(EMBEDDING_KEY, embedder.fingerprint)
        if self.meta.get_setting(LEXICAL_KEY) != LEXICAL_FINGERPRINT:
            self.reanalyze()
        self._snapshot = self._build_snapshot()

    def close(self) -> None:
        self.meta.close()

    # -- writes ---------------------------------------------------------------------------
    def add(self, doc: ProcessedDocument, *, filename: str, data: bytes, vectors: np.ndarray | None = None) -> Added:
        """Index a processed document; the same bytes uploaded twice give back the first id.

        ``vectors`` are the passages' embeddings when a distributed ingestion already computed them."""
        sha = hashlib.sha256(data).hexdigest()
        existing = self.meta.find_by_sha(sha)
        if existing:
            row = self.meta.document(existing)
            return Added(existing, row["segment_count"] if row else 0, True)
        contexts = document_contexts(doc)
        if vectors is None:
            vectors = passage_vectors(self.embedder, contexts)
        terms = [analyze(c) for c in contexts]
        doc_id = uuid.uuid4().hex[:16]
        with self._write:
            self.meta.add_document(doc_id, filename, sha, len(data), doc, vectors, terms)
            self._snapshot = self._build_snapshot()
        return Added(doc_id, len(doc.segments), False)

    def delete(self, doc_id: str) -> bool:
        with self._write:
            removed = self.meta.delete_document(doc_id)
            if removed:
                self._snapshot = self._build_snapshot()
        return removed

    def reembed(self) -> int:
        """Recompute every stored vector with the current embedder (after a model change)."""
        with self._write:
            rows = self.meta.segment_texts()
            ids = [r[0] for r in rows]
            texts = [passage_context(text, path) for _, text, path in rows]
            vectors = passage_vectors(self.embedder, texts)
            self.meta.replace_vectors(ids, vectors)
            self.meta.set_setting(EMBEDDING_KEY, self.embedder.fingerprint)
            self._snapshot = self._build_snapshot()
        return len(ids)

    def reanalyze(self) -> int:
        """Recompute every stored passage's analysed terms (after an analyzer or context change)."""
        with self._write:
            rows = self.meta.segment_texts()
            self.meta.replace_terms([r[0] for r in rows], [analyze(passage_context(text, path)) for _, text, path in rows])
            self.meta.set_setting(LEXICAL_KEY, LEXICAL_FINGERPRINT)
            self._snapshot = self._build_snapshot()
        return len(rows)

    # -- reads ----------------------------------------------------------------------------
    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def stats(self) -> StoreStats:
        snap = self._snapshot
        return StoreStats(documents=self.meta.documents(limit=1, offset=0)[1], segments=len(snap.columns.ids),
                          vector_index=snap.vectors.kind)

    def organisms(self) -> list[str]:
        return sorted({o for o in self._snapshot.columns.organism.tolist() if isinstance(o, str) and o.strip()})

    def search(self, query: str, *, k: int, filters: Filters, params: SearchParams | None = None) -> SearchOutcome:
        snap = self._snapshot
        params = params or self.params
        vector = self.embedder.encode_query(query) if params.mode != "lexical" else None
        hits, mask = search(snap, query, vector, k * 3, filters, params)
        rows = self.meta.segments_by_id([h.id for h in hits])
        hits = distinct(hits, rows, k)
        return SearchOutcome(hits, rows, snap.columns.facets(mask), int(mask.sum()))

    def _build_snapshot(self) -> Snapshot:
        ids, terms, vectors = self.meta.index_rows()
        dim = vectors.shape[1] if len(ids) else self.embedder.dimension
        return Snapshot(columns=_columns(self.meta.column_rows()), lexical=LexicalIndex(ids, terms),
                        vectors=VectorIndex(dim, ids, vectors))


def _columns(rows: list[tuple]) -> Columns:
    metas = [json.loads(r[4]) for r in rows]
    return Columns(
        ids=np.array([r[0] for r in rows], dtype=np.int64),
        kind=np.array([r[1] for r in rows], dtype=object),
        themes=[json.loads(r[2]) for r in rows],
        document_id=np.array([r[3] for r in rows], dtype=object),
        organism=np.array([m.get("organism") for m in metas], dtype=object),
        doc_type=np.array([m.get("doc_type") for m in metas], dtype=object),
        year=np.array([m.get("year") or -1 for m in metas], dtype=np.int64),
        block=np.array([r[5] for r in rows], dtype=object),
    )


