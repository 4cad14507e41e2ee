#!/usr/bin/env python3
"""What opening a large store and writing to it cost, now that the snapshot is persisted and incremental.

Opens the store at ``--data`` (its saved base is loaded, not rebuilt), then ``--repeats`` times adds
one synthetic document of ``--segments`` segments (bench/synth.py, from the ``--source`` store's real
segments) and deletes it again, timing each call: the new snapshot is derived from the base plus a
delta holding that document. The store is left as it was found. Compare with the full rebuild time
that bench/synth.py prints (``snapshot_seconds``), which every write used to cost.

    python bench/write_cost.py --data /tmp/store1m --source /tmp/searchdata
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.store_latency import timed_open  # noqa: E402
from bench.synth import CITIES, FORMS, Source, synth_document  # noqa: E402
from ancols_nlp.models.embedding import load_embedder  # noqa: E402
from ancols_nlp.service.settings import Settings  # noqa: E402


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True)
    ap.add_argument("--source", type=Path, required=True)
    ap.add_argument("--segments", type=int, default=500)
    ap.add_argument("--repeats", type=int, default=3)
    a = ap.parse_args(argv)
    store, report = timed_open(a.data, load_embedder(Settings().embedding_model))
    report.update(add_seconds=[], delete_seconds=[])
    source = Source(a.source / "ancols.sqlite3")
    rng = np.random.default_rng(1)
    organisms = [form.format(city) for city in CITIES for form in FORMS]
    try:
        for n in range(a.repeats):
            doc, vectors, _, data = synth_document(source, rng, a.segments, organisms, 900_000 + n)
            t = time.perf_counter()
            added = store.add(doc, filename=f"write-cost-{n}.txt", data=data, vectors=vectors)
            report["add_seconds"].append(round(time.perf_counter() - t, 2))
            t = time.perf_counter()
            store.delete(added.id)
            report["delete_seconds"].append(round(time.perf_counter() - t, 2))
    finally:
        store.close()
    report["add_seconds_median"] = statistics.median(report["add_seconds"])
    report["delete_seconds_median"] = statistics.median(report["delete_seconds"])
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
