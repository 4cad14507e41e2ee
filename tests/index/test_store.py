"""The store end to end on real report sentences: modes, priors, filters, facets, duplicates, deletion,
re-analysis after an analyzer change."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from ancols_nlp.index.analyzer import analyze
from ancols_nlp.index.ranking import NEAR_DUPLICATE_COPIES
from ancols_nlp.index.query import Filters, SearchParams
from ancols_nlp.index.passages import LEXICAL_FINGERPRINT, LEXICAL_KEY
from ancols_nlp.index.store import Store
from tests.index.conftest import make_document, paragraph_documents, two_files_of_one_report

VACANCY = "3.1.4 Vacance et mobilité"
REPORT_A = [
    ("3.1.4 Vacance et mobilité", "other", "heading", VACANCY),
    ("Bien qu'inférieure à celle de l'ensemble des logements sociaux du département de la Loire depuis 2016, "
     "la vacance commerciale demeure à un niveau très élevé (6,3 %).", "observation", "paragraph", VACANCY,
     ["vacance"]),
    ("| Taux de vacance | 5,4 | 7,5 | 8,7 | 9 | 7 |", "other", "table_row", VACANCY),
    ("La société doit réduire la vacance commerciale de son parc.", "recommendation", "paragraph", VACANCY,
     ["vacance"]),
    ("En 2015, les coûts de gestion se sont élevés à 2,8 M€, soit 21,1 % du produit total.", "observation",
     "paragraph", "6.2 Coûts de gestion", ["finances"]),
    ("Le Toit Forézien - Rapport de contrôle n° 2017-054", "other", "paragraph", "6.2 Coûts de gestion"),
    ("Le Toit Forézien - Rapport de contrôle n° 2017-054", "other", "paragraph", "6.2 Coûts de gestion"),
]
REPORT_B = [
    ("La vacance globale est stable sur la période 2013-2015, autour de 2,2 % du parc en moyenne, et la vacance "
     "commerciale est parfaitement maîtrisée.", "observation", "paragraph", "3.1.2 Données sur la vacance",
     ["vacance"]),
    ("Dans sa réponse, l'organisme conteste le constat sur la vacance commerciale et fait valoir la livraison "
     "récente de programmes neufs.", "rebuttal", "paragraph", "3.1.2 Données sur la vacance", ["vacance"]),
    ("Le conseil d'administration s'est réuni entre 10 et 11 fois par an, ce qui est une fréquence "
     "exceptionnellement élevée pour un organisme HLM.", "observation", "paragraph",
     "2.2.3 Conseil d'administration", ["gouvernance"]),
]


@pytest.fixture
def store(tmp_path, embedder):
    s = Store(tmp_path / "data", embedder)
    yield s
    s.close()


@pytest.fixture
def two_reports(store):
    a = store.add(make_document(REPORT_A, organism="Le Toit Forézien", year=2018), filename="a.txt", data=b"a")
    b = store.add(make_document(REPORT_B, organism="Logidia", year=2016), filename="b.txt", data=b"b")
    return a.id, b.id


def _texts(store, query, **kw):
    out = store.search(query, k=kw.pop("k", 10), filters=kw.pop("filters", Filters()), **kw)
    return [out.rows[h.id].text for h in out.hits], out


@pytest.mark.parametrize("mode", ["lexical", "semantic", "hybrid"])
def test_every_mode_finds_the_answer_first(store, two_reports, mode):
    texts, out = _texts(store, "vacance commerciale élevée", params=SearchParams(mode=mode))
    # The test embedder is a bag of hashed words: good enough to rank the answer in the top 3.
    assert any("demeure à un niveau très élevé" in t for t in texts[:1 if mode != "semantic" else 3])
    if mode == "hybrid":
        assert out.hits[0].lexical is not None and out.hits[0].dense is not None


def test_headings_and_other_segments_are_damped_not_dropped(store, two_reports):
    texts, _ = _texts(store, "vacance et mobilité", params=SearchParams(mode="lexical"))
    assert texts[-1] == "3.1.4 Vacance et mobilité"  # the heading itself comes last, after passages beneath it
    texts, _ = _texts(store, "taux de vacance", params=SearchParams(mode="lexical"))
    assert any(t.startswith("| Taux de vacance") for t in texts[:3])  # the table row with the figures still shows


def test_a_query_about_contesting_gets_the_rebuttal_first(store, two_reports):
    texts, _ = _texts(store, "l'organisme conteste le constat sur la vacance")
    assert texts[0].startswith("Dans sa réponse, l'organisme conteste")


def test_filters(store, two_reports):
    a, b = two_reports
    q = "vacance commerciale"
    _, out = _texts(store, q, filters=Filters(kind=("recommendation",)))
    assert [out.rows[h.id].kind for h in out.hits] == ["recommendation"]
    _, out = _texts(store, q, filters=Filters(document_id=(b,)))
    assert out.hits and {out.rows[h.id].document_id for h in out.hits} == {b}
    _, out = _texts(store, q, filters=Filters(theme=("gouvernance",)), params=SearchParams(mode="lexical"))
    assert out.hits == [] and out.total == 1
    _, out = _texts(store, q, filters=Filters(theme=("gouvernance",)))  # hybrid: semantic neighbours only
    assert all(out.rows[h.id].themes == ["gouvernance"] for h in out.hits)
    _, out = _texts(store, q, filters=Filters(year_min=2017))
    assert {out.rows[h.id].document_id for h in out.hits} == {a}
    _, out = _texts(store, q, filters=Filters(year_max=2016))
    assert {out.rows[h.id].document_id for h in out.hits} == {b}
    _, out = _texts(store, q, filters=Filters(organism=("logidia",)))
    assert {out.rows[h.id].document_id for h in out.hits} == {b}


def test_facets_count_what_the_filters_let_through(store, two_reports):
    _, out = _texts(store, "vacance")
    assert out.total == len(REPORT_A) + len(REPORT_B)
    assert out.facets["kind"] == {"other": 4, "observation": 4, "recommendation": 1, "rebuttal": 1}
    assert out.facets["theme"] == {"vacance": 4, "finances": 1, "gouvernance": 1}
    assert out.facets["organism"] == {"Le Toit Forézien": 7, "Logidia": 3}
    _, out = _texts(store, "vacance", filters=Filters(kind=("observation",)))
    assert out.total == 4 and out.facets["kind"] == {"observation": 4}


def test_a_filters_rows_and_facets_are_kept_per_snapshot_and_follow_each_write(store, two_reports):
    a, _ = two_reports
    observations = Filters(kind=("observation",))
    snap = store.snapshot
    assert snap.subset(observations) is snap.subset(observations)  # made once for this snapshot
    assert not snap.subset(observations).mask.flags.writeable
    c = store.add(make_document([REPORT_B[0], REPORT_B[2]], organism="Habitat Test", year=2019),
                  filename="c.txt", data=b"c")
    _, out = _texts(store, "vacance", filters=observations)
    assert out.total == 6 and out.facets["organism"] == {"Habitat Test": 2, "Le Toit Forézien": 2, "Logidia": 2}
    nearest = store.snapshot.nearest(store.embedder.encode_query("vacance"), 10, observations)  # base and delta
    rows = store.meta.segments_by_id(list(nearest)).values()
    assert sorted((row.document_id, row.kind) for row in rows) == sorted(
        (d, "observation") for d in (a, a, two_reports[1], two_reports[1], c.id, c.id))
    store.delete(a)
    _, out = _texts(store, "vacance", filters=observations)
    assert out.total == 4 and out.facets["organism"] == {"Habitat Test": 2, "Logidia": 2}
    store.delete(c.id)
    _, out = _texts(store, "vacance", filters=observations)
    assert out.total == 2 and out.facets == {"kind": {"observation": 2}, "theme": {"vacance": 1, "gouvernance": 1},
                                             "organism": {"Logidia": 2}}


def test_repeated_and_near_duplicate_passages_are_not_shown_over_and_over(store, embedder):
    finding = "doit en outre composer avec des coûts de gestion élevés liés notamment à des effectifs importants."
    doc = make_document([
        ("Le Toit Forézien - Rapport de contrôle n° 2017-054 - coûts de gestion", "other", "paragraph",
         "Synthèse"),
        ("LE TOIT FORÉZIEN  -  Rapport de contrôle n° 2017-054 - coûts de gestion", "other", "paragraph",
         "Synthèse"),
        ("Elle " + finding, "recommendation", "paragraph", "Synthèse"),
        ("La société " + finding, "recommendation", "paragraph", "5.6 Conclusion"),
        ("Désormais, elle " + finding, "recommendation", "paragraph", "6. Conclusion générale"),
        ("Enfin, elle " + finding, "observation", "list_item", "Points faibles"),
        ("Les coûts de gestion sont élevés au regard des ratios professionnels.", "observation", "paragraph", "5.2"),
    ])
    store.add(doc, filename="c.txt", data=b"c")
    texts, _ = _texts(store, "coûts de gestion élevés")
    assert sum("Rapport de contrôle" in t for t in texts) == 1  # same text but for case and spacing
    assert sum("effectifs importants" in t for t in texts) == NEAR_DUPLICATE_COPIES  # same words, other headings
    assert any(t.startswith("Les coûts de gestion sont élevés") for t in texts)  # shares words, says something else


def test_a_glossary_row_is_shown_after_the_passages(store):
    doc = make_document([
        ("GIE\tGroupement d'Intérêt Économique", "other", "table_row", "Sigles utilisés"),
        ("Le directeur général est salarié par le groupement d'intérêt économique du groupe, qui refacture "
         "son salaire à la société au prorata du temps passé.", "observation", "paragraph", "2.2 Direction"),
    ])
    store.add(doc, filename="g.txt", data=b"g")
    texts, _ = _texts(store, "groupement d'intérêt économique")
    assert texts[0].startswith("Le directeur général") and texts[1].startswith("GIE")


def test_only_the_shown_passages_are_read_whole(store, two_reports):
    """Near-duplicates are judged on the candidates' texts; the rows returned are those of the hits shown."""
    out = store.search("vacance", k=2, filters=Filters())
    assert len(out.hits) == 2 and set(out.rows) == {h.id for h in out.hits}
    ids = [s.uid for d in store.meta.documents(limit=10, offset=0)[0]
           for s in store.meta.segments_of(d.id, limit=100, offset=0)[0]]
    assert {i: (c.text, c.start, c.end, c.sentences) for i, c in store.meta.texts_by_id(ids).items()} == {
        i: (row.text, row.start, row.end, row.sentences) for i, row in store.meta.segments_by_id(ids).items()}


