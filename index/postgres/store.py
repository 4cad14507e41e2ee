"""The PostgreSQL store: the same ``SegmentStore`` as the embedded default, on a server (and its replicas).

Rows, analysed terms, vectors and indicator rows of a document, and the links between a reply letter
and the report it answers (pipelines/reply_links.py, as in the embedded store), are written in one
transaction on the primary (several documents in one, for a bulk load: ``add_many``, ``bulk_load``);
there is no derived in-memory index, so any number of service processes
can share the database. Search runs its SQL primitives (index/postgres/retrieval.py) and sums BM25 from the
query terms' postings (index/postgres/bm25.py) on a replica that has replayed this process's writes, all in one
snapshot (so its scores, facets and rows are of one state of the store), and combines them with the embedded store's
own fusion (index/ranking.py), so both backends rank alike.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from functools import partial

import numpy as np
import psycopg
from psycopg import sql

from ancols_nlp.index.analyzer import analyze
from ancols_nlp.index.interface import Added, Embedder, Passages, SearchOutcome, StoreStats
from ancols_nlp.index.passages import (EMBEDDING_KEY, LEXICAL_FINGERPRINT, LEXICAL_KEY, Distinct, IndexedPassages,
                                       indexed_passages, passage_context, passage_vectors, row_text)
from ancols_nlp.index.postgres import postings, retrieval
from ancols_nlp.index.postgres.bm25 import Bm25
from ancols_nlp.index.postgres.facets import FacetCache
from ancols_nlp.index.near_duplicates import near_duplicate
from ancols_nlp.index.postgres.reader import PgReader, segments_by_id, storable, stored_by_meta
from ancols_nlp.index.postgres.schema import (RECOUNT_TERMS, SEARCH_INDEXES, build_search_indexes,
                                               drop_search_indexes, migrate)
from ancols_nlp.index.postgres.servers import Servers, connect, reads
from ancols_nlp.index.postgres.spans import SectionLayouts
from ancols_nlp.index.query import Filters, SearchParams
from ancols_nlp.index.query_intents import read_query
from ancols_nlp.index.ranking import best_hits, feedback_scores, fuse, lexical_with_sections, with_sections
from ancols_nlp.index.records import SegmentRow, segment_body, stored_passage
from ancols_nlp.index.sections import sections_in
from ancols_nlp.pipelines.french.acronyms import mine_acronyms
from ancols_nlp.pipelines.reply_links import DocumentHead, Passage, relink
from ancols_nlp.pipelines.types import ProcessedDocument

# Any constant: adds and deletes take it first, one at a time, so a document links against every
# document committed before it (a reply and its report uploaded at once through two processes still
# link) and a report is never deleted under a reply being linked to it.
_WRITE_LOCK = 0x616E636F6C4C
# A passage context under PostgreSQL's French configuration (schema migration 4).
_FTS = "to_tsvector('ancols_fr', %s)"
# The lexical strategies a PgStore can search with (ANCOLS_PG_LEXICAL): each reads a query's scorer.
LEXICAL = {"bm25": Bm25.read, "french": retrieval.French}


class PgStore:
    def __init__(self, dsn: str, embedder: Embedder, params: SearchParams | None = None, *,
                 replicas: tuple[str, ...] = (), replica_wait_s: float = 2.0, pool_size: int = 4,
                 lexical: str = "bm25"):
        """``lexical`` names the lexical strategy (``LEXICAL``): bm25, the embedded store's, or french."""
        if lexical not in LEXICAL:
            raise ValueError(f"unknown lexical strategy {lexical!r}: one of {', '.join(LEXICAL)}")
        self.lexical = LEXICAL[lexical]
        self.embedder = embedder
        self.params = params or SearchParams()
        with connect(dsn) as conn:
            migrate(conn, embedder.dimension)
            build_search_indexes(conn)  # those a crashed bulk load left missing
        self.servers = Servers(dsn, list(replicas), wait_s=replica_wait_s, pool_size=pool_size)
        self.meta = PgReader(self.servers)
        self.facets = FacetCache()
        self.sections = SectionLayouts()
        if self._setting(EMBEDDING_KEY) not in (None, embedder.fingerprint):
            self.reembed()
        self._set_setting(EMBEDDING_KEY, embedder.fingerprint)
        if self._setting(LEXICAL_KEY) != LEXICAL_FINGERPRINT:
            self.reanalyze()

    def close(self) -> None:
        self.servers.close()

    # -- writes ---------------------------------------------------------------------------
    def add(self, doc: ProcessedDocument, *, filename: str, data: bytes, vectors: np.ndarray | None = None) -> Added:
        """Index a processed document; the same bytes, or the same report from another file (``near_duplicates``),
        give back the first id. The latter is checked under the store's write lock: copies uploaded at once through
        several processes are stored once."""
        return self.add_many([Upload(doc, filename, data, vectors)])[0]

    def add_many(self, uploads: list[Upload]) -> list[Added]:
        """Index several documents in one transaction, each as ``add`` would (a bulk load: one commit for all).

        Either every new document of the batch is stored whole, or, if the transaction fails, none is; the
        returned ids are acknowledged only once it has committed. A batch meeting the same bytes stored
        concurrently through another process is written again document by document."""
        out: list[Added | None] = [None] * len(uploads)
        shas = [hashlib.sha256(upload.data).hexdigest() for upload in uploads]
        new: dict[str, tuple[int, Upload, str]] = {}  # sha → (place, upload, id) of the documents to write
        for n, (upload, sha) in enumerate(zip(uploads, shas)):
            if sha not in new:
                out[n] = self._existing(sha)
                if out[n] is None:
                    new[sha] = (n, upload, uuid.uuid4().hex[:16])
        passages = {sha: indexed_passages(u.doc, self.embedder, u.vectors) for sha, (_, u, _) in new.items()}
        try:
            with self.servers.write() as conn:
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK,))
                for sha, (n, upload, doc_id) in new.items():
                    # under the write lock: a copy of the same report stored meanwhile, or earlier in the batch
                    out[n] = near_duplicate(partial(stored_by_meta, conn), upload.doc.meta, upload.doc.source.text)
                    if out[n] is None:
                        _write(conn, doc_id, sha, upload, passages[sha])
        except psycopg.errors.UniqueViolation:  # the same bytes, uploaded concurrently through another process
            if len(uploads) > 1:
                return [added for upload in uploads for added in self.add_many([upload])]
            existing = self._existing(next(iter(new)))
            if existing:
                return [existing]
            raise
        for sha, (n, upload, doc_id) in new.items():
            out[n] = out[n] or Added(doc_id, len(upload.doc.segments), False)
        for n, sha in enumerate(shas):  # the same bytes twice in the batch: the first one's id
            if out[n] is None:
                first = out[new[sha][0]]
                out[n] = replace(first, duplicate=True, warnings=first.warnings if first.duplicate else ())
        return out

    @contextmanager
    def bulk_load(self, *, index_memory: str = "1GB") -> Iterator[dict[str, float]]:
        """Around many adds: the search indexes are dropped, then built once each (``schema.SEARCH_INDEXES``) with
        ``index_memory`` of maintenance memory (HNSW builds in memory when its graph fits); yields a dict that
        receives each index's build seconds. Searches meanwhile scan instead of using the indexes (and a store opened
        meanwhile builds them again: bulk-load with the service stopped)."""
        with self.servers.write() as conn:
            drop_search_indexes(conn)
        built: dict[str, float] = {}
        try:
            yield built
        finally:
            with self.servers.on_primary() as conn:
                conn.execute(sql.SQL("SET maintenance_work_mem = {}").format(sql.Literal(index_memory)))
                built.update(build_search_indexes(conn))
                conn.execute("RESET maintenance_work_mem")

    def _existing(self, sha: str) -> Added | None:
        doc_id = self.meta.find_by_sha(sha)
        if doc_id is None:
            return None
        with self.servers.on_primary() as conn:
            count = conn.execute("SELECT count(*) FROM segments WHERE document_id = %s", (doc_id,)).fetchone()[0]
        return Added(doc_id, count, True)

    def delete(self, doc_id: str) -> bool:
        if not storable(doc_id):
            return False
        with self.servers.write() as conn:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_WRITE_LOCK,))
            rows = conn.execute("DELETE FROM segments WHERE document_id = %s"
                                " RETURNING length, tsvector_to_array(terms), seq, block",
                                (doc_id,)).fetchall()
            blocks = [r[3] for r in sorted(rows, key=lambda r: r[2])]
            conn.execute("UPDATE corpus SET segments = segments - %s, length = length - %s, sections = sections - %s",
                         (len(rows), sum(r[0] for r in rows), sections_in(blocks)))
            _count_terms(conn, [r[1] for r in rows], -1)
            postings.after_write(conn)
            self.meta.forget(doc_id)
            return conn.execute("DELETE FROM documents WHERE id = %s", (doc_id,)).rowcount > 0

    def reembed(self) -> int:
        """Recompute every stored vector with the current embedder (after a model change, whatever its dimension)."""
        rows = self._segment_texts()
        vectors = passage_vectors(self.embedder, [passage_context(text, path) for _, text, path in rows])
        dim = self.embedder.dimension
        with self.servers.write() as conn:
            conn.execute("DROP INDEX IF EXISTS segments_embedding")
            conn.execute("ALTER TABLE segments ALTER COLUMN embedding DROP NOT NULL")
            conn.execute(f"ALTER TABLE segments ALTER COLUMN embedding TYPE vector({dim}) USING NULL")
            with conn.cursor() as cur:
                cur.executemany("UPDATE segments SET embedding = %s WHERE id = %s",
                                [(np.asarray(v, dtype=np.float32), i) for (i, _, _), v in zip(rows, vectors)])
            conn.execute("ALTER TABLE segments ALTER COLUMN embedding SET NOT NULL")
            conn.execute(SEARCH_INDEXES["segments_embedding"])
            _set(conn, EMBEDDING_KEY, self.embedder.fingerprint)
        return len(rows)

    def reanalyze(self) -> int:
        """Recompute every stored passage's analysed terms and document's acronyms (after a change of either)."""
        rows = self._segment_texts()
        self.sections.clear()  # the passages' lengths change
        contexts = [passage_context(text, path) for _, text, path in rows]
        terms = [analyze(c) for c in contexts]
        with self.servers.write() as conn:
            with conn.cursor() as cur:
                cur.executemany(f"UPDATE segments SET terms = %s::tsvector, length = %s, fts = {_FTS} WHERE id = %s",
                                [(retrieval.tsvector_literal(t), _length(t), _text(c), i)
                                 for (i, _, _), t, c in zip(rows, terms, contexts)])
            conn.execute("UPDATE corpus SET segments = %s, length = %s", (len(terms), sum(map(_length, terms))))
            conn.execute("TRUNCATE term_df")
            conn.execute(RECOUNT_TERMS)
            conn.execute("TRUNCATE acronyms")
            for doc_id, text in conn.execute("SELECT id, text FROM documents").fetchall():
                _insert_acronyms(conn, doc_id, mine_acronyms(bytes(text).decode("utf-8")))
            postings.rebuild(conn)
            _set(conn, LEXICAL_KEY, LEXICAL_FINGERPRINT)
        return len(rows)

    def _segment_texts(self) -> list[tuple[int, str, list[str]]]:
        with self.servers.on_primary() as conn:
            rows = conn.execute("SELECT id, body FROM segments ORDER BY id").fetchall()
        bodies = [(int(i), json.loads(body)) for i, body in rows]
        return [(i, b["text"], b["section_path"]) for i, b in bodies]

    def _setting(self, key: str) -> str | None:
        with self.servers.on_primary() as conn:
            row = conn.execute("SELECT value FROM settings WHERE key = %s", (key,)).fetchone()
        return row[0] if row else None

    def _set_setting(self, key: str, value: str) -> None:
        with self.servers.write() as conn:
            _set(conn, key, value)

    # -- reads ----------------------------------------------------------------------------
    @reads
    def stats(self) -> StoreStats:
        with self.servers.read() as conn:
            documents, segments = conn.execute(
                "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM segments)").fetchone()
        return StoreStats(documents=documents, segments=segments, vector_index="pgvector-hnsw")

    def lead(self) -> None:
        """Nothing to take over: PostgreSQL keeps its own indexes."""

    @property
    def version(self) -> None:
        """Other processes write to the same database (and replicas lag): answers are not cached here."""
        return None

    @reads
    def organisms(self) -> list[str]:
        with self.servers.read() as conn:
            rows = conn.execute("SELECT DISTINCT organism FROM segments WHERE btrim(organism) <> ''").fetchall()
        return sorted(r[0] for r in rows)

    @reads
    def organism_documents(self) -> dict[str, int]:
        """Read once per database version: every search's organism facet asks (a scan of the documents, ~7 ms at
        2,000 of them)."""
        with self.servers.snapshot() as conn:  # the version and the names of one state (``PerVersion``)
            return dict(self.facets.organisms(conn).documents)

    def search(self, query: str, *, k: int, filters: Filters, params: SearchParams | None = None) -> SearchOutcome:
        return self.passages(query, k=k, filters=filters, params=params).outcome()

    @reads
    def passages(self, query: str, *, k: int, filters: Filters, params: SearchParams | None = None) -> Passages:
        """As ``ancols_nlp.index.search.search``: the same candidates, priors and fusion, each list drawn by SQL.

        Every statement reads one snapshot (``Servers.snapshot``), so the facets, the BM25 statistics and postings,
        the dense list, the pool and the hits' rows are of one state of the store, even while another process
        writes: scores, facets and rows agree, and every candidate's row is there to read (a wider cut's added rows
        are read after: ``drawn``)."""
        params = params or self.params
        n = params.candidates
        with self.servers.snapshot() as conn:
            # The stored organisms, each with its spellings, grouped once per version.
            (facets, total), known = self.facets.searched(conn, filters)
            intent = read_query(query, known)
            vector = self.embedder.encode_query(intent.text) if params.mode != "lexical" else None
            analysed = retrieval.analysed(conn, query, intent)
            scorer = self.lexical(conn, analysed, filters) if params.mode != "semantic" else None
            lex = scorer.top(n) if scorer else {}
            den: dict[int, float] = {}
            if params.mode == "semantic" and vector is not None:
                nearest = retrieval.dense(conn, vector, filters, n, intent)
                den = {i: cosine for i, cosine, _ in nearest}
                fused = {i: cosine * prior for i, cosine, prior in nearest}
            elif scorer and params.mode == "hybrid" and vector is not None and total:
                pool = list(lex) + [i for i, _, _ in retrieval.dense(conn, vector, filters, n, intent) if i not in lex]
                documents: list[tuple[int, str]] = []
                if pool:
                    vectors, documents = retrieval.pooled(conn, pool)
                    den = feedback_scores(pool, vectors, lex, vector)
                missing = [i for i in den if i not in lex]
                lex = {**lex, **scorer.of(missing)} if missing else lex
                lex = {i: lex.get(i, 0.0) for i in den}
                fused = with_sections(fuse(lex, den, params),
                                      scorer.sections(lambda: self.sections.spans(conn, documents)))
            elif lex:
                fused = lexical_with_sections(lex, scorer.sections(
                    lambda: self.sections.spans(conn, retrieval.documents(conn, list(lex)))))
            else:
                fused = lex
            rows: dict[int, SegmentRow] = {}

            def drawn(k: int, read: Callable[[list[int]], dict[int, SegmentRow]] = self._rows) -> Passages:
                """A cut of this search's scores, its rows read in its snapshot. A wider one (``Passages.wider``)
                reads only the rows it adds, as the embedded store's cuts do: it searched again (BM25, dense list,
                fusion) for the same pool. A document deleted between the two reads loses its hits, as there."""
                hits = best_hits(fused, lex, den, k * 3)
                if added := [h.id for h in hits if h.id not in rows]:
                    rows.update(read(added))
                return Passages(Distinct(hits, {i: row_text(row) for i, row in rows.items()}, k),
                                lambda ids: {i: rows[i] for i in ids if i in rows}, facets, total, analysed.asked,
                                drawn)

            return drawn(k, partial(segments_by_id, conn))

    @reads
    def _rows(self, ids: list[int]) -> dict[int, SegmentRow]:
        with self.servers.read() as conn:
            return segments_by_id(conn, ids)


