"""The PostgreSQL store on a real server: the same answers as the embedded store, migrations, a model
change, and read scale-out over a streaming replica with read-your-writes."""

from __future__ import annotations

import hashlib
import itertools
import time
from dataclasses import asdict, replace

import numpy as np
import psycopg

import pytest

from ancols_nlp.index.expansion import NO_SYNONYMS
from ancols_nlp.index.grain import POOL
from ancols_nlp.index.interface import Added
from ancols_nlp.index.passages import EMBEDDING_KEY, LEXICAL_KEY, document_contexts
from ancols_nlp.index.postgres import retrieval
from ancols_nlp.index.postgres.bm25 import Bm25
from ancols_nlp.index.postgres.facets import FacetCache
from ancols_nlp.index.postgres.retrieval import same_scores
from ancols_nlp.index.postgres.schema import MIGRATIONS, SEARCH_INDEXES, drop_search_indexes, migrate
from ancols_nlp.index.postgres.spans import SectionLayouts
from ancols_nlp.index.postgres.store import PgStore, Upload
from ancols_nlp.index.query import Filters, SearchParams
from ancols_nlp.index.store import Store
from live import free_port
from pg import new_database
from tests.index.conftest import HashEmbedder, make_document, paragraph_documents, two_files_of_one_report
from tests.index.test_expansion import REPORT as ACRONYM_REPORT
from tests.index.test_sections import SECTIONED
from tests.index.test_store import REPORT_A, REPORT_B

QUERIES = ["vacance commerciale élevée", "l'organisme conteste le constat", "conseil d'administration",
           "coûts de gestion", "logements vacants", "taux de vacance 2016",
           # an organism named (index/query_intents.py): its passages favoured, its name not matched
           "Logidia vacance commerciale", "coûts de gestion du Toit Forézien", "le Toit Forézien",
           "donnees sur la vacance elevee",  # typed without accents: respelled alike (données, élevée)
           "vacance comerciale du Toit Forézien"]  # a word misspelt: corrected alike (commerciale)
FILTERS = [Filters(), Filters(kind=("observation",)), Filters(theme=("vacance",)), Filters(organism=("logidia",)),
           Filters(year_min=2017), Filters(year_max=2017), Filters(doc_type=("reply",))]


@pytest.fixture
def both(tmp_path, embedder, postgres):
    """The embedded and the PostgreSQL store holding the same two reports."""
    stores = Store(tmp_path / "data", embedder), PgStore(new_database(postgres), embedder)
    for store in stores:
        store.add(make_document(REPORT_A, organism="Le Toit Forézien", year=2018), filename="a.txt", data=b"a")
        store.add(make_document(REPORT_B, organism="Logidia", year=2016), filename="b.txt", data=b"b")
    yield stores
    for store in stores:
        store.close()


def _answer(store, query, filters, mode):
    """Hits as (score, text), best first; equal scores (to 4 places, float32 against float64) in text order."""
    out = store.search(query, k=10, filters=filters, params=SearchParams(mode=mode))
    hits = sorted((-round(h.score, 4), out.rows[h.id].text) for h in out.hits)
    return hits, out.facets, out.total


@pytest.mark.parametrize("mode", ["lexical", "semantic", "hybrid"])
def test_same_hits_scores_and_facets_as_the_embedded_store(both, mode):
    embedded, postgres = both
    for query in QUERIES:
        for filters in FILTERS:
            assert _answer(postgres, query, filters, mode) == _answer(embedded, query, filters, mode), (query, filters)


def test_a_query_typed_without_accents_is_respelled_as_in_the_embedded_store(both):
    """The terms a result's highlights show: "donnees" is also "données" (don) in both stores."""
    shown = [store.search("donnees sur la vacance elevee", k=5, filters=Filters()).expansion for store in both]
    assert shown[0] == shown[1] and {"donne", "don", "eleve", "elev"} <= set(shown[0].terms)


def test_a_misspelt_word_is_corrected_as_in_the_embedded_store(both):
    """"comerciale" (no passage's word) is also searched as "commerciale" in both stores, and both answers say so."""
    shown = [store.search("vacance comerciale", k=5, filters=Filters()).expansion for store in both]
    assert shown[0] == shown[1] and shown[0].corrected == (("comerciale", "commerciale"),)


def test_a_word_french_knows_is_left_as_typed_in_both_stores(both):
    """"contexte" is in neither report, "conteste" one edit away is: both stores leave it (index/lexicon.py)."""
    shown = [store.search("contexte de la vacance commerciale", k=5, filters=Filters()).expansion for store in both]
    assert shown[0] == shown[1] and shown[0].corrected == ()
    assert "contest" not in shown[0].terms


@pytest.mark.parametrize("mode", ["lexical", "semantic", "hybrid"])
def test_a_search_reads_the_words_frequencies_and_the_acronyms_once(both, monkeypatch, mode):
    """The query is respelled, corrected, mined and expanded once a search (``retrieval.analysed``), also when the
    text matched differs from the query typed (an organism named): one read of ``term_df`` for the query's terms and
    the words that may respell (a second only for a misspelt word's spellings), one of the acronyms, no statement run
    twice (reading them for each step cost ~2.8 statements a search)."""
    embedded, postgres = both
    run: list[str] = []
    execute = psycopg.Cursor.execute

    def counted(cursor, query, *args, **kwargs):
        run.append(query if isinstance(query, str) else query.as_string(cursor))
        return execute(cursor, query, *args, **kwargs)

    query, params = "donnees elevees du Toit Forézien", SearchParams(mode=mode)
    postgres.search(query, k=5, filters=Filters(), params=params)  # the facets counted
    run.clear()
    monkeypatch.setattr(psycopg.Cursor, "execute", counted)
    shown = [store.search(query, k=5, filters=Filters(), params=params).expansion for store in both]
    assert shown[0] == shown[1] and {"donne", "don", "toit", "forezien"} <= set(shown[0].terms)
    assert sum("FROM term_df WHERE" in s for s in run) == 1 and sum("FROM acronyms" in s for s in run) == 1
    assert len(run) == len(set(run)), run
    run.clear()
    shown = [store.search("vacance comerciale du Toit Forézien", k=5, filters=Filters(), params=params).expansion
             for store in both]
    assert shown[0] == shown[1] and shown[0].corrected == (("comerciale", "commerciale"),)
    others = [s for s in run if "FROM term_df WHERE" not in s]
    assert len(run) - len(others) == 2 and len(others) == len(set(others)), run  # the second: the spellings'


