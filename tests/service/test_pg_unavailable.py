"""A PostgreSQL store that cannot be reached: a wrong DSN or a server down is one line (CLI) or a 503 (API)."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ancols_nlp.index.postgres.embedded import LocalPostgres
from ancols_nlp.models.shipped import load_models
from ancols_nlp.pipelines.process import process_text
from ancols_nlp.pipelines.sentences import load_sentencizer
from ancols_nlp.pipelines.types import SourceText
from ancols_nlp.service.app import create_app
from ancols_nlp.service.cli import main
from ancols_nlp.service.jobs import STORE_RETRY_S
from ancols_nlp.service.runtime import Runtime
from ancols_nlp.service.settings import Settings
from live import free_port


@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["search", "vacance"], ["ingest", "000"]])
@pytest.mark.parametrize("dsn, said", [
    ("closed-port", "ANCOLS_PG_DSN: the PostgreSQL server cannot be reached: connection failed"),
    ("no-such-role", 'role "nobody" does not exist'),
    ("notadsn", "ANCOLS_PG_DSN is not a libpq URL"),
])
def test_a_server_that_cannot_be_reached_is_one_line(tmp_path, monkeypatch, capsys, corpus_dir, postgres, command,
                                                     dsn, said):
    """It was psycopg's traceback (serve: a failed start-up with the traceback in uvicorn's log)."""
    dsn = {"closed-port": f"postgresql://postgres@127.0.0.1:{free_port()}/postgres",
           "no-such-role": postgres.dsn.replace("postgres@", "nobody@")}.get(dsn, dsn)
    monkeypatch.setenv("ANCOLS_STORE", "postgres")
    monkeypatch.setenv("ANCOLS_PG_DSN", dsn)
    if command[0] == "ingest":
        command = ["ingest", str(corpus_dir / "000_ad04bc466fc4cae0.txt")]
    assert main([*command, "--data-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("ancols: ANCOLS_PG_DSN") and said in err and "Traceback" not in err, err
    assert err.count("\n") <= 2, err  # libpq's reason may hold its own hint line


@contextmanager
def service_on_a_server_of_its_own(tmp_path: Path) -> Iterator[tuple[TestClient, LocalPostgres]]:
    """The API on a PostgreSQL server the test may stop and start again (``LocalPostgres.start`` on its directory and
    port); stopped at the end."""
    with tempfile.TemporaryDirectory(prefix="ancols-pg-down-") as folder:
        server = LocalPostgres.primary(Path(folder) / "pg", free_port())
        try:
            runtime = Runtime.from_settings(Settings(data_dir=tmp_path, store="postgres", pg_dsn=server.dsn))
            with TestClient(create_app(runtime=runtime)) as client:
                yield client, server
            runtime.close()
        finally:
            server.stop()


def test_the_api_answers_503_while_the_server_is_down_and_serves_again_once_it_is_back(tmp_path, corpus_dir):
    """A search while the server was stopped was a 500 internal_error (psycopg's OperationalError, then after 30 s
    PoolTimeout, logged as unexpected)."""
    report = (corpus_dir / "004_964ee9d999fa8f65.txt").read_bytes()
    with service_on_a_server_of_its_own(tmp_path) as (client, server):
        doc_id = client.post("/documents", files={"file": ("004.txt", report)}).json()["id"]
        server.stop()
        down = client.get("/search", params={"q": "vacance commerciale"})
        assert down.status_code == 503 and down.json()["error"]["code"] == "store_unavailable", down.text
        assert "PostgreSQL server cannot be reached" in down.json()["error"]["message"]
        LocalPostgres.start(server.data_dir, server.port)
        back = client.get("/search", params={"q": "vacance commerciale", "k": 3})
        assert back.status_code == 200 and back.json()["results"][0]["document_id"] == doc_id


def test_a_job_waits_for_the_server_and_stores_its_file_once_it_is_back(tmp_path, corpus_dir):
    """A job's file tried while the server was stopped failed for good as internal_error ('unexpected error'), and
    the user had to upload it again; now the job waits and the file is stored once the server is back."""
    report = (corpus_dir / "002_6bf2bb461188af34.txt").read_bytes()
    with service_on_a_server_of_its_own(tmp_path) as (client, server):
        assert client.get("/health").status_code == 200  # a pooled connection, stale once the server stops
        server.stop()
        job = client.post("/jobs", files=[("files", ("002.txt", report))]).json()
        time.sleep(3 * STORE_RETRY_S)  # tried at least once while the server is down
        waiting = client.get(f"/jobs/{job['id']}").json()
        assert waiting["status"] == "running" and waiting["files"][0]["error"] is None, waiting
        LocalPostgres.start(server.data_dir, server.port)
        deadline = time.monotonic() + 300
        while (done := client.get(f"/jobs/{job['id']}").json())["status"] == "running":
            assert time.monotonic() < deadline, done
            time.sleep(0.5)
        stored = done["files"][0]
        assert done["status"] == "done" and stored["status"] == "done" and stored["error"] is None, done
        whole = len(process_text(SourceText(report.decode(), "text/plain"), nlp=load_sentencizer(),
                                 models=load_models()).segments)
        assert client.get(f"/documents/{stored['document_id']}").json()["segment_count"] == whole
