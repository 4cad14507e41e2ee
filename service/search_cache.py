"""Finished ``/search`` bodies, kept per store version: a query-result cache.

Lucene-class engines keep one (Solr's ``queryResultCache``, Elasticsearch's shard request cache): users
repeat queries, and a repeated answer costs a dictionary look-up instead of ~11 ms of CPU at a million
passages (lexical top n, dense scan, rows, response building). An entry is the exact bytes an uncached
request returns, keyed by the canonical request (cleaned query, resolved mode, effective k, filters) and
filed under the store's version: every write makes a newer version, and the first look-up under it empties
the cache, so no answer is ever served from an older snapshot and nothing else needs invalidating. A store
that cannot tell its version (``None``: another process may write, as with PostgreSQL) is never cached.
Bounded in bytes, least recently used first out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from ancols_nlp.index.query import Filters


class SearchCache:
    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._version = 0
        self._bodies: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.bytes = self.hits = self.misses = 0

    @staticmethod
    def key(query: str, mode: str, grain: str, k: int, filters: Filters) -> Hashable:
        return query, mode, grain, k, filters

    def get(self, version: int | None, key: Hashable) -> bytes | None:
        """The body stored for ``key`` under ``version``, or None (counted as a miss when it could be cached)."""
        if version is None or not self.max_bytes:
            return None
        with self._lock:
            if version < self._version:  # read before a write that a later request has already seen
                return None
            if version > self._version:
                self._version, self.bytes = version, 0
                self._bodies.clear()
            body = self._bodies.get(key)
            if body is None:
                self.misses += 1
                return None
            self._bodies.move_to_end(key)
            self.hits += 1
            return body

    def put(self, version: int | None, key: Hashable, body: bytes) -> None:
        """Keep ``body``, the answer to ``key`` from a search that started at ``version`` or later.

        Filed under the version read before the search: an answer is never filed under a version newer
        than the snapshot it was computed from, so a write is always seen by the requests that follow it."""
        if version is None or len(body) > self.max_bytes:
            return
        with self._lock:
            if version != self._version:  # a write came in meanwhile: this answer is of no later use
                return
            old = self._bodies.pop(key, None)
            self.bytes += len(body) - (len(old) if old is not None else 0)
            self._bodies[key] = body
            while self.bytes > self.max_bytes:
                self.bytes -= len(self._bodies.popitem(last=False)[1])

    def gauges(self) -> list[tuple[str, str, dict[str, str], float]]:
        with self._lock:
            return [("ancols_search_cache_hits_total", "Searches answered from the result cache.", {}, self.hits),
                    ("ancols_search_cache_misses_total", "Cacheable searches computed in full.", {}, self.misses),
                    ("ancols_search_cache_entries", "Answers in the result cache.", {}, len(self._bodies)),
                    ("ancols_search_cache_bytes", "Bytes of the answers in the result cache.", {}, self.bytes)]
