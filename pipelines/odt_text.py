"""OpenDocument text (.odt) package → SourceText: headings (``text:h`` and its outline level), paragraphs,
lists, tables and notes, pages where the file marks them, the master pages' header and footer as furniture.

Pages: LibreOffice writes ``text:soft-page-break`` where its layout started a page; a file without
any (written by a program that lays out no pages) has none, as plain text. Frames, drawings and annotations are
not body text and are left out.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

from ancols_nlp.pipelines.errors import EncryptedOffice
from ancols_nlp.pipelines.markup_text import PAGE_BREAK, TextWriter
from ancols_nlp.pipelines.office_zip import Package, attr, child, local
from ancols_nlp.pipelines.types import Furniture, SourceText

MEDIA_TYPE = "application/vnd.oasis.opendocument.text"
SKIPPED = frozenset({"frame", "annotation", "annotation-end", "tracked-changes", "sequence-decls", "note-citation",
                     "bookmark-ref", "change-start", "change-end", "custom-shape", "g", "rect", "line"})
CONTAINERS = frozenset({"section", "index-body", "table-of-content", "alphabetical-index", "illustration-index",
                        "table-index", "bibliography", "user-index", "object-index", "deletion"})


def read_odt(package: Package) -> SourceText:
    if b"encryption-data" in (package.read("META-INF/manifest.xml") or b""):
        raise EncryptedOffice()
    writer = TextWriter(MEDIA_TYPE)
    content = package.xml("content.xml")
    styles = package.xml("styles.xml")
    text = next((e for e in content.iter() if local(e.tag) == "text"), None) if content is not None else None
    if text is not None:
        _Body(writer, _weights(styles, content)).write(text)
    writer.furniture.extend(_furniture(styles))
    return writer.source()


class _Body:
    def __init__(self, writer: TextWriter, weights: dict[str, bool | None]) -> None:
        self.writer = writer
        self.weights = weights  # style name → bold or not; None when the style does not say

    def write(self, items) -> None:
        """Write the blocks among ``items`` (an element's children)."""
        for item in items:
            name = local(item.tag)
            if name == "h":
                level = attr(item, "outline-level")
                self.writer.heading(self._text(item), int(level) if level and level.isdigit() else 1)
            elif name == "p":
                self.writer.paragraph(self._text(item), bold=self._all_bold(item, False))
            elif name == "list":
                self._list(item)
            elif name == "table":
                for row in _rows(item):
                    self.writer.table_row([" ".join(self._text(p) for p in cell if local(p.tag) in ("p", "h"))
                                           for cell in row if local(cell.tag) == "table-cell"])
                self.writer.end_table()
            elif name == "soft-page-break":
                self.writer.page_break()
            elif name in CONTAINERS:
                self.write(item)

    def _list(self, listing: ET.Element) -> None:
        for item in listing:
            if local(item.tag) not in ("list-item", "list-header"):
                continue
            first = True
            for part in item:
                name = local(part.tag)
                if name in ("p", "h") and first:
                    self.writer.list_item(self._text(part))
                    first = False
                else:
                    self.write([part])

    def _all_bold(self, element: ET.Element, bold: bool) -> bool:
        """Whether all the text an element shows (not its notes') is in bold, given the weight around it."""
        own = self.weights.get(attr(element, "style-name") or "")
        bold = bold if own is None else own
        if (element.text or "").strip() and not bold:
            return False
        for item in element:
            if local(item.tag) not in ("note", *SKIPPED) and not self._all_bold(item, bold):
                return False
            if (item.tail or "").strip() and not bold:
                return False
        return True

    def _text(self, element: ET.Element) -> str:
        """A paragraph's text: spans, links and fields followed, notes called, page marks kept."""
        out = [element.text or ""]
        for item in element:
            name = local(item.tag)
            if name == "s":
                count = attr(item, "c")
                out.append(" " * (int(count) if count and count.isdigit() else 1))
            elif name == "tab":
                out.append("\t")
            elif name == "line-break":
                out.append("\n")
            elif name == "soft-page-break":
                out.append(PAGE_BREAK)
            elif name == "note":
                body = child(item, "note-body")
                note = " ".join(_plain(p) for p in body.iter() if local(p.tag) == "p") if body is not None else ""
                out.append(self.writer.call_note(note, at_end=attr(item, "note-class") == "endnote") if note else "")
            elif name not in SKIPPED:
                out.append(self._text(item))
            out.append(item.tail or "")
        return "".join(out)


def _weights(*parts: ET.Element | None) -> dict[str, bool | None]:
    """Every named style's boldness (``fo:font-weight``), inherited from its parent style when it does not say."""
    found: dict[str, tuple[bool | None, str | None]] = {}
    for part in parts:
        for style in part.iter() if part is not None else ():
            if local(style.tag) == "style" and attr(style, "name"):
                weight = attr(child(style, "text-properties"), "font-weight")
                found[attr(style, "name")] = (weight in ("bold", "600", "700", "800", "900") if weight else None,
                                              attr(style, "parent-style-name"))
    weights: dict[str, bool | None] = {}
    for name in found:
        seen, current = set(), name
        while current in found and current not in seen and found[current][0] is None:
            seen.add(current)
            current = found[current][1]
        weights[name] = found[current][0] if current in found else None
    return weights


def _rows(table: ET.Element):
    """A table's own rows, through the groups that may hold them (not those of a table nested in a cell)."""
    for item in table:
        if local(item.tag) == "table-row":
            yield item
        elif local(item.tag) in ("table-header-rows", "table-rows", "table-row-group"):
            yield from _rows(item)


def _plain(paragraph: ET.Element) -> str:
    return "".join(paragraph.itertext())


def _furniture(styles: ET.Element | None) -> list[Furniture]:
    """The master pages' headers and footers (page 1: the file says where each master page applies only through
    the styles of the paragraphs that switch to it)."""
    found: list[Furniture] = []
    for part in styles.iter() if styles is not None else ():
        kind = {"header": "header", "footer": "footer"}.get(local(part.tag))
        text = " ".join(" ".join(part.itertext()).split()) if kind else ""
        if kind and text and Furniture(1, kind, text) not in found:
            found.append(Furniture(1, kind, text))
    return found
