"""The postings of the PostgreSQL store, kept by the writes in their transaction: what BM25 reads.

A posting is (term, passage, tf, length, prior): the term's count in the passage, the passage's BM25 length
and its kind and block prior (``retrieval.base_prior``). An index on the term that holds the other columns
lets a search read a query term's postings alone (an index-only scan), where scoring each matching
passage's tsvector read every term of every match.
"""

from __future__ import annotations

import psycopg

from ancols_nlp.index.postgres.retrieval import base_prior

# The postings of the passages ``{where}`` selects (an SQL WHERE over ``segments s``).
POSTINGS_OF = ("INSERT INTO postings(term, segment, tf, length, prior)"
               f" SELECT u.lexeme, s.id, cardinality(u.positions), s.length, {base_prior('s')}"
               " FROM segments s CROSS JOIN LATERAL unnest(s.terms) AS u {where}")


def after_write(conn: psycopg.Connection, doc_id: str | None = None) -> None:
    """Inside a write's transaction: bump the database version (index/postgres/facets.py), and add the
    postings of ``doc_id``'s new passages (a delete's postings go with their passages)."""
    conn.execute("UPDATE corpus SET version = version + 1")
    if doc_id is not None:
        conn.execute(POSTINGS_OF.format(where="WHERE s.document_id = %s"), (doc_id,))


def rebuild(conn: psycopg.Connection) -> None:
    """Every posting again from the stored terms (after a re-analysis)."""
    conn.execute("TRUNCATE postings")
    conn.execute(POSTINGS_OF.format(where=""))
    after_write(conn)
