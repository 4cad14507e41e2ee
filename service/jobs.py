"""Ingestion jobs: many files uploaded at once, ingested one after another by a background worker.

Nothing is lost on a crash. Before ``POST /jobs`` answers 202, each uploaded file is on disk
under ``<data_dir>/jobs/<job_id>/<n>.bin`` (the client's file name is kept as metadata only,
never used as a path) and the job is committed in its own SQLite file
(``<data_dir>/jobs.sqlite3``). The worker takes unfinished jobs oldest first, so on start-up
the jobs a crash interrupted simply go on: files already finished keep their result, the file
that was being ingested is ingested again (the store gives back the first id for the same
bytes, so nothing is stored twice). A file that was interrupted ``MAX_ATTEMPTS`` times is given
up with the code ``interrupted``, so one file that kills the process cannot block the queue. Each file's
``interrupted`` count tells the client how many times a stop cut its ingestion short.

A bad file never fails the job: its error code and message are recorded and the next file
starts. A job is ``failed`` only when the job itself could not be carried out. A store that
cannot be reached (its PostgreSQL server down) fails no file: the job waits and goes on. A
finished job's uploaded bytes are deleted (the documents are in the store); its record stays.

A job can be cancelled while it is queued or running (``JobManager.cancel``, from any process serving the
data directory: it is one SQLite transaction). Its files not yet started become ``cancelled`` and never run;
the file being ingested, if any, finishes (the store keeps a document whole or not at all), even after a
restart, and the documents stored before the cancel stay.

One worker thread: ingestion is CPU-bound, and the store has a single writer anyway. When several
processes serve one data directory, only the one that owns it runs the worker (service/ownership.py); the
others accept jobs (committed in the same SQLite file, which the owner's worker reads every second).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO

from ancols_nlp.index.sqlite import Database
from ancols_nlp.index.interface import Added, StoreUnavailable
from ancols_nlp.pipelines.errors import DocumentError
from ancols_nlp.pipelines.sandbox import ocr_progress
from ancols_nlp.service.file_names import display_name

log = logging.getLogger("ancols.jobs")

MAX_ATTEMPTS = 3
STORE_RETRY_S = 2.0  # between tries of a file while the store's server cannot be reached
ORPHAN_AGE_S = 3600.0  # an upload folder untouched this long, with no job recorded, was never committed
CHUNK = 1 << 20

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    started_at TEXT,
    finished_at TEXT,
    current INTEGER,
    error TEXT,
    ocr_done INTEGER,
    ocr_total INTEGER
);
CREATE TABLE IF NOT EXISTS job_files (
    job_id TEXT NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    n INTEGER NOT NULL,
    filename TEXT NOT NULL,
    size INTEGER NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    document_id TEXT,
    segment_count INTEGER,
    duplicate INTEGER,
    error_code TEXT,
    error_message TEXT,
    warnings TEXT,
    PRIMARY KEY (job_id, n)
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs(status);
"""
OPEN_STATUSES = ("queued", "running")  # a job that has not ended: one a cancel or a finish may still end
OPEN = "status IN ({})".format(", ".join(f"'{status}'" for status in OPEN_STATUSES))
UNFINISHED = (f"{OPEN} OR status = 'cancelled'"
              " AND EXISTS (SELECT 1 FROM job_files f WHERE f.job_id = jobs.id AND f.status = 'running')")


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Upload:
    """One file of a job as received: its display name, its size, and why it was refused (if it was)."""

    filename: str
    size: int
    error: tuple[str, str] | None = None


