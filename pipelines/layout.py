"""Text → layout blocks (headings, paragraphs, list items, table rows, footnotes and table notes).

Works on the document text as it is (offsets never move): lines are typed one by one, then
wrapped lines are joined back into paragraphs. Reports reach us in three shapes, told apart by
the document's own line statistics (``Shape``): a hard-wrapped PDF dump puts a blank line after
every printed line (most lines nearly as long as the longest); an HTML or markdown export puts a
blank line between paragraphs and may break a line inside one (``<br>``, two trailing spaces); a
Word export puts one paragraph on each line, without blank lines. A line ends its paragraph
when the next one starts after the document's paragraph separator and the line closes a sentence,
or stops short of the wrap width (a title, "Source : …", a signature), or when it is a title or
a form field ("Président : M. X") itself. Exports also lose marks that the later steps need back:
cells joined by " | " or tabs are table rows, lines ending with ";" after an announcing ":" are a
list, a numbered run at the end is the notes, a short title before its text is a heading.

Inside a markdown code fence (``` or ~~~) nothing is markup: each line, the fences included, is a paragraph as its
author laid it out (one passage), never joined to another, never a heading, a table row or a list item, and the kind
model reads it as any line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ancols_nlp.pipelines import patterns as P
from ancols_nlp.pipelines.types import Block, BlockKind


OPEN_KINDS = frozenset({"paragraph", "list_item", "footnote"})  # blocks that further lines may carry on
FULL_LINE = 0.7  # share of the wrap width from which a hard-wrapped line is a full one (its sentence goes on)
WRAPPED_SHARE = 0.5  # share of full lines from which a document is hard-wrapped (0.88 in a PDF dump, < 0.3 else)
MIN_WRAPPED_LINES = 8  # fewer prose lines say nothing of a wrap width
MIN_END_NOTES = 3
MIN_BARE_ITEMS = 2
MIN_SENTENCE_WORDS = 6
MIN_ROW_FIGURES = 3  # figure cells from which a line is a table row (a label and its figures), never a title
WORD = re.compile(r"[^\W\d_]{2,}")


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    text: str  # stripped
    kind: BlockKind | None  # None: blank
    level: int = 0
    verbatim: bool = False  # a line of a code fence: a paragraph of its own, whatever it holds


@dataclass(frozen=True)
class Shape:
    """How a document marks its paragraphs (see the module docstring)."""

    separator: int  # newlines between two paragraphs: 2 (a blank line) or 1 (one paragraph a line)
    wrap: int  # length of a full hard-wrapped line; 0 when the lines are not wrapped


def split_lines(text: str) -> list[Line]:
    """Type every non-blank line of ``text``; spans exclude surrounding white space."""
    lines = []
    fence = ""  # the open code fence's marks ("```", "~~~~"); empty outside a fence
    for match in re.finditer(r"[^\n]*", text):
        raw = match.group()
        stripped = raw.strip()
        verbatim = bool(fence)
        if fence:
            fence = "" if _closes(raw, fence) else fence
        elif opening := P.FENCE_OPEN.match(raw):
            fence, verbatim = opening.group(1), True
        if not stripped:
            continue
        start = match.start() + (len(raw) - len(raw.lstrip()))
        end = start + len(stripped)
        kind, level = ("paragraph", 0) if verbatim else line_kind(stripped)
        lines.append(Line(start, end, stripped, kind, level, verbatim))
    return _bare_items(_end_notes(_setext_titles(text, lines)))


def _closes(raw: str, fence: str) -> bool:
    """Whether line ``raw`` closes the code fence opened with ``fence``: at most three spaces in, then only the
    fence's character, at least as many times."""
    marks = raw.lstrip(" ")
    return len(raw) - len(marks) <= 3 and len(marks.rstrip()) >= len(fence) and not marks.rstrip().strip(fence[0])


def line_kind(line: str) -> tuple[BlockKind, int]:
    """Block kind of one stripped line, and its heading level (0 when not a heading)."""
    if P.RULE.match(line):
        return "rule", 0
    if P.TABLE_ROW.search(line) or (P.TOC_ENTRY.search(line) and len(line) < 160):
        return "table_row", 0
    md = P.MARKDOWN_HEADING.match(line)
    if md:
        title = md.group(2).strip("* ")
        numbered = P.NUMBERED_HEADING.match(title)
        level = numbered.group(1).count(".") + 1 if numbered else len(md.group(1))
        return "heading", level
    if P.FOOTNOTE.match(line):
        return "footnote", 0
    if not _is_figures_row(line):  # numbered, in bold or in capitals, a row of figures names no section
        numbered = P.NUMBERED_HEADING.match(line)
        if numbered and _looks_like_title(numbered.group(2)):
            return "heading", numbered.group(1).count(".") + 1
        bold = P.BOLD_LINE.match(line)
        if bold and _looks_like_title(bold.group(1)):
            return "heading", 0
        if _is_caps_title(line):
            return "heading", 0
    if P.LIST_ITEM.match(line):
        return "list_item", 0
    return "paragraph", 0


