"""Values made once per key and kept while they are among the most recently made: the caches of an immutable index.

A snapshot and its lexical index never change (a write builds new ones), so nothing kept is ever invalidated;
a race only makes a value twice."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

_Made = TypeVar("_Made")


class Recent(Generic[_Made]):
    """The ``kept`` most recently made values, by key."""

    def __init__(self, kept: int) -> None:
        self.kept = kept
        self._values: dict[Hashable, _Made] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], _Made]) -> _Made:
        with self._lock:
            found = self._values.get(key)
        if found is None:
            found = make()
            with self._lock:
                self._values[key] = found
                while len(self._values) > self.kept:
                    del self._values[next(iter(self._values))]
        return found
