#!/usr/bin/env python3
"""The lexical engine against Tantivy (a Lucene-class engine) on the same analysed terms, one thread.

Both engines index the same synthetic passages — real corpus segments recombined as
``bench/synth.py`` does, terms only (the project's TermMatrix is built directly, no store) —
and answer the same queries: the dev queries and queries sampled from passage terms, analysed
once by the project's analyser. Tantivy gets the analysed terms joined by spaces under its
whitespace tokenizer, each synonym as a term boosted by ``SYNONYM_WEIGHT``, and searches
top-k without counting the matches (counting would turn its top-k pruning off). The project's
engine ranks with its own b (Tantivy's is fixed at 0.75) and its segment priors, as the
service does. Calls alternate between the engines, query by query, in one run; medians, p95
and their ratio are printed per store size.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \\
        python bench/lexical_anchor.py --source /tmp/searchdata --sizes 100000 1000000 [--cache /tmp/anchor]

``--source`` is a store holding the processed corpus (``bench/search_eval.py --data DIR`` makes one).
Tantivy is the ``bench`` extra: ``pip install -e '.[bench]'``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from ancols_nlp.index.expansion import expand  # noqa: E402
from ancols_nlp.index.lexical import LexicalIndex, LexicalQuery, TermMatrix  # noqa: E402
from ancols_nlp.index.ranking import SYNONYM_WEIGHT, segment_prior  # noqa: E402

import synth  # noqa: E402  (bench/ is on sys.path when this file runs as a script)


def passages(source: synth.Source, size: int, seed: int) -> tuple[list[list[str]], np.ndarray]:
    """``size`` synthetic passages' analysed terms (heading terms first, as stored) and their priors."""
    rng = np.random.default_rng(seed)
    terms: list[list[str]] = []
    prior = np.empty(size, dtype=np.float32)
    while len(terms) < size:
        for n in synth.run(source, rng, min(size - len(terms), int(rng.integers(250, 751)))):
            s = source.segments[n]
            prior[len(terms)] = segment_prior(s["kind"], s["block"])
            terms.append(s["heading_terms"] + synth.recombined(source, rng, n)[2])
    return terms, prior


def queries(path: Path, terms: list[list[str]], sampled: int, seed: int) -> list[tuple[tuple[str, float], ...]]:
    """Weighted analysed terms of the dev queries, then of ``sampled`` queries of 2–4 words of random passages.

    A dev query's synonym phrases enter as loose terms at ``SYNONYM_WEIGHT`` for both engines (Tantivy has no
    co-occurrence constraint to match ours): the engines are compared on the same postings, not the semantics."""
    out = []
    for line in path.read_text().splitlines():
        if "\t" in line:
            q = expand(line.split("\t")[1])
            out.append(tuple((t, 1.0) for t in q.terms) + tuple((t, SYNONYM_WEIGHT) for t in q.extra))
    rng = np.random.default_rng(seed)
    while sampled:
        words = list(dict.fromkeys(terms[rng.integers(len(terms))]))
        if len(words) >= 2:
            picked = rng.choice(len(words), size=min(len(words), int(rng.integers(2, 5))), replace=False)
            out.append(tuple((words[i], 1.0) for i in sorted(picked)))
            sampled -= 1
    return [q for q in out if q]


def tantivy_index(terms: list[list[str]], directory: Path):
    import tantivy

    schema = tantivy.SchemaBuilder().add_text_field("body", tokenizer_name="whitespace", index_option="freq").build()
    if (directory / "meta.json").exists():
        return tantivy.Index(schema, path=str(directory))
    directory.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(schema, path=str(directory))
    writer = index.writer(heap_size=1_000_000_000, num_threads=1)
    for doc in terms:
        writer.add_document(tantivy.Document(body=" ".join(doc)))
    writer.commit()
    writer.wait_merging_threads()
    return index


def built(source_dir: Path, size: int, seed: int, cache: Path):
    """The project's index, the priors, the Tantivy index and the passages' terms for ``size`` passages."""
    directory = cache / str(size)
    t = time.perf_counter()
    if (directory / "passages.txt").exists():
        terms = [line.split() for line in (directory / "passages.txt").read_text().splitlines()]
        matrix, prior = TermMatrix.load(directory / "terms"), np.load(directory / "prior.npy")
    else:
        terms, prior = passages(synth.Source(source_dir / "ancols.sqlite3"), size, seed)
        matrix = TermMatrix.build(terms)
        matrix.save(directory / "terms")
        np.save(directory / "prior.npy", prior)
        (directory / "passages.txt").write_text("".join(" ".join(doc) + "\n" for doc in terms))
    generated = time.perf_counter() - t
    t = time.perf_counter()
    tantivy = tantivy_index(terms, directory / "tantivy")
    print(f"{size} passages: {len(matrix.row)} postings; terms {generated:.0f}s,"
          f" Tantivy {time.perf_counter() - t:.0f}s", file=sys.stderr)
    return LexicalIndex([matrix]), prior, tantivy, terms


