"""The data that flows through the pipeline: bytes → SourceText → Blocks → Sections → Segments.

Every span is a pair of character offsets into ``SourceText.text``; for a ``.txt``/``.md``
upload that text is the uploaded bytes decoded unchanged, so a client can highlight a
passage in its own copy of the file.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Literal, get_args

Kind = Literal["observation", "recommendation", "rebuttal", "other"]
KINDS: tuple[Kind, ...] = get_args(Kind)

Theme = Literal[
    "gouvernance", "commande_publique", "patrimoine", "vacance", "loyers_charges",
    "occupation_sociale", "attributions", "impayes", "qualite_service", "developpement",
    "ventes", "comptabilite", "finances",
]
THEMES: tuple[Theme, ...] = get_args(Theme)

DocType = Literal["report", "reply"]
BlockKind = Literal["heading", "paragraph", "list_item", "table_row", "footnote", "rule"]
FurnitureKind = Literal["header", "footer", "page_number"]
# Why a scanned page's text is missing: OCR turned off, Tesseract not installed, or OCR read nothing on it. Each
# calls for its own remedy (turn ANCOLS_OCR on, install Tesseract, look at the scan), so a flag would not do.
UnreadReason = Literal["ocr_off", "ocr_unavailable", "ocr_empty"]


@dataclass(frozen=True)
class PageSpan:
    """Where page ``number`` (1-based) lies in the document text; ``ocr`` when the text was read from a scan;
    ``unread`` why a scanned page has no text (its span is then empty), None for every page that was read."""

    number: int
    start: int
    end: int
    ocr: bool = False
    unread: UnreadReason | None = None


def page_of(offset: int, ends: Sequence[int], numbers: Sequence[int]) -> int | None:
    """Number of the page holding character ``offset``, from each page's end offset (in text order) and number: the
    first page ending past it, the last page for an offset at or past the text's end; None for a text without pages.
    ``SourceText.page_finder`` (a passage's pages) and a stored document's head (a sentence result's) both ask here."""
    if not ends:
        return None
    return numbers[min(bisect_right(ends, offset), len(numbers) - 1)]


@dataclass(frozen=True)
class DocumentWarning:
    """Something the stored document lacks that its uploader must be told of, e.g. scanned pages left unread."""

    code: str
    message: str
    pages: tuple[int, ...] = ()


@dataclass(frozen=True)
class Furniture:
    """Running header, footer or page number removed from a PDF page's text, kept as metadata."""

    page: int
    kind: FurnitureKind
    text: str


@dataclass
class SourceText:
    """A document's text as the service knows it, with its page map (empty for plain text)."""

    text: str
    media_type: str
    pages: list[PageSpan] = field(default_factory=list)
    furniture: list[Furniture] = field(default_factory=list)

    def page_finder(self) -> Callable[[int], int | None]:
        """The page number holding a character offset (None for plain text): ``page_of`` on the page map as it is
        now, its lists built once for all of a document's segments (they were built again for each offset)."""
        return partial(page_of, ends=[page.end for page in self.pages], numbers=[page.number for page in self.pages])


@dataclass(frozen=True)
class Block:
    """A layout unit of the text: a heading, a paragraph, a list item, a table row…"""

    kind: BlockKind
    start: int
    end: int
    level: int = 0  # heading depth (1 = top); 0 for non-headings


@dataclass
class Section:
    """A node of the report outline, opened by a heading and closed by the next one of equal or higher rank."""

    id: int
    title: str
    level: int
    start: int
    end: int
    parent: int | None = None
    themes: list[str] = field(default_factory=list)  # best first, from the segments it holds
    theme_scores: dict[str, float] = field(default_factory=dict)  # each theme's share of its text


@dataclass
class DocumentMeta:
    """What the document is and whom it concerns, read from its first pages."""

    doc_type: DocType = "report"
    title: str | None = None
    report_number: str | None = None
    organism: str | None = None
    year: int | None = None
    legal_form: str | None = None  # "SA d'HLM", "ESH", "OPH", "SEM", "coopérative d'HLM"
    department_code: str | None = None  # INSEE: "44", "2A", "974"
    department: str | None = None
    date: str | None = None  # ISO: a report's month ("2017-11"), a letter's day ("2024-12-20")
    control_period: str | None = None  # the years under review: "2011-2015"


@dataclass(frozen=True)
class Indicator:
    """One row of a report's fiche récapitulative (``ancols_nlp.pipelines.indicators``); values as the report
    writes them ("0,9 %", "nc"), None when blank."""

    category: str | None
    name: str
    organism: str | None
    regional: str | None
    national: str | None
    unit: str | None
    year: int | None
    source: str | None  # the table's note for the row ("RPLS au 1/1/2015")


@dataclass
class Segment:
    """A citable passage: one sentence or a run of same-kind sentences inside one block."""

    id: int  # position in the document, 0-based
    start: int
    end: int
    text: str
    block: BlockKind
    kind: Kind = "other"
    kind_scores: dict[str, float] = field(default_factory=dict)
    themes: list[str] = field(default_factory=list)
    theme_scores: dict[str, float] = field(default_factory=dict)
    section_path: list[str] = field(default_factory=list)
    page_start: int | None = None
    page_end: int | None = None
    responds_to: list[int] = field(default_factory=list)  # findings this rebuttal answers (their ``id``), best first
    link_confidence: list[float] = field(default_factory=list)  # of each ``responds_to`` link, in (0, 1)
    stance: str | None = None
    # Document offsets of its sentences, in order: a search may return one of them and keep the passage as context.
    sentences: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class ProcessedDocument:
    """Everything the pipeline learned about one document, ready to be indexed."""

    source: SourceText
    meta: DocumentMeta
    sections: list[Section]
    segments: list[Segment]
    indicators: list[Indicator] = field(default_factory=list)


@dataclass(frozen=True)
class SentenceContext:
    """What a kind classifier may look at: the sentence and where it stands."""

    text: str
    block: str
    doc_type: str = "report"
    section_path: tuple[str, ...] = ()
    previous: str = ""
    next: str = ""
    start: int = 0  # offsets of the sentence and of its block in the document text
    end: int = 0
    block_start: int = 0
    block_end: int = 0


@dataclass(frozen=True)
class KindPrediction:
    """A sentence's kind, with a score per kind."""

    kind: Kind
    scores: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ThemeItem:
    """A passage to tag, in document order; ``sentences`` are its sentences' texts (default: the passage)."""

    text: str
    section_path: tuple[str, ...] = ()
    sentences: tuple[str, ...] = ()

    @property
    def parts(self) -> tuple[str, ...]:
        return self.sentences or (self.text,)
