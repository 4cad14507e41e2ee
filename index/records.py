"""What the store interface returns: typed rows of documents and segments, the same for every backend.

Both backends keep a segment's labels as one JSON body next to the columns SQL filters on, and
select the same columns in the same order; the functions here turn those rows into records, so a
field means the same whichever store answers.
"""

from __future__ import annotations

import json
import threading
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from ancols_nlp.pipelines.reply_links import Passage
from ancols_nlp.pipelines.themes import kept_themes
from ancols_nlp.pipelines.types import Indicator, Segment, page_of

# Segment fields kept as JSON in ``body``; the columns are what SQL filters on.
BODY_FIELDS = ("text", "kind_scores", "themes", "theme_scores", "section_path", "page_start", "page_end", "responds_to",
               "link_confidence", "stance", "sentences")
# Selected by both backends, in this order: id, document_id, seq, start, "end", block, kind, body, then the
# report findings a reply's rebuttal answers as JSON [document id, seq, confidence] triples (each backend's own SQL).
SEGMENT_COLUMNS = 'id, document_id, seq, start, "end", block, kind, body'


@dataclass(frozen=True)
class SegmentRow:
    """A stored segment: where it is, what it is, and what it answers."""

    uid: int  # the store's id of the segment (search hits name it)
    document_id: str
    seq: int  # position in its document
    start: int
    end: int
    block: str
    kind: str
    text: str
    kind_scores: dict[str, float]
    themes: list[str]
    theme_scores: dict[str, float]
    section_path: list[str]
    page_start: int | None
    page_end: int | None
    responds_to: list[int]  # seqs of the findings of its own document it answers
    link_confidence: list[float | None]  # of each ``responds_to`` link (None: stored before links had one)
    stance: str | None
    linked_findings: list[tuple[str, int]]  # (document id, seq) of the report findings a reply answers
    linked_confidence: list[float]  # of each ``linked_findings`` link
    sentences: list[tuple[int, int]]  # document offsets of its sentences ([]: stored before they were kept)


@dataclass(frozen=True)
class DocumentRef:
    """What a search result or a citation shows of its document."""

    id: str
    filename: str
    meta: dict
    page_ends: array = field(default_factory=lambda: array("i"))  # each page's end offset, in text order
    page_numbers: array = field(default_factory=lambda: array("i"))

    def page_at(self, offset: int) -> int | None:
        """The number of the page holding character ``offset`` (a sentence result's own pages), by ``page_of`` as
        ``SourceText.page_finder`` gives a passage's; None for a document without pages."""
        return page_of(offset, self.page_ends, self.page_numbers)


@dataclass(frozen=True)
class DocumentRow:
    id: str
    filename: str
    media_type: str
    sha256: str
    size: int
    created_at: str
    meta: dict
    pages: list[dict]
    furniture: list[dict]
    sections: list[dict]
    text: str | None  # only when asked for
    segment_count: int


def segment_body(segment: Segment) -> dict:
    """The JSON body a store writes for ``segment``."""
    return {f: getattr(segment, f) for f in BODY_FIELDS}


def segment_row(row) -> SegmentRow:
    """A row of ``SEGMENT_COLUMNS`` and its linked-findings JSON."""
    body = json.loads(row[7])
    body.setdefault("link_confidence", [None] * len(body["responds_to"]))  # stored before links had a confidence
    body["sentences"] = [tuple(s) for s in body.get("sentences", ())]  # none in a store written before they were kept
    scores = body["theme_scores"]  # a store written before THEME_FLOOR listed three themes whatever their score
    body["themes"] = kept_themes(body["themes"], scores)
    body["theme_scores"] = {t: scores[t] for t in body["themes"] if t in scores}
    linked = json.loads(row[8])
    return SegmentRow(uid=row[0], document_id=row[1], seq=row[2], start=row[3], end=row[4], block=row[5], kind=row[6],
                      **{f: body[f] for f in BODY_FIELDS}, linked_findings=[(d, seq) for d, seq, _ in linked],
                      linked_confidence=[confidence for _, _, confidence in linked])


def document_row(row) -> DocumentRow:
    """A row of (id, filename, media_type, sha256, size, created_at as SQLite's strftime('%Y-%m-%dT%H:%M:%SZ'),
    meta, pages, furniture and sections JSON, text or NULL, segment count)."""
    return DocumentRow(id=row[0], filename=row[1], media_type=row[2], sha256=row[3], size=row[4], created_at=row[5],
                       meta=json.loads(row[6]), pages=json.loads(row[7]), furniture=json.loads(row[8]),
                       sections=json.loads(row[9]), text=row[10], segment_count=row[11])


def document_ref(row) -> DocumentRef:
    """A row of (id, filename, meta JSON, pages JSON); the pages kept as two arrays of ints (8 bytes a page)."""
    pages = json.loads(row[3])
    return DocumentRef(id=row[0], filename=row[1], meta=json.loads(row[2]),
                       page_ends=array("i", (p["end"] for p in pages)),
                       page_numbers=array("i", (p["number"] for p in pages)))


# Document heads kept in memory (a few hundred bytes each, and 8 a page): every document of a store up to this many.
HEADS_KEPT = 20_000


class KeptHeads:
    """What a search result or a citation shows of each document (``DocumentRef``), kept once read: a head never
    changes (an upload gets a new id), so a kept one stays right even when another process writes; a deleted
    document's is dropped (``forget``). Reading them cost each search a statement (PostgreSQL: and a pooled
    connection) and, in SQLite, a walk over the overflow pages of the document's text stored before the row (~1 ms
    a search at 1M segments)."""

    def __init__(self, lock: threading.RLock | None = None):
        """``lock``: held while reading and keeping heads, and while forgetting one (a store's writes hold it)."""
        self._heads: dict[str, DocumentRef] = {}
        self._lock = lock or threading.RLock()

    def get(self, doc_ids: Iterable[str], read: Callable[[list[str]], list]) -> dict[str, DocumentRef]:
        """The heads of ``doc_ids`` that exist; ``read`` gives the (id, filename, meta, pages) rows of those not
        kept."""
        kept = {i: self._heads.get(i) for i in doc_ids}
        heads = {i: head for i, head in kept.items() if head is not None}
        missing = [i for i, head in kept.items() if head is None]
        if missing:
            with self._lock:
                for row in read(missing):
                    heads[row[0]] = self._heads[row[0]] = document_ref(row)
                while len(self._heads) > HEADS_KEPT:
                    del self._heads[next(iter(self._heads))]
        return heads

    def forget(self, doc_id: str) -> None:
        with self._lock:
            self._heads.pop(doc_id, None)


def indicator_row(body: str) -> Indicator:
    """An indicator row stored as its JSON ``body``."""
    return Indicator(**json.loads(body))


def stored_passage(uid: int, kind: str, body: str, vector: np.ndarray) -> Passage:
    """A stored segment (its JSON ``body`` as ``segment_body`` wrote it) as reply linking sees it."""
    fields = json.loads(body)
    return Passage(uid, kind, fields["text"], tuple(fields["section_path"]), vector)
