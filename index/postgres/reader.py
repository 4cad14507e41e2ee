"""Document and segment lookups in PostgreSQL, as the same records as the embedded store's (index/records.py)."""

from __future__ import annotations

import psycopg

from ancols_nlp.index.postgres.servers import Servers, reads
from ancols_nlp.index.records import (SEGMENT_COLUMNS, DocumentRef, DocumentRow, KeptHeads, SegmentRow, document_row,
                                      indicator_row, segment_row)
from ancols_nlp.pipelines.types import Indicator

# The last column lists the report findings a reply's rebuttal answers, as [document id, seq] pairs (JSON text).
_SEGMENT_COLS = (f"{SEGMENT_COLUMNS},"
                 " (SELECT coalesce(json_agg(json_build_array(f.document_id, f.seq, l.score)"
                 " ORDER BY l.finding), '[]')::text"
                 " FROM links l JOIN segments f ON f.id = l.finding WHERE l.rebuttal = segments.id)")
# Formatted as SQLite's strftime('%Y-%m-%dT%H:%M:%SZ'), so both backends show the same created_at.
_DOCUMENT_COLS = ("id, filename, media_type, sha256, size,"
                  " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),"
                  " meta, pages, furniture, sections")
_SEGMENT_COUNT = "(SELECT count(*) FROM segments s WHERE s.document_id = d.id)"


def storable(value: str) -> bool:
    """Whether PostgreSQL text can hold ``value`` (not NUL): an id or label that cannot is never stored."""
    return "\0" not in value


