"""Facet counts of the PostgreSQL store, counted once per filter set and database version.

As in the embedded store, facets count the filtered passages, whatever the query: one count over the
filtered rows serves every search until a write (any process's) bumps ``corpus.version``. Counting them
again for each request cost a scan of every filtered row per search.
"""

from __future__ import annotations

import threading

import psycopg

from ancols_nlp.index.postgres import retrieval
from ancols_nlp.index.query import Filters

Facets = tuple[dict[str, dict[str, int]], int]

_KEPT = 256  # filter sets remembered per version (a user's filters are few; a flood is simply recounted)


class FacetCache:
    def __init__(self) -> None:
        self._version = -1
        self._counts: dict[Filters, Facets] = {}
        self._lock = threading.Lock()

    def get(self, conn: psycopg.Connection, *filter_sets: Filters) -> list[Facets]:
        """The facets and the number of passages under each of ``filter_sets``, as ``conn`` sees the database: its
        version read once for all (a search asks for its filters' and the unfiltered organisms). ``conn`` reads one
        snapshot (``Servers.snapshot``), so a count is always of the version read, and kept under it."""
        version = _version(conn)
        return [self._get(conn, version, filters) for filters in filter_sets]

    def _get(self, conn: psycopg.Connection, version: int, filters: Filters) -> Facets:
        with self._lock:
            if version == self._version and filters in self._counts:
                return self._counts[filters]
        counted = retrieval.facets(conn, filters)
        with self._lock:
            if version != self._version:  # a newer version empties the cache; a lagging replica's is not kept
                if version < self._version:
                    return counted
                self._version, self._counts = version, {}
            if len(self._counts) >= _KEPT:
                self._counts.clear()
            self._counts[filters] = counted
        return counted


def _version(conn: psycopg.Connection) -> int:
    return conn.execute("SELECT version FROM corpus").fetchone()[0]
