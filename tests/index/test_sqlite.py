"""A damaged store file is reported plainly, and the CLI exits with that message instead of a traceback."""

import pytest

from ancols_nlp.index.sqlite import CorruptStore
from ancols_nlp.index.documents import DocumentStore
from ancols_nlp.service import cli


def damage(path):
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the page header and schema of page 1
    path.write_bytes(bytes(data))


def test_a_damaged_database_is_named_with_what_to_do(tmp_path):
    path = tmp_path / "ancols.sqlite3"
    store = DocumentStore(path)
    store.set_setting("embedding_fingerprint", "x")
    store.close()
    damage(path)
    with pytest.raises(CorruptStore, match="is damaged.*ingest the documents again"):
        DocumentStore(path)


def test_the_cli_reports_a_damaged_store(tmp_path, capsys):
    path = tmp_path / "ancols.sqlite3"
    DocumentStore(path).close()
    damage(path)
    assert cli.main(["--data-dir", str(tmp_path), "search", "vacance"]) == 2
    assert "is damaged" in capsys.readouterr().err


def test_a_store_of_another_layout_is_named_not_a_traceback(tmp_path, capsys):
    """A data directory whose database another version wrote (here a documents table without the columns this one
    reads): `ancols search` ended in "sqlite3.OperationalError: no such column: d.meta"."""
    import sqlite3

    older = sqlite3.connect(tmp_path / "ancols.sqlite3")
    older.executescript("CREATE TABLE documents (id TEXT PRIMARY KEY, filename TEXT, text TEXT);"
                        "INSERT INTO documents VALUES ('x', 'rapport.txt', 'La vacance est élevée.');")
    older.close()
    with pytest.raises(CorruptStore, match="another version.*documents.meta"):
        DocumentStore(tmp_path / "ancols.sqlite3")
    assert cli.main(["--data-dir", str(tmp_path), "search", "vacance"]) == 2
    assert "another version" in capsys.readouterr().err
