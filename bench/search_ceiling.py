#!/usr/bin/env python3
r"""The best nDCG@10 any ranking of the store's passages can reach on a judged query set: the ceiling a search_eval
figure sits under.

The scorer (``shared/eval/score.py``) credits a result with the best grade among the judged units it covers and
credits each unit once, while the ideal list counts every judged unit apart. Where the judges graded units finer
than our passages (the reply letter 000's units are its PDF lines, a passage one of its paragraphs), one passage
takes several graded units with one gain and no ranking reaches 1.0. This orders every passage of the store
greedily (the best grade still uncredited first, then the passage crediting fewest units), which is the best order
when passages do not share a unit, as ours (consecutive spans) share only the units cut across their boundary.

    python bench/search_ceiling.py --data DIR --queries bench/queries/project3.tsv --qrels bench/queries/project3
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.search_eval import bench_parser, ingest, load_gold, load_score  # noqa: E402

from ancols_nlp.service.runtime import Runtime  # noqa: E402
from ancols_nlp.service.settings import Settings  # noqa: E402

Span = tuple[int, int]


def covered(score, units: dict[str, dict[str, Span]], rel: dict[tuple[str, str], int], doc: str,
            span: Span) -> set[tuple[str, str]]:
    """The judged units a result at ``span`` of ``doc`` is credited with, by the scorer's own rule."""
    start, end = span[0], min(span[1], span[0] + score.MAX_PASSAGE)
    return {(d, u) for d, u in rel if d == doc
            and score.overlap(*units[d][u], start, end) * 2 >= min(units[d][u][1] - units[d][u][0], end - start)}


def best_gains(score, passages: dict[str, list[Span]], units: dict[str, dict[str, Span]],
               rel: dict[tuple[str, str], int], k: int = 10) -> list[int]:
    """The gains of the best ``k`` results ``passages`` (document → spans) allow, best first."""
    cover = [hit for doc, spans in passages.items() for span in spans if (hit := covered(score, units, rel, doc, span))]
    credited: set[tuple[str, str]] = set()
    gains: list[int] = []
    while len(gains) < k:
        best = max(cover, key=lambda hit: (_gain(rel, hit - credited), -len(hit - credited)), default=None)
        if best is None or not _gain(rel, best - credited):
            break
        gains.append(_gain(rel, best - credited))
        credited |= best
    return gains


def _gain(rel: dict[tuple[str, str], int], fresh: set[tuple[str, str]]) -> int:
    return max((rel[u] for u in fresh), default=0)


def ceiling(score, passages: dict[str, list[Span]], units: dict[str, dict[str, Span]],
            rel: dict[tuple[str, str], int], k: int = 10) -> float:
    """nDCG@k of ``best_gains``: 1.0 when every judged unit can take a result of its own."""
    ideal = sorted(rel.values(), reverse=True)[:k]
    return score.dcg(best_gains(score, passages, units, rel, k)) / score.dcg(ideal) if ideal else 0.0


def stored_spans(store, ids: dict[str, str]) -> dict[str, list[Span]]:
    """Every stored passage's span, by corpus file stem."""
    spans: dict[str, list[Span]] = {}
    for stem, doc_id in ids.items():
        rows, _ = store.meta.segments_of(doc_id, limit=100_000, offset=0)
        spans[stem] = [(r.start, r.end) for r in rows]
    return spans


def main(argv=None) -> int:
    ap = bench_parser(__doc__)
    ap.add_argument("--per-query", action="store_true")
    a = ap.parse_args(argv)
    score = load_score(a.score)
    runtime = Runtime.from_settings(Settings(data_dir=a.data))
    try:
        ids = ingest(runtime, a.corpus)
        queries, units, qrels = load_gold(score, a, ids)
        passages = stored_spans(runtime.store, ids)
    finally:
        runtime.close()
    per_q = {q: ceiling(score, passages, units, qrels[q]) for q in queries if qrels.get(q)}
    print(f"best reachable nDCG@10 over {len(per_q)} queries: {statistics.mean(per_q.values()):.3f}")
    if a.per_query:
        print("   " + " ".join(f"{q}:{v:.2f}" for q, v in per_q.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
