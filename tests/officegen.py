"""Word (.docx), OpenDocument (.odt) and HTML documents for the tests, built from a list of parts.

A part is one of the dataclasses below; a paragraph's text may call a footnote with ``[[note text]]``.
The .docx is a minimal valid WordprocessingML package as Word writes it: French style ids
("Titre1", built-in name "heading 1"), bullets and heading numbers drawn from numbering.xml, footnotes in
their own part after Word's separator notes, a header and a footer referenced by the section, and pages
marked either by explicit breaks or by Word's ``lastRenderedPageBreak``. Corpus text becomes parts through
``corpus_parts``: the project's layout reads the .txt, and its blocks are written back with Word's means
(numbered and markdown headings as heading styles, rows as a table, items as a bulleted list, a bold line in
bold).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field
from html import escape as html_escape
from pathlib import Path
from xml.sax.saxutils import escape

from ancols_nlp.pipelines import layout
from ancols_nlp.pipelines.sections import heading_title


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 1
    numbered: bool = False  # the number drawn from the heading style's list, not typed


@dataclass(frozen=True)
class Para:
    text: str
    bold: bool = False


@dataclass(frozen=True)
class Item:
    text: str


@dataclass(frozen=True)
class Table:
    rows: list[list[str]] = field(default_factory=list)


@dataclass(frozen=True)
class PageBreak:
    pass


BOLD = re.compile(r"^\s*\*\*[^*]+\*\*\s*$")
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
NOTE = re.compile(r"\[\[(.+?)\]\]")
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def _zip(files: dict[str, str], *, first: str | None = None) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if first:
            archive.writestr(zipfile.ZipInfo(first), files[first], compress_type=zipfile.ZIP_STORED)
        for name, text in files.items():
            if name != first:
                archive.writestr(name, text)
    return out.getvalue()


class _Docx:
    def __init__(self, rendered: bool) -> None:
        self.rendered = rendered
        self.notes: list[str] = []
        self.page_pending = False

    def runs(self, text: str, bold: bool = False) -> str:
        out = []
        props = "<w:rPr><w:b/></w:rPr>" if bold else ""
        if self.page_pending:
            out.append("<w:r><w:lastRenderedPageBreak/></w:r>")
            self.page_pending = False
        for i, piece in enumerate(NOTE.split(text)):
            if i % 2:
                self.notes.append(piece)
                out.append(f'<w:r><w:rPr><w:rStyle w:val="Appelnotedebasdep"/></w:rPr>'
                           f'<w:footnoteReference w:id="{len(self.notes)}"/></w:r>')
            else:
                lines = piece.split("\n")
                out.append("<w:r><w:br/></w:r>".join(
                    f'<w:r>{props}<w:t xml:space="preserve">{escape(line)}</w:t></w:r>' for line in lines))
        return "".join(out)

    def paragraph(self, text: str, style: str | None = None, num: str = "", bold: bool = False) -> str:
        props = f'<w:pStyle w:val="{style}"/>' if style else ""
        return f"<w:p><w:pPr>{props}{num}</w:pPr>{self.runs(text, bold)}</w:p>"

    def part(self, part) -> str:
        if isinstance(part, Heading):
            return self.paragraph(part.text, f"Titre{part.level}",
                                  "" if part.numbered else '<w:numPr><w:numId w:val="0"/></w:numPr>')
        if isinstance(part, Item):
            return self.paragraph(part.text, "Listepuces")
        if isinstance(part, Table):
            rows = "".join("<w:tr>" + "".join(f"<w:tc>{self.paragraph(c)}</w:tc>" for c in row) + "</w:tr>"
                           for row in part.rows)
            return f"<w:tbl><w:tblPr/>{rows}</w:tbl>"
        if isinstance(part, PageBreak):
            if self.rendered:
                self.page_pending = True
                return ""
            return '<w:p><w:r><w:br w:type="page"/></w:r></w:p>'
        return self.paragraph(part.text, bold=part.bold)


def make_docx(parts: list, *, header: str | None = None, footer: str | None = None, rendered: bool = False) -> bytes:
    """A .docx of ``parts``; ``rendered`` marks pages as Word's layout does instead of by explicit breaks."""
    doc = _Docx(rendered)
    body = "".join(doc.part(p) for p in parts)
    refs = (f'<w:headerReference w:type="default" r:id="rIdH"/>' if header else "") + (
        f'<w:footerReference w:type="default" r:id="rIdF"/>' if footer else "")
    files = {
        "[Content_Types].xml": _CONTENT_TYPES,
        "_rels/.rels": _RELS,
        "word/document.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}" '
                             f'xmlns:r="{R}"><w:body>{body}<w:sectPr>{refs}</w:sectPr></w:body></w:document>',
        "word/styles.xml": _STYLES,
        "word/numbering.xml": _NUMBERING,
        "word/footnotes.xml": _footnotes(doc.notes),
        "word/_rels/document.xml.rels": _DOC_RELS,
    }
    for name, text in (("header1", header), ("footer1", footer)):
        if text:
            tag = "hdr" if name.startswith("header") else "ftr"
            files[f"word/{name}.xml"] = (f'<w:{tag} xmlns:w="{W}"><w:p><w:r><w:t>{escape(text)}</w:t></w:r>'
                                         '<w:r><w:tab/></w:r><w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                                         '<w:r><w:instrText> PAGE </w:instrText></w:r>'
                                         '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
                                         f'<w:r><w:fldChar w:fldCharType="end"/></w:r>'
                                         f'</w:p></w:{tag}>')
    return _zip(files)


