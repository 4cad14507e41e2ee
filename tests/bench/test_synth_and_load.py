"""The scale benchmark's tools at a tiny size: the synthetic store generator makes a sane store from real
segments, the same one in PostgreSQL through the store interface, and the load generator measures a
live service on it without errors."""

from __future__ import annotations

import asyncio
import json

import numpy as np

from bench import load, synth
from ancols_nlp.index.postgres.store import PgStore
from ancols_nlp.index.query import Filters, SearchParams
from ancols_nlp.index.store import Store
from live import Server
from pg import new_database
from tests.index.conftest import HashEmbedder, make_document
from tests.index.test_snapshot import corpus_documents


def _source(folder, corpus_dir) -> set[str]:
    """A small source store of real corpus paragraphs and a table row; its segment texts."""
    source = Store(folder, HashEmbedder())
    for n, (data, doc) in enumerate(corpus_documents(corpus_dir, count=2, size=80)):
        source.add(doc, filename=f"d{n}.txt", data=data)
    source.add(make_document([("| Taux de vacance | 5,4 | 7,5 |", "other", "table_row", "Vacance")]),
               filename="t.txt", data=b"t")
    try:
        return set(_texts(source))
    finally:
        source.close()


def _texts(store) -> list[str]:
    """Segment texts, documents by filename, segments in order."""
    docs = sorted(store.meta.documents(limit=100, offset=0)[0], key=lambda d: d.filename)
    return [s.text for d in docs for s in store.meta.segments_of(d.id, limit=1000, offset=0)[0]]


def _ranking(store, query: str) -> list[tuple[str, float]]:
    out = store.search(query, k=10, filters=Filters(), params=SearchParams(mode="lexical"))
    return [(out.rows[h.id].text, round(h.score, 4)) for h in out.hits]


def test_synthetic_store_and_load(tmp_path, corpus_dir):
    embedder = HashEmbedder()
    real = _source(tmp_path / "source", corpus_dir)

    report = synth.build(tmp_path / "source", tmp_path / "synth", segments=600, per_document=100, seed=1)
    assert report["segments"] == 600 and 4 <= report["documents"] <= 12
    store = Store(tmp_path / "synth", embedder)
    try:
        docs, total = store.meta.documents(limit=100, offset=0)
        assert total == report["documents"] and store.stats().segments == 600
        assert {d.meta["organism"] for d in docs} <= {f.format(c) for c in synth.CITIES for f in synth.FORMS}
        assert all(2010 <= d.meta["year"] <= 2024 for d in docs)
        segments = [s for d in docs for s in store.meta.segments_of(d.id, limit=1000, offset=0)[0]]
        # Every synthetic text is one real sentence, two joined, or a real table row with redrawn figures.
        joined = [s.text for s in segments if s.text not in real]
        assert joined and all(any(s.text.startswith(r) for r in real) or s.block == "table_row" for s in segments)
        vectors = store.snapshot.vectors_of([s.uid for s in segments[:50]])
        assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
        out = store.search("vacance", k=5, filters=Filters(), params=SearchParams(mode="lexical"))
        assert out.hits
    finally:
        store.close()

    server = Server(tmp_path / "synth")
    try:
        requests = load.queries(load.REPO.parent / "shared" / "eval" / "dev" / "queries.tsv", seed=0)
        assert len(requests) == 60 and any("kind" in r or "year_min" in r for r in requests)
        distinct = load.distinct_queries(load.REPO.parent / "shared" / "eval" / "dev" / "queries.tsv", 0, 2000)
        assert len({r["q"] for r in distinct}) == 2000 and 300 < sum("kind" in r or "year_min" in r
                                                                      for r in distinct) < 500
        served = load.cpu_seconds(server.proc.pid)
        result = asyncio.run(load.run(server.base, "lexical", requests, clients=4, count=40, seconds=120))
        assert result["ok"] == 40 and not result["errors"]
        assert load.cpu_seconds(server.proc.pid) > served  # the service's CPU, read from /proc, grew with the load
        assert 0 < result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"] and result["throughput_rps"] > 0
        memory = load.memory_mb(server.proc.pid)  # the service and each process under it (none with one worker)
        assert str(server.proc.pid) in memory and all(set(m) == {"VmRSS", "VmHWM"} for m in memory.values())
        assert load.family(server.proc.pid)[0] == server.proc.pid
        json.dumps(result)
    finally:
        server.kill()


def test_the_same_synthetic_documents_fill_postgresql_through_the_store_interface(tmp_path, corpus_dir, postgres):
    _source(tmp_path / "source", corpus_dir)
    embedded = synth.build(tmp_path / "source", tmp_path / "synth", segments=300, per_document=60, seed=2)
    pg = PgStore(new_database(postgres), HashEmbedder())
    store = Store(tmp_path / "synth", HashEmbedder())
    try:
        report = synth.fill(pg, tmp_path / "source", segments=300, per_document=60, seed=2)
        assert report["segments"] == 300 and report["documents"] == embedded["documents"] >= 3
        assert pg.stats().segments == 300 and _texts(pg) == _texts(store)
        assert pg.organisms() == store.organisms()
        # The fast path stores the terms the store's own analysis gives: both rank alike.
        for query in ("vacance des logements", "conseil d'administration"):
            assert _ranking(pg, query) == _ranking(store, query) != []
    finally:
        pg.close()
        store.close()
