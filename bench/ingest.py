#!/usr/bin/env python3
"""Ingestion speed: a generated 100-page report PDF and the shared corpus, stage by stage.

A document goes the service's way (``runtime.process_document``: sandboxed extraction, layout,
sentences, kinds, themes, links; then ``Store.add``: passage vectors and terms) into a fresh
store, with the models loaded beforehand as in a running service. Each stage is timed by
wrapping the function that does it, so the same measurement runs on any revision of the
code: ``--baseline REV`` exports that revision to a temporary directory and measures it in
the same session, then checks that both revisions gave the same text and the same segments
(offsets, kinds, themes, links). Medians of ``--runs`` runs; the wall time is shown with the
process's CPU time (main process only: the sandboxed extraction is a child), which stays
meaningful when other jobs share the cores.

    python bench/ingest.py [--pages 100] [--runs 3] [--baseline 14252f0] [--corpus]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections import defaultdict
from io import BytesIO
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
# Stage name → (module, function) whose calls make up the stage, then where older revisions kept it (the theme
# step was a module-global tagger before the pipeline received its models): the first that exists is timed.
STAGES = {
    "extract": [("ancols_nlp.service.runtime", "extract"), ("ancols_nlp.pipelines.process", "extract")],
    "layout": [("ancols_nlp.pipelines.process.layout", "blocks")],
    "sentences": [("ancols_nlp.pipelines.process", "split_sentences")],
    "kinds": [("ancols_nlp.models.kinds.model.LinearKindModel", "__call__")],
    "themes": [("ancols_nlp.pipelines.process", "tag_segments"),
               ("ancols_nlp.pipelines.process.tagger", "tag_segments")],
    "store": [("ancols_nlp.index.store.Store", "add")],
}
NESTED = {"embedding": [("ancols_nlp.models.embedding.Embedder", "_encode")]}  # inside kinds, themes and store


def report_pdf(pages: int) -> bytes:
    """Corpus text printed as a report of ``pages`` pages (running header, footer, page numbers)."""
    sys.path.insert(0, str(REPO / "tests"))
    from pdfgen import corpus_paragraphs, render_pdf

    paragraphs = [p for path in sorted(CORPUS.glob("*.txt")) for p in corpus_paragraphs(path, 10**7)]
    render = lambda k: render_pdf(paragraphs[:k],  # noqa: E731
                                  header="ANCOLS – Rapport définitif de contrôle n° 2019-123",
                                  footer="Société anonyme d'HLM – Rapport définitif")
    count = len(paragraphs) * pages // 130  # about 14 paragraphs a page; corrected below
    for _ in range(6):
        printed = render(count).page_count
        if printed == pages:
            break
        count = max(1, min(len(paragraphs),
                           count + (count * (pages - printed)) // max(printed, 1) or (1 if printed < pages else -1)))
    rendered = render(count)
    if rendered.page_count != pages:
        raise SystemExit(f"bench: could not print exactly {pages} pages (got {rendered.page_count})")
    return rendered.data


def _resolve(dotted: str):
    import importlib

    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            target = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for attr in parts[cut:]:
            target = getattr(target, attr)
        return target
    raise ImportError(dotted)


def _first_existing(places: list[tuple[str, str]]):
    """The (holder, attribute name) of the first place this revision has."""
    for owner, name in places:
        try:
            holder = _resolve(owner)
        except (ImportError, AttributeError):
            continue
        if hasattr(holder, name):
            return holder, name
    raise ImportError(f"none of {places} exists in this revision")


def _instrument(spent: dict[str, float]) -> None:
    for stage, places in {**STAGES, **NESTED}.items():
        holder, name = _first_existing(places)
        original = getattr(holder, name)

        def timed(*args, __original=original, __stage=stage, **kwargs):
            start = time.perf_counter()
            try:
                return __original(*args, **kwargs)
            finally:
                spent[__stage] += time.perf_counter() - start

        setattr(holder, name, timed)


def worker(files: list[Path], runs: int) -> dict:
    """Runs inside the measured revision (its directory first on sys.path)."""
    from ancols_nlp.models import sentence_memo
    from ancols_nlp.service.runtime import Runtime
    from ancols_nlp.service.settings import Settings

    spent: dict[str, float] = defaultdict(float)
    _instrument(spent)
    documents = [(path.name, path.read_bytes()) for path in files]
    results, signature = [], None
    for run in range(runs + 1):  # run 0 warms up the models and the sandbox, and is not counted
        sentence_memo._memo.clear()  # the classifiers' sentence memo would otherwise skip run 2's work
        spent.clear()
        with tempfile.TemporaryDirectory() as data_dir:
            runtime = Runtime.from_settings(Settings(data_dir=Path(data_dir), max_pdf_pages=2000))
            wall, cpu = time.perf_counter(), time.process_time()
            processed = []
            for name, data in documents:
                doc = runtime.process(data, name)
                runtime.store.add(doc, filename=name, data=data)
                processed.append(doc)
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            runtime.close()
        if run:
            results.append({"wall": wall, "cpu": cpu, **spent})
        signature = [[hashlib.sha256(doc.source.text.encode()).hexdigest(),
                      [(s.start, s.end, s.kind, s.themes, s.responds_to) for s in doc.segments]] for doc in processed]
    pages = sum(len(doc.source.pages) or 0 for doc in processed)
    segments = sum(len(doc.segments) for doc in processed)
    medians = {key: statistics.median(r[key] for r in results) for key in results[0]}
    return {"medians": medians, "runs": results, "pages": pages, "segments": segments,
            "chars": sum(len(doc.source.text) for doc in processed), "signature": signature}


def measure(tree: Path, files: list[Path], runs: int) -> dict:
    """One revision measured in its own process, so its modules are the ones imported.

    The tree is imported as ``ancols_nlp`` through a link in a folder put first on the path, ahead of
    the installed package; so a baseline revision must have that layout (the one package)."""
    with tempfile.TemporaryDirectory(prefix="ancols-rev-") as folder:
        (Path(folder) / "ancols_nlp").symlink_to(tree.resolve(), target_is_directory=True)
        env = {**os.environ, "PYTHONPATH": folder}
        code = (f"import sys, json; sys.path.insert(0, {folder!r}); sys.path.insert(1, {str(REPO / 'bench')!r});"
                f"from pathlib import Path; import ingest;"
                f"print(json.dumps(ingest.worker([Path(p) for p in {[str(f) for f in files]!r}], {runs})))")
        done = subprocess.run([sys.executable, "-c", code], env=env, cwd=tree, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"bench: the measurement in {tree} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def export(revision: str, into: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(REPO), "archive", revision], capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into


def table(title: str, measured: dict[str, dict]) -> str:
    names = list(measured)
    keys = ["wall", "cpu", *STAGES, *NESTED]
    lines = [f"### {title}", "", "| median s | " + " | ".join(names) + (" | ratio |" if len(names) == 2 else " |"),
             "|---" * (len(names) + 1 + (len(names) == 2)) + "|"]
    for key in keys:
        values = [measured[n]["medians"].get(key, 0.0) for n in names]
        ratio = (f" {values[0] / values[1]:.2f}× |" if len(names) == 2 and values[1]
                 else (" |" if len(names) == 2 else ""))
        lines.append(f"| {key} | " + " | ".join(f"{v:.2f}" for v in values) + " |" + ratio)
    for n in names:
        m = measured[n]
        walls = ", ".join(f"{r['wall']:.2f}" for r in m["runs"])
        lines.append("")
        lines.append(f"{n}: {m['pages']} pages, {m['segments']} segments, {m['chars']} chars → "
                     f"{m['pages'] / m['medians']['wall']:.1f} pages/s, "
                     f"{m['segments'] / m['medians']['wall']:.0f} segments/s "
                     f"(wall of each run: {walls})")
    if len(names) == 2:
        same = measured[names[0]]["signature"] == measured[names[1]]["signature"]
        lines.append(f"\nsame text and segments (offsets, kinds, themes, links) in both: {'yes' if same else 'NO'}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=100, help="pages of the generated report (default 100)")
    parser.add_argument("--runs", type=int, default=3, help="measured runs per revision, after one warm-up")
    parser.add_argument("--baseline", help="git revision to measure too, e.g. the one before the speed work")
    parser.add_argument("--corpus", action="store_true", help="also ingest the five corpus texts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "report.pdf"
        pdf.write_bytes(report_pdf(args.pages))
        trees = {"current": REPO}
        if args.baseline:
            trees = {f"baseline {args.baseline}": export(args.baseline, Path(tmp) / "baseline"), **trees}
        print(f"machine: {os.cpu_count()} cores, load average at start {os.getloadavg()[0]:.1f}")
        suites = [(f"{args.pages}-page generated report PDF", [pdf])]
        if args.corpus:
            suites.append(("corpus: 5 texts", sorted(CORPUS.glob("*.txt"))))
        for title, files in suites:
            measured = {name: measure(tree, files, args.runs) for name, tree in trees.items()}
            print(table(title, measured) + "\n")
        print(f"load average at end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
