#!/usr/bin/env python3
"""What each part of the search's French earns on the dev queries: each left out in turn, in one run.

On one ingestion (``search_eval.ingest``), every dev query is searched with the shipped ranking
("full") and with one part removed: the thesaurus (``pipelines/french/thesaurus.tsv``), the
acronyms mined from the stored documents, the kind intents (``pipelines/french/intents.toml``),
and with ``ranking.SYNONYM_WEIGHT`` at other values. nDCG@10 and R@20 are printed for the odd
and even halves of the queries, as ``search_eval.py`` computes them.

    python bench/language_ablation.py --data /tmp/searchdata [--modes hybrid lexical]
    (add --queries bench/queries/project.tsv --qrels bench/queries/project for the project's own set)
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search_eval  # noqa: E402

from ancols_nlp.index import expansion, lexical, snapshot  # noqa: E402
from ancols_nlp.service.runtime import Runtime  # noqa: E402
from ancols_nlp.service.settings import Settings  # noqa: E402


@contextmanager
def patched(module, name: str, value) -> Iterator[None]:
    """``module.name`` set to ``value`` inside the block; the query expansion cache is emptied both ways."""
    previous = getattr(module, name)
    setattr(module, name, value)
    expansion.expand.cache_clear()
    try:
        yield
    finally:
        setattr(module, name, previous)
        expansion.expand.cache_clear()


def variants(runtime: Runtime) -> dict[str, Callable[[], object]]:
    """Each variant as a context manager factory over the running store."""
    snapshot_index = runtime.store.snapshot.lexical
    return {
        "full": lambda: patched(lexical, "SYNONYM_WEIGHT", lexical.SYNONYM_WEIGHT),
        "no thesaurus": lambda: patched(expansion, "thesaurus", lambda: expansion.NO_SYNONYMS),
        "no mined acronyms": lambda: patched(snapshot_index, "mined", expansion.NO_SYNONYMS),
        # The snapshot asks for the query's kinds (the patch once aimed at ranking, which does not: no effect).
        "no intents": lambda: patched(snapshot, "query_kinds", lambda query: ()),
        **{f"SYNONYM_WEIGHT={w}": (lambda w=w: patched(lexical, "SYNONYM_WEIGHT", w)) for w in (0.2, 0.35, 0.5)},
    }


def main(argv=None) -> int:
    shared = search_eval.REPO.parent / "shared"
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True, help="store directory (created, or reused)")
    search_eval.add_gold_arguments(ap, shared)
    ap.add_argument("--modes", nargs="+", default=["hybrid", "lexical"], choices=search_eval.MODES)
    a = ap.parse_args(argv)
    score = search_eval.load_score(a.score)
    runtime = Runtime.from_settings(Settings(data_dir=a.data))
    try:
        ids = search_eval.ingest(runtime, a.corpus)
        by_id = {v: k for k, v in ids.items()}
        queries, units, qrels = search_eval.load_gold(score, a, ids)
        position = {q: n + 1 for n, q in enumerate(queries)}
        runtime.store.embedder = search_eval.CachedQueryEmbedder(runtime.store.embedder)
        mined = runtime.store.snapshot.lexical.mined
        named = sum(bool(expansion.thesaurus().named(q, expansion.expand(q).terms)) for q in queries.values())
        changed = sum(expansion.expand(q, mined) != expansion.expand(q) for q in queries.values())
        print(f"{len(queries)} queries: {named} name a thesaurus group, the mined acronyms change {changed} expansions")
        print(f"{'variant':20} {'mode':8} {'odd nDCG@10':>11} {'odd R@20':>8} {'even nDCG@10':>12} {'even R@20':>9}")
        for name, variant in variants(runtime).items():
            for mode in a.modes:
                with variant():
                    per_q, _, _ = search_eval.evaluate(runtime, score, queries, qrels, units, by_id, mode, repeats=1)
                odd = search_eval.summary(per_q, lambda q: position[q] % 2 == 1)
                even = search_eval.summary(per_q, lambda q: position[q] % 2 == 0)
                print(f"{name:20} {mode:8} {odd['ndcg']:11.3f} {odd['recall']:8.3f} {even['ndcg']:12.3f}"
                      f" {even['recall']:9.3f}", flush=True)
    finally:
        runtime.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
