#!/usr/bin/env python3
"""Search load on loopback: N concurrent clients against ``ancols serve``, bounded in requests and seconds.

Either point it at a running service on 127.0.0.1 (``--url``), or let it start one on a store
(``--serve DIR``: ``python -m ancols_nlp.service.cli serve`` on a free loopback port, stopped at the end),
in which case the service's resident memory (VmRSS, and its peak VmHWM, from /proc) is reported
too. Each mode of ``--modes`` runs ``--runs`` times in the same session, one after the other, so
the modes can be compared as ratios on a noisy machine; medians over the runs are printed.

Queries are the dev queries plus variants a user would type: the first words only, a word
added, and a share of requests with a filter (a kind, a year range). Requests cycle through
this list (60 texts) in a seeded random order, so a service that caches answers serves most of them
from its cache. ``--distinct`` sends no text twice in the whole session instead: each request's text is
2-4 words drawn from the dev queries' words, the same share filtered, so every request pays the full
search (and the query embedding). Only loopback addresses are accepted.

The client speaks HTTP/1.1 over one kept-alive socket per simulated user and reads each body without
parsing it: it shares the cores with the service here (clients normally run on other machines), and an
``httpx`` client cost 2-4 ms of CPU a request, a fifth of the service's.

    python bench/load.py --serve /tmp/store1m --modes lexical hybrid --clients 32 --requests 2000 --runs 3
    python bench/load.py --serve /tmp/store1m --distinct --modes lexical hybrid --clients 32 --requests 2000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlparse

import httpx

REPO = Path(__file__).resolve().parent.parent
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
MAX_REQUESTS = 100_000
MAX_SECONDS = 600.0
FILTERS = ({"kind": "recommendation"}, {"year_min": 2015}, {"kind": "observation", "year_max": 2020})


def queries(path: Path, seed: int, filtered_share: float = 0.2) -> list[dict]:
    """Query parameter sets: each dev query, its first three words, and it with a word added; some filtered."""
    texts = [line.split("\t")[1].strip() for line in path.read_text().splitlines() if "\t" in line]
    variants = []
    for text in texts:
        words = text.split()
        variants += [text, " ".join(words[:3]), f"{text} organisme"]
    rng = random.Random(seed)
    out = []
    for text in variants:
        params = {"q": text, "k": 10}
        if rng.random() < filtered_share:
            params.update(rng.choice(FILTERS))
        out.append(params)
    rng.shuffle(out)
    return out


def distinct_queries(path: Path, seed: int, count: int, filtered_share: float = 0.2) -> list[dict]:
    """``count`` parameter sets whose texts all differ: 2-4 of the dev queries' words (of 4 letters or more)
    in a seeded random order, a share of them filtered as in ``queries``."""
    texts = [line.split("\t")[1].strip() for line in path.read_text().splitlines() if "\t" in line]
    words = sorted({w for text in texts for w in text.split() if len(w) >= 4})
    rng = random.Random(seed)
    seen: set[str] = set()
    out = []
    while len(out) < count:
        text = " ".join(rng.sample(words, rng.randint(2, 4)))
        if text in seen:
            continue
        seen.add(text)
        params = {"q": text, "k": 10}
        if rng.random() < filtered_share:
            params.update(rng.choice(FILTERS))
        out.append(params)
    return out


class Connection:
    """One kept-alive HTTP/1.1 connection: a GET, its status, its body read whole and left unparsed."""

    def __init__(self, url: str):
        parsed = urlparse(url)
        self.host, self.port = parsed.hostname, parsed.port or 80
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def get(self, target: str) -> int:
        if self.streams is None:
            self.streams = await asyncio.open_connection(self.host, self.port)
        reader, writer = self.streams
        try:
            writer.write(f"GET {target} HTTP/1.1\r\nHost: {self.host}\r\n\r\n".encode())
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.lower() == b"content-length":
                    length = int(value)
            await reader.readexactly(length)
            return int(head[9:12])
        except BaseException:
            self.close()  # a broken or cancelled exchange leaves the socket mid-message: the next GET reconnects
            raise

    def close(self) -> None:
        if self.streams is not None:
            self.streams[1].close()
            self.streams = None


async def run(url: str, mode: str, requests: list[dict], clients: int, count: int, seconds: float,
              timeout: float = 60.0) -> dict:
    targets = [f"/search?{urlencode({**params, 'mode': mode})}" for params in requests]
    latencies: list[float] = []
    errors: dict[str, int] = {}
    issued = 0
    deadline = time.perf_counter() + seconds

    async def client(connection: Connection) -> None:
        nonlocal issued
        while issued < count and time.perf_counter() < deadline:
            target = targets[issued % len(targets)]
            issued += 1
            t = time.perf_counter()
            try:
                async with asyncio.timeout(timeout):
                    status = await connection.get(target)
                if status == 200:
                    latencies.append(time.perf_counter() - t)
                else:
                    errors[str(status)] = errors.get(str(status), 0) + 1
            except (OSError, TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as exc:
                errors[type(exc).__name__] = errors.get(type(exc).__name__, 0) + 1
        connection.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(Connection(url)) for _ in range(clients)))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(p * len(ordered)))], 1) if ordered else float("nan")

    return {"mode": mode, "ok": len(ordered), "errors": errors, "seconds": round(elapsed, 1),
            "throughput_rps": round(len(ordered) / elapsed, 1),
            "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99)}


def _stat(pid: int) -> list[str]:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def family(pid: int) -> list[int]:
    """``pid`` and every process under it (``serve --workers N``: the supervisor and its workers)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(_stat(int(entry.name))[1])
            except (OSError, IndexError, ValueError):  # ended meanwhile
                continue
    out, frontier = [pid], [pid]
    while frontier:
        frontier = [child for child, parent in parents.items() if parent in frontier]
        out += frontier
    return out


