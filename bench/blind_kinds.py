"""Kinds and themes of the project-labelled reports (``bench/gold``) scored by models that never trained on them.

    python bench/blind_kinds.py --cache /tmp/emb.npz [--json OUT] [--errors N]

The models are trained on the default sources (``models/goldset.DEFAULT_SOURCES``: ANCOLS dev reports and the
CRC report) and score the documents labelled in ``bench/gold`` (002, 004), which the training set must not
hold: the script refuses to run otherwise. Since issue 13's measurement these reports are no longer blind to
anyone tuning the models: the figures say how a change moves on them, not how it generalises.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ancols_nlp.models import goldset
from ancols_nlp.models.kinds import train as kind_train
from ancols_nlp.models.kinds.evaluate import DEFAULT_SCORER, evaluate, print_report, trained_models

GOLD = goldset.Source(Path("../shared/corpus"), Path("../shared/eval/dev"), Path("bench/gold"))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, help="npz memo of sentence embeddings")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON")
    ap.add_argument("--errors", type=int, default=0, help="print up to N wrong units per document")
    a = ap.parse_args(argv)
    train_docs = goldset.load_sources(goldset.DEFAULT_SOURCES)
    scored = goldset.load(GOLD.corpus, GOLD.gold, labels_dir=GOLD.labels_dir, source="bench")
    overlap = {d.name for d in train_docs} & {d.name for d in scored}
    if overlap:
        raise SystemExit(f"documents both trained on and scored: {sorted(overlap)}")
    embed = kind_train.CachedEmbed(path=a.cache)
    models = dict.fromkeys((d.name for d in scored), trained_models(train_docs, embed))
    result = evaluate(scored, models, scorer=DEFAULT_SCORER, show_errors=a.errors)
    print_report("bench/gold documents, models trained on the default sources only", result)
    if a.json:
        a.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
