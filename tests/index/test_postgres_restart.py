"""The README's local server (``python -m ancols_nlp.index.postgres.embedded DIR PORT``) run again on its
directory, and a store serving again once its server is back."""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psycopg
import pytest
from psycopg_pool.base import AttemptWithBackoff

from ancols_nlp.index.interface import StoreUnavailable
from ancols_nlp.index.postgres.embedded import LocalPostgres
from ancols_nlp.index.postgres.store import PgStore
from ancols_nlp.index.query import Filters
from live import free_port
from tests.index.conftest import make_document
from tests.index.test_store import REPORT_A


def test_the_local_server_started_again_on_its_directory_keeps_the_documents(embedder):
    """Stopped with Ctrl-C and started with the same command, it failed in initdb ("directory exists but is not
    empty"): the documents stored were out of reach of the README's command. It starts the cluster it finds."""
    with tempfile.TemporaryDirectory(prefix="ancols-pg-restart-") as folder:
        data_dir, port = Path(folder) / "pg", free_port()
        with LocalPostgres.primary(data_dir, port) as server:
            store = PgStore(server.dsn, embedder)
            added = store.add(make_document(REPORT_A, organism="Le Toit Forézien"), filename="004.txt", data=b"004")
            store.close()
        with LocalPostgres.primary(data_dir, port) as server:
            store = PgStore(server.dsn, embedder)
            try:
                assert store.meta.document(added.id).segment_count == len(REPORT_A)
                hits = store.search("vacance commerciale", k=3, filters=Filters())
                assert hits.hits and hits.rows[hits.hits[0].id].document_id == added.id
            finally:
                store.close()


def test_a_store_serves_again_at_once_when_its_server_is_back_after_a_long_stop(embedder, monkeypatch):
    """The README's promise, "the service serves again once the server is back": a request waiting during the stop
    had started the pool's reconnection, whose tries back off (1, 2, 4 … s apart, for 5 minutes), and no other
    request starts one while it runs: once the server was back, searches waited for its next try, longer the
    longer the stop (8.3 s after a 61 s stop, 13 s after 155 s, through the service in trial25), or were 503s.
    Time is compressed here (tries 50 ms apart at first, so ~5 s after a 7 s stop); the reconnection now gives
    up after a few seconds, and the next request starts a new one at once."""
    monkeypatch.setattr(AttemptWithBackoff, "INITIAL_DELAY", 0.05)
    with tempfile.TemporaryDirectory(prefix="ancols-pg-restart-") as folder:
        server = LocalPostgres.primary(Path(folder) / "pg", free_port())
        store = PgStore(server.dsn, embedder)
        try:
            added = store.add(make_document(REPORT_A, organism="Le Toit Forézien"), filename="004.txt", data=b"004")
            server.stop()
            with pytest.raises(StoreUnavailable):  # meets its pooled connection lost
                store.search("vacance commerciale", k=3, filters=Filters())
            waiting = threading.Thread(target=_search_while_down, args=(store,))
            waiting.start()  # waits the pool's 30 s, its reconnection backing off meanwhile
            time.sleep(7)
            server = LocalPostgres.start(server.data_dir, server.port)
            started = time.monotonic()
            hits = store.search("vacance commerciale", k=3, filters=Filters())
            assert time.monotonic() - started < 1.5
            assert hits.hits and hits.rows[hits.hits[0].id].document_id == added.id
            waiting.join()
        finally:
            store.close()
            server.stop()


def _search_while_down(store: PgStore) -> None:
    """A search made while the server is down, answered or not (its answer is not what is tested)."""
    try:
        store.search("loyers plafonds", k=3, filters=Filters())
    except StoreUnavailable:
        pass


def _run(data_dir: Path, port: int, *options: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "ancols_nlp.index.postgres.embedded", str(data_dir), str(port),
                             *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_the_local_server_killed_then_run_again_reuses_its_server_or_says_why_not():
    """Killed (not stopped: its PostgreSQL kept running) and run again, the command failed at ``pg_ctl start`` with
    a traceback. On the same port it now takes the running server (and stops it on Ctrl-C); on another port it
    says in one line that the directory's server runs elsewhere, exit 2."""
    with tempfile.TemporaryDirectory(prefix="ancols-pg-restart-") as folder:
        data_dir, port = Path(folder) / "pg", free_port()
        first = _run(data_dir, port)
        try:
            assert first.stdout.readline().strip() == f"ANCOLS_PG_DSN=postgresql://postgres@127.0.0.1:{port}/postgres"
            first.kill()
            first.wait(30)
            other = _run(data_dir, free_port())
            _, said = other.communicate(timeout=120)
            errors = [line for line in said.splitlines() if line.startswith("error: ")]
            assert other.returncode == 2 and "Traceback" not in said and len(errors) == 1, said
            assert f"already runs on {data_dir.resolve()}, on port {port}" in errors[0], said
            again = _run(data_dir, port)
            assert again.stdout.readline().strip().endswith(f":{port}/postgres")
            with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres") as conn:
                assert conn.execute("SELECT 1").fetchone() == (1,)
            again.send_signal(signal.SIGINT)
            assert again.wait(60) == 0
            assert not (data_dir / "postmaster.pid").exists()  # stopped by the run that took it
        finally:
            if (data_dir / "postmaster.pid").exists():
                LocalPostgres(data_dir.resolve(), port).stop()


def test_a_replica_refused_leaves_the_primary_the_run_took_as_it_found_it():
    """Killed with its replica, then run again with the replica on another port: the replica is refused (exit 2,
    one line), and the primary, a server this run found running and took, was stopped with it, out from under the
    programs using it. It is left running; a server the run started itself is stopped."""
    with tempfile.TemporaryDirectory(prefix="ancols-pg-restart-") as folder:
        data_dir, replica_dir = Path(folder) / "pg", Path(folder) / "replica"
        port, replica_port = free_port(), free_port()
        first = _run(data_dir, port, "--replica", str(replica_dir), str(replica_port))
        try:
            assert first.stdout.readline().startswith("ANCOLS_PG_DSN=")
            assert first.stdout.readline().startswith("ANCOLS_PG_REPLICAS=")
            first.kill()
            first.wait(30)
            other = _run(data_dir, port, "--replica", str(replica_dir), str(free_port()))
            _, said = other.communicate(timeout=120)
            assert other.returncode == 2 and "Traceback" not in said, said
            assert f"already runs on {replica_dir.resolve()}, on port {replica_port}" in said, said
            with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/postgres") as conn:
                assert conn.execute("SELECT 1").fetchone() == (1,)
        finally:
            for folder_, port_ in ((replica_dir, replica_port), (data_dir, port)):
                if (folder_ / "postmaster.pid").exists():
                    LocalPostgres(folder_.resolve(), port_).stop()
