"""Documents: upload, list, read back (text, pages, segments, indicators), delete."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, UploadFile, status
from starlette.concurrency import run_in_threadpool

from ancols_nlp.index.records import DocumentRow
from ancols_nlp.service.deps import RuntimeDep, SettingsDep, WriteAccess
from ancols_nlp.service.errors import NotFound, PayloadTooLarge
from ancols_nlp.service.file_names import display_name
from ancols_nlp.service.routers.common import known_fields, known_parameters
from ancols_nlp.service.schemas import (DocumentCreated, DocumentDetail, DocumentList, DocumentText,
                             ErrorResponse, IndicatorList, SegmentList)
from ancols_nlp.service.views import document_detail, document_out, indicator_out, segment_out

router = APIRouter(prefix="/documents", tags=["documents"], dependencies=[Depends(known_parameters)])
ERRORS = {404: {"model": ErrorResponse}}
UPLOAD_ERRORS = {413: {"model": ErrorResponse}, 415: {"model": ErrorResponse}, 422: {"model": ErrorResponse}}
Limit = Annotated[int, Query(ge=1, le=100_000)]
Offset = Annotated[int, Query(ge=0, le=2**31)]


async def read_upload(file: UploadFile, limit: int) -> bytes:
    """The upload's bytes, refused as soon as they pass ``limit`` (never read whole first)."""
    chunks, size = [], 0
    while chunk := await file.read(1 << 20):
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"The file is larger than the {limit // (1024 * 1024)} MB limit.")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=DocumentCreated,
             responses=UPLOAD_ERRORS, dependencies=[WriteAccess, Depends(known_fields)])
async def upload(file: Annotated[UploadFile, File(description="A PDF, .docx, .odt, .html, .txt or .md file")],
                 runtime: RuntimeDep, settings: SettingsDep) -> DocumentCreated:
    data = await read_upload(file, settings.max_upload_bytes)
    filename = display_name(file.filename)
    added = await run_in_threadpool(runtime.ingest, data, filename)
    if added.duplicate:  # the stored document keeps the first upload's name: the answer describes what is stored
        stored = await run_in_threadpool(runtime.store.meta.document, added.id)
        filename = stored.filename if stored else filename
    return DocumentCreated(id=added.id, filename=filename, segment_count=added.segment_count, duplicate=added.duplicate,
                           warnings=[asdict(warning) for warning in added.warnings])


@router.get("", response_model=DocumentList)
def list_documents(runtime: RuntimeDep, limit: Limit = 50, offset: Offset = 0) -> DocumentList:
    rows, total = runtime.store.meta.documents(limit=limit, offset=offset)
    return DocumentList(documents=[document_out(r) for r in rows], total=total, limit=limit, offset=offset)


def _document(runtime, doc_id: str, *, with_text: bool = False) -> DocumentRow:
    row = runtime.store.meta.document(doc_id, with_text=with_text)
    if row is None:
        raise NotFound(f"No document {doc_id!r}.")
    return row


@router.get("/{doc_id}", response_model=DocumentDetail, responses=ERRORS)
def get_document(doc_id: str, runtime: RuntimeDep) -> DocumentDetail:
    return document_detail(_document(runtime, doc_id))


@router.get("/{doc_id}/text", response_model=DocumentText, responses=ERRORS)
def get_text(doc_id: str, runtime: RuntimeDep) -> DocumentText:
    row = _document(runtime, doc_id, with_text=True)
    return DocumentText(id=doc_id, media_type=row.media_type, text=row.text, pages=row.pages)


@router.get("/{doc_id}/segments", response_model=SegmentList, responses=ERRORS)
def get_segments(doc_id: str, runtime: RuntimeDep, limit: Limit = 1000, offset: Offset = 0) -> SegmentList:
    _document(runtime, doc_id)
    rows, total = runtime.store.meta.segments_of(doc_id, limit=limit, offset=offset)
    return SegmentList(segments=[segment_out(r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/{doc_id}/indicators", response_model=IndicatorList, responses=ERRORS)
def get_indicators(doc_id: str, runtime: RuntimeDep) -> IndicatorList:
    """The fiche récapitulative's indicators (empty for a letter, or a table the text extraction scattered)."""
    _document(runtime, doc_id)
    indicators = runtime.store.meta.indicators_of(doc_id)
    return IndicatorList(document_id=doc_id, indicators=[indicator_out(i) for i in indicators])


@router.delete("/{doc_id}", status_code=status.HTTP_204_NO_CONTENT, responses=ERRORS, dependencies=[WriteAccess])
def delete_document(doc_id: str, runtime: RuntimeDep) -> None:
    if not runtime.store.delete(doc_id):
        raise NotFound(f"No document {doc_id!r}.")
