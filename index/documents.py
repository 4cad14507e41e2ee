"""Documents and segments in SQLite: the source of truth of the embedded store.

A document, its segments, their vectors and analysed terms, its indicator rows and the links
between a reply letter and the report it answers are written in one transaction,
so a crash leaves a document either complete or absent; the FAISS and BM25 indexes are
derived from these rows and can always be rebuilt from them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import numpy as np

from ancols_nlp.index.near_duplicates import KEYS
from ancols_nlp.index.passages import CandidateText
from ancols_nlp.index.records import (SEGMENT_COLUMNS, DocumentRef, DocumentRow, KeptHeads, SegmentRow, document_row,
                                      indicator_row, segment_body, segment_row, stored_passage)
from ancols_nlp.index.sqlite import Database
from ancols_nlp.pipelines.french.acronyms import Acronym, mine_acronyms
from ancols_nlp.pipelines.reply_links import DocumentHead, Passage, relink
from ancols_nlp.pipelines.types import Indicator, ProcessedDocument

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    filename TEXT NOT NULL,
    media_type TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
    text TEXT NOT NULL,
    meta TEXT NOT NULL,
    pages TEXT NOT NULL,
    furniture TEXT NOT NULL,
    sections TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS segments (
    id INTEGER PRIMARY KEY,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    start INTEGER NOT NULL,
    "end" INTEGER NOT NULL,
    block TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    terms TEXT NOT NULL,
    vector BLOB NOT NULL,
    UNIQUE (document_id, seq)
);
CREATE INDEX IF NOT EXISTS segments_document ON segments(document_id);
CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- A reply letter's rebuttal → the report finding it answers (pipelines.reply_links); gone with either segment.
CREATE TABLE IF NOT EXISTS links (
    rebuttal INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
    finding INTEGER NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
    basis TEXT NOT NULL,
    score REAL NOT NULL,
    PRIMARY KEY (rebuttal, finding)
);
CREATE INDEX IF NOT EXISTS links_finding ON links(finding);
-- The fiche récapitulative's indicator rows (pipelines.indicators), in table order.
CREATE TABLE IF NOT EXISTS indicators (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (document_id, seq)
);
-- The acronyms a document defines (pipelines.french.acronyms), for query expansion; gone with the document.
CREATE TABLE IF NOT EXISTS acronyms (
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    short TEXT NOT NULL,
    long TEXT NOT NULL,
    PRIMARY KEY (document_id, short, long)
);
"""
# An upload's duplicate checks (interface.already_stored, near_duplicates): a scan read every stored text, as the
# metadata is stored after it.
INDEXES = "CREATE INDEX IF NOT EXISTS documents_sha256 ON documents(sha256);" + "".join(
    f"CREATE INDEX IF NOT EXISTS documents_{field} ON documents(json_extract(meta, '$.{field}'));" for field in KEYS)