def project_top(index: LexicalIndex, prior: np.ndarray, query: tuple[tuple[str, float], ...], k: int) -> list[int]:
    return index.top(LexicalQuery(query), k, prior, prior_bound=1.0).rows.tolist()


def tantivy_top(searcher, schema, query: tuple[tuple[str, float], ...], k: int) -> list[int]:
    import tantivy

    clauses = [(tantivy.Occur.Should, tantivy.Query.boost_query(tantivy.Query.term_query(schema, "body", t), w)
                if w != 1.0 else tantivy.Query.term_query(schema, "body", t)) for t, w in query]
    hits = searcher.search(tantivy.Query.boolean_query(clauses), limit=k, count=False).hits
    return [address.doc for _, address in hits]


def measure(index, prior, tantivy, qs, k: int, repeats: int) -> dict:
    """Per-call milliseconds of each engine, alternating which goes first, after one warm-up pass."""
    searcher, schema = tantivy.searcher(), tantivy.schema
    engines = {"project": lambda q: project_top(index, prior, q, k),
               "tantivy": lambda q: tantivy_top(searcher, schema, q, k)}
    for q in qs:
        for run in engines.values():
            run(q)
    wall: dict[str, list[float]] = {name: [] for name in engines}
    cpu: dict[str, list[float]] = {name: [] for name in engines}
    for r in range(repeats):
        for n, q in enumerate(qs):
            for name in (list(engines) if (n + r) % 2 == 0 else list(engines)[::-1]):
                t, c = time.perf_counter(), time.thread_time()
                engines[name](q)
                cpu[name].append(1000 * (time.thread_time() - c))
                wall[name].append(1000 * (time.perf_counter() - t))
    out = {name: {"median_ms": round(statistics.median(wall[name]), 3),
                  "p95_ms": round(float(np.percentile(wall[name], 95)), 3),
                  "cpu_median_ms": round(statistics.median(cpu[name]), 3),
                  "cpu_p95_ms": round(float(np.percentile(cpu[name], 95)), 3)} for name in engines}
    for key in ("median_ms", "p95_ms", "cpu_median_ms", "cpu_p95_ms"):
        out[f"ratio_{key}"] = round(out["project"][key] / max(out["tantivy"][key], 1e-6), 2)
    out["tantivy_segments"] = searcher.num_segments
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, required=True, help="store holding the processed corpus")
    ap.add_argument("--queries", type=Path, default=REPO.parent / "shared" / "eval" / "dev" / "queries.tsv")
    ap.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--sampled", type=int, default=100, help="queries sampled from passage terms")
    ap.add_argument("-k", type=int, nargs="+", default=[10, 200], help="top-k (200: the hybrid's lexical candidates)")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cache", type=Path, help="keep the built indexes here (reused when present)")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)
    threads = {v: os.environ.get(v) for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    if any(v != "1" for v in threads.values()):
        print(f"warning: not one thread ({threads})", file=sys.stderr)
    cache = a.cache or Path(os.environ.get("TMPDIR", "/tmp")) / f"lexical-anchor-{os.getpid()}"
    report = {"load": os.getloadavg(), "sizes": {}}
    try:
        for size in a.sizes:
            index, prior, tantivy, terms = built(a.source, size, a.seed, cache)
            qs = queries(a.queries, terms, a.sampled, a.seed)
            dev = len(qs) - a.sampled
            del terms
            for k in a.k:
                for name, group in (("dev", qs[:dev]), ("sampled", qs[dev:])):
                    r = measure(index, prior, tantivy, group, k, a.repeats)
                    report["sizes"].setdefault(size, {}).setdefault(k, {})[name] = r
                    p, t = r["project"], r["tantivy"]
                    print(f"{size:>8} passages, top-{k:<3} {len(group):>3} {name:7} queries, ms median (p95):"
                          f" project {p['median_ms']:.3f} ({p['p95_ms']:.3f}) wall, {p['cpu_median_ms']:.3f}"
                          f" ({p['cpu_p95_ms']:.3f}) CPU; Tantivy {t['median_ms']:.3f} ({t['p95_ms']:.3f}) wall,"
                          f" {t['cpu_median_ms']:.3f} ({t['cpu_p95_ms']:.3f}) CPU; ratio {r['ratio_median_ms']:.2f}"
                          f" ({r['ratio_p95_ms']:.2f}) wall, {r['ratio_cpu_median_ms']:.2f}"
                          f" ({r['ratio_cpu_p95_ms']:.2f}) CPU")
    finally:
        if a.cache is None:
            shutil.rmtree(cache, ignore_errors=True)
    if a.json:
        a.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
