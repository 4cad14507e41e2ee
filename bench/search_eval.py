#!/usr/bin/env python3
r"""Search quality and latency on the dev set, straight through the service's search (no HTTP).

Ingests ``--corpus/*.txt`` once into ``--data`` (a store dir that is reused when it already
holds them), then runs every dev query in the lexical, semantic and hybrid modes and scores
the results with the functions of ``shared/eval/score.py`` — the same passage-to-unit
crediting as the HTTP scorer. Figures are printed for all queries and for the odd and even
halves (1st, 3rd, … vs 2nd, 4th, … query of the file), so a change can be tuned on one half
and checked on the other.

Results are the service's at its grain (``--grain``, default ``ANCOLS_SEARCH_GRAIN``: sentences of the best
passages, or whole passages; ``index/grain.search``). Latency is that search with the query vector already
computed (the embedding is timed separately): that is the part the index owns. Wall time is shown
with the calling thread's CPU time, which stays meaningful when other processes share the cores.

    python bench/search_eval.py --data /tmp/searchdata [--json out.json] [--per-query] [--query-batch 8]
    python bench/search_eval.py --data /tmp/searchdata --queries bench/queries/project.tsv --qrels bench/queries/project

The second line scores the project's own query set (``bench/queries/project.tsv``: written before any
system ran on it, without reading the dev queries; judged from the pooled top 10 of several systems,
``bench/search_pool.py``, trail in ``bench/queries/project/judged.tsv``). Its units are dev's units files;
only pooled units were judged, so its recall@20 is relative to the pool and reads high. Several sets score as
one when ``--queries`` and ``--qrels`` each name several (their query ids must differ):

    python bench/search_eval.py --data D --queries bench/queries/project.tsv bench/queries/project2.tsv \
        --qrels bench/queries/project bench/queries/project2

The store is the one the ``ANCOLS_*`` settings name, so the PostgreSQL store's lexical options compare
on one database with ``ANCOLS_STORE=postgres ANCOLS_PG_DSN=... ANCOLS_PG_LEXICAL=bm25|french``.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import statistics
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from types import ModuleType

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from ancols_nlp.index.grain import search as grain_search  # noqa: E402
from ancols_nlp.index.query import Filters, Grain  # noqa: E402
from ancols_nlp.service.runtime import Runtime  # noqa: E402
from ancols_nlp.service.settings import Settings  # noqa: E402

MODES = ("lexical", "semantic", "hybrid")


def load_score(path: Path):
    spec = importlib.util.spec_from_file_location("ancols_eval_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class CachedQueryEmbedder:
    """The store's embedder, with query vectors computed ahead so the timed search excludes them."""

    def __init__(self, inner):
        self.inner = inner
        self.fingerprint = inner.fingerprint
        self.dimension = inner.dimension
        self.cache: dict[str, object] = {}

    def encode_passages(self, texts):
        return self.inner.encode_passages(texts)

    def expect_query(self, text):
        pass  # its vectors are made ahead, or one at a time

    def encode_query(self, text):
        if text not in self.cache:
            self.cache[text] = self.inner.encode_query(text)
        return self.cache[text]

    def fill(self, texts: list[str], batch: int) -> None:
        """Each text's vector from a call encoding it with ``batch - 1`` other texts of the set (the next ones, wrapping
        round), as concurrent searches get theirs (``models/query_batch.py``)."""
        for first in range(0, len(texts), batch):
            group = [texts[(first + j) % len(texts)] for j in range(batch)]
            self.cache.update(zip(group[:len(texts) - first], self.inner.encode_queries(group)))


def ingest(runtime: Runtime, corpus: Path) -> dict[str, str]:
    """Document id per corpus file stem, ingesting only the files the store lacks."""
    ids = {}
    for path in sorted(corpus.glob("*.txt")):
        data = path.read_bytes()
        existing = runtime.store.meta.find_by_sha(hashlib.sha256(data).hexdigest())
        if existing:
            ids[path.stem] = existing
            continue
        t = time.perf_counter()
        ids[path.stem] = runtime.ingest(data, path.name).id
        print(f"ingested {path.name} in {time.perf_counter() - t:.1f}s", file=sys.stderr)
    return ids


