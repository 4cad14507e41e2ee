#!/usr/bin/env python3
"""The PostgreSQL store's lexical top-k from packed postings against scoring each match's tsvector, on a database.

For each request of ``bench/load.py`` (the dev queries, their variants and filters), the ``--candidates``
best BM25 passages are drawn both ways (``bm25.Bm25``: the query terms' packed postings, summed in this
process; ``retrieval.bm25_all``: every matching passage's own terms, in SQL): prints how many lists are
equal (``retrieval.same_scores``), and each way's median and p95 time on one connection, wall and this
process's CPU (the server's is the wall's remainder on an idle machine).

    python bench/pg_topk.py --pg-dsn postgresql://postgres@127.0.0.1:5433/s100k
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import psycopg

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from load import queries  # noqa: E402

from ancols_nlp.index.expansion import NO_SYNONYMS  # noqa: E402
from ancols_nlp.index.postgres import retrieval  # noqa: E402
from ancols_nlp.index.postgres.bm25 import Bm25  # noqa: E402
from ancols_nlp.index.query import Filters  # noqa: E402


def filters_of(params: dict) -> Filters:
    kind = (params["kind"],) if "kind" in params else ()
    return Filters(kind=kind, year_min=params.get("year_min"), year_max=params.get("year_max"))


def _timed(fn, *args, **kwargs) -> tuple[dict[int, float], float, float]:
    """The answer, wall ms and this process's CPU ms."""
    start, cpu = time.perf_counter(), time.process_time()
    out = fn(*args, **kwargs)
    return out, (time.perf_counter() - start) * 1000, (time.process_time() - cpu) * 1000


def _packed(conn, query: str, filters: Filters, n: int) -> dict[int, float]:
    return Bm25.read(conn, retrieval.analysed(conn, query, mined=NO_SYNONYMS), filters).top(n)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pg-dsn", required=True)
    ap.add_argument("--queries", type=Path, default=REPO.parent / "shared" / "eval" / "dev" / "queries.tsv")
    ap.add_argument("--candidates", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    times: dict[str, list[float]] = {"packed": [], "packed_cpu": [], "tsvector": [], "tsvector_cpu": []}
    equal = 0
    requests = queries(a.queries, a.seed)
    with psycopg.connect(a.pg_dsn, autocommit=True) as conn:
        for params in requests:
            filters = filters_of(params)
            fast, ms, cpu = _timed(_packed, conn, params["q"], filters, a.candidates)
            times["packed"].append(ms)
            times["packed_cpu"].append(cpu)
            every, ms, cpu = _timed(retrieval.bm25_all, conn, params["q"], filters, limit=a.candidates)
            times["tsvector"].append(ms)
            times["tsvector_cpu"].append(cpu)
            equal += retrieval.same_scores(fast, every)
    out = {"requests": len(requests), "equal": equal,
           **{f"{way}_ms": {"p50": round(statistics.median(t), 1),
                            "p95": round(statistics.quantiles(t, n=20)[18], 1)} for way, t in times.items()}}
    print(json.dumps(out))
    if a.json:
        a.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
