#!/usr/bin/env python3
"""What a typo in a word typed without its accents would cost to correct to the documents' accented spelling.

The words ``spelling.corrections`` sends to ``nearest`` on typo'd, accent-stripped copies of the sets
(``bench/typos.py --strip-accents``, its default seed), and for each variant of ``nearest``: its CPU per word (cache
cleared, best of 3) and the words whose correction it changes. Variants (spell22's part 2 rule,
``bench/queries/grain-rule.md``): ``S2``, each one-edit spelling also respelled by the accent rule
(``french.accented``); ``SE``, each one-edit spelling also with one of its e's written é or è; ``S2w``, S2 for a
typed word whose own ending French writes accented. ``--ndcg`` compares S2w with today's instead
(``bench/correction_weight.py``'s figures) on the clean queries, their typo'd copies and their typo'd, accent-stripped
copies:

    python bench/typo_accents.py --data DIR --sets dev set3 … set13 [--ndcg]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.correction_weight import COPIES, compare, report  # noqa: E402
from bench.language_ablation import patched  # noqa: E402
from bench.search_eval import read_queries  # noqa: E402
from bench.subpassage_eval import SETS  # noqa: E402
from bench.typos import typoed, unaccented  # noqa: E402

from ancols_nlp.index import spelling  # noqa: E402
from ancols_nlp.index.analyzer import analyze, word_terms  # noqa: E402
from ancols_nlp.index.lexical import QUERIES_KEPT  # noqa: E402
from ancols_nlp.index.lexicon import load  # noqa: E402
from ancols_nlp.index.recent import Recent  # noqa: E402
from ancols_nlp.pipelines import french  # noqa: E402
from ancols_nlp.service.runtime import Runtime  # noqa: E402
from ancols_nlp.service.settings import Settings  # noqa: E402

SEED = 13  # bench/typos.py's default
DEV = "queries.tsv"


def nearest_of(more: Callable[[list[str]], list[str]]) -> Callable[[str], dict[str, str]]:
    """``spelling.nearest`` (uncached) with the spellings ``more`` adds to the one-edit ones."""
    def nearest(word: str) -> dict[str, str]:
        own, edited = analyze(word), spelling._edits(word)
        edited = list(dict.fromkeys(edited + more(edited)))
        out: dict[str, str] = {}
        for spelling_, term in zip(edited, word_terms(edited)):
            if term and [term] != own:
                out.setdefault(term, spelling_)
        return out
    return nearest


VARIANTS = {
    "today": nearest_of(lambda edited: []),
    "S2": nearest_of(lambda edited: [a for a in map(french.accented, edited) if a]),
    "SE": nearest_of(lambda edited: [s[:i] + c + s[i + 1:] for s in edited for i, e in enumerate(s) if e == "e"
                                     for c in "éè"]),
}
VARIANTS["S2w"] = lambda word: (VARIANTS["S2"] if french.accented(word) else VARIANTS["today"])(word)


@contextmanager
def searched_with(runtime: Runtime, nearest: Callable[[str], dict[str, str]]) -> Iterator[None]:
    """Searches correcting with ``nearest``; the store's recent expansions (made with another) set aside."""
    with patched(spelling, "nearest", nearest), patched(runtime.store.snapshot.lexical, "_expansions",
                                                        Recent(QUERIES_KEPT)):
        yield


def misspelt(queries: list[str], passages_with: Callable[[str], int]) -> list[str]:
    """The words ``corrections`` looks for one edit away, once each."""
    called: list[str] = []
    kept = spelling.nearest
    spelling.nearest = lambda word: called.append(word) or kept(word)
    try:
        for q in queries:
            spelling.corrections(q, passages_with)
    finally:
        spelling.nearest = kept
    return list(dict.fromkeys(called))


def cpu_ms(nearest: Callable[[str], dict[str, str]], words: list[str]) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        for w in words:
            nearest(w)
        best = min(best, time.process_time() - started)
    return 1000 * best / len(words)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True, help="store directory (its passages' term frequencies)")
    ap.add_argument("--sets", nargs="+", choices=list(SETS), default=["dev"])
    ap.add_argument("--ndcg", action="store_true", help="S2w against today's in nDCG@10 instead")
    ap.add_argument("--largest", type=int, default=8, help="movements shown per typo'd copy")
    a = ap.parse_args(argv)
    if a.ndcg:
        variants = {"today": lambda runtime: searched_with(runtime, spelling.nearest),
                    "S2w": lambda runtime: searched_with(runtime, VARIANTS["S2w"])}
        copies = {**COPIES, "typo'd unaccented": lambda text, rng: typoed(unaccented(text), rng)}
        report(compare(a.data, a.sets, variants, copies), a.sets, list(variants), a.largest)
        return 0
    runtime = Runtime.from_settings(Settings(data_dir=a.data))
    try:
        passages_with = runtime.store.snapshot.lexical.passages_with
        load()
        asked = []
        for name in a.sets:
            rng, file = random.Random(SEED), SETS[name][0]
            path = REPO / "bench" / "queries" / file if file else REPO.parent / "shared" / "eval" / "dev" / DEV
            asked += [typoed(unaccented(text), rng) for text in read_queries(path).values()]
        words = misspelt(asked, passages_with)

        def meant(near: dict[str, str]) -> tuple[str, int] | None:
            df, _, term = max(((passages_with(t), -n, t) for n, t in enumerate(near)), default=(0, 0, ""))
            return (near[term], df) if df else None

        base = {w: meant(VARIANTS["today"](w)) for w in words}
        print(f"{len(asked)} queries, {len(words)} misspelt words")
        for name, nearest in VARIANTS.items():
            changed = [(w, base[w], got) for w in words if (got := meant(nearest(w))) != base[w]]
            print(f"{name:6} {cpu_ms(nearest, words):.3f} ms CPU a word, correction changed on {len(changed)}")
            for w, was, now in changed:
                print(f"    {w}: {was} → {now}")
    finally:
        runtime.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
