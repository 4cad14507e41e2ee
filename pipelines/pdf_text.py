"""PDF bytes → SourceText: each page's running prose, with the page furniture set aside.

Report PDFs repeat a header, a footer and a page number on every page, split words at line
ends and mark paragraphs with vertical space rather than characters. The rest of the
pipeline wants prose, so all of that is undone here; the furniture is kept as metadata.

Rules, in the order they apply:

* Turned pages — each line is read on its page turned so that it stands upright, whatever
  the page's /Rotate (a page turned on screen, a landscape annex printed sideways): its
  characters' angle, to the nearest quarter turn, says which turn. A page's lines come turn
  after turn, starting from the turn it is shown at, and a change of turn ends a paragraph,
  so text printed sideways is neither interleaved with the upright text nor glued to it.
* Furniture — a line in the top or bottom tenth of its upright page is a running header or
  footer when, digits masked, it stands at the same distance from that edge on enough pages
  (all of a 2–3 page document, at least 3 pages and 40 % of a longer one; spaces and the kind
  of dash aside, which OCR reads loosely), so a body line printed twice is kept; the distance,
  not the height, so that landscape pages count. A page number there ("12", "- 12 -",
  "Page 12 / 40", "12/40") need only recur at the same place on two pages, counting with them
  (its number less the page's the same on both: a cover left unnumbered is fine), or stand on the
  single page of a one-page document; a line of figures only is a header when it repeats unchanged,
  so a table's figure opening pages stays in the table. Pages holding no line (blank, or a scan
  left unread) are not counted: they can repeat nothing.
* Line breaks — a vertical gap clearly above the document's usual gap between lines ends a
  paragraph ("\\n\\n"). Without one, a line starting a block (numbered heading, list item)
  or following a short line (measured against the lines of pages as wide) and starting with
  a capital starts a new line ("\\n"); any other line continues its paragraph after a space.
  Pages are joined by a blank line, unless a page's full last line leaves its sentence open and the next page's
  first line starts no block: that line then continues the paragraph as on a page.
* Hyphens — a hyphen ending a line between two lower-case letters splits a word and is
  dropped (loge-|ments → logements), unless the halves make a compound: the part before is a
  usual compound head (non-, sous-, peut-…), the part after a usual tail (-ci, -là, -même),
  a half already holds a hyphen (c'est-à-|dire), or the document prints the hyphenated word
  whole elsewhere (procès-verbaux). Other line-end hyphens are real (Saint-|Étienne,
  2018-|2022) and kept. Halves are joined without a space; a soft hyphen always marks a split.
* Tables and notes — a line split by wide gaps into cells that stand in columns with a neighbour's is a table row,
  written on a line of its own with its cells joined by " | "; a row drawn cell after cell (its cells wrapped) is
  put back as one line; the numbered lines in small type at the foot of a page are notes, each on a paragraph of
  its own, its number in superscript ("¹ Source INSEE 2011"), as the text path writes them (``pdf_blocks``).
"""

from __future__ import annotations

import ctypes
import itertools
import math
import re
import statistics
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from ancols_nlp.pipelines import patterns as P
from ancols_nlp.pipelines.errors import (
    EmptyDocument,
    EncryptedPdf,
    NoTextLayer,
    TooManyPages,
    UndecodableText,
    UnreadablePdf,
)
from ancols_nlp.pipelines.ocr import Ocr, read_page
from ancols_nlp.pipelines.pdf_blocks import (
    CELL_GAP,
    Cell,
    continued,
    labelled,
    foot_notes,
    interleaved,
    note_text,
    row_cells,
    table_rows,
)
from ancols_nlp.pipelines.types import Furniture, PageSpan, SourceText, UnreadReason
from ancols_nlp.pipelines.unread import WHY

# French compounds commonly cut at their hyphen: with these as the part before or after a
# line-end hyphen, it is kept (non-|conforme, sous-|location, peut-|être, ceux-|ci).
COMPOUND_HEADS = frozenset(
    {"ci", "non", "sous", "peut", "demi", "socio", "avant", "après", "arrière", "vice"}
)
COMPOUND_TAILS = frozenset({"ci", "là", "même", "mêmes"})

