"""Faults on the PostgreSQL path, on real servers: the server killed during an add, two service processes
writing to one database at once, a replica lagging or down."""

from __future__ import annotations

import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import replace
from pathlib import Path

import numpy as np
import psycopg
import pytest

from ancols_nlp.index.interface import StoreUnavailable
from ancols_nlp.index.postgres.embedded import LocalPostgres
from ancols_nlp.index.postgres.postings import POSTING
from ancols_nlp.index.postgres.servers import Servers, reads
from ancols_nlp.index.postgres.store import PgStore, Upload
from ancols_nlp.index.query import Filters, SearchParams
from live import Server, call, free_port, upload
from pg import crash, new_database
from tests.index.conftest import paragraph_documents, make_document
from tests.index.test_store import REPORT_A, REPORT_B

QUERIES = ["vacance commerciale élevée", "conseil d'administration", "coûts de gestion", "loyers plafonds"]


@pytest.fixture
def pg_dir():
    """A folder the server's own user may enter: not under pytest's basetemp (see ``postgres`` in conftest)."""
    with tempfile.TemporaryDirectory(prefix="ancols-pg-faults-") as folder:
        yield Path(folder)


def _assert_statistics_match_rows(dsn: str) -> None:
    """BM25's corpus size, total length, document frequencies and postings are those of the stored rows, no more."""
    with psycopg.connect(dsn) as conn:
        assert conn.execute("SELECT segments, length FROM corpus").fetchone() == \
               conn.execute("SELECT count(*), coalesce(sum(length), 0) FROM segments").fetchone()
        stored = dict(conn.execute("SELECT term, df FROM term_df").fetchall())
        recount = dict(conn.execute("SELECT word, ndoc FROM ts_stat('SELECT terms FROM segments')").fetchall())
        assert stored == recount
        # The postings are those of the stored terms, one a term of each passage.
        packed = conn.execute("SELECT term, postings FROM term_blocks", binary=True).fetchall()
        postings = Counter((term, int(p["id"]), int(p["tf"]), int(p["length"])) for term, records in packed
                           for p in np.frombuffer(records, np.dtype([(f, t) for f, t, _ in POSTING])))
        assert postings == Counter(conn.execute("SELECT u.lexeme, s.id, cardinality(u.positions), s.length"
                                                " FROM segments s, unnest(s.terms) u").fetchall())


