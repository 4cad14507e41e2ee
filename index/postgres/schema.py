"""Schema migrations of the PostgreSQL store, applied in order, each once, on the primary.

A new schema change is a new entry at the end of ``MIGRATIONS``, never an edit of an applied one.
The segments' filter columns (organism, doc_type, year) are copied from their document so filters,
facets and the HNSW scan read one table. ``terms`` holds the project's own analysed terms
(index/analyzer.py) as a ``tsvector`` whose positions count each term's occurrences: BM25 is then
computed in SQL with the same analysis and statistics as the embedded store (see README, design note).
PostgreSQL text cannot hold NUL, which an uploaded text may: the document text is kept as UTF-8
bytes and the JSON fields as text (JSON escapes NUL as \u0000, which ``jsonb`` would refuse).
``fts`` is the same passage under PostgreSQL's French configuration, for the ``french`` lexical option.
"""

from __future__ import annotations

import time

import psycopg

from ancols_nlp.index.passages import LEXICAL_KEY
from ancols_nlp.index.postgres.postings import POSTINGS_OF
from ancols_nlp.index.postgres.retrieval import base_prior
from ancols_nlp.pipelines.themes import THEME_FLOOR

# Any constant: serialises concurrent migrators (several service processes starting at once).
_LOCK = 0x616E636F6C73

# Every stored term's document frequency, from the terms themselves (backfill and re-analysis).
RECOUNT_TERMS = "INSERT INTO term_df SELECT word, ndoc FROM ts_stat('SELECT terms FROM segments')"