class DocumentStore(Database):
    """The document store's tables; readers and the single writer share one connection."""

    def __init__(self, path: Path):
        super().__init__(path, SCHEMA, indexes=INDEXES)
        self._heads = KeptHeads(self._lock)

    # -- settings -------------------------------------------------------------------------
    def get_setting(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT OR REPLACE INTO settings(key, value) VALUES (?, ?)", (key, value))

    # -- writes ---------------------------------------------------------------------------
    def add_document(self, doc_id: str, filename: str, sha256: str, size: int, doc: ProcessedDocument,
                     vectors: np.ndarray, terms: list[list[str]], acronyms: Sequence[Acronym] = ()) -> list[int]:
        """Store a processed document whole; returns the new segments' ids in order."""
        source = doc.source
        with self.transaction() as db:
            db.execute(
                "INSERT INTO documents(id, filename, media_type, sha256, size, text, meta, pages, furniture, sections)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (doc_id, filename, source.media_type, sha256, size, source.text, json.dumps(asdict(doc.meta)),
                 json.dumps([asdict(p) for p in source.pages]), json.dumps([asdict(f) for f in source.furniture]),
                 json.dumps([asdict(s) for s in doc.sections])),
            )
            ids = []
            for segment, vector, seg_terms in zip(doc.segments, vectors, terms):
                cur = db.execute(
                    'INSERT INTO segments(document_id, seq, start, "end", block, kind, body, terms, vector)'
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (doc_id, segment.id, segment.start, segment.end, segment.block, segment.kind,
                     json.dumps(segment_body(segment), ensure_ascii=False),
                     " ".join(seg_terms), np.asarray(vector, dtype=np.float32).tobytes()),
                )
                ids.append(int(cur.lastrowid))
            db.executemany("INSERT INTO indicators(document_id, seq, body) VALUES (?, ?, ?)",
                           [(doc_id, i, json.dumps(asdict(row), ensure_ascii=False))
                            for i, row in enumerate(doc.indicators)])
            db.executemany("INSERT INTO acronyms(document_id, short, long) VALUES (?, ?, ?)",
                           [(doc_id, a.short, a.long) for a in acronyms])
            _link_replies(db, doc_id)
        return ids

    def delete_document(self, doc_id: str) -> bool:
        """Remove a document and its segments; False when there was no such document."""
        with self.transaction() as db:
            self._heads.forget(doc_id)
            db.execute("DELETE FROM segments WHERE document_id = ?", (doc_id,))
            return db.execute("DELETE FROM documents WHERE id = ?", (doc_id,)).rowcount > 0

    # -- reads ----------------------------------------------------------------------------
    def find_by_sha(self, sha256: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT id FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        return row[0] if row else None

    def find_by_meta(self, field: str, value: str, *, with_text: bool = True) -> list[DocumentRow]:
        if field not in KEYS:
            raise ValueError(f"documents are not looked up by {field!r}")
        with self._lock:
            rows = self._db.execute(f"SELECT {_DOCUMENT_COLS}, {'text' if with_text else 'NULL'}, {_SEGMENT_COUNT}"
                                    " FROM documents d"
                                    f" WHERE json_extract(meta, '$.{field}') = ? ORDER BY created_at, id",
                                    (value,)).fetchall()
        return [document_row(row) for row in rows]

    def document(self, doc_id: str, *, with_text: bool = False) -> DocumentRow | None:
        with self._lock:
            row = self._db.execute(f"SELECT {_DOCUMENT_COLS}, {'text' if with_text else 'NULL'}, {_SEGMENT_COUNT}"
                                   " FROM documents d WHERE id = ?", (doc_id,)).fetchone()
        return document_row(row) if row else None

    def document_heads(self, doc_ids: set[str] | list[str]) -> dict[str, DocumentRef]:
        """What a search result or a citation shows of each of the given documents, kept once read (``KeptHeads``)."""
        return self._heads.get(doc_ids, lambda missing: self._db.execute(
            f"SELECT id, filename, meta, pages FROM documents WHERE id IN ({','.join('?' * len(missing))})",
            missing).fetchall())

    def documents(self, *, limit: int, offset: int) -> tuple[list[DocumentRow], int]:
        with self._lock:
            total = self._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0]
            rows = self._db.execute(f"SELECT {_DOCUMENT_COLS}, NULL, {_SEGMENT_COUNT} FROM documents d"
                                    " ORDER BY created_at, id LIMIT ? OFFSET ?", (limit, offset)).fetchall()
        return [document_row(r) for r in rows], total

    def segments_of(self, doc_id: str, *, limit: int, offset: int) -> tuple[list[SegmentRow], int]:
        with self._lock:
            total = self._db.execute("SELECT COUNT(*) FROM segments WHERE document_id = ?", (doc_id,)).fetchone()[0]
            rows = self._db.execute(
                f"SELECT {_SEGMENT_COLS} FROM segments WHERE document_id = ? ORDER BY seq LIMIT ? OFFSET ?",
                (doc_id, limit, offset)).fetchall()
        return [segment_row(r) for r in rows], total

    def segments_by_id(self, ids: list[int]) -> dict[int, SegmentRow]:
        if not ids:
            return {}
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_SEGMENT_COLS} FROM segments WHERE id IN ({','.join('?' * len(ids))})", ids).fetchall()
        return {r[0]: segment_row(r) for r in rows}

    def texts_by_id(self, ids: list[int]) -> dict[int, CandidateText]:
        """Segment texts with their stored terms and innermost heading, read by SQLite from the rows (what the
        near-duplicate pass needs: ``passages.distinct``), and their offsets and sentences (what the sentence
        grain ranks)."""
        if not ids:
            return {}
        with self._lock:
            rows = self._db.execute(f"SELECT id, json_extract(body, '$.text'), terms, "
                                    f"json_extract(body, '$.section_path[#-1]'), start, \"end\", "
                                    f"json_extract(body, '$.sentences') FROM segments "
                                    f"WHERE id IN ({','.join('?' * len(ids))})", ids).fetchall()
        return {r[0]: CandidateText(*r[1:]) for r in rows}

    def segment_by_seq(self, doc_id: str, seq: int) -> SegmentRow | None:
        with self._lock:
            row = self._db.execute(f"SELECT {_SEGMENT_COLS} FROM segments WHERE document_id = ? AND seq = ?",
                                   (doc_id, seq)).fetchone()
        return segment_row(row) if row else None

    def indicators_of(self, doc_id: str) -> list[Indicator]:
        with self._lock:
            rows = self._db.execute("SELECT body FROM indicators WHERE document_id = ? ORDER BY seq",
                                    (doc_id,)).fetchall()
        return [indicator_row(r[0]) for r in rows]

    def segments_answering(self, doc_id: str, seq: int) -> list[SegmentRow]:
        """Rebuttals answering segment ``seq``: those of the document naming it in ``responds_to``, then a reply's."""
        with self._lock:
            rows = self._db.execute(
                f"SELECT {_SEGMENT_COLS} FROM segments WHERE (document_id = ? AND kind = 'rebuttal'"
                " AND EXISTS (SELECT 1 FROM json_each(json_extract(body, '$.responds_to')) WHERE value = ?))"
                " OR id IN (SELECT l.rebuttal FROM links l JOIN segments f ON f.id = l.finding"
                " WHERE f.document_id = ? AND f.seq = ?) ORDER BY document_id != ?, document_id, seq",
                (doc_id, seq, doc_id, seq, doc_id)).fetchall()
        return [segment_row(r) for r in rows]

    def segment_texts(self) -> list[tuple[int, str, list[str]]]:
        """(id, text, section path) of every segment, to embed them again."""
        with self._lock:
            rows = self._db.execute("SELECT id, body FROM segments ORDER BY id").fetchall()
        bodies = [(r[0], json.loads(r[1])) for r in rows]
        return [(i, b["text"], b["section_path"]) for i, b in bodies]

    def replace_vectors(self, ids: list[int], vectors: np.ndarray) -> None:
        with self.transaction() as db:
            db.executemany("UPDATE segments SET vector = ? WHERE id = ?",
                           [(np.asarray(v, dtype=np.float32).tobytes(), i) for i, v in zip(ids, vectors)])

    def replace_terms(self, ids: list[int], terms: list[list[str]]) -> None:
        with self.transaction() as db:
            db.executemany("UPDATE segments SET terms = ? WHERE id = ?", [(" ".join(t), i) for i, t in zip(ids, terms)])

    def acronyms(self) -> list[tuple[str, str]]:
        """(acronym, long form) pairs the stored documents define, each once."""
        with self._lock:
            return [tuple(r) for r in self._db.execute("SELECT DISTINCT short, long FROM acronyms ORDER BY 1, 2")]

    def remine_acronyms(self) -> None:
        """Mine every stored document's acronyms again (after a change of the mining)."""
        with self.transaction() as db:
            texts = db.execute("SELECT id, text FROM documents").fetchall()
            db.execute("DELETE FROM acronyms")
            db.executemany("INSERT INTO acronyms(document_id, short, long) VALUES (?, ?, ?)",
                           [(doc_id, a.short, a.long) for doc_id, text in texts for a in mine_acronyms(text)])