@dataclass(frozen=True)
class Upload:
    """One document to add (``PgStore.add_many``): as ``SegmentStore.add``'s arguments."""
    doc: ProcessedDocument
    filename: str
    data: bytes
    vectors: np.ndarray | None = None


# The passages' rows go by binary COPY (a vector as text cost 1.7 ms to format, its floats 10 µs to pack) into this
# session's staging table, then into segments with their French analysis (``_FTS``), which COPY cannot compute.
_STAGED = (("document_id", "text"), ("seq", "int4"), ("start", "int4"), ('"end"', "int4"), ("block", "text"),
           ("kind", "text"), ("themes", "text[]"), ("organism", "text"), ("doc_type", "text"), ("year", "int4"),
           ("body", "text"), ("terms", "text"), ("length", "int4"), ("embedding", "vector"), ("context", "text"))
_STAGE = ("CREATE TEMP TABLE IF NOT EXISTS segment_rows ("
          + ", ".join(f"{c} {t.upper()}" for c, t in _STAGED) + ") ON COMMIT DELETE ROWS")
_COLUMNS = ", ".join(c for c, _ in _STAGED[:-1])
_SELECTED = ", ".join(f"{c}::tsvector" if c == "terms" else c for c, _ in _STAGED[:-1])  # staged as text


