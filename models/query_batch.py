"""Query vectors of concurrent searches encoded in one call, with no added wait (a group commit).

A query vector's matrix products read the encoder's weights (~11 MB for USE) once per call whatever the rows,
so a call for several queries costs little more than for one: 1.67 ms a query alone, 0.81 / 0.73 / 0.63 ms in
calls of 4 / 8 / 16 (BENCHMARKS.md). No timer gathers them: the first query to arrive while no call runs is
encoded at once, alone; queries that arrive while a call runs wait for it, and the first of them then encodes
every query waiting by then (up to ``most``) in the next call. A lone query is never delayed, and under load the
batches grow with the load. Batched rows differ from one-at-a-time rows by the matrix kernels' rounding
(≤ 2.2e-7 measured on USE), not by what a search ranks (BENCHMARKS.md, same dev scores).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np


@dataclass(eq=False)
class _Request:
    text: str
    ready: threading.Event = field(default_factory=threading.Event)
    leads: bool = False  # woken to encode the next call, not with a vector
    vector: np.ndarray | None = None
    error: BaseException | None = None


class QueryBatcher:
    """``vector(text)`` from any thread: ``encode(texts) -> (len(texts), dim)`` is called by one thread at a time."""

    def __init__(self, encode: Callable[[list[str]], np.ndarray], most: int = 16) -> None:
        if most < 1:
            raise ValueError(f"most must be at least 1, not {most}")
        self._encode = encode
        self._most = most
        self._lock = threading.Lock()
        self._waiting: list[_Request] = []
        self._running = False  # a call is being made, or its successor is being woken

    def vector(self, text: str) -> np.ndarray:
        """The query's vector (read-only); the encoder's exception if its call failed."""
        request = _Request(text)
        with self._lock:
            self._waiting.append(request)
            request.leads = not self._running
            self._running = True
        if not request.leads:
            request.ready.wait()
        if request.leads:  # first in the queue: this thread makes the call
            self._call()
        if request.error is not None:
            raise request.error
        return request.vector

    def _call(self) -> None:
        with self._lock:
            batch, self._waiting = self._waiting[:self._most], self._waiting[self._most:]
        try:
            vectors = self._encode([r.text for r in batch])
            for request, row in zip(batch, vectors, strict=True):
                request.vector = row.copy()  # its own memory: a cache may keep it long after the batch
                request.vector.setflags(write=False)
        except BaseException as exc:  # every caller in the call hears of it, not only the one that made it
            for request in batch:
                request.error = exc
        finally:
            with self._lock:
                if self._waiting:  # the next call is made by the first query that waited
                    self._waiting[0].leads = True
                    self._waiting[0].ready.set()
                else:
                    self._running = False
            for request in batch:
                request.ready.set()