def _looks_like_title(text: str) -> bool:
    text = text.strip("* ")
    return 0 < len(text) <= 120 and not text.endswith((".", ";", ",")) and not re.search(r"\d{3,}\s*$", text)


def _is_caps_title(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 4 and len(line) <= 120 and all(c.isupper() for c in letters)


def _is_figures_row(line: str) -> bool:
    """A row label and its figures on one line ("Référence France … 3,0 % 3,0 % 1,7 %"), as a PDF or a text export
    leaves a table's row without its cell marks: it names no section."""
    return len(P.FIGURE_CELL.findall(line)) >= MIN_ROW_FIGURES


def _setext_titles(text: str, lines: list[Line]) -> list[Line]:
    """A title underlined on the very next line with "=" or "-" (markdown's setext headings) is a heading of level 1
    or 2; the underline stays a rule."""
    out = list(lines)
    for i, (line, under) in enumerate(zip(lines, lines[1:])):
        if (line.kind == "paragraph" and not (line.verbatim or under.verbatim) and P.SETEXT_UNDERLINE.match(under.text)
                and text.count("\n", line.end, under.start) == 1 and _looks_like_title(line.text)
                and not _is_figures_row(line.text)):
            out[i] = Line(line.start, line.end, line.text, "heading", 1 if under.text[0] == "=" else 2)
    return out


def _end_notes(lines: list[Line]) -> list[Line]:
    """Retype the numbered notes an HTML export puts at the end ("1. Loi n° …", "2. Le texte a été …").

    They are the run of lines numbered 1, 2, 3… that reaches the end of the document, each
    followed by nothing but its own further paragraphs; those paragraphs belong to the note."""
    for first, line in enumerate(lines):
        note = P.END_NOTE.match(line.text)
        if not note or note.group(1) != "1" or line.kind not in ("paragraph", "heading") or line.verbatim:
            continue
        expected, ok = 2, True
        for later in lines[first + 1:]:
            note = P.END_NOTE.match(later.text)
            if note and int(note.group(1)) == expected:
                expected += 1
            elif note or later.kind not in ("paragraph", "list_item", "footnote") or later.verbatim:
                ok = False
                break
        if ok and expected > MIN_END_NOTES:
            return lines[:first] + [Line(n.start, n.end, n.text, "footnote") for n in lines[first:]]
    return lines


def _bare_items(lines: list[Line]) -> list[Line]:
    """Retype as list items the lines an HTML export leaves of a list without its bullets: after a line that
    announces them (ending with ":"), lines that each end with ";" (the last one may end with ".")."""
    out = list(lines)
    for i, line in enumerate(lines):
        if not _prose(line) or not line.text.endswith(":"):
            continue
        end = i + 1
        while end < len(lines) and _prose(lines[end]) and lines[end].text.endswith(";"):
            end += 1
        if end < len(lines) and _prose(lines[end]) and lines[end].text.endswith(".") and end > i + 1:
            end += 1
        if end - i - 1 >= MIN_BARE_ITEMS:
            out[i + 1:end] = [Line(n.start, n.end, n.text, "list_item") for n in lines[i + 1:end]]
    return out


def _prose(line: Line) -> bool:
    """A paragraph line outside a code fence."""
    return line.kind == "paragraph" and not line.verbatim


def blocks(text: str) -> list[Block]:
    """Group the typed lines of ``text`` into blocks; every non-blank character lies in exactly one."""
    out: list[Block] = []
    current: Line | None = None  # first line of the open paragraph / list item / note
    last: Line | None = None
    lines = split_lines(text)
    form = shape(text, lines)
    for line in lines:
        if current is not None and last is not None and _continues(text, form, current, last, line):
            last = line
            continue
        if current is not None and last is not None:
            out.append(Block(current.kind, current.start, last.end))
            current = last = None
        if line.kind == "table_row":
            out.extend(_row_blocks(line))
        elif line.kind in OPEN_KINDS:
            current = last = line
        else:
            out.append(Block(line.kind, line.start, line.end, line.level))
    if current is not None and last is not None:
        out.append(Block(current.kind, current.start, last.end))
    out = _table_legends(text, out)
    return out if form.wrap else _promote_titles(text, out, {line.start for line in lines if line.verbatim})


def _table_legends(text: str, found: list[Block]) -> list[Block]:
    """The marked lines under a table ("(a) hors vacance technique", "* données provisoires") are its notes, not a
    list: footnotes of the table. A "Source : …" line may stand between the rows and them."""
    out = list(found)
    under_table = False
    for i, block in enumerate(found):
        line = text[block.start:block.end]
        if block.kind == "list_item" and under_table and P.LEGEND.match(line):
            out[i] = Block("footnote", block.start, block.end)
        elif not (block.kind == "footnote" or (under_table and _is_field(line))):
            under_table = block.kind == "table_row"
    return out


def _promote_titles(text: str, found: list[Block], verbatim: set[int]) -> list[Block]:
    """An unnumbered title ("Le patrimoine immobilier", no final period) standing on its own line before the text
    it names (a paragraph, a list, a table or a further title) is a heading.

    Only where a line is a block of the source (HTML, Word, markdown exports): in a hard-wrapped dump a short
    line is as often an address, a dateline or an aside, and a wrong heading misleads the themes of everything
    under it (measured on the dev reply letter)."""
    out = list(found)
    named = False  # whether the block after the current one is text a title can name
    for i in range(len(out) - 1, -1, -1):
        block = out[i]
        line = text[block.start:block.end]
        title = block.kind == "paragraph" and block.start not in verbatim and "\n" not in line and _is_named_title(line)
        if title and named:
            out[i] = Block("heading", block.start, block.end)
        named = block.kind in ("list_item", "table_row") or out[i].kind == "heading" or (
            block.kind == "paragraph" and not title)
    return out


def shape(text: str, lines: list[Line]) -> Shape:
    """The document's paragraph separator and wrap width, from its own lines."""
    gaps = [text.count("\n", a.end, b.start) for a, b in zip(lines, lines[1:])]
    separator = 1 if gaps and sum(g >= 2 for g in gaps) < 0.1 * len(gaps) else 2
    lengths = sorted(len(line.text) for line in lines if _prose(line))
    if len(lengths) < MIN_WRAPPED_LINES:
        return Shape(separator, 0)
    width = lengths[int(0.9 * (len(lengths) - 1))]
    near = sum(1 for n in lengths if n >= FULL_LINE * width)
    return Shape(separator, width if near >= WRAPPED_SHARE * len(lengths) else 0)


def _continues(text: str, form: Shape, current: Line, last: Line, line: Line) -> bool:
    """Whether ``line`` carries on the block that ``current`` opened and ``last`` ended."""
    if current.kind == "footnote":  # only an end-note's further paragraphs carry it on
        return line.kind == "footnote" and not P.END_NOTE.match(line.text) and not P.FOOTNOTE.match(line.text)
    if not _prose(line) or last.verbatim or _is_field(line.text):
        return False
    gap = text.count("\n", last.end, line.start)
    if gap > form.separator:
        return False
    if line.text[:1].islower() or line.text[:1] in "(,;)":
        return True
    if _stands_alone(last.text) or (not form.wrap and _is_figures(line.text)):
        return False
    if gap < form.separator:  # a line break inside a paragraph (<br>, two trailing spaces, a PDF line start)
        return not _is_title(last.text)
    if P.TERMINAL.search(last.text):
        return False
    return form.wrap > 0 and len(last.text) >= FULL_LINE * form.wrap


def _is_title(line: str) -> bool:
    """A line that names what follows: short, not closing a sentence nor stopping inside one."""
    text = line.strip("*#_ ")
    return (0 < len(text) <= 120 and not text[:1].islower() and text[:1] not in "(["
            and not P.TERMINAL.search(text)
            and not P.OPEN_END.search(text) and not re.search(r"[.!?]\s+[A-ZÀ-Þ]", text))


def _is_named_title(line: str) -> bool:
    """A title in sentence case ("Les ventes de logements"): not a name, an address or a row of figures."""
    return (line[:1].isupper() and _is_title(line) and not _stands_alone(line) and not _is_figures_row(line)
            and any(w.islower() and len(w) >= 3 for w in WORD.findall(line)))


def _stands_alone(line: str) -> bool:
    """A form field or a line of bare figures ("2 780"): a unit of its own."""
    return _is_field(line) or _is_figures(line)


def _is_field(line: str) -> bool:
    """A form field: "Président : M. X", "Source : RPLS 2015"."""
    field = P.FORM_FIELD.match(line)
    return field is not None and len(line) <= 120 and len(line[:line.index(":")].split()) <= 6


def _is_figures(line: str) -> bool:
    return not any(c.isalpha() for c in line)


def _row_blocks(line: Line) -> list[Block]:
    """A table row as one block, except that a cell holding a full sentence ("Mettre en place … | X | 25") is
    a paragraph of its own: a list of recommendations laid out as a table is still a list of statements."""
    out: list[Block] = []
    position = line.start
    for cell in re.finditer(r"[^|\t]+", line.text):
        value = cell.group()
        start = line.start + cell.start() + len(value) - len(value.lstrip())
        end = line.start + cell.start() + len(value.rstrip())
        if end > start and _is_sentence(value.strip()):
            if start > position:
                out.append(_trimmed("table_row", line, position, start))
            out.append(Block("paragraph", start, end))
            position = end
    if position < line.end:
        out.append(_trimmed("table_row", line, position, line.end))
    return [b for b in out if b.end > b.start]


def _trimmed(kind: BlockKind, line: Line, start: int, end: int) -> Block:
    piece = line.text[start - line.start:end - line.start]
    return Block(kind, start + len(piece) - len(piece.lstrip()), end - len(piece) + len(piece.rstrip()))


def _is_sentence(cell: str) -> bool:
    """Whether a cell ends as a sentence: a final stop, then only closing marks or a note's number; a stop followed
    by an opening bracket is an abbreviation's ("hors vac. techn.(%)"), the cell a row's label."""
    return (cell[:1].isupper() and len(WORD.findall(cell)) >= MIN_SENTENCE_WORDS
            and re.search(r"[.!?][^\w(]*\d{0,2}\s*$", cell) is not None)
