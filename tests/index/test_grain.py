"""Sentence-sized results over a real store: which sentence of a passage comes first, and stores without sentences."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import replace
from itertools import accumulate

import pytest

from ancols_nlp.index.analyzer import analyze
from ancols_nlp.index.expansion import expand
from ancols_nlp.index.grain import POOL, REPEAT_PENALTY, query_terms, search, sentence_shares
from ancols_nlp.index.interface import Passages
from ancols_nlp.index.passages import Distinct, row_text
from ancols_nlp.index.query import Filters, Hit, SearchParams
from ancols_nlp.index.records import SegmentRow
from ancols_nlp.index import store as store_module
from ancols_nlp.index.search import search as fused_search
from ancols_nlp.index.store import Store
from tests.index.conftest import make_document, paragraph_documents

FIRST = ("Bien qu'inférieure à celle de l'ensemble des logements sociaux du département de la Loire depuis 2016, "
         "la vacance commerciale demeure à un niveau très élevé (6,3 %).")
SECOND = "La société doit réduire la vacance commerciale de son parc."
OTHER = "En 2015, les coûts de gestion se sont élevés à 2,8 M€, soit 21,1 % du produit total."


@pytest.fixture
def store(tmp_path, embedder):
    s = Store(tmp_path / "data", embedder)
    doc = make_document([(f"{FIRST} {SECOND}", "observation", "paragraph", "Vacance"),
                         (OTHER, "observation", "paragraph", "Coûts de gestion")])
    two, one = doc.segments
    two.sentences = [(two.start, two.start + len(FIRST)), (two.end - len(SECOND), two.end)]
    one.sentences = [(one.start, one.end)]
    s.add(doc, filename="a.txt", data=b"a")
    yield s
    s.close()


def _pieces(store, query, k=10, grain="sentence"):
    return search(store, query, k=k, filters=Filters(), params=store.params, grain=grain)[1]


def test_the_sentence_holding_more_of_the_query_comes_first_with_its_passage(store):
    """Both sentences share their passage's fused score: the one holding all three terms (réduire, vacance,
    commerciale) beats the one holding two, which also loses the penalty of its passage's second sentence; each
    result keeps its passage."""
    first, second = _pieces(store, "réduire la vacance commerciale")[:2]
    assert first.text == SECOND and second.text == FIRST
    assert first.row is second.row and first.row.text == f"{FIRST} {SECOND}"
    assert first.score == first.hit.score + 0.5 and second.score == first.hit.score + 0.5 * 2 / 3 - REPEAT_PENALTY


def test_the_passage_grain_is_the_stores_ranking(store):
    out = store.search("vacance commerciale", k=10, filters=Filters())
    shown = _pieces(store, "vacance commerciale", grain="passage")
    assert [(p.hit.id, p.start, p.end, p.score) for p in shown] == [
        (h.id, out.rows[h.id].start, out.rows[h.id].end, h.score) for h in out.hits]
    assert all(p.whole for p in shown)


def test_a_store_written_before_sentences_were_kept_gives_whole_passages(store, tmp_path):
    """An older store's rows have no ``sentences``: each passage is one piece, whole, and nothing fails."""
    assert len(_pieces(store, "vacance commerciale")) == 3
    with sqlite3.connect(tmp_path / "data" / "ancols.sqlite3") as db:
        db.execute("UPDATE segments SET body = json_remove(body, '$.sentences')")
    shown = _pieces(store, "vacance commerciale")
    assert len(shown) == 2 and all(p.whole and p.row.sentences == [] for p in shown)


@pytest.fixture
def report_store(tmp_path, embedder, corpus_texts):
    """The corpus reports' paragraphs, each cut into its sentences at a full stop followed by a space."""
    s = Store(tmp_path / "reports", embedder)
    for name, doc in paragraph_documents(corpus_texts, 1).items():
        for segment in doc.segments:
            cuts = [segment.start] + [segment.start + m.end() for m in re.finditer(r"[.!?] ", segment.text)]
            segment.sentences = list(zip(cuts, cuts[1:] + [segment.end]))
        s.add(doc, filename=name, data=name.encode())
    yield s
    s.close()