BAND = 0.1  # share of the page height, top and bottom, where headers and footers sit
SAME_HEIGHT = 4.0  # pt: a running header is printed at the same height on every page
# A note call is a digit in smaller type (below this share of the text's) standing higher (its lower edge this share
# of the text's type above the text's): printed as a superscript.
CALL_SIZE, CALL_RISE = 0.8, 0.2

_PLAIN = str.maketrans(
    {"\u00a0": " ", "\u202f": " ", "\u2007": " ", "\t": " ", "\u2010": "-", "\u2011": "-",
     "\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl", "\ufb05": "st", "\ufb06": "st"}
)
_DASHES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2212": "-"})
# PDFium's text of a page: lines end with CR LF, and a hyphen it takes for a word split at a
# line end is given as U+FFFE with no line break after it.
_PDFIUM_LINE = re.compile("[^\r\n\ufffe]+\ufffe?|\ufffe")
_PAGE_NUMBER = re.compile(
    r"(?:page|p\.)?\s*[-–—]?\s*\d{1,4}\s*[-–—]?(?:\s*(?:/|sur|of)\s*\d{1,4})?", re.IGNORECASE
)
_BLOCK_START = re.compile(
    r"""[-–—*]\s                                   # dash or star bullet
      | [•►▪●◦■□➢➤→✓]                             # symbol bullet
      | \d{1,2}(?:\.\d{1,2})+\.?\s*[A-ZÀ-ÖØ-Þ]    # 3.2.1 Loyers
      | \d{1,2}[.)]\s*[A-ZÀ-ÖØ-Þ]                 # 1. PREAMBULE, 2) Les…
      | [a-z]\)\s | [IVX]{1,4}\.\s                # a) …, II. …
    """,
    re.VERBOSE,
)
_LINE_END_HYPHEN = re.compile(r"(\S*\w)-$")
_FIRST_WORD = re.compile(r"[\w-]+")


@dataclass(frozen=True)
class _Line:
    """A line's text and box, measured on its page turned ``turn`` quarters clockwise, which is then
    ``width`` by ``height`` (pt, from the top left): the turn in which the line reads upright."""

    text: str
    top: float
    bottom: float
    x0: float
    x1: float
    turn: int
    width: float
    height: float
    size: float = 0.0  # pt: its largest type
    cells: tuple[Cell, ...] = ()  # its cells when a wide gap splits it (pdf_blocks), else none


@dataclass(frozen=True)
class _Norms:
    """What is ordinary in this document, to tell a paragraph break from a line break."""

    paragraph_gap: float  # a larger gap between two lines ends a paragraph
    short_line: dict[float, float]  # page width -> a line ending left of this x stops short of the right margin
    compounds: frozenset[str]  # hyphenated words printed whole somewhere: "procès-verbaux"
    body_size: float  # pt: the type size of most characters of lines not split into cells
    line_gap: float  # pt: the usual gap between two lines of a paragraph


