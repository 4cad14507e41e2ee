#!/usr/bin/env python3
r"""A misspelt word's correction at full weight (W1, the service's since spell22) against a synonym's weight, 0.35.

Hybrid nDCG@10 at the service's default grain, both weights in one process over one store (``ranking.CORRECTION_WEIGHT``
as ``LexicalQuery.of`` reads it, set for each run), on each named set's clean queries and on their typo'd copies
(``bench/typos.py``'s edits, its default seed, one generator per query file as its ``main`` draws them). Prints each
set's means, the pooled per-query difference W1 - 0.35 with its 95 % bootstrap interval (10,000 resamples of
queries, seed 0), the clean queries whose top 10 changed (the sets' real typos) and the largest movements:

    python bench/correction_weight.py --data DIR --sets dev set3 set4 … set13
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.search_eval import evaluate, ingest, load_score  # noqa: E402
from bench.subpassage_eval import SETS, gold_of, interval  # noqa: E402
from bench.typos import typoed  # noqa: E402

from ancols_nlp.index import lexical  # noqa: E402
from ancols_nlp.index.ranking import SYNONYM_WEIGHT  # noqa: E402
from ancols_nlp.service.runtime import Runtime  # noqa: E402
from ancols_nlp.service.settings import Settings  # noqa: E402

WEIGHTS = {"synonym": SYNONYM_WEIGHT, "W1": 1.0}
SEED = 13  # bench/typos.py's default


@contextmanager
def correction_weight(weight: float):
    previous = lexical.CORRECTION_WEIGHT
    lexical.CORRECTION_WEIGHT = weight
    try:
        yield
    finally:
        lexical.CORRECTION_WEIGHT = previous


def main(argv=None) -> int:
    shared = REPO.parent / "shared"
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True, help="store directory (created, or reused)")
    ap.add_argument("--sets", nargs="+", choices=list(SETS), default=["dev"])
    ap.add_argument("--largest", type=int, default=8, help="movements shown per copy")
    a = ap.parse_args(argv)
    score = load_score(shared / "eval" / "score.py")
    settings = Settings(data_dir=a.data)
    runtime = Runtime.from_settings(settings)
    found: dict[str, dict[tuple[str, str], dict[str, dict]]] = {"clean": {}, "typo'd": {}}
    texts: dict[tuple[str, str], tuple[str, str]] = {}
    try:
        ids = ingest(runtime, shared / "corpus")
        by_id = {v: k for k, v in ids.items()}
        for name in a.sets:
            queries, units, qrels = gold_of(score, name, ids, shared)
            rng = random.Random(SEED)
            copies = {"clean": queries, "typo'd": {q: typoed(text, rng) for q, text in queries.items()}}
            for copy, asked in copies.items():
                for label, weight in WEIGHTS.items():
                    with correction_weight(weight):
                        per_q, _, _ = evaluate(runtime, score, asked, qrels, units, by_id, "hybrid", repeats=1,
                                               grain=settings.search_grain)
                    for q, r in per_q.items():
                        found[copy].setdefault((name, q), {})[label] = r
                        texts[name, q] = (queries[q], copies["typo'd"][q])
            print(f"{name} done", file=sys.stderr, flush=True)
    finally:
        runtime.close()
    report(found, texts, a.sets, a.largest)
    return 0


def report(found, texts, sets: list[str], largest: int) -> None:
    print(f"hybrid nDCG@10, a correction at {SYNONYM_WEIGHT} → W1 (1.0)")
    print(f"{'set':8}" + "".join(f"{c:>24}" for c in found))
    for name in sets:
        line = f"{name:8}"
        for rows in found.values():
            got = [r for (s, _), r in rows.items() if s == name]
            line += "".join(f"{statistics.mean(r[w]['ndcg'] for r in got):>12.3f}" for w in WEIGHTS)
        print(line)
    for copy, rows in found.items():
        diffs = {k: r["W1"]["ndcg"] - r["synonym"]["ndcg"] for k, r in rows.items()}
        low, high = interval(list(diffs.values()))
        means = [statistics.mean(r[w]["ndcg"] for r in rows.values()) for w in WEIGHTS]
        print(f"\n{copy}, pooled over {len(rows)} queries: 0.35 {means[0]:.3f}, W1 {means[1]:.3f}, difference "
              f"{statistics.mean(diffs.values()):+.4f} [{low:+.4f}, {high:+.4f}] "
              f"won {sum(d > 1e-9 for d in diffs.values())} / lost {sum(d < -1e-9 for d in diffs.values())}")
        changed = [k for k, r in rows.items() if r["W1"]["top"] != r["synonym"]["top"]]
        print(f"  top 10 changed on {len(changed)} queries")
        shown = changed if copy == "clean" else sorted(diffs, key=lambda k: -abs(diffs[k]))[:largest]
        for k in shown:
            text = texts[k][0 if copy == "clean" else 1]
            print(f"  {k[0]}/{k[1]} {rows[k]['synonym']['ndcg']:.3f} → {rows[k]['W1']['ndcg']:.3f}  {text}")


if __name__ == "__main__":
    sys.exit(main())
