"""Request and response models of the HTTP API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

KindName = Literal["observation", "recommendation", "rebuttal", "other"]


class ErrorBody(BaseModel):
    code: str
    message: str
    detail: object | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


class DocumentMetaOut(BaseModel):
    doc_type: Literal["report", "reply"]
    title: str | None = None
    report_number: str | None = None
    organism: str | None = None
    year: int | None = None


class PageOut(BaseModel):
    number: int
    start: int
    end: int


class FurnitureOut(BaseModel):
    page: int
    kind: str
    text: str


class SectionOut(BaseModel):
    id: int
    title: str
    level: int
    start: int
    end: int
    parent: int | None = None


class DocumentOut(BaseModel):
    id: str
    filename: str
    media_type: str
    sha256: str
    size: int
    created_at: str
    segment_count: int
    meta: DocumentMetaOut


class DocumentDetail(DocumentOut):
    pages: list[PageOut]
    furniture: list[FurnitureOut]
    sections: list[SectionOut]


class DocumentList(BaseModel):
    documents: list[DocumentOut]
    total: int
    limit: int
    offset: int


class DocumentCreated(BaseModel):
    id: str
    filename: str
    segment_count: int
    duplicate: bool = Field(description="True when the same bytes were already stored: the first id is returned.")


class DocumentText(BaseModel):
    id: str
    media_type: str
    text: str
    pages: list[PageOut]


class SegmentOut(BaseModel):
    id: str = Field(description='"<document_id>:<position>"')
    document_id: str
    position: int
    start: int
    end: int
    page: int | None = None
    page_end: int | None = None
    block: str
    kind: KindName
    kind_scores: dict[str, float]
    themes: list[str]
    theme_scores: dict[str, float]
    section_path: list[str]
    text: str
    responds_to: list[str]
    stance: str | None = None


class SegmentList(BaseModel):
    segments: list[SegmentOut]
    total: int
    limit: int
    offset: int


class ScoreBreakdown(BaseModel):
    lexical: float | None = None
    dense: float | None = None
    fused: float


class SearchResult(SegmentOut):
    score: float
    scores: ScoreBreakdown
    organism: str | None = None
    report_number: str | None = None
    doc_type: str | None = None
    highlights: list[tuple[int, int]] = Field(description="Spans of matched words, as document offsets.")


class SearchResponse(BaseModel):
    query: str
    mode: str
    results: list[SearchResult]
    facets: dict[str, dict[str, int]]
    total_candidates: int


class ClassifyRequest(BaseModel):
    text: str = Field(min_length=1, max_length=20_000, examples=["La société doit réduire sa vacance commerciale."])
    doc_type: Literal["report", "reply"] = "report"
    section_path: list[str] = Field(default_factory=list, max_length=10)


class ThemeScore(BaseModel):
    theme: str
    score: float


class ClassifyResponse(BaseModel):
    kind: KindName
    scores: dict[str, float]
    themes: list[ThemeScore]


class Health(BaseModel):
    status: Literal["ok"]
    documents: int
    segments: int
    embedding_model: str
    vector_index: str