@pytest.mark.parametrize("k", [1, 2, 3, 10, 30])
def test_reading_fewer_passages_first_gives_the_whole_pools_ranking(report_store, k):
    """The search asks for FIRST × k passages and reads them only while a sentence could still place: its results
    are those of every sentence of the POOL best passages sorted by score (each sentence less the penalty of those
    of its passage holding more of the query, or as much, earlier), ties to the better passage."""
    for query in ("vacance commerciale élevée", "les impayés des locataires augmentent", "conseil d'administration",
                  "provision pour gros entretien", "la société doit réduire ses coûts de gestion",
                  "attribution des logements aux ménages prioritaires", "travaux de réhabilitation du patrimoine",
                  "loyers au-dessus des plafonds", "délai de paiement des fournisseurs", "état des parties communes",
                  "taux de recouvrment", "impayes des locataires"):
        out = report_store.search(query, k=max(k, POOL), filters=Filters())
        terms = query_terms(query, out.expansion)
        every = []
        for rank, h in enumerate(out.hits):
            shares = sentence_shares(out.rows[h.id], terms)
            for position, (start, end, share) in enumerate(shares):
                before = sum(other[2] > share or (other[2] == share and n < position) for n, other in enumerate(shares))
                every.append((h.score + 0.5 * share - REPEAT_PENALTY * before, -rank, -position, start, end))
        every = sorted(every, reverse=True)[:k]
        shown = _pieces(report_store, query, k)
        assert [(p.score, p.start, p.end) for p in shown] == [(score, s, e) for score, _, _, s, e in every], query


def _lexical(store, query, k=10):
    """The sentence grain over the lexical search alone: a query typed without accents finds the passages its
    accented spelling does, with the same scores, when no passage writes the word as typed."""
    return search(store, query, k=k, filters=Filters(), params=replace(store.params, mode="lexical"),
                  grain="sentence")[1]


def test_a_query_typed_without_accents_ranks_the_sentences_as_the_accented_one(report_store):
    """"vacance elevee" is searched as "vacance élevée" too (no report writes "elevee"): a sentence holding "élevée"
    or "élevé" holds the query's second word, so both queries give the same sentences in the same order (the typed
    word's term alone counted it held by none: the sentences of each passage came in their order)."""
    assert analyze("elevee") != analyze("élevée")
    for k in (5, 10):
        accented = [(p.hit.id, p.start, p.end, p.score) for p in _lexical(report_store, "vacance élevée", k)]
        assert [(p.hit.id, p.start, p.end, p.score) for p in _lexical(report_store, "vacance elevee", k)] == accented


def test_a_misspelt_querys_correction_brings_its_sentence_first_within_its_passage(report_store):
    """"recouvrment" is searched as "recouvrement": in each passage shown, a sentence holding the word comes before
    its sentences holding none (it came after them when the typed word's term, held by none, was counted)."""
    found, shown = search(report_store, "recouvrment", k=30, filters=Filters(), params=report_store.params,
                          grain="sentence")
    assert [meant for _, meant in found.expansion.corrected] == ["recouvrement"]
    holding = {p.hit.id for p in shown if "recouvr" in analyze(p.text)}
    firsts = {}
    for p in shown:
        firsts.setdefault(p.hit.id, p)
    assert holding and all("recouvr" in analyze(firsts[uid].text) for uid in holding)
    assert any(firsts[uid].start > firsts[uid].row.sentences[0][0] for uid in holding)  # not its first sentence


class Listed:
    """A store whose passages and fused scores are given, best first: it records the k each search asks for."""

    def __init__(self, passages: list[tuple[float, list[str]]]):
        self.params, self.asked, self.rows, text = SearchParams(), [], {}, ""
        for uid, (_, sentences) in enumerate(passages):
            start = len(text)
            cuts = list(accumulate((len(s) + 1 for s in sentences), initial=start))
            text += " ".join(sentences) + "\n"
            self.rows[uid] = SegmentRow(uid, "d", uid, start, cuts[-1] - 1, "paragraph", "observation",
                                        " ".join(sentences), {}, [], {}, [], None, None, [], [], None, [], [],
                                        [(a, b - 1) for a, b in zip(cuts, cuts[1:])])
        self.hits = [Hit(uid, score) for uid, (score, _) in enumerate(passages)]

    def passages(self, query, *, k, filters, params):
        self.asked.append(k)
        return Passages(Distinct(self.hits[:k], {i: row_text(row) for i, row in self.rows.items()}, k),
                        lambda ids: {i: self.rows[i] for i in ids}, {}, len(self.hits), expand(query),
                        lambda wider: self.passages(query, k=wider, filters=filters, params=params))


