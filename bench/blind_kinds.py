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


def score_project_labelled(embed: kind_train.CachedEmbed, train: tuple[goldset.Source, ...] = goldset.DEFAULT_SOURCES,
                           labelled: goldset.Source = GOLD, show_errors: int = 0) -> dict:
    """The scorer's figures for ``labelled``'s documents, by models trained on ``train`` only."""
    train_docs = goldset.load_sources(train)
    scored = goldset.load(labelled.corpus, labelled.gold, labels_dir=labelled.labels_dir, source="bench")
    overlap = {d.name for d in train_docs} & {d.name for d in scored}
    if overlap:
        raise ValueError(f"documents both trained on and scored: {sorted(overlap)}")
    models = dict.fromkeys((d.name for d in scored), trained_models(train_docs, embed))
    return evaluate(scored, models, scorer=DEFAULT_SCORER, show_errors=show_errors)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cache", type=Path, help="npz memo of sentence embeddings")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON")
    ap.add_argument("--errors", type=int, default=0, help="print up to N wrong units per document")
    a = ap.parse_args(argv)
    try:
        result = score_project_labelled(kind_train.CachedEmbed(path=a.cache), show_errors=a.errors)
    except ValueError as e:
        raise SystemExit(str(e)) from None
    print_report("bench/gold documents, models trained on the default sources only", result)
    if a.json:
        a.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