class JobStore(Database):
    """The jobs' state in SQLite (one connection, one lock)."""

    def __init__(self, path: Path):
        # a queue written before OCR progress, then a file's warnings, were recorded
        super().__init__(path, SCHEMA, rows_as_dicts=True, added=(
            ("jobs", "ocr_done", "INTEGER"), ("jobs", "ocr_total", "INTEGER"), ("job_files", "warnings", "TEXT")))

    def _query(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    # -- writes -------------------------------------------------------------------------------
    def create(self, job_id: str, files: list[Upload]) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO jobs (id, status, created_at) VALUES (?, 'queued', ?)", (job_id, now()))
            db.executemany(
                "INSERT INTO job_files (job_id, n, filename, size, status, error_code, error_message)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                [(job_id, n, f.filename, f.size, "failed" if f.error else "pending",
                  f.error[0] if f.error else None, f.error[1] if f.error else None) for n, f in enumerate(files)])

    def start(self, job_id: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE jobs SET status='running', started_at=COALESCE(started_at, ?)"
                       f" WHERE id=? AND {OPEN}", (now(), job_id))

    def file_running(self, job_id: str, n: int) -> bool:
        """Claim file ``n`` for ingestion; False when its job was cancelled before it started."""
        with self.transaction() as db:
            claimed = db.execute("UPDATE job_files SET status='running', attempts=attempts+1"
                                 " WHERE job_id=? AND n=? AND status IN ('pending', 'running')", (job_id, n)).rowcount
            if claimed:
                db.execute("UPDATE jobs SET current=?, ocr_done=NULL, ocr_total=NULL WHERE id=?", (n, job_id))
        return bool(claimed)

    def file_ocr(self, job_id: str, done: int, pages: int) -> None:
        """The current file's scanned pages: ``done`` of ``pages`` read by OCR, a few seconds each."""
        with self.transaction() as db:
            db.execute("UPDATE jobs SET ocr_done=?, ocr_total=? WHERE id=?", (done, pages, job_id))

    def file_done(self, job_id: str, n: int, added: Added) -> None:
        with self.transaction() as db:
            db.execute("UPDATE job_files SET status='done', document_id=?, segment_count=?, duplicate=?, warnings=?"
                       " WHERE job_id=? AND n=?", (added.id, added.segment_count, int(added.duplicate),
                                                   json.dumps([asdict(w) for w in added.warnings]), job_id, n))

    def file_waiting(self, job_id: str, n: int) -> None:
        """The file goes back to the queue, this try not counted: the store, not the file, failed it."""
        with self.transaction() as db:
            db.execute("UPDATE job_files SET attempts=attempts-1, status=CASE WHEN (SELECT status FROM jobs WHERE id=?)"
                       " = 'cancelled' THEN 'cancelled' ELSE 'pending' END WHERE job_id=? AND n=?", (job_id, job_id, n))

    def file_failed(self, job_id: str, n: int, code: str, message: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE job_files SET status='failed', error_code=?, error_message=? WHERE job_id=? AND n=?",
                       (code, message, job_id, n))

    def finish(self, job_id: str, status: str, error: str | None = None) -> None:
        """The job's end, unless it was cancelled meanwhile (it stays ``cancelled``)."""
        with self.transaction() as db:
            db.execute("UPDATE jobs SET status=?, finished_at=?, current=NULL, error=?"
                       f" WHERE id=? AND {OPEN}", (status, now(), error, job_id))

    def cancel(self, job_id: str) -> str:
        """``cancelled``, or ``unknown`` (no such job), or ``finished`` (done, failed or already cancelled).

        Files not started become ``cancelled``; a running file is left to the worker, which finishes it."""
        with self.transaction() as db:
            row = db.execute("SELECT status FROM jobs WHERE id=?", (job_id,)).fetchone()
            if row is None:
                return "unknown"
            if row["status"] not in OPEN_STATUSES:
                return "finished"
            db.execute("UPDATE jobs SET status='cancelled', finished_at=? WHERE id=?", (now(), job_id))
            db.execute("UPDATE job_files SET status='cancelled' WHERE job_id=? AND status='pending'", (job_id,))
        return "cancelled"

    # -- reads --------------------------------------------------------------------------------
    def next_unfinished(self) -> str | None:
        """The oldest job with work left: queued or running, or cancelled while a file ran (that file finishes)."""
        rows = self._query(f"SELECT id FROM jobs WHERE {UNFINISHED} ORDER BY seq LIMIT 1")
        return rows[0]["id"] if rows else None

    def unfinished(self, job_id: str) -> bool:
        return bool(self._query(f"SELECT 1 FROM jobs WHERE id=? AND ({UNFINISHED})", (job_id,)))

    def ids(self) -> set[str]:
        return {r["id"] for r in self._query("SELECT id FROM jobs")}

    def open_files(self, job_id: str) -> list[sqlite3.Row]:
        return self._query("SELECT n, filename, status, attempts FROM job_files"
                           " WHERE job_id=? AND status IN ('pending', 'running') ORDER BY n", (job_id,))

    def get(self, job_id: str) -> dict | None:
        rows = self._query("SELECT * FROM jobs WHERE id=?", (job_id,))
        return self._full(rows[0]) if rows else None

    def list(self, *, limit: int, offset: int, status: str | None = None) -> tuple[list[dict], int]:
        where, args = ("WHERE status=?", (status,)) if status else ("", ())
        total = self._query(f"SELECT COUNT(*) AS c FROM jobs {where}", args)[0]["c"]
        rows = self._query(f"SELECT * FROM jobs {where} ORDER BY seq DESC LIMIT ? OFFSET ?", (*args, limit, offset))
        return [self._full(r) for r in rows], total

    def counts(self) -> dict[str, int]:
        return {r["status"]: r["c"] for r in self._query("SELECT status, COUNT(*) AS c FROM jobs GROUP BY status")}

    def _full(self, job: sqlite3.Row) -> dict:
        files = [dict(r) for r in self._query("SELECT * FROM job_files WHERE job_id=? ORDER BY n", (job["id"],))]
        current = next((f["filename"] for f in files if f["n"] == job["current"] and f["status"] == "running"), None)
        return {
            "id": job["id"], "status": job["status"], "created_at": job["created_at"],
            "started_at": job["started_at"], "finished_at": job["finished_at"], "error": job["error"],
            "progress": {"total": len(files), "done": sum(f["status"] in ("done", "failed") for f in files),
                         "failed": sum(f["status"] == "failed" for f in files),
                         "cancelled": sum(f["status"] == "cancelled" for f in files),
                         "current_file": current,  # also a cancelled job's last file, while it finishes
                         "current_ocr": {"done": job["ocr_done"], "total": job["ocr_total"]}
                         if current and job["ocr_total"] else None},
            "files": [{
                "n": f["n"], "filename": f["filename"], "size": f["size"], "status": f["status"],
                "document_id": f["document_id"], "segment_count": f["segment_count"],
                "duplicate": None if f["duplicate"] is None else bool(f["duplicate"]),
                "error": {"code": f["error_code"], "message": f["error_message"]} if f["error_code"] else None,
                "warnings": json.loads(f["warnings"] or "[]"),
                # Each claim counts an attempt; all but the last were cut short by a stop (all, once given up).
                "interrupted": f["attempts"] if f["error_code"] == "interrupted" else max(f["attempts"] - 1, 0),
            } for f in files],
        }


