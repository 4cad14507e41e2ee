"""How many gold units are swallowed: covered by a span that also covers a unit of another gold kind.

    python bench/segmentation_audit.py [--source ../shared/eval/crc ../shared/eval/crc] [--show 20]

A unit is covered by the span overlapping it most (the scorer's rule). Counted over the pipeline's
sentences (what no classifier can undo: a sentence has one kind) and over its segments (runs of
same-kind sentences, with the shipped kind model), per document and in total.
"""

from __future__ import annotations

import argparse
from collections import defaultdict
from collections.abc import Sequence

from ancols_nlp.models import goldset
from ancols_nlp.models.shipped import load_models
from ancols_nlp.pipelines import layout
from ancols_nlp.pipelines.process import process_text
from ancols_nlp.pipelines.sentences import load_sentencizer, split_sentences
from ancols_nlp.pipelines.types import SourceText


def swallowed(units: dict[str, tuple[int, int]], kinds: dict[str, str],
              spans: Sequence[tuple[int, int]]) -> list[str]:
    """Ids of the units whose covering span also covers a unit of another kind."""
    ordered = sorted(spans)
    covered: dict[int, list[str]] = defaultdict(list)
    for uid, (u0, u1) in units.items():
        best, best_overlap = None, 0
        for k, (s0, s1) in enumerate(ordered):
            if s0 >= u1:
                break
            overlap = min(u1, s1) - max(u0, s0)
            if overlap > best_overlap:
                best, best_overlap = k, overlap
        if best is not None:
            covered[best].append(uid)
    return [uid for group in covered.values() if len({kinds[u] for u in group}) > 1 for uid in group]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    goldset.data_arguments(ap)
    ap.add_argument("--show", type=int, default=0, help="print up to N swallowed units per document (segments)")
    a = ap.parse_args(argv)
    nlp, models = load_sentencizer(), load_models()
    totals = {"units": 0, "sentences": 0, "segments": 0}
    for source, path in ((s, p) for s in goldset.sources(a) for p in sorted(s.corpus.glob("*.txt"))):
        labels_path = (source.labels or source.gold) / f"{path.stem}.labels.tsv"
        if not labels_path.exists():
            continue
        kinds = {r[0]: r[1] for r in goldset.read_tsv(labels_path)}
        units = {r[0]: (int(r[1]), int(r[2])) for r in goldset.read_tsv(source.gold / f"{path.stem}.units.tsv")
                 if r[0] in kinds}
        text = path.read_text(encoding="utf-8")
        sentences = split_sentences(nlp, text, layout.blocks(text))
        doc = process_text(SourceText(text, "text/plain"), nlp=nlp, models=models)
        by_sentence = swallowed(units, kinds, [(s.start, s.end) for s in sentences])
        by_segment = swallowed(units, kinds, [(s.start, s.end) for s in doc.segments])
        print(f"{path.stem}: {len(units)} units, swallowed by a sentence {len(by_sentence)}, "
              f"by a segment {len(by_segment)}")
        for uid in by_segment[:a.show]:
            u0, u1 = units[uid]
            print(f"    {uid:>5} {kinds[uid]:<14} {text[u0:u1][:100]!r}")
        totals["units"] += len(units)
        totals["sentences"] += len(by_sentence)
        totals["segments"] += len(by_segment)
    print(f"total: {totals['units']} units, swallowed by a sentence {totals['sentences']}, "
          f"by a segment {totals['segments']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
