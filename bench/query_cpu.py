#!/usr/bin/env python3
"""CPU of one ``/search`` request whose query never repeats, stage by stage, in process.

Opens the store at ``--data`` as the service does (``Runtime``), draws query parameter sets as
``bench/load.py --distinct`` does (2-4 dev-query words, no text twice, a fifth filtered), and runs the
router's own work for each (``routers.search.answer``: the search, the rows, the response built and
serialised to the bytes the service sends; only HTTP parsing, validation and the result cache are left out),
one thread. Every stage named in ``STAGES`` is timed in thread CPU, its nested stages excluded; ``other`` is the
rest of the request (glue, the response model's construction). Per request: thread CPU and process CPU (the
latter also counts any helper thread a library starts). The first ``--warmup`` requests of each mode are not
counted (first sight of a word's pieces, caches of analysed words).

    python bench/query_cpu.py --data /tmp/store1m --modes hybrid lexical --requests 300
    python bench/query_cpu.py --data /tmp/dev --profile /tmp/q.prof           # cProfile of the timed requests
    python bench/query_cpu.py --data /tmp/dev --dump /tmp/bodies.jsonl         # response bodies, to compare
    python bench/query_cpu.py --data /tmp/dev --typos                          # each query misspelt anew
    python bench/query_cpu.py --data /tmp/dev --modes hybrid --grains passage sentence   # both grains, same queries

``--grains``: each query is asked at every grain in turn (the order alternating from one query to the next, so
neither grain always finds the caches warmed by the other); figures per mode and grain.

``--typos`` misspells one or two words of each drawn query as ``bench/typos.py`` does, a new typo each time, so the
typo correction's cost is measured on words it has not met before (it keeps the spellings of recent words).

Run it with another checkout's package first on ``PYTHONPATH`` to measure that code on the same queries.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib
import json
import pstats
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.load import distinct_queries, queries  # noqa: E402
from bench.typos import typoed  # noqa: E402
from ancols_nlp.index.query import Filters  # noqa: E402
from ancols_nlp.service.errors import BadQuery  # noqa: E402
from ancols_nlp.service.routers import search as route  # noqa: E402
from ancols_nlp.service.query_text import clean_query  # noqa: E402
from ancols_nlp.service.runtime import Runtime  # noqa: E402
from ancols_nlp.service.settings import Settings  # noqa: E402

# (module, attribute path, stage): callables timed where the request path calls them. A path missing from the
# code under test (another checkout) is skipped, and its time falls into its caller's stage.
STAGES = (
    ("ancols_nlp.index.store", "read_query", "query analysis (intents, organisms)"),
    ("ancols_nlp.models.embedding", "Embedder.encode_query", "query embedding"),
    ("ancols_nlp.index.snapshot", "Snapshot.subset", "filter rows and facets"),
    ("ancols_nlp.index.snapshot", "Snapshot.query_prior", "intent priors"),
    ("ancols_nlp.index.lexical", "LexicalIndex.query", "query terms"),
    ("ancols_nlp.index.lexical", "corrections", "typo correction"),
    ("ancols_nlp.index.search", "_lexical", "lexical top n"),
    ("ancols_nlp.index.snapshot", "Snapshot.nearest", "dense search (flat or IVF-SQ8)"),
    ("ancols_nlp.index.snapshot", "Snapshot.vectors_of", "pool vectors"),
    ("ancols_nlp.index.search", "feedback_scores", "feedback cosines"),
    ("ancols_nlp.index.search", "_pool_lexical", "lexical scores of dense-only candidates"),
    ("ancols_nlp.index.search", "fuse", "fusion"),
    ("ancols_nlp.index.search", "best_hits", "best hits"),
    ("ancols_nlp.index.documents", "DocumentStore.texts_by_id", "SQLite candidate texts"),
    ("ancols_nlp.index.store", "distinct", "near-duplicates"),
    ("ancols_nlp.index.passages", "Distinct._shown", "near-duplicates"),  # drawn one at a time: per candidate
    ("ancols_nlp.index.documents", "DocumentStore.segments_by_id", "SQLite rows"),
    ("ancols_nlp.index.documents", "DocumentStore.document_heads", "SQLite document heads"),
    ("ancols_nlp.index.lexical", "LexicalIndex.expansion", "query expansion (highlights)"),
    ("ancols_nlp.service.views", "Highlighter", "highlighter"),
    ("ancols_nlp.index.highlight", "Highlighter.__call__", "highlights"),
    ("ancols_nlp.index.grain", "ranked", "sentence ranking (grain)"),
    ("ancols_nlp.service.views", "search_result", "result models"),
    ("ancols_nlp.service.schemas", "SearchResponse.model_dump_json", "JSON"),
)


class Stages:
    """Thread CPU per stage, exclusive of the stages nested in it, summed over the current request."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}
        self._stack: list[float] = []  # CPU of the nested stages, per open stage

    def wrap(self, stage: str, fn):
        def timed(*args, **kwargs):
            self._stack.append(0.0)
            t = time.thread_time()
            try:
                return fn(*args, **kwargs)
            finally:
                total = time.thread_time() - t
                nested = self._stack.pop()
                self.spent[stage] = self.spent.get(stage, 0.0) + total - nested
                if self._stack:
                    self._stack[-1] += total
        return timed

    def install(self) -> list[str]:
        """Wraps every stage found; the stages missing from this code."""
        missing = []
        for module_name, path, stage in STAGES:
            owner = importlib.import_module(module_name)
            *parents, name = path.split(".")
            for parent in parents:
                owner = getattr(owner, parent, None)
            if owner is None or not hasattr(owner, name):
                missing.append(stage)
                continue
            setattr(owner, name, self.wrap(stage, getattr(owner, name)))
        return missing