def test_document_heads_are_read_once_and_leave_with_their_document(both):
    """As the embedded store's (``KeptHeads``): a search's results then show their documents without a statement."""
    postgres = both[1]
    files = {d.filename: d.id for d in postgres.meta.documents(limit=10, offset=0)[0]}
    a, b = files["a.txt"], files["b.txt"]
    heads = postgres.meta.document_heads({a, b, "nosuchdocument", "nul\0"})
    assert {i: h.meta["organism"] for i, h in heads.items()} == {a: "Le Toit Forézien", b: "Logidia"}
    assert postgres.meta.document_heads([a])[a] is heads[a]  # kept, not read again
    assert postgres.delete(a)
    assert postgres.meta.document_heads([a, b]) == {b: heads[b]}


def test_same_rows_stats_and_duplicates_as_the_embedded_store(both):
    embedded, postgres = both
    for store in both:
        assert store.add(make_document(REPORT_A), filename="again.txt", data=b"a").duplicate
    assert postgres.organisms() == embedded.organisms() == ["Le Toit Forézien", "Logidia"]
    assert postgres.stats().segments == embedded.stats().segments
    doc_pg, doc_em = (next(d for d in s.meta.documents(limit=10, offset=0)[0] if d.filename == "b.txt") for s in both)
    strip = lambda row: {k: v for k, v in asdict(row).items() if k not in ("id", "created_at")}  # noqa: E731
    assert strip(doc_pg) == strip(doc_em)
    seg_pg, seg_em = (s.meta.segments_of(d.id, limit=50, offset=0) for s, d in zip(both, (doc_pg, doc_em)))
    assert [strip(r) | {"uid": 0, "document_id": ""} for r in seg_pg[0]] == \
           [strip(r) | {"uid": 0, "document_id": ""} for r in seg_em[0]]


def _add_letter_and_report(store, corpus_texts) -> None:
    """The corpus letter read by OCR ("Coop'lvry Habitat") and the report it answers ("Coop'Ivry Habitat"), each
    under the name it writes, one passage a paragraph."""
    from ancols_nlp.pipelines.doctype import read_meta
    from tests.service.test_reply_links_api import LETTER, REPORT

    for name, text in (("letter.txt", corpus_texts[LETTER]), ("report.txt", REPORT)):
        meta = read_meta(text)
        items = [(p.strip(), "other", "paragraph", "") for p in text.split("\n\n") if len(p.strip()) > 20]
        store.add(make_document(items, organism=meta.organism, doc_type=meta.doc_type), filename=name,
                  data=name.encode())


def test_each_organism_name_with_its_documents_in_the_order_stored_as_the_embedded_store(both, corpus_texts):
    """The names the service makes its organisms of (service/organisms.py): each stored spelling with its number of
    documents, in the order first stored, alike in both stores; here the letter read by OCR ("Coop'lvry Habitat")
    and the report it answers ("Coop'Ivry Habitat"), each under the name it writes."""
    for store in both:
        _add_letter_and_report(store, corpus_texts)
        store.add(make_document(REPORT_B[:3], organism="Logidia", year=2017), filename="c.txt", data=b"c")
    embedded, postgres = both
    stored = [("Le Toit Forézien", 1), ("Logidia", 2), ("Coop'lvry Habitat", 1), ("Coop'Ivry Habitat", 1)]
    assert list(postgres.organism_documents().items()) == list(embedded.organism_documents().items()) == stored
    for store in both:
        assert store.delete(store.meta.find_by_sha(hashlib.sha256(b"a").hexdigest()))
    assert list(postgres.organism_documents().items()) == list(embedded.organism_documents().items()) == stored[1:]


def test_a_query_naming_the_report_favours_its_ocr_read_letter_too_as_the_embedded_store(both, corpus_texts):
    """A query naming an organism favours its passages (the organism intent): named by the report's spelling
    ("Coop'Ivry Habitat"), it favoured only the report, and the letter's passage on the asked subject lost the prior
    that the letter's own spelling gave it. Either spelling now reads as the other, in both stores."""
    for store in both:
        _add_letter_and_report(store, corpus_texts)
    for store, mode in itertools.product(both, ("lexical", "hybrid")):
        plain, report, letter = (_answer(store, f"taxe foncière {name}".strip(), Filters(), mode)
                                 for name in ("", "Coop'Ivry Habitat", "Coop'lvry Habitat"))
        assert report == letter, (store, mode)
        # The letter's passage on the tax, first, with the prior of the organism named (1): as not named at all.
        assert report[0][0] == plain[0][0] and "exonérations de taxe foncière" in plain[0][0][1], (store, mode)
    for name in ("Coop'Ivry Habitat", "Coop'lvry Habitat"):  # hybrid scores differ in the 4th place here, named or not
        query = f"taxe foncière {name}"
        assert _answer(both[1], query, Filters(), "lexical") == _answer(both[0], query, Filters(), "lexical"), query


def test_delete_is_gone_from_every_mode_and_the_statistics(both):
    embedded, postgres = both
    first, second = postgres.meta.documents(limit=10, offset=0)[0]
    assert postgres.delete(first.id) and not postgres.delete(first.id)
    for mode in ("lexical", "semantic", "hybrid"):
        out = postgres.search("vacance commerciale", k=10, filters=Filters(), params=SearchParams(mode=mode))
        assert out.hits and {out.rows[h.id].document_id for h in out.hits} == {second.id}
    assert postgres.stats().segments == second.segment_count
    # BM25's corpus size, lengths and document frequencies follow the delete: same scores as the embedded store.
    embedded.delete(next(d.id for d in embedded.meta.documents(limit=10, offset=0)[0] if d.filename == first.filename))
    for query in QUERIES:
        assert _answer(postgres, query, Filters(), "lexical") == _answer(embedded, query, Filters(), "lexical")


