"""A saved web page (HTML) → SourceText: the page's own text, in the shapes the layout reads.

A saved page wraps the report in a site: scripts, styles, the navigation, the site's header and
footer. Those are dropped with everything they hold. Of the rest, block elements end paragraphs,
``h1``..``h6`` are headings, ``li`` list items, table rows ``|`` rows, ``<br>`` a line break, and a
number in ``<sup>`` (a note's call) a superscript; entities are decoded by the parser. A web page
has no pages: no page map, as plain text.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from ancols_nlp.pipelines.markup_text import SUPERSCRIPT, TextWriter
from ancols_nlp.pipelines.types import SourceText

MEDIA_TYPE = "text/html"
DROPPED = frozenset({"script", "style", "nav", "header", "footer", "noscript", "template", "head", "svg", "select",
                     "button", "iframe", "object"})
BLOCKS = frozenset({"p", "div", "section", "article", "main", "aside", "blockquote", "pre", "ul", "ol", "dl", "dt",
                    "dd", "figure", "figcaption", "caption", "address", "body", "html", "form", "fieldset", "table",
                    "details", "summary", "center", "hr"})
HEADING = re.compile(r"^h([1-6])$")
# A note's call or its number: <a href="#_ftn1">[1]</a> (Word's web export), <a href="#fn1">, <a href="#fnref1">.
NOTE_LINK = re.compile(r"^#(?:_?ftn|_?edn|fn|footnote|note)(?:ref)?[-_:]?\d+$", re.IGNORECASE)
NOTE_ID = re.compile(r"^(?:_?ftn|_?edn|fn|footnote|note)[-_:]?(\d+)$", re.IGNORECASE)


def read_html(text: str) -> SourceText:
    parser = _Page()
    parser.feed(text)
    parser.close()
    parser.end_block()
    parser.end_row()
    return parser.writer.source()


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.writer = TextWriter(MEDIA_TYPE)
        self.dropped: tuple[str, int] | None = None  # the dropped element being skipped, and its own nesting
        self.buffer: list[str] = []
        self.block = ("paragraph", 0)  # what the buffered text will be: paragraph, heading (level), item
        self.cells: list[str] | None = None  # the open table row's cells
        self.lists: list[list[int]] = []  # open lists: [number of the next item] for <ol>, [] for <ul>
        self.sup: tuple[str, int] | None = None  # an open <sup> or note link, and where its text starts
        self.cell_open = False
        self.pre = 0
        self.bold = 0  # open <b>/<strong> elements
        self.plain = False  # whether the buffered block holds text outside them

    def handle_starttag(self, tag, attrs):
        if self.dropped:  # only its own kind nests in it (a <nav>'s items may leave their end tags out)
            name, depth = self.dropped
            self.dropped = None if name == "head" and tag == "body" else (name, depth + (tag == name))
            return
        if tag in DROPPED:
            self.dropped = (tag, 1)
            return
        heading = HEADING.match(tag)
        if tag == "br":
            self.buffer.append("\n")
        elif tag in ("b", "strong"):
            self.bold += 1
        elif heading:
            self.end_block()
            self.block = ("heading", int(heading.group(1)))
        elif tag == "li":
            self.end_block()
            note = NOTE_ID.match(dict(attrs).get("id") or "")
            self.block = ("item", note.group(1).translate(SUPERSCRIPT) if note else self._item_number())
        elif tag == "tr":
            self.end_row()
            self.cells = []
        elif tag in ("td", "th") and self.cells is not None:
            if self.cell_open:
                self.end_cell()
            self.buffer.clear()
            self.cell_open = True
        elif (tag == "sup" or (tag == "a" and NOTE_LINK.match(dict(attrs).get("href") or ""))) and not self.sup:
            self.sup = (tag, len(self.buffer))
        elif tag in BLOCKS:
            self.end_block()
            if tag in ("ul", "ol"):
                self.lists.append([1] if tag == "ol" else [])
            self.pre += tag == "pre"

    def handle_endtag(self, tag):
        if self.dropped:
            name, depth = self.dropped
            self.dropped = (name, depth - 1) if tag == name and depth > 1 else None if tag == name else self.dropped
            return
        if self.sup and tag == self.sup[0]:
            called = "".join(self.buffer[self.sup[1]:]).strip().strip("[]()")
            if called.isdigit():
                self.buffer[self.sup[1]:] = [called.translate(SUPERSCRIPT)]
            self.sup = None
        elif tag in ("b", "strong"):
            self.bold -= self.bold > 0
        elif HEADING.match(tag) or tag == "li":
            self.end_block()
        elif tag in ("td", "th") and self.cell_open:
            self.end_cell()
        elif tag == "tr":
            self.end_row()
        elif tag == "table":
            self.end_row()
            self.writer.end_table()
        elif tag in BLOCKS:
            self.end_block()
            if tag in ("ul", "ol") and self.lists:
                self.lists.pop()
            self.pre -= tag == "pre" and self.pre > 0

    def handle_data(self, data):
        if not self.dropped:
            self.buffer.append(data if self.pre else re.sub(r"[ \t\r\n\f]+", " ", data))
            self.plain = self.plain or (not self.bold and bool(data.strip()))

    def _item_number(self) -> str:
        if self.lists and self.lists[-1]:
            number = self.lists[-1][0]
            self.lists[-1][0] += 1
            return f"{number})"
        return "-"

    def end_cell(self) -> None:
        if self.cells is not None:
            self.cells.append(self._take())
        self.cell_open = False

    def end_row(self) -> None:
        if self.cells is not None:
            if self.cell_open:
                self.end_cell()
            self.writer.table_row(self.cells)
            self.cells = None

    def end_block(self) -> None:
        """Write the buffered text as the block it is (inside a table cell, it stays the cell's)."""
        if self.cells is not None:
            self.buffer.append(" ")
            return
        kind, detail = self.block
        bold = not self.plain
        text = self._take()
        if kind == "heading":
            self.writer.heading(text, detail)
        elif kind == "item":
            self.writer.list_item(text, detail)
        else:
            self.writer.paragraph(text, bold=bold)
        self.block = ("paragraph", 0)

    def _take(self) -> str:
        text = "".join(self.buffer)
        self.buffer.clear()
        self.sup = None
        self.plain = False
        return text
