#!/usr/bin/env python3
r"""Why a judged query scores low: each query under a threshold, with the facts that tell its failure's cause.

For each query of the sets whose hybrid nDCG@10 is under ``--below``, over the store's top 200 results:
the best nDCG@10 our passages allow (``search_ceiling``), the rank of the first result crediting a unit of the
query's top grade (and any relevant one), the documents of the top 10 against those holding the judged units, the
share of the query's analysed terms held by the best relevant passage and by the top result, and whether the top
10's zero-graded passages sit in a section (innermost heading) where a relevant result of the top 200 sits. A cause
is then named by rule, the first that applies (a judging error is not: it needs the passages read):

- ``granularity``: the ceiling is under 0.8 and the query within 0.1 of it (a better order would gain little);
- ``not retrieved``: no result of the top 200 credits a unit of the query's top grade;
- ``vocabulary gap``: the best relevant passage holds under half the query's terms, fewer than the top result;
- ``wrong document``: over half the top 10 come from documents holding no judged unit of the query;
- ``wrong section``: over half the top 10 are zero-graded passages of a section holding no relevant unit;
- ``ranked low``: the rest (relevant passages retrieved, below non-relevant ones of the right sections).

    python bench/search_failures.py --data DIR --queries bench/queries/project5.tsv bench/queries/project6.tsv \
        --qrels bench/queries/project5 bench/queries/project6 [--below 0.6]
"""

from __future__ import annotations

import sys
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.search_ceiling import ceiling, covered, stored_spans  # noqa: E402
from bench.search_eval import bench_parser, judged, ndcg  # noqa: E402

from ancols_nlp.index.analyzer import analyze  # noqa: E402
from ancols_nlp.index.query import Filters  # noqa: E402
from ancols_nlp.index.query_intents import read_query  # noqa: E402
from ancols_nlp.service.organisms import stored  # noqa: E402
from ancols_nlp.service.runtime import Runtime  # noqa: E402
from ancols_nlp.service.settings import Settings  # noqa: E402

DEPTH = 200


@dataclass(frozen=True)
class Failure:
    """One low query's facts and the cause they point to."""

    query: str
    text: str
    ndcg: float
    ceiling: float
    first_best: int | None  # 1-based rank of the first result crediting a unit of the query's top grade
    first_relevant: int | None
    off_document: int  # of the top 10, results from documents holding no judged unit of the query
    off_section: int  # of the top 10, zero-graded results of a section holding no relevant unit
    relevant_terms: float  # share of the query's terms the best relevant passage holds
    top_terms: float  # share the top result holds
    cause: str


def term_share(query_terms: set[str], heading: str, text: str) -> float:
    """Share of ``query_terms`` a passage holds, its innermost ``heading`` included (as the index reads it)."""
    held = set(analyze(f"{heading} {text}"))
    return len(query_terms & held) / len(query_terms) if query_terms else 0.0


def row_share(query_terms: set[str], row) -> float:
    return term_share(query_terms, " ".join(row.section_path[-1:]), row.text)


def cause(f: Failure) -> str:
    if f.ceiling < 0.8 and f.ceiling - f.ndcg <= 0.1:
        return "granularity"
    if f.first_best is None:
        return "not retrieved"
    if f.relevant_terms < 0.5 and f.relevant_terms < f.top_terms:
        return "vocabulary gap"
    if f.off_document > 5:
        return "wrong document"
    if f.off_section > 5:
        return "wrong section"
    return "ranked low"


def first_crediting(credits: list[set], rel: dict, grade: int) -> int | None:
    """1-based rank of the first result credited with a unit of ``grade`` or more."""
    return next((n + 1 for n, c in enumerate(credits) if any(rel[u] >= grade for u in c)), None)


def analyse(store, score, text: str, rel: dict, units, by_id, spans) -> Failure:
    """The facts of one query over the hybrid's top ``DEPTH`` and the cause they name."""
    out = store.search(text, k=DEPTH, filters=Filters(), params=replace(store.params, mode="hybrid"))
    rows = [out.rows[h.id] for h in out.hits]
    results = [{"document_id": by_id.get(r.document_id), "start": r.start, "end": r.end} for r in rows]
    credits = [covered(score, units, rel, res["document_id"], (res["start"], res["end"])) for res in results]
    top_grade = max(rel.values())
    judged_docs = {d for d, _ in rel}
    section = [(r.document_id, tuple(r.section_path)) for r in rows]
    relevant = [any(rel[u] for u in c) for c in credits]
    relevant_sections = {s for s, hit in zip(section, relevant) if hit}  # of a relevant result within DEPTH
    terms = set(analyze(read_query(text, stored(store)).text))
    best = [r for r, c in zip(rows, credits) if any(rel[u] >= top_grade for u in c)]
    f = Failure("", text, ndcg(score, results, units, rel)[0], ceiling(score, spans, units, rel),
                first_crediting(credits, rel, top_grade), first_crediting(credits, rel, 1),
                sum(res["document_id"] not in judged_docs for res in results[:10]),
                sum(not hit and s not in relevant_sections for s, hit in zip(section[:10], relevant[:10])),
                max((row_share(terms, r) for r in best), default=0.0), row_share(terms, rows[0]) if rows else 0.0, "")
    return replace(f, cause=cause(f))


def main(argv=None) -> int:
    ap = bench_parser(__doc__)
    ap.add_argument("--below", type=float, default=0.6, help="queries whose hybrid nDCG@10 is under this")
    a = ap.parse_args(argv)
    runtime = Runtime.from_settings(Settings(data_dir=a.data))
    try:
        gold = judged(runtime, a)
        spans, by_id = stored_spans(runtime.store, gold.ids), gold.by_id
        failures = []
        for qid, text in gold.queries.items():
            if gold.qrels.get(qid):
                f = analyse(runtime.store, gold.score, text, gold.qrels[qid], gold.units, by_id, spans)
                if f.ndcg < a.below:
                    failures.append(replace(f, query=qid))
    finally:
        runtime.close()
    print("| query | nDCG@10 | ceiling | first best | first rel | top 10 off doc | off section | terms rel / top "
          "| cause |")
    print("|---|---|---|---|---|---|---|---|---|")
    for f in failures:
        print(f"| {f.query} | {f.ndcg:.2f} | {f.ceiling:.2f} | {f.first_best or '-'} | {f.first_relevant or '-'} | "
              f"{f.off_document} | {f.off_section} | {f.relevant_terms:.2f} / {f.top_terms:.2f} | {f.cause} |")
    print()
    for name, n in Counter(f.cause for f in failures).most_common():
        print(f"- {name}: {n}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