def test_the_section_context_ranks_as_in_the_embedded_store_and_follows_a_delete(both):
    """Sections (index/sections.py) from the kept layouts (index/postgres/spans.py) rank the pool as the embedded
    store's; their number follows."""
    embedded, postgres = both

    def sections() -> int:
        with postgres.servers.primary.connection() as conn:
            return conn.execute("SELECT sections FROM corpus").fetchone()[0]

    assert sections() == 2  # each report opens one, neither has a second heading
    added = [store.add(make_document(SECTIONED, organism="Logidia"), filename="s.txt", data=b"s") for store in both]
    assert sections() == 4
    queries = ("la régie", "régie de travaux", "coûts de la régie", "vacance commerciale")
    for query, mode in itertools.product(queries, ("lexical", "hybrid")):
        assert _answer(postgres, query, Filters(), mode) == _answer(embedded, query, Filters(), mode), (query, mode)
    for store, doc in zip(both, added):
        store.delete(doc.id)
    assert sections() == 2
    for query, mode in itertools.product(queries, ("lexical", "hybrid")):
        assert _answer(postgres, query, Filters(), mode) == _answer(embedded, query, Filters(), mode), (query, mode)


def test_a_pool_reads_back_its_passages_vectors_exactly_in_its_order_with_their_documents(both, embedder):
    """``retrieval.pooled``: the float32 vectors the embedder gave each passage, bit for bit, in the pool's order
    (not the rows'), and each passage's document."""
    postgres = both[1]
    doc = make_document(REPORT_B, organism="Logidia", year=2016)
    written = embedder.encode_passages(document_contexts(doc))
    with postgres.servers.read() as conn:
        rows = conn.execute("SELECT s.id, s.document_id FROM segments s JOIN documents d ON d.id = s.document_id"
                            " WHERE d.filename = 'b.txt' ORDER BY s.seq DESC").fetchall()
        vectors, documents = retrieval.pooled(conn, [i for i, _ in rows])
    assert vectors.dtype == np.float32 and vectors.tobytes() == written[::-1].astype(np.float32).tobytes()
    assert sorted(documents) == sorted(rows)


def test_a_snapshot_still_holds_a_document_deleted_since_its_first_read(both):
    """``Servers.snapshot``: a document deleted by another connection after the snapshot's first statement is
    still there, vectors and all, for the pool read that follows, and gone from the next snapshot; the connection
    goes back to its pool (which writes too) without the snapshot's isolation."""
    postgres = both[1]
    with postgres.servers.snapshot() as conn:
        rows = conn.execute("SELECT s.id, s.document_id FROM segments s ORDER BY s.id").fetchall()
        gone = rows[0][1]
        assert postgres.delete(gone)
        vectors, documents = retrieval.pooled(conn, [i for i, _ in rows])
        assert len(vectors) == len(rows) and sorted(documents) == sorted(rows)
        assert conn.execute("SHOW transaction_isolation").fetchone()[0] == "repeatable read"
    assert conn.isolation_level is None and conn.read_only is None
    with postgres.servers.snapshot() as conn:
        assert conn.execute("SELECT count(*) FROM segments WHERE document_id = %s", (gone,)).fetchone()[0] == 0


def _outcome(out):
    """What a search answers: its hits and scores, their rows' texts, the facets and the total."""
    return [(h.id, h.score) for h in out.hits], {i: r.text for i, r in out.rows.items()}, out.facets, out.total


def test_a_hybrid_search_answers_from_its_snapshot_when_its_dense_list_names_a_deleted_passage(both, monkeypatch):
    """The dense list drawn, then its best passage's document deleted (another connection): the search reads its
    pool and rows from the state it started from, so it answers as before the delete, that passage included; the
    next search no longer holds it."""
    postgres = both[1]
    hybrid = SearchParams(mode="hybrid")
    before = postgres.search("loyer", k=10, filters=Filters(), params=hybrid)
    gone = before.rows[before.hits[0].id].document_id
    dense = retrieval.dense

    def dense_then_delete(conn, *args):
        nearest = dense(conn, *args)
        assert postgres.delete(gone)
        return nearest
    monkeypatch.setattr(retrieval, "dense", dense_then_delete)
    out = postgres.search("loyer", k=10, filters=Filters(), params=hybrid)
    assert _outcome(out) == _outcome(before) and out.rows[out.hits[0].id].document_id == gone
    monkeypatch.setattr(retrieval, "dense", dense)
    after = postgres.search("loyer", k=10, filters=Filters(), params=hybrid)
    assert after.hits and all(after.rows[h.id].document_id != gone for h in after.hits)


@pytest.mark.parametrize("mode", ["lexical", "semantic", "hybrid"])
def test_a_write_committed_mid_search_leaves_that_search_in_the_state_it_started_from(both, monkeypatch, mode):
    """A document added by another connection between a search's first statement (the database version) and its
    facet counts, term statistics, postings, dense list, pool and rows: that search's facets, scores and hits are
    all those of the store before the add; the next search's are not."""
    postgres = both[1]
    params = SearchParams(mode=mode)
    before = postgres.search("vacance commerciale", k=10, filters=Filters(), params=params)
    postgres.facets = FacetCache()  # the facets counted again, after the add
    count = retrieval.facets
    added = []

    def add_then_count(conn, filters):
        if not added:
            added.append(postgres.add(make_document(REPORT_A, organism="Habitat Nouveau", year=2019),
                                      filename="c.txt", data=b"c"))
        return count(conn, filters)
    monkeypatch.setattr(retrieval, "facets", add_then_count)
    out = postgres.search("vacance commerciale", k=10, filters=Filters(), params=params)
    assert added and _outcome(out) == _outcome(before)
    after = postgres.search("vacance commerciale", k=10, filters=Filters(), params=params)
    assert after.total == before.total + len(REPORT_A) and after.facets["organism"]["Habitat Nouveau"] == len(REPORT_A)
    if mode != "semantic":  # BM25's statistics moved: more passages, the query's terms more frequent
        assert {h.id: h.score for h in after.hits if h.id in before.rows} != {h.id: h.score for h in before.hits}