MIGRATIONS: list[str] = [
    """
    CREATE EXTENSION IF NOT EXISTS vector;
    CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        filename TEXT NOT NULL,
        media_type TEXT NOT NULL,
        sha256 TEXT NOT NULL UNIQUE,
        size BIGINT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
        text BYTEA NOT NULL,
        meta TEXT NOT NULL,
        pages TEXT NOT NULL,
        furniture TEXT NOT NULL,
        sections TEXT NOT NULL
    );
    CREATE TABLE segments (
        id BIGSERIAL PRIMARY KEY,
        document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        start INTEGER NOT NULL,
        "end" INTEGER NOT NULL,
        block TEXT NOT NULL,
        kind TEXT NOT NULL,
        themes TEXT[] NOT NULL,
        organism TEXT,
        doc_type TEXT,
        year INTEGER NOT NULL,
        body TEXT NOT NULL,
        terms TSVECTOR NOT NULL,
        length INTEGER NOT NULL,
        embedding VECTOR({dim}) NOT NULL,
        UNIQUE (document_id, seq)
    );
    CREATE INDEX segments_terms ON segments USING gin (terms);
    CREATE INDEX segments_embedding ON segments USING hnsw (embedding vector_cosine_ops);
    CREATE INDEX segments_kind ON segments (kind);
    CREATE INDEX segments_themes ON segments USING gin (themes);
    CREATE TABLE corpus (one BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (one), segments BIGINT NOT NULL,
                         length BIGINT NOT NULL);
    INSERT INTO corpus VALUES (TRUE, 0, 0);
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # BM25's document frequencies kept up to date by the writes: counting them per query with the
    # GIN index cost 10 ms a term on dev, and grows with the corpus.
    f"""
    CREATE TABLE term_df (term TEXT PRIMARY KEY, df INTEGER NOT NULL);
    {RECOUNT_TERMS};
    """,
    # As the embedded store's tables (index/documents.py): a reply letter's rebuttal → the report finding it
    # answers, gone with either segment; the fiche récapitulative's indicator rows, gone with the document.
    # Documents stored before keep no links nor indicators until uploaded again.
    """
    CREATE TABLE links (
        rebuttal BIGINT NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
        finding BIGINT NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
        basis TEXT NOT NULL,
        score REAL NOT NULL,
        PRIMARY KEY (rebuttal, finding)
    );
    CREATE INDEX links_finding ON links (finding);
    CREATE TABLE indicators (
        document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        body TEXT NOT NULL,
        PRIMARY KEY (document_id, seq)
    );
    """,
    # ANCOLS_PG_LEXICAL=french (retrieval.french): PostgreSQL's own French analysis of the passage context,
    # accents folded before stemming; filled by the writes, and for the rows already stored by the
    # re-analysis the store runs when it finds no lexical fingerprint. Kept whatever the setting, so
    # switching it needs no rebuild.
    f"""
    CREATE EXTENSION IF NOT EXISTS unaccent;
    CREATE TEXT SEARCH CONFIGURATION ancols_fr (COPY = french);
    ALTER TEXT SEARCH CONFIGURATION ancols_fr ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
    ALTER TABLE segments ADD COLUMN fts TSVECTOR;
    CREATE INDEX segments_fts ON segments USING gin (fts);
    DELETE FROM settings WHERE key = '{LEXICAL_KEY}';
    """,
    # The acronyms a document defines (pipelines/french/acronyms.py), as the embedded store's table, gone with the
    # document; looked up per query by the acronym (any case) and by the long form's first analysed term. The
    # documents already stored are mined by the re-analysis the new lexical fingerprint starts.
    """
    CREATE TABLE acronyms (
        document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        short TEXT NOT NULL,
        long TEXT NOT NULL,
        first_term TEXT NOT NULL,
        PRIMARY KEY (document_id, short, long)
    );
    CREATE INDEX acronyms_short ON acronyms (lower(short));
    CREATE INDEX acronyms_first_term ON acronyms (first_term);
    """,
    # BM25's postings (index/postgres/postings.py), read by an index-only scan of the query's terms;
    # ``version`` counts the writes, so a process knows when its cached facets are stale.
    f"""
    CREATE TABLE postings (
        term TEXT NOT NULL,
        segment BIGINT NOT NULL REFERENCES segments(id) ON DELETE CASCADE,
        tf INTEGER NOT NULL,
        length INTEGER NOT NULL,
        prior FLOAT8 NOT NULL
    );
    INSERT INTO postings(term, segment, tf, length, prior)
        SELECT u.lexeme, s.id, cardinality(u.positions), s.length, {base_prior('s')}
        FROM segments s CROSS JOIN LATERAL unnest(s.terms) AS u;
    CREATE INDEX postings_term ON postings (term) INCLUDE (segment, tf, length, prior);
    CREATE INDEX postings_segment ON postings (segment);
    ALTER TABLE corpus ADD COLUMN version BIGINT NOT NULL DEFAULT 0;
    """,
    # The postings packed per (term, document) (index/postgres/postings.py), read whole by a search which sums
    # BM25 itself; they replace the postings table, one row per posting, that the server summed.
    f"""
    CREATE TABLE term_blocks (
        term TEXT NOT NULL,
        first BIGINT NOT NULL,
        document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        organism TEXT,
        doc_type TEXT,
        year INTEGER NOT NULL,
        postings BYTEA NOT NULL,
        PRIMARY KEY (term, first)
    );
    CREATE INDEX term_blocks_document ON term_blocks (document_id);
    {POSTINGS_OF.format(where="")};
    DROP TABLE postings;
    """,
    # The section context of the ranking (index/ranking.py SECTION_WEIGHT, index/sections.py): BM25 of sections
    # needs their number (a search reads a pooled passage's section from its document's rows: index/postgres/spans.py).
    """
    ALTER TABLE corpus ADD COLUMN sections BIGINT NOT NULL DEFAULT 0;
    UPDATE corpus SET sections = (SELECT count(*) FROM segments WHERE block = 'heading')
        + (SELECT count(*) FROM (SELECT DISTINCT ON (document_id) block FROM segments ORDER BY document_id, seq) f
           WHERE f.block <> 'heading');
    """,
    # The postings in narrower records (index/postgres/postings.py ``POSTING``: 30 -> 17 bytes a posting, the same
    # values), written again in term order as ``postings.cluster`` does: a search ships every posting of its terms.
    f"""
    TRUNCATE term_blocks;
    {POSTINGS_OF.format(where="")};
    CLUSTER term_blocks USING term_blocks_pkey;
    ANALYZE term_blocks;
    """,
    # A passage lists its best theme and the others scoring at least THEME_FLOOR (pipelines/themes.py), no longer its
    # three best whatever their score: the theme filter, its facet and the postings' theme bits read this column.
    # ``json``, not ``jsonb``: a body may escape NUL, which jsonb refuses.
    f"""
    UPDATE segments s SET themes = ARRAY(SELECT t FROM unnest(s.themes) WITH ORDINALITY u(t, n)
        WHERE n = 1 OR coalesce((s.body::json -> 'theme_scores' ->> t)::float8, {THEME_FLOOR}) >= {THEME_FLOOR}
        ORDER BY n)
    WHERE cardinality(s.themes) > 1;
    TRUNCATE term_blocks;
    {POSTINGS_OF.format(where="")};
    CLUSTER term_blocks USING term_blocks_pkey;
    ANALYZE term_blocks;
    UPDATE corpus SET version = version + 1;
    """,
    # An upload's near-duplicate check (index/near_duplicates.py) looks its report number, else its date, up
    # (reader.META_COLUMNS): it scanned every document and parsed its metadata, and a document whose metadata escapes
    # NUL (which PostgreSQL's JSON functions refuse anywhere in the text) made the lookup fail. Each is a column of its
    # own, written by the adds; here read out of the JSON, or for such a document out of the text ``json.dumps``
    # wrote (a value holding an escape is left out, as a NUL one). Idempotent: tests take a store back by hand.
    """
    ALTER TABLE documents ADD COLUMN IF NOT EXISTS report_number TEXT;
    ALTER TABLE documents ADD COLUMN IF NOT EXISTS meta_date TEXT;
    UPDATE documents SET report_number = meta::json ->> 'report_number', meta_date = meta::json ->> 'date'
        WHERE strpos(meta, '\\u0000') = 0;
    UPDATE documents SET report_number = substring(meta from '"report_number": "([^"\\\\]*)"'),
                         meta_date = substring(meta from '"date": "([^"\\\\]*)"')
        WHERE strpos(meta, '\\u0000') > 0;
    CREATE INDEX IF NOT EXISTS documents_report ON documents (report_number);
    CREATE INDEX IF NOT EXISTS documents_date ON documents (meta_date);
    """,
]


# The segments' search indexes (migrations 1 and 4): every write of a passage updates each, which made a bulk
# load spend most of its time in them (HNSW's graph search per inserted vector above all). A bulk load drops them
# and builds each once at the end (``PgStore.bulk_load``); a store opening builds any that a bulk load
# interrupted by a crash left missing.
SEARCH_INDEXES = {
    "segments_terms": "CREATE INDEX IF NOT EXISTS segments_terms ON segments USING gin (terms)",
    "segments_themes": "CREATE INDEX IF NOT EXISTS segments_themes ON segments USING gin (themes)",
    "segments_fts": "CREATE INDEX IF NOT EXISTS segments_fts ON segments USING gin (fts)",
    "segments_embedding": "CREATE INDEX IF NOT EXISTS segments_embedding ON segments"
                          " USING hnsw (embedding vector_cosine_ops)",
}


def drop_search_indexes(conn: psycopg.Connection) -> None:
    for name in SEARCH_INDEXES:
        conn.execute(f"DROP INDEX IF EXISTS {name}")


def build_search_indexes(conn: psycopg.Connection) -> dict[str, float]:
    """Build the missing search indexes; returns each one's build seconds. One that exists is not named to
    CREATE INDEX, whose lock would wait for the writes in flight (a store opening during another's bulk load)."""
    seconds = {}
    for name, sql in SEARCH_INDEXES.items():
        if conn.execute("SELECT to_regclass(%s) IS NULL", (name,)).fetchone()[0]:
            t = time.perf_counter()
            conn.execute(sql)
            seconds[name] = round(time.perf_counter() - t, 1)
    return seconds


def migrate(conn: psycopg.Connection, dimension: int) -> int:
    """Apply the migrations this database lacks; returns how many ran. ``dimension`` sizes a new vector column."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK,))
        conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                     " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
        done = conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()[0]
        for version, sql in enumerate(MIGRATIONS[done:], start=done + 1):
            conn.execute(sql.replace("{dim}", str(int(dimension))))
            conn.execute("INSERT INTO schema_migrations(version) VALUES (%s)", (version,))
    return len(MIGRATIONS) - done
