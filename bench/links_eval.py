#!/usr/bin/env python3
"""Rebuttal links and stances on the dev links gold, offline (``process_text``, no HTTP service).

Scores like ``shared/eval/links_score.py`` (a gold rebuttal is linked when its covering segment is a
rebuttal whose ``responds_to`` holds a gold target), against the old rule (the nearest earlier finding
of the section) on the same segments, with the stance accuracy per gold stance. Then the two fitted
numbers of ``pipelines/links.py`` — the confidence calibration (a, b) and ``MIN_CONFIDENCE`` — are
refitted leave-one-document-out: fitted on one document's answers, scored on the other's.

    python bench/links_eval.py --corpus ../shared/corpus --gold ../shared/eval/dev [--json out.json]
    python bench/links_eval.py --corpus ../shared/corpus --gold ../shared/eval/dev --links bench/gold/links.tsv

(the second: the held-out links of 002 and 004, written blind from the text; units from ``--gold``).
"""

from __future__ import annotations

import argparse
import json
import math
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

from ancols_nlp.models.shipped import load_models
from ancols_nlp.pipelines import links
from ancols_nlp.pipelines.process import process_text
from ancols_nlp.pipelines.sentences import load_sentencizer
from ancols_nlp.pipelines.types import SourceText

GRID = [i / 20 for i in range(20)]  # thresholds tried