def _footnotes(notes: list[str]) -> str:
    body = ('<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
            '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r>'
            '</w:p></w:footnote>')
    body += "".join(f'<w:footnote w:id="{i}"><w:p><w:pPr><w:pStyle w:val="Notedebasdepage"/></w:pPr><w:r>'
                    f'<w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> {escape(n)}</w:t></w:r></w:p></w:footnote>'
                    for i, n in enumerate(notes, start=1))
    return f'<?xml version="1.0" encoding="UTF-8"?><w:footnotes xmlns:w="{W}">{body}</w:footnotes>'


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
    'wordprocessingml.document.main+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
         f'relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/>'
         '</Relationships>')
_DOC_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
             f'2006/relationships"><Relationship Id="rIdH" Type="{REL}/header" Target="header1.xml"/>'
             f'<Relationship Id="rIdF" Type="{REL}/footer" Target="footer1.xml"/>'
             f'<Relationship Id="rIdS" Type="{REL}/styles" Target="styles.xml"/></Relationships>')
_HEADING_STYLES = "".join(
    f'<w:style w:type="paragraph" w:styleId="Titre{n}"><w:name w:val="heading {n}"/><w:basedOn w:val="Normal"/>'
    f'<w:pPr><w:keepNext/><w:numPr><w:ilvl w:val="{n - 1}"/><w:numId w:val="1"/></w:numPr>'
    f'<w:outlineLvl w:val="{n - 1}"/></w:pPr></w:style>' for n in range(1, 7))
_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8"?><w:styles xmlns:w="{W}">'
    '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/></w:style>'
    f'{_HEADING_STYLES}'
    '<w:style w:type="paragraph" w:styleId="Listepuces"><w:name w:val="List Bullet"/><w:basedOn w:val="Normal"/>'
    '<w:pPr><w:numPr><w:numId w:val="2"/></w:numPr></w:pPr></w:style>'
    '<w:style w:type="paragraph" w:styleId="Notedebasdepage"><w:name w:val="footnote text"/></w:style>'
    '<w:style w:type="character" w:styleId="Appelnotedebasdep"><w:name w:val="footnote reference"/></w:style>'
    '</w:styles>')
_LEVELS = "".join(
    f'<w:lvl w:ilvl="{n}"><w:start w:val="1"/><w:numFmt w:val="decimal"/>'
    f'<w:lvlText w:val="{".".join(f"%{k}" for k in range(1, n + 2))}{"." if n == 0 else ""}"/></w:lvl>'
    for n in range(6))
_NUMBERING = (
    f'<?xml version="1.0" encoding="UTF-8"?><w:numbering xmlns:w="{W}">'
    f'<w:abstractNum w:abstractNumId="0">{_LEVELS}</w:abstractNum>'
    '<w:abstractNum w:abstractNumId="1"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="bullet"/>'
    '<w:lvlText w:val="\uf0b7"/></w:lvl></w:abstractNum>'
    '<w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num><w:num w:numId="2"><w:abstractNumId w:val="1"/></w:num>'
    '</w:numbering>')


def make_odt(parts: list) -> bytes:
    """An .odt of ``parts``: headings as ``text:h`` with their outline level, notes as ``text:note``, pages
    marked where LibreOffice lays them out (``text:soft-page-break``)."""
    notes = 0

    def inline(text: str) -> str:
        nonlocal notes
        out = []
        for i, piece in enumerate(NOTE.split(text)):
            if i % 2:
                notes += 1
                out.append(f'<text:note text:id="ftn{notes}" text:note-class="footnote"><text:note-citation>'
                           f'{notes}</text:note-citation><text:note-body><text:p>{escape(piece)}</text:p>'
                           '</text:note-body></text:note>')
            else:
                out.append("<text:line-break/>".join(escape(line) for line in piece.split("\n")))
        return "".join(out)

    body = []
    for part in parts:
        if isinstance(part, Heading):
            body.append(f'<text:h text:outline-level="{part.level}">{inline(part.text)}</text:h>')
        elif isinstance(part, Item):
            body.append(f"<text:list><text:list-item><text:p>{inline(part.text)}</text:p></text:list-item></text:list>")
        elif isinstance(part, Table):
            cells = ("".join(f"<table:table-cell><text:p>{inline(c)}</text:p></table:table-cell>" for c in row)
                     for row in part.rows)
            rows = "".join(f"<table:table-row>{c}</table:table-row>" for c in cells)
            body.append(f"<table:table>{rows}</table:table>")
        elif isinstance(part, PageBreak):
            body.append("<text:soft-page-break/>")
        elif part.bold:
            body.append(f'<text:p><text:span text:style-name="T1">{inline(part.text)}</text:span></text:p>')
        else:
            body.append(f"<text:p>{inline(part.text)}</text:p>")
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
          'xmlns:fo="urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.3">'
               '<office:automatic-styles><style:style style:name="T1" style:family="text"><style:text-properties '
               'fo:font-weight="bold"/></style:style></office:automatic-styles>'
               f'<office:body><office:text>{"".join(body)}</office:text></office:body></office:document-content>')
    styles = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-styles {ns}><office:master-styles>'
              '<style:master-page style:name="Standard"><style:header><text:p>Rapport définitif</text:p>'
              '</style:header></style:master-page></office:master-styles></office:document-styles>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry '
                'manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>'
                '</manifest:manifest>')
    return _zip({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": content,
                 "styles.xml": styles, "META-INF/manifest.xml": manifest}, first="mimetype")