def test_passages_drawn_one_at_a_time_are_the_searchs_and_none_scores_above_the_ceiling(store):
    """Repeats, near-duplicates and a glossary row (drawn last, though it scores more than the passages before
    it): drawn one at a time, the hits are the search's, and the ceiling read before each draw bounds every later."""
    finding = "doit composer avec des coûts de gestion élevés liés à des effectifs importants."
    store.add(make_document([
        ("CGE\tcoûts de gestion élevés", "other", "table_row", "Sigles utilisés"),
        ("Elle " + finding, "recommendation", "paragraph", "Synthèse"),
        ("La société " + finding, "recommendation", "paragraph", "5.6 Conclusion"),
        ("Enfin, elle " + finding, "observation", "list_item", "Points faibles"),
        ("ENFIN, ELLE  " + finding.upper(), "observation", "list_item", "Points faibles"),
        ("Les coûts de gestion sont élevés au regard des ratios professionnels.", "observation", "paragraph", "5.2"),
        ("Les coûts baissent depuis 2015.", "observation", "paragraph", "5.3"),
    ]), filename="c.txt", data=b"c")
    for k in (1, 3, 10):
        found = store.passages("coûts de gestion élevés", k=k, filters=Filters())
        drawn, ceilings = [], []
        for hit, text in found.drawn:
            drawn.append(hit)
            ceilings.append(found.drawn.ceiling())
            assert text == store.meta.texts_by_id([hit.id])[hit.id]
        assert drawn == store.search("coûts de gestion élevés", k=k, filters=Filters()).hits
        assert all(ceiling >= later.score for n, ceiling in enumerate(ceilings) for later in drawn[n + 1:])
    texts = [found.read_rows([h.id])[h.id].text for h in drawn]
    assert texts[-1].startswith("CGE") and len(texts) == 5  # two copies of a near-duplicate, one of a repeat
    assert drawn[-1].score > drawn[-2].score


