"""A real ``ancols serve`` process on loopback, and a stdlib HTTP client for it (for tests that kill or load it)."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url: str, method: str = "GET", body: bytes | None = None, headers: dict | None = None, timeout: float = 600):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return json.loads(r.read() or b"null")


def upload(base: str, name: str, data: bytes) -> dict:
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/plain\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return call(base + "/documents", "POST", body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})


class Server:
    def __init__(self, data_dir: Path, env: dict[str, str] | None = None, *, workers: int = 1, wait: bool = True):
        """``env``: ANCOLS_* settings for this service. The caller's PYTHONPATH comes first, so the service
        imports the same ``ancols_nlp`` as the tests. ``wait=False``: call ``ready`` (start several at once)."""
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        path = os.pathsep.join(p for p in (os.environ.get("PYTHONPATH"), str(REPO)) if p)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ancols_nlp.service.cli", "--data-dir", str(data_dir),
             "serve", "--port", str(self.port), "--workers", str(workers)],
            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
            env=dict(os.environ, PYTHONPATH=path, **(env or {})))
        if wait:
            self.ready()

    def ready(self) -> None:
        deadline = time.time() + 180
        while time.time() < deadline:
            try:
                call(self.base + "/health", timeout=2)
                return
            except OSError:
                assert self.proc.poll() is None, "the service exited during start-up"
                time.sleep(0.3)
        raise AssertionError("the service did not start")

    def kill(self) -> None:
        """SIGKILL to the service and every process it started (its workers): its own session."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:  # every process of the session has ended already
            pass
        self.proc.wait()
