"""Table rows and page-foot notes among a PDF page's lines, which the text layer marks by position and type size only.

A PDF keeps no table and no note: a table is words printed at column positions, a note a line in smaller type at
the foot of the page. The layout step knows a table row by its cells joined with " | " and a note by its number in
superscript (as a markdown or HTML export writes them: ``patterns.TABLE_ROW``, ``patterns.FOOTNOTE``); without them a
table's rows ran into one paragraph with its title, its "Source :" line and the next sentence, a row in capitals
read as a heading, and a note's number as a section's.

* Cells — a gap before a printed character of a line wider than ``CELL_GAP`` times its type size (a word space is
  about a third of it) starts a cell (``pdf_text`` measures it as it reads the characters). A line of two cells or
  more is a table row when it stands in columns with the nearest such line above or below it (one other line
  between them at most): a cell edge (left edge of left-aligned text, right edge of right-aligned figures; the two
  lines' left edges aside) within ``ALIGN`` of one of the other line's, or as many cells, three at least, each over
  the other's of the same rank (a header over figures); not a wide space in a justified line or a label and its
  value.
* Wrapped cells — a row whose cells wrap over several lines is given by PDFium as drawn: one cell's lines, then the
  next cell's from the row's top again. Such a run of lines is one row: pieces overlapping across are one cell,
  read top to bottom, and the cells stand left to right. A row whose first cell fits one line and whose other cells
  wrap is drawn line by line: its first line holds the label and each cell's first line, the lines under it (no
  wider gap than a line) only pieces flush with the left or right edge of a cell after the first; those lines are
  the row's too, when the piece above each of theirs stopped too near its column's end for their first word to fit
  (else it is the next row, its first cell empty). A line with a piece in the first column is the next row (a
  label wrapped line by line is not told from a row holding only a label).
* Labels wrapped above — a row whose cells are centred or bottom-aligned prints a wrapped label's first lines alone
  above the line of its other cells, which holds the label's last line or lies between two of its lines: the lines
  right above a row (no wider gap than a line), flush with its first cell and ending before its second, are the
  row's when the row reaches up into them or the label goes on under them in lower case ("Évolution du parc géré
  depuis 5" / "ans (% annuel)"), unless the line closes on a colon; a label-only row above a row ("P.M.:" /
  "DOTATION A LA PCD", "Terme échu total de décembre :" / "(C/412 …)") is its own (``labelled``).
* Notes — the page's last lines, when they are all in type no larger than ``NOTE_SIZE`` of the document's body type
  (a line read by OCR has no type size: never a note), are not table rows, stand in the page's lower half, start
  with a number and a space ("1 Les sources des données…") and lie below a gap wider than a line break. Each line
  that starts with a number starts a note; other lines carry the note on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ancols_nlp.pipelines import patterns as P

CELL_GAP = 0.8  # em: a gap wider than this between two characters of a line separates two cells
ALIGN = 2.5  # pt: two cell edges this close stand in one column
ROW_LINES = 8  # a row's cells wrap over this many lines at most: a longer way back up is another column of text
NOTE_SIZE = 0.9  # share of the body's type size up to which a line is in a note's smaller type
_NOTE_START = re.compile(r"(\d{1,3})\s+(?=\S)")


@dataclass(frozen=True)
class Cell:
    text: str
    x0: float
    x1: float


class TextLine(Protocol):
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    turn: int
    height: float
    size: float
    cells: tuple[Cell, ...]


def interleaved(lines: Sequence[TextLine]) -> list[tuple[int, int]]:
    """Runs ``[start, end)`` of lines printed cell after cell: a row whose cells wrap over several lines, which PDFium
    gives in the order they were drawn (a cell's lines, then the next cell's, back up at the row's top)."""
    runs, k = [], 1
    while k < len(lines):
        before, line = lines[k - 1], lines[k]
        back = before.top - line.top
        if line.turn != before.turn or not 1 < back <= ROW_LINES * (before.bottom - before.top):
            k += 1
            continue
        start = k - 1
        while start and lines[start - 1].turn == line.turn and lines[start - 1].top >= line.top - 1:
            start -= 1
        end, bottom = k, max(lines[j].bottom for j in range(start, k))
        while end < len(lines) and lines[end].turn == line.turn and lines[end].top < bottom - 1:
            bottom, end = max(bottom, lines[end].bottom), end + 1
        runs.append((start, end))
        k = end + 1
    return runs


def continued(lines: Sequence[TextLine]) -> list[tuple[int, int]]:
    """Runs ``[start, end)`` of a row drawn line by line whose cells wrap: its first line (split into cells), then
    each line under it whose pieces all carry on a wrapped cell of it after the first (module docstring)."""
    runs, k = [], 0
    while k < len(lines):
        end = k + 1
        if len(lines[k].cells) >= 2:
            right = max(line.x1 for line in lines if line.turn == lines[k].turn)
            while end < len(lines) and _continues(lines[k], lines[end - 1], lines[end], right):
                end += 1
        if end > k + 1:
            runs.append((k, end))
        k = end
    return runs


def _continues(row: TextLine, above: TextLine, line: TextLine, right: float) -> bool:
    """Whether ``line``, right under ``above`` (no wider gap than a line's height), holds only pieces that carry on
    a cell of ``row`` after its first: flush with the cell's left edge, within its column (up to the next cell, or
    ``right``, the page's text edge), under a piece of ``above`` in that column that stopped too near the column's
    end for the piece's first word to fit (one em of room: a cell's padding and a space). A short piece above
    ("Bardon Philippe") or one of figures only did not wrap: the line under it is the next row, its first cell
    empty."""
    if line.turn != row.turn or not 0 <= line.top - above.bottom < above.bottom - above.top:
        return False
    em = above.bottom - above.top
    ends = [c.x0 for c in row.cells[2:]] + [right]

    def carries_on(piece: Cell) -> bool:
        for cell, end in zip(row.cells[1:], ends):
            if abs(piece.x0 - cell.x0) <= ALIGN and piece.x1 <= end + ALIGN:
                first = piece.text.split(maxsplit=1)[0]
                word = (piece.x1 - piece.x0) * len(first) / len(piece.text)
                return any(abs(up.x0 - cell.x0) <= ALIGN and up.x1 + word > end - em and _has_letters(up.text)
                           for up in _pieces(above))
        return False

    return all(map(carries_on, _pieces(line)))


def labelled(lines: Sequence[TextLine]) -> list[tuple[int, int]]:
    """Runs ``[start, end)`` of a row whose label wraps over lines above its other cells: a word processor that
    centres or bottom-aligns a row's cells prints the label's first lines alone, its last beside the figures, or
    the figures between two of its lines (which PDFium gives with the second). The lines right above the row, flush
    with its first cell and ending before its second, are the label's when the row reaches up into them (prose
    lines never overlap) or the label goes on under them in lower case, not after a colon (module docstring)."""
    runs = []
    for k, row in enumerate(lines):
        start = k
        while len(row.cells) >= 2 and start and _label_above(lines[start - 1], lines[start], row):
            start -= 1
        if start < k:
            runs.append((start, k + 1))
    return runs


def _label_above(line: TextLine, below: TextLine, row: TextLine) -> bool:
    em = line.bottom - line.top
    if (line.cells or line.turn != row.turn or abs(line.x0 - row.cells[0].x0) > ALIGN or line.x1 >= row.cells[1].x0
            or below.top - line.bottom >= em or not _has_letters(line.text)):
        return False
    return below.top < line.bottom or not (_pieces(below)[0].text[:1].isupper() or line.text.endswith(":"))


def _has_letters(text: str) -> bool:
    """Not a cell of figures only: a figures' column is as wide as its widest, a figure under one is the next row's."""
    return any(c.isalpha() for c in text)


def _pieces(line: TextLine) -> tuple[Cell, ...]:
    return line.cells or (Cell(line.text, line.x0, line.x1),)


def row_cells(fragments: Sequence[TextLine]) -> tuple[Cell, ...]:
    """The cells of a row drawn cell after cell (``interleaved``), left to right: the pieces of its lines that
    overlap across are one column, read top to bottom."""
    pieces = sorted(((cell, fragment.top) for fragment in fragments
                     for cell in _pieces(fragment)),
                    key=lambda piece: piece[0].x0)
    columns: list[list[tuple[Cell, float]]] = []
    for piece in pieces:
        if columns and piece[0].x0 < max(cell.x1 for cell, _ in columns[-1]):
            columns[-1].append(piece)
        else:
            columns.append([piece])
    return tuple(Cell(" ".join(cell.text for cell, _ in sorted(column, key=lambda p: (p[1], p[0].x0))),
                      min(cell.x0 for cell, _ in column), max(cell.x1 for cell, _ in column)) for column in columns)


def table_rows(lines: Sequence[TextLine]) -> set[int]:
    """Indices of the lines that are table rows (module docstring)."""
    split = [k for k, line in enumerate(lines) if len(line.cells) >= 2]
    rows = set()
    for a, b in zip(split, split[1:]):
        if b - a <= 2 and lines[a].turn == lines[b].turn and _aligned(lines[a], lines[b]):
            rows.update((a, b))
    return rows


def _aligned(upper: TextLine, lower: TextLine) -> bool:
    """Whether two lines split into cells stand in columns: a cell edge of one within ``ALIGN`` of a cell edge of
    the other (both lines' left edges aside: prose shares its margin), or as many cells, three at least, each
    overlapping the other line's cell of the same rank (a header over figures)."""
    def edges(line: TextLine) -> list[tuple[float, bool]]:
        return [(x, k == 0 and x == cell.x0) for k, cell in enumerate(line.cells) for x in (cell.x0, cell.x1)]

    below = edges(lower)
    if any(abs(x - y) <= ALIGN and not (left and margin) for x, left in edges(upper) for y, margin in below):
        return True
    return len(upper.cells) == len(lower.cells) >= 3 and all(
        a.x0 < b.x1 and b.x0 < a.x1 for a, b in zip(upper.cells, lower.cells))


def foot_notes(lines: Sequence[TextLine], rows: set[int], body_size: float, line_gap: float) -> dict[int, str]:
    """The page's notes: index of each line of them → its number when it starts a note, "" when it carries one on."""
    first = len(lines)
    while first and 0 < lines[first - 1].size <= NOTE_SIZE * body_size and first - 1 not in rows:
        first -= 1
    while first < len(lines) and not _NOTE_START.match(lines[first].text):
        first += 1  # a note zone opens on a numbered line: a "Source :" line under a table is no note
    if first == len(lines) or lines[first].top < lines[first].height / 2:
        return {}
    if first and lines[first].top - lines[first - 1].bottom <= line_gap:
        return {}
    notes = {}
    for k in range(first, len(lines)):
        start = _NOTE_START.match(lines[k].text)
        notes[k] = start.group(1) if start else ""
    return notes


def note_text(text: str, number: str) -> str:
    """A note's first line as the text path writes it: its number in superscript ("¹ Les sources…")."""
    return number.translate(P.SUPERSCRIPT) + text[_NOTE_START.match(text).end() - 1:]
