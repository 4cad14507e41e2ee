"""Request and response models of the HTTP API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, field_validator

from ancols_nlp.pipelines.types import DocType, Theme, UnreadReason
from ancols_nlp.pipelines.types import Kind as KindName
from ancols_nlp.service.errors import EMPTY


class ErrorBody(BaseModel):
    code: str
    message: str
    detail: object | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


class DocumentMetaOut(BaseModel):
    doc_type: DocType
    title: str | None = None
    report_number: str | None = None
    organism: str | None = None
    year: int | None = None
    legal_form: str | None = Field(None, description="SA d'HLM, ESH, OPH, SEM or coopérative d'HLM.")
    department_code: str | None = Field(None, description='INSEE code of the département: "44", "2A", "974".')
    department: str | None = None
    date: str | None = Field(None, description='ISO date of the report (month, "2017-11") or of the letter (day).')
    control_period: str | None = Field(None, description='Years under review, "2011-2015".')


class PageOut(BaseModel):
    number: int
    start: int
    end: int
    ocr: bool = Field(False, description="The page is a scan: its text was read by OCR and may hold misreadings.")
    unread: UnreadReason | None = Field(
        None, description="Set when the page is a scan whose text is missing (its span is empty): OCR turned off "
        "(ocr_off), Tesseract not installed (ocr_unavailable), or OCR read nothing on it (ocr_empty).")


class DocumentWarningOut(BaseModel):
    code: str = Field(examples=["unread_scanned_pages", "near_duplicate"])
    message: str
    pages: list[int] = Field(default_factory=list, description="The pages concerned.")


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
    themes: list[str] = Field(default_factory=list, description="What the section's text is mostly about, best first.")
    theme_scores: dict[str, float] = Field(default_factory=dict,
                                           description="Each theme's share of the section's text.")


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
    filename: str = Field(description="The stored document's name: the first upload's when `duplicate`; the name "
                                      "sent, as its base name without control characters, at most 255 characters.")
    segment_count: int
    duplicate: bool = Field(description="True when the same bytes, or the same report from another file (warning "
                                        "`near_duplicate`), were already stored: the first id is returned.")
    warnings: list[DocumentWarningOut] = Field(
        default_factory=list, description="What the stored document lacks, e.g. scanned pages left unread.")


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
    responds_to: list[str] = Field(description='Findings this rebuttal answers ("<document_id>:<position>"): '
                                   'in its own report, or, for a reply letter, in the report it answers.')
    link_confidence: list[float | None] = Field(
        default_factory=list, description="How sure each responds_to link is, in the same order: the probability, "
        "measured on dev, that the finding is the one answered (null for a link stored before confidences existed).")
    stance: str | None = None


class IndicatorOut(BaseModel):
    """One row of the fiche récapitulative, values as the report writes them (None when blank)."""

    category: str | None = None
    name: str
    organism: str | None = Field(None, description='The organism\'s value, e.g. "0,9 %".')
    regional: str | None = Field(None, description="The regional reference.")
    national: str | None = Field(None, description="The national (France métropolitaine) reference.")
    unit: str | None = None
    year: int | None = None
    source: str | None = Field(None, description='The table\'s note for the row, e.g. "RPLS au 1/1/2015".')


class IndicatorList(BaseModel):
    document_id: str
    indicators: list[IndicatorOut]


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
    result_id: str = Field(description='"<id>@<start>": unique in a response, where `id` (its passage\'s) is not: '
                                       "with grain=sentence several sentences of one passage may be results.")
    score: float
    scores: ScoreBreakdown
    organism: str | None = None
    report_number: str | None = None
    doc_type: str | None = None
    highlights: list[tuple[int, int]] = Field(description="Spans of matched words, as document offsets.")
    passage_start: int = Field(description="The result's passage (its segment): start/end/text are one of its "
                                           "sentences with grain=sentence, the whole of it with grain=passage.")
    passage_end: int
    passage_text: str | None = Field(None, description="The passage's text, when the result is only part of it: "
                                                       "the context to show a sentence in.")


class Correction(BaseModel):
    typed: str = Field(description="A query word that no stored passage holds, as typed.")
    meant: str = Field(description="The spelling one edit away that most passages hold, searched as well, as the "
                                   "passages found write it (a word, not a stem).")


class SearchResponse(BaseModel):
    query: str
    mode: str
    results: list[SearchResult]
    facets: dict[str, dict[str, int]] = Field(
        description="Per facet, each value's passage count: the `total_candidates` a filter on that value gives.")
    total_candidates: int = Field(
        description="How many passages the filters let through: those the query was ranked among, whether or not "
                    "they hold its words (a lexical search shows only those that do; counting them would mean "
                    "reading every posting of its words, which the ranking avoids). Not a count of results.")
    corrections: list[Correction] = Field(
        default_factory=list, description="The query's misspelt words and the spellings also searched (lexical "
                                          "side), for a \"did you mean\"; empty when every word is found.")


class ClassifyRequest(BaseModel):
    model_config = {"extra": "forbid"}  # a misspelt field ("doctype") is refused, not dropped

    text: str = Field(min_length=1, examples=["La société doit réduire sa vacance commerciale."],
                      description="At most ANCOLS_MAX_CLASSIFY_CHARS characters (20,000 unless set).")
    doc_type: DocType = "report"
    section_path: list[str] = Field(default_factory=list, max_length=10)


class ThemeScore(BaseModel):
    theme: str
    score: float


class ClassifyResponse(BaseModel):
    kind: KindName
    scores: dict[str, float] = Field(description="Calibrated probability of each kind (they sum to 1). "
                                                 "The kind is chosen with class-balanced costs, so a rare kind "
                                                 "(recommendation) can win without the highest probability.")
    themes: list[ThemeScore]
    stance: Literal["contests", "commits", "accepts", "explains"] | None = Field(
        default=None, description="For a rebuttal: its stance towards the finding it answers; null otherwise.")


class Health(BaseModel):
    status: Literal["ok"]
    documents: int
    segments: int
    embedding_model: str
    vector_index: str
    owner: bool = Field(description="This process runs the job worker and the store's merges: one of the "
                                    "processes serving a data directory does (`ancols serve --workers N`).")


class OrganismList(BaseModel):
    organisms: list[str] = Field(examples=[["Coop'Ivry Habitat", "Le Toit Forézien"]])
    aliases: dict[str, list[str]] = Field(
        default_factory=dict, examples=[{"Coop'Ivry Habitat": ["Coop'lvry Habitat"]}],
        description="An organism's other spellings in the stored documents (an OCR misreading), each a name the "
                    "organism filter takes.")


# -- jobs -------------------------------------------------------------------------------------
JobStatus = Literal["queued", "running", "done", "failed", "cancelled"]
JobFileStatus = Literal["pending", "running", "done", "failed", "cancelled"]


class JobFileError(BaseModel):
    code: str = Field(examples=["unreadable_pdf"])
    message: str


class JobFileOut(BaseModel):
    n: int = Field(description="Position of the file in the upload, from 0.")
    filename: str = Field(description="The name the client gave, as stored (metadata only): its base name "
                                      "without control characters, at most 255 characters.")
    size: int
    status: JobFileStatus
    document_id: str | None = None
    segment_count: int | None = None
    duplicate: bool | None = None
    error: JobFileError | None = Field(None, description="Why this file could not be ingested (the job goes on).")
    warnings: list[DocumentWarningOut] = Field(
        default_factory=list, description="What the stored document lacks, e.g. scanned pages left unread.")
    interrupted: int = Field(0, description="How many times the service stopped (crash, kill, restart) while this "
                                            "file was being ingested: each time it is ingested again from the start "
                                            "after the restart (the store keeps a document whole or not at all), "
                                            "until it has been cut short too often: then it fails with the error "
                                            "`interrupted`.")


class PagesProgress(BaseModel):
    done: int
    total: int


class JobProgress(BaseModel):
    total: int
    done: int = Field(description="Files finished, successfully or not.")
    failed: int
    cancelled: int = Field(0, description="Files that never ran because the job was cancelled.")
    current_file: str | None = Field(None, description="The file being ingested (a cancelled job's too, until it "
                                                          "finishes).")
    current_ocr: PagesProgress | None = Field(
        None, description="The current file's scanned pages read by OCR so far, out of its scanned pages.")


class JobOut(BaseModel):
    model_config = {"json_schema_extra": {"examples": [{
        "id": "3f2c9a0e6b1d4c8f9e7a5b3c1d2e4f60", "status": "running", "created_at": "2024-05-02T09:14:03Z",
        "started_at": "2024-05-02T09:14:03Z", "finished_at": None, "error": None,
        "progress": {"total": 2, "done": 1, "failed": 1, "current_file": "rapport-2017-101.pdf"},
        "files": [
            {"n": 0, "filename": "scan.pdf", "size": 48213, "status": "failed",
             "error": {"code": "scanned_pdf", "message": "The PDF has no text layer."}},
            {"n": 1, "filename": "rapport-2017-101.pdf", "size": 912344, "status": "running"},
        ]}]}}

    id: str
    status: JobStatus
    created_at: str
    started_at: str | None = None
    finished_at: str | None = None
    progress: JobProgress
    files: list[JobFileOut]
    error: str | None = Field(None, description="Set only when the job itself failed (never for one bad file).")


class JobList(BaseModel):
    jobs: list[JobOut]
    total: int
    limit: int
    offset: int


# -- chat -------------------------------------------------------------------------------------
class ChatMessage(BaseModel):
    role: Literal["user", "assistant", "system"]
    content: str = Field(max_length=20_000)


def _as_list(value: object) -> object:
    return [value] if isinstance(value, (str, int)) else value


class ChatFilters(BaseModel):
    """The search filters; each list field also accepts a single value."""

    model_config = {"extra": "forbid"}

    kind: list[KindName] = Field(default_factory=list)
    theme: list[Theme] = Field(default_factory=list)
    document_id: list[str] = Field(default_factory=list)
    organism: list[str] = Field(default_factory=list)
    doc_type: list[DocType] = Field(default_factory=list)
    year_min: int | None = None
    year_max: int | None = None

    @field_validator("kind", "theme", "document_id", "organism", "doc_type", mode="before")
    @classmethod
    def _listify(cls, value: object) -> object:
        values = _as_list(value)
        if isinstance(values, list) and "" in values:  # "organism": "" matched no passage: the answer said none held it
            raise ValueError(f"{EMPTY}: give it a value, or leave it out")
        return values


class ChatRequest(BaseModel):
    model_config = {"extra": "forbid", "json_schema_extra": {"examples": [{
        "messages": [{"role": "user", "content": "Que dit le contrôle sur la vacance commerciale ?"}],
        "filters": {"kind": [], "organism": []}, "k": 8, "stream": False}]}}

    messages: list[ChatMessage] = Field(min_length=1, max_length=100)
    filters: ChatFilters = Field(default_factory=ChatFilters)
    k: int = Field(8, ge=1, le=30, description="How many passages to retrieve.")
    stream: bool = Field(False, description="Answer as Server-Sent Events: delta…, citations, done.")


class Citation(BaseModel):
    n: int = Field(description="The number used in the answer's [n] markers (citations[n-1]).")
    segment_id: str
    document_id: str
    organism: str | None = None
    report_number: str | None = None
    doc_type: str | None = None
    page: int | None = None
    page_end: int | None = Field(None, description="The passage's last page: past `page` when it runs onto the "
                                                   "next page.")
    start: int = Field(description="Document offset of the passage (GET /documents/{id}/text).")
    end: int
    kind: KindName
    section_path: list[str] = Field(default_factory=list)
    text: str


class ChatResponse(BaseModel):
    model_config = {"json_schema_extra": {"examples": [{
        "answer": "Le Toit Forézien (rapport n° 2017-101) — le contrôle constate : « La vacance commerciale est "
                  "élevée » [1].",
        "citations": [{"n": 1, "segment_id": "f0e034a57c404de2:212", "document_id": "f0e034a57c404de2",
                       "organism": "Le Toit Forézien", "report_number": "2017-101", "doc_type": "report",
                       "page": 14, "page_end": 14, "start": 40210, "end": 40388, "kind": "observation",
                       "section_path": [],
                       "text": "La vacance commerciale est élevée."}],
        "generated_by": "offline", "llm_error": None, "query": "vacance commerciale"}]}}

    answer: str = Field(description="French text; each sentence ends with [n] markers referring to citations[n-1], "
                                     "but a first paragraph saying that no passage of the kind the question asks for "
                                     "(an answer of the organism, a recommendation) was found, before the nearest.")
    citations: list[Citation]
    generated_by: Literal["offline", "llm"]
    llm_error: str | None = Field(None,
                                  description="Set when the configured LLM failed and the offline answer was used.")
    query: str = Field(description="The search query the passages were retrieved with.")
