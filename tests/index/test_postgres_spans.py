"""A document's section layout on the PostgreSQL store (index/postgres/spans.py), without a server: the sections
the embedded store reads (index/sections.py), as id ranges."""

import numpy as np

from ancols_nlp.index.analyzer import analyze
from ancols_nlp.index.passages import passage_context
from ancols_nlp.index.postgres.spans import _Layout
from tests.index.test_sections import SECTIONED


def test_each_passage_spans_its_section_from_its_heading_to_the_next_and_sums_its_lengths():
    heading = [block == "heading" for _, _, block, _ in SECTIONED]
    length = [len(analyze(passage_context(text, [title]))) for text, _, _, title in SECTIONED]
    layout = _Layout.of([40, 41, 42, 43, 44, 45], heading, length)
    assert layout.ids.tolist() == [40, 41, 42, 43, 44, 45]
    assert layout.first.tolist() == [40, 40, 42, 42, 42, 42] and layout.after.tolist() == [42, 42, 46, 46, 46, 46]
    assert layout.length.tolist() == [sum(length[:2])] * 2 + [sum(length[2:])] * 4
    assert layout.length.dtype == np.float64
    assert layout.positions([44, 40]).tolist() == [4, 0]


def test_the_rows_before_a_documents_first_heading_make_one_section_and_an_empty_document_none():
    layout = _Layout.of([7, 8, 9, 10], [False, False, True, False], [3, 4, 5, 6])
    assert layout.first.tolist() == [7, 7, 9, 9] and layout.after.tolist() == [9, 9, 11, 11]
    assert layout.length.tolist() == [7.0, 7.0, 11.0, 11.0]
    empty = _Layout.of([], [], [])
    assert len(empty.ids) == len(empty.first) == len(empty.after) == len(empty.length) == 0
