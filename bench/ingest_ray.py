"""Ingestion throughput of ``ancols ingest`` plain against ``--ray`` with 1 and 2 workers.

The shared corpus is rendered as PDFs (tests/pdfgen.py: running headers, footers, page numbers),
then each mode ingests them into a fresh data directory, ``--runs`` times in turn so that the
machine's noise falls on every mode alike; the medians and their ratios to plain are printed.
Times are the whole command's, as a user waits for it: models loading and Ray's start included;
each round also times every mode on one short document, whose median is that fixed cost, and the
``net`` rates leave it out.
Every mode runs in a loopback-only network namespace (``unshare -n``, root), where Ray must run.

    python bench/ingest_ray.py [--corpus ../shared/corpus] [--chars 60000] [--runs 3] [--cpus N]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from pdfgen import corpus_paragraphs, make_pdf  # noqa: E402

from ancols_nlp.index.documents import DocumentStore  # noqa: E402

LOOPBACK_ONLY = ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "sh"]
MODES = {"plain": None, "ray, 1 worker": 1, "ray, 2 workers": 2}


def render(texts: list[Path], chars: int, out: Path) -> Path:
    out.mkdir()
    for text in texts:
        pdf = make_pdf(corpus_paragraphs(text, chars), header="Rapport de contrôle", footer="ANCOLS")
        (out / f"{text.stem}.pdf").write_bytes(pdf)
    return out


def run(inbox: Path, data_dir: Path, workers: int | None, cpus: int) -> float:
    command = [sys.executable, "-m", "ancols_nlp.service.cli", "--data-dir", str(data_dir), "ingest", str(inbox)]
    if workers:
        command.append("--ray")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ANCOLS_RAY_WORKERS": str(workers or 1),
           "ANCOLS_RAY_NUM_CPUS": str(cpus)}
    start = time.perf_counter()
    done = subprocess.run([*LOOPBACK_ONLY, *command], cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"bench: {' '.join(command)} failed:\n{done.stderr[-3000:]}")
    return seconds


def counts(data_dir: Path) -> tuple[int, int, int]:
    """(documents, pages, segments) stored."""
    meta = DocumentStore(data_dir / "ancols.sqlite3")
    try:
        docs = meta.documents(limit=10_000, offset=0)[0]
        return len(docs), sum(len(d.pages) for d in docs), sum(d.segment_count for d in docs)
    finally:
        meta.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    parser.add_argument("--chars", type=int, default=60_000, help="characters of each corpus text rendered")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cpus", type=int, default=max(2, os.cpu_count() or 1), help="logical CPUs of the local Ray")
    args = parser.parse_args()
    if os.geteuid() != 0:
        raise SystemExit("bench: run as root: Ray runs in a loopback-only network namespace (unshare -n)")

    with tempfile.TemporaryDirectory(prefix="ancols-bench-ray-") as tmp:
        texts = sorted(args.corpus.glob("*.txt"))
        inbox = render(texts, args.chars, Path(tmp) / "inbox")
        one = render(texts[:1], 3000, Path(tmp) / "one")
        times: dict[str, list[float]] = {mode: [] for mode in MODES}
        fixed: dict[str, list[float]] = {mode: [] for mode in MODES}
        stored: dict[str, tuple[int, int, int]] = {}
        for n in range(args.runs):
            for mode, workers in MODES.items():
                data_dir = Path(tmp) / f"{mode}-{n}".replace(" ", "").replace(",", "-")
                times[mode].append(run(inbox, data_dir, workers, args.cpus))
                stored[mode] = counts(data_dir)
                fixed[mode].append(run(one, data_dir.with_name(data_dir.name + "-one"), workers, args.cpus))
                print(f"run {n + 1} {mode}: {times[mode][-1]:.1f} s, one short document {fixed[mode][-1]:.1f} s",
                      file=sys.stderr)
    if len(set(stored.values())) != 1:
        raise SystemExit(f"bench: the modes stored different counts: {stored}")
    docs, pages, segments = stored["plain"]
    plain = statistics.median(times["plain"])
    rows = []
    for mode, seconds in times.items():
        median, start = statistics.median(seconds), statistics.median(fixed[mode])
        rows.append({"mode": mode, "median_s": round(median, 1), "runs_s": [round(s, 1) for s in seconds],
                     "pages_per_s": round(pages / median, 2), "docs_per_s": round(docs / median, 3),
                     "segments_per_s": round(segments / median, 1), "speedup_vs_plain": round(plain / median, 2),
                     "one_document_s": round(start, 1),
                     "net_pages_per_s": round(pages / (median - start), 2) if median > start else None})
    print(json.dumps({"documents": docs, "pages": pages, "segments": segments, "ray_cpus": args.cpus,
                      "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                      "modes": rows}, indent=2))


if __name__ == "__main__":
    main()
