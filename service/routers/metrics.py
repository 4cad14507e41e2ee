"""Prometheus metrics: request counts and latencies per route, and what the service holds."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse

router = APIRouter(tags=["health"])
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@router.get("/metrics", response_class=PlainTextResponse,
            responses={200: {"content": {CONTENT_TYPE: {"example": 'ancols_documents 5\n'}}}})
def metrics(request: Request) -> PlainTextResponse:
    """Text exposition format 0.0.4."""
    return PlainTextResponse(request.app.state.metrics.render(), media_type=CONTENT_TYPE)
