#!/usr/bin/env python3
"""``Store.search`` latency on a large store, in-process: the index's own share of a search request.

Opens the store at ``--data`` (timing the open), computes the query vectors ahead (the dev
queries and their variants from bench/load.py), then runs every query ``--repeats`` times in each
mode, one thread, reporting the median wall and thread-CPU time per query. HTTP, response
building and the query embedding are excluded; bench/load.py measures the whole request.

    python bench/store_latency.py --data /tmp/store1m --modes lexical hybrid
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.load import queries  # noqa: E402
from bench.search_eval import CachedQueryEmbedder  # noqa: E402
from ancols_nlp.index.interface import SegmentStore  # noqa: E402
from ancols_nlp.index.query import Filters, SearchParams  # noqa: E402
from ancols_nlp.models.embedding import load_embedder  # noqa: E402
from ancols_nlp.service.runtime import open_store  # noqa: E402
from ancols_nlp.service.settings import Settings  # noqa: E402


def timed_open(data: Path, embedder) -> tuple[SegmentStore, dict]:
    """The store at ``data`` as the service opens it, and how long that took."""
    t = time.perf_counter()
    store = open_store(Settings(data_dir=data), embedder, SearchParams())
    stats = store.stats()
    return store, {"open_seconds": round(time.perf_counter() - t, 1), "segments": stats.segments,
                   "vector_index": stats.vector_index}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--modes", nargs="+", default=["lexical", "hybrid"], choices=["lexical", "semantic", "hybrid"])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--queries", type=Path, default=REPO.parent / "shared" / "eval" / "dev" / "queries.tsv")
    a = ap.parse_args(argv)
    embedder = CachedQueryEmbedder(load_embedder(Settings().embedding_model))
    texts = sorted({q["q"] for q in queries(a.queries, seed=0)})
    for text in texts:
        embedder.encode_query(text)
    store, report = timed_open(a.data, embedder)
    report.update(queries=len(texts), modes={})
    try:
        for mode in a.modes:
            params = replace(store.params, mode=mode)
            wall, cpu = [], []
            for _ in range(a.repeats):
                for text in texts:
                    t, c = time.perf_counter(), time.thread_time()
                    store.search(text, k=10, filters=Filters(), params=params)
                    wall.append(time.perf_counter() - t)
                    cpu.append(time.thread_time() - c)
            report["modes"][mode] = {"wall_ms_p50": round(1000 * statistics.median(wall), 1),
                                     "cpu_ms_p50": round(1000 * statistics.median(cpu), 1)}
    finally:
        store.close()
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