def test_a_passage_past_the_first_ones_asked_is_read_when_one_of_its_sentences_could_place():
    """k = 1 asks for 2 passages first: their best sentence (1.0 + 0.5 × 1/2) could be beaten by a third passage's
    (up to 0.95 + 0.5), so the whole pool is asked, and the third's sentence holding both terms comes first."""
    split = [(1.0, ["La vacance du parc est stable.", "Le local commercial est loué."]),
             (0.95, ["Les loyers sont modérés."]), (0.9, ["La vacance commerciale demeure élevée."])]
    store = Listed(split)
    shown = search(store, "vacance commerciale", k=1, filters=Filters(), params=store.params, grain="sentence")[1]
    assert store.asked == [2, POOL] and [p.text for p in shown] == ["La vacance commerciale demeure élevée."]
    store = Listed([(1.0, ["Le parc est ancien.", "Sa vacance commerciale est élevée."])] + split[1:])
    shown = search(store, "vacance commerciale", k=1, filters=Filters(), params=store.params, grain="sentence")[1]
    assert store.asked == [2] and [p.text for p in shown] == ["Sa vacance commerciale est élevée."]


def test_passages_are_drawn_only_while_a_sentence_could_place_and_only_the_shown_are_read_whole():
    """The first passage's sentence holds the whole query (1.0 + 0.5): no later passage (0.5 at most, + 0.5) can
    beat it, so k = 1 draws that passage alone from the two asked for, and reads its row alone."""
    store = Listed([(1.0, ["La vacance commerciale demeure élevée."])]
                   + [(0.5 - n / 100, [f"Le programme {n} compte des logements vacants."]) for n in range(30)])
    drawn, read = [], []
    passages = store.passages

    def recording(*args, **kwargs):
        found = passages(*args, **kwargs)
        draws = iter(found.drawn)

        def draw():
            for pair in draws:
                drawn.append(pair[0].id)
                yield pair
        return replace(found, drawn=Recorded(found.drawn, draw()), read_rows=lambda ids: read.append(ids) or
                       found.read_rows(ids))

    store.passages = recording
    outcome, shown = search(store, "vacance commerciale", k=1, filters=Filters(), params=store.params,
                            grain="sentence")
    assert store.asked == [2] and drawn == [0] and read == [[0]]
    assert [p.text for p in shown] == ["La vacance commerciale demeure élevée."] and outcome.hits == [shown[0].hit]


class Recorded:
    """A ``Distinct`` whose draws go through ``draws``."""

    def __init__(self, distinct, draws):
        self.distinct, self.draws = distinct, draws

    def __iter__(self):
        return self.draws

    def ceiling(self):
        return self.distinct.ceiling()


def test_a_found_passages_sentences_without_the_querys_words_give_way_to_the_next_passages_matching_one():
    """A passage found first holds one sentence about commercial vacancy and two others: the one holding a query
    term comes second, lowered by one penalty; the one holding none, lowered by two, falls below the next passage's
    sentence holding half the query, which it would beat on its passage's score alone (1.0 against 0.6 + 0.25)."""
    store = Listed([(1.0, ["La vacance commerciale demeure à un niveau très élevé (6,3 % en 2017).",
                           "La mobilité des locataires est également relativement importante.",
                           "Le parc reste attractif malgré la vacance."]),
                    (0.6, ["La vacance technique est contenue."])])
    shown = search(store, "vacance commerciale", k=4, filters=Filters(), params=store.params, grain="sentence")[1]
    assert [p.text for p in shown] == ["La vacance commerciale demeure à un niveau très élevé (6,3 % en 2017).",
                                       "Le parc reste attractif malgré la vacance.",
                                       "La vacance technique est contenue.",
                                       "La mobilité des locataires est également relativement importante."]
    assert [round(p.score, 6) for p in shown] == [1.5, 0.95, 0.85, 0.4]


