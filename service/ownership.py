"""Which of the processes serving one data directory owns its background writes.

Several ``ancols serve`` processes may serve one data directory (``--workers N``, or separate ones): any of
them searches, and adds or deletes a document (one SQLite transaction; the others notice the commit, see
index/store.py). The job worker and the store's merges (which write the saved bases) must run in exactly
one: the owner. It holds an exclusive ``flock`` on ``<data_dir>/owner.lock`` for as long as it lives; the OS
releases it when the process ends, however it ends, and one of the processes waiting for it (each waits on a
thread) takes over: its job worker resumes the jobs left unfinished, its store merges from then on.

Opening is serialised by a second lock (``open.lock``), held while a process opens the store: the owner
repairs the store on opening (re-embedding after a model change, saving a first base), and a process
opening at the same time waits for it rather than read a store half repaired.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger("ancols.ownership")


class Ownership:
    def __init__(self, data_dir: Path):
        self._dir = Path(data_dir)
        self._dir.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self._dir / "owner.lock", os.O_RDWR | os.O_CREAT, 0o644)
        self._lock = threading.Lock()
        self._stopped = False
        self.owner = False

    @contextmanager
    def opening(self) -> Iterator[bool]:
        """Held while this process opens the store (one process opens at a time); yields whether this process is
        the owner: it becomes one if no other process is, so it opens the store as the owner (``leading``)."""
        fd = os.open(self._dir / "open.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield self._take()
        finally:
            os.close(fd)  # releases the lock

    def _take(self) -> bool:
        """Become the owner if no other process is; True when this one is."""
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        self.owner = True
        return True

    def wait(self, take_over: Callable[[], None]) -> None:
        """Wait on a thread for the owner to end, then become the owner and call ``take_over`` (unless stopping)."""
        def run() -> None:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            with self._lock:
                if self._stopped:
                    return
                self.owner = True
                log.info("process %d now owns %s (the job worker and the store's merges)", os.getpid(), self._dir)
                take_over()
        threading.Thread(target=run, name="ancols-ownership", daemon=True).start()

    def stop(self) -> None:
        """No taking over from now on (shutting down); a take-over under way finishes first."""
        with self._lock:
            self._stopped = True

    def close(self) -> None:
        """Release ownership: call after the job worker and the store are closed, so none runs twice."""
        self.stop()
        os.close(self._fd)
