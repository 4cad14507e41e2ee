"""Consistent bulk reads of the document store, for building the derived indexes.

A reader is its own read-only SQLite connection inside one read transaction: in WAL mode it
sees one committed state from start to end, whatever the writer commits meanwhile, and it does
not hold the store's connection lock, so searches are not blocked while a million rows stream.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CHUNK = 20_000


@dataclass
class IndexRows:
    """What the derived indexes are built from, ids ascending."""

    ids: np.ndarray
    terms: list[list[str]]
    vectors: np.ndarray
    columns: list[tuple]  # (id, kind, JSON [themes, theme scores], document id, document meta JSON, block)


class RowReader:
    def __init__(self, db: sqlite3.Connection):
        self._db = db

    def document_ids(self) -> set[str]:
        return {r[0] for r in self._db.execute("SELECT id FROM documents")}

    def rows(self, documents: set[str] | None = None) -> IndexRows:
        """Every segment's rows, or those of ``documents`` only."""
        where, args = "", ()
        if documents is not None:
            self._db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted(id TEXT PRIMARY KEY)")
            self._db.execute("DELETE FROM wanted")
            self._db.executemany("INSERT INTO wanted VALUES (?)", [(d,) for d in documents])
            where = " WHERE s.document_id IN (SELECT id FROM wanted)"
        count = self._db.execute(f"SELECT COUNT(*) FROM segments s{where}", args).fetchone()[0]
        dimension = self._db.execute(f"SELECT length(vector) / 4 FROM segments s{where} LIMIT 1", args).fetchone()
        vectors = np.zeros((count, dimension[0] if dimension else 0), dtype=np.float32)
        ids = np.zeros(count, dtype=np.int64)
        terms: list[list[str]] = []
        columns: list[tuple] = []
        cursor = self._db.execute(
            "SELECT s.id, s.terms, s.vector, s.kind, json_extract(s.body, '$.themes', '$.theme_scores'), s.document_id,"
            " d.meta, s.block"
            f" FROM segments s JOIN documents d ON d.id = s.document_id{where} ORDER BY s.id", args)
        n = 0
        while chunk := cursor.fetchmany(CHUNK):
            for row in chunk:
                ids[n] = row[0]
                terms.append(row[1].split())
                vectors[n] = np.frombuffer(row[2], dtype=np.float32)
                columns.append((row[0], row[3], row[4], row[5], row[6], row[7]))
                n += 1
        return IndexRows(ids[:n], terms, vectors[:n], columns)


@contextmanager
def reading(path: Path) -> Iterator[RowReader]:
    """A reader over one committed state of the store at ``path``."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    try:
        db.execute("BEGIN")
        yield RowReader(db)
        db.execute("COMMIT")
    finally:
        db.close()