def read_queries(path: Path) -> dict[str, str]:
    """Query id → text, in file order; lines starting with # are comments (a query set says how it was made)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return dict(line.split("\t")[:2] for line in lines if line.strip() and not line.startswith("#"))


def paths(value) -> list[Path]:
    """``--queries`` / ``--qrels`` as a list: none, one path (as callers in code pass it) or several (the CLI)."""
    return [] if value is None else [value] if isinstance(value, Path) else list(value)


def read_query_sets(files: list[Path]) -> dict[str, str]:
    """Several query files as one set, in file order; a query id in two files would merge two judgements."""
    queries: dict[str, str] = {}
    for path in files:
        one = read_queries(path)
        if clash := queries.keys() & one.keys():
            raise ValueError(f"query ids {sorted(clash)} of {path} are already in an earlier query file")
        queries.update(one)
    return queries


def load_gold(score, a, ids: dict[str, str]):
    """The queries, the units of each document and the graded units of each query (``a.qrels``, else ``a.gold``)."""
    units = {d: {r[0]: (int(r[1]), int(r[2])) for r in score.read_tsv(a.gold / f"{d}.units.tsv")}
             for d in ids if (a.gold / f"{d}.units.tsv").exists()}
    queries = read_query_sets(paths(a.queries) or [a.gold / "queries.tsv"])
    qrels: dict[str, dict] = {}
    for folder in paths(a.qrels) or [a.gold]:
        for d in ids:
            qp = folder / f"{d}.qrels.tsv"
            if qp.exists():
                for q, u, g in score.read_tsv(qp):
                    qrels.setdefault(q, {})[(d, u)] = int(g)
    return queries, units, qrels


@dataclass(frozen=True)
class Judged:
    """A judged query set over a store: the scorer, each corpus file stem's stored document id, and ``load_gold``'s
    queries, units and graded units."""

    score: ModuleType
    ids: dict[str, str]
    queries: dict[str, str]
    units: dict[str, dict[str, tuple[int, int]]]
    qrels: dict[str, dict[tuple[str, str], int]]

    @property
    def by_id(self) -> dict[str, str]:
        """Corpus file stem per stored document id."""
        return {v: k for k, v in self.ids.items()}


def judged(runtime: Runtime, a: argparse.Namespace) -> Judged:
    """The gold ``bench_parser``'s arguments name, over ``runtime``'s store (ingesting the corpus files it lacks)."""
    score = load_score(a.score)
    ids = ingest(runtime, a.corpus)
    return Judged(score, ids, *load_gold(score, a, ids))


def add_gold_arguments(ap: argparse.ArgumentParser, shared: Path) -> None:
    ap.add_argument("--corpus", type=Path, default=shared / "corpus")
    ap.add_argument("--gold", type=Path, default=shared / "eval" / "dev", help="units (and qrels unless --qrels)")
    ap.add_argument("--queries", type=Path, nargs="+",
                    help="default: GOLD/queries.tsv (bench/queries/project.tsv: ours); several score as one set")
    ap.add_argument("--qrels", type=Path, nargs="+",
                    help="where the <doc>.qrels.tsv are (bench/queries/project: ours), one folder per query file")
    ap.add_argument("--score", type=Path, default=shared / "eval" / "score.py")


def bench_parser(doc: str | None) -> argparse.ArgumentParser:
    """The arguments every judged-query bench takes: the store directory and the gold (``add_gold_arguments``)."""
    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True, help="store directory (created, or reused)")
    add_gold_arguments(ap, REPO.parent / "shared")
    return ap


def ndcg(score, results: list[dict], units, rel, k: int = 10) -> tuple[float, list[int]]:
    """nDCG@k of ``results`` (document stem, start, end) by the scorer's own crediting, and the gains it took."""
    gains, _ = score.score_query(results[:k], units, rel)
    ideal = sorted(rel.values(), reverse=True)[:k]
    return (score.dcg(gains) / score.dcg(ideal) if ideal else 0.0), gains