def extract_pdf(data: bytes, *, max_pages: int, ocr: Ocr | None = None,
                on_ocr: Callable[[int, int], None] | None = None) -> SourceText:
    """The body text of a PDF, pages joined by blank lines (or as lines of one paragraph, ``_runs_on``), furniture
    kept aside.

    A page with images and no text is read by OCR when ``ocr`` is usable, ``on_ocr(done, pages)`` told before
    each such page; one left without text (OCR off or missing, or reading nothing) keeps its empty span marked
    ``unread``, so that a document missing pages says so. Raises a ``DocumentError`` for anything that is not a
    readable PDF with a text layer or such pages.
    """
    if not data or data.isspace():
        raise EmptyDocument()
    if b"%PDF-" not in data[:1024]:
        raise UnreadablePdf("The file is not a PDF.")
    try:
        pages, has_images, scanned, unread = _read(data, max_pages, ocr, on_ocr)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
            raise EncryptedPdf() from exc
        raise UnreadablePdf() from exc

    bodies, furniture = _split_furniture(pages)
    bodies = [_in_reading_order(body) for body in bodies]
    if not any(bodies):
        if scanned:
            raise NoTextLayer("The PDF has no text layer, and OCR read no text on its scanned pages.")
        if "ocr_unavailable" in unread.values():  # OCR on: the class's message would say it is off
            raise NoTextLayer.unread(WHY["ocr_unavailable"])
        raise NoTextLayer() if has_images else EmptyDocument()
    norms = _norms(bodies)
    text, starts = "", []
    last: _Line | None = None  # the previous page's last line, when prose
    for body in bodies:
        page = _page_text(body, norms)
        if page.text and text and _runs_on(last, page.first, norms):
            text = _continue(text, page.text, norms.compounds)
            starts.append(len(text) - len(page.text))
            last = page.last
            continue
        if page.text and text:
            text += "\n\n"  # the blank line between two pages belongs to the first one with text…
            for k in reversed(range(len(starts))):  # …so that a page without text (an unread scan) spans nothing
                if starts[k] != len(text) - 2:
                    break
                starts[k] = len(text)
        starts.append(len(text))
        text += page.text
        last = page.last
    ends = starts[1:] + [len(text)]
    spans = [PageSpan(n, start, end, ocr=n - 1 in scanned, unread=unread.get(n - 1))
             for n, (start, end) in enumerate(zip(starts, ends), start=1)]
    return SourceText(text=text, media_type="application/pdf", pages=spans, furniture=furniture)


def _read(data: bytes, max_pages: int, ocr: Ocr | None,
          on_ocr: Callable[[int, int], None] | None
          ) -> tuple[list[list[_Line]], bool, set[int], dict[int, UnreadReason]]:
    """Lines of every page (top to bottom, turn after turn), whether any page holds an image, the pages
    (0-based) read by OCR, and the scanned pages left without text with the reason.

    PDFium reads the text layer in C, some 15 times faster than pdfminer's character objects
    (bench/ingest.py); it also drops the second copy of fake-bold characters. A line's box
    is measured as pdfminer measured it, so the layout thresholds keep their meaning: the
    loose character boxes (font ascent to descent) for the sides and the bottom, and a
    character's height taken as its font size for the top."""
    pdf = pdfium.PdfDocument(data)
    try:
        if len(pdf) > max_pages:
            raise TooManyPages(len(pdf), max_pages)
        if not len(pdf):
            raise EmptyDocument("The PDF has no pages.")
        pages, has_images, scanned, chars, unmapped = [], False, [], 0, 0
        for index in range(len(pdf)):
            page = pdf[index]
            lines, counts = _page_lines(page)
            chars, unmapped = chars + counts[0], unmapped + counts[1]
            # Looking for an image walks the page's objects in Python: a page of text is looked at only until
            # one is found, a page without text (a scan?) always.
            if (not counts[0] or not has_images) and _has_image(page):
                has_images = True
                if not counts[0]:
                    scanned.append(index)
            pages.append(lines)
            page.close()  # reports can run to hundreds of pages
        if unmapped > chars / 2:
            raise UndecodableText(
                "The PDF's fonts do not say which characters they draw, so its text cannot be read; "
                "export the report to PDF again, or run OCR on it."
            )
        unusable = ocr.unusable() if ocr else "ocr_off"
        unread: dict[int, UnreadReason] = dict.fromkeys(scanned, unusable) if scanned and unusable else {}
        if unread:
            scanned = []
        for done, index in enumerate(scanned):
            if on_ocr:
                on_ocr(done, len(scanned))
            pages[index] = _ocr_lines(pdf[index], ocr)
            if not pages[index]:
                unread[index] = "ocr_empty"
    finally:
        pdf.close()
    return pages, has_images, set(scanned), unread


def _has_image(page: pdfium.PdfPage) -> bool:
    return any(True for _ in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,)))


def _ocr_lines(page: pdfium.PdfPage, ocr: Ocr) -> list[_Line]:
    """A scanned page's lines, read by OCR on the page as it is shown (its /Rotate applied)."""
    width, height, turn = float(page.get_width()), float(page.get_height()), page.get_rotation() // 90
    lines = [
        _Line(text, line.top, line.bottom, line.x0, line.x1, turn, width, height)
        for line in read_page(page, ocr) if (text := _clean(line.text))
    ]
    page.close()
    return lines


