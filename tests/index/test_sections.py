"""A passage's section, on real report text (Logidia's 2016 report, 002): where sections begin, and the section
context of the hybrid ranking (index/ranking.py ``SECTION_WEIGHT``)."""

from __future__ import annotations

import numpy as np

from ancols_nlp.index import ranking
from ancols_nlp.index.analyzer import analyze
from ancols_nlp.index.passages import passage_context
from ancols_nlp.index.query import Filters, SearchParams
from ancols_nlp.index.sections import sections_in
from ancols_nlp.index.store import Store
from tests.index.conftest import make_document

STAFF = "2.3 Organisation et effectifs"
UPKEEP = "4.3 Maintenance du parc"
# The régie (the organism's own maintenance workers) is the topic of the upkeep section, where three passages speak
# of it; the staffing section mentions it once, in passing.
SECTIONED = [
    (STAFF, "other", "heading", STAFF),
    ("Fin 2015, l'effectif employé par la société est de 40 personnes. Au cours des six dernières années, "
     "l'effectif a fortement augmenté, essentiellement en raison du développement de la direction de la gestion "
     "locative et de la création d'une régie ouvrière composée de deux ouvriers et d'un responsable.",
     "observation", "paragraph", STAFF),
    (UPKEEP, "other", "heading", UPKEEP),
    ("En 2015, les dépenses de maintenance se sont élevées à 2,1 M€ hors coûts de la régie.", "observation",
     "paragraph", UPKEEP),
    ("En 2013, la société a créé une régie de travaux composée de deux ouvriers et d'un responsable. Sous "
     "l'autorité de la direction de la gestion locative, elle gère les travaux relatifs au petit entretien.",
     "observation", "paragraph", UPKEEP),
    ("Coût de maintenance (y/c régie) / logements gérés (en €)\t554\t606\t489\t654\t804", "other", "table_row",
     UPKEEP),
]


def test_a_section_runs_from_a_heading_to_the_next_and_a_document_opens_one():
    assert sections_in([b for _, _, b, _ in SECTIONED]) == 2
    assert sections_in(["paragraph", "heading", "paragraph"]) == 2  # the rows before the first heading: one
    assert sections_in([]) == 0


def test_sections_of_rows_span_their_passages_and_sum_their_lengths(tmp_path, embedder):
    store = Store(tmp_path / "data", embedder)
    try:
        store.add(make_document(SECTIONED), filename="s.txt", data=b"s")
        sections = store.snapshot.sections
        first, end, length = sections.of_rows(np.arange(len(SECTIONED)))
    finally:
        store.close()
    assert first.tolist() == [0, 0, 2, 2, 2, 2] and end.tolist() == [2, 2, 6, 6, 6, 6]
    indexed = [len(analyze(passage_context(text, [heading]))) for text, _, _, heading in SECTIONED]
    assert length.tolist() == [sum(indexed[:2])] * 2 + [sum(indexed[2:])] * 4
    assert sections.average == sum(indexed) / 2


def test_section_starts_and_term_counts():
    heading = np.array([b == "heading" for _, _, b, _ in SECTIONED])
    starts = ranking.section_starts(heading, np.zeros(len(SECTIONED), dtype=np.int8))
    assert np.flatnonzero(starts).tolist() == [0, 2]
    # a second document starts a section even on a paragraph row
    two = ranking.section_starts(np.array([True, False, False, False]), np.array([0, 0, 1, 1]))
    assert np.flatnonzero(two).tolist() == [0, 2]
    tf = ranking.section_tf(np.array([1, 3, 4, 5]), np.array([1, 2, 1, 1], np.float32), np.array([0, 2]),
                            np.array([2, 6]))
    assert tf.tolist() == [1.0, 4.0]


def test_a_passage_of_the_section_about_the_query_outranks_one_that_mentions_it_in_passing(tmp_path, embedder,
                                                                                          monkeypatch):
    store = Store(tmp_path / "data", embedder)
    try:
        store.add(make_document(SECTIONED), filename="s.txt", data=b"s")

        def ranked() -> list[str]:
            out = store.search("la régie", k=10, filters=Filters(), params=SearchParams(mode="hybrid"))
            return [out.rows[h.id].text for h in out.hits]

        passing, table = SECTIONED[1][0], SECTIONED[5][0]
        assert ranked().index(table) < ranked().index(passing)
        monkeypatch.setattr(ranking, "SECTION_WEIGHT", 0.0)  # without the section context, the other way round
        assert ranked().index(passing) < ranked().index(table)
    finally:
        store.close()


def test_the_lexical_mode_moves_each_bm25_score_towards_its_sections(tmp_path, embedder):
    """Lexical scores keep their BM25 scale: the section context adds to the upkeep passages, takes from the other."""
    store = Store(tmp_path / "data", embedder)
    try:
        store.add(make_document(SECTIONED), filename="s.txt", data=b"s")
        out = store.search("la régie", k=10, filters=Filters(), params=SearchParams(mode="lexical"))
        moved = {out.rows[h.id].text: h.score - h.lexical for h in out.hits}
    finally:
        store.close()
    assert moved[SECTIONED[1][0]] < 0
    assert all(moved[text] > 0 for text, _, block, heading in SECTIONED if heading == UPKEEP and block != "heading")