def _write(conn: psycopg.Connection, doc_id: str, sha: str, upload: Upload, passages: IndexedPassages) -> None:
    """One document's rows, terms, vectors, postings, indicators and reply links, inside an add's transaction."""
    doc, contexts, vectors, terms = upload.doc, passages.contexts, passages.vectors, passages.terms
    source, meta = doc.source, doc.meta
    organism = _text(meta.organism) if meta.organism else meta.organism  # a filter column: no NUL
    conn.execute(
        "INSERT INTO documents(id, filename, media_type, sha256, size, text, meta, pages, furniture,"
        " sections, report_number, meta_date)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        (doc_id, _text(upload.filename), source.media_type, sha, len(upload.data), source.text.encode("utf-8"),
         _json(asdict(meta)),
         _json([asdict(p) for p in source.pages]), _json([asdict(f) for f in source.furniture]),
         _json([asdict(s) for s in doc.sections]), meta.report_number and _text(meta.report_number),
         meta.date and _text(meta.date)))
    conn.execute(_STAGE)
    with conn.cursor() as cur:
        with cur.copy(f"COPY segment_rows ({_COLUMNS}, context) FROM STDIN (FORMAT BINARY)") as copy:
            copy.set_types([t for _, t in _STAGED])
            for s, v, t, c in zip(doc.segments, vectors, terms, contexts):
                copy.write_row((doc_id, s.id, s.start, s.end, s.block, s.kind, list(s.themes), organism,
                                meta.doc_type, meta.year or -1, _json(segment_body(s)),
                                retrieval.tsvector_literal(t), _length(t), np.asarray(v, dtype=np.float32), _text(c)))
    conn.execute(f"INSERT INTO segments({_COLUMNS}, fts) SELECT {_SELECTED},"
                 f" {_FTS.replace('%s', 'context')}"
                 " FROM segment_rows WHERE document_id = %s ORDER BY seq", (doc_id,))
    conn.execute("UPDATE corpus SET segments = segments + %s, length = length + %s, sections = sections + %s",
                 (len(terms), sum(map(_length, terms)), sections_in([s.block for s in doc.segments])))
    _count_terms(conn, terms, +1)
    _insert_acronyms(conn, doc_id, passages.acronyms)
    postings.after_write(conn, doc_id)
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO indicators(document_id, seq, body) VALUES (%s, %s, %s)",
                        [(doc_id, i, _json(asdict(row))) for i, row in enumerate(doc.indicators)])
    _link_replies(conn, doc_id)


