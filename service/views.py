"""The store's records as the API's schemas: the one place where rows become responses."""

from __future__ import annotations

from dataclasses import asdict

from ancols_nlp.index.grain import Piece
from ancols_nlp.index.highlight import Highlighter
from ancols_nlp.index.interface import SearchOutcome, SegmentStore
from ancols_nlp.index.records import DocumentRef, DocumentRow, SegmentRow
from ancols_nlp.index.spelling import as_written
from ancols_nlp.pipelines.types import Indicator
from ancols_nlp.service.schemas import (DocumentDetail, DocumentOut, IndicatorOut, ScoreBreakdown, SearchResult,
                                       SegmentOut)


def segment_id(document_id: str, position: int) -> str:
    return f"{document_id}:{position}"


def page_label(page: int | None, page_end: int | None) -> str:
    """"p. 14", or "p. 14–15" for a passage running onto the next pages ("" when the page is unknown)."""
    if not page:
        return ""
    return f"p. {page}–{page_end}" if page_end and page_end != page else f"p. {page}"


def segment_out(row: SegmentRow) -> SegmentOut:
    return SegmentOut(**_segment_fields(row))


def _segment_fields(row: SegmentRow) -> dict:
    """A segment's fields in the API's names, validated once by the schema they end up in."""
    doc = row.document_id
    return dict(
        id=segment_id(doc, row.seq), document_id=doc, position=row.seq, start=row.start, end=row.end,
        page=row.page_start, page_end=row.page_end, block=row.block, kind=row.kind,
        kind_scores=row.kind_scores, themes=row.themes, theme_scores=row.theme_scores,
        section_path=row.section_path, text=row.text,
        responds_to=[segment_id(doc, p) for p in row.responds_to] + [segment_id(d, p) for d, p in row.linked_findings],
        link_confidence=row.link_confidence + row.linked_confidence, stance=row.stance,
    )


def search_results(store: SegmentStore, outcome: SearchOutcome, shown: list[Piece]) -> list[SearchResult]:
    """A search's results (``grain.search``) as ``GET /search`` and ``ancols search`` show them, best first."""
    heads = store.meta.document_heads({piece.row.document_id for piece in shown})
    highlight = Highlighter(outcome.expansion)
    return [search_result(piece, heads.get(piece.row.document_id), highlight(piece.text, piece.start))
            for piece in shown]


def corrections(outcome: SearchOutcome, results: list[SearchResult]) -> list[tuple[str, str]]:
    """The query's misspelt words and the spelling also searched, as the results' passages write it (a sentence
    result's passage, which holds more of the words than the sentence): ``/search`` and ``ancols search`` alike."""
    return as_written(outcome.expansion.corrected, (result.passage_text or result.text for result in results))


def search_result(piece: Piece, doc: DocumentRef | None, highlights: list[tuple[int, int]]) -> SearchResult:
    meta = doc.meta if doc else {}
    hit, row = piece.hit, piece.row
    span = dict(start=piece.start, end=piece.end, text=piece.text)
    if not piece.whole and doc and doc.page_ends:  # a sentence: its own pages, where its passage's run onto the next
        span |= dict(page=doc.page_at(piece.start), page_end=doc.page_at(piece.end - 1))
    fields = _segment_fields(row) | span
    return SearchResult(**fields, result_id=f"{fields['id']}@{piece.start}",
                        score=piece.score, scores=ScoreBreakdown(lexical=hit.lexical, dense=hit.dense, fused=hit.score),
                        organism=meta.get("organism"), report_number=meta.get("report_number"),
                        doc_type=meta.get("doc_type"), highlights=highlights, passage_start=row.start,
                        passage_end=row.end, passage_text=None if piece.whole else row.text)


def document_out(row: DocumentRow) -> DocumentOut:
    return DocumentOut(**_fields(row, DocumentOut))


def document_detail(row: DocumentRow) -> DocumentDetail:
    return DocumentDetail(**_fields(row, DocumentDetail))


def indicator_out(row: Indicator) -> IndicatorOut:
    return IndicatorOut(**asdict(row))


def _fields(row: DocumentRow, schema) -> dict:
    """The record's fields the schema shows (the text and the store's internals stay out)."""
    values = asdict(row)
    return {name: values[name] for name in schema.model_fields}