class JobManager:
    """Accepts jobs (bytes to disk, state to SQLite) and runs them on one worker thread."""

    def __init__(self, data_dir: Path, ingest: Callable[[bytes, str], Added], *, max_file_bytes: int):
        self.root = Path(data_dir) / "jobs"
        self.root.mkdir(parents=True, exist_ok=True)
        self.db = JobStore(Path(data_dir) / "jobs.sqlite3")
        self.ingest = ingest
        self.max_file_bytes = max_file_bytes
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------------
    def start(self) -> None:
        """Start the worker; jobs left unfinished by a previous process resume first."""
        self._remove_orphans()
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="ancols-jobs", daemon=True)
            self._thread.start()

    def close(self, timeout: float = 30.0) -> None:
        """Stop after the current file (waiting up to ``timeout`` s); unfinished work resumes next start."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                log.warning("job worker still busy at shutdown; its job resumes at the next start")
                return
        self.db.close()

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- submitting ---------------------------------------------------------------------------
    def new_job_dir(self) -> tuple[str, Path]:
        job_id = uuid.uuid4().hex
        folder = self.root / job_id
        folder.mkdir()
        return job_id, folder

    def write_file(self, folder: Path, n: int, filename: str | None, stream: BinaryIO) -> Upload:
        """Copy one upload to ``<folder>/<n>.bin``, flushed to disk; a file over the limit is refused (not stored)."""
        path = folder / f"{n}.bin"
        size = 0
        with open(path, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > self.max_file_bytes:
                    break
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        name = display_name(filename)
        if size > self.max_file_bytes:
            path.unlink()
            limit_mb = self.max_file_bytes / (1024 * 1024)
            return Upload(name, size, ("payload_too_large", f"The file is larger than the {limit_mb:g} MB limit."))
        return Upload(name, size)

    def commit(self, job_id: str, folder: Path, files: list[Upload]) -> None:
        """Record the job (after its bytes are on disk) and wake the worker."""
        _fsync_dir(folder)
        _fsync_dir(self.root)
        self.db.create(job_id, files)
        self._wake.set()

    def abandon(self, folder: Path) -> None:
        shutil.rmtree(folder, ignore_errors=True)

    def cancel(self, job_id: str) -> str:
        """Cancel a queued or running job (see the module's docstring); what ``JobStore.cancel`` says.

        With no file running, no worker will read the job's bytes again: they go now. Otherwise the worker
        deletes them after the running file, as for any finished job."""
        outcome = self.db.cancel(job_id)
        if outcome == "cancelled" and not self.db.unfinished(job_id):
            self.abandon(self.root / job_id)
        return outcome

    def submit(self, files: list[tuple[str, bytes]]) -> str:
        """Convenience for callers holding bytes (CLI, tests): same path as the HTTP endpoint."""
        import io

        job_id, folder = self.new_job_dir()
        uploads = []
        try:
            for n, (name, data) in enumerate(files):
                uploads.append(self.write_file(folder, n, name, io.BytesIO(data)))
            self.commit(job_id, folder, uploads)
        except BaseException:
            self.abandon(folder)
            raise
        return job_id

    # -- the worker ---------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                job_id = self.db.next_unfinished()
            except sqlite3.Error:
                log.exception("cannot read the job queue")
                job_id = None
            if job_id is None:
                self._wake.wait(timeout=1.0)
                self._wake.clear()
                continue
            self._run_job(job_id)

    def _run_job(self, job_id: str) -> None:
        try:
            self.db.start(job_id)
            for f in self.db.open_files(job_id):
                if self._stop.is_set():
                    return
                self._run_file(job_id, f["n"], f["filename"], f["status"], f["attempts"])
            if self._stop.is_set() and self.db.open_files(job_id):
                return
            self.db.finish(job_id, "done")
            log.info("job %s ended", job_id)
        except StoreUnavailable as exc:  # no file is at fault: the job waits for the store's server, then goes on
            log.warning("job %s waits for the store: %s", job_id, exc)
            self._stop.wait(STORE_RETRY_S)
            if self.db.unfinished(job_id):
                return  # else cancelled meanwhile: nothing left to run, its bytes go
        except Exception as exc:  # the job itself, not one file, could not be carried out
            if self._stop.is_set():
                return
            log.exception("job %s failed", job_id)
            try:
                self.db.finish(job_id, "failed", f"{type(exc).__name__}: {exc}")
            except Exception:
                log.exception("cannot record the failure of job %s", job_id)
                self._stop.wait(1.0)
                return
        self.abandon(self.root / job_id)

    def _run_file(self, job_id: str, n: int, filename: str, status: str, attempts: int) -> None:
        if status == "running" and attempts >= MAX_ATTEMPTS:
            self.db.file_failed(job_id, n, "interrupted",
                                f"The service stopped {attempts} times while ingesting this file; it was given up.")
            return
        if not self.db.file_running(job_id, n):  # cancelled before it started
            return
        if status == "running":
            log.warning("job %s: the service stopped while ingesting file %d (%s); ingesting it again (attempt %d)",
                        job_id, n, filename, attempts + 1)
        try:
            data = (self.root / job_id / f"{n}.bin").read_bytes()
        except OSError:
            self.db.file_failed(job_id, n, "upload_lost", "The uploaded bytes of this file are missing on disk.")
            return
        progress = ocr_progress.set(lambda done, pages: self.db.file_ocr(job_id, done, pages))
        try:
            added = self.ingest(data, filename)
        except DocumentError as exc:
            self.db.file_failed(job_id, n, exc.code, str(exc))
            return
        except StoreUnavailable:
            self.db.file_waiting(job_id, n)
            raise
        except Exception:
            if self._stop.is_set():  # shutting down under our feet: retry at the next start
                raise
            log.exception("unexpected error ingesting file %d of job %s", n, job_id)
            self.db.file_failed(job_id, n, "internal_error",
                                "The file could not be ingested because of an unexpected error; it has been logged.")
            return
        finally:
            ocr_progress.reset(progress)
        self.db.file_done(job_id, n, added)

    def _remove_orphans(self) -> None:
        """Folders of jobs whose record was never committed (the client never got a 202). Only those left alone
        for ``ORPHAN_AGE_S``: another process serving the data directory may be receiving one right now."""
        known = self.db.ids()
        for folder in self.root.iterdir():
            if folder.is_dir() and folder.name not in known and _idle(folder) > ORPHAN_AGE_S:
                shutil.rmtree(folder, ignore_errors=True)


def _idle(folder: Path) -> float:
    """Seconds since the folder or a file in it last changed."""
    try:
        changed = max(p.stat().st_mtime for p in (folder, *folder.iterdir()))
    except OSError:  # removed meanwhile
        return 0.0
    return time.time() - changed


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
