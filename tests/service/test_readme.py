"""README.md's HTTP examples, run as written: its `curl` lines against a served instance (`ancols serve`).

Each line is run by curl itself, as a reader pasting it would, with the README's address swapped for the test
server's and the files it names made from the corpus; `<id>` is the id the line before answered."""

import json
import re
import shlex
import subprocess

import pytest
from live import REPO, Server
from pdfgen import corpus_paragraphs, make_pdf

README = REPO / "README.md"
ADDRESS = "http://127.0.0.1:8000"
TOIT = "004_964ee9d999fa8f65.txt"


def readme_curls(heading: str) -> list[str]:
    """The `curl` commands of the first bash block under ``heading``, their trailing comments dropped."""
    section = README.read_text(encoding="utf-8").split(heading, 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.startswith("curl ")]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    service = Server(tmp_path_factory.mktemp("readme-data"))
    yield service
    service.kill()


@pytest.fixture(scope="module")
def files(tmp_path_factory, corpus_dir):
    """The PDFs the README uploads, in the folder its lines run from."""
    folder = tmp_path_factory.mktemp("readme-files")
    paragraphs = corpus_paragraphs(corpus_dir / TOIT, limit_chars=6000)
    pdf = make_pdf(paragraphs, header="Le Toit Forézien – Rapport de contrôle 2017", footer="ANCOLS")
    for name in ("rapport.pdf", "rapport-1.pdf", "reponse-1.pdf"):
        (folder / name).write_bytes(pdf)
    return folder


def run(line: str, server: Server, folder) -> dict:
    args = shlex.split(line.replace(ADDRESS, server.base))
    done = subprocess.run(["curl", "--silent", "--show-error", "--fail-with-body", *args[1:]], cwd=folder,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (line, done.returncode, done.stdout, done.stderr)
    return json.loads(done.stdout)


def test_the_use_sections_curl_lines_work_as_written(server, files):
    """`curl 'http://127.0.0.1:8000/search?q=vacance+commerciale+élevée&k=5'` sent "élevée" as raw UTF-8 bytes,
    which no HTTP server takes in a request line: uvicorn answered 400 "Invalid HTTP request received."."""
    lines = readme_curls("## Use")
    assert len(lines) == 5
    uploaded, vacancy, public, passages, classified = (run(line, server, files) for line in lines)
    assert uploaded["id"] and uploaded["segment_count"] > 0
    assert vacancy["query"] == "vacance commerciale élevée" and 0 < len(vacancy["results"]) <= 5
    assert "vacance" in vacancy["results"][0]["text"].lower()
    assert any(r["passage_text"] for r in vacancy["results"])  # the default: sentences of their passages
    assert all(r["passage_start"] <= r["start"] < r["end"] <= r["passage_end"] for r in vacancy["results"])
    assert public["mode"] == "lexical" and all(r["kind"] == "recommendation" for r in public["results"])
    assert passages["results"] and all(r["passage_text"] is None and (r["start"], r["end"]) == (
        r["passage_start"], r["passage_end"]) for r in passages["results"])
    assert classified["kind"] == "recommendation"


def test_the_jobs_sections_curl_lines_work_as_written(server, files):
    submit, follow = readme_curls("### Jobs")
    job = run(submit, server, files)
    assert job["status"] in {"queued", "running"} and job["id"]  # the worker may have taken it already
    followed = run(follow.replace("<id>", job["id"]), server, files)
    assert followed["id"] == job["id"] and [f["filename"] for f in followed["files"]] == ["rapport-1.pdf",
                                                                                        "reponse-1.pdf"]
