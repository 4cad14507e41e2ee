"""Where a statement runs: writes on the primary, reads spread over streaming replicas.

A replica's connection lost during a read (the standby restarted, a network cut), or the read cancelled by the
standby because it held up the replay of the primary's changes (a recovery conflict), is not an error: the
reading method, marked ``@reads``, runs again on the primary, as it does when a replica is down.

Read-your-writes: after each commit the primary's WAL position is remembered, and a replica
serves a read only once it has replayed up to it (waiting at most ``wait_s``); otherwise the
read goes to the primary. So whoever uploaded through this process finds the document at once,
and a delete is gone from every answer this process gives as soon as it returns.
"""

from __future__ import annotations

import functools
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

import psycopg
from pgvector.psycopg import register_vector
from psycopg import IsolationLevel
from psycopg.pq import TransactionStatus
from psycopg_pool import ConnectionPool, PoolTimeout

from ancols_nlp.index.interface import StoreUnavailable

_POLL_S = 0.005
_CONNECT_S = 1.0  # how long a read waits for a replica's connection before passing it over
# How long the pool's reconnection to a server that went away tries (1, 2, 4 s apart) before giving up, a request then
# starting a new one at once: with psycopg_pool's 5 minutes, a request waiting during a stop started one that no other
# request could replace, and once the server was back, searches waited for its next try (as long again as the stop).
_RECONNECT_S = 5.0
_RETRY_S = 5.0  # how long a replica whose connection could not be had is passed over at once, before a read tries it
RECOVERY_CONFLICT = "40001"  # serialization_failure: on a standby's read-only transaction, only a recovery conflict
_ON_PRIMARY: ContextVar[bool] = ContextVar("ancols_reads_on_primary", default=False)
P = ParamSpec("P")
T = TypeVar("T")


class ReplicaLost(StoreUnavailable):
    """A replica's connection was lost during a read, or the read cancelled by the standby's replay: a ``@reads``
    method catches it and runs again on the primary (a StoreUnavailable, a 503, wherever nothing does)."""


