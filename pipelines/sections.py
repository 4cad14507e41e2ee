"""Headings → the report outline, so every passage can say where it stands ("4.2.3 Attributions").

Numbered headings give their own depth ("3.2.1" is level 3); unnumbered ones (markdown
``#`` without number, capitalised titles) are placed at the top when they name a top-level
part (synthèse, préambule, annexes…) and one level below the open section otherwise.
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
    for block in blocks:
        if block.kind != "heading":
            continue
        title = heading_title(text[block.start:block.end])
        if not title:
            continue
        level = block.level or _implicit_level(title, stack)
        while stack and stack[-1].level >= level:
            stack.pop().end = block.start
        section = Section(id=len(sections), title=title, level=level, start=block.start,
                          end=len(text), parent=stack[-1].id if stack else None)
        sections.append(section)
        stack.append(section)
    return sections


def _implicit_level(title: str, stack: list[Section]) -> int:
    if P.TOP_LEVEL_TITLES.match(title) or not stack:
        return 1
    return stack[-1].level + 1


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
