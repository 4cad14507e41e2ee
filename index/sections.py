"""The sections of a snapshot's rows, as the ranking's section context reads them (index/ranking.py,
``SECTION_WEIGHT``): a section runs from a heading row to the next heading row of its document.

Derived from the columns each part already keeps (block and document codes) and the passages' lengths, once per
snapshot and only when a search first asks: three arrays as long as the number of sections, not the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from ancols_nlp.index.ranking import section_starts

if TYPE_CHECKING:
    from ancols_nlp.index.columns import Columns
    from ancols_nlp.index.lexical import TermMatrix

HEADING = "heading"  # the block of a heading row (pipelines/types.py)


@dataclass(frozen=True)
class Sections:
    first: np.ndarray  # int64: each section's first row, ascending
    end: np.ndarray  # int64: the row after each section's last
    length: np.ndarray  # float64: each section's analysed terms (its passages' lengths summed)
    counted: np.ndarray | None = None  # bool: the sections ``average`` counts, a live document's (None: every one)

    @classmethod
    def of(cls, parts: list[tuple[Columns, TermMatrix]], live: np.ndarray | None = None) -> Sections:
        """The sections of parts laid end to end (a part's first row starts one: a document lies in one part);
        ``live``: the rows of live documents, as ``LexicalIndex`` counts them (None: every row)."""
        starts, lengths = [], []
        for columns, terms in parts:
            labels = columns.labels.get("block", [])
            heading = columns.codes["block"] == (labels.index(HEADING) if HEADING in labels else -2)
            starts.append(section_starts(heading, columns.codes["document_id"]))
            lengths.append(np.asarray(terms.length, dtype=np.float64))
        if not starts:
            return cls.of_starts(np.zeros(0, bool), np.zeros(0))
        sections = cls.of_starts(np.concatenate(starts), np.concatenate(lengths))
        return sections if live is None else replace(sections, counted=live[sections.first])

    @classmethod
    def of_starts(cls, start: np.ndarray, length: np.ndarray) -> Sections:
        """From whether each row begins a section (``section_starts``) and each row's length (float64)."""
        first = np.flatnonzero(start)
        total = np.add.reduceat(length, first) if len(first) else np.zeros(0)
        return cls(first, np.append(first[1:], len(start)), total)

    @cached_property  # read by every search: the sum over every section once per snapshot
    def average(self) -> float:
        counted = self.length if self.counted is None else self.length[self.counted]
        return float(counted.sum()) / len(counted) if len(counted) else 1.0

    @cached_property  # 4 bytes a row, once per snapshot: a search's ~400 rows then cost a look-up each
    def _section_of_row(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.first), dtype=np.int32), self.end - self.first)

    def of_rows(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Each row's section: its first row, the row after its last, and its length."""
        at = self._section_of_row[rows]
        return self.first[at], self.end[at], self.length[at]


def sections_in(blocks: list[str]) -> int:
    """How many sections a document's rows (their blocks, in order) make."""
    heading = np.array([b == HEADING for b in blocks], dtype=bool)
    return int(section_starts(heading, np.zeros(len(blocks), dtype=np.int8)).sum())
