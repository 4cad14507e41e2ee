"""Impact-ordered postings of the PostgreSQL store, kept by the writes in their transaction.

A posting is (term, passage, tf, length) and its BM25 term impact tf / (tf + k1·(1 − b + b·length/A₀)) at the
reference average length A₀ (``corpus.ref_avglen``), the idf left out (it is the term's, shared by its postings).
At the current average length A the true impact is at most the stored one × max(1, A/A₀), so the order
stays a bound whatever the drift; past ``_DRIFT`` the impacts are recomputed at the new average, which
keeps the bound tight (retrieval.bm25 then reads fewer postings).
"""

from __future__ import annotations

import psycopg

from ancols_nlp.index.ranking import BM25_B, BM25_K1

# Past this ratio between the current and the reference average length, the impacts are recomputed.
_DRIFT = 1.25

# A posting ``p``'s impact at the reference average length ``{ref}``.
_IMPACT = f"p.tf::float8 / (p.tf + {BM25_K1} * (1 - {BM25_B} + {BM25_B} * p.length / {{ref}}))"

# The postings of the passages ``{where}`` selects (an SQL WHERE over ``segments s``), at the reference length.
POSTINGS_OF = ("INSERT INTO postings(term, segment, tf, length, impact)"
               f" SELECT p.term, p.segment, p.tf, p.length, {_IMPACT.format(ref='c.ref_avglen')} FROM corpus c,"
               " (SELECT u.lexeme AS term, s.id AS segment, cardinality(u.positions) AS tf, s.length"
               "  FROM segments s CROSS JOIN LATERAL unnest(s.terms) AS u {where}) p")


def drift(segments: int, length: int, ref_avglen: float) -> float:
    """How much the stored impacts may understate the current ones: max(1, A/A₀)."""
    return max(1.0, length / max(segments, 1) / ref_avglen) if ref_avglen > 0 else 1.0


def after_write(conn: psycopg.Connection, doc_id: str | None = None) -> None:
    """Inside a write's transaction, once ``corpus`` counts it: bump the version, re-weight every posting if
    the average length drifted (or none was set), then add the postings of ``doc_id``'s new passages (a
    delete's postings go with their passages)."""
    segments, length, ref = conn.execute(
        "UPDATE corpus SET version = version + 1 RETURNING segments, length, ref_avglen").fetchone()
    avglen = length / max(segments, 1)
    if segments and not (ref / _DRIFT <= avglen <= ref * _DRIFT):
        conn.execute("UPDATE corpus SET ref_avglen = %s", (avglen,))
        conn.execute(f"UPDATE postings p SET impact = {_IMPACT.format(ref='%s')}", (avglen,))
    if doc_id is not None:
        conn.execute(POSTINGS_OF.format(where="WHERE s.document_id = %s"), (doc_id,))


def rebuild(conn: psycopg.Connection) -> None:
    """Every posting again from the stored terms (after a re-analysis), at the current average length."""
    conn.execute("TRUNCATE postings")
    conn.execute("UPDATE corpus SET ref_avglen = 0")
    after_write(conn)
    conn.execute(POSTINGS_OF.format(where=""))