def test_a_documents_page_and_its_total_agree_while_a_document_is_added(both, monkeypatch):
    """``PgReader.documents`` reads its total, then its page, in one snapshot: a document added by another
    connection between the two is in neither (at READ COMMITTED the page listed 3 documents of a total of 2)."""
    postgres = both[1]
    execute, added = psycopg.Cursor.execute, []

    def count_then_add(cursor, query, *args, **kwargs):
        out = execute(cursor, query, *args, **kwargs)
        if query == "SELECT count(*) FROM documents" and not added:
            added.append(postgres.add(make_document(REPORT_B, organism="Habitat Nouveau"), filename="c.txt",
                                      data=b"c"))
        return out
    monkeypatch.setattr(psycopg.Cursor, "execute", count_then_add)
    rows, total = postgres.meta.documents(limit=10, offset=0)
    assert added and total == len(rows) == 2 and added[0].id not in {r.id for r in rows}
    rows, total = postgres.meta.documents(limit=10, offset=0)
    assert total == len(rows) == 3


@pytest.mark.parametrize("mode", ["lexical", "hybrid"])
def test_a_document_deleted_before_its_sections_are_read_is_still_in_that_search(both, monkeypatch, mode):
    """The pool's documents read, then one deleted by another process before its section layout is (not kept from
    an earlier search): the layout is read in the search's snapshot, so the search answers as before the delete
    (it failed on an empty layout at READ COMMITTED, a 500); the next search no longer holds the document."""
    postgres = both[1]
    params = SearchParams(mode=mode)
    before = postgres.search("vacance commerciale", k=10, filters=Filters(), params=params)
    postgres.sections = SectionLayouts()  # layouts read again, after the delete
    step = "documents" if mode == "lexical" else "pooled"
    read = getattr(retrieval, step)
    deleted = []

    def read_then_delete(conn, ids):
        out = read(conn, ids)
        deleted.append((out[-1] if mode == "hybrid" else out)[0][1])
        assert postgres.delete(deleted[0])
        return out
    monkeypatch.setattr(retrieval, step, read_then_delete)
    out = postgres.search("vacance commerciale", k=10, filters=Filters(), params=params)
    assert deleted and _outcome(out) == _outcome(before)
    assert any(out.rows[h.id].document_id == deleted[0] for h in out.hits)
    monkeypatch.setattr(retrieval, step, read)
    after = postgres.search("vacance commerciale", k=10, filters=Filters(), params=params)
    assert after.hits and all(after.rows[h.id].document_id != deleted[0] for h in after.hits)


def test_terms_and_their_statistics_are_rebuilt_when_the_analysis_changes(both, embedder):
    embedded, postgres = both
    dsn = postgres.servers.primary.conninfo
    with psycopg.connect(dsn, autocommit=True) as conn:  # as an older analyzer would have left them
        conn.execute("UPDATE segments SET terms = 'obsolete:1', length = 1")
        conn.execute("UPDATE term_df SET df = 1")
        conn.execute("UPDATE settings SET value = 'fr-0|old' WHERE key = %s", (LEXICAL_KEY,))
    postgres.close()
    reopened = PgStore(dsn, embedder)
    try:
        for query in QUERIES:
            assert _answer(reopened, query, Filters(), "lexical") == _answer(embedded, query, Filters(), "lexical")
    finally:
        reopened.close()


# A reply letter to REPORT_A: a rebuttal citing its section, one answering a finding by meaning, a courtesy line.
REPLY_A = [
    ("Au point 3.1.4, la société conteste le niveau de vacance commerciale retenu par l'Agence.", "rebuttal",
     "paragraph", "Réponse de l'organisme"),
    ("Les coûts de gestion se sont élevés en 2015 du fait d'une réorganisation ponctuelle.", "rebuttal",
     "paragraph",
     "Réponse de l'organisme"),
    ("Nous vous prions d'agréer nos salutations distinguées.", "other", "paragraph", "Réponse de l'organisme"),
]


def test_mined_acronyms_are_stored_searched_and_deleted_as_in_the_embedded_store(tmp_path, embedder, postgres):
    stores = Store(tmp_path / "data", embedder), PgStore(new_database(postgres), embedder)
    ids = [store.add(make_document(ACRONYM_REPORT), filename="z.txt", data=b"z").id for store in stores]
    for store in stores:
        store.add(make_document(REPORT_B, organism="Logidia"), filename="b.txt", data=b"b")
    for query in ("vacance en ZUS", "zone urbaine sensible", "zus"):
        for mode in ("lexical", "hybrid"):
            embedded, pg = (_answer(store, query, Filters(), mode) for store in stores)
            assert pg == embedded, (query, mode)
    found = [text for _, text in _answer(stores[1], "ZUS", Filters(), "lexical")[0]]
    assert found == [ACRONYM_REPORT[0][0], ACRONYM_REPORT[1][0]]  # the second through the long form only
    for store, doc_id in zip(stores, ids):
        assert store.delete(doc_id)
        assert _answer(store, "ZUS", Filters(), "lexical")[0] == []
    with psycopg.connect(stores[1].servers.primary.conninfo) as conn:
        assert conn.execute("SELECT count(*) FROM acronyms").fetchone()[0] == 0
    for store in stores:
        store.close()


def _links(store) -> dict[tuple[str, int], list[tuple[str, int]]]:
    """Every stored segment's cross-document links both ways, documents named by filename."""
    docs = {d.id: d.filename for d in store.meta.documents(limit=10, offset=0)[0]}
    out = {}
    for doc_id, name in docs.items():
        for row in store.meta.segments_of(doc_id, limit=50, offset=0)[0]:
            findings = [(docs[d], seq) for d, seq in row.linked_findings]
            answers = [(docs[a.document_id], a.seq) for a in store.meta.segments_answering(doc_id, row.seq)]
            if findings or answers:
                out[(name, row.seq)] = findings + answers
    return out