def make_html(parts: list, *, title: str = "Rapport") -> bytes:
    """A saved web page of ``parts``, with the site's navigation, header, footer and scripts around them."""
    notes: list[str] = []

    def inline(text: str) -> str:
        out = []
        for i, piece in enumerate(NOTE.split(text)):
            if i % 2:
                notes.append(piece)
                out.append(f'<sup><a href="#fn{len(notes)}">{len(notes)}</a></sup>')
            else:
                out.append("<br>".join(html_escape(line, quote=False) for line in piece.split("\n")))
        return "".join(out)

    body = []
    for part in parts:
        if isinstance(part, Heading):
            body.append(f"<h{part.level}>{inline(part.text)}</h{part.level}>")
        elif isinstance(part, Item):
            body.append(f"<ul><li>{inline(part.text)}</li></ul>")
        elif isinstance(part, Table):
            body.append("<table>" + "".join("<tr>" + "".join(f"<td>{inline(c)}</td>" for c in row) + "</tr>"
                                            for row in part.rows) + "</table>")
        elif isinstance(part, Para):
            body.append(f"<p><b>{inline(part.text)}</b></p>" if part.bold else f"<p>{inline(part.text)}</p>")
    foot = "".join(f'<li id="fn{i}">{html_escape(n, quote=False)}</li>' for i, n in enumerate(notes, start=1))
    page = (f"<!DOCTYPE html><html lang=fr><head><meta charset=utf-8><title>{title}</title>"
            "<style>p { margin: 0 }</style><script>var menu = 'Accueil';</script></head><body>"
            "<header><a href='/'>ANCOLS</a> Accueil &gt; Rapports</header><nav><ul><li>Accueil</li>"
            f"<li>Publications</li></ul></nav><main>{''.join(body)}"
            f"{'<section class=footnotes><ol>' + foot + '</ol></section>' if foot else ''}</main>"
            "<footer>© ANCOLS – Mentions légales</footer></body></html>")
    return page.encode("utf-8")


def corpus_parts(path: Path, *, limit_chars: int | None = None) -> list:
    """A corpus report as Word parts: the layout's blocks of its .txt, written back with Word's own means."""
    text = path.read_text(encoding="utf-8")[:limit_chars]
    parts: list = []
    rows: list[list[str]] = []
    for block in layout.blocks(text):
        raw = text[block.start:block.end]
        if block.kind == "table_row":
            rows.append([_plain(c) for c in re.split(r"\s*[|\t]\s*", raw.strip().strip("|"))])
            continue
        if rows:
            parts.append(Table(rows))
            rows = []
        if block.kind == "heading" and block.level:
            parts.append(Heading(heading_title(raw), block.level))
        elif block.kind == "list_item":
            parts.append(Item(_plain(re.sub(r"^\s*(?:[-–—•▪►●◦→✓*]|\$\\rightarrow\$)\s*", "", raw))))
        elif block.kind != "rule":
            parts.append(Para(_plain(raw), bold=BOLD.match(raw) is not None))
    if rows:
        parts.append(Table(rows))
    return parts


def _plain(raw: str) -> str:
    """Markdown's marks as Word shows them: emphasis dropped, <br> a line break, wrapped lines joined."""
    text = re.sub(r"<sup>\s*(\d+)\s*</sup>", lambda m: m.group(1).translate(SUPERSCRIPT), re.sub(r"\*\*|__", "", raw))
    return "\n".join(" ".join(line.split()) for line in re.split(r"<br\s*/?>", text))


def heavy_docx() -> bytes:
    """A Word file within every cap of ``office_zip`` (26 KB zipped, just under ``MAX_TAGS`` empty paragraphs) that
    still costs its reader about 350 MB and 11 s of CPU: what the reader's child process is bounded for."""
    from ancols_nlp.pipelines.office_zip import MAX_TAGS

    empty = "<w:p/>" * (MAX_TAGS - 1_000)
    return _zip({"word/document.xml": f'<w:document xmlns:w="{W}"><w:body><w:p><w:r><w:t>Texte</w:t></w:r></w:p>'
                                      f"{empty}</w:body></w:document>"})
