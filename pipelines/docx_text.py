"""Word (.docx) package → SourceText: the body's paragraphs, headings, lists, tables and notes, pages where
Word marked them, running headers and footers set aside as furniture.

Pages: a .docx records where Word last laid out a page break (``w:lastRenderedPageBreak``); when it has
such marks they are the pages, else the explicit breaks (a page break, a paragraph set to start a page,
a section starting on a new page) are; a file with neither (written by a program that lays out no
pages) has none (no page map, as plain text). Text boxes, drawings, comments and deleted text are not body
text and are left out.
"""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET

from ancols_nlp.pipelines.docx_styles import Styles, read_styles
from ancols_nlp.pipelines.markup_text import PAGE_BREAK, SUPERSCRIPT, TextWriter
from ancols_nlp.pipelines.office_zip import Package, attr, child, local
from ancols_nlp.pipelines.types import Furniture, SourceText

MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DOCUMENT = "word/document.xml"
# Not body text: properties, deleted or moved-away text, field instructions, drawings and text boxes (a Word
# drawing holds its text twice, in a choice and its fallback), comments' anchors.
SKIPPED = frozenset({"pPr", "rPr", "sdtPr", "del", "moveFrom", "delText", "instrText", "drawing", "pict", "object",
                     "AlternateContent", "footnoteRef", "endnoteRef", "annotationRef", "commentReference"})
CONTAINERS = frozenset({"sdt", "sdtContent", "customXml", "ins", "moveTo", "smartTag"})
SEPARATORS = frozenset({"separator", "continuationSeparator", "continuationNotice"})


def read_docx(package: Package) -> SourceText:
    return _DocxReader(package).read()


class _DocxReader:
    def __init__(self, package: Package) -> None:
        self.package = package
        self.writer = TextWriter(MEDIA_TYPE)
        self.styles: Styles = read_styles(package.xml("word/styles.xml"), package.xml("word/numbering.xml"))
        self.notes = {kind: _notes(package.xml(f"word/{kind}s.xml"), kind) for kind in ("footnote", "endnote")}
        self.relations = _relations(package.xml("word/_rels/document.xml.rels"))
        self.rendered = False  # whether Word's own layout marks are the pages
        self.page = self.section_page = 1

    def read(self) -> SourceText:
        document = self.package.xml(DOCUMENT)
        body = child(document, "body")
        if body is None:
            return self.writer.source()
        self.rendered = any(local(e.tag) == "lastRenderedPageBreak" for e in body.iter())
        self._blocks(body)
        return self.writer.source()

    def _blocks(self, element: ET.Element) -> None:
        for item in element:
            name = local(item.tag)
            if name == "p":
                self._paragraph(item)
            elif name == "tbl":
                self._table(item)
            elif name == "sectPr":
                self._section_end(item, last=True)
            elif name in CONTAINERS:
                self._blocks(item)

    def _paragraph(self, paragraph: ET.Element) -> None:
        ppr = child(paragraph, "pPr")
        style = attr(child(ppr, "pStyle"), "val")
        if not self.rendered and attr(child(ppr, "pageBreakBefore"), "val") not in (None, "0", "false"):
            self._break()
        text = self._text(paragraph)
        level = self.styles.heading_level(ppr, style)
        num = self.styles.numbering(ppr, style)
        label = self.styles.label(num) if num else ""
        if level:
            self.writer.heading(text, level, label if label != "-" else "")
        elif label:
            self.writer.list_item(text, _list_label(label))
        else:
            self.writer.paragraph(text, bold=_all_bold(paragraph))
        section = child(ppr, "sectPr")
        if section is not None:
            self._section_end(section, last=False)

    def _text(self, element: ET.Element) -> str:
        """The text of a paragraph (or of what runs hold), page marks and note calls included."""
        out: list[str] = []
        for item in element:
            name = local(item.tag)
            if name in SKIPPED:
                continue
            if name == "t":
                out.append(item.text or "")
            elif name == "tab":
                out.append("\t")
            elif name in ("br", "cr"):
                kind = attr(item, "type")
                if kind == "page":  # Word puts its own layout mark after it too: counted once
                    out.append("" if self.rendered else self._break(inline=True))
                else:
                    out.append("" if kind == "column" else "\n")
            elif name == "lastRenderedPageBreak":
                out.append(self._break(inline=True) if self.rendered else "")
            elif name == "noBreakHyphen":
                out.append("-")
            elif name in ("footnoteReference", "endnoteReference"):
                kind = name[:-len("Reference")]
                note = self.notes[kind].get(attr(item, "id") or "")
                out.append(self.writer.call_note(note, at_end=kind == "endnote") if note else "")
            elif name == "r" and attr(child(child(item, "rPr"), "vertAlign"), "val") == "superscript":
                raised = self._text(item)  # a number typed in superscript: a note's call or number, "m²"
                out.append(raised.translate(SUPERSCRIPT) if raised.strip().isdigit() else raised)
            elif name != "p":  # a run, a hyperlink, a field's result, an insertion…
                out.append(self._text(item))
        return "".join(out)

    def _break(self, *, inline: bool = False) -> str:
        """A page starts here: the mark to put in the text when ``inline``, else a mark between blocks."""
        self.page += 1
        if inline:
            return PAGE_BREAK
        self.writer.page_break()
        return ""

    def _table(self, table: ET.Element) -> None:
        for row in _items(table, "tr"):
            self.writer.table_row([" ".join(self._cell(cell)) for cell in _items(row, "tc")])
        self.writer.end_table()

    def _cell(self, cell: ET.Element) -> list[str]:
        """A cell's paragraphs, a table nested in it flattened into its text."""
        out = []
        for item in cell:
            name = local(item.tag)
            if name == "p":
                out.append(self._text(item))
            elif name == "tbl":
                out.extend(" ".join(self._cell(c)) for row in _items(item, "tr") for c in _items(row, "tc"))
            elif name in CONTAINERS:
                out.extend(self._cell(item))
        return out

    def _section_end(self, section: ET.Element, *, last: bool) -> None:
        """The section's running headers and footers, as furniture of its first page; a next-page break."""
        for ref in section:
            kind = {"headerReference": "header", "footerReference": "footer"}.get(local(ref.tag))
            target = self.relations.get(attr(ref, "id") or "")
            part = self.package.xml(target) if kind and target else None
            text = " ".join(_note_text(p) for p in part.iter() if local(p.tag) == "p") if part is not None else ""
            if kind and text.strip():
                found = Furniture(self.section_page, kind, " ".join(text.split()))
                if found not in self.writer.furniture:
                    self.writer.furniture.append(found)
        if not last and not self.rendered and attr(child(section, "type"), "val") != "continuous":
            self._break()
        self.section_page = self.page