def _link_replies(conn: psycopg.Connection, doc_id: str) -> None:
    """Replace the links of the replies the new document concerns (``relink``), inside the add's transaction."""
    rows = conn.execute("SELECT id, meta FROM documents").fetchall()
    heads = [DocumentHead.of(i, json.loads(meta)) for i, meta in rows]
    for reply, links in relink(doc_id, heads, lambda ref: _passages(conn, ref)).items():
        conn.execute("DELETE FROM links WHERE rebuttal IN (SELECT id FROM segments WHERE document_id = %s)", (reply,))
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO links(rebuttal, finding, basis, score) VALUES (%s, %s, %s, %s)",
                            [(link.rebuttal, link.finding, link.basis, link.score) for link in links])


def _passages(conn: psycopg.Connection, doc_id: str) -> list[Passage]:
    # Binary results: the vectors' floats as stored, as retrieval.pooled reads them.
    rows = conn.execute("SELECT id, kind, body, embedding FROM segments WHERE document_id = %s ORDER BY seq",
                        (doc_id,), binary=True).fetchall()
    return [stored_passage(i, kind, body, embedding.to_numpy()) for i, kind, body, embedding in rows]


def _insert_acronyms(conn: psycopg.Connection, doc_id: str, acronyms) -> None:
    rows = [(doc_id, _text(a.short), _text(a.long), first[0]) for a in acronyms if (first := analyze(a.long))]
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO acronyms(document_id, short, long, first_term) VALUES (%s, %s, %s, %s)"
                        " ON CONFLICT DO NOTHING", rows)


def _text(value: str) -> str:
    """``value`` as PostgreSQL text, which cannot hold NUL."""
    return value.replace("\0", "")


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _length(terms: list[str]) -> int:
    """A passage's BM25 length; an empty one counts as one term, as in the embedded index."""
    return max(len(terms), 1)


def _count_terms(conn: psycopg.Connection, terms: list[list[str]], sign: int) -> None:
    """Add (``sign`` +1) or remove (-1) passages' terms to the document frequencies, in term order so
    concurrent writers lock the rows they share in the same order (no deadlock)."""
    counts = sorted(Counter(t for passage in terms for t in set(passage)).items())
    if not counts:
        return
    conn.execute("INSERT INTO term_df SELECT * FROM unnest(%s::text[], %s::int[]) ON CONFLICT (term)"
                 " DO UPDATE SET df = term_df.df + excluded.df",
                 ([t for t, _ in counts], [sign * n for _, n in counts]))
    if sign < 0:
        conn.execute("DELETE FROM term_df WHERE term = ANY(%s) AND df <= 0", ([t for t, _ in counts],))


def _set(conn: psycopg.Connection, key: str, value: str) -> None:
    conn.execute("INSERT INTO settings(key, value) VALUES (%s, %s)"
                 " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                 (key, value))
