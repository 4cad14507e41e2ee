"""The scale benchmark's tools at a tiny size: the synthetic store generator makes a sane store from real
segments, and the load generator measures a live service on it without errors."""

from __future__ import annotations

import asyncio
import json

import numpy as np

from bench import load, synth
from index.search import Filters, SearchParams
from index.store import Store
from live import Server
from tests.index.conftest import HashEmbedder, make_document
from tests.index.test_snapshot import corpus_documents


def test_synthetic_store_and_load(tmp_path, corpus_dir):
    embedder = HashEmbedder()
    source = Store(tmp_path / "source", embedder)
    for n, (data, doc) in enumerate(corpus_documents(corpus_dir, count=2, size=80)):
        source.add(doc, filename=f"d{n}.txt", data=data)
    source.add(make_document([("| Taux de vacance | 5,4 | 7,5 |", "other", "table_row", "Vacance")]),
               filename="t.txt", data=b"t")
    real = {r["text"] for d in source.meta.documents(limit=10, offset=0)[0]
            for r in source.meta.segments_of(d["id"], limit=1000, offset=0)[0]}
    source.close()

    report = synth.build(tmp_path / "source", tmp_path / "synth", segments=600, per_document=100, seed=1)
    assert report["segments"] == 600 and 4 <= report["documents"] <= 12
    store = Store(tmp_path / "synth", embedder)
    try:
        docs, total = store.meta.documents(limit=100, offset=0)
        assert total == report["documents"] and store.stats().segments == 600
        assert {d["meta"]["organism"] for d in docs} <= {f.format(c) for c in synth.CITIES for f in synth.FORMS}
        assert all(2010 <= d["meta"]["year"] <= 2024 for d in docs)
        segments = [s for d in docs for s in store.meta.segments_of(d["id"], limit=1000, offset=0)[0]]
        # Every synthetic text is one real sentence, two joined, or a real table row with redrawn figures.
        joined = [s["text"] for s in segments if s["text"] not in real]
        assert joined and all(any(s["text"].startswith(r) for r in real) or s["block"] == "table_row" for s in segments)
        vectors = store.snapshot.vectors_of([s["uid"] for s in segments[:50]])
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
        out = store.search("vacance", k=5, filters=Filters(), params=SearchParams(mode="lexical"))
        assert out.hits
    finally:
        store.close()

    server = Server(tmp_path / "synth")
    try:
        requests = load.queries(load.REPO.parent / "shared" / "eval" / "dev" / "queries.tsv", seed=0)
        assert len(requests) == 60 and any("kind" in r or "year_min" in r for r in requests)
        result = asyncio.run(load.run(server.base, "lexical", requests, clients=4, count=40, seconds=120))
        assert result["ok"] == 40 and not result["errors"]
        assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"] and result["throughput_rps"] > 0
        assert set(load.memory_mb(server.proc.pid)) == {"VmRSS", "VmHWM"}
        json.dumps(result)
    finally:
        server.kill()