def test_reply_links_and_indicators_as_the_embedded_store(tmp_path, embedder, postgres, corpus_texts):
    from ancols_nlp.pipelines.indicators import indicators

    stores = Store(tmp_path / "data", embedder), PgStore(new_database(postgres), embedder)
    report = make_document(REPORT_A, organism="Le Toit Forézien", year=2018)
    report.indicators = indicators(corpus_texts["004_964ee9d999fa8f65.txt"])
    later = make_document(REPORT_A[:5], organism="LE TOIT FOREZIEN", year=2019)
    try:
        for store in stores:  # the reply first: it is linked when its report arrives
            store.add(make_document(REPLY_A, organism="Le Toit Forézien", year=2019, doc_type="reply"),
                      filename="reply.txt", data=b"reply")
            store.add(report, filename="a.txt", data=b"a")
        embedded, pg = (_links(store) for store in stores)
        assert pg == embedded
        # The cited section's closest finding (its recommendation), and the costs observation by meaning.
        assert pg[("reply.txt", 0)] == [("a.txt", 3)] and pg[("a.txt", 3)] == [("reply.txt", 0)]
        assert pg[("reply.txt", 1)] == [("a.txt", 4)]
        assert [s.meta.indicators_of(s.meta.find_by_sha(hashlib.sha256(b"a").hexdigest())) for s in stores] == \
               [report.indicators] * 2
        for store in stores:  # a later report of the same organism: the reply now answers it
            store.add(later, filename="later.txt", data=b"later")
        assert _links(stores[1]) == _links(stores[0]) and set(_links(stores[1])) == {
            ("reply.txt", 0), ("reply.txt", 1), ("later.txt", 3), ("later.txt", 4)}
        for store in stores:
            doc_id = store.meta.find_by_sha(hashlib.sha256(b"later").hexdigest())
            assert store.delete(doc_id) and store.meta.indicators_of(doc_id) == []
            assert _links(store) == {}
    finally:
        for store in stores:
            store.close()


class WiderEmbedder(HashEmbedder):
    fingerprint = "hash-bow@test|dim=96"
    dimension = 96


def test_migrations_run_once_and_a_model_change_reembeds(postgres, embedder):
    dsn = new_database(postgres)
    store = PgStore(dsn, embedder)
    store.add(make_document(REPORT_B), filename="b.txt", data=b"b")
    store.close()
    with psycopg.connect(dsn, autocommit=True) as conn:
        assert migrate(conn, embedder.dimension) == 0
        assert conn.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] == len(MIGRATIONS)
    store = PgStore(dsn, WiderEmbedder())
    try:
        with psycopg.connect(dsn) as conn:
            assert conn.execute("SELECT DISTINCT vector_dims(embedding) FROM segments").fetchall() == [(96,)]
            assert conn.execute("SELECT value FROM settings WHERE key = %s", (EMBEDDING_KEY,)).fetchone()[0] == \
                   WiderEmbedder.fingerprint
        out = store.search("conseil d'administration", k=3, filters=Filters(), params=SearchParams(mode="semantic"))
        assert out.rows[out.hits[0].id].text.startswith("Le conseil d'administration")
    finally:
        store.close()


@pytest.fixture(scope="module")
def replica(postgres):
    """A hot standby of the session's server, streaming over loopback."""
    with postgres.replica(postgres.data_dir.parent / "replica", free_port()) as server:
        yield server


def _count(dsn: str, sql: str, *args) -> int:
    with psycopg.connect(dsn) as conn:
        return conn.execute(sql, args).fetchone()[0]


def test_searches_go_to_the_replica_and_see_the_uploaders_writes(postgres, replica, embedder):
    dsn = new_database(postgres)
    name = dsn.rsplit("/", 1)[1]
    replica_dsn = replica.dsn.rsplit("/", 1)[0] + "/" + name
    # CREATE DATABASE reaches the standby when it replays it: on a loaded machine, after the store opens.
    deadline = time.monotonic() + 30
    while not _count(replica.dsn, "SELECT count(*) FROM pg_database WHERE datname = %s", name):
        assert time.monotonic() < deadline, "the new database never reached the replica"
        time.sleep(0.1)
    store = PgStore(dsn, embedder, replicas=(replica_dsn,))
    try:
        with store.servers.read() as conn:
            assert conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]  # reads are served by the standby
        added = store.add(make_document(REPORT_B, organism="Logidia"), filename="b.txt", data=b"b")
        # At once, with no sleep: the read waits for the replica to replay the upload's commit.
        out = store.search("conseil d'administration", k=3, filters=Filters(), params=SearchParams(mode="hybrid"))
        assert out.hits and out.rows[out.hits[0].id].document_id == added.id
        assert store.meta.document(added.id).segment_count == len(REPORT_B)
        assert store.delete(added.id)
        assert store.search("conseil d'administration", k=3, filters=Filters()).hits == []
        assert store.meta.document(added.id) is None
        for server in (dsn, replica_dsn):
            assert _count(server, "SELECT count(*) FROM segments WHERE document_id = %s", added.id) == 0
            assert _count(server, "SELECT count(*) FROM documents") == 0
    finally:
        store.close()


def test_reads_fall_back_to_the_primary_when_the_replica_is_unreachable(postgres, embedder):
    dsn = new_database(postgres)
    store = PgStore(dsn, embedder, replicas=(f"postgresql://postgres@127.0.0.1:{free_port()}/postgres",))
    try:
        with store.servers.read() as conn:
            assert not conn.execute("SELECT pg_is_in_recovery()").fetchone()[0]
        added = store.add(make_document(REPORT_B), filename="b.txt", data=b"b")
        out = store.search("conseil d'administration", k=3, filters=Filters())
        assert out.hits and out.rows[out.hits[0].id].document_id == added.id
    finally:
        store.close()


# Arrears and vacancy as a report words them: accents, plurals, and "logements vacants" without "vacance".
REPORT_C = [
    ("Les impayés locatifs atteignent 12 % des loyers quittancés en 2016.", "observation", "paragraph",
     "4.3 Recouvrement", ["finances"]),
    ("Le nombre de logements vacants a doublé dans le quartier de la gare.", "observation", "paragraph",
     "3.2 Occupation du parc", ["vacance"]),
    ("L'organisme doit renforcer le suivi des locataires en difficulté.", "recommendation", "paragraph",
     "4.3 Recouvrement", ["finances"]),
]