def test_document_heads_are_read_once_and_leave_with_their_document(store, two_reports):
    a, b = two_reports
    heads = store.meta.document_heads({a, b, "nosuchdocument"})
    assert {i: h.meta["organism"] for i, h in heads.items()} == {a: "Le Toit Forézien", b: "Logidia"}
    assert store.meta.document_heads([a])[a] is heads[a]  # kept, not read again
    assert store.delete(a)
    assert store.meta.document_heads([a, b]) == {b: heads[b]}


def test_delete_removes_from_both_indexes(store, two_reports):
    a, b = two_reports
    before = store.snapshot
    assert len(before.lexical) == before.segments == len(REPORT_A) + len(REPORT_B)
    assert store.delete(a) and not store.delete(a)
    snap = store.snapshot
    assert snap.segments == store.stats().segments == len(REPORT_B)
    for mode in ("lexical", "semantic", "hybrid"):
        _, out = _texts(store, "vacance commerciale élevée", params=SearchParams(mode=mode))
        assert out.hits and {out.rows[h.id].document_id for h in out.hits} == {b}
        assert out.total == len(REPORT_B) and sum(out.facets["kind"].values()) == len(REPORT_B)
    gone = set(before.columns.ids.tolist()) - set(snap.columns.ids[snap.live].tolist())
    assert len(gone) == len(REPORT_A)
    nearest = snap.nearest(np.ones(store.embedder.dimension, dtype=np.float32), 100, None)
    assert nearest and not gone & set(nearest)
    assert store.organisms() == ["Logidia"]