def _all_bold(paragraph: ET.Element) -> bool:
    """Whether every run of the paragraph that shows text is set in bold."""
    shown = [r for r in paragraph.iter() if local(r.tag) == "r"
             and any(local(t.tag) == "t" and (t.text or "").strip() for t in r)]
    return bool(shown) and all(_bold(r) for r in shown)


def _bold(run: ET.Element) -> bool:
    mark = child(child(run, "rPr"), "b")
    return mark is not None and attr(mark, "val") in (None, "1", "true", "on")


def _items(element: ET.Element, name: str):
    """The rows of a table or the cells of a row, through the content controls that may wrap them."""
    for item in element:
        if local(item.tag) == name:
            yield item
        elif local(item.tag) in CONTAINERS:
            yield from _items(item, name)


def _list_label(label: str) -> str:
    """A list number as the layout reads list items: "1." → "1)" (a "1." line may be a heading or an end note)."""
    return label[:-1] + ")" if label[-1:] == "." and label[:-1].isalnum() else label


def _notes(part: ET.Element | None, kind: str) -> dict[str, str]:
    """Footnote or endnote id → its text (the separators Word keeps among them left out)."""
    notes = {}
    for note in part if part is not None else ():
        if local(note.tag) == kind and attr(note, "type") not in SEPARATORS:
            notes[attr(note, "id") or ""] = " ".join(_note_text(p) for p in note.iter() if local(p.tag) == "p")
    return notes


def _note_text(paragraph: ET.Element) -> str:
    """A note's or a header's plain text (a tab there only spaces a page number out)."""
    pieces = (t for t in paragraph.iter() if local(t.tag) in ("t", "tab"))
    return "".join(t.text or "" if local(t.tag) == "t" else " " for t in pieces)


def _relations(part: ET.Element | None) -> dict[str, str]:
    """Relationship id → the part it names, as a path in the package."""
    out = {}
    for rel in part if part is not None else ():
        target = attr(rel, "Target") or ""
        if attr(rel, "TargetMode") != "External" and target:
            out[attr(rel, "Id") or ""] = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join("word", target))
    return out
