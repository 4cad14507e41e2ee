"""Ingestion jobs: 202 + id, progress, per-file results, nothing lost on a crash."""

import os
import sqlite3
import threading
import time
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from ancols_nlp.index.interface import Added, StoreUnavailable
from ancols_nlp.pipelines.errors import DocumentError
from ancols_nlp.pipelines.sandbox import ocr_progress
from ancols_nlp.service.app import create_app
from ancols_nlp.service.jobs import MAX_ATTEMPTS, ORPHAN_AGE_S, JobManager

REPLY = "000_ad04bc466fc4cae0.txt"


def wait_for(predicate, timeout=180.0, step=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out")


def wait_job(client, job_id, timeout=240.0):
    def finished():
        body = client.get(f"/jobs/{job_id}").json()
        return body if body["status"] in ("done", "failed") else None
    return wait_for(finished, timeout)


# -- the worker, with a stand-in for ingestion (fast, and lets us crash on purpose) ---------------
class FakeIngest:
    def __init__(self, fail_on: dict[bytes, Exception] | None = None):
        self.calls: list[tuple[bytes, str]] = []
        self.fail_on = fail_on or {}

    def __call__(self, data: bytes, filename: str) -> Added:
        self.calls.append((data, filename))
        if data in self.fail_on:
            raise self.fail_on[data]
        return Added(id=f"doc-{len(self.calls)}", segment_count=len(data), duplicate=False)


def restart_until_done(data_dir, job_id):
    """A new manager over ``data_dir`` (as after a crash); waits for ``job_id`` to finish."""
    ingest = FakeIngest()
    manager = JobManager(data_dir, ingest, max_file_bytes=1000)
    manager.start()
    job = wait_for(lambda: (j := manager.db.get(job_id))["status"] == "done" and j, timeout=10)
    manager.close()
    return ingest, job


def test_a_job_is_on_disk_and_in_sqlite_before_the_worker_runs(tmp_path):
    manager = JobManager(tmp_path, FakeIngest(), max_file_bytes=1000)
    job_id = manager.submit([("../../etc/passwd", b"alpha"), ("b.txt", b"beta")])
    folder = tmp_path / "jobs" / job_id
    assert sorted(p.name for p in folder.iterdir()) == ["0.bin", "1.bin"]
    assert (folder / "0.bin").read_bytes() == b"alpha"
    job = manager.db.get(job_id)
    assert job["status"] == "queued"
    # The client's name is metadata only: never a path, reduced to a printable base name.
    assert [f["filename"] for f in job["files"]] == ["passwd", "b.txt"]
    with sqlite3.connect(tmp_path / "jobs.sqlite3") as db:  # committed, visible to another connection
        assert db.execute("SELECT status FROM jobs WHERE id=?", (job_id,)).fetchone() == ("queued",)
    manager.close()


def test_a_scan_being_read_shows_its_pages_in_the_jobs_progress(tmp_path):
    """The PDF reader tells ``ocr_progress`` before each scanned page; the job records it while its file runs."""
    seen = []

    def ingest(data: bytes, filename: str) -> Added:
        ocr_progress.get()(2, 5)
        seen.append(manager.db.get(job_id)["progress"])
        return Added(id="doc-1", segment_count=1, duplicate=False)

    manager = JobManager(tmp_path, ingest, max_file_bytes=1000)
    job_id = manager.submit([("scan.pdf", b"%PDF-1.4 scan")])
    manager.start()
    job = wait_for(lambda: (j := manager.db.get(job_id))["status"] == "done" and j, timeout=10)
    manager.close()
    assert seen == [{"total": 1, "done": 0, "failed": 0, "cancelled": 0, "current_file": "scan.pdf",
                     "current_ocr": {"done": 2, "total": 5}}]
    assert job["progress"]["current_ocr"] is None and ocr_progress.get() is None


def test_a_queue_from_before_ocr_progress_and_file_warnings_opens_and_its_jobs_run(tmp_path):
    from ancols_nlp.service.jobs import SCHEMA

    with sqlite3.connect(tmp_path / "jobs.sqlite3") as db:
        db.executescript(SCHEMA.replace(",\n    ocr_done INTEGER,\n    ocr_total INTEGER", "")
                         .replace("    warnings TEXT,\n", ""))
        db.execute("INSERT INTO jobs (id, status, created_at) VALUES ('old', 'queued', '2026-01-01T00:00:00Z')")
        db.execute("INSERT INTO job_files (job_id, n, filename, size, status, document_id, segment_count, duplicate)"
                   " VALUES ('old', 0, 'old.txt', 5, 'done', 'doc-old', 3, 0)")
        assert "ocr_done" not in {row[1] for row in db.execute("PRAGMA table_info(jobs)")}
        assert "warnings" not in {row[1] for row in db.execute("PRAGMA table_info(job_files)")}
    manager = JobManager(tmp_path, FakeIngest(), max_file_bytes=1000)
    old = manager.db.get("old")
    assert old["progress"]["current_ocr"] is None and old["files"][0]["warnings"] == []
    job_id = manager.submit([("a.txt", b"alpha")])
    manager.start()
    assert wait_for(lambda: manager.db.get(job_id)["status"] == "done", timeout=10)
    manager.close()


def test_unfinished_jobs_resume_after_a_crash(tmp_path):
    first = JobManager(tmp_path, FakeIngest(), max_file_bytes=1000)
    job_id = first.submit([("a.txt", b"alpha"), ("b.txt", b"beta"), ("c.txt", b"gamma")])
    # The process dies while ingesting file 1, after file 0 was done.
    first.db.start(job_id)
    first.db.file_running(job_id, 0)
    first.db.file_done(job_id, 0, Added("doc-a", 5, False))
    first.db.file_running(job_id, 1)
    first.db.close()

    ingest, job = restart_until_done(tmp_path, job_id)
    assert [name for _, name in ingest.calls] == ["b.txt", "c.txt"]  # file 0 is not redone
    assert [f["status"] for f in job["files"]] == ["done", "done", "done"]
    assert job["files"][0]["document_id"] == "doc-a"
    # The client can tell which file the crash cut short and was ingested again (it read "running", then "done").
    assert [f["interrupted"] for f in job["files"]] == [0, 1, 0]
    assert job["progress"] == {"total": 3, "done": 3, "failed": 0, "cancelled": 0, "current_file": None,
                               "current_ocr": None}
    assert not (tmp_path / "jobs" / job_id).exists()  # the bytes go once the job is finished


def test_a_file_that_keeps_killing_the_process_is_given_up(tmp_path):
    first = JobManager(tmp_path, FakeIngest(), max_file_bytes=1000)
    job_id = first.submit([("poison.pdf", b"poison"), ("ok.txt", b"fine")])
    for _ in range(MAX_ATTEMPTS):
        first.db.file_running(job_id, 0)
    first.db.close()
    ingest, job = restart_until_done(tmp_path, job_id)
    assert job["files"][0]["status"] == "failed" and job["files"][0]["error"]["code"] == "interrupted"
    assert [f["interrupted"] for f in job["files"]] == [MAX_ATTEMPTS, 0]
    assert job["files"][1]["status"] == "done"
    assert [name for _, name in ingest.calls] == ["ok.txt"]


def test_bad_files_never_fail_the_job(tmp_path):
    class Broken(DocumentError):
        code = "unreadable_pdf"
        message = "The PDF cannot be read."

    ingest = FakeIngest({b"bad": Broken(), b"boom": RuntimeError("bug")})
    manager = JobManager(tmp_path, ingest, max_file_bytes=10)
    manager.start()
    job_id = manager.submit([("bad.pdf", b"bad"), ("boom.txt", b"boom"), ("big.txt", b"x" * 11), ("ok.txt", b"fine")])
    job = wait_for(lambda: (j := manager.db.get(job_id))["status"] == "done" and j, timeout=10)
    manager.close()
    errors = [f["error"]["code"] if f["error"] else None for f in job["files"]]
    assert errors == ["unreadable_pdf", "internal_error", "payload_too_large", None]
    assert job["progress"]["failed"] == 3 and job["files"][3]["document_id"]
    assert "bug" not in job["files"][1]["error"]["message"]  # internals stay in the log


def test_orphan_upload_folders_are_removed_at_start(tmp_path):
    orphan, receiving = tmp_path / "jobs" / "deadbeef", tmp_path / "jobs" / "cafe"
    for folder in (orphan, receiving):
        folder.mkdir(parents=True)
        (folder / "0.bin").write_bytes(b"never committed")
    long_ago = time.time() - ORPHAN_AGE_S - 60
    for path in (orphan, orphan / "0.bin"):
        os.utime(path, (long_ago, long_ago))
    manager = JobManager(tmp_path, FakeIngest(), max_file_bytes=10)
    manager.start()
    manager.close()
    assert not orphan.exists()
    assert receiving.exists()  # another process serving the data directory may be receiving it


def test_close_waits_for_the_current_file_and_leaves_the_rest_queued(tmp_path):
    release = threading.Event()

    def slow(data: bytes, filename: str) -> Added:
        release.wait(5)
        return Added(filename, 1, False)

    manager = JobManager(tmp_path, slow, max_file_bytes=100)
    manager.start()
    job_id = manager.submit([("a.txt", b"a"), ("b.txt", b"b")])
    wait_for(lambda: manager.db.get(job_id)["progress"]["current_file"] == "a.txt", timeout=5)
    closer = threading.Thread(target=manager.close)
    closer.start()
    release.set()
    closer.join(10)
    again = JobManager(tmp_path, FakeIngest(), max_file_bytes=100)
    job = again.db.get(job_id)
    assert job["status"] == "running" and [f["status"] for f in job["files"]] == ["done", "pending"]
    again.close()


def test_a_cancelled_queued_job_never_runs_and_its_bytes_go(tmp_path):
    manager = JobManager(tmp_path, ingest := FakeIngest(), max_file_bytes=100)
    cancelled = manager.submit([("wrong-folder-1.txt", b"a"), ("wrong-folder-2.txt", b"b")])
    assert manager.cancel(cancelled) == "cancelled"
    manager.start()
    later = manager.submit([("right.txt", b"c")])
    wait_for(lambda: manager.db.get(later)["status"] == "done", timeout=10)  # oldest first: it would have run
    manager.close()
    job = JobManager(tmp_path, FakeIngest(), max_file_bytes=100).db.get(cancelled)
    assert [name for _, name in ingest.calls] == ["right.txt"]
    assert job["status"] == "cancelled" and job["finished_at"]
    assert [f["status"] for f in job["files"]] == ["cancelled", "cancelled"]
    assert job["progress"]["cancelled"] == 2 and job["progress"]["done"] == 0
    assert not (tmp_path / "jobs" / cancelled).exists()


def test_a_running_job_stops_at_the_next_document_and_keeps_what_it_stored(tmp_path):
    release = threading.Event()
    ingest = FakeIngest()

    def slow(data: bytes, filename: str) -> Added:
        release.wait(5)
        return ingest(data, filename)

    manager = JobManager(tmp_path, slow, max_file_bytes=100)
    manager.start()
    job_id = manager.submit([("a.txt", b"a"), ("b.txt", b"b"), ("c.txt", b"c")])
    wait_for(lambda: manager.db.get(job_id)["progress"]["current_file"] == "a.txt", timeout=5)
    assert manager.cancel(job_id) == "cancelled"
    job = manager.db.get(job_id)
    assert job["status"] == "cancelled" and [f["status"] for f in job["files"]] == ["running", "cancelled", "cancelled"]
    assert job["progress"]["current_file"] == "a.txt"  # still being read: it finishes
    assert (tmp_path / "jobs" / job_id).exists()  # the running file's bytes are still being read
    release.set()
    job = wait_for(lambda: (j := manager.db.get(job_id))["files"][0]["status"] == "done" and j, timeout=5)
    wait_for(lambda: not (tmp_path / "jobs" / job_id).exists(), timeout=5)
    assert manager.cancel(job_id) == "finished"
    assert manager.cancel("0123456789abcdef") == "unknown"
    manager.close()
    assert [name for _, name in ingest.calls] == ["a.txt"]
    assert job["status"] == "cancelled" and job["files"][0]["document_id"] == "doc-1"


def test_a_cancel_survives_a_restart(tmp_path):
    """Cancelled by another process (or just before a crash) while file 1 ran: after the restart, file 1 is
    finished (stored whole, or given back by the store if it was) and file 2 never runs."""
    first = JobManager(tmp_path, FakeIngest(), max_file_bytes=100)
    job_id = first.submit([("a.txt", b"a"), ("b.txt", b"b"), ("c.txt", b"c")])
    queued = first.submit([("d.txt", b"d")])
    first.db.start(job_id)
    first.db.file_running(job_id, 0)
    first.db.file_done(job_id, 0, Added("doc-a", 1, False))
    first.db.file_running(job_id, 1)
    assert first.cancel(job_id) == "cancelled" and first.cancel(queued) == "cancelled"
    first.db.close()

    again = JobManager(tmp_path, ingest := FakeIngest(), max_file_bytes=100)
    again.start()
    wait_for(lambda: not (tmp_path / "jobs" / job_id).exists(), timeout=10)
    job, other = again.db.get(job_id), again.db.get(queued)
    again.close()
    assert [name for _, name in ingest.calls] == ["b.txt"]
    assert job["status"] == "cancelled" and [f["status"] for f in job["files"]] == ["done", "done", "cancelled"]
    assert other["status"] == "cancelled" and not (tmp_path / "jobs" / queued).exists()


def test_a_job_cancelled_while_the_store_is_down_keeps_no_bytes(tmp_path):
    """Its running file goes back to wait for the store, cancelled instead of pending: no file of the job is left
    to run, and its bytes go (they stayed on disk, with no worker ever to take the job again)."""
    def down(data: bytes, filename: str) -> Added:
        assert manager.cancel(job_id) == "cancelled"
        raise StoreUnavailable("The PostgreSQL server cannot be reached")

    manager = JobManager(tmp_path, down, max_file_bytes=100)
    job_id = manager.submit([("a.txt", b"a"), ("b.txt", b"b")])
    manager.start()
    wait_for(lambda: not (tmp_path / "jobs" / job_id).exists(), timeout=10)
    job = manager.db.get(job_id)
    manager.close()
    assert job["status"] == "cancelled" and [f["status"] for f in job["files"]] == ["cancelled", "cancelled"]


# -- over HTTP, on real report text ------------------------------------------------------------------
@pytest.fixture(scope="module")
def seeded(runtime, corpus_dir):
    """A job accepted by an earlier process that died before its worker ran it."""
    earlier = JobManager(runtime.settings.data_dir, runtime.ingest, max_file_bytes=runtime.settings.max_upload_bytes)
    job_id = earlier.submit([(REPLY, (corpus_dir / REPLY).read_bytes())])
    earlier.db.close()
    return job_id


@pytest.fixture(scope="module")
def jobs_client(runtime, seeded):
    with TestClient(create_app(runtime=runtime)) as c:
        yield c


def test_a_job_left_by_an_earlier_process_resumes_at_start_up(jobs_client, seeded):
    job = wait_job(jobs_client, seeded)
    assert job["status"] == "done"
    [f] = job["files"]
    assert f["status"] == "done" and f["segment_count"] > 50 and f["filename"] == REPLY
    assert jobs_client.get(f"/documents/{f['document_id']}").status_code == 200


def test_post_jobs_returns_202_then_progress_and_per_file_results(jobs_client, runtime, corpus_dir, tmp_path):
    text = (corpus_dir / "004_964ee9d999fa8f65.txt").read_text(encoding="utf-8")
    excerpt = text[:6000].encode("utf-8")
    files = [
        ("files", ("extrait-toit.txt", excerpt, "text/plain")),
        ("files", ("scan.pdf", b"%PDF-1.4 not really", "application/pdf")),
        ("files", ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png")),
        ("files", ("trop-gros.txt", b"a" * (3 * 1024 * 1024), "text/plain")),
    ]
    response = jobs_client.post("/jobs", files=files)
    assert response.status_code == 202, response.text
    created = response.json()
    assert response.headers["location"].endswith(f"/jobs/{created['id']}")
    assert created["status"] in ("queued", "running") and created["progress"]["total"] == 4
    stored = runtime.settings.data_dir / "jobs" / created["id"]
    job = wait_job(jobs_client, created["id"])
    assert job["status"] == "done"
    by_name = {f["filename"]: f for f in job["files"]}
    ok = by_name["extrait-toit.txt"]
    assert ok["status"] == "done" and ok["segment_count"] > 0 and ok["error"] is None
    assert by_name["scan.pdf"]["error"]["code"] in {"unreadable_pdf", "encrypted_pdf", "scanned_pdf"}
    assert by_name["photo.png"]["error"]["code"] == "unsupported_type"
    assert by_name["trop-gros.txt"]["error"]["code"] == "payload_too_large"
    assert job["progress"] == {"total": 4, "done": 4, "failed": 3, "cancelled": 0, "current_file": None,
                               "current_ocr": None}
    assert job["started_at"] and job["finished_at"]
    segments = jobs_client.get(f"/documents/{ok['document_id']}/segments").json()
    assert segments["total"] == ok["segment_count"]
    assert not stored.exists()


def test_a_file_stored_without_its_unread_scanned_page_says_so_in_the_job(runtime, tmp_path, corpus_dir):
    from pdfgen import corpus_paragraphs, rasterised_pdf, render_pdf

    printed = render_pdf(corpus_paragraphs(corpus_dir / REPLY, limit_chars=3000), header="Réponse", footer="Copie")
    assert printed.page_count >= 2
    with TestClient(other_app(runtime, tmp_path, ocr=False)) as c:
        files = [("files", ("reponse.pdf", rasterised_pdf(printed.data, only={1}), "application/pdf")),
                 ("files", ("texte.pdf", printed.data, "application/pdf"))]
        job = wait_job(c, c.post("/jobs", files=files).json()["id"])
        [scanned, text] = job["files"]
        assert scanned["status"] == "done" and scanned["error"] is None and text["warnings"] == []
        [warning] = scanned["warnings"]
        assert warning["code"] == "unread_scanned_pages" and warning["pages"] == [1]
        pages = c.get(f"/documents/{scanned['document_id']}").json()["pages"]
        assert [p["unread"] for p in pages] == ["ocr_off"] + [None] * (len(pages) - 1)


def test_list_jobs_newest_first_with_pagination(jobs_client):
    body = jobs_client.get("/jobs", params={"limit": 1}).json()
    assert body["total"] >= 2 and len(body["jobs"]) == 1 and body["limit"] == 1
    everything = jobs_client.get("/jobs").json()["jobs"]
    assert [j["created_at"] for j in everything] == sorted((j["created_at"] for j in everything), reverse=True)
    done = jobs_client.get("/jobs", params={"status": "done"}).json()
    assert done["jobs"] and all(j["status"] == "done" for j in done["jobs"])


@pytest.mark.parametrize("request_kwargs, status, code", [
    ({}, 422, "invalid_request"),  # no files at all
    ({"data": {"files": "not a file"}}, 415, "not_multipart"),  # a form's text, not a file
])
def test_bad_job_requests_get_a_clear_4xx(jobs_client, request_kwargs, status, code):
    response = jobs_client.post("/jobs", **request_kwargs)
    assert response.status_code == status, response.text
    assert response.json()["error"]["code"] == code


def test_unknown_job_is_404_and_bad_status_filter_422(jobs_client):
    response = jobs_client.get("/jobs/../../etc/passwd")
    assert response.status_code == 404
    assert jobs_client.get("/jobs/0123456789abcdef").json()["error"]["code"] == "not_found"
    assert jobs_client.get("/jobs", params={"status": "exploded"}).status_code == 422


def test_cancel_over_http_keeps_the_stored_reports_whole_and_refuses_twice(jobs_client, corpus_dir):
    names = ["004_964ee9d999fa8f65.txt", "001_d290a1a4feb3bef7.txt", REPLY]
    files = [("files", (name, (corpus_dir / name).read_text(encoding="utf-8")[:30000].encode(), "text/plain"))
             for name in names]
    created = jobs_client.post("/jobs", files=files).json()
    response = jobs_client.post(f"/jobs/{created['id']}/cancel")
    assert response.status_code == 200, response.text
    job = response.json()
    assert job["status"] == "cancelled" and job["files"][-1]["status"] == "cancelled"
    job = wait_for(lambda: (j := jobs_client.get(f"/jobs/{created['id']}").json())["progress"]["current_file"] is None
                   and all(f["status"] != "running" for f in j["files"]) and j)
    assert job["status"] == "cancelled"
    for f in job["files"]:
        if f["status"] == "done":  # stored before the cancel took effect: kept, and whole
            segments = jobs_client.get(f"/documents/{f['document_id']}/segments").json()
            assert segments["total"] == f["segment_count"] > 0
        else:
            assert f["status"] == "cancelled" and f["document_id"] is None
    again = jobs_client.post(f"/jobs/{created['id']}/cancel")
    assert again.status_code == 409 and again.json()["error"]["code"] == "job_finished"
    assert jobs_client.get("/jobs", params={"status": "cancelled"}).json()["total"] >= 1


def test_cancel_of_an_unknown_or_finished_job(jobs_client, seeded):
    assert jobs_client.post("/jobs/0123456789abcdef/cancel").status_code == 404
    wait_job(jobs_client, seeded)
    response = jobs_client.post(f"/jobs/{seeded}/cancel")
    assert response.status_code == 409 and "done" in response.json()["error"]["message"]
    assert jobs_client.get(f"/jobs/{seeded}").json()["status"] == "done"


def other_app(runtime, tmp_path, **settings):
    """An app with other settings over the same store; its job queue lives in ``tmp_path`` (one worker per queue)."""
    changed = runtime.settings.model_copy(update={"data_dir": tmp_path, **settings})
    return create_app(runtime=replace(runtime, settings=changed))


def test_too_many_files_in_one_job(runtime, tmp_path):
    with TestClient(other_app(runtime, tmp_path, max_job_files=2)) as c:
        files = [("files", (f"f{i}.txt", b"texte", "text/plain")) for i in range(3)]
        response = c.post("/jobs", files=files)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "payload_too_large"


def test_writes_need_the_api_key_when_one_is_set(runtime, tmp_path):
    with TestClient(other_app(runtime, tmp_path, api_key=SecretStr("s3cret"))) as c:
        files = [("files", ("a.txt", b"La societe doit reduire sa vacance.", "text/plain"))]
        assert c.post("/jobs", files=files).json()["error"]["code"] == "unauthorized"
        assert c.post("/jobs", files=files, headers={"X-API-Key": "wrong"}).status_code == 401
        ok = c.post("/jobs", files=files, headers={"X-API-Key": "s3cret"})
        assert ok.status_code == 202
        assert c.post(f"/jobs/{ok.json()['id']}/cancel").json()["error"]["code"] == "unauthorized"
        wait_job(c, ok.json()["id"])
        assert c.get("/jobs").status_code == 200  # reads stay open
