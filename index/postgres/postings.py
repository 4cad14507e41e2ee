"""The postings of the PostgreSQL store, kept by the writes in their transaction: what BM25 reads.

One row per (term, document): the document's passages holding the term, ids ascending, packed in one
``bytea`` as big-endian records (``POSTING``: the passage id, the term's count there, the passage's BM25
length, kind and block prior (``retrieval.base_prior``), kind code and theme bits (``KINDS``, ``THEMES``)),
and the document's filter columns. Each field is as narrow as its values allow (17 bytes a posting, 30 before
migration 9): a search ships every posting of its terms, and the server's CPU follows the bytes (at 1M passages,
150 dev requests, measured with 15-byte records: 4,688 -> 2,344 KB a search, the statement's backend CPU
15.8 -> 8.2 ms). The BM25 length keeps 4 bytes: a passage's length has no bound (the segmenter keeps a sentence, a
heading or a table row whole), and a store must not refuse a document for it. A passage id past 2^31 fails its
write with PostgreSQL's "out of range" error rather than wrapping. A search reads its terms' rows and sums BM25
in the service (index/postgres/bm25.py): one row per posting, grouped and sorted by the server, cost 110 ms a query
at 100k passages, most of it the server's aggregate. A row is gone with its document (a delete), and a term's rows
read in ``first`` order give its postings ids ascending.
"""

from __future__ import annotations

import psycopg

from ancols_nlp.index.postgres.retrieval import base_prior
from ancols_nlp.pipelines.types import KINDS, THEMES

# Each passage's kind code: its place in KINDS from 1 (0: another kind); its themes: bit n for THEMES[n].
_KIND_CODE = f"coalesce(array_position(ARRAY[{', '.join(map(repr, KINDS))}]::text[], s.kind), 0)"
_THEME_BITS = (f"(SELECT coalesce(bit_or(1::int8 << (p - 1)), 0) FROM unnest(s.themes) t,"
               f" array_position(ARRAY[{', '.join(map(repr, THEMES))}]::text[], t) p WHERE p IS NOT NULL)")


# A posting as packed: (field, its numpy type, its SQL value over a passage ``s`` and its term ``u``). The casts to
# narrower types check their range (a tsvector keeps at most 256 positions a term); ``"char"`` is PostgreSQL's
# one-byte integer (-128..127).
POSTING = (("id", ">i4", "int4send(s.id::int4)"), ("tf", ">i2", "int2send(cardinality(u.positions)::int2)"),
           ("length", ">i4", "int4send(s.length)"), ("prior", ">f4", "float4send(s.prior)"),
           ("kind", "i1", 'charsend(s.kind_code::"char")'), ("themes", ">i2", "int2send(s.theme_bits::int2)"))
# The postings of the passages ``{where}`` selects (an SQL WHERE over ``segments s``).
POSTINGS_OF = ("INSERT INTO term_blocks(term, first, document_id, organism, doc_type, year, postings)"
               " SELECT u.lexeme, min(s.id), s.document_id, s.organism, s.doc_type, s.year, string_agg("
               + " || ".join(value for _, _, value in POSTING) + ", ''::bytea ORDER BY s.id)"
               " FROM (SELECT s.id, s.document_id, s.organism, s.doc_type, s.year, s.length, s.terms,"
               f" ({base_prior('s')})::float4 AS prior, {_KIND_CODE} AS kind_code, {_THEME_BITS} AS theme_bits"
               " FROM segments s {where}) s CROSS JOIN LATERAL unnest(s.terms) AS u"
               " GROUP BY u.lexeme, s.document_id, s.organism, s.doc_type, s.year")


def after_write(conn: psycopg.Connection, doc_id: str | None = None) -> None:
    """Inside a write's transaction: bump the database version (index/postgres/facets.py), and add the
    postings of ``doc_id``'s new passages (a delete's postings go with their document)."""
    conn.execute("UPDATE corpus SET version = version + 1")
    if doc_id is not None:
        conn.execute(POSTINGS_OF.format(where="WHERE s.document_id = %s"), (doc_id,))


def rebuild(conn: psycopg.Connection) -> None:
    """Every posting again from the stored terms (after a re-analysis)."""
    conn.execute("TRUNCATE term_blocks")
    conn.execute(POSTINGS_OF.format(where=""))
    after_write(conn)


def cluster(conn: psycopg.Connection) -> None:
    """After a bulk load, rewrite the rows in term order (the table is locked meanwhile): written document by
    document, a term's rows lie one a page all over the table, and a search reads them from a few pages
    instead (a 7-term query at 100k passages: 10.5 → 4.6 ms on the server)."""
    conn.execute("CLUSTER term_blocks USING term_blocks_pkey")
    conn.execute("ANALYZE term_blocks")