def _page_lines(page: pdfium.PdfPage) -> tuple[list[_Line], tuple[int, int]]:
    """The page's lines, and how many printed characters it holds and how many lack a Unicode value.

    PDFium orders a page's text as the page is shown, and reads the lines of a page shown turned
    in a jumbled order; so the page is turned for each turn its lines need before it is read, then
    turned back as it is shown (a scanned page is read by OCR as shown)."""
    shown = page.get_rotation() // 90
    if shown:
        page.set_rotation(0)
    lines, turns, counts = _turned_lines(page, 0)
    for turn in sorted(turns - {0}):
        page.set_rotation(turn * 90)
        lines += _turned_lines(page, turn)[0]
    if turns != {0}:
        lines.sort(key=lambda line: (line.turn - shown) % 4)  # stable: each turn's lines keep their order
    if shown or turns != {0}:
        page.set_rotation(shown * 90)
    return lines, counts


def _turned_lines(page: pdfium.PdfPage, turn: int) -> tuple[list[_Line], set[int], tuple[int, int]]:
    """The lines that read upright on the page turned ``turn`` quarters clockwise, the turns the page's
    characters need, and how many printed characters it holds and how many lack a Unicode value.

    Text turned on a page comes in lines and runs of its own: when every line of an upright page starts
    and ends upright, all its characters are taken as upright, which spares asking each one its angle
    (a fifth of the reading time)."""
    textpage = page.get_textpage()
    handle, text = textpage.raw, textpage.get_text_range()
    width, height = float(page.get_width()), float(page.get_height())
    matches = list(_PDFIUM_LINE.finditer(text))
    ends = {_turn(pdfium_c.FPDFText_GetCharAngle(handle, i)) for m in matches for i in (m.start(), m.end() - 1)}
    each = turn != 0 or any(ends)  # ask each character its angle
    box = pdfium_c.FS_RECTF()
    lines, turns, chars, unmapped = [], {0} | ends, 0, 0
    angle, needs = 0.0, 0  # the turn of a run of characters at one angle is worked out once
    for match in matches:
        x0 = top = math.inf
        x1 = bottom = -math.inf
        elsewhere = set()  # printed characters of this line that read upright in another turn
        biggest, before = 0.0, math.inf  # the line's largest type; the right edge of its last printed character
        cuts = []  # where a cell starts after a wide gap (pdf_blocks): (index in the line, its left, the gap's left)
        raised, size_before, low_before = [], 0.0, 0.0  # note calls; type and lower edge of the text they follow
        for i in range(match.start(), match.end()):
            if text[i].isspace():
                continue
            chars += 1
            unmapped += pdfium_c.FPDFText_HasUnicodeMapError(handle, i) == 1
            if each:
                if (char_angle := pdfium_c.FPDFText_GetCharAngle(handle, i)) != angle:
                    angle, needs = char_angle, _turn(char_angle)
                    turns.add(needs)
                if needs != turn:
                    elsewhere.add(i)
                    continue
            pdfium_c.FPDFText_GetLooseCharBox(handle, i, ctypes.byref(box))
            if turn:
                left, right, low = _turned(box, turn, width, height)
            else:  # the page as it is printed, its y measured downwards
                left, right, low = box.left, box.right, height - box.bottom
            size = pdfium_c.FPDFText_GetFontSize(handle, i)
            x0, x1, bottom = min(x0, left), max(x1, right), max(bottom, low)
            top = min(top, low - size)
            if left - before > CELL_GAP * size:
                cuts.append((i - match.start(), left, before))
            before = right
            if size < CALL_SIZE * size_before and low < low_before - CALL_RISE * size_before and text[i].isdigit():
                raised.append(i)
            else:
                size_before, low_before = size, low
            if size > biggest:
                biggest = size
        shown = _with_calls(match.group(), [i - match.start() for i in raised]) if raised else match.group()
        printed = "".join(shown[i - match.start()] for i in range(*match.span()) if i not in elsewhere) \
            if elsewhere else shown
        if x1 > x0 and (line := _clean(printed.replace("\ufffe", "-"))):
            lines.append(_Line(line, top, bottom, x0, x1, turn, width, height, biggest,
                               () if elsewhere else _cells(shown, cuts, x0, x1)))
    textpage.close()
    return lines, turns, (chars, unmapped)