@pytest.fixture
def french(postgres, embedder):
    """A PostgreSQL store searching with PostgreSQL's French full-text search, holding three reports."""
    store = PgStore(new_database(postgres), embedder, lexical="french")
    store.add(make_document(REPORT_A, organism="Le Toit Forézien", year=2018), filename="a.txt", data=b"a")
    store.add(make_document(REPORT_B, organism="Logidia", year=2016), filename="b.txt", data=b"b")
    store.add(make_document(REPORT_C, organism="Logidia", year=2019), filename="c.txt", data=b"c")
    yield store
    store.close()


def _french_texts(store, query, filters=Filters(), mode="lexical") -> list[str]:
    out = store.search(query, k=10, filters=filters, params=SearchParams(mode=mode))
    for hit in out.hits:  # each hit is a stored segment, its row read back from its document
        row = out.rows[hit.id]
        stored = store.meta.segments_of(row.document_id, limit=50, offset=0)[0]
        assert any(r.seq == row.seq and r.text == row.text for r in stored)
    return [out.rows[h.id].text for h in out.hits]


@pytest.mark.parametrize("mode", ["lexical", "hybrid"])
def test_french_search_folds_accents_and_inflections(french, mode):
    arrears = REPORT_C[0][0]
    for query in ("impayés", "IMPAYES", "impayé", "les Impayes locatif"):
        assert _french_texts(french, query, mode=mode)[0] == arrears, query


def test_french_search_expands_the_domain_synonyms_at_query_time(french):
    vacant = REPORT_C[1][0]
    with psycopg.connect(french.servers.primary.conninfo) as conn:  # "vacants" and "vacance" stem apart
        lexemes = conn.execute("SELECT tsvector_to_array(fts) FROM segments WHERE body LIKE %s",
                               ("%logements vacants%",)).fetchone()[0]
        assert "vac" in lexemes and "vacanc" not in lexemes and \
               conn.execute("SELECT to_tsvector('ancols_fr', 'vacance')::text").fetchone()[0] == "'vacanc':1"
    texts = _french_texts(french, "vacance")
    assert vacant in texts and texts[0] != vacant  # found through its synonym, ranked under the word itself
    # "arriérés" is a synonym of "impayés": the arrears passage answers it without the word.
    assert _french_texts(french, "arriérés")[0] == REPORT_C[0][0]
    assert _french_texts(french, "de la") == []  # function words only: nothing to match, no error


def test_french_search_keeps_the_filters(french):
    query = "vacance commerciale"
    everything = _french_texts(french, query)
    files = {d.id: d.filename for d in french.meta.documents(limit=10, offset=0)[0]}
    for filters, keep in [(Filters(kind=("recommendation",)), lambda r: r.kind == "recommendation"),
                          (Filters(organism=("logidia",)), lambda r: files[r.document_id] in ("b.txt", "c.txt")),
                          (Filters(year_min=2017), lambda r: files[r.document_id] in ("a.txt", "c.txt"))]:
        out = french.search(query, k=10, filters=filters, params=SearchParams(mode="lexical"))
        rows = [out.rows[h.id] for h in out.hits]
        assert rows and all(map(keep, rows)), filters
        assert len(rows) < len(everything)
        assert [r.text for r in rows] == [t for t in everything if t in {r.text for r in rows}]


def test_a_store_from_before_french_search_is_analysed_on_opening(postgres, embedder):
    dsn = new_database(postgres)
    before = PgStore(dsn, embedder)
    before.add(make_document(REPORT_C), filename="c.txt", data=b"c")
    before.close()
    with psycopg.connect(dsn, autocommit=True) as conn:  # back to the schema of migration 3, rows kept
        conn.execute("ALTER TABLE corpus DROP COLUMN sections")
        conn.execute("DROP TABLE term_blocks")
        conn.execute("ALTER TABLE corpus DROP COLUMN version")
        conn.execute("DROP TABLE acronyms")
        conn.execute("ALTER TABLE segments DROP COLUMN fts")
        conn.execute("DROP TEXT SEARCH CONFIGURATION ancols_fr")
        conn.execute("DELETE FROM schema_migrations WHERE version >= 4")
    store = PgStore(dsn, embedder, lexical="french")
    try:
        assert _french_texts(store, "IMPAYES")[0] == REPORT_C[0][0]
    finally:
        store.close()


def test_an_unknown_lexical_strategy_is_refused(embedder):
    from pydantic import ValidationError

    from ancols_nlp.service.settings import Settings

    with pytest.raises(ValueError, match="bm25, french"):  # before connecting to anything
        PgStore("postgresql://x@127.0.0.1:1/x", embedder, lexical="english")
    with pytest.raises(ValidationError):
        Settings(store="postgres", pg_dsn="postgresql://x@127.0.0.1/x", pg_lexical="english")


def test_the_lexical_top_k_from_postings_equals_scoring_every_match(postgres, embedder, corpus_texts):
    """BM25 summed in the service from the query terms' packed postings gives the very list (ids, scores) of
    scoring each matching passage's own terms in SQL, with filters, priors (headings, off-intent kinds) and after
    a delete has moved the statistics, and the same scores for given passages (``same_scores``)."""
    store = PgStore(new_database(postgres), embedder)
    try:
        docs = paragraph_documents(corpus_texts, copies=2)
        added = [store.add(doc, filename=name, data=name.encode()) for name, doc in docs.items()]
        assert store.delete(added[0].id)
        queries = QUERIES + ["recommandation loyers", "organisme", "la société doit"]
        with store.servers.read() as conn:
            for query in queries:
                for filters in FILTERS:
                    scorer = Bm25.read(conn, retrieval.analysed(conn, query, mined=NO_SYNONYMS), filters)
                    for limit in (1, 10, 200):
                        fast = scorer.top(limit)
                        every = retrieval.bm25_all(conn, query, filters, limit=limit)
                        assert same_scores(fast, every) and len(fast) <= limit, (query, filters, limit)
                        assert fast or filters.active()
                    some = list(retrieval.bm25_all(conn, query, Filters(), limit=30))[::3] + [10**9]
                    assert same_scores(scorer.of(some), retrieval.bm25_all(conn, query, filters, ids=some))
    finally:
        store.close()