def request(runtime: Runtime, params: dict, mode: str, grain: str) -> bytes:
    """What ``GET /search`` computes on a cache miss, from its query parameters."""
    filters = Filters(kind=tuple(filter(None, [params.get("kind")])), year_min=params.get("year_min"),
                      year_max=params.get("year_max"))
    query = clean_query(params["q"], runtime.settings.max_query_chars)
    search_params = replace(runtime.store.params, mode=mode)
    finer = [grain] if grain != "passage" else []  # another checkout's answer may take no grain
    return route.answer(runtime, query, min(params["k"], runtime.settings.max_results), filters, search_params, *finer)


def summary(thread_ms: list[float], process_ms: list[float], by_stage: dict[str, list[float]]) -> dict:
    if not thread_ms:
        return {}
    return {
        "requests": len(thread_ms),
        "thread_cpu_ms": {"mean": round(statistics.fmean(thread_ms), 2),
                          "median": round(statistics.median(thread_ms), 2)},
        "process_cpu_ms": {"mean": round(statistics.fmean(process_ms), 2),
                           "median": round(statistics.median(process_ms), 2)},
        # mean over every timed request (0 where a request skips the stage), and the median where it ran
        "stages_ms": {stage: {"mean": round(sum(v) / len(thread_ms), 3), "median": round(statistics.median(v), 3)}
                      for stage, v in sorted(by_stage.items(), key=lambda kv: -sum(kv[1]))},
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--modes", nargs="+", default=["hybrid", "lexical"], choices=["lexical", "semantic", "hybrid"])
    ap.add_argument("--requests", type=int, default=300, help="timed requests per mode")
    ap.add_argument("--warmup", type=int, default=100, help="untimed requests per mode before")
    ap.add_argument("--queries", type=Path, default=REPO.parent / "shared" / "eval" / "dev" / "queries.tsv")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--grains", nargs="+", default=["passage"], choices=["passage", "sentence"])
    ap.add_argument("--typos", action="store_true", help="misspell one or two words of each query (bench/typos.py)")
    ap.add_argument("--repeated", action="store_true", help="also the load's 60 repeated texts, after (for --dump)")
    ap.add_argument("--profile", type=Path, help="cProfile the timed requests into this file (no stage timing)")
    ap.add_argument("--dump", type=Path, help="write every response body, one line each (no timing)")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)
    stages = Stages()
    missing = [] if a.profile or a.dump else stages.install()
    t = time.perf_counter()
    runtime = Runtime.from_settings(Settings(data_dir=a.data))
    report: dict = {"open_seconds": round(time.perf_counter() - t, 1), "segments": runtime.store.stats().segments,
                    "missing_stages": missing, "modes": {}}
    per_mode = a.warmup + a.requests
    stream = distinct_queries(a.queries, a.seed, len(a.modes) * per_mode)
    if a.typos:
        rng = random.Random(a.seed)
        stream = [{**params, "q": typoed(params["q"], rng)} for params in stream]
    profiler = cProfile.Profile(time.thread_time) if a.profile else None  # CPU, not wall: the cores are shared
    bodies = a.dump.open("w") if a.dump else None
    try:
        for n, mode in enumerate(a.modes):
            drawn = stream[n * per_mode:(n + 1) * per_mode]
            runs = {grain: ([], [], {}) for grain in a.grains}  # thread ms, process ms, stage → ms
            for i, params in enumerate(drawn + (queries(a.queries, a.seed) if a.repeated else [])):
                timed = a.warmup <= i < per_mode
                for grain in a.grains[::-1] if i % 2 else a.grains:
                    stages.spent = {}
                    if timed and profiler:
                        profiler.enable()
                    c, p = time.thread_time(), time.process_time()
                    try:
                        body = request(runtime, params, mode, grain)
                    except BadQuery:  # drawn words that are all stopwords: the service answers 422, uncounted
                        if timed and profiler:
                            profiler.disable()
                        continue
                    thread, process = time.thread_time() - c, time.process_time() - p
                    if timed and profiler:
                        profiler.disable()
                    if bodies:  # one grain at a time, for comparing checkouts
                        bodies.write(json.dumps({"mode": mode, **params}, ensure_ascii=False) + "\t"
                                     + body.decode() + "\n")
                    if not timed:
                        continue
                    thread_ms, process_ms, by_stage = runs[grain]
                    thread_ms.append(1000 * thread)
                    process_ms.append(1000 * process)
                    stages.spent["other"] = thread - sum(stages.spent.values())
                    for stage, spent in stages.spent.items():
                        by_stage.setdefault(stage, []).append(1000 * spent)
            for grain, (thread_ms, process_ms, by_stage) in runs.items():
                name = mode if a.grains == ["passage"] else f"{mode} {grain}"
                report["modes"][name] = summary(thread_ms, process_ms, by_stage)
    finally:
        runtime.close()
        if bodies:
            bodies.close()
    if profiler:
        profiler.dump_stats(str(a.profile))
        pstats.Stats(str(a.profile)).sort_stats("tottime").print_stats(40)
    print(json.dumps(report, indent=1))
    if a.json:
        a.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
