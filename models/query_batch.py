"""Query vectors of concurrent searches encoded in one call, with no added wait (a group commit).

A query vector's matrix products read the encoder's weights (~11 MB for USE) once per call whatever the rows,
so a call for several queries costs little more than for one (``bench/query_batch.py``: 1.6-2.1 ms a query alone,
0.4 ms in calls of 16). No timer gathers them. A search says which vector it will need as soon as it knows its
text (``expect``), before it waits for a turn to compute (the store's ``ANCOLS_SEARCH_CONCURRENCY``); when it
needs the vector (``vector``) and no call runs, its thread makes one call for it and for every vector expected
by then (at most ``most``); while a call runs, it waits for that call to end. A lone query is encoded at once,
alone; under load the searches queued for their turn have their vectors made together by the first of them to
get it. Batched rows differ from one-at-a-time rows by the matrix kernels' rounding (≤ 3e-7 on USE), not by
what a search ranks (BENCHMARKS.md: same dev scores).
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


KEEP = 256  # vectors made for expected texts not asked for yet (or never: the embedder's cache answered the search)


@dataclass(eq=False)
class _Request:
    text: str
    taken: bool = False  # in a call
    done: bool = False
    vector: np.ndarray | None = None
    error: BaseException | None = None


class QueryBatcher:
    """From any thread; ``encode(texts) -> (len(texts), dim)`` is called by one thread at a time."""

    def __init__(self, encode: Callable[[list[str]], np.ndarray], most: int = 16) -> None:
        if most < 1:
            raise ValueError(f"most must be at least 1, not {most}")
        self._encode = encode
        self._most = most
        self._changed = threading.Condition()
        # By text, in the order expected: not taken yet, in a call, or made and not asked for yet.
        self._requests: dict[str, _Request] = {}
        self._running = False

    def expect(self, text: str) -> None:
        """A search will ask for this text's vector soon: the next call may encode it."""
        with self._changed:
            self._request(text)

    def vector(self, text: str) -> np.ndarray:
        """The text's vector (read-only); the encoder's exception if the call that encoded it failed."""
        with self._changed:
            request = self._request(text)
            while not request.done and (self._running or request.taken):
                self._changed.wait()
            batch = None if request.done else self._take(request)
        if batch is not None:
            self._call(batch)
        with self._changed:
            if self._requests.get(text) is request:
                del self._requests[text]
        if request.error is not None:
            raise request.error
        return request.vector

    def _request(self, text: str) -> _Request:
        request = self._requests.get(text)
        if request is None:
            request = self._requests[text] = _Request(text)
        return request

    def _take(self, first: _Request) -> list[_Request]:
        """``first`` and the earliest other texts no call has taken (under the lock): the next call's."""
        self._running = True
        batch = [first, *itertools.islice((r for r in self._requests.values() if not r.taken and r is not first),
                                          self._most - 1)]
        for request in batch:
            request.taken = True
        return batch

    def _call(self, batch: list[_Request]) -> None:
        try:
            vectors = self._encode([r.text for r in batch])
            for request, row in zip(batch, vectors, strict=True):
                request.vector = row.copy()  # its own memory: a cache may keep it long after the batch
                request.vector.setflags(write=False)
        except BaseException as exc:  # every caller in the call hears of it, not only the one that made it
            for request in batch:
                request.error = exc
        finally:
            with self._changed:
                for request in batch:
                    request.done = True
                    if request.error is not None and self._requests.get(request.text) is request:
                        del self._requests[request.text]  # a later search for it tries again
                made = [t for t, r in self._requests.items() if r.done]
                for text in made[:-KEEP]:
                    del self._requests[text]
                self._running = False
                self._changed.notify_all()