@pytest.mark.parametrize("mode", ["lexical", "semantic", "hybrid"])
def test_a_wider_cut_is_the_search_asked_for_more_without_searching_again(postgres, embedder, corpus_texts,
                                                                          monkeypatch, mode):
    """The sentence grain's second pool (``Passages.wider``) searched again (BM25, dense list, fusion); cut from
    the first search's scores it draws the same passages, in the same order, with the same texts and scores."""
    store = PgStore(new_database(postgres), embedder)
    try:
        for name, doc in paragraph_documents(corpus_texts, copies=1).items():
            store.add(doc, filename=name, data=name.encode())
        params, analysed = SearchParams(mode=mode), retrieval.analysed
        searched = []
        monkeypatch.setattr(retrieval, "analysed", lambda *args: searched.append(args) or analysed(*args))
        for query in QUERIES[:6]:
            for filters in (Filters(), Filters(kind=("other",))):
                searched.clear()
                wider = list(store.passages(query, k=3, filters=filters, params=params).wider(POOL).drawn)
                assert len(searched) == 1
                asked = list(store.passages(query, k=POOL, filters=filters, params=params).drawn)
                assert wider == asked and len(asked) > 3, (query, filters)
    finally:
        store.close()


def test_facets_counted_once_are_recounted_after_another_process_writes(postgres, embedder):
    """A store's facet counts stay cached until a write through any store on the database bumps its version."""
    dsn = new_database(postgres)
    reader, writer = PgStore(dsn, embedder), PgStore(dsn, embedder)  # two processes' stores on one database
    try:
        writer.add(make_document(REPORT_A, organism="Le Toit Forézien"), filename="a.txt", data=b"a")
        before = reader.search("vacance", k=5, filters=Filters())
        assert before.total == len(REPORT_A) and before.facets["organism"] == {"Le Toit Forézien": len(REPORT_A)}
        added = writer.add(make_document(REPORT_B, organism="Logidia"), filename="b.txt", data=b"b")
        after = reader.search("vacance", k=5, filters=Filters())
        assert after.total == len(REPORT_A) + len(REPORT_B)
        assert after.facets["organism"] == {"Le Toit Forézien": len(REPORT_A), "Logidia": len(REPORT_B)}
        assert writer.delete(added.id)
        assert reader.search("vacance", k=5, filters=Filters()).facets == before.facets
    finally:
        reader.close()
        writer.close()


def test_a_search_reads_the_database_version_once_for_its_facets_and_the_known_organisms(both, monkeypatch):
    """``FacetCache.get`` of several filter sets: each one's counts as asked alone, from one version read; a search's
    facets and the organisms (with their spellings) its query is read against, from one version read too."""
    postgres = both[1]
    sets = (Filters(kind=("observation",)), Filters())
    with postgres.servers.snapshot() as conn:
        alone = [postgres.facets.get(conn, f)[0] for f in sets]
        known = postgres.facets.organisms(conn).organisms
        statements: list[str] = []
        execute = conn.execute
        monkeypatch.setattr(conn, "execute", lambda query, *args, **kwargs: statements.append(query)
                            or execute(query, *args, **kwargs))
        assert postgres.facets.get(conn, *sets) == alone
        assert postgres.facets.searched(conn, sets[0]) == (alone[0], known)
    assert statements == ["SELECT version FROM corpus"] * 2
    assert [o.spellings for o in known] == [("Le Toit Forézien",), ("Logidia",)]
    assert alone[1][0]["organism"] == {"Le Toit Forézien": len(REPORT_A), "Logidia": len(REPORT_B)}