def _with_calls(text: str, raised: list[int]) -> str:
    """``text`` with the digits at ``raised`` in superscript, as the text path writes a note call ("vacants²")."""
    chars = list(text)
    for i in raised:
        chars[i] = chars[i].translate(P.SUPERSCRIPT)
    return "".join(chars)


def _cells(text: str, cuts: list[tuple[int, float, float]], x0: float, x1: float) -> tuple[Cell, ...]:
    """The cells of a line from ``x0`` to ``x1`` cut at ``cuts`` (where a wide gap ends); none when it is one."""
    if not cuts:
        return ()
    starts = [(0, x0)] + [(at, left) for at, left, _ in cuts]
    ends = [(at, gap) for at, _, gap in cuts] + [(len(text), x1)]
    return tuple(Cell(_clean(text[a:b].replace("\ufffe", "-")), left, right)
                 for (a, left), (b, right) in zip(starts, ends))


def _turn(angle: float) -> int:
    """Quarter turns clockwise that make a character at ``angle`` (PDFium's radians) stand upright."""
    return 0 if angle < 0 else -round(angle / (math.pi / 2)) % 4


def _turned(box: pdfium_c.FS_RECTF, turn: int, width: float, height: float) -> tuple[float, float, float]:
    """Left, right and lower edge of a character's box on the page turned 1 to 3 quarters (then ``width``
    by ``height``), from the top left; the box is given in the unturned page's coordinates (from the
    bottom left)."""
    if turn == 1:
        return box.bottom, box.top, box.right
    if turn == 2:
        return width - box.right, width - box.left, box.top
    return width - box.top, width - box.bottom, height - box.left


def _clean(text: str) -> str:
    """NFC, plain spaces (collapsed) and hyphens, ligatures expanded (ﬁ → fi)."""
    return unicodedata.normalize("NFC", " ".join(text.translate(_PLAIN).split()))


def _in_reading_order(lines: list[_Line]) -> list[_Line]:
    """The page's lines, each table row drawn cell after cell (``pdf_blocks.interleaved``), then each drawn line by
    line (``pdf_blocks.continued``), then each whose label wraps above its other cells (``pdf_blocks.labelled``),
    made one line."""
    return _rows_joined(_rows_joined(_rows_joined(lines, interleaved), continued), labelled)


def _rows_joined(lines: list[_Line], runs: Callable[[list[_Line]], list[tuple[int, int]]]) -> list[_Line]:
    """``lines`` with each of their ``runs`` (a table row's lines) made one line, its cells read by ``row_cells``."""
    out, done = [], 0
    for start, end in runs(lines):
        pieces = lines[start:end]
        cells = row_cells(pieces)
        out += lines[done:start]
        out.append(_Line(" ".join(c.text for c in cells), min(p.top for p in pieces), max(p.bottom for p in pieces),
                         min(p.x0 for p in pieces), max(p.x1 for p in pieces), pieces[0].turn, pieces[0].width,
                         pieces[0].height, max(p.size for p in pieces), cells if len(cells) > 1 else ()))
        done = end
    return out + lines[done:] if done else lines


