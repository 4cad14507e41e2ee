"""The README's local server (``python -m ancols_nlp.index.postgres.embedded DIR PORT``) run again on its directory."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ancols_nlp.index.postgres.embedded import LocalPostgres
from ancols_nlp.index.postgres.store import PgStore
from ancols_nlp.index.query import Filters
from live import free_port
from tests.index.conftest import make_document
from tests.index.test_store import REPORT_A


def test_the_local_server_started_again_on_its_directory_keeps_the_documents(embedder):
    """Stopped with Ctrl-C and started with the same command, it failed in initdb ("directory exists but is not
    empty"): the documents stored were out of reach of the README's command. It starts the cluster it finds."""
    with tempfile.TemporaryDirectory(prefix="ancols-pg-restart-") as folder:
        data_dir, port = Path(folder) / "pg", free_port()
        with LocalPostgres.primary(data_dir, port) as server:
            store = PgStore(server.dsn, embedder)
            added = store.add(make_document(REPORT_A, organism="Le Toit Forézien"), filename="004.txt", data=b"004")
            store.close()
        with LocalPostgres.primary(data_dir, port) as server:
            store = PgStore(server.dsn, embedder)
            try:
                assert store.meta.document(added.id).segment_count == len(REPORT_A)
                hits = store.search("vacance commerciale", k=3, filters=Filters())
                assert hits.hits and hits.rows[hits.hits[0].id].document_id == added.id
            finally:
                store.close()