def _indexes(dsn: str) -> set[str]:
    with psycopg.connect(dsn) as conn:
        return {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'segments'")}


def test_a_bulk_load_stores_and_ranks_as_one_add_a_document(postgres, embedder, corpus_texts):
    """``add_many`` in ``bulk_load`` (search indexes dropped, then built once) gives the rows, statistics and
    answers of adding the same documents one by one; the same bytes twice in a batch are one document."""
    docs = paragraph_documents(corpus_texts, copies=2)
    one, bulk = (PgStore(new_database(postgres), embedder) for _ in range(2))
    try:
        singly = [one.add(doc, filename=name, data=name.encode()) for name, doc in docs.items()]
        uploads = [Upload(doc, name, name.encode()) for name, doc in docs.items()]
        with bulk.bulk_load() as built:
            assert not _indexes(bulk.servers.primary.conninfo) & set(SEARCH_INDEXES)
            added = bulk.add_many(uploads[:3]) + bulk.add_many(uploads[3:] + uploads[:1])
        assert set(built) == set(SEARCH_INDEXES) <= _indexes(bulk.servers.primary.conninfo)
        assert [a.segment_count for a in added[:len(docs)]] == [a.segment_count for a in singly]
        assert added[-1] == Added(added[0].id, added[0].segment_count, True) and not added[0].duplicate
        assert bulk.stats() == one.stats()
        with bulk.servers.read() as b, one.servers.read() as o:
            for sql in ("SELECT segments, length FROM corpus", "SELECT term, df FROM term_df ORDER BY term",
                        "SELECT count(*), sum(length(postings)) FROM term_blocks",
                        "SELECT d.filename, s.seq, s.kind, s.themes, s.year, s.body, s.terms::text, s.fts::text,"
                        " s.embedding::text FROM segments s JOIN documents d ON d.id = s.document_id ORDER BY 1, 2"):
                assert b.execute(sql).fetchall() == o.execute(sql).fetchall(), sql
        # Lexical only: an HNSW graph built at once is not the one built insert by insert, and its approximate
        # neighbours may differ.
        for query in QUERIES:
            assert _answer(bulk, query, Filters(), "lexical") == _answer(one, query, Filters(), "lexical"), query
    finally:
        one.close()
        bulk.close()


def test_a_store_opening_builds_the_search_indexes_an_interrupted_bulk_load_left_missing(postgres, embedder):
    dsn = new_database(postgres)
    PgStore(dsn, embedder).close()
    with psycopg.connect(dsn, autocommit=True) as conn:
        drop_search_indexes(conn)  # as a bulk load killed before its end leaves the database
    assert not _indexes(dsn) & set(SEARCH_INDEXES)
    PgStore(dsn, embedder).close()
    assert set(SEARCH_INDEXES) <= _indexes(dsn)


def test_a_store_written_before_the_theme_floor_lists_only_the_themes_above_it(tmp_path, embedder, postgres):
    """Passages stored before THEME_FLOOR listed their three best themes whatever their scores: the embedded store's
    snapshot and PostgreSQL's migration 10 keep the best one and those above the floor, for filters, facets and
    the passages returned alike."""
    doc = make_document([("La vacance commerciale demeure à un niveau très élevé (6,3 %).", "observation",
                          "paragraph", "3.1 Vacance", ["vacance", "loyers_charges", "gouvernance"])])
    doc.segments[0].theme_scores = {"vacance": 0.8, "loyers_charges": 0.19, "gouvernance": 0.01}
    dsn = new_database(postgres)
    stores = [Store(tmp_path / "data", embedder), PgStore(dsn, embedder)]
    for store in stores:
        store.add(doc, filename="a.txt", data=b"a")
    with psycopg.connect(dsn, autocommit=True) as conn:  # as before migration 10 ran
        conn.execute("UPDATE segments SET themes = ARRAY['vacance', 'loyers_charges', 'gouvernance']")
        conn.execute("DELETE FROM schema_migrations WHERE version >= 10")
    stores[1].close()
    stores[1] = PgStore(dsn, embedder)
    try:
        for store in stores:
            out = store.search("vacance commerciale", k=3, filters=Filters(), params=SearchParams(mode="lexical"))
            assert out.facets["theme"] == {"loyers_charges": 1, "vacance": 1}, store
            assert out.rows[out.hits[0].id].themes == ["vacance", "loyers_charges"]
            assert not store.search("vacance commerciale", k=3, filters=Filters(theme=("gouvernance",)),
                                    params=SearchParams(mode="lexical")).hits
    finally:
        for store in stores:
            store.close()


@pytest.mark.parametrize("number, date", [("2016-051", None), (None, "2024-12-20")])
def test_the_same_report_from_another_file_is_stored_once_in_a_batch_or_from_two_processes(postgres, embedder,
                                                                                          corpus_texts, number, date):
    """A file of a report stored already (through another process, or earlier in the same bulk batch) is answered
    as the first one: the check runs under the store's write lock, as the embedded store's does. A reply letter
    names no report number: looked up by its date."""
    pdf, docx = two_files_of_one_report(next(iter(corpus_texts.values())), number, date)
    dsn = new_database(postgres)
    one, other = PgStore(dsn, embedder), PgStore(dsn, embedder)
    try:
        stored = one.add(pdf, filename="rapport.pdf", data=b"pdf")
        again = other.add(docx, filename="rapport.docx", data=b"docx")
        assert again.duplicate and again.id == stored.id and [w.code for w in again.warnings] == ["near_duplicate"]
        assert other.meta.documents(limit=10, offset=0)[1] == 1
    finally:
        one.close()
        other.close()
    batch = PgStore(new_database(postgres), embedder)
    try:
        first, repeated, same_bytes = batch.add_many([Upload(pdf, "rapport.pdf", b"pdf"),
                                                      Upload(docx, "rapport.docx", b"docx"),
                                                      Upload(docx, "copie.docx", b"docx")])
        assert not first.duplicate and repeated.duplicate and same_bytes.duplicate
        assert repeated.id == same_bytes.id == first.id and batch.meta.documents(limit=10, offset=0)[1] == 1
    finally:
        batch.close()


def test_migration_11_lets_a_store_written_before_it_find_its_reports_again(postgres, embedder, corpus_texts):
    """A database written before migration 11 holds its documents' report numbers and dates only in their
    metadata: the migration copies them into the looked-up columns, so a file of a report stored then is still
    answered as the first one; a letter named by its date as well, though its title holds a NUL (which only the
    field holding it cannot be read out of the JSON for)."""
    report, report_copy = two_files_of_one_report(next(iter(corpus_texts.values())), "2016-051")
    letter, letter_copy = two_files_of_one_report(list(corpus_texts.values())[1], None, "2024-12-20")
    letter = replace(letter, meta=replace(letter.meta, title="Réponse\0 de l'organisme"))  # NUL, escaped in its JSON
    dsn = new_database(postgres)
    store = PgStore(dsn, embedder)
    stored = [store.add(report, filename="rapport.pdf", data=b"pdf"),
              store.add(letter, filename="lettre.txt", data=b"txt")]
    odd = replace(report, meta=replace(report.meta, report_number="2016-\x00052", organism="Autre organisme"))
    store.add(odd, filename="autre.pdf", data=b"odd")  # a report number holding a NUL: not read, not failing
    store.close()
    with psycopg.connect(dsn, autocommit=True) as conn:  # back to the schema of migration 10, rows kept
        conn.execute("DROP INDEX documents_report, documents_date")
        conn.execute("ALTER TABLE documents DROP COLUMN report_number, DROP COLUMN meta_date")
        conn.execute("DELETE FROM schema_migrations WHERE version >= 11")
    store = PgStore(dsn, embedder)
    try:
        again = [store.add(report_copy, filename="rapport.docx", data=b"docx"),
                 store.add(letter_copy, filename="lettre.docx", data=b"docx2")]
        assert [(a.duplicate, a.id) for a in again] == [(True, s.id) for s in stored]
        assert store.meta.documents(limit=10, offset=0)[1] == 3
        with psycopg.connect(dsn) as conn:
            assert sorted(conn.execute("SELECT report_number, meta_date FROM documents").fetchall(),
                          key=str) == sorted([("2016-051", None), (None, "2024-12-20"), (None, None)], key=str)
    finally:
        store.close()
