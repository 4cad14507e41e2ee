#!/usr/bin/env python3
"""Recall and cost of the compressed vector index against exact search, on a large store.

Loads the store's saved base vector index (IVF-SQ8 above ``EXACT_LIMIT`` segments) and an exact
``IndexFlatIP`` over the same float32 vectors read from SQLite, embeds the dev queries and their
variants (bench/load.py's list) with the store's model, and reports for several ``nprobe``:
recall@10 and recall@200 (200 = the hybrid's dense candidate list) of the compressed index
against the exact one, the single-thread search time per query, and each index's size and the
growth of this process's resident memory when it is loaded.

    python bench/vector_recall.py --data /tmp/store1m
"""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import statistics
import sys
import time
from pathlib import Path

import faiss
import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.load import memory_mb, queries  # noqa: E402
from ancols_nlp.models.embedding import load_embedder  # noqa: E402
from ancols_nlp.service.settings import Settings  # noqa: E402

PROBES = (8, 16, 32, 64, 128)


def exact_index(path: Path) -> faiss.Index:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    count, dim = db.execute("SELECT COUNT(*), MAX(length(vector)) / 4 FROM segments").fetchone()
    index = faiss.IndexIDMap2(faiss.IndexFlatIP(dim))
    ids, vectors = np.zeros(count, np.int64), np.zeros((count, dim), np.float32)
    for n, (i, v) in enumerate(db.execute("SELECT id, vector FROM segments ORDER BY id")):
        ids[n], vectors[n] = i, np.frombuffer(v, np.float32)
    db.close()
    index.add_with_ids(vectors, ids)
    return index


def timed_search(index: faiss.Index, vectors: np.ndarray, k: int) -> tuple[np.ndarray, float]:
    """Ids of the ``k`` nearest for each query, searched one query at a time on one thread; median ms a query."""
    faiss.omp_set_num_threads(1)
    out, times = [], []
    for v in vectors:
        t = time.perf_counter()
        out.append(index.search(v.reshape(1, -1), k)[1][0])
        times.append(time.perf_counter() - t)
    return np.stack(out), round(1000 * statistics.median(times), 2)


def recall(found: np.ndarray, truth: np.ndarray, k: int) -> float:
    return round(float(np.mean([len(set(f[:k]) & set(t[:k])) / k for f, t in zip(found, truth)])), 3)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--queries", type=Path, default=REPO.parent / "shared" / "eval" / "dev" / "queries.tsv")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)
    settings = Settings(data_dir=a.data)
    embedder = load_embedder(settings.embedding_model)
    texts = sorted({q["q"] for q in queries(a.queries, seed=0)})
    vectors = np.stack([embedder.encode_query(t) for t in texts]).astype(np.float32)
    base = max((a.data / "snapshot").glob("base-*"), key=lambda p: int(p.name.split("-")[1]))
    report: dict = {"queries": len(texts), "base": base.name}

    rss = memory_mb_self()
    compressed = faiss.read_index(str(base / "vectors.faiss"))
    report["compressed"] = {"kind": json.loads((base / "manifest.json").read_text())["vector_index"],
                            "file_mb": round((base / "vectors.faiss").stat().st_size / 2**20, 1),
                            "rss_growth_mb": round(memory_mb_self() - rss, 1)}
    rss = memory_mb_self()
    exact = exact_index(a.data / "ancols.sqlite3")
    report["exact"] = {"kind": "flat", "vectors": exact.ntotal,
                       "rss_growth_mb": round(memory_mb_self() - rss, 1)}
    truth, report["exact"]["search_ms_p50"] = timed_search(exact, vectors, 200)
    report["nprobe"] = {}
    for nprobe in PROBES:
        compressed.nprobe = nprobe
        found, ms = timed_search(compressed, vectors, 200)
        report["nprobe"][nprobe] = {"recall@10": recall(found, truth, 10), "recall@200": recall(found, truth, 200),
                                    "search_ms_p50": ms,
                                    "speedup_vs_exact": round(report["exact"]["search_ms_p50"] / ms, 1)}
        print(nprobe, report["nprobe"][nprobe], file=sys.stderr)
    print(json.dumps(report, indent=1))
    if a.json:
        a.json.write_text(json.dumps(report, indent=1))
    return 0


def memory_mb_self() -> float:
    return memory_mb(os.getpid())["VmRSS"]


if __name__ == "__main__":
    sys.exit(main())