def reads(method: Callable[P, T]) -> Callable[P, T]:
    """Mark a method made of reads only: when a replica's connection is lost during it, it runs once more with
    every read on the primary (reads have nothing to undo)."""
    @functools.wraps(method)
    def run(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return method(*args, **kwargs)
        except ReplicaLost:
            token = _ON_PRIMARY.set(True)
            try:
                return method(*args, **kwargs)
            finally:
                _ON_PRIMARY.reset(token)
    return run


def _lsn(text: str) -> int:
    high, low = text.split("/")
    return (int(high, 16) << 32) | int(low, 16)


class Servers:
    def __init__(self, dsn: str, replicas: list[str], *, wait_s: float, pool_size: int):
        self.primary = _pool(dsn, pool_size)
        self.replicas = [_pool(r, pool_size) for r in replicas]
        self.wait_s = wait_s
        self._written = 0  # highest WAL position of a commit made through this process
        self._lock = threading.Lock()
        self._turn = itertools.count()
        self._down_until = [0.0] * len(replicas)  # monotonic time before which a replica is passed over at once

    def on_primary(self) -> AbstractContextManager[psycopg.Connection]:
        """A connection of the primary outside a transaction (autocommit): a read that must see the latest commit."""
        return _primary(self.primary)

    @contextmanager
    def write(self) -> Iterator[psycopg.Connection]:
        """One transaction on the primary; its commit position is remembered for the reads that follow."""
        with _primary(self.primary) as conn:
            with conn.transaction():
                yield conn
            if self.replicas:
                position = _lsn(conn.execute("SELECT pg_current_wal_insert_lsn()::text").fetchone()[0])
                with self._lock:
                    self._written = max(self._written, position)

    @contextmanager
    def read(self) -> Iterator[psycopg.Connection]:
        """A connection that sees every write made through this process: a caught-up replica, else the primary.

        A replica that is down or lagging past ``wait_s`` is skipped, so reads survive losing every replica; one
        whose connection is lost during the read raises ReplicaLost, for ``@reads`` to run the read again."""
        pool, conn = (None, None) if _ON_PRIMARY.get() else self._replica()
        if conn is None:
            with _primary(self.primary) as conn:
                yield conn
            return
        try:
            yield conn
        except psycopg.OperationalError as exc:
            # 40001 on a read-only standby is a recovery conflict, the session ended or only its statement
            if not (_connection_lost(exc, conn) or exc.sqlstate == RECOVERY_CONFLICT):
                raise
            lost = exc
        else:
            return
        finally:
            pool.putconn(conn)
        pool.check()  # its other idle connections likely died with this one: dropped now, not met by a request
        raise ReplicaLost(f"A PostgreSQL replica's connection was lost: {_reason(lost)}") from lost

    @contextmanager
    def snapshot(self) -> Iterator[psycopg.Connection]:
        """A read (``read``) in one REPEATABLE READ, READ ONLY transaction: every statement on it sees the database
        as its first one did, so what several statements read (a search's facets, term statistics, postings,
        candidates and rows; a page and its total) agrees even while other processes commit. Allowed on a
        hot-standby replica, as SERIALIZABLE is not; the isolation rides on the ``BEGIN``, no statement more."""
        with self.read() as conn:
            conn.isolation_level, conn.read_only = IsolationLevel.REPEATABLE_READ, True
            try:
                with conn.transaction():
                    yield conn
            finally:  # the connection goes back to its pool for writes too; a broken one is discarded there
                if conn.info.transaction_status == TransactionStatus.IDLE:
                    conn.isolation_level = conn.read_only = None

    def _replica(self) -> tuple[ConnectionPool | None, psycopg.Connection | None]:
        start = next(self._turn)
        for n in range(len(self.replicas)):
            index = (start + n) % len(self.replicas)
            if not self._may_try(index):
                continue
            pool = self.replicas[index]
            try:
                conn = pool.getconn(timeout=_CONNECT_S)
            except PoolTimeout:
                with self._lock:
                    self._down_until[index] = time.monotonic() + _RETRY_S
                continue
            self._down_until[index] = 0.0
            try:
                if self._caught_up(conn):
                    return pool, conn
            except psycopg.OperationalError:
                pass
            pool.putconn(conn)
        return None, None

    def _may_try(self, index: int) -> bool:
        """Whether a read may wait for replica ``index``'s connection. One found down (stopped, unreachable) is passed
        over for ``_RETRY_S``, not waited for by every read (``_CONNECT_S`` each, a second a search); then one read
        tries it again while the others still pass it over, so a replica back up serves again within that time."""
        with self._lock:
            now = time.monotonic()
            if now < self._down_until[index]:
                return False
            if self._down_until[index]:
                self._down_until[index] = now + _RETRY_S  # this read tries it; the others go on passing it over
            return True

    def _caught_up(self, conn: psycopg.Connection) -> bool:
        wanted = self._written
        deadline = time.monotonic() + self.wait_s
        while True:
            replayed = conn.execute("SELECT pg_last_wal_replay_lsn()::text").fetchone()[0]
            if replayed is not None and _lsn(replayed) >= wanted:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(_POLL_S)

    def close(self) -> None:
        for pool in (self.primary, *self.replicas):
            pool.close()


def connect(dsn: str) -> psycopg.Connection:
    """A connection to ``dsn`` (autocommit); a server that cannot be reached, or a DSN that is not one, is a
    StoreUnavailable naming ANCOLS_PG_DSN (libpq's reason, never the DSN itself: it may hold a password)."""
    try:
        return psycopg.connect(dsn, autocommit=True)
    except psycopg.ProgrammingError as exc:
        raise StoreUnavailable("ANCOLS_PG_DSN is not a libpq URL (postgresql://user@host:port/database) "
                               "or key=value string") from exc
    except psycopg.OperationalError as exc:
        raise StoreUnavailable(f"ANCOLS_PG_DSN: the PostgreSQL server cannot be reached: {_reason(exc)}") from exc


@contextmanager
def _primary(pool: ConnectionPool) -> Iterator[psycopg.Connection]:
    """A connection of the primary's pool; the pool's wait running out (the server down) or the connection
    lost is a StoreUnavailable. Other operational errors (a deadlock, a cancelled statement) stay what they are."""
    conn = None
    try:
        with pool.connection() as conn:
            yield conn
    except PoolTimeout as exc:
        raise StoreUnavailable(f"The PostgreSQL server cannot be reached: {_reason(exc)}") from exc
    except psycopg.OperationalError as exc:
        if not _connection_lost(exc, conn):
            raise
        pool.check()  # the other idle connections died with this one (a restart): dropped now, not one a request
        raise StoreUnavailable(f"The PostgreSQL server cannot be reached: {_reason(exc)}") from exc


def _connection_lost(exc: psycopg.OperationalError, conn: psycopg.Connection | None) -> bool:
    """The connection is broken (whatever the server's last word: a standby ending a session for a recovery
    conflict says 40001), or the error says so: no SQLSTATE (the socket closed), class 08 (connection exception)
    or 57P0x (the server shutting down)."""
    state = exc.sqlstate or ""
    return (conn is not None and conn.broken) or not state or state.startswith(("08", "57P"))


def _reason(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _configure(conn: psycopg.Connection) -> None:
    register_vector(conn)


def _pool(dsn: str, size: int) -> ConnectionPool:
    return ConnectionPool(dsn, min_size=1, max_size=size, kwargs={"autocommit": True}, configure=_configure,
                          open=True, name=dsn.rsplit("@", 1)[-1], reconnect_timeout=_RECONNECT_S)
