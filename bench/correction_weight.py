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
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.language_ablation import patched  # noqa: E402
from bench.search_eval import evaluate, ingest, load_score  # noqa: E402
from bench.subpassage_eval import SETS, gold_of, interval  # noqa: E402
from bench.typos import typoed  # noqa: E402

from ancols_nlp.index import lexical  # noqa: E402
from ancols_nlp.index.ranking import SYNONYM_WEIGHT  # noqa: E402
from ancols_nlp.service.runtime import Runtime  # noqa: E402
from ancols_nlp.service.settings import Settings  # noqa: E402

SEED = 13  # bench/typos.py's default


Variants = dict[str, Callable[[Runtime], AbstractContextManager]]  # label → the state it searches in, the base first
Copies = dict[str, Callable[[str, random.Random], str]]  # label → a query's copy (the generator: one a query file)


COPIES: Copies = {"clean": lambda text, rng: text, "typo'd": typoed}


def compare(data: Path, sets: list[str], variants: Variants, copies: Copies) -> dict:
    """Each copy's queries of each set: per (set, query id), each variant's ``evaluate`` figures and the text asked;
    hybrid, at the service's default grain, one store."""
    shared = REPO.parent / "shared"
    score = load_score(shared / "eval" / "score.py")
    settings = Settings(data_dir=data)
    runtime = Runtime.from_settings(settings)
    found: dict = {copy: {} for copy in copies}
    try:
        ids = ingest(runtime, shared / "corpus")
        by_id = {v: k for k, v in ids.items()}
        for name in sets:
            queries, units, qrels = gold_of(score, name, ids, shared)
            for copy, made in copies.items():
                rng = random.Random(SEED)
                asked = {q: made(text, rng) for q, text in queries.items()}
                for label, variant in variants.items():
                    with variant(runtime):
                        per_q, _, _ = evaluate(runtime, score, asked, qrels, units, by_id, "hybrid", repeats=1,
                                               grain=settings.search_grain)
                    for q, r in per_q.items():
                        found[copy].setdefault((name, q), {"text": asked[q]})[label] = r
            print(f"{name} done", file=sys.stderr, flush=True)
    finally:
        runtime.close()
    return found


def report(found: dict, sets: list[str], labels: list[str], largest: int) -> None:
    """Each set's means, then per copy the pooled difference of the second variant to the first with its interval,
    and the queries that moved: every one whose top 10 changed in the first copy (the clean queries), the
    ``largest`` movements in the others."""
    base, other = labels
    print(f"hybrid nDCG@10, {base} → {other}")
    print(f"{'set':8}" + "".join(f"{c:>24}" for c in found))
    for name in sets:
        line = f"{name:8}"
        for rows in found.values():
            got = [r for (s, _), r in rows.items() if s == name]
            line += "".join(f"{statistics.mean(r[v]['ndcg'] for r in got):>12.3f}" for v in labels)
        print(line)
    for n, (copy, rows) in enumerate(found.items()):
        diffs = {k: r[other]["ndcg"] - r[base]["ndcg"] for k, r in rows.items()}
        low, high = interval(list(diffs.values()))
        means = [statistics.mean(r[v]["ndcg"] for r in rows.values()) for v in labels]
        print(f"\n{copy}, pooled over {len(rows)} queries: {base} {means[0]:.3f}, {other} {means[1]:.3f}, difference "
              f"{statistics.mean(diffs.values()):+.4f} [{low:+.4f}, {high:+.4f}] "
              f"won {sum(d > 1e-9 for d in diffs.values())} / lost {sum(d < -1e-9 for d in diffs.values())}")
        changed = [k for k, r in rows.items() if r[other]["top"] != r[base]["top"]]
        print(f"  top 10 changed on {len(changed)} queries")
        for k in changed if not n else sorted(diffs, key=lambda k: -abs(diffs[k]))[:largest]:
            print(f"  {k[0]}/{k[1]} {rows[k][base]['ndcg']:.3f} → {rows[k][other]['ndcg']:.3f}  {rows[k]['text']}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True, help="store directory (created, or reused)")
    ap.add_argument("--sets", nargs="+", choices=list(SETS), default=["dev"])
    ap.add_argument("--largest", type=int, default=8, help="movements shown per typo'd copy")
    a = ap.parse_args(argv)
    variants = {f"{w}": (lambda runtime, w=w: patched(lexical, "CORRECTION_WEIGHT", w)) for w in (SYNONYM_WEIGHT, 1.0)}
    report(compare(a.data, a.sets, variants, COPIES), a.sets, list(variants), a.largest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