def evaluate(runtime, score, queries, qrels, units, by_id, mode, k=10, repeats=3, grain: Grain = "passage"):
    """Each judged query's figures and its top ``k`` passage ids, searched as the service does at ``grain``."""
    store = runtime.store
    params = replace(store.params, mode=mode)
    per_q, lat, cpu = {}, [], []
    for qid, text in queries.items():
        rel = qrels.get(qid)
        if not rel:
            continue
        store.embedder.encode_query(text)  # warm the cache: the timed call excludes the embedding
        for _ in range(repeats):
            t, c = time.perf_counter(), time.thread_time()
            _, shown = grain_search(store, text, k=20, filters=Filters(), params=params, grain=grain)
            lat.append(time.perf_counter() - t)
            cpu.append(time.thread_time() - c)
        res = [{"document_id": by_id.get(p.row.document_id), "start": p.start, "end": p.end} for p in shown]
        nd, gains = ndcg(score, res, units, rel, k)
        _, cov = score.score_query(res[:20], units, rel)
        top = [u for u, g in rel.items() if g == 2] or list(rel)
        rc = sum(1 for u in top if u in cov) / len(top)
        rr = next((1 / (i + 1) for i, g in enumerate(gains) if g > 0), 0.0)
        per_q[qid] = {"ndcg": nd, "recall": rc, "rr": rr, "top": [p.hit.id for p in shown[:k]]}
    return per_q, sorted(lat), sorted(cpu)


def summary(per_q: dict[str, dict], keep=lambda q: True) -> dict[str, float]:
    rows = [v for q, v in per_q.items() if keep(q)]
    return {m: round(statistics.mean(r[m] for r in rows), 3) if rows else 0.0 for m in ("ndcg", "recall", "rr")}


def main(argv=None) -> int:
    ap = bench_parser(__doc__)
    ap.add_argument("--modes", nargs="+", default=list(MODES), choices=MODES)
    ap.add_argument("--grain", choices=("sentence", "passage"),
                    help="what a result is (default: the service's, ANCOLS_SEARCH_GRAIN)")
    ap.add_argument("--per-query", action="store_true")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--query-batch", type=int, default=1,
                    help="encode each query in one call with this many queries of the set (1: alone, as a lone search)")
    a = ap.parse_args(argv)
    settings = Settings(data_dir=a.data)
    grain = a.grain or settings.search_grain
    runtime = Runtime.from_settings(settings)
    try:
        gold = judged(runtime, a)
        score, queries, units, qrels, by_id = gold.score, gold.queries, gold.units, gold.qrels, gold.by_id
        position = {q: n + 1 for n, q in enumerate(queries)}  # 1-based rank in the file: odd/even halves

        cached = CachedQueryEmbedder(runtime.store.embedder)
        runtime.store.embedder = cached
        emb = []
        for text in queries.values():
            t = time.perf_counter()
            cached.encode_query(text)
            emb.append(time.perf_counter() - t)
        if a.query_batch > 1:  # after the timing above (one query a call), over the vectors it cached
            cached.fill(list(queries.values()), a.query_batch)
        report = {"segments": runtime.store.stats().segments, "grain": grain,
                  "query_embedding_ms_p50": round(1000 * statistics.median(emb), 1), "modes": {}}
        print(f"{report['segments']} segments, {grain} results; "
              f"query embedding p50 {report['query_embedding_ms_p50']} ms (excluded below)")
        print(f"{'mode':9} {'half':5} {'nDCG@10':>8} {'R@20':>6} {'MRR':>6}")
        for mode in a.modes:
            per_q, lat, cpu = evaluate(runtime, score, queries, qrels, units, by_id, mode, grain=grain)
            halves = {"all": summary(per_q), "odd": summary(per_q, lambda q: position[q] % 2 == 1),
                      "even": summary(per_q, lambda q: position[q] % 2 == 0)}
            p50, cpu50 = round(1000 * lat[len(lat) // 2], 2), round(1000 * cpu[len(cpu) // 2], 2)
            for half, s in halves.items():
                print(f"{mode:9} {half:5} {s['ndcg']:8.3f} {s['recall']:6.3f} {s['rr']:6.3f}"
                      + (f"   search p50 {p50} ms wall, {cpu50} ms CPU" if half == "all" else ""))
            report["modes"][mode] = {**halves, "latency_ms_p50": p50, "cpu_ms_p50": cpu50,
                                     "per_query": {q: {m: v if m == "top" else round(v, 3) for m, v in r.items()}
                                                   for q, r in per_q.items()}}
            if a.per_query:
                print("   " + " ".join(f"{q}:{r['ndcg']:.2f}" for q, r in per_q.items()))
        if a.json:
            a.json.write_text(json.dumps(report, indent=1))
    finally:
        runtime.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
