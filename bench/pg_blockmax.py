#!/usr/bin/env python3
"""How much of a lexical top-k's postings a block-max reading would leave unread on a PostgreSQL store, before
building one (issue 16: top-k without scoring every matching row).

For each request of ``bench/load.py``'s ``distinct_queries`` (as bench/pgprof's), the query terms' postings are read
as the store reads them (``bm25.Bm25``) and every passage scored; then, for each block size B, the passages are cut
into blocks of B consecutive ids (the same cut for every term, so a block's postings give its passages' exact scores),
each (term, block) gets the bound idf × tf/(tf + norm) at its largest tf and shortest length × its largest prior (the
query intents' multipliers are never above 1), and the blocks are read best bound first, in statements of
``--candidates`` postings then four times as many each, until the next block's bound is below the n-th best score.
Prints the share of the postings read, the (term, block) bounds a search would read first (per posting), the bytes
of both against reading every posting (``--cell-bytes`` a bound, ``POSTING_BYTES`` a posting) and the statements a
request.
A phrase's bound counts its terms wherever each occurs (looser than the passages holding all of them: safe).

With ``--slices B`` (a server on this machine: its backend's CPU is read from /proc), it also times on the server
the reading of only the blocks a reading at B would need at the least (those whose bound reaches the final n-th
score, in one statement), as slices of the stored ``term_blocks`` rows (``substring`` of each row's postings, rows by
their key), against reading the terms' rows whole as the store does.

    python bench/pg_blockmax.py --pg-dsn postgresql://postgres@127.0.0.1:55461/s1m --requests 40 --slices 8
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import psycopg

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from load import distinct_queries  # noqa: E402
from pg_topk import filters_of  # noqa: E402

from ancols_nlp.index.expansion import NO_SYNONYMS  # noqa: E402
from ancols_nlp.index.postgres import retrieval  # noqa: E402
from ancols_nlp.index.postgres.bm25 import _RECORD, Bm25  # noqa: E402
from ancols_nlp.index.ranking import length_norm  # noqa: E402

POSTING_BYTES = _RECORD.itemsize  # as stored (index/postgres/postings.py POSTING)
GROWTH = 4
# Today's read (bm25._READ without filters) and the slices of some rows: (row, first posting, postings) runs.
WHOLE = ("SELECT b.x FROM unnest(%(terms)s::text[]) AS w(term) LEFT JOIN LATERAL (SELECT string_agg(s.postings,"
         " ''::bytea ORDER BY s.first) AS x FROM term_blocks s WHERE s.term = w.term) b ON TRUE")
SLICES = ("WITH r AS MATERIALIZED (SELECT k.i, s.postings FROM unnest(%(row_terms)s::text[], %(firsts)s::int8[])"
          " WITH ORDINALITY AS k(term, first, i) JOIN term_blocks s ON s.term = k.term AND s.first = k.first)"
          f" SELECT r.i, string_agg(substring(r.postings FROM u.at * {POSTING_BYTES} + 1 FOR u.n * {POSTING_BYTES}),"
          " ''::bytea ORDER BY u.at)"
          " FROM unnest(%(rows)s::int8[], %(ats)s::int4[], %(ns)s::int4[]) AS u(i, at, n) JOIN r USING (i)"
          " GROUP BY r.i")


def _blocks(scorer: Bm25, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Each block holding a posting (ascending), its bound, its postings, and the number of (term, block) pairs."""
    postings = [p for p in scorer.postings.values() if len(p.ids)]
    blocks = np.unique(np.concatenate([p.ids // size for p in postings])) if postings else np.zeros(0, np.int64)
    bound, count, pairs = np.zeros(len(blocks)), np.zeros(len(blocks)), 0
    weighted = list(scorer.query.terms) + [(t, w) for _, scored, w in scorer.query.phrases for t in scored]
    for term, weight in weighted:
        p = scorer.postings[term]
        if len(p.ids):
            held, start = np.unique(p.ids // size, return_index=True)
            tf = np.maximum.reduceat(p.tf, start).astype(np.float64)
            norm = length_norm(np.minimum.reduceat(p.length, start).astype(np.float64), scorer.average)
            bound[np.searchsorted(blocks, held)] += (float(scorer._idf(term, weight)) * tf / (tf + norm)
                                                     * np.maximum.reduceat(p.prior, start))
    for p in postings:
        held, n = np.unique(p.ids // size, return_counts=True)
        count[np.searchsorted(blocks, held)] += n
        pairs += len(held)
    return blocks, bound, count, pairs


def simulated(scorer: Bm25, size: int, n: int) -> tuple[int, int, int]:
    """The postings a block-max reading of the top ``n`` reads, its (term, block) bounds, its statements."""
    ids, scores, keep = scorer._scores()
    blocks, bound, count, pairs = _blocks(scorer, size)
    order = np.argsort(-bound, kind="stable")
    rank = np.empty(len(blocks), dtype=np.int64)
    rank[order] = np.arange(len(blocks))
    matched = keep & (scores > 0)
    of_passage, scores = rank[np.searchsorted(blocks, ids[matched] // size)], scores[matched]
    bound, count = bound[order], count[order]
    read, budget, statements = np.zeros(len(blocks), dtype=bool), n, 0
    while True:
        found = scores[read[of_passage]]
        floor = -np.partition(-found, n - 1)[n - 1] if len(found) >= n else 0.0
        pending = np.flatnonzero(~read & (bound * (1 + 1e-4) >= floor) & (bound > 0))
        if not len(pending):
            return int(count[read].sum()), pairs, statements
        read[pending[:max(1, int(np.searchsorted(np.cumsum(count[pending]), budget)))]] = True
        budget, statements = budget * GROWTH, statements + 1


def slices(conn: psycopg.Connection, scorer: Bm25, size: int, n: int) -> dict:
    """The parameters of ``SLICES`` reading the blocks whose bound reaches the n-th best score: each row's runs of
    postings in those blocks."""
    ids, scores, keep = scorer._scores()
    blocks, bound, _, _ = _blocks(scorer, size)
    found = scores[keep & (scores > 0)]
    floor = -np.partition(-found, n - 1)[n - 1] if len(found) >= n else 0.0
    wanted = blocks[(bound * (1 + 1e-4) >= floor) & (bound > 0)]
    out: dict[str, list] = {"terms": list(scorer.postings), "row_terms": [], "firsts": [], "rows": [], "ats": [],
                            "ns": []}
    for term in scorer.postings:
        for first, packed in conn.execute("SELECT first, postings FROM term_blocks WHERE term = %s", (term,),
                                          binary=True).fetchall():
            held = np.isin(np.frombuffer(packed, _RECORD)["id"].astype(np.int64) // size, wanted)
            if held.any():
                out["row_terms"].append(term)
                out["firsts"].append(first)
                edges = np.flatnonzero(np.diff(np.r_[0, held.astype(np.int8), 0]))
                out["rows"] += [len(out["firsts"])] * (len(edges) // 2)
                out["ats"] += edges[::2].tolist()
                out["ns"] += (edges[1::2] - edges[::2]).tolist()
    return out


def backend_ms(conn: psycopg.Connection, sql: str, requests: list[dict]) -> tuple[float, float]:
    """The server backend's CPU ms and the KB read a request (the server on this machine)."""
    stat = Path(f"/proc/{conn.info.backend_pid}/schedstat")
    start, read = int(stat.read_text().split()[0]), 0
    for args in requests:
        read += sum(len(row[-1] or b"") for row in conn.execute(sql, args, binary=True).fetchall())
    return (int(stat.read_text().split()[0]) - start) / 1e6 / len(requests), read / 1024 / len(requests)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pg-dsn", required=True)
    ap.add_argument("--queries", type=Path, default=REPO.parent / "shared" / "eval" / "dev" / "queries.tsv")
    ap.add_argument("--requests", type=int, default=40)
    ap.add_argument("--candidates", type=int, default=200)
    ap.add_argument("--sizes", type=int, nargs="+", default=[4, 8, 16, 32, 64])
    ap.add_argument("--cell-bytes", type=int, default=12)
    ap.add_argument("--slices", type=int, help="time the slices a reading at this block size would read")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    totals = {size: np.zeros(4) for size in a.sizes}  # postings read, bounds, postings, statements
    sliced: list[dict] = []
    with psycopg.connect(a.pg_dsn, autocommit=True) as conn:
        for params in distinct_queries(a.queries, a.seed, a.requests):
            scorer = Bm25.read(conn, retrieval.analysed(conn, params["q"], mined=NO_SYNONYMS), filters_of(params))
            every = sum(len(p.ids) for p in scorer.postings.values())
            for size in a.sizes:
                read, pairs, statements = simulated(scorer, size, a.candidates)
                totals[size] += (read, pairs, every, statements)
            if a.slices:
                sliced.append(slices(conn, scorer, a.slices, a.candidates))
        server = {name: [backend_ms(conn, sql, sliced) for _ in range(2)]
                  for name, sql in (("whole_rows", WHOLE), ("slices", SLICES))} if sliced else {}
    out: dict = {size: {"postings_read": round(t[0] / t[2], 3), "bounds_per_posting": round(t[1] / t[2], 3),
                  "bytes_vs_all": round((t[0] * POSTING_BYTES + t[1] * a.cell_bytes) / (t[2] * POSTING_BYTES), 3),
                  "statements": round(t[3] / a.requests, 1)} for size, t in totals.items()}
    if sliced:
        out["server"] = {"block": a.slices, "rows": round(sum(len(r["firsts"]) for r in sliced) / len(sliced)),
                         "runs": round(sum(len(r["ats"]) for r in sliced) / len(sliced)),
                         **{name: [{"backend_cpu_ms": round(ms, 2), "kb": round(kb)} for ms, kb in runs]
                            for name, runs in server.items()}}
    print(json.dumps(out, indent=1))
    if a.json:
        a.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
