"""A structured document's parts → text in the shapes the layout already reads, with its page map.

Word, OpenDocument and HTML say outright what the layout has to guess from a PDF or a text export;
written back as text, that knowledge must take a form ``layout`` recognises: a blank line between
paragraphs, a heading as a markdown ``#`` line (its depth from its own numbering when it has one, else
from the number of ``#``), a list item after "- ", a table row as ``| cell | cell |``, a note as a line
opening with its superscript number (the call in the text is the same superscript, which the rebuttal
linker follows). A note is written after the block that calls it, as a PDF prints it at the foot of
the page. Page breaks are marked inside the text as it is written (``PAGE_BREAK``) and turned into
the page map at the end. A paragraph wholly in bold keeps its bold as ``**…**`` when it reads as a
title (unnumbered titles are bold in the reports, and the layout ranks them by it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ancols_nlp.pipelines.patterns import SUPERSCRIPT
from ancols_nlp.pipelines.types import Furniture, PageSpan, SourceText

PAGE_BREAK = "\ue000"  # a private-use character: where the file says a new page starts
BOLD_TITLE = re.compile(r"^[^\n*]{1,120}(?<![.;,*])$")  # as layout._looks_like_title: a label's ":" may end it
SPACES = re.compile(r"[ \r\f\v]+")  # not tabs (a table of contents' leaders) nor French non-breaking spaces


def superscript(number: int) -> str:
    return str(number).translate(SUPERSCRIPT)


def tidy(text: str) -> str:
    """Runs of spaces folded, each line stripped, blank lines dropped (page marks kept)."""
    lines = (SPACES.sub(" ", line).strip(" ") for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def _prefixed(prefix: str, text: str) -> str:
    """``prefix`` before the text, after the page marks that open it (the page starts with the prefix)."""
    text = tidy(text)
    rest = text.lstrip(PAGE_BREAK)
    return f"{text[:len(text) - len(rest)]}{prefix} {rest.lstrip()}"


@dataclass
class TextWriter:
    """Collects blocks in reading order; ``source`` assembles them."""

    media_type: str
    blocks: list[tuple[str, str]] = field(default_factory=list)  # (kind, text); rows of one table share "row"
    notes: list[str] = field(default_factory=list)  # called by the block being written, written after it
    end_notes: list[str] = field(default_factory=list)
    furniture: list[Furniture] = field(default_factory=list)
    note_count: int = 0

    def call_note(self, text: str, *, at_end: bool = False) -> str:
        """Register a note; returns its call, to put in the text where the note is called."""
        self.note_count += 1
        mark = superscript(self.note_count)
        (self.end_notes if at_end else self.notes).append(f"{mark} {tidy(text)}")
        return mark

    def heading(self, text: str, level: int, number: str = "") -> None:
        """A heading, after its ``number`` when the file draws it rather than writes it."""
        self._add("heading", _prefixed(" ".join(filter(None, ("#" * max(1, min(level, 6)), number))), text))

    def paragraph(self, text: str, *, bold: bool = False) -> None:
        """A paragraph; one set wholly in bold that reads as a title is written as markdown bold, the layout's
        mark of an unnumbered title (a bold sentence stays plain: "**…**" around it would read as a list item)."""
        text = tidy(text)
        rest = text.lstrip(PAGE_BREAK)
        if bold and BOLD_TITLE.match(rest):
            text = f"{text[:len(text) - len(rest)]}**{rest}**"
        self._add("paragraph", text)

    def list_item(self, text: str, label: str = "-") -> None:
        self._add("paragraph", _prefixed(label, text))

    def table_row(self, cells: list[str]) -> None:
        cleaned = [tidy(c).replace("\n", " ").replace("|", "/") for c in cells]
        if any(c.strip(PAGE_BREAK) for c in cleaned):
            self.blocks.append(("row", "| " + " | ".join(cleaned) + " |"))

    def end_table(self) -> None:
        self.blocks.append(("end", ""))
        self._flush_notes()

    def page_break(self) -> None:
        self.blocks.append(("mark", PAGE_BREAK))

    def _add(self, kind: str, text: str) -> None:
        if text.strip(PAGE_BREAK + " -#"):
            self.blocks.append((kind, text))
        elif PAGE_BREAK in text:
            self.page_break()
        self._flush_notes()

    def _flush_notes(self) -> None:
        self.blocks.extend(("paragraph", note) for note in self.notes)
        self.notes.clear()

    def source(self) -> SourceText:
        """The text, its pages and its furniture. A file that marks no page (a web page, a .docx written by a
        program that lays out none) has no page map, as plain text: its passages have no page, not page 1."""
        self._flush_notes()
        self.blocks.extend(("paragraph", note) for note in self.end_notes)
        out: list[str] = []
        previous, marks, started = None, "", False
        for kind, block in self.blocks:
            if kind == "mark":  # the page starts with the next block, after the blank line
                marks += PAGE_BREAK
                continue
            if started and kind != "end":
                out.append("\n" if kind == previous == "row" else "\n\n")
            out += [marks, block]
            marks, previous, started = "", kind, started or bool(block.strip(PAGE_BREAK))
        pieces = "".join(out).split(PAGE_BREAK)
        starts, length = [0], 0
        for piece in pieces[:-1]:  # a page that holds no text keeps its number, with an empty span
            length += len(piece)
            starts.append(length)
        body = "".join(pieces)
        pages = [PageSpan(n, a, b) for n, (a, b) in enumerate(zip(starts, [*starts[1:], len(body)]), start=1)]
        pages = pages if len(pieces) > 1 else []
        return SourceText(text=body, media_type=self.media_type, pages=pages, furniture=self.furniture)