def test_after_a_delete_and_the_same_report_uploaded_again_passages_score_as_in_a_fresh_store(tmp_path, embedder,
                                                                                                 corpus_texts):
    """The deleted report's rows stay in the base until a merge: they counted in BM25's N, df and average lengths
    (the passages' and the sections'), and scores drifted by their share. Now they count in neither."""
    docs = paragraph_documents(corpus_texts, copies=1)
    fresh, redone = Store(tmp_path / "fresh", embedder), Store(tmp_path / "redone", embedder)
    try:
        names = {}  # both stores' document ids: each store gives its own
        for store in (fresh, redone):
            ids = {name: store.add(doc, filename=f"{name}.txt", data=name.encode()).id for name, doc in docs.items()}
            names |= {i: name for name, i in ids.items()}
            store.merge()
        again = list(docs)[-1]  # its rows last in both stores: equal scores break ties alike
        assert redone.delete(ids[again])
        names[redone.add(docs[again], filename="again.txt", data=again.encode()).id] = again
        snap = redone.snapshot
        assert snap.dead == len(docs[again].segments) and len(snap.lexical) > snap.segments == fresh.snapshot.segments
        lexical, sections = (fresh.snapshot.lexical, snap.lexical), (fresh.snapshot.sections, snap.sections)
        assert lexical[0].counted == lexical[1].counted and sections[0].average == sections[1].average
        for query in ("vacance commerciale élevée", "conseil d'administration", "impayés de loyers",
                      "la société doit réduire ses coûts de gestion", "attribution des logements"):
            assert len({tuple(map(index.passages_with, analyze(query))) for index in lexical}) == 1
            tops = []
            for store in (fresh, redone):  # the lexical mode: BM25 and its section context (the hybrid adds cosines)
                _, out = _texts(store, query, params=SearchParams(mode="lexical"))
                tops.append([(names[out.rows[h.id].document_id], out.rows[h.id].start, h.score) for h in out.hits])
            assert tops[0] and tops[0] == tops[1], query
    finally:
        fresh.close()
        redone.close()


def test_terms_are_rebuilt_when_the_analysis_changes(tmp_path, embedder):
    store = Store(tmp_path / "data", embedder)
    store.add(make_document(REPORT_B), filename="b.txt", data=b"b")
    assert store.meta.get_setting(LEXICAL_KEY) == LEXICAL_FINGERPRINT
    with store.meta.transaction() as db:  # as an older analyzer would have left them
        db.execute("UPDATE segments SET terms = 'obsolete'")
    store.meta.set_setting(LEXICAL_KEY, "fr-0|old")
    store.close()
    store = Store(tmp_path / "data", embedder)
    try:
        assert store.meta.get_setting(LEXICAL_KEY) == LEXICAL_FINGERPRINT
        texts, _ = _texts(store, "conseil d'administration", params=SearchParams(mode="lexical"))
        assert texts and texts[0].startswith("Le conseil d'administration")
    finally:
        store.close()


def test_same_bytes_twice_and_empty_store(store, two_reports, tmp_path, embedder):
    again = store.add(make_document(REPORT_A), filename="a2.txt", data=b"a")
    assert again.duplicate and again.id == two_reports[0]
    empty = Store(tmp_path / "empty", embedder)
    try:
        for mode in ("lexical", "semantic", "hybrid"):
            _, out = _texts(empty, "vacance", params=SearchParams(mode=mode))
            assert out.hits == [] and out.total == 0
    finally:
        empty.close()


def test_indicators_are_stored_with_their_document_and_leave_with_it(store, corpus_texts):
    from ancols_nlp.pipelines.indicators import indicators

    doc = make_document(REPORT_A, organism="Le Toit Forézien", year=2018)
    doc.indicators = indicators(corpus_texts["004_964ee9d999fa8f65.txt"])
    doc_id = store.add(doc, filename="toit.txt", data=b"toit").id
    rows = store.meta.indicators_of(doc_id)
    assert [r.name for r in rows] == [i.name for i in doc.indicators] and rows[0].organism == "6,0%"
    assert store.delete(doc_id) and store.meta.indicators_of(doc_id) == []


