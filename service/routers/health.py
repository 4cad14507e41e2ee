"""Liveness and what the service holds."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ancols_nlp.service.deps import RuntimeDep
from ancols_nlp.service.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(runtime: RuntimeDep, request: Request) -> Health:
    stats = runtime.store.stats()
    return Health(status="ok", documents=stats.documents, segments=stats.segments,
                  embedding_model=runtime.store.embedder.fingerprint, vector_index=stats.vector_index,
                  owner=request.app.state.ownership.owner)
