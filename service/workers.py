"""``ancols serve --workers N``: N serving processes on one port, each with its own listening socket.

With one socket shared by every process (uvicorn's own multi-worker mode), the process that wakes first accepts
a whole burst of new connections: 32 keep-alive clients were split 9 / 23 between two workers, so one worker
queued while the other idled. Here each process listens on its own socket with ``SO_REUSEPORT``, and the kernel
spreads new connections over them by address hash, as nginx's ``reuseport`` does. A process that ends is started
again; which one owns the data directory's background writes is settled by service/ownership.py, not here.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import threading
from multiprocessing.connection import wait

from ancols_nlp.service.settings import Settings

log = logging.getLogger("ancols.workers")

BACKLOG = 2048  # uvicorn's default
STOP_S = 30  # how long a worker may take to finish its requests and close its store on shutdown


def listening_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def serve_one(settings: Settings, host: str, port: int) -> None:
    """One serving process on its own socket (the target of each worker)."""
    import uvicorn

    from ancols_nlp.service.app import create_app

    sock = listening_socket(host, port)
    sock.listen(BACKLOG)
    threading.Thread(target=end_with_parent, name="ancols-parent-watch", daemon=True).start()
    config = uvicorn.Config(create_app(settings), access_log=False,  # the app logs its own structured lines
                            h11_max_incomplete_event_size=settings.max_request_head_bytes)
    uvicorn.Server(config).run(sockets=[sock])


def end_with_parent() -> None:
    """A supervisor killed outright (SIGKILL, OOM) must not leave its workers holding the port: each shuts down
    as on SIGTERM (requests finished, store closed) when its parent is gone."""
    wait([multiprocessing.parent_process().sentinel])
    os.kill(os.getpid(), signal.SIGTERM)


def serve(settings: Settings, host: str, port: int) -> int:
    """Start ``settings.workers`` processes and keep them running until SIGINT or SIGTERM."""
    reserved = listening_socket(host, port)  # bound, never listening: the port is checked now and held
    context = multiprocessing.get_context("spawn")  # a fresh interpreter each: no inherited threads or locks
    stopping = False

    def stop(signum, frame) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    workers: list[multiprocessing.process.BaseProcess] = []
    try:
        while not stopping:
            workers = [w for w in workers if w.is_alive()]
            for _ in range(settings.workers - len(workers)):
                worker = context.Process(target=serve_one, args=(settings, host, port), name="ancols-serve")
                worker.start()
                workers.append(worker)
            wait([w.sentinel for w in workers], timeout=1.0)
            for worker in workers:
                if worker.exitcode is not None and not stopping:
                    log.warning("serving process %d ended (code %s): starting another", worker.pid, worker.exitcode)
    finally:
        for worker in workers:
            if worker.is_alive():
                worker.terminate()  # SIGTERM: uvicorn finishes its requests, the app closes its store
        for worker in workers:
            worker.join(STOP_S)
            if worker.is_alive():
                worker.kill()
        reserved.close()
    return 0
