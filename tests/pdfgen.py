"""Realistic report PDFs for the extraction tests, built with fpdf2 from real corpus text.

The PDFs carry what real ANCOLS reports carry and the extractor has to undo: a running
header, a footer and a page number on every page, headings, list items and words
hyphenated at line ends; tables whose cells stand at column positions (a title above, a
"Source :" line below, figures right-aligned, ruled or not) and notes at the foot of the page
(smaller type, the number first, its call raised in the text); and the ways a page comes out
turned: landscape pages, a body printed sideways on a portrait page, pages given a /Rotate.
Lines are broken here rather than by fpdf2 so that the test knows exactly what was printed on
which page (``RenderedPdf.lines``; a table row is given as its cells joined by " | ").
"""

from __future__ import annotations

import io
import re
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from PIL import Image

from ancols_nlp.pipelines.pdf_text import COMPOUND_HEADS



class NewPage(str):
    """A paragraph that is only this starts a new page, laid out as the constant's name says."""


PAGE_BREAK = NewPage("\f")
LANDSCAPE_PAGE = NewPage("\f landscape")  # its MediaBox is wider than high, as a Word landscape section
SIDEWAYS_PAGE = NewPage("\f sideways")  # portrait, its body turned 90° counter-clockwise (a table too wide)

_FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))
_LATIN1_FALLBACK = str.maketrans({
    "œ": "oe", "Œ": "OE", "’": "'", "‘": "'", "“": '"', "”": '"', "€": "EUR",
    "►": ">", "•": "-", "–": "-", "—": "-", "…": "...", "\u202f": " ", "ﬁ": "fi", "ﬂ": "fl",
})

BODY_SIZE, LINE_H, PARA_GAP = 10.5, 5.0, 3.0  # pt, mm, mm
HEADING_SIZE, HEADING_H = 12.0, 6.0
CELL_SIZE, CELL_H, CELL_PAD = 8.5, 4.2, 1.5  # pt, mm, mm: a table's type, line height and cell padding
NOTE_SIZE, NOTE_H = 8.0, 3.6  # pt, mm: a page-foot note
BOTTOM = 25  # mm: the body's bottom margin, under which the footer stands
_FIGURE = re.compile(r"[-+]?[\d\s.,]*\d[\d\s.,]*%?")
# A note call as the corpus text writes it, and as a paragraph given to ``render_pdf`` carries it.
_CALL = re.compile(r"<sup>\s*(\d{1,3})\s*</sup>")
_CALL_MARK = re.compile(r"\[\^(\d{1,3})\]")
_VOWELS = set("aeiouyàâäéèêëîïôöùûüÿœæ")


class Heading(str):
    """A paragraph to print as a bold heading."""


class Footnote(str):
    """A note ("3 Source clameur …", its number first) printed at the foot of the page where it comes; its call
    is written "[^3]" in a paragraph and printed raised, in smaller type."""


@dataclass(frozen=True)
class Table:
    """A table printed as a report prints it: each cell at its column's position (figures right-aligned,
    text left-aligned, a cell too wide wrapped inside its column), ``title`` in bold above, ``source`` under it,
    the first row in capitals when ``caps_header``, every cell framed when ``ruled``; ``widths`` (mm) set the columns
    instead of their cells' widths; ``valign`` places a cell of fewer lines than its row's tallest."""

    rows: tuple[tuple[str, ...], ...]
    title: str = ""
    source: str = ""
    ruled: bool = False
    caps_header: bool = False
    widths: tuple[float, ...] = ()
    valign: str = "top"  # or "middle", "bottom": where a cell shorter than its row stands (a word processor's choice)


@dataclass(frozen=True)
class PrintedLine:
    """One line as printed: ``cut`` says how it continues on the next line.

    "" — the line ends between words; "word" — a word was split and a hyphen added;
    "compound" — the line ends after the hyphen of a hyphenated word (Saint-|Étienne).
    """

    page: int
    paragraph: int
    text: str
    cut: str = ""


@dataclass
class RenderedPdf:
    data: bytes
    lines: list[PrintedLine]
    page_count: int


def _font_files() -> tuple[Path, Path] | None:
    for folder in _FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    return None


