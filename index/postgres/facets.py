"""What the PostgreSQL store reads of the whole corpus for every search, read once per database version.

Facet counts: as in the embedded store, facets count the filtered passages, whatever the query: one count over the
filtered rows serves every search until a write (any process's) bumps ``corpus.version``. Counting them
again for each request cost a scan of every filtered row per search. The organisms' spellings
(``PgStore.organism_documents``) are kept the same way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable

import psycopg

from ancols_nlp.index.postgres import retrieval
from ancols_nlp.index.query import Filters

Facets = tuple[dict[str, dict[str, int]], int]

_KEPT = 256  # filter sets remembered per version (a user's filters are few; a flood is simply recounted)


class PerVersion:
    """Values read from the database under a key, kept until a write (any process's) bumps ``corpus.version``."""

    def __init__(self, read: Callable[[psycopg.Connection, Hashable], object]) -> None:
        self._read = read
        self._version = -1
        self._values: dict[Hashable, object] = {}
        self._lock = threading.Lock()

    def get(self, conn: psycopg.Connection, key: Hashable, version: int | None = None):
        """The value under ``key`` as ``conn`` sees the database (``version``: its version, when already read).
        ``conn`` reads one snapshot (``Servers.snapshot``), so a value is always of the version read, and kept under
        it; a lagging replica's older version is read and not kept."""
        version = _version(conn) if version is None else version
        with self._lock:
            if version == self._version and key in self._values:
                return self._values[key]
        value = self._read(conn, key)
        with self._lock:
            if version != self._version:
                if version < self._version:
                    return value
                self._version, self._values = version, {}
            if len(self._values) >= _KEPT:
                self._values.clear()
            self._values[key] = value
        return value


class FacetCache:
    def __init__(self) -> None:
        self._counts = PerVersion(lambda conn, filters: retrieval.facets(conn, filters))

    def get(self, conn: psycopg.Connection, *filter_sets: Filters) -> list[Facets]:
        """The facets and the number of passages under each of ``filter_sets``, as ``conn`` sees the database: its
        version read once for all (a search asks for its filters' and the unfiltered organisms)."""
        version = _version(conn)
        return [self._counts.get(conn, filters, version) for filters in filter_sets]


def _version(conn: psycopg.Connection) -> int:
    return conn.execute("SELECT version FROM corpus").fetchone()[0]
