"""SIGKILL during ingestion: after a restart every acknowledged document is whole and nothing partial shows."""

import threading
import time
import urllib.parse

import pytest

from live import Server, call, upload


@pytest.fixture
def data_dir(tmp_path):
    return tmp_path / "data"


def test_kill_during_ingestion_loses_nothing_acknowledged(data_dir, corpus_dir):
    files = sorted(corpus_dir.glob("*.txt"))
    server = Server(data_dir)
    acknowledged = {f.name: upload(server.base, f.name, f.read_bytes()) for f in files[:2]}

    # Ingest the rest in the background and kill the server while it works.
    outcomes: list = []
    def ingest_rest():
        for f in files[2:]:
            try:
                outcomes.append((f.name, upload(server.base, f.name, f.read_bytes())))
            except OSError as exc:
                outcomes.append((f.name, exc))
    worker = threading.Thread(target=ingest_rest)
    worker.start()
    time.sleep(2.5)
    server.kill()
    worker.join()
    acknowledged.update({name: r for name, r in outcomes if isinstance(r, dict)})
    assert len(acknowledged) < len(files), "the kill came too late to interrupt an ingestion"

    server = Server(data_dir)
    try:
        listing = call(server.base + "/documents?limit=100")
        stored = {d["id"]: d for d in listing["documents"]}
        for name, created in acknowledged.items():
            assert created["id"] in stored, f"acknowledged {name} was lost"
        for doc_id, doc in stored.items():
            segments = call(f"{server.base}/documents/{doc_id}/segments?limit=100000")["segments"]
            assert len(segments) == doc["segment_count"] > 0  # whole, never partial
        hits = call(server.base + "/search?" + urllib.parse.urlencode({"q": "conseil d'administration", "k": 50}))
        assert {r["document_id"] for r in hits["results"]} <= set(stored)
        # Uploading the interrupted files again completes the corpus.
        for f in files:
            upload(server.base, f.name, f.read_bytes())
        assert call(server.base + "/documents?limit=100")["total"] == len(files)
    finally:
        server.kill()
