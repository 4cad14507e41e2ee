"""The store's persisted base and incremental delta, on paragraphs of the real corpus: an incrementally
built store ranks as one rebuilt from scratch, a reopened store loads its base instead of rebuilding it,
a damaged or stale base is rebuilt, deletions of base documents are masked at once."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ancols_nlp.index.columns import Columns
from ancols_nlp.index.query import Filters, SearchParams
from ancols_nlp.index.snapshot import Part
from ancols_nlp.index.store import Store
from tests.index.conftest import make_document

QUERIES = ("vacance commerciale élevée", "conseil d'administration", "impayés de loyers", "coûts de gestion",
           "attributions de logements", "l'organisme conteste le constat")


def corpus_documents(corpus: Path, count: int = 6, size: int = 60) -> list[tuple[bytes, object]]:
    """(bytes, document) of ``count`` documents of ``size`` real paragraphs each, from two corpus files."""
    paragraphs = []
    for path in sorted(corpus.glob("*.txt"))[:2]:
        paragraphs += [p.strip() for p in path.read_text().split("\n\n") if len(p.strip()) > 40]
    docs = []
    for n in range(count):
        chunk = paragraphs[n * size:(n + 1) * size]
        items = [(p, "observation" if i % 3 else "recommendation", "paragraph", f"Partie {i // 10}",
                  ["vacance"] if i % 2 else [])
                 for i, p in enumerate(chunk)]
        docs.append(("\n\n".join(chunk).encode(), make_document(items, organism=f"Organisme {n % 3}", year=2010 + n)))
    return docs


def ranking(store: Store, query: str, mode: str, **filters) -> list[tuple[str, float]]:
    # Candidate lists cover the whole store: the test embedder gives many segments the same cosine,
    # and FAISS may cut such ties differently in one index and in two.
    out = store.search(query, k=10, filters=Filters(**filters), params=SearchParams(mode=mode, candidates=1000))
    return [(out.rows[h.id].text, round(h.score, 4)) for h in out.hits]


def add_all(store: Store, docs) -> list[str]:
    return [store.add(doc, filename=f"d{n}.txt", data=data).id for n, (data, doc) in enumerate(docs)]


@pytest.fixture(scope="module")
def docs(corpus_dir):
    return corpus_documents(corpus_dir)


@pytest.mark.parametrize("mode", ["lexical", "semantic", "hybrid"])
def test_base_plus_delta_ranks_as_a_rebuilt_store(tmp_path, embedder, docs, mode):
    incremental = Store(tmp_path / "inc", embedder)
    add_all(incremental, docs[:3])
    incremental.merge()  # base: the first three documents; delta: the next three
    add_all(incremental, docs[3:])
    snap = incremental.snapshot
    assert snap.delta is not None and len(snap.base.columns) and len(snap.delta.columns)
    rebuilt = Store(tmp_path / "full", embedder)
    add_all(rebuilt, docs)
    rebuilt.merge()
    assert rebuilt.snapshot.delta is None
    try:
        for query in QUERIES:
            for filters in ({}, {"year_min": 2013}):
                assert ranking(incremental, query, mode, **filters) == ranking(rebuilt, query, mode, **filters)
        assert incremental.stats() == rebuilt.stats()
        assert incremental.organisms() == rebuilt.organisms()
        assert list(incremental.organism_documents().items()) == list(rebuilt.organism_documents().items()) == \
               [(f"Organisme {n}", 2) for n in range(3)]
    finally:
        incremental.close()
        rebuilt.close()


def saved_store(path: Path, embedder, docs, mode: str) -> dict[str, list]:
    """Store ``docs`` into a base saved at ``path``, close it; the rankings it gave."""
    store = Store(path, embedder)
    add_all(store, docs)
    store.merge()
    try:
        return {q: ranking(store, q, mode) for q in QUERIES}
    finally:
        store.close()


def test_reopening_loads_the_saved_base(tmp_path, embedder, docs):
    before = saved_store(tmp_path / "data", embedder, docs[:4], "hybrid")
    bases = sorted((tmp_path / "data" / "snapshot").glob("base-*"))
    assert len(bases) == 1
    reopened = Store(tmp_path / "data", embedder)
    try:
        assert sorted((tmp_path / "data" / "snapshot").glob("base-*")) == bases  # loaded, not rebuilt
        assert reopened.snapshot.delta is None
        assert {q: ranking(reopened, q, "hybrid") for q in QUERIES} == before
    finally:
        reopened.close()


@pytest.mark.parametrize("damage", ["truncated vectors", "missing manifest", "other store"])
def test_a_damaged_or_foreign_base_is_rebuilt_from_the_rows(tmp_path, embedder, docs, damage):
    before = saved_store(tmp_path / "data", embedder, docs[:2], "lexical")
    base = next((tmp_path / "data" / "snapshot").glob("base-*"))
    if damage == "truncated vectors":
        (base / "vectors.faiss").write_bytes((base / "vectors.faiss").read_bytes()[:1000])
    elif damage == "missing manifest":
        (base / "manifest.json").unlink()
    else:
        (base / "manifest.json").write_text((base / "manifest.json").read_text().replace('"store": "', '"store": "x'))
    reopened = Store(tmp_path / "data", embedder)
    try:
        assert {q: ranking(reopened, q, "lexical") for q in QUERIES} == before
        assert [p.name for p in (tmp_path / "data" / "snapshot").glob("base-*")] != [base.name]
    finally:
        reopened.close()


def test_deleting_a_base_document_masks_it_at_once_and_after_reopening(tmp_path, embedder, docs):
    store = Store(tmp_path / "data", embedder)
    ids = add_all(store, docs[:3])
    store.merge()
    assert store.delete(ids[1])
    removed = {p.strip() for p in docs[1][0].decode().split("\n\n")}

    def check(s: Store) -> None:
        assert s.stats().segments == len(docs[0][1].segments) + len(docs[2][1].segments)
        for mode in ("lexical", "semantic", "hybrid"):
            for query in QUERIES:
                out = s.search(query, k=20, filters=Filters(), params=SearchParams(mode=mode))
                assert not {out.rows[h.id].text for h in out.hits} & removed
                assert {out.rows[h.id].document_id for h in out.hits} <= {ids[0], ids[2]}
                assert sum(out.facets["kind"].values()) == out.total == s.stats().segments
        assert s.organisms() == ["Organisme 0", "Organisme 2"]

    check(store)
    store.close()
    reopened = Store(tmp_path / "data", embedder)
    try:
        assert reopened.snapshot.dead == len(docs[1][1].segments)  # the same base, with a tombstone mask
        check(reopened)
    finally:
        reopened.close()


def test_rows_are_found_by_id_in_base_and_delta_after_deletions(tmp_path, embedder, docs):
    """The id -> row look-up (a dense table, or binary search when ids are sparse) agrees with the columns."""
    store = Store(tmp_path / "s", embedder)
    ids = add_all(store, docs[:4])
    store.delete(ids[1])  # a gap in the base's ids once merged
    store.merge()
    add_all(store, docs[4:])
    snap = store.snapshot
    every = snap.columns.ids
    assert snap.delta is not None and snap.base._rows_by_id is not None and len(every) == len(set(every.tolist()))
    asked = np.concatenate([every[::-1], [every.max() + 1, every.min() - 1, 0]])
    expected = [int(r) for r in np.searchsorted(every, every[::-1])] + [-1, -1, -1]
    assert snap.rows_of(asked).tolist() == expected
    sparse = Part(Columns(ids=every[::7] * 1000, year=every[::7], themes=every[::7], codes={}, labels={}),
                  snap.base.terms, snap.base.vectors)
    assert sparse._rows_by_id is None  # ids too far apart for a table: binary search
    assert sparse.find(every[::7] * 1000).tolist() == list(range(len(every[::7])))
    assert sparse.find(every[::7] * 1000 + 1).tolist() == [-1] * len(every[::7])


@pytest.mark.parametrize("exact_limit", [10_000, 100])  # a flat index, then IVF-SQ8 over the same passages
def test_a_base_alone_gives_its_nearest_best_first_as_the_merged_order(tmp_path, embedder, docs, exact_limit):
    """Without a delta, ``nearest`` keeps the one search's order instead of sorting it again: the same n best,
    in the same order (ties included) as sorting the list best first would give."""
    store = Store(tmp_path / "s", embedder, exact_limit=exact_limit)
    add_all(store, docs)
    store.merge()
    snap = store.snapshot
    assert snap.delta is None and (snap.kind == "flat") == (exact_limit > len(snap.columns))
    for query in QUERIES:
        vector = embedder.encode_query(query)
        ids, scores = snap.base.vectors.search(vector, 20)
        found = snap.nearest(vector, 20)
        assert len(found) == 20 and list(found.values()) == sorted(found.values(), reverse=True)
        assert list(found.items()) == sorted(zip(ids.tolist(), scores.tolist()), key=lambda kv: -kv[1])