def _counted(store, monkeypatch) -> list[int]:
    """The k of each search ``grain.search`` asks ``store`` for: the first, then any wider cut of it."""
    asked, drawn = [], store.passages

    def counting(found: Passages) -> Passages:
        def wider(k: int) -> Passages:
            asked.append(k)
            return counting(found.wider(k))
        return replace(found, wider=wider)

    def counted(query, *, k, filters, params=None):
        asked.append(k)
        return counting(drawn(query, k=k, filters=filters, params=params))

    monkeypatch.setattr(store, "passages", counted)
    return asked


@pytest.mark.parametrize("k, first", [(10, 20), (30, POOL)])
def test_the_store_is_not_asked_again_when_its_first_answer_holds_every_passage(store, monkeypatch, k, first):
    """A store of two passages (or a filter on a short document) gives both to the first search: asking again, for
    the pool or, with k = 30, for the same pool, could find no other passage (it did, a second full hybrid search,
    whenever the sentences found could not fill the top k)."""
    asked = _counted(store, monkeypatch)
    found, shown = search(store, "vacance commerciale", k=k, filters=Filters(), params=store.params,
                          grain="sentence")
    assert asked == [first] and len(found.hits) == found.total == 2
    assert [p.text for p in shown] == [FIRST, SECOND, OTHER]


def test_a_query_of_stopwords_only_is_searched_once(report_store, monkeypatch):
    """"le la les" holds nothing to look for (the API refuses it): one search tells so, not the pool's as well."""
    asked = _counted(report_store, monkeypatch)
    found, _ = search(report_store, "le la les", k=10, filters=Filters(), params=report_store.params,
                      grain="sentence")
    assert not found.expansion.searchable and found.total > 20 and asked == [20]


@pytest.mark.parametrize("mode", ["lexical", "semantic", "hybrid"])
def test_a_wider_cut_of_a_search_is_the_search_asked_for_more_without_searching_again(report_store, monkeypatch,
                                                                                      mode):
    """The pool the sentence grain asks for second is cut from the first search's scores, its texts read once: the
    same passages, in the same order, with the same texts as a search asked for the pool at once."""
    params = replace(report_store.params, mode=mode)
    searched = []
    monkeypatch.setattr(store_module, "search", lambda *args: searched.append(args) or fused_search(*args))
    for query in ("vacance commerciale élevée", "les impayés des locataires augmentent", "conseil d'administration",
                  "provision pour gros entretien", "loyers au-dessus des plafonds"):
        for filters in (Filters(), Filters(kind=("other",))):
            searched.clear()
            wider = list(report_store.passages(query, k=3, filters=filters, params=params).wider(POOL).drawn)
            assert len(searched) == 1
            asked = list(report_store.passages(query, k=POOL, filters=filters, params=params).drawn)
            assert wider == asked and len(asked) > 3


def test_candidate_texts_are_read_k_at_a_time_as_the_near_duplicate_pass_reaches_them(report_store, monkeypatch):
    """A search reads no text before a passage is drawn, then k candidates' at a time (k × 3 are ranked); a wider
    cut of it reads its own k at a time from where the first stopped, no text again, and draws what a search asked
    for that many passages draws."""
    reads, read = [], report_store.meta.texts_by_id
    monkeypatch.setattr(report_store.meta, "texts_by_id", lambda ids: reads.append(ids) or read(ids))
    found = report_store.passages("vacance commerciale élevée", k=2, filters=Filters())
    assert reads == []
    first = next(iter(found.drawn))
    assert [len(ids) for ids in reads] == [2] and first[0].id == reads[0][0]
    wider = list(found.wider(POOL).drawn)
    assert [len(ids) for ids in reads[:2]] == [2, POOL]
    ids = [i for each in reads for i in each]
    assert len(ids) == len(set(ids)) and wider == list(report_store.passages("vacance commerciale élevée", k=POOL,
                                                                             filters=Filters()).drawn)
