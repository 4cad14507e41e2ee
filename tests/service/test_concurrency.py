"""Ingestion, deletes and searches at once on a real server: no error, no torn read, a consistent end state.

The soak lasts ANCOLS_SOAK_SECONDS (short in CI; run it longer by hand).
"""

import os
import threading
import time
import urllib.error
import urllib.parse

from live import Server, call, upload

SOAK_SECONDS = float(os.environ.get("ANCOLS_SOAK_SECONDS", "20"))
QUERIES = ["vacance commerciale élevée", "impayés", "commande publique", "conseil d'administration", "loyers"]


def test_mixed_load_has_no_errors_and_ends_consistent(tmp_path, corpus_dir, corpus_texts):
    files = sorted(corpus_dir.glob("*.txt"), key=lambda f: f.stat().st_size)  # smallest first: cycled by the writer
    server = Server(tmp_path / "data")
    errors: list[str] = []
    checked = [0]
    stop = threading.Event()
    try:
        base_ids = {f.name: upload(server.base, f.name, f.read_bytes())["id"] for f in files[1:3]}
        texts_by_id = {doc_id: corpus_texts[name] for name, doc_id in base_ids.items()}

        def writer():
            """Upload, delete and upload again, so searches overlap every kind of write."""
            deadline = time.time() + SOAK_SECONDS
            while time.time() < deadline:
                for f in files[:1]:
                    try:
                        doc_id = upload(server.base, f.name, f.read_bytes())["id"]
                        texts_by_id[doc_id] = corpus_texts[f.name]
                        call(f"{server.base}/documents/{doc_id}", "DELETE")
                    except Exception as exc:  # any failure is a finding
                        errors.append(f"write {f.name}: {exc!r}")
            stop.set()

        def reader(n: int):
            while not stop.is_set():
                q = QUERIES[(checked[0] + n) % len(QUERIES)]
                try:
                    body = call(server.base + "/search?" + urllib.parse.urlencode({"q": q, "k": 10}))
                    for r in body["results"]:
                        text = texts_by_id.get(r["document_id"])
                        if text is not None and text[r["start"]:r["end"]] != r["text"]:
                            errors.append(f"torn result for {q!r}: {r['id']}")
                    checked[0] += 1
                    time.sleep(0.02)  # a busy frontend, not a tight loop starving the writer
                except urllib.error.HTTPError as exc:
                    errors.append(f"search {q!r}: HTTP {exc.code}")
                except Exception as exc:
                    errors.append(f"search {q!r}: {exc!r}")

        threads = [threading.Thread(target=writer)] + [threading.Thread(target=reader, args=(n,)) for n in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

        assert not errors, errors[:5]
        assert checked[0] > 20
        listing = call(server.base + "/documents?limit=100")
        assert {d["id"] for d in listing["documents"]} == set(base_ids.values())
        results = call(server.base + "/search?" + urllib.parse.urlencode({"q": "vacance", "k": 50}))["results"]
        assert results and {r["document_id"] for r in results} <= set(base_ids.values())
    finally:
        server.kill()