def _split_furniture(pages: list[list[_Line]]) -> tuple[list[list[_Line]], list[Furniture]]:
    """Body lines of each page, and the headers, footers and page numbers taken out of them."""

    def band(line: _Line) -> str | None:
        if line.bottom <= line.height * BAND:
            return "header"
        if line.top >= line.height * (1 - BAND):
            return "footer"
        return None

    def key(line: _Line, side: str) -> tuple[str, str]:
        """Digits masked; dashes and spaces, which OCR reads loosely ("Page 2/4", "ANCOLS - Rapport"), ignored."""
        return side, re.sub(r"\d+", "#", "".join(line.text.casefold().translate(_DASHES).split()))

    def place(line: _Line, side: str) -> float:
        """How far the line's top stands from the edge of its band, so a footer of a landscape page counts."""
        return line.top if side == "header" else line.height - line.top

    places: dict[tuple[str, str], list[tuple[int, float]]] = defaultdict(list)
    for number, lines in enumerate(pages, start=1):
        for line in lines:
            if side := band(line):
                places[key(line, side)].append((number, place(line, side)))
    usual = {k: statistics.median(at for _, at in found) for k, found in places.items()}
    repeats = {
        k: len({page for page, at in found if abs(at - usual[k]) <= SAME_HEIGHT})
        for k, found in places.items()
    }
    printed = sum(1 for lines in pages if lines)  # a blank page or an unread scan repeats no header
    needed = max(2, min(printed, 3), math.ceil(0.4 * printed))

    def in_place(line: _Line) -> tuple[str, str] | None:
        """The line's key when it stands in a band where its kind of line usually stands on its pages."""
        side = band(line)
        k = key(line, side) if side else None
        return k if k is not None and abs(place(line, side) - usual[k]) <= SAME_HEIGHT else None

    def shift(line: _Line, number: int) -> int:
        """How far the number printed on the line is from the page's: the same on every page of a numbering."""
        return int(re.search(r"\d+", line.text).group()) - number

    # The pages where a numbering holds; and, for a line of figures, those where it stands unchanged (a year printed
    # on every page, a header), unlike figures that neither count with the pages nor repeat (a table's opening pages).
    placed = [[(line, in_place(line)) for line in lines] for lines in pages]  # each line's key, read once
    counting: dict[tuple[tuple[str, str], int], set[int]] = defaultdict(set)
    verbatim: dict[tuple[tuple[str, str], str], set[int]] = defaultdict(set)
    for number, lines in enumerate(placed, start=1):
        for line, k in lines:
            if k and _PAGE_NUMBER.fullmatch(line.text):
                counting[k, shift(line, number)].add(number)
            if k and not any(c.isalpha() for c in line.text):
                verbatim[k, line.text].add(number)

    bodies: list[list[_Line]] = []
    furniture: list[Furniture] = []
    for number, lines in enumerate(placed, start=1):
        body = []
        for line, k in lines:
            if k and _PAGE_NUMBER.fullmatch(line.text) and (printed == 1 or len(counting[k, shift(line, number)]) >= 2):
                furniture.append(Furniture(number, "page_number", line.text))
            elif k and (len(verbatim[k, line.text]) if (k, line.text) in verbatim else repeats[k]) >= needed:
                furniture.append(Furniture(number, k[0], line.text))  # the key's band
            else:
                body.append(line)
        bodies.append(body)
    return bodies, furniture


