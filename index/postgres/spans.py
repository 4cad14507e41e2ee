"""The sections of a search's pooled passages on the PostgreSQL store (index/ranking.py ``SECTION_WEIGHT``), from
each document's section layout, read once and kept.

A passage's section (index/sections.py: from a heading row to the next one of its document) depends only on its
document's rows, which never change once written. Finding it in SQL for every pooled passage took up to four index
look-ups and a sum over its section's rows: 8.4 ms of a lexical request and 15.5 ms of a hybrid one at 100k
(BENCHMARKS.md), PostgreSQL's largest cost. Now the pooled passages' documents come with their other columns (a
hybrid pool's with its vectors), and a document not seen before is read once by its (document_id, seq) key. A
document's id is never reused, and its rows change only when the analysis does (``PgStore.reanalyze``, which empties
this cache).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import psycopg

from ancols_nlp.index.ranking import section_starts
from ancols_nlp.index.recent import Recent
from ancols_nlp.index.sections import Sections

LAYOUTS_KEPT = 20_000  # documents (a few MB at a million passages)


@dataclass(frozen=True)
class SectionSpans:
    """The sections of some passages: ``ids[i]``'s spans the ids [``first[i]``, ``after[i]``) and ``length[i]``."""

    ids: list[int]
    first: np.ndarray  # int64
    after: np.ndarray  # int64
    length: np.ndarray  # float64


@dataclass(frozen=True)
class _Layout:
    """A document's passages, ids ascending, each with its section's first id, the id after its last, its length."""

    ids: np.ndarray
    first: np.ndarray
    after: np.ndarray
    length: np.ndarray

    @classmethod
    def of(cls, ids: list[int], heading: list[bool], length: list[int]) -> _Layout:
        """From the document's rows in ``seq`` order (their ids ascend with it: a section is an id range), its sections
        as the embedded store finds them (index/sections.py), once per document kept."""
        ids_ = np.asarray(ids, dtype=np.int64)
        starts = section_starts(np.asarray(heading, dtype=bool), np.zeros(len(ids_), dtype=np.int8))
        first, end, total = Sections.of_starts(starts, np.asarray(length, dtype=np.float64)).of_rows(
            np.arange(len(ids_)))
        order = np.argsort(ids_)
        return cls(ids_[order], ids_[first][order], ids_[end - 1][order] + 1, total[order])

    def positions(self, ids: list[int]) -> np.ndarray:
        """Where ``ids``, passages of this document, sit in ``ids`` (the array's own method on the list: a pool meets
        ~100 documents, and np.searchsorted's wrapper and an array per document cost a quarter of this lookup)."""
        return self.ids.searchsorted(ids)


class SectionLayouts:
    """Documents' section layouts, kept across searches and versions (a document's rows never change)."""

    def __init__(self, kept: int = LAYOUTS_KEPT) -> None:
        self._layouts: Recent[_Layout] = Recent(kept)

    def clear(self) -> None:
        self._layouts = Recent(self._layouts.kept)

    def spans(self, conn: psycopg.Connection, pool: list[tuple[int, str]]) -> SectionSpans:
        """The sections of a search's pooled passages, each given with its document (read along with the pool's
        other columns: retrieval.pooled, retrieval.documents); a document not kept is read through ``conn``, in the
        search's snapshot (``Servers.snapshot``), so it is there even if another process has deleted it since."""
        by_document: dict[str, list[int]] = {}
        for passage, document in pool:
            by_document.setdefault(document, []).append(passage)
        found, first, after, length = [], [], [], []
        for document, passages in by_document.items():
            layout = self._layouts.get(document, lambda doc=document: _read(conn, doc))
            at = layout.positions(passages)
            found += passages
            first.append(layout.first[at]), after.append(layout.after[at]), length.append(layout.length[at])
        join = (lambda parts, dtype: np.concatenate(parts) if parts else np.zeros(0, dtype=dtype))
        return SectionSpans(found, join(first, np.int64), join(after, np.int64), join(length, np.float64))


def _read(conn: psycopg.Connection, document: str) -> _Layout:
    rows = conn.execute("SELECT id, block = 'heading', length FROM segments WHERE document_id = %s ORDER BY seq",
                        (document,)).fetchall()
    return _Layout.of([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