# The last column lists the report findings a reply's rebuttal answers, as [document id, seq, confidence] triples.
_DOCUMENT_COLS = "id, filename, media_type, sha256, size, created_at, meta, pages, furniture, sections"
_SEGMENT_COUNT = "(SELECT COUNT(*) FROM segments s WHERE s.document_id = d.id)"
_SEGMENT_COLS = (f"{SEGMENT_COLUMNS}, (SELECT json_group_array(json_array(f.document_id, f.seq, l.score))"
                 " FROM links l JOIN segments f ON f.id = l.finding WHERE l.rebuttal = segments.id)")


def _link_replies(db, doc_id: str) -> None:
    """Replace the links of the replies the new document concerns (``relink``), inside the add's transaction."""
    heads = [DocumentHead.of(r[0], json.loads(r[1])) for r in db.execute("SELECT id, meta FROM documents").fetchall()]
    for reply, links in relink(doc_id, heads, lambda ref: _passages(db, ref)).items():
        db.execute("DELETE FROM links WHERE rebuttal IN (SELECT id FROM segments WHERE document_id = ?)", (reply,))
        db.executemany("INSERT INTO links(rebuttal, finding, basis, score) VALUES (?, ?, ?, ?)",
                       [(link.rebuttal, link.finding, link.basis, link.score) for link in links])


def _passages(db, doc_id: str) -> list[Passage]:
    rows = db.execute("SELECT id, kind, body, vector FROM segments WHERE document_id = ?"
                      " ORDER BY seq", (doc_id,)).fetchall()
    return [stored_passage(r[0], r[1], r[2], np.frombuffer(r[3], dtype=np.float32)) for r in rows]
