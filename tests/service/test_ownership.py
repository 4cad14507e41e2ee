"""Several processes serving one data directory: any of them writes, every one sees the writes, exactly one runs
the job worker, and another takes over when it dies. Real ``ancols serve`` processes on loopback."""

import os
import signal
import time
import urllib.error
import urllib.parse
import uuid

import pytest

from ancols_nlp.service.cli import main
from live import Server, call, upload

QUERY = "le conseil d'administration"


def excerpt(text: str, start: int, size: int = 4000) -> bytes:
    """A real passage of the corpus, cut at paragraph boundaries: small, so each ingestion takes a moment."""
    begin = text.index("\n\n", start) + 2
    return text[begin:text.index("\n\n", begin + size)].encode()


def search(server: Server, **params) -> dict:
    return call(server.base + "/search?" + urllib.parse.urlencode({"q": QUERY, "k": 50, **params}, doseq=True))


def post_job(server: Server, files: dict[str, bytes]) -> dict:
    boundary = uuid.uuid4().hex
    body = b"".join(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
                    "Content-Type: text/plain\r\n\r\n".encode() + data + b"\r\n" for name, data in files.items())
    return call(server.base + "/jobs", "POST", body + f"--{boundary}--\r\n".encode(),
                {"Content-Type": f"multipart/form-data; boundary={boundary}"})


def wait_for(predicate, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.3)
    raise AssertionError("timed out")


@pytest.fixture(scope="module")
def two_servers(tmp_path_factory):
    """Two processes over one data directory, started together: (owner, other). The tests below run in order
    over the same pair; the last one kills the owner."""
    data_dir = tmp_path_factory.mktemp("data")
    servers = [Server(data_dir, wait=False) for _ in range(2)]
    try:
        for server in servers:
            server.ready()
        owners = [call(s.base + "/health")["owner"] for s in servers]
        assert sorted(owners) == [False, True], owners  # exactly one runs the job worker and the merges
        yield servers[owners.index(True)], servers[owners.index(False)]
    finally:
        for server in servers:
            if server.proc.poll() is None:
                server.kill()


def test_a_write_through_one_process_is_seen_by_the_other(two_servers, corpus_texts):
    owner, other = two_servers
    text = corpus_texts["001_d290a1a4feb3bef7.txt"]
    assert search(owner)["results"] == []  # and that empty answer is now in the owner's result cache

    created = upload(other.base, "extrait.txt", excerpt(text, 2000))  # written by the process that does not own
    assert created["segment_count"] > 0 and not created["duplicate"]
    found = search(owner)
    assert {r["document_id"] for r in found["results"]} == {created["id"]}
    assert call(owner.base + "/health")["documents"] == 1

    call(f"{owner.base}/documents/{created['id']}", "DELETE")
    assert search(other)["results"] == []
    with pytest.raises(urllib.error.HTTPError) as refused:  # the other process sees it gone: a filter naming it
        search(other, document_id=created["id"])             # names nothing stored (422, not an empty answer)
    assert refused.value.code == 422


def test_the_other_process_takes_over_the_jobs_when_the_owner_dies(two_servers, corpus_texts):
    owner, other = two_servers
    text = corpus_texts["002_6bf2bb461188af34.txt"]
    job = post_job(other, {"a.txt": excerpt(text, 3000), "b.txt": excerpt(text, 30000), "c.txt": excerpt(text, 60000)})
    owner.kill()  # queued, or in the middle of a file: either way the job must finish
    assert wait_for(lambda: call(other.base + "/health")["owner"])
    done = wait_for(lambda: (j := call(f"{other.base}/jobs/{job['id']}"))["status"] in ("done", "failed") and j)
    assert done["status"] == "done"
    ids = {f["document_id"] for f in done["files"]}
    assert len(ids) == 3 and None not in ids
    assert {r["document_id"] for r in search(other)["results"]} <= ids
    assert call(other.base + "/health")["documents"] == 3  # the first test's document was deleted


def test_one_port_several_workers(tmp_path, corpus_texts):
    server = Server(tmp_path / "data", workers=2)
    try:
        created = upload(server.base, "extrait.txt", excerpt(corpus_texts["001_d290a1a4feb3bef7.txt"], 2000))
        # Each call is a new connection, which either worker may accept: every one finds the document.
        for _ in range(8):
            assert {r["document_id"] for r in search(server)["results"]} == {created["id"]}
        # The supervisor killed outright: its workers must not keep the port.
        os.kill(server.proc.pid, signal.SIGKILL)
        assert wait_for(lambda: not answers(server), timeout=60)
    finally:
        server.kill()


def answers(server: Server) -> bool:
    try:
        call(server.base + "/health", timeout=2)
        return True
    except OSError:
        return False


def test_the_cli_writes_beside_a_running_server_and_leaves_it_the_merges(tmp_path, corpus_texts, capsys):
    data_dir = tmp_path / "data"
    server = Server(data_dir)
    try:
        path = tmp_path / "extrait.txt"
        path.write_bytes(excerpt(corpus_texts["001_d290a1a4feb3bef7.txt"], 2000))
        assert main(["ingest", str(path), "--data-dir", str(data_dir)]) == 0
        assert len(search(server)["results"]) > 0 and call(server.base + "/health")["documents"] == 1
        # Re-embedding rewrites every row under the server: refused, said plainly.
        assert main(["reindex", "--data-dir", str(data_dir)]) == 2
        assert "a server owns" in capsys.readouterr().err
    finally:
        server.kill()
