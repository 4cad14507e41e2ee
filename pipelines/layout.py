"""Text → layout blocks (headings, paragraphs, list items, table rows, footnotes).

Works on the document text as it is (offsets never move): lines are typed one by one, then
wrapped lines are joined back into paragraphs. A hard-wrapped PDF dump puts a blank line
after every printed line, so a blank line only ends a paragraph when the line before it
closes a sentence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ancols_nlp.pipelines import patterns as P
from ancols_nlp.pipelines.types import Block, BlockKind


@dataclass(frozen=True)
class Line:
    start: int
    end: int
    text: str  # stripped
    kind: BlockKind | None  # None: blank
    level: int = 0


def split_lines(text: str) -> list[Line]:
    """Type every non-blank line of ``text``; spans exclude surrounding white space."""
    lines = []
    for match in re.finditer(r"[^\n]*", text):
        raw = match.group()
        stripped = raw.strip()
        if not stripped:
            continue
        start = match.start() + (len(raw) - len(raw.lstrip()))
        end = start + len(stripped)
        kind, level = line_kind(stripped)
        lines.append(Line(start, end, stripped, kind, level))
    return lines


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


def blocks(text: str) -> list[Block]:
    """Group the typed lines of ``text`` into blocks; every non-blank character lies in exactly one."""
    out: list[Block] = []
    current: Line | None = None  # first line of the open paragraph / list item
    last: Line | None = None
    for line in split_lines(text):
        if current is not None and last is not None and _continues(text, last, line):
            last = line
            continue
        if current is not None and last is not None:
            out.append(Block(current.kind, current.start, last.end))
            current = last = None
        if line.kind in ("paragraph", "list_item"):
            current = last = line
        else:
            out.append(Block(line.kind, line.start, line.end, line.level))
    if current is not None and last is not None:
        out.append(Block(current.kind, current.start, last.end))
    return out


def _continues(text: str, last: Line, line: Line) -> bool:
    """Whether ``line`` carries on the paragraph (or list item) that ``last`` ended."""
    if line.kind != "paragraph":
        return False
    gap = text.count("\n", last.end, line.start)
    if gap <= 1:
        return True
    if gap > 2:
        return False
    starts_lower = line.text[:1].islower() or line.text[:1] in "(,;)"
    return starts_lower or not P.TERMINAL.search(last.text)