def overlap(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def load_gold(gold_dir: Path, links_file: Path | None = None
              ) -> dict[str, list[tuple[tuple[int, int], list[tuple[int, int]], str]]]:
    """Per document: (rebuttal span, target spans, stance) of each gold rebuttal of ``links_file`` (default
    ``gold_dir/links.tsv``), the units read from ``gold_dir``."""
    out = defaultdict(list)
    for line in (links_file or gold_dir / "links.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip():
            doc, unit, targets, gold_stance, _ = line.split("\t")
            units = {row.split("\t")[0]: (int(row.split("\t")[1]), int(row.split("\t")[2]))
                     for row in (gold_dir / f"{doc}.units.tsv").read_text(encoding="utf-8").splitlines() if row.strip()}
            out[doc].append((units[unit], [units[t] for t in targets.split(",") if t not in ("", "-")], gold_stance))
    return out


def covering(segments, span):
    """The rebuttal segment covering at least half of ``span``, as the scorer picks it, or None."""
    best = max(segments, key=lambda s: overlap(span, (s.start, s.end)))
    return best if best.kind == "rebuttal" and 2 * overlap(span, (best.start, best.end)) >= span[1] - span[0] else None


def target_ids(segments, spans) -> set[int]:
    return {s.id for s in segments for t in spans
            if 2 * overlap(t, (s.start, s.end)) >= min(t[1] - t[0], s.end - s.start)}


def nearest_finding(segments, at: int) -> list[int]:
    """The old rule: the nearest observation or recommendation before ``at`` in its section."""
    for j in range(at - 1, -1, -1):
        if segments[j].section_path != segments[at].section_path:
            return []
        if segments[j].kind in links.FINDINGS:
            return [j]
    return []


def score(items) -> dict:
    """links_score.py's figures over (found, predicted targets, gold targets, predicted stance, gold stance) items."""
    found = [i for i in items if i[0]]
    predicted = [i for i in found if i[1]]
    linked = [i for i in predicted if set(i[1]) & i[2]]
    top1 = [i for i in predicted if i[1][0] in i[2]]
    return {"gold_rebuttals": len(items), "found_as_rebuttal": len(found),
            "link_recall": round(len(linked) / len(items), 3),
            "link_precision": round(len(linked) / max(1, len(predicted)), 3),
            "top1_recall": round(len(top1) / len(items), 3),
            "targets_per_link": round(sum(len(i[1]) for i in predicted) / max(1, len(predicted)), 2),
            "stance_accuracy": round(sum(i[3] == i[4] for i in found) / max(1, len(found)), 3),
            "stance_per_gold": {s: f"{sum(i[3] == s for i in found if i[4] == s)}/{sum(i[4] == s for i in found)}"
                                for s in links.C.STANCES},
            "stance_confusion": dict(Counter(f"{i[4]}->{i[3]}" for i in found))}


def evaluate(docs, gold) -> tuple[dict, dict, dict]:
    """Figures of the shipped linking, of the old rule, and each document's candidates for the refit."""
    ours, old, candidates = [], [], {}
    for name, (segments, text) in docs.items():
        block_of = {i: (members, targets) for members, targets in
                    links.answer_targets(segments, text, limit=10**6, co_target=0.0) for i in members}
        rows = []
        for span, targets, gold_stance in gold[name]:
            segment, wanted = covering(segments, span), target_ids(segments, targets)
            if segment is None:
                ours.append((False, [], wanted, None, gold_stance))
                old.append((False, [], wanted, None, gold_stance))
                continue
            ours.append((True, segment.responds_to, wanted, segment.stance, gold_stance))
            old.append((True, nearest_finding(segments, segment.id), wanted, segment.stance, gold_stance))
            if segment.id in block_of:
                rows.append([(t.evidence.score(links.WEIGHTS), t.finding in wanted) for t in block_of[segment.id][1]])
        candidates[name] = rows
    return score(ours), score(old), candidates


def selected(ranked, a: float, b: float, threshold: float) -> list[bool]:
    """Which ranked candidates (score, right) link under calibration (a, b) and ``threshold``, as ``link_rebuttals``."""
    if not ranked:
        return []
    best = ranked[0][0]
    return [right for s, right in ranked[:links.MAX_TARGETS]
            if s >= links.CO_TARGET * best and 1 / (1 + math.exp(-(a * s + b))) >= threshold]


def fit(answers) -> tuple[float, float, float]:
    """Calibration (a, b) of the scores, then the highest ``GRID`` threshold keeping the most answers rightly linked."""
    pairs = [pair for ranked in answers for pair in ranked]
    model = LogisticRegression(C=1e6, max_iter=1000).fit(np.array([[s] for s, _ in pairs]), [r for _, r in pairs])
    a, b = float(model.coef_[0][0]), float(model.intercept_[0])
    right = {t: sum(any(selected(ranked, a, b, t)) for ranked in answers) for t in GRID}
    return round(a, 2), round(b, 2), max(t for t in GRID if right[t] == max(right.values()))


def held_out(answers, a: float, b: float, threshold: float) -> dict:
    kept = [selected(ranked, a, b, threshold) for ranked in answers]
    return {"answers": len(answers), "linked_rightly": sum(any(k) for k in kept), "linked": sum(bool(k) for k in kept)}


def measure(corpus: Path, gold_dir: Path, links_file: Path | None = None) -> tuple[dict, dict, dict]:
    """``evaluate`` on the gold's documents, each processed from its text as the service would."""
    gold = load_gold(gold_dir, links_file)
    nlp, models = load_sentencizer(), load_models()
    docs = {}
    for name in gold:
        text = (corpus / f"{name}.txt").read_text(encoding="utf-8")
        docs[name] = (process_text(SourceText(text, "text/plain"), nlp=nlp, models=models).segments, text)
    return evaluate(docs, gold)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--gold", type=Path, required=True)
    ap.add_argument("--links", type=Path, help="links file (default: GOLD/links.tsv)")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    ours, old, candidates = measure(args.corpus, args.gold, args.links)
    first, second = sorted(candidates)
    out = {"links": ours, "nearest_finding": old,
           "fit_all": dict(zip(("a", "b", "min_confidence"), fit(candidates[first] + candidates[second]))),
           "leave_one_document_out": {}}
    for fitted, tested in ((first, second), (second, first)):
        a, b, threshold = fit(candidates[fitted])
        out["leave_one_document_out"][f"fit {fitted} → {tested}"] = {
            "a": a, "b": b, "min_confidence": threshold, **held_out(candidates[tested], a, b, threshold),
            "at_shipped": held_out(candidates[tested], *links.CALIBRATION, links.MIN_CONFIDENCE)}
    print(json.dumps(out, indent=1, ensure_ascii=False))
    if args.json:
        args.json.write_text(json.dumps(out, indent=1, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
