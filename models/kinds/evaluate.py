"""Offline evaluation of kinds and themes on the annotated dev documents, with the official scorer's functions.

    python -m ancols_nlp.models.kinds.evaluate            # the shipped models, as the service runs them
    python -m ancols_nlp.models.kinds.evaluate --lodo     # leave-one-document-out: each document scored by models that never saw it
    python -m ancols_nlp.models.kinds.evaluate --rules    # the rule classifier (the fallback), for comparison

It runs ``process_text`` on each dev document (no HTTP service needed) and scores the segments
with ``score_classification``/``summarize_conf`` of ``shared/eval/score.py``, so the figures are
those of the scorer (same unit → covering-segment rule).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

from ancols_nlp.models import goldset
from ancols_nlp.models.kinds import train as kind_train
from ancols_nlp.models.kinds.model import LinearKindModel
from ancols_nlp.models.kinds.stance import stance
from ancols_nlp.models.shipped import fallback_models, load_models
from ancols_nlp.models.themes import train as theme_train
from ancols_nlp.pipelines.process import process_text
from ancols_nlp.pipelines.protocols import Models
from ancols_nlp.pipelines.sentences import load_sentencizer
from ancols_nlp.pipelines.types import SourceText

DEFAULT_SCORER = Path("../shared/eval/score.py")


def load_scorer(path: Path):
    spec = importlib.util.spec_from_file_location("ancols_score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def segment_dicts(doc) -> list[dict]:
    return [{"kind": s.kind, "themes": s.themes, "start": s.start, "end": s.end} for s in doc.segments]


def evaluate(models: dict[str, Models], *, corpus: Path, gold: Path, scorer: Path,
             names: list[str] | None = None, show_errors: int = 0) -> dict:
    """Score the dev documents; ``models`` maps a document name to the models to process it with."""
    score = load_scorer(scorer)
    nlp = load_sentencizer()
    conf = {g: {p: 0 for p in score.KINDS} for g in score.KINDS}
    per_doc, hits, total = {}, 0, 0
    for path in sorted(corpus.glob("*.txt")):
        name = path.stem
        labels_path = gold / f"{name}.labels.tsv"
        if not labels_path.exists() or (names and name not in names):
            continue
        units = {r[0]: (int(r[1]), int(r[2])) for r in goldset.read_tsv(gold / f"{name}.units.tsv")}
        labels = {r[0]: (r[1], r[2]) for r in goldset.read_tsv(labels_path)}
        text = path.read_text(encoding="utf-8")
        doc = process_text(SourceText(text, "text/plain"), nlp=nlp, models=models[name])
        c, h, t = score.score_classification({u: units[u] for u in labels}, labels, segment_dicts(doc))
        for g in score.KINDS:
            for p in score.KINDS:
                conf[g][p] += c[g][p]
        hits, total = hits + h, total + t
        per_doc[name] = {"macro_f1": score.summarize_conf(c)["macro_f1"], "theme_top1": round(h / t, 3) if t else None}
        if show_errors:
            _print_errors(text, units, labels, doc, show_errors)
    report = score.summarize_conf(conf)
    report["confusion"] = conf
    return {"classification": report, "theme_top1_accuracy": round(hits / total, 3) if total else None,
            "theme_units": total, "documents": per_doc}


def _print_errors(text, units, labels, doc, limit):
    segs = sorted(doc.segments, key=lambda s: s.start)
    shown = 0
    for uid, (u0, u1) in units.items():
        if uid not in labels:
            continue
        best = max(segs, key=lambda s: max(0, min(u1, s.end) - max(u0, s.start)))
        kind, theme = labels[uid]
        pred = best.kind if 2 * max(0, min(u1, best.end) - max(u0, best.start)) >= u1 - u0 else "other"
        top = best.themes[0] if best.themes else "-"
        if pred != kind or (kind != "other" and theme != "none" and top != theme):
            print(f"  {uid:>5} gold={kind}/{theme} pred={pred}/{top}  {text[u0:u1][:140]!r}")
            shown += 1
            if shown >= limit:
                return


def print_report(title: str, result: dict) -> None:
    cls = result["classification"]
    print(f"\n== {title}")
    print(f"{'kind':16s}{'precision':>10s}{'recall':>8s}{'f1':>7s}{'support':>9s}")
    for k in ("observation", "recommendation", "rebuttal", "other"):
        r = cls[k]
        print(f"{k:16s}{r['precision']:>10.3f}{r['recall']:>8.3f}{r['f1']:>7.3f}{r['support']:>9d}")
    print(f"macro-F1 {cls['macro_f1']:.3f}   accuracy {cls['accuracy']:.3f}")
    print(f"theme top-1 accuracy {result['theme_top1_accuracy']} ({result['theme_units']} units)")
    for name, d in result["documents"].items():
        print(f"  {name}: macro-F1 {d['macro_f1']:.3f}  theme top-1 {d['theme_top1']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--lodo", action="store_true", help="leave-one-document-out: retrain both models without each document")
    mode.add_argument("--rules", action="store_true", help="rule classifier and lexicon tagger only")
    ap.add_argument("--cache", type=Path, help="npz memo of sentence embeddings (speeds up --lodo)")
    ap.add_argument("--errors", type=int, default=0, help="print up to N wrong units per document")
    ap.add_argument("--json", type=Path, help="also write the figures as JSON")
    ap.add_argument("--scorer", type=Path, default=DEFAULT_SCORER, help="the official scorer (score.py)")
    goldset.data_arguments(ap)
    a = ap.parse_args(argv)
    names = [p.stem for p in sorted(a.gold.glob("*.labels.tsv"))]
    names = [n.removesuffix(".labels") for n in names]
    paths = {"corpus": a.corpus, "gold": a.gold, "scorer": a.scorer}
    if a.rules:
        title = "rules (fallback classifier, lexicon themes)"
        result = evaluate(dict.fromkeys(names, fallback_models()), show_errors=a.errors, **paths)
    elif a.lodo:
        title = "leave-one-document-out"
        result = evaluate(leave_one_out_models(a.corpus, a.gold, a.cache), show_errors=a.errors, **paths)
    else:
        title = "shipped models (in-sample on the dev documents they were trained on)"
        result = evaluate(dict.fromkeys(names, load_models()), show_errors=a.errors, **paths)
    print_report(title, result)
    if a.json:
        a.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


def leave_one_out_models(corpus: Path, gold: Path, cache: Path | None) -> dict[str, Models]:
    """Kind and theme models, one pair per annotated document, each trained without it."""
    docs = goldset.load(corpus, gold)
    embed = kind_train.CachedEmbed(path=cache)
    kinds = kind_train.leave_one_out(kind_train.examples(docs, embed))
    themes = theme_train.leave_one_out(docs, embed)
    return {name: Models(kinds=LinearKindModel(params, embed), themes=themes[name], stance=stance)
            for name, params in kinds.items()}


if __name__ == "__main__":
    sys.exit(main())