class PgReader:
    def __init__(self, servers: Servers):
        self._servers = servers
        self._heads = KeptHeads()  # another process's delete is not forgotten: its passages are no longer found

    def find_by_sha(self, sha256: str) -> str | None:
        """Asked of the primary: it decides whether an upload is a duplicate."""
        with self._servers.on_primary() as conn:
            row = conn.execute("SELECT id FROM documents WHERE sha256 = %s", (sha256,)).fetchone()
        return row[0] if row else None

    def find_by_meta(self, field: str, value: str, *, with_text: bool = True) -> list[DocumentRow]:
        """With their texts (an upload's near-duplicate check), asked of the primary, as ``find_by_sha``; without
        (the chat's report filter), read where searches read (``_rows_by_meta``)."""
        if not with_text:
            return self._rows_by_meta(field, value)
        with self._servers.on_primary() as conn:
            return stored_by_meta(conn, field, value)

    @reads
    def _rows_by_meta(self, field: str, value: str) -> list[DocumentRow]:
        """A caught-up replica serves it (``Servers.read``), as the search whose filter it makes."""
        with self._servers.read() as conn:
            return stored_by_meta(conn, field, value, with_text=False)

    @reads
    def document(self, doc_id: str, *, with_text: bool = False) -> DocumentRow | None:
        if not storable(doc_id):
            return None
        with self._servers.read() as conn:
            row = conn.execute(f"SELECT {_DOCUMENT_COLS}, {'text' if with_text else 'NULL'}, {_SEGMENT_COUNT}"
                               " FROM documents d WHERE id = %s", (doc_id,)).fetchone()
        return _document(row) if row else None

    def document_heads(self, doc_ids: set[str] | list[str]) -> dict[str, DocumentRef]:
        """Kept once read (``KeptHeads``): a search then shows its results' documents without a statement."""
        ids = [i for i in doc_ids if storable(i)]
        return self._heads.get(ids, self._read_heads) if ids else {}

    @reads
    def _read_heads(self, ids: list[str]) -> list[tuple]:
        with self._servers.read() as conn:
            return conn.execute("SELECT id, filename, meta, pages FROM documents WHERE id = ANY(%s)", (ids,)).fetchall()

    def forget(self, doc_id: str) -> None:
        """Drop a deleted document's head."""
        self._heads.forget(doc_id)

    @reads
    def documents(self, *, limit: int, offset: int) -> tuple[list[DocumentRow], int]:
        """A page and the total, from one snapshot: they agree while documents are added or deleted."""
        with self._servers.snapshot() as conn:
            total = conn.execute("SELECT count(*) FROM documents").fetchone()[0]
            rows = conn.execute(f"SELECT {_DOCUMENT_COLS}, NULL, {_SEGMENT_COUNT} FROM documents d"
                                " ORDER BY created_at, id LIMIT %s OFFSET %s", (limit, offset)).fetchall()
        return [_document(r) for r in rows], total

    @reads
    def segments_of(self, doc_id: str, *, limit: int, offset: int) -> tuple[list[SegmentRow], int]:
        """A page of a document's passages and their total, from one snapshot (a delete removes both at once)."""
        if not storable(doc_id):
            return [], 0
        with self._servers.snapshot() as conn:
            total = conn.execute("SELECT count(*) FROM segments WHERE document_id = %s", (doc_id,)).fetchone()[0]
            rows = conn.execute(f"SELECT {_SEGMENT_COLS} FROM segments WHERE document_id = %s ORDER BY seq"
                                " LIMIT %s OFFSET %s", (doc_id, limit, offset)).fetchall()
        return [segment_row(r) for r in rows], total

    @reads
    def segments_by_id(self, ids: list[int]) -> dict[int, SegmentRow]:
        if not ids:
            return {}
        with self._servers.read() as conn:
            return segments_by_id(conn, ids)

    @reads
    def segment_by_seq(self, doc_id: str, seq: int) -> SegmentRow | None:
        if not storable(doc_id):
            return None
        with self._servers.read() as conn:
            row = conn.execute(f"SELECT {_SEGMENT_COLS} FROM segments WHERE document_id = %s AND seq = %s",
                               (doc_id, seq)).fetchone()
        return segment_row(row) if row else None

    @reads
    def segments_answering(self, doc_id: str, seq: int) -> list[SegmentRow]:
        """Rebuttals answering segment ``seq``: those of the document naming it in ``responds_to``, then a reply's."""
        if not storable(doc_id):
            return []
        with self._servers.read() as conn:
            rows = conn.execute(
                f"SELECT {_SEGMENT_COLS} FROM segments WHERE (document_id = %s AND kind = 'rebuttal'"
                " AND EXISTS (SELECT 1 FROM json_array_elements_text(body::json->'responds_to') r WHERE r = %s))"
                " OR id IN (SELECT l.rebuttal FROM links l JOIN segments f ON f.id = l.finding"
                " WHERE f.document_id = %s AND f.seq = %s) ORDER BY document_id <> %s, document_id, seq",
                (doc_id, str(seq), doc_id, seq, doc_id)).fetchall()
        return [segment_row(r) for r in rows]

    @reads
    def indicators_of(self, doc_id: str) -> list[Indicator]:
        if not storable(doc_id):
            return []
        with self._servers.read() as conn:
            rows = conn.execute("SELECT body FROM indicators WHERE document_id = %s ORDER BY seq", (doc_id,)).fetchall()
        return [indicator_row(r[0]) for r in rows]


def segments_by_id(conn: psycopg.Connection, ids: list[int]) -> dict[int, SegmentRow]:
    """The rows of the passages ``ids`` still stored, read on ``conn``: a search reads its hits' on its own
    connection, without taking another from the pool."""
    rows = conn.execute(f"SELECT {_SEGMENT_COLS} FROM segments WHERE id = ANY(%s)", (list(ids),)).fetchall()
    return {r[0]: segment_row(r) for r in rows}


# The documents' columns copied from their metadata for ``find_by_meta`` (migration 11).
META_COLUMNS = {"report_number": "report_number", "date": "meta_date"}


def stored_by_meta(conn: psycopg.Connection, field: str, value: str, *, with_text: bool = True) -> list[DocumentRow]:
    """``PgReader.find_by_meta`` read on ``conn``: an add checks them in its own transaction (``near_duplicates``)."""
    if not storable(value):
        return []
    rows = conn.execute(f"SELECT {_DOCUMENT_COLS}, {'text' if with_text else 'NULL'}, {_SEGMENT_COUNT} FROM documents d"
                        f" WHERE {META_COLUMNS[field]} = %s ORDER BY created_at, id", (value,)).fetchall()
    return [_document(row) for row in rows]


def _document(row) -> DocumentRow:
    """The text column is bytea (PostgreSQL text cannot hold NUL)."""
    text = None if row[10] is None else bytes(row[10]).decode("utf-8")
    return document_row((*row[:10], text, row[11]))