class _ReportPdf(FPDF):
    SIDEWAYS_SIDE, SIDEWAYS_TOP = 30, 25  # mm: margins of the turned body, as if on a landscape page

    def __init__(self, header_text: str, footer_text: str, page_label: str) -> None:
        super().__init__(format="A4", unit="mm")
        fonts = _font_files()
        if fonts:  # a Unicode TTF prints œ, ’, €, ►, ﬁ as they are
            self.add_font("Body", "", str(fonts[0]))
            self.add_font("Body", "B", str(fonts[1]))
            self.body_font = "Body"
        else:  # core fonts are latin-1 only: degrade the few characters they lack
            self.body_font = "Helvetica"
        self.header_text, self.footer_text = header_text, footer_text
        self.page_label = page_label
        self.margin_note = ""
        self.notes: list[tuple[str, str]] = []  # the current page's note lines, printed by ``footer``
        self.set_margins(20, 25, 20)
        self.set_auto_page_break(True, margin=BOTTOM)

    def printable(self, text: str) -> str:
        if self.body_font == "Body":
            return text
        return text.translate(_LATIN1_FALLBACK).encode("latin-1", "replace").decode("latin-1")

    def header(self) -> None:
        self.set_font(self.body_font, "", 8)
        self.set_y(10)
        self.cell(0, 4, self.printable(self.header_text), align="C")
        self.line(20, 15, 190, 15)
        if self.margin_note:  # up the left margin, from two thirds of the way down
            with self.rotation(90, x=10, y=self.h * 2 / 3):
                self.text(10, self.h * 2 / 3, self.printable(self.margin_note))
        self.set_y(self.t_margin)

    def footer(self) -> None:
        self.print_notes()
        self.set_font(self.body_font, "", 8)
        self.set_y(-18)
        self.cell(0, 4, self.printable(self.footer_text), align="L")
        self.set_y(-13)
        self.cell(0, 4, self.page_label.format(n=self.page_no(), total="{nb}"), align="C")

    def add_note(self, note: str) -> None:
        """Keep ``note`` for the foot of this page, raising the body's bottom margin by its height."""
        self.set_font(self.body_font, "", NOTE_SIZE)
        self.notes += _wrap(self, self.printable(note), self.epw, False)
        self.set_auto_page_break(True, margin=BOTTOM + 2 + NOTE_H * len(self.notes))

    def print_notes(self) -> None:
        """The page's notes, under a short rule, just above the footer; the margin set back."""
        if not self.notes:
            return
        top = self.h - BOTTOM - NOTE_H * len(self.notes)
        self.line(self.l_margin, top - 1, self.l_margin + 40, top - 1)
        self.set_font(self.body_font, "", NOTE_SIZE)
        self.set_xy(self.l_margin, top)
        for text, _ in self.notes:
            self.cell(self.epw, NOTE_H, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.notes = []
        self.set_auto_page_break(True, margin=BOTTOM)

    def print_line(self, text: str, width: float, height: float) -> None:
        """One body line, its note calls ("[^3]") printed raised in smaller type."""
        if not _CALL_MARK.search(text):
            self.cell(width, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            return
        start = self.get_x()
        for k, piece in enumerate(_CALL_MARK.split(text)):
            if piece:
                self.char_vpos = "SUP" if k % 2 else "LINE"
                self.cell(self.get_string_width(piece), height, piece)
        self.char_vpos = "LINE"
        self.set_xy(start, self.get_y() + height)

    def print_table(self, table: Table, width: float) -> list[str]:
        """``table`` at the current position, breaking pages between rows (the title kept with the first row);
        its rows as printed, cells joined by " | "."""
        self.set_font(self.body_font, "", CELL_SIZE)
        rows = [tuple(c.upper() for c in table.rows[0]), *table.rows[1:]] if table.caps_header else table.rows
        widths = list(table.widths) or self.column_widths(rows, width)
        wrapped = [[_wrap(self, self.printable(c), w - 2 * CELL_PAD, False) or [("", "")]
                    for c, w in zip(row, widths)] for row in rows]
        if table.title:
            self.set_font(self.body_font, "B", BODY_SIZE)
            if self.get_y() + LINE_H + CELL_H * len(wrapped[0]) > self.page_break_trigger:
                self.add_page()
            self.cell(width, LINE_H, self.printable(table.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(self.body_font, "", CELL_SIZE)
        for row, cells in zip(rows, wrapped):
            height = CELL_H * max(len(lines) for lines in cells)
            if self.get_y() + height > self.page_break_trigger:
                self.add_page()
            x, y = self.l_margin, self.get_y()
            for cell, lines, w in zip(row, cells, widths):
                if table.ruled:
                    self.rect(x, y, w, height)
                align = "R" if _FIGURE.fullmatch(cell.strip()) else "L"
                below = {"top": 0.0, "middle": 0.5, "bottom": 1.0}[table.valign] * (height - CELL_H * len(lines))
                for k, (text, _) in enumerate(lines):
                    self.set_xy(x + CELL_PAD, y + below + k * CELL_H)
                    self.cell(w - 2 * CELL_PAD, CELL_H, text, align=align)
                x += w
            self.set_xy(self.l_margin, y + height)
        if table.source:
            self.set_font(self.body_font, "", CELL_SIZE)
            self.cell(width, LINE_H, self.printable(table.source), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return [" | ".join(" ".join(c.split()) for c in row) for row in rows]

    def column_widths(self, rows: list[tuple[str, ...]], width: float) -> list[float]:
        """Each column as wide as its widest cell, the widest columns narrowed in turn until the table fits."""
        count = max(len(row) for row in rows)
        natural = [max((self.get_string_width(self.printable(row[k])) if k < len(row) else 0.0) for row in rows)
                   + 2 * CELL_PAD + 1 for k in range(count)]
        while sum(natural) > width:
            widest = max(range(count), key=natural.__getitem__)
            second = max((w for k, w in enumerate(natural) if k != widest), default=0.0)
            natural[widest] = max(natural[widest] - (sum(natural) - width), second, 12.0)
            if natural[widest] == 12.0 or all(w <= second for w in natural):
                natural = [w * width / sum(natural) for w in natural]
        return natural

    def start_page(self, layout: NewPage, turned: ExitStack) -> tuple[float, float]:
        """A new page with ``layout``: the width of its lines and the lowest line top that fits (mm).

        A sideways body is printed in a landscape frame turned about the page's centre; ``turned`` holds
        the turn, to be closed before the page's footer is printed.
        """
        turned.close()
        self.set_left_margin(20)
        self.add_page(orientation="L" if layout == LANDSCAPE_PAGE else "P")
        if layout != SIDEWAYS_PAGE:
            return self.epw, self.page_break_trigger
        centre_x, centre_y = self.w / 2, self.h / 2
        turned.enter_context(self.rotation(90, x=centre_x, y=centre_y))
        left, top = centre_x - centre_y + self.SIDEWAYS_SIDE, centre_y - centre_x + self.SIDEWAYS_TOP
        self.set_left_margin(left)
        self.set_xy(left, top)
        return self.h - 2 * self.SIDEWAYS_SIDE, centre_y + centre_x - self.SIDEWAYS_TOP


def _split_word(
    pdf: FPDF, word: str, room: float, hyphenate: bool
) -> tuple[str, str, str] | None:
    """Longest head of ``word`` that fits in ``room`` mm: (head, tail, cut kind) or None.

    Breaks after an existing hyphen first, as word processors do; otherwise, if allowed,
    splits an all-lower-case word (never at a head the extractor reads as a compound).
    """
    for i in range(len(word) - 1, 1, -1):
        fits = pdf.get_string_width(word[:i]) <= room
        if word[i - 1] == "-" and word[i - 2].isalnum() and fits:
            return word[:i], word[i:], "compound"
    if not (hyphenate and len(word) >= 8 and word.isalpha() and word.islower()):
        return None
    for i in range(len(word) - 3, 3, -1):
        fits = pdf.get_string_width(word[:i] + "-") <= room
        if fits and _syllable_break(word, i) and word[:i] not in COMPOUND_HEADS:
            return word[:i] + "-", word[i:], "word"
    return None


def _syllable_break(word: str, i: int) -> bool:
    """Roughly where French typesetting may split: before a consonant followed by a vowel
    (dimi-nution, accrois-sement), keeping ch, ph, th, gn and consonant + l/r together."""
    before, consonant, vowel = word[i - 1], word[i], word[i + 1]
    if consonant in _VOWELS or vowel not in _VOWELS:
        return False
    if before in _VOWELS:
        return True
    return before + consonant not in {"ch", "ph", "th", "gn"} and consonant not in "lr"


def _wrap(pdf: FPDF, text: str, width: float, hyphenate: bool) -> list[tuple[str, str]]:
    """(line, cut) pairs; an explicit "\\n" in ``text`` forces a line break there."""
    lines: list[tuple[str, str]] = []
    for forced in text.split("\n"):
        words, current = forced.split(), ""
        while words:
            word = words.pop(0)
            candidate = f"{current} {word}" if current else word
            if pdf.get_string_width(candidate) <= width:
                current = candidate
                continue
            prefix = f"{current} " if current else ""
            split = _split_word(pdf, word, width - pdf.get_string_width(prefix), hyphenate)
            if split:
                head, tail, cut = split
                lines.append((prefix + head, cut))
                words.insert(0, tail)
                current = ""
            elif current:
                lines.append((current, ""))
                current = word
            else:  # a single word wider than the line: print it anyway
                lines.append((word, ""))
        if current:
            lines.append((current, ""))
    return lines


def render_pdf(
    paragraphs: list[str | Table],
    *,
    header: str,
    footer: str,
    hyphenate: bool = True,
    page_label: str = "Page {n} / {total}",
    user_password: str | None = None,
    fake_bold: bool = False,
    rotate: dict[int, int] | None = None,
    margin_note: str = "",
) -> RenderedPdf:
    """Print ``paragraphs`` (``Heading``s in bold, a ``NewPage`` to start a page, ``Table``s and ``Footnote``s
    as their docstrings say) as a report.

    ``fake_bold`` prints headings twice, a hair apart, as some PDF producers fake bold type.
    ``rotate`` gives pages (numbered from 1) a /Rotate of so many degrees, turning them on screen.
    ``margin_note`` is printed on every page, turned a quarter, up the left margin (a reference, a notice).
    """
    pdf = _ReportPdf(header, footer, page_label)
    pdf.margin_note = margin_note
    if user_password is not None:
        pdf.set_encryption(owner_password="owner-password", user_password=user_password)
    turned = ExitStack()
    opening = 1 if paragraphs and isinstance(paragraphs[0], NewPage) else 0  # the first page's layout
    width, lowest = pdf.start_page(paragraphs[0] if opening else PAGE_BREAK, turned)
    printed: list[PrintedLine] = []
    for index, paragraph in enumerate(paragraphs[opening:], start=opening):
        if isinstance(paragraph, NewPage):
            width, lowest = pdf.start_page(paragraph, turned)
            continue
        if isinstance(paragraph, Footnote):
            pdf.add_note(paragraph)
            continue
        if isinstance(paragraph, Table):
            printed += [PrintedLine(pdf.page_no(), index, row) for row in pdf.print_table(paragraph, width)]
            pdf.ln(PARA_GAP)
            continue
        heading = isinstance(paragraph, Heading)
        style = "B" if heading and not fake_bold else ""
        pdf.set_font(pdf.body_font, style, HEADING_SIZE if heading else BODY_SIZE)
        height = HEADING_H if heading else LINE_H
        if heading:
            pdf.ln(2)
        for text, cut in _wrap(pdf, pdf.printable(paragraph), width, hyphenate and not heading):
            pdf.print_line(text, width, height)
            if heading and fake_bold:  # on the baseline fpdf2 gave the cell just printed
                baseline = pdf.get_y() - height / 2 + 0.3 * pdf.font_size
                pdf.text(pdf.l_margin + pdf.c_margin + 0.1, baseline, text)
            printed.append(PrintedLine(pdf.page_no(), index, text, cut))
            if pdf.get_y() > lowest:
                raise ValueError(f"page {pdf.page_no()}: the text runs off a sideways page")
        pdf.ln(PARA_GAP)
    turned.close()
    data = bytes(pdf.output())
    return RenderedPdf(_rotated(data, rotate) if rotate else data, printed, pdf.page_no())


def _rotated(data: bytes, rotate: dict[int, int]) -> bytes:
    """``data`` with a /Rotate set on the pages ``rotate`` names, as a viewer's "rotate page" saves it."""
    pdf = pdfium.PdfDocument(data)
    for number, degrees in rotate.items():
        pdf[number - 1].set_rotation(degrees)
    buffer = io.BytesIO()
    pdf.save(buffer)
    pdf.close()
    return buffer.getvalue()


def make_pdf(paragraphs: list[str], *, header: str, footer: str, hyphenate: bool = True) -> bytes:
    return render_pdf(paragraphs, header=header, footer=footer, hyphenate=hyphenate).data


def encrypted_pdf(paragraphs: list[str], *, user_password: str = "secret") -> bytes:
    """A PDF that needs ``user_password`` to open (empty: anyone may open it, as many reports)."""
    return render_pdf(
        paragraphs, header="RAPPORT CONFIDENTIEL", footer="ANCOLS", user_password=user_password
    ).data


def scanned_pdf(pages: int = 2) -> bytes:
    """Pages holding only an image and a frame, like a scan without OCR: no text layer at all."""
    scan = Image.new("L", (600, 850), 255)
    for y in range(100, 800, 30):  # grey bands standing in for lines of print
        scan.paste(40, (60, y, 540, y + 12))
    buffer = io.BytesIO()
    scan.save(buffer, format="PNG")
    pdf = FPDF(format="A4")
    for _ in range(pages):
        pdf.add_page()
        pdf.rect(10, 10, 190, 277)
        pdf.image(io.BytesIO(buffer.getvalue()), x=15, y=15, w=180)
    return bytes(pdf.output())


def rasterised_pdf(data: bytes, dpi: int = 200, only: set[int] | None = None, worn: bool = False,
                   sideways: bool = False) -> bytes:
    """``data`` as a scanner gives it back: each page (numbered from 1; all unless ``only``) an image of
    itself at ``dpi``, with no text layer; the other pages are kept as they are. ``worn`` scans as an office
    copier does: the sheet half a degree askew, grain, and JPEG compression. ``sideways`` stores each image
    turned a quarter counter-clockwise on a page as wide as the sheet is high, given a /Rotate of 90 so that
    it is shown upright (a sheet fed into the scanner sideways)."""
    source = pdfium.PdfDocument(data)
    pdf = FPDF(unit="pt")
    try:
        for index in range(len(source)):
            page = source[index]
            width, height = page.get_width(), page.get_height()
            pdf.add_page(format=(height, width) if sideways else (width, height))
            if only is None or index + 1 in only:
                scan = io.BytesIO()
                image = page.render(scale=dpi / 72, grayscale=True).to_pil()
                if sideways:
                    image = image.transpose(Image.Transpose.ROTATE_90)
                if worn:
                    image = image.rotate(0.5, resample=Image.BICUBIC, fillcolor=255)
                    image = Image.blend(image, Image.effect_noise(image.size, 60).convert("L"), 0.15)
                image.save(scan, format="JPEG" if worn else "PNG", quality=60)
                pdf.image(scan, x=0, y=0, w=pdf.w, h=pdf.h)
            page.close()
    finally:
        source.close()
    if sideways:
        return _rotated(bytes(pdf.output()), {n: 90 for n in range(1, pdf.page_no() + 1)})
    if only is None:
        return bytes(pdf.output())
    return _pages_from(data, bytes(pdf.output()), only)


def with_blank_scan(data: bytes, at: int) -> bytes:
    """``data`` with a scanned blank sheet (a white A4 image, as the back of a page) inserted as page ``at``."""
    sheet, image = FPDF(unit="pt", format="A4"), io.BytesIO()
    sheet.add_page()
    Image.new("L", (1654, 2339), 255).save(image, format="PNG")  # A4 at 200 dpi
    sheet.image(image, x=0, y=0, w=sheet.w, h=sheet.h)
    merged, blank = pdfium.PdfDocument(data), pdfium.PdfDocument(bytes(sheet.output()))
    merged.import_pages(blank, index=at - 1)
    buffer = io.BytesIO()
    merged.save(buffer)
    merged.close()
    blank.close()
    return buffer.getvalue()


def _pages_from(text_pdf: bytes, scans: bytes, only: set[int]) -> bytes:
    """``text_pdf`` with the pages ``only`` names replaced by the same pages of ``scans``."""
    merged, images = pdfium.PdfDocument(text_pdf), pdfium.PdfDocument(scans)
    for number in sorted(only):
        merged.del_page(number - 1)
        merged.import_pages(images, pages=[number - 1], index=number - 1)
    buffer = io.BytesIO()
    merged.save(buffer)
    merged.close()
    images.close()
    return buffer.getvalue()


def undecodable_pdf(paragraphs: list[str]) -> bytes:
    """A PDF whose fonts keep no map from glyphs to characters, so only glyph ids can be read.

    The keys are renamed in place (same length), which keeps the file's byte offsets valid.
    """
    data = make_pdf(paragraphs, header="RAPPORT", footer="ANCOLS")
    return data.replace(b"/ToUnicode", b"/NoUnicode").replace(b"/FontFile2", b"/NoFontFil")


def truncated_pdf(data: bytes, keep: float = 0.6) -> bytes:
    """The first ``keep`` share of a PDF, as left by an interrupted download."""
    return data[: int(len(data) * keep)]


_MARKUP = re.compile(r"</?\w+[^>]*>|\*\*?|__")
_SUPERSCRIPT = re.compile(r"\^\{([^}]*)\}")  # 1^{er} → 1er
_BULLET = re.compile(r"^\s*(?:[-•►–]|\d+[.)])\s+")
_NUMBERED_HEADING = re.compile(r"\d{1,2}(?:\.\d{1,2})*\.?\s*[A-ZÀ-Ý][^.]{0,100}")


def corpus_paragraphs(path: str | Path, limit_chars: int, *, tables: bool = False) -> list[str | Table]:
    """Paragraphs of a corpus text, markdown removed, until ``limit_chars`` characters are taken.

    Blank lines separate paragraphs; inside one, each list item stays its own paragraph and
    other lines are joined. Markdown and numbered headings (2.2.1 Statuts) become ``Heading``s;
    images are dropped, and so are tables unless ``tables``: then each is a ``Table`` (titled "Tableau n",
    a "Source :" line under it, every other one ruled, every third one's first row in capitals), each
    "<sup>n</sup> …" line a ``Footnote`` and each "<sup>n</sup>" in a paragraph a raised call.
    """
    paragraphs: list[str | Table] = []
    total = 0
    for chunk in re.split(r"\n\s*\n", Path(path).read_text(encoding="utf-8")):
        if tables and chunk.lstrip().startswith("|"):
            table = _table(chunk, sum(isinstance(p, Table) for p in paragraphs) + 1)
            paragraphs += [table] if table.rows else []
            total += sum(len(cell) for row in table.rows for cell in row)
            continue
        if tables:
            chunk = _CALL.sub(r"[^\1]", chunk)
        lines = [_MARKUP.sub("", _SUPERSCRIPT.sub(r"\1", line)) for line in chunk.splitlines()]
        lines = [line.strip() for line in lines]
        lines = [line for line in lines if line and not line.startswith(("|", "!["))]
        if not lines or "\t" in chunk or set("".join(lines)) <= set("_-"):
            continue
        note = _CALL_MARK.match(lines[0])
        if lines[0].startswith("#"):
            items = [Heading(lines[0].lstrip("#").strip())]
        elif len(lines) == 1 and _NUMBERED_HEADING.fullmatch(lines[0]):
            items = [Heading(lines[0])]
        elif note:
            items = [Footnote(f"{note.group(1)} " + " ".join(" ".join(lines)[note.end():].split()))]
        elif any(_BULLET.match(line) for line in lines[1:]):
            items = lines
        else:
            items = [" ".join(" ".join(lines).split())]
        for item in items:
            paragraphs.append(item)
            total += len(item)
        if total >= limit_chars:
            break
    return paragraphs


def _table(chunk: str, number: int) -> Table:
    """A markdown table of the corpus as a ``Table``: separator rows and empty rows dropped, markup removed."""
    rows = []
    for line in chunk.strip().splitlines():
        cells = [" ".join(_MARKUP.sub("", cell.replace("<br>", " ")).split())
                 for cell in line.strip().strip("|").split("|")]
        if any(cells) and not all(re.fullmatch(r":?-+:?", cell) for cell in cells if cell):
            rows.append(tuple(cells))
    return Table(tuple(rows), title=f"Tableau {number}", source="Source : données de l'organisme",
                 ruled=number % 2 == 0, caps_header=number % 3 == 0)
