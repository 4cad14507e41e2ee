"""Offline evaluation of kinds and themes on every labelled source, with the official scorer's functions.

    python -m ancols_nlp.models.kinds.evaluate              # held out first, then in-sample (all three below)
    python -m ancols_nlp.models.kinds.evaluate --lodo       # leave-one-document-out over all labelled documents
    python -m ancols_nlp.models.kinds.evaluate --cross      # trained on the ANCOLS source, scored on the others (CRC)
    python -m ancols_nlp.models.kinds.evaluate --in-sample  # the shipped models, on documents they were trained on
    python -m ancols_nlp.models.kinds.evaluate --rules      # the rule classifier (the fallback), for comparison

It runs ``process_text`` on each labelled document (no HTTP service needed) and scores the
segments with ``score_classification``/``summarize_conf`` of ``shared/eval/score.py``, so the
figures are those of the scorer (same unit → covering-segment rule). Figures are pooled over all
documents, per source (``dev`` = unseen ANCOLS reports under ``--lodo``) and per document.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from ancols_nlp.models import goldset
from ancols_nlp.models.kinds import train as kind_train
from ancols_nlp.models.kinds.model import LinearKindModel
from ancols_nlp.models.kinds.stance import stance
from ancols_nlp.models.shipped import fallback_models, load_models
from ancols_nlp.models.themes import train as theme_train
from ancols_nlp.models.themes.model import LinearThemeModel
from ancols_nlp.pipelines.process import process_text
from ancols_nlp.pipelines.protocols import Models
from ancols_nlp.pipelines.sentences import load_sentencizer
from ancols_nlp.pipelines.types import SourceText

DEFAULT_SCORER = Path("../shared/eval/score.py")
STATEMENT_ORDER = ("observation", "recommendation", "rebuttal", "other")


def load_scorer(path: Path):
    spec = importlib.util.spec_from_file_location("ancols_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def segment_dicts(doc) -> list[dict]:
    return [{"kind": s.kind, "themes": s.themes, "start": s.start, "end": s.end} for s in doc.segments]


class _Tally:
    """A confusion matrix and theme hits, summed over documents."""

    def __init__(self, score) -> None:
        self.score = score
        self.conf = {g: {p: 0 for p in score.KINDS} for g in score.KINDS}
        self.hits = self.total = 0

    def add(self, conf: dict, hits: int, total: int) -> None:
        for g in self.score.KINDS:
            for p in self.score.KINDS:
                self.conf[g][p] += conf[g][p]
        self.hits, self.total = self.hits + hits, self.total + total

    def report(self) -> dict:
        cls = self.score.summarize_conf(self.conf)
        cls["confusion"] = self.conf
        return {"classification": cls, "theme_top1_accuracy": round(self.hits / self.total, 3) if self.total else None,
                "theme_units": self.total}


def evaluate(docs: Sequence[goldset.GoldDocument], models: dict[str, Models], *, scorer: Path,
             show_errors: int = 0) -> dict:
    """Score ``docs``; ``models`` maps a document name to the models to process it with (others are skipped).

    Returns the pooled figures, ``sources`` (pooled per source) and ``documents`` (per document)."""
    score = load_scorer(scorer)
    nlp = load_sentencizer()
    pooled, by_source, per_doc = _Tally(score), {}, {}
    for gold in docs:
        if gold.name not in models:
            continue
        doc = process_text(SourceText(gold.text, "text/plain"), nlp=nlp, models=models[gold.name])
        units = {u: gold.units[u] for u in gold.labels}
        conf, hits, total = score.score_classification(units, gold.labels, segment_dicts(doc))
        pooled.add(conf, hits, total)
        by_source.setdefault(gold.source, _Tally(score)).add(conf, hits, total)
        one = _Tally(score)
        one.add(conf, hits, total)
        per_doc[gold.name] = {"source": gold.source, **one.report()}
        if show_errors:
            _print_errors(gold.text, units, gold.labels, doc, show_errors)
    return {**pooled.report(), "sources": {name: t.report() for name, t in by_source.items()}, "documents": per_doc}


def _print_errors(text, units, labels, doc, limit):
    segs = sorted(doc.segments, key=lambda s: s.start)
    shown = 0
    for uid, (u0, u1) in units.items():
        best = max(segs, key=lambda s: max(0, min(u1, s.end) - max(u0, s.start)))
        kind, theme = labels[uid]
        pred = best.kind if 2 * max(0, min(u1, best.end) - max(u0, best.start)) >= u1 - u0 else "other"
        top = best.themes[0] if best.themes else "-"
        if pred != kind or (kind != "other" and theme != "none" and top != theme):
            print(f"  {uid:>5} gold={kind}/{theme} pred={pred}/{top}  {text[u0:u1][:140]!r}")
            shown += 1
            if shown >= limit:
                return


def _print_figures(label: str, result: dict) -> None:
    cls = result["classification"]
    kinds = "  ".join(f"{k[:3]} {cls[k]['f1']:.3f}" for k in STATEMENT_ORDER)
    print(f"  {label:28s} macro-F1 {cls['macro_f1']:.3f}  ({kinds})  theme {result['theme_top1_accuracy']}")


def print_report(title: str, result: dict) -> None:
    cls = result["classification"]
    print(f"\n== {title}")
    print(f"{'kind':16s}{'precision':>10s}{'recall':>8s}{'f1':>7s}{'support':>9s}")
    for k in STATEMENT_ORDER:
        r = cls[k]
        print(f"{k:16s}{r['precision']:>10.3f}{r['recall']:>8.3f}{r['f1']:>7.3f}{r['support']:>9d}")
    print(f"macro-F1 {cls['macro_f1']:.3f}   accuracy {cls['accuracy']:.3f}")
    print(f"theme top-1 accuracy {result['theme_top1_accuracy']} ({result['theme_units']} units)")
    for name, part in result["sources"].items():
        _print_figures(f"source {name}", part)
    for name, part in result["documents"].items():
        _print_figures(name, part)


def leave_one_out_models(docs: Sequence[goldset.GoldDocument], embed) -> dict[str, Models]:
    """Kind and theme models, one pair per labelled document, each trained on all the others (every source)."""
    kinds = kind_train.leave_one_out(kind_train.examples(docs, embed))
    themes = theme_train.leave_one_out(docs, embed)
    return {name: Models(kinds=LinearKindModel(params, embed), themes=themes[name], stance=stance)
            for name, params in kinds.items()}


def trained_models(seen: Sequence[goldset.GoldDocument], embed) -> Models:
    """Kind and theme models trained on ``seen``."""
    themes = theme_train.fit([theme_train.gold_passages(d) for d in seen], embed)
    return Models(kinds=LinearKindModel(kind_train.train(kind_train.examples(seen, embed)), embed),
                  themes=LinearThemeModel(themes, embed), stance=stance)


def cross_source_models(docs: Sequence[goldset.GoldDocument], embed, reference: str) -> dict[str, Models]:
    """Kind and theme models trained on the ``reference`` source only, for each document of the other sources."""
    models = trained_models([d for d in docs if d.source == reference], embed)
    return dict.fromkeys((d.name for d in docs if d.source != reference), models)


def held_out(docs: Sequence[goldset.GoldDocument], embed, *, scorer: Path, reference: str,
             show_errors: int = 0) -> dict[str, dict]:
    """Both held-out evaluations: ``lodo`` (every document unseen in turn) and ``cross`` (an unseen control body)."""
    lodo = evaluate(docs, leave_one_out_models(docs, embed), scorer=scorer, show_errors=show_errors)
    cross = evaluate(docs, cross_source_models(docs, embed, reference), scorer=scorer, show_errors=show_errors)
    return {"lodo": lodo, "cross": cross}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lodo", action="store_true", help="leave-one-document-out over every labelled document")
    ap.add_argument("--cross", action="store_true", help="trained on the first source, scored on the others")
    ap.add_argument("--in-sample", action="store_true", help="the shipped models (trained on these documents)")
    ap.add_argument("--rules", action="store_true", help="rule classifier and lexicon tagger only")
    ap.add_argument("--cache", type=Path, help="npz memo of sentence embeddings (speeds up retraining)")
    ap.add_argument("--errors", type=int, default=0, help="print up to N wrong units per document")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON")
    ap.add_argument("--scorer", type=Path, default=DEFAULT_SCORER, help="the official scorer (score.py)")
    goldset.data_arguments(ap)
    a = ap.parse_args(argv)
    sources = goldset.sources(a)
    docs = goldset.load_sources(sources)
    names = [d.name for d in docs]
    embed = kind_train.CachedEmbed(path=a.cache)
    if not (a.lodo or a.cross or a.in_sample or a.rules):
        a.lodo = a.cross = a.in_sample = True
    runs: dict[str, dict] = {}
    common = {"scorer": a.scorer, "show_errors": a.errors}
    if a.lodo:
        runs["leave-one-document-out (every labelled document, each unseen)"] = evaluate(
            docs, leave_one_out_models(docs, embed), **common)
    if a.cross:
        runs[f"trained on {sources[0].name} only, scored on the other sources"] = evaluate(
            docs, cross_source_models(docs, embed, sources[0].name), **common)
    if a.in_sample:
        runs["IN-SAMPLE: shipped models, on the documents they were trained on"] = evaluate(
            docs, dict.fromkeys(names, load_models()), **common)
    if a.rules:
        runs["rules (fallback classifier, lexicon themes)"] = evaluate(
            docs, dict.fromkeys(names, fallback_models()), **common)
    for title, result in runs.items():
        print_report(title, result)
    if a.json:
        a.json.write_text(json.dumps(runs, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