def _norms(bodies: list[list[_Line]]) -> _Norms:
    """Measured on the whole document: one page holds too few lines to know what is usual.

    The gap under a line that runs to the right margin is a line break inside a paragraph,
    so those gaps give the ordinary spacing, whether text is single- or double-spaced and
    even when most paragraphs are one line long.
    """
    lines = [line for body in bodies for line in body]
    widths = {line.width for line in lines}  # a landscape page's lines run further right
    short_line = {width: _short_line([line for line in lines if line.width == width]) for width in widths}
    pairs = [
        (a, b) for body in bodies for a, b in zip(body, body[1:]) if b.top > a.bottom - 1 and a.turn == b.turn
    ]
    inside = [b.top - a.bottom for a, b in pairs if a.x1 >= short_line[a.width]]
    every = sorted(b.top - a.bottom for a, b in pairs)
    usual_gap = statistics.median(inside) if inside else every[len(every) // 4] if every else 0.0
    height = statistics.median(line.bottom - line.top for line in lines)
    compounds = frozenset(
        word.casefold() for line in lines for word in re.findall(r"[^\W\d_]+-[^\W\d_]+", line.text)
    )
    sizes = sorted((line.size, len(line.text)) for line in lines if not line.cells) or [(0.0, 1)]
    half = sum(n for _, n in sizes) / 2
    size = next(s for (s, _), at in zip(sizes, itertools.accumulate(n for _, n in sizes)) if at >= half)
    return _Norms(max(usual_gap, 0.0) + 0.4 * height, short_line, compounds, size, max(usual_gap, 0.0))


def _short_line(lines: list[_Line]) -> float:
    """The x left of which a line stops short of the right margin, on pages as wide as these lines'."""
    lefts, rights = sorted(line.x0 for line in lines), sorted(line.x1 for line in lines)
    left, right = lefts[len(lefts) // 20], rights[len(rights) * 19 // 20]
    return right - 0.15 * (right - left)


@dataclass(frozen=True)
class _Page:
    text: str
    first: _Line | None  # the page's first line, when it is prose (no table row, no note)
    last: _Line | None  # its last line, when prose


def _runs_on(last: _Line | None, first: _Line | None, norms: _Norms) -> bool:
    """Whether a page's first line carries on the sentence the previous page's last line left open: that line runs to
    the right margin and ends no sentence, and the next one starts no block. It is then joined as a line of its
    paragraph (``_continue``), not after the pages' blank line, which cut the sentence ("une grande\n\nproportion")
    in the text, its passage and the sentence splitter's reading."""
    return (last is not None and first is not None and last.turn == first.turn
            and last.x1 >= norms.short_line[last.width] and not P.TERMINAL.search(last.text)
            and not _BLOCK_START.match(first.text))


def _page_text(lines: list[_Line], norms: _Norms) -> _Page:
    """The page's lines as text: paragraphs, each table row on a line of its own (cells joined by " | "), each
    foot note on a paragraph of its own, its number in superscript (pdf_blocks)."""
    if not lines:
        return _Page("", None, None)
    rows = table_rows(lines)
    notes = foot_notes(lines, rows, norms.body_size, norms.line_gap)
    text = ""
    for k, line in enumerate(lines):
        printed = " | ".join(cell.text for cell in line.cells) if k in rows else line.text
        if notes.get(k):
            printed = note_text(printed, notes[k])
        previous = lines[k - 1] if k else None
        if previous is None:
            text = printed
        elif (line.top - previous.bottom > norms.paragraph_gap or line.turn != previous.turn
              or (notes.get(k) and k - 1 not in notes)):
            text += "\n\n" + printed
        elif k in rows or k - 1 in rows or notes.get(k) or (k not in notes and _starts_block(previous, line, norms)):
            text += "\n" + printed
        else:
            text = _continue(text, printed, norms.compounds)
    prose = [k not in rows and not notes.get(k) for k in (0, len(lines) - 1)]
    return _Page(unicodedata.normalize("NFC", text.replace("\u00ad", "")), lines[0] if prose[0] else None,
                 lines[-1] if prose[1] else None)


def _starts_block(previous: _Line, line: _Line, norms: _Norms) -> bool:
    """A heading or list item, or a capital after a line that stopped short of the margin.

    A line ending in a hyphen is unfinished however short it is (…à Saint-|Étienne).
    """
    if _BLOCK_START.match(line.text):
        return True
    return (
        previous.x1 < norms.short_line[previous.width]
        and line.text[0].isupper()
        and not _LINE_END_HYPHEN.search(previous.text)
    )


def _continue(text: str, line: str, compounds: frozenset[str]) -> str:
    """``text`` followed by the next line of its paragraph, mending a word split at the line end.

    The rule and its exceptions are spelled out in the module docstring.
    """
    if text.endswith("\u00ad"):
        return text[:-1] + line
    # Lines carry no outer whitespace, so a hyphen at the end lies in the last word: searching only it keeps a
    # page of thousands of tiny text objects linear (the whole paragraph each time: 15 s for 20,000 of them).
    split = _LINE_END_HYPHEN.search(text.rsplit(None, 1)[-1])
    if not split:
        return f"{text} {line}"
    before = split.group(1)  # what the hyphen ends: "loge", "Saint", "(non", "c'est-à"
    after = _FIRST_WORD.match(line)
    after = after.group() if after else ""
    head = re.search(r"[^\W\d_]*$", before).group().casefold()
    tail = after.casefold()
    is_word_split = (
        before[-1].islower()
        and line[0].islower()
        and "-" not in before + after
        and head not in COMPOUND_HEADS
        and tail not in COMPOUND_TAILS
        and f"{head}-{tail}" not in compounds
    )
    return text[:-1] + line if is_word_split else text + line
