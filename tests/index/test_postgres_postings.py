"""The PostgreSQL store's packed postings (index/postgres/postings.py) on a real server: what a search decodes is
what the passages' rows say, an id too wide for its field is refused, a passage of any length is kept, and
migration 9 writes them again."""

from __future__ import annotations

import itertools

import numpy as np
import psycopg
import pytest

from ancols_nlp.index.postgres.bm25 import _Postings
from ancols_nlp.index.postgres.postings import POSTINGS_OF
from ancols_nlp.index.postgres.schema import MIGRATIONS, migrate
from ancols_nlp.index.postgres.store import PgStore
from ancols_nlp.index.ranking import segment_prior
from ancols_nlp.pipelines.types import KINDS, THEMES
from pg import new_database
from tests.index.conftest import make_document

BLOCKS = ("paragraph", "heading", "table_row", "list_item")


@pytest.fixture
def store(postgres, embedder, corpus_texts):
    """Two corpus reports' paragraphs, their kinds, blocks and themes dealt in turn so every kind, block and theme
    (alone, or with the next ones) occurs."""
    store = PgStore(new_database(postgres), embedder)
    labels = itertools.cycle(itertools.product(KINDS, BLOCKS, range(len(THEMES) + 1)))
    for name, text in list(corpus_texts.items())[:2]:
        items = []
        for paragraph in (p.strip() for p in text.split("\n\n") if len(p.strip()) > 20):
            kind, block, first = next(labels)
            items.append((paragraph, kind, block, "Constats", THEMES[first:first + 1 + first % 3]))
        store.add(make_document(items), filename=name, data=name.encode())
    yield store
    store.close()


def _decoded(conn: psycopg.Connection) -> dict[str, _Postings]:
    """Each term's postings over every document, as a search reads and decodes them."""
    rows = conn.execute("SELECT term, string_agg(postings, ''::bytea ORDER BY first) FROM term_blocks GROUP BY term",
                        binary=True).fetchall()
    return {term: _Postings.of(0, packed) for term, packed in rows}


def _assert_postings_are_the_rows(conn: psycopg.Connection) -> None:
    """Array for array, dtype for dtype: each term's passages (ids ascending) with the term's count there (the
    stored terms), the passage's length, prior (``ranking.segment_prior``, in float32 as the embedded store's),
    kind code and theme bits."""
    rows = conn.execute("SELECT u.lexeme, s.id, cardinality(u.positions), s.length, s.kind, s.block, s.themes"
                        " FROM segments s, unnest(s.terms) u ORDER BY u.lexeme, s.id").fetchall()
    decoded = _decoded(conn)
    assert sorted(decoded) == sorted({r[0] for r in rows})
    assert any(len(p.ids) > 1 for p in decoded.values())
    for term, of_term in itertools.groupby(rows, key=lambda r: r[0]):
        _, ids, tf, length, kind, block, themes = zip(*of_term)
        expected = {"ids": np.array(ids, np.int64), "tf": np.array(tf, np.float32),
                    "length": np.array(length, np.float32),
                    "prior": np.array([segment_prior(k, b) for k, b in zip(kind, block)], np.float32),
                    "kind": np.array([KINDS.index(k) + 1 for k in kind], np.int16),
                    "themes": np.array([sum(1 << THEMES.index(t) for t in ts) for ts in themes], np.uint64)}
        for field, values in expected.items():
            got = getattr(decoded[term], field)
            assert got.dtype == values.dtype and np.array_equal(got, values), (term, field)


def test_the_decoded_postings_are_the_passages_rows(store):
    with store.servers.read() as conn:
        kinds, themes = conn.execute("SELECT count(DISTINCT kind), count(DISTINCT t) FROM segments, unnest(themes) t"
                                     ).fetchone()
        assert (kinds, themes) == (len(KINDS), len(THEMES))
        _assert_postings_are_the_rows(conn)


def test_migrations_9_and_10_write_every_posting_again(store, embedder):
    with psycopg.connect(store.servers.primary.conninfo) as conn:
        conn.execute("TRUNCATE term_blocks")
        conn.execute("DELETE FROM schema_migrations WHERE version >= 9")
        conn.commit()
        assert migrate(conn, embedder.dimension) == len(MIGRATIONS) - 8  # 9, 10 and any later one (idempotent)
        _assert_postings_are_the_rows(conn)


def test_a_passage_id_past_int4_is_refused_not_wrapped(store):
    """The write of a passage whose id (a ``bigserial``) needs more than 4 bytes fails, and is rolled back whole."""
    with psycopg.connect(store.servers.primary.conninfo) as conn:
        conn.execute("SELECT setval('segments_id_seq', %s)", (2**31 - 1,))
    before = store.stats()
    with pytest.raises(psycopg.errors.NumericValueOutOfRange):
        store.add(make_document([("Le loyer plafond est dépassé.", "observation", "paragraph", "Loyers")]),
                  filename="past.txt", data=b"past")
    assert store.stats() == before


def test_a_passage_of_any_length_is_stored_with_its_length(store, corpus_texts):
    """A passage of more than 2^15 analysed terms (the segmenter keeps a sentence or a table row whole) is written,
    and its postings carry its exact BM25 length: the length's field is not narrowed."""
    words = next(iter(corpus_texts.values())).split()
    body = " ".join(itertools.islice(itertools.cycle(words), 2**16))  # ~38k terms, stopwords out
    store.add(make_document([(body, "other", "table_row", "Annexes")]), filename="long.txt", data=b"long")
    with store.servers.read() as conn:
        assert conn.execute("SELECT max(length) FROM segments").fetchone()[0] >= 2**15
        _assert_postings_are_the_rows(conn)
