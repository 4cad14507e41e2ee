#!/usr/bin/env python3
"""Pooling for relevance judgements: the top k of several systems, turned into a sheet of gold units to grade.

Two steps, so that systems needing different stores (USE and e5 vectors) pool into one sheet:

    python bench/search_pool.py run --data DIR --queries Q.tsv --modes lexical semantic hybrid --out use.json
    ANCOLS_EMBEDDING_MODEL=multilingual-e5-small-q4 python bench/search_pool.py run --data DIR2 ... --out e5.json
    python bench/search_pool.py run --data DIR --queries Q.tsv --modes hybrid --grain sentence --out grain.json
    python bench/search_pool.py sheet use.json e5.json grain.json --queries Q.tsv > sheet.tsv

``run`` writes each system's top k passages (document, start, end) per query; with ``--grain sentence`` (the
service's results, ``index/grain.py``) each result's sentence and its whole passage, so that judging the sentence
grain judges its passages too. ``sheet`` lists, per query, every gold unit (``shared/eval/dev/<doc>.units.tsv``)
that a pooled passage covers as the scorer credits it, in document order and without saying which system found it
(so a judge grades meaning, not systems), with its text and a blank grade column: fill it with 0, 1 or 2 and
``qrels`` writes the graded units as ``<doc>.qrels.tsv`` files that ``search_eval.py --qrels`` reads.
To top up a judged set with a new system's results, ``sheet NEW.json --skip judged.tsv`` lists only the units
not yet graded; append them, graded, to ``judged.tsv`` and rerun ``qrels``.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import search_eval  # noqa: E402

from ancols_nlp.index.grain import search as grain_search  # noqa: E402
from ancols_nlp.index.query import Filters  # noqa: E402
from ancols_nlp.service.runtime import Runtime  # noqa: E402
from ancols_nlp.service.settings import Settings  # noqa: E402


def run(a) -> None:
    settings = Settings(data_dir=a.data)
    runtime = Runtime.from_settings(settings)
    try:
        by_id = {v: k for k, v in search_eval.ingest(runtime, a.corpus).items()}
        queries = search_eval.read_queries(a.queries)
        store = runtime.store
        pooled = {}
        for mode in a.modes:
            params = replace(store.params, mode=mode)
            system = f"{mode}/{settings.embedding_model}/{a.grain}"
            for qid, text in queries.items():
                _, shown = grain_search(store, text, k=a.k, filters=Filters(), params=params, grain=a.grain)
                pooled.setdefault(system, {})[qid] = [
                    (by_id[p.row.document_id], start, end)
                    for p in shown for start, end in dict.fromkeys(((p.start, p.end), (p.row.start, p.row.end)))]
        a.out.write_text(json.dumps(pooled, indent=1))
    finally:
        runtime.close()


def sheet(a) -> None:
    score = search_eval.load_score(a.score)
    queries = search_eval.read_queries(a.queries)
    units = {p.name.split(".")[0]: {r[0]: (int(r[1]), int(r[2])) for r in score.read_tsv(p)}
             for p in a.gold.glob("*.units.tsv")}
    texts = {p.stem: p.read_text(encoding="utf-8") for p in a.corpus.glob("*.txt")}
    pooled: dict[str, set] = {}
    judged = set()
    if a.skip:
        with a.skip.open(encoding="utf-8") as f:
            judged = {(qid, doc, uid) for qid, doc, uid, *_ in csv.reader(f, delimiter="\t") if doc}
    for path in a.runs:
        for ranking in json.loads(path.read_text()).values():
            for qid, passages in ranking.items():
                for doc, r0, r1 in passages:
                    r1 = min(r1, r0 + score.MAX_PASSAGE)
                    pooled.setdefault(qid, set()).update(
                        (doc, uid) for uid, (u0, u1) in units[doc].items()
                        if score.overlap(u0, u1, r0, r1) * 2 >= min(u1 - u0, r1 - r0))
    out = csv.writer(sys.stdout, delimiter="\t", lineterminator="\n")
    out.writerow(["query_id", "doc", "unit_id", "grade", "query / unit text"])
    for qid, text in queries.items():
        out.writerow([qid, "", "", "", f"### {text}"])
        for doc, uid in sorted(pooled.get(qid, ()), key=lambda du: (du[0], units[du[0]][du[1]][0])):
            if (qid, doc, uid) in judged:
                continue
            u0, u1 = units[doc][uid]
            out.writerow([qid, doc, uid, "", " ".join(texts[doc][u0:u1].split())[:400]])


def qrels(a) -> None:
    """The graded sheet's units of grade 1 and 2, one ``<doc>.qrels.tsv`` per document (query, unit, grade)."""
    rows: dict[str, list] = {}
    with a.sheet.open(encoding="utf-8") as f:
        for qid, doc, uid, grade, *_ in csv.reader(f, delimiter="\t"):
            if doc and grade in ("1", "2"):
                rows.setdefault(doc, []).append((qid, uid, grade))
    a.out.mkdir(parents=True, exist_ok=True)
    for doc, lines in sorted(rows.items()):
        (a.out / f"{doc}.qrels.tsv").write_text("".join("\t".join(r) + "\n" for r in lines), encoding="utf-8")


def main(argv=None) -> int:
    shared = search_eval.REPO.parent / "shared"
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="step", required=True)
    r = sub.add_parser("run", help="each mode's top k per query, on the store the settings name")
    r.add_argument("--data", type=Path, required=True)
    r.add_argument("--corpus", type=Path, default=shared / "corpus")
    r.add_argument("--queries", type=Path, required=True)
    r.add_argument("--modes", nargs="+", default=list(search_eval.MODES), choices=search_eval.MODES)
    r.add_argument("-k", type=int, default=10)
    r.add_argument("--grain", choices=("passage", "sentence"), default="passage",
                   help="what a result is: a passage, or a sentence pooled with its passage (index/grain.py)")
    r.add_argument("--out", type=Path, required=True)
    s = sub.add_parser("sheet", help="the pooled gold units to grade, per query, systems hidden")
    s.add_argument("runs", type=Path, nargs="+")
    s.add_argument("--queries", type=Path, required=True)
    s.add_argument("--corpus", type=Path, default=shared / "corpus")
    s.add_argument("--gold", type=Path, default=shared / "eval" / "dev", help="where the units files are")
    s.add_argument("--score", type=Path, default=shared / "eval" / "score.py")
    s.add_argument("--skip", type=Path, metavar="JUDGED",
                   help="leave out the units this graded sheet holds (a top-up: only what a new system adds)")
    q = sub.add_parser("qrels", help="a graded sheet → <doc>.qrels.tsv files")
    q.add_argument("sheet", type=Path)
    q.add_argument("--out", type=Path, required=True)
    a = ap.parse_args(argv)
    {"run": run, "sheet": sheet, "qrels": qrels}[a.step](a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
