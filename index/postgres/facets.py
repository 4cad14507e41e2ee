"""What the PostgreSQL store reads of the whole corpus for every search, read once per database version.

Facet counts: as in the embedded store, facets count the filtered passages, whatever the query: one count over the
filtered rows serves every search until a write (any process's) bumps ``corpus.version``. Counting them
again for each request cost a scan of every filtered row per search. The organisms' spellings
(``PgStore.organism_documents``) and the organisms they make (``read_query`` reads a query's against them) are
kept the same way.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass

import psycopg

from ancols_nlp.index.postgres import retrieval
from ancols_nlp.index.query import Filters
from ancols_nlp.pipelines.organism_names import Organism, organisms, per_organism

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


@dataclass(frozen=True)
class StoredOrganisms:
    documents: dict[str, int]  # each stored spelling and its documents, in the order first stored
    organisms: tuple[Organism, ...]  # what those spellings name (pipelines/organism_names.py)


def _stored_organisms(conn: psycopg.Connection, _key: None) -> StoredOrganisms:
    """The organisms' spellings: a document's passages all carry its organism, so its first passage is read (by the
    (document_id, seq) index)."""
    rows = conn.execute("SELECT s.organism, count(*) FROM documents d CROSS JOIN LATERAL"
                        " (SELECT id, organism FROM segments WHERE document_id = d.id ORDER BY seq LIMIT 1) s"
                        " WHERE btrim(s.organism) <> '' GROUP BY s.organism ORDER BY min(s.id)").fetchall()
    documents = dict(rows)
    return StoredOrganisms(documents, tuple(organisms(documents)))


class FacetCache:
    def __init__(self) -> None:
        self._counts = PerVersion(self._counted)
        self._organisms = PerVersion(_stored_organisms)

    def _counted(self, conn: psycopg.Connection, filters: Filters) -> Facets:
        """The facets under ``filters``, an organism counted once under its name, all its spellings together."""
        facets, total = retrieval.facets(conn, filters)
        return facets | {"organism": per_organism(facets["organism"], self.organisms(conn).organisms)}, total

    def get(self, conn: psycopg.Connection, *filter_sets: Filters) -> list[Facets]:
        """The facets and the number of passages under each of ``filter_sets``, as ``conn`` sees the database: its
        version read once for all."""
        version = _version(conn)
        return [self._counts.get(conn, filters, version) for filters in filter_sets]

    def organisms(self, conn: psycopg.Connection, version: int | None = None) -> StoredOrganisms:
        """The stored organisms as ``conn`` sees the database (``version``: its version, when already read)."""
        return self._organisms.get(conn, None, version)

    def searched(self, conn: psycopg.Connection, filters: Filters) -> tuple[Facets, tuple[Organism, ...]]:
        """A search's facets under ``filters`` and the stored organisms, the database version read once for both."""
        version = _version(conn)
        return self._counts.get(conn, filters, version), self.organisms(conn, version).organisms


def _version(conn: psycopg.Connection) -> int:
    return conn.execute("SELECT version FROM corpus").fetchone()[0]
