"""Fixtures shared by every test. The tests import the installed ``ancols_nlp`` package; pytest puts this
folder on ``sys.path`` (its rootdir-based import mode), which makes the helpers (``pdfgen``, ``live``) importable."""

import tempfile
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

CORPUS = TESTS.parent.parent / "shared" / "corpus"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared corpus; its absence is a failure, never a skip."""
    if not any(CORPUS.glob("*.txt")):
        pytest.fail(f"the shared corpus is missing at {CORPUS}: the end-to-end tests need it")
    return CORPUS


@pytest.fixture(scope="session")
def corpus_texts(corpus_dir) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(corpus_dir.glob("*.txt"))}


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL with pgvector on 127.0.0.1 in a temporary directory, stopped after the session."""
    from ancols_nlp.index.postgres.embedded import LocalPostgres
    from live import free_port

    # Not under pytest's basetemp: concurrent pytest runs of the same user prune each other's old basetemps.
    with tempfile.TemporaryDirectory(prefix="ancols-pg-") as folder:
        with LocalPostgres.primary(Path(folder) / "primary", free_port()) as server:
            yield server
