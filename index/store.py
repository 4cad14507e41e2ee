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
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from index.analyzer import analyze
from index.lexical import LexicalIndex
from index.metadata import MetadataStore
from index.search import Columns, Filters, Hit, SearchParams, Snapshot, search
from index.vectors import VectorIndex
from pipelines.types import ProcessedDocument

FINGERPRINT_KEY = "embedding_fingerprint"


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


def passage_context(text: str, section_path: list[str]) -> str:
    """What the indexes see of a segment: its text under its innermost heading."""
    return f"{section_path[-1]}\n{text}" if section_path else text


class Store:
    def __init__(self, data_dir: Path, embedder: Embedder, params: SearchParams | None = None):
        self.embedder = embedder
        self.params = params or SearchParams()
        self.meta = MetadataStore(Path(data_dir) / "ancols.sqlite3")
        self._write = threading.Lock()
        stored = self.meta.get_setting(FINGERPRINT_KEY)
        if stored is not None and stored != embedder.fingerprint:
            self.reembed()
        self.meta.set_setting(FINGERPRINT_KEY, embedder.fingerprint)
        self._snapshot = self._build_snapshot()

    def close(self) -> None:
        self.meta.close()

    # -- writes ---------------------------------------------------------------------------
    def add(self, doc: ProcessedDocument, *, filename: str, data: bytes) -> Added:
        """Index a processed document; the same bytes uploaded twice give back the first id."""
        sha = hashlib.sha256(data).hexdigest()
        existing = self.meta.find_by_sha(sha)
        if existing:
            row = self.meta.document(existing)
            return Added(existing, row["segment_count"] if row else 0, True)
        contexts = [passage_context(s.text, s.section_path) for s in doc.segments]
        vectors = self.embedder.encode_passages(contexts) if contexts else np.zeros((0, self.embedder.dimension), np.float32)
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
            vectors = self.embedder.encode_passages(texts) if texts else np.zeros((0, self.embedder.dimension), np.float32)
            self.meta.replace_vectors(ids, vectors)
            self.meta.set_setting(FINGERPRINT_KEY, self.embedder.fingerprint)
            self._snapshot = self._build_snapshot()
        return len(ids)

    # -- reads ----------------------------------------------------------------------------
    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def search(self, query: str, *, k: int, filters: Filters, params: SearchParams | None = None) -> SearchOutcome:
        snap = self._snapshot
        params = params or self.params
        vector = self.embedder.encode_query(query) if params.mode != "lexical" else None
        hits, mask = search(snap, query, vector, k * 3, filters, params)
        rows = self.meta.segments_by_id([h.id for h in hits])
        hits = _distinct(hits, rows)[:k]
        return SearchOutcome(hits, rows, _facets(snap.columns, mask), int(mask.sum()))

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
    )


def _facets(columns: Columns, mask: np.ndarray) -> dict[str, dict[str, int]]:
    """Counts per kind, theme and organism among the segments the filters let through."""
    themes: Counter[str] = Counter()
    for keep, segment_themes in zip(mask, columns.themes):
        if keep and segment_themes:
            themes[segment_themes[0]] += 1
    return {
        "kind": dict(Counter(columns.kind[mask].tolist())),
        "theme": dict(themes),
        "organism": dict(Counter(o or "inconnu" for o in columns.organism[mask].tolist())),
    }


def _distinct(hits: list[Hit], rows: dict[int, dict]) -> list[Hit]:
    """Drop hits whose text repeats one already ranked (running headers, repeated table rows)."""
    seen: set[str] = set()
    out = []
    for hit in hits:
        row = rows.get(hit.id)
        if row is None:
            continue
        key = " ".join(row["text"].lower().split())
        if key in seen:
            continue
        seen.add(key)
        out.append(hit)
    return out
