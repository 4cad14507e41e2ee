"""Headings → the report outline, so every passage can say where it stands ("4.2.3 Attributions").

Numbered headings give their own depth ("3.2.1" is level 3), markdown ``#`` ones their number
of ``#``. The other unnumbered ones (capitalised, bold or plain titles) are placed at the top when
they name a top-level part (synthèse, préambule, annexes…); otherwise they rank by style, as a
word processor's heading styles do (capitals above bold above plain): one closes the open
unnumbered sections of its rank or below and goes one level under what stays open, so a run of
titles of one style are siblings and never nest ever deeper.
"""

from __future__ import annotations

import re

from ancols_nlp.pipelines import patterns as P
from ancols_nlp.pipelines.types import Block, Section


def heading_title(raw: str) -> str:
    """A heading's display title: markup stripped, white space folded."""
    title = P.MARKDOWN_HEADING.sub(r"\2", raw.strip())
    title = re.sub(r"\*\*|__|<[^>]+>", "", title)
    return re.sub(r"\s+", " ", title).strip(" *#:")


def outline(text: str, blocks: list[Block]) -> list[Section]:
    """Sections opened by the heading blocks; each ends where the next heading of equal or higher rank starts."""
    sections: list[Section] = []
    stack: list[Section] = []
    ranks: dict[int, int] = {}  # section id → style rank, for the unnumbered ones
    for block in blocks:
        if block.kind != "heading":
            continue
        title = heading_title(text[block.start:block.end])
        if not title:
            continue
        level = block.level
        if not level:
            top = P.TOP_LEVEL_TITLES.match(title) is not None
            ranks[len(sections)] = rank = 0 if top else _rank(text[block.start:block.end])
            while stack and ranks.get(stack[-1].id, -1) >= rank:  # numbered sections have no rank: kept
                stack.pop().end = block.start
            level = 1 if top or not stack else stack[-1].level + 1
        while stack and stack[-1].level >= level:
            stack.pop().end = block.start
        section = Section(id=len(sections), title=title, level=level, start=block.start,
                          end=len(text), parent=stack[-1].id if stack else None)
        sections.append(section)
        stack.append(section)
    return sections


def _rank(raw: str) -> int:
    """Rank of an unnumbered heading's style: capitals 0, bold 1, plain 2."""
    letters = [c for c in raw if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        return 0
    return 1 if P.BOLD_LINE.match(raw) else 2


def section_path(sections: list[Section], offset: int) -> list[str]:
    """Titles from the top of the outline down to the innermost section holding ``offset``."""
    inner = None
    for section in sections:
        if section.start <= offset < section.end:
            inner = section  # later sections that still hold the offset are deeper
    path = []
    while inner is not None:
        path.append(inner.title)
        inner = sections[inner.parent] if inner.parent is not None else None
    return path[::-1]