def cpu_seconds(pid: int) -> float:
    """User + system CPU the process and those under it have used so far, from /proc (Linux)."""
    total = 0
    for member in family(pid):
        try:
            fields = _stat(member)
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def memory_mb(pid: int) -> dict[str, dict[str, float]]:
    """Resident and peak resident memory of the process and each one under it, from /proc (Linux)."""
    out = {}
    for member in family(pid):
        fields = {}
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    fields[key] = round(int(value.split()[0]) / 1024, 1)
        except OSError:
            continue
        out[str(member)] = fields
    return out


class Service:
    """``ancols serve`` on a free loopback port, for the duration of a ``with`` block."""

    def __init__(self, data_dir: Path, startup_seconds: float, env: dict[str, str], workers: int = 1):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.data_dir, self.startup_seconds, self.env, self.workers = data_dir, startup_seconds, env, workers

    def __enter__(self) -> Service:
        # The caller's PYTHONPATH first: a worktree run through a path to its own package serves that code.
        path = os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"), str(REPO)]))
        env = {**os.environ, "PYTHONPATH": path, "ANCOLS_LOG_LEVEL": "WARNING", **self.env}
        started = time.perf_counter()
        self.proc = subprocess.Popen([sys.executable, "-m", "ancols_nlp.service.cli",
                                      "--data-dir", str(self.data_dir), "serve",
                                      "--port", str(self.port), "--workers", str(self.workers)],
                                     cwd=REPO, env=env, stdout=subprocess.DEVNULL)
        while time.perf_counter() - started < self.startup_seconds:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the service exited with code {self.proc.returncode} while starting")
            try:
                self.health = httpx.get(self.url + "/health", timeout=5).json()
            except httpx.HTTPError:
                time.sleep(0.5)
                continue
            self.settle()
            self.startup = round(time.perf_counter() - started, 1)
            return self
        self.proc.terminate()
        raise RuntimeError(f"the service did not answer within {self.startup_seconds} s")

    def settle(self, idle_share: float = 0.1, every: float = 2.0) -> None:
        """Wait until the service's processes use under ``idle_share`` of a core: /health answers as soon as
        one worker is up, and the others open the store one after another (service/ownership.py)."""
        while True:
            before = cpu_seconds(self.proc.pid)
            time.sleep(every)
            if cpu_seconds(self.proc.pid) - before < idle_share * every:
                return

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=60)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    target = ap.add_mutually_exclusive_group(required=True)
    target.add_argument("--url", help="a running service on loopback, e.g. http://127.0.0.1:8000")
    target.add_argument("--serve", type=Path, help="start a service on this store directory")
    ap.add_argument("--env", nargs="*", default=[], help="ANCOLS_*=value settings for the started service")
    ap.add_argument("--workers", type=int, default=1,
                    help="serving processes of the started service (its CPU and memory are summed / listed)")
    ap.add_argument("--modes", nargs="+", default=["lexical", "hybrid"], choices=["lexical", "semantic", "hybrid"])
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--requests", type=int, default=1000, help=f"per run (at most {MAX_REQUESTS})")
    ap.add_argument("--seconds", type=float, default=60.0, help=f"per run (at most {MAX_SECONDS})")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=64, help="requests per mode before the timed runs")
    ap.add_argument("--queries", type=Path, default=REPO.parent / "shared" / "eval" / "dev" / "queries.tsv")
    ap.add_argument("--startup-seconds", type=float, default=600.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--distinct", action="store_true",
                    help="no query text twice in the session (no answer or query vector can come from a cache)")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)
    if a.url and urlparse(a.url).hostname not in LOOPBACK:
        ap.error("only loopback addresses are load-tested")
    if not (0 < a.requests <= MAX_REQUESTS and 0 < a.seconds <= MAX_SECONDS and 0 < a.clients <= 1024):
        ap.error(f"--requests must be in 1..{MAX_REQUESTS}, --seconds in (0, {MAX_SECONDS}], --clients in 1..1024")
    if a.distinct:
        stream = iter(distinct_queries(a.queries, a.seed, len(a.modes) * (a.warmup + a.runs * a.requests)))
    else:
        repeated = queries(a.queries, a.seed)

    def batch(count: int) -> list[dict]:
        """The requests of one run of at most ``count``: the next unused ones when distinct."""
        return [next(stream) for _ in range(count)] if a.distinct else repeated

    env = dict(item.split("=", 1) for item in a.env)

    def timed(url: str, mode: str, pid: int | None) -> dict:
        """One run, with the CPU it cost per request: this client's (it shares the cores) and the service's."""
        client, service = time.process_time(), cpu_seconds(pid) if pid else None
        result = asyncio.run(run(url, mode, batch(a.requests), a.clients, a.requests, a.seconds))
        done = max(result["ok"], 1)
        result["client_cpu_ms"] = round(1000 * (time.process_time() - client) / done, 2)
        if pid:
            result["service_cpu_ms"] = round(1000 * (cpu_seconds(pid) - service) / done, 2)
        result["load_average"] = round(os.getloadavg()[0], 2)
        if pid:
            result["memory_mb"] = memory_mb(pid)
        return result

    def measure(url: str, pid: int | None = None) -> dict:
        report: dict = {"clients": a.clients, "requests_per_run": a.requests, "distinct": a.distinct, "runs": {},
                        "median": {}}
        for mode in a.modes:
            asyncio.run(run(url, mode, batch(a.warmup), a.clients, a.warmup, a.seconds))
        for n in range(a.runs):
            for mode in a.modes:  # interleaved, so a burst of load from elsewhere hits every mode alike
                result = timed(url, mode, pid)
                report["runs"].setdefault(mode, []).append(result)
                print(json.dumps({"run": n + 1, **result}), file=sys.stderr)
        for mode, results in report["runs"].items():
            report["median"][mode] = {key: statistics.median(r[key] for r in results)
                                      for key in ("throughput_rps", "p50_ms", "p95_ms", "p99_ms", "client_cpu_ms")
                                       + (("service_cpu_ms",) if "service_cpu_ms" in results[0] else ())}
            report["median"][mode]["errors"] = sum(sum(r["errors"].values()) for r in results)
        return report

    if a.url:
        report = measure(a.url)
    else:
        with Service(a.serve, a.startup_seconds, env, a.workers) as service:
            idle = memory_mb(service.proc.pid)
            report = measure(service.url, service.proc.pid)
            report.update(health=service.health, startup_seconds=service.startup, memory_idle_mb=idle,
                          memory_after_mb=memory_mb(service.proc.pid))
    print(json.dumps({k: v for k, v in report.items() if k != "runs"}, indent=1))
    if a.json:
        a.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