def _wait_inside_an_add(dsn: str, ready: threading.Event) -> None:
    """Until ``ready`` and a backend holds an add's uncommitted writes (a transaction with an id)."""
    deadline = time.monotonic() + 120
    with psycopg.connect(dsn, autocommit=True) as conn:
        while not (ready.is_set() and conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()").fetchone()[0]):
            assert time.monotonic() < deadline, "no add was ever caught in flight"
            time.sleep(0.002)


@pytest.mark.parametrize("batch", [1, 3])
def test_a_server_killed_during_an_add_keeps_every_acknowledged_document_whole(pg_dir, embedder, corpus_texts, batch):
    """One document an add, or ``batch`` documents a transaction (``add_many``, a bulk load's writes)."""
    server = LocalPostgres.primary(pg_dir / "pg", free_port())
    docs = paragraph_documents(corpus_texts, copies=3)
    store = PgStore(server.dsn, embedder)
    acknowledged: dict[str, str] = {}
    interrupted: list[str] = []
    two_done = threading.Event()
    names = list(docs)

    def write() -> None:
        for first in range(0, len(names), batch):
            batch_names = names[first:first + batch]
            try:
                added = store.add_many([Upload(docs[name], name, name.encode()) for name in batch_names])
            except StoreUnavailable:  # the connection lost mid-transaction
                interrupted.extend(batch_names)
                return
            acknowledged.update((name, a.id) for name, a in zip(batch_names, added))
            if len(acknowledged) >= 2:
                two_done.set()

    writer = threading.Thread(target=write)
    writer.start()
    _wait_inside_an_add(server.dsn, two_done)
    crash(server)
    writer.join()
    store.close()
    assert 1 <= len(interrupted) <= batch and len(acknowledged) >= 2

    server = LocalPostgres.start(server.data_dir, server.port)
    reopened = PgStore(server.dsn, embedder)
    try:
        stored = {d.filename: d for d in reopened.meta.documents(limit=100, offset=0)[0]}
        assert {name: stored[name].id for name in acknowledged} == acknowledged  # nothing acknowledged lost
        assert set(stored) == set(acknowledged)  # the add in flight left no row behind
        for name, doc in stored.items():
            assert doc.segment_count == len(docs[name].segments)
            assert reopened.meta.segments_of(doc.id, limit=1000, offset=0)[1] == len(docs[name].segments)
        _assert_statistics_match_rows(server.dsn)
        out = reopened.search("conseil d'administration", k=20, filters=Filters())
        assert out.hits and {out.rows[h.id].document_id for h in out.hits} <= set(acknowledged.values())
        # The interrupted document, uploaded again, is stored whole.
        name = interrupted[0]
        again = reopened.add(docs[name], filename=name, data=name.encode())
        assert not again.duplicate and reopened.meta.document(again.id).segment_count == len(docs[name].segments)
        _assert_statistics_match_rows(server.dsn)
    finally:
        reopened.close()
        server.stop()


def _search(base: str, query: str, mode: str) -> list[tuple]:
    params = urllib.parse.urlencode({"q": query, "k": 10, "mode": mode})
    out = call(f"{base}/search?{params}")
    return [(r["document_id"], r["start"], round(r["score"], 4)) for r in out["results"]], out["facets"]


def test_two_service_processes_write_to_one_database_at_once(tmp_path, postgres, corpus_dir):
    dsn = new_database(postgres)
    env = {"ANCOLS_STORE": "postgres", "ANCOLS_PG_DSN": dsn}
    files = sorted(corpus_dir.glob("*.txt"))
    servers: list[Server] = []
    try:
        servers += [Server(tmp_path / "a", env)]  # one by one: a failed start still stops the first
        servers += [Server(tmp_path / "b", env)]
        # Each process ingests its share, and both the same first file at the same moment.
        shares = [files[0::2], [files[0], *files[1::2]]]
        results: list[list] = [[], []]

        def ingest(n: int) -> None:
            results[n] = [(f.name, upload(servers[n].base, f.name, f.read_bytes())) for f in shares[n]]

        threads = [threading.Thread(target=ingest, args=(n,)) for n in (0, 1)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        ids = {}
        for name, created in results[0] + results[1]:
            assert ids.setdefault(name, created["id"]) == created["id"]  # one document per file, whoever won
        assert len(ids) == len(files)
        listings = [call(s.base + "/documents?limit=100") for s in servers]
        assert listings[0] == listings[1] and {d["id"] for d in listings[0]["documents"]} == set(ids.values())
        for doc in listings[0]["documents"]:
            segments = call(f"{servers[1].base}/documents/{doc['id']}/segments?limit=100000")["segments"]
            assert len(segments) == doc["segment_count"] > 0
        _assert_statistics_match_rows(dsn)
        for query in QUERIES:
            for mode in ("lexical", "hybrid"):
                first, second = (_search(s.base, query, mode) for s in servers)
                assert first == second and first[0], (query, mode)
    finally:
        for server in servers:
            server.kill()


@pytest.fixture
def replica(postgres, pg_dir):
    """A hot standby of the session's server this test may pause and stop."""
    server = postgres.replica(pg_dir / "replica", free_port())
    yield server
    if (server.data_dir / "postmaster.pid").exists():
        server.stop()


def _answer(store: PgStore, query: str, mode: str) -> tuple:
    out = store.search(query, k=10, filters=Filters(), params=SearchParams(mode=mode))
    return [(round(h.score, 4), out.rows[h.id].text) for h in out.hits], out.facets, out.total


def _served_by_replica(store: PgStore) -> bool:
    with store.servers.read() as conn:
        return conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]


def _eventually_served_by_replica(store: PgStore, what: str) -> None:
    """Reads go back to the replica once it has replayed this process's writes: polled, since a loaded machine may
    replay later than the store's short wait (which this test keeps short to see the lag)."""
    deadline = time.monotonic() + 60
    while not _served_by_replica(store):
        assert time.monotonic() < deadline, what
        time.sleep(0.5)


def _assert_same_answers(store: PgStore, primary_only: PgStore) -> None:
    for query in QUERIES:
        for mode in ("lexical", "semantic", "hybrid"):
            assert _answer(store, query, mode) == _answer(primary_only, query, mode), (query, mode)


def _replicated_database(postgres, replica) -> tuple[str, str]:
    """A new database's DSN on the primary and on the replica, once CREATE DATABASE reached the standby."""
    dsn = new_database(postgres)
    name = dsn.rsplit("/", 1)[1]
    replica_dsn = replica.dsn.rsplit("/", 1)[0] + "/" + name
    deadline = time.monotonic() + 60
    while not _datname_on(replica.dsn, name):
        assert time.monotonic() < deadline, "the new database never reached the replica"
        time.sleep(0.1)
    return dsn, replica_dsn


def test_reads_fall_back_to_the_primary_while_a_replica_lags_or_is_down(postgres, replica, embedder):
    dsn, replica_dsn = _replicated_database(postgres, replica)
    store = PgStore(dsn, embedder, replicas=(replica_dsn,), replica_wait_s=0.3)
    primary_only = PgStore(dsn, embedder)
    try:
        store.add(make_document(REPORT_A, organism="Le Toit Forézien"), filename="a.txt", data=b"a")
        _eventually_served_by_replica(store, "the replica never replayed the first write")
        _assert_same_answers(store, primary_only)

        with psycopg.connect(replica_dsn, autocommit=True) as conn:  # the standby stops replaying: it lags
            conn.execute("SELECT pg_wal_replay_pause()")
            added = store.add(make_document(REPORT_B, organism="Logidia"), filename="b.txt", data=b"b")
            assert conn.execute("SELECT count(*) FROM documents WHERE id = %s", (added.id,)).fetchone()[0] == 0
            assert not _served_by_replica(store)
            _assert_same_answers(store, primary_only)
            conn.execute("SELECT pg_wal_replay_resume()")
        _eventually_served_by_replica(store, "the replica never served again after resuming")
        _assert_same_answers(store, primary_only)

        replica.stop()  # down: every read on the primary, writes go on
        assert not _served_by_replica(store)
        assert store.delete(added.id)
        _assert_same_answers(store, primary_only)
        LocalPostgres.start(replica.data_dir, replica.port)  # back: once reconnected and caught up, it serves again
        _eventually_served_by_replica(store, "the replica never served again")
        _assert_same_answers(store, primary_only)
    finally:
        store.close()
        primary_only.close()


def test_a_stopped_replica_is_passed_over_not_waited_for_by_every_read(postgres, replica, embedder, monkeypatch):
    """A replica stopped made every read wait its connection time (1 s) before the primary served it: two seconds a
    search, through the service, for as long as it stayed down. Found down once, it is passed over at once, and
    tried again by one read now and then, so it serves again once it is back."""
    dsn, replica_dsn = _replicated_database(postgres, replica)
    store = PgStore(dsn, embedder, replicas=(replica_dsn,), replica_wait_s=5)
    primary_only = PgStore(dsn, embedder)
    pool = store.servers.replicas[0]
    waits: list[float] = []
    getconn = pool.getconn

    def timed_getconn(timeout: float | None = None):
        started = time.monotonic()
        try:
            return getconn(timeout=timeout)
        finally:
            waits.append(time.monotonic() - started)

    monkeypatch.setattr(pool, "getconn", timed_getconn)
    try:
        store.add(make_document(REPORT_A, organism="Le Toit Forézien"), filename="a.txt", data=b"a")
        _eventually_served_by_replica(store, "the replica never replayed the first write")
        replica.stop()
        started = time.monotonic()
        _assert_same_answers(store, primary_only)  # 12 searches, each several reads
        elapsed = time.monotonic() - started
        slow = [w for w in waits if w >= 0.5]
        assert 1 <= len(slow) <= 1 + elapsed / 5, (len(slow), elapsed)  # once, then once a retry period (5 s)
        LocalPostgres.start(replica.data_dir, replica.port)
        _eventually_served_by_replica(store, "the replica never served again once back")
        _assert_same_answers(store, primary_only)
    finally:
        store.close()
        primary_only.close()


def test_a_replica_connection_lost_during_a_read_is_read_again_on_the_primary(postgres, replica, embedder,
                                                                             monkeypatch):
    """A replica's connection lost mid-read (the standby restarted, a network cut) was a 500: only the primary's
    path turned a lost connection into StoreUnavailable. Each read cut so now runs again on the primary. The chat's
    report lookup (documents by number, without their texts) read from the primary though a replica served the
    search it filters: it is read where the other reads are (met the cut replica too)."""
    dsn, replica_dsn = _replicated_database(postgres, replica)
    store = PgStore(dsn, embedder, replicas=(replica_dsn,), replica_wait_s=5)
    primary_only = PgStore(dsn, embedder)
    cuts: list[int] = []
    caught_up = Servers._caught_up

    def cut_once_chosen(servers: Servers, conn: psycopg.Connection) -> bool:
        """The replica is chosen (caught up), then its backend is terminated before the read's first statement."""
        chosen = caught_up(servers, conn)
        if chosen and servers is store.servers:
            with psycopg.connect(replica_dsn, autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(%s)", (conn.info.backend_pid,))
            cuts.append(conn.info.backend_pid)
        return chosen

    try:
        report = make_document(REPORT_A, organism="Le Toit Forézien")
        report = replace(report, meta=replace(report.meta, report_number="2017-101"))
        added = store.add(report, filename="a.txt", data=b"a")
        assert _served_by_replica(store)
        monkeypatch.setattr(Servers, "_caught_up", cut_once_chosen)
        _assert_same_answers(store, primary_only)
        for read in (lambda s: s.stats(), lambda s: s.organisms(), lambda s: s.meta.documents(limit=10, offset=0),
                     lambda s: s.meta.segments_of(added.id, limit=5, offset=0), lambda s: s.meta.document(added.id),
                     lambda s: s.meta.find_by_meta("report_number", "2017-101", with_text=False)):
            assert read(store) == read(primary_only)
        assert [r.id for r in store.meta.find_by_meta("report_number", "2017-101", with_text=False)] == [added.id]
        assert len(cuts) >= 3 * len(QUERIES) + 7  # every read met a lost replica connection first
        monkeypatch.undo()
        assert _served_by_replica(store)  # the replica serves again once its dead connections are dropped
    finally:
        store.close()
        primary_only.close()


def test_a_replica_read_cancelled_by_replay_is_read_again_on_the_primary(postgres, replica, embedder):
    """A hot standby cancels a read that holds up the replay of the primary's changes (here a lock on the passages,
    past ``max_standby_streaming_delay``): "terminating connection due to conflict with recovery", SQLSTATE 40001,
    the connection closed. Neither a lost connection's code (08, 57P) nor known as one, it was a 500; the read has
    nothing to undo and runs again on the primary."""
    dsn, replica_dsn = _replicated_database(postgres, replica)
    with psycopg.connect(replica_dsn, autocommit=True) as conn:
        conn.execute("ALTER SYSTEM SET max_standby_streaming_delay = 0")
        conn.execute("SELECT pg_reload_conf()")
    store = PgStore(dsn, embedder, replicas=(replica_dsn,), replica_wait_s=5)
    servers, where = store.servers, []

    @reads
    def passages_twice() -> tuple:
        with servers.snapshot() as conn:
            where.append(conn.execute("SELECT pg_is_in_recovery()").fetchone()[0])
            first = conn.execute("SELECT count(*) FROM segments").fetchone()
            if len(where) == 1:  # the primary locks the passages; the standby's replay of it waits for no read
                with psycopg.connect(dsn) as primary:
                    primary.execute("LOCK TABLE segments IN ACCESS EXCLUSIVE MODE")
                time.sleep(1.0)
            return first, conn.execute("SELECT body FROM segments ORDER BY id LIMIT 1").fetchone()

    try:
        store.add(make_document(REPORT_A, organism="Le Toit Forézien"), filename="a.txt", data=b"a")
        with psycopg.connect(dsn) as primary:
            expected = (primary.execute("SELECT count(*) FROM segments").fetchone(),
                        primary.execute("SELECT body FROM segments ORDER BY id LIMIT 1").fetchone())
        assert passages_twice() == expected and expected[0] == (len(REPORT_A),)
        assert where == [True, False]  # cancelled on the replica, read again on the primary
    finally:
        store.close()


def _datname_on(dsn: str, name: str) -> bool:
    with psycopg.connect(dsn) as conn:
        return bool(conn.execute("SELECT count(*) FROM pg_database WHERE datname = %s", (name,)).fetchone()[0])
