"""One SQLite database shared by threads: WAL, full fsync, one lock, explicit transactions.

Both the document store and the job queue rely on the same guarantee: once a transaction
commits, a crash of the process (or the machine) cannot undo it.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class CorruptStore(RuntimeError):
    """The database file is damaged: said plainly, with what to do, instead of a traceback."""


class Database:
    """``added``: columns this version added to a table an older one created, as (table, column, SQL type); they
    are added on open, before the schema check, so an older database opens and one of another lineage is named.
    ``indexes``: created after that check, since an index on a column another lineage lacks would fail first."""

    def __init__(self, path: Path, schema: str, *, rows_as_dicts: bool = False,
                 added: tuple[tuple[str, str, str], ...] = (), indexes: str = ""):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.RLock()
        self._depth = 0  # transactions open on the thread holding the lock: an inner one joins the outer
        if rows_as_dicts:
            self._db.row_factory = sqlite3.Row
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA foreign_keys=ON")
            verdict = self._db.execute("PRAGMA quick_check").fetchone()[0]
            if verdict != "ok":
                raise sqlite3.DatabaseError(verdict)
            self._db.executescript(schema)
            _add_columns(self._db, added)
            missing = _missing_columns(self._db, schema)
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise CorruptStore(
                f"{path} is damaged ({exc}). Restore it from a backup, or move it aside and ingest the "
                "documents again: a new store is created in its place.") from exc
        if missing:
            self._db.close()
            raise CorruptStore(
                f"{path} was written by another version of ancols (it lacks {', '.join(missing[:5])}). Open it "
                "with that version, or move it aside and ingest the documents again.")
        self._db.executescript(indexes)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; one opened inside another is part of it (committed or rolled back with it), so a
        write may check what is stored and write in one transaction through methods that each open one."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._db
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            finally:
                self._depth = 0
            self._db.execute("COMMIT")


def _add_columns(db: sqlite3.Connection, added: tuple[tuple[str, str, str], ...]) -> None:
    """Looked up inside the write transaction: two processes may open an older database at once."""
    if not added:
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        for table, column, kind in added:
            if column not in _columns(db, table):
                db.execute(f'ALTER TABLE "{table}" ADD COLUMN {column} {kind}')
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _missing_columns(db: sqlite3.Connection, schema: str) -> list[str]:
    """Columns of ``schema`` that the tables of ``db`` lack: ``CREATE TABLE IF NOT EXISTS`` keeps a table another
    version created, and its first query would fail mid-request ("no such column")."""
    reference = sqlite3.connect(":memory:")
    try:
        reference.executescript(schema)
        missing = []
        for (table,) in reference.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            present = set(_columns(db, table))
            missing += [f"{table}.{column}" for column in _columns(reference, table) if column not in present]
        return missing
    finally:
        reference.close()


def _columns(db: sqlite3.Connection, table: str) -> list[str]:
    return [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]


class Changes:
    """Whether a commit to the database at ``path`` happened since ``seen``: SQLite's ``PRAGMA data_version``
    on a read-only connection of its own, so a commit from any other connection counts, this process's or
    another process's. A few microseconds a call: cheap enough to ask on every request."""

    def __init__(self, path: Path):
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self.seen = self.current()

    def current(self) -> int:
        with self._lock:
            return self._db.execute("PRAGMA data_version").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()
