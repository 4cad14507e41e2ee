#!/usr/bin/env python3
"""What encoding concurrent searches' query vectors together (``models/query_batch.py``) saves, in process.

First the unit cost: CPU a query vector costs in calls of 1, 4, 8, 16 queries (``Embedder.encode_queries``), on
query-like texts (2-4 words of the dev queries, as ``bench/load.py --distinct`` sends), each encoded once (no cache
answers); the call sizes take turns (1, 4, 8, 16, 1, ...) so load from other work hits each alike. Thread CPU time,
ms a query, median over calls.

Then, with ``--data STORE``, the served path without HTTP: ``--threads`` threads compute ``GET /search``'s answer
(``bench/query_cpu.request``) on all-distinct hybrid queries, with the batcher on (``query_batch`` 16) and off (1),
alternating for ``--rounds``: process CPU a request and the sizes of the encoder's calls.

    python bench/query_batch.py [--queries 1600] [--sizes 1 4 8 16] [--data STORE --threads 32 --requests 600]
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.load import distinct_queries  # noqa: E402
from bench.query_cpu import request  # noqa: E402
from ancols_nlp.models.embedding import load_embedder  # noqa: E402
from ancols_nlp.models.use_forward import UseForward  # noqa: E402
from ancols_nlp.service.errors import BadQuery  # noqa: E402
from ancols_nlp.service.runtime import Runtime  # noqa: E402
from ancols_nlp.service.settings import Settings  # noqa: E402


def unit_cost(texts: list[str], sizes: list[int], per_size: int) -> None:
    embedder = load_embedder()
    embedder.encode_queries(texts[:16])  # warm: the pieces' first layers are filled on first sight
    calls: dict[int, list[float]] = {size: [] for size in sizes}
    todo = {size: texts[n * per_size:(n + 1) * per_size] for n, size in enumerate(sizes)}
    for first in range(0, per_size, max(sizes)):
        for size in sizes:
            for start in range(first, min(first + max(sizes), per_size), size):
                group = todo[size][start:start + size]
                cpu = time.thread_time()
                embedder.encode_queries(group)
                calls[size].append(1000 * (time.thread_time() - cpu) / len(group))
    print("| queries a call | ms of CPU a query (median) | ratio to 1 |\n|---|---|---|")
    alone = statistics.median(calls[sizes[0]])
    for size, costs in calls.items():
        print(f"| {size} | {statistics.median(costs):.3f} | {statistics.median(costs) / alone:.2f} |")


def answer(runtime: Runtime, params: dict) -> bytes | None:
    """``GET /search``'s hybrid answer at the service's grain; None for a drawn text of stopwords only (a 422 over
    HTTP)."""
    try:
        return request(runtime, params, "hybrid", runtime.settings.search_grain)
    except BadQuery:
        return None


def served(store: Path, stream: list[dict], threads: int, rounds: int) -> None:
    sizes: collections.Counter[int] = collections.Counter()
    encode = UseForward.encode

    def counted(self, texts):  # the encoder's calls, as the batcher makes them
        sizes[len(texts)] += 1
        return encode(self, texts)

    UseForward.encode = counted
    runtime = Runtime.from_settings(Settings(data_dir=store))
    shipped = runtime.store.embedder
    per_arm = len(stream) // (2 * rounds)
    print("| round | query_batch | process CPU ms a request | wall s | requests a call of the encoder (mean, max) |\n"
          "|---|---|---|---|---|")
    try:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(lambda p: answer(runtime, p), stream[-64:]))  # warm
            for r in range(rounds):
                for n, batch in enumerate((16, 1)):
                    runtime.store.embedder = dataclasses.replace(shipped, query_batch=batch)
                    first = (2 * r + n) * per_arm
                    sizes.clear()
                    cpu, wall = time.process_time(), time.perf_counter()
                    list(pool.map(lambda p: answer(runtime, p), stream[first:first + per_arm]))
                    cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
                    mean = sum(k * v for k, v in sizes.items()) / max(1, sum(sizes.values()))
                    print(f"| {r + 1} | {batch} | {1000 * cpu / per_arm:.2f} | {wall:.1f} | {mean:.2f}, "
                          f"{max(sizes, default=0)} |", flush=True)
    finally:
        runtime.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--queries", type=int, default=1600, help="distinct texts for each call size")
    ap.add_argument("--sizes", type=int, nargs="+", default=[1, 4, 8, 16])
    ap.add_argument("--dev", type=Path, default=REPO.parent / "shared" / "eval" / "dev" / "queries.tsv")
    ap.add_argument("--data", type=Path, help="a store: also the served path, batcher on and off")
    ap.add_argument("--threads", type=int, default=32)
    ap.add_argument("--requests", type=int, default=600, help="per arm and round")
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    stream = distinct_queries(a.dev, 0, a.queries * len(a.sizes) + 2 * a.rounds * a.requests + 64)
    texts = [p["q"] for p in stream[:a.queries * len(a.sizes)]]
    print(f"load average at start {os.getloadavg()[0]:.1f}")
    if a.queries:
        unit_cost(texts, a.sizes, a.queries)
    if a.data:
        served(a.data, stream[a.queries * len(a.sizes):], a.threads, a.rounds)
    print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