@pytest.mark.parametrize("mode", ["lexical", "hybrid"])
def test_a_named_organism_comes_first_and_the_rest_of_the_query_picks_its_passages(store, two_reports, mode):
    params = SearchParams(mode=mode)
    _, out = _texts(store, "Logidia vacance commerciale", params=params)
    assert [out.rows[h.id].document_id for h in out.hits[:2]] == [two_reports[1]] * 2
    # its name's words are not matched: the running header naming it is not an answer
    texts, _ = _texts(store, "Toit Forézien vacance commerciale", params=params)
    assert {texts[0], texts[1]} == {REPORT_A[1][0], REPORT_A[3][0]}
    assert not any(t.startswith("Le Toit Forézien - Rapport") for t in texts[:3])


THEMED = [
    ("Le parc compte 3 806 logements familiaux, construits pour moitié avant 1975, dont 12 % en quartier "
     "prioritaire de la politique de la ville ; le patrimoine est en bon état.", "observation", "paragraph",
     "2.1 Description du parc", ["patrimoine"]),
    ("Les fonds propres par logement du patrimoine sont faibles.", "observation", "paragraph",
     "5.3 Fonds propres", ["finances"]),
]


def test_a_query_all_about_a_theme_favours_that_themes_passages(store):
    store.add(make_document(THEMED), filename="t.txt", data=b"t")
    lexical = SearchParams(mode="lexical")
    assert _texts(store, "le patrimoine", params=lexical)[0][0] == THEMED[0][0]
    # other words say what is asked: the theme does not decide
    assert _texts(store, "patrimoine et fonds propres", params=lexical)[0][0] == THEMED[1][0]


def test_a_store_another_process_leads_follows_its_writes_and_its_saved_bases(tmp_path, embedder):
    """Two stores over one data directory stand for two serving processes: each sees the other's writes at its
    next read, and the follower, which never saves a base, serves from the one the leader saved last."""
    leader = Store(tmp_path / "data", embedder)
    follower = Store(tmp_path / "data", embedder, leading=False)
    lexical = SearchParams(mode="lexical")
    try:
        a = leader.add(make_document(REPORT_A, organism="Le Toit Forézien"), filename="a.txt", data=b"a")
        assert follower.version is None  # a commit it has not taken in: nothing may be cached meanwhile
        assert REPORT_A[3][0] in _texts(follower, "réduire la vacance commerciale", params=lexical)[0]
        assert follower.version is not None

        b = follower.add(make_document(REPORT_B, organism="Logidia"), filename="b.txt", data=b"b")
        assert REPORT_B[2][0] in _texts(leader, "conseil d'administration réuni", params=lexical)[0]

        leader.merge()
        assert follower.snapshot.delta is None and follower.snapshot.base.documents == {a.id, b.id}
        assert len(list((tmp_path / "data" / "snapshot").glob("base-*"))) == 1

        assert follower.delete(a.id)
        assert REPORT_A[3][0] not in _texts(leader, "réduire la vacance commerciale", params=lexical)[0]
        assert leader.stats().documents == follower.stats().documents == 1
    finally:
        follower.close()
        leader.close()


@pytest.mark.parametrize("number, date", [("2016-051", None), (None, "2024-12-20")])
def test_the_same_report_from_another_file_is_stored_once_whichever_process_stores_it(tmp_path, embedder,
                                                                                       corpus_texts, number, date):
    """Two processes serving one data directory each store a file of one report, as two simultaneous uploads
    would once both passed the service's early check: the store checks again in its write transaction. A reply
    letter names no report number: looked up by its date (its .txt and .docx were both stored)."""
    pdf, docx = two_files_of_one_report(next(iter(corpus_texts.values())), number, date)
    one, other = Store(tmp_path / "data", embedder), Store(tmp_path / "data", embedder, leading=False)
    try:
        stored = one.add(pdf, filename="rapport.pdf", data=b"pdf")
        again = other.add(docx, filename="rapport.docx", data=b"docx")
        assert again.duplicate and again.id == stored.id
        assert [w.code for w in again.warnings] == ["near_duplicate"]
        assert one.meta.documents(limit=10, offset=0)[1] == other.meta.documents(limit=10, offset=0)[1] == 1
        other_report = replace(docx, meta=replace(docx.meta, report_number=number and "2016-052",
                                                  date=date and "2024-12-21"))
        assert not other.add(other_report, filename="autre.docx", data=b"other").duplicate
    finally:
        one.close()
        other.close()
