"""Segments one at a time, with their neighbours and links both ways (inside a report, and from a reply letter
to its report)."""

from __future__ import annotations

import re

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from ancols_nlp.service.deps import RuntimeDep
from ancols_nlp.service.errors import NotFound
from ancols_nlp.service.routers.common import known_parameters
from ancols_nlp.service.schemas import ErrorResponse, SegmentOut
from ancols_nlp.service.views import segment_out

router = APIRouter(tags=["segments"], dependencies=[Depends(known_parameters)])


class SegmentContext(BaseModel):
    segment: SegmentOut
    previous: SegmentOut | None
    next: SegmentOut | None
    responds_to: list[SegmentOut]
    answered_by: list[SegmentOut]


@router.get("/segments/{segment_id}", response_model=SegmentContext, responses={404: {"model": ErrorResponse}})
def get_segment(segment_id: str, runtime: RuntimeDep) -> SegmentContext:
    doc_id, _, position = segment_id.rpartition(":")
    meta = runtime.store.meta
    valid = re.fullmatch(r"[0-9]{1,9}", position) is not None  # ASCII digits only: "²".isdigit() is True
    row = meta.segment_by_seq(doc_id, int(position)) if valid else None
    if row is None:
        raise NotFound(f"No segment {segment_id!r}.")
    seq = row.seq
    neighbours = [meta.segment_by_seq(doc_id, seq + d) for d in (-1, 1)]
    targets = [meta.segment_by_seq(doc_id, p) for p in row.responds_to]
    targets += [meta.segment_by_seq(d, p) for d, p in row.linked_findings]
    answered = meta.segments_answering(doc_id, seq)
    return SegmentContext(
        segment=segment_out(row),
        previous=segment_out(neighbours[0]) if neighbours[0] else None,
        next=segment_out(neighbours[1]) if neighbours[1] else None,
        responds_to=[segment_out(t) for t in targets if t],
        answered_by=[segment_out(a) for a in answered],
    )
