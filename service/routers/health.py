"""Liveness and what the service holds."""

from __future__ import annotations

from fastapi import APIRouter

from service.deps import RuntimeDep
from service.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(runtime: RuntimeDep) -> Health:
    store = runtime.store
    snap = store.snapshot
    return Health(status="ok", documents=store.meta.documents(limit=1, offset=0)[1], segments=len(snap.columns.ids),
                  embedding_model=store.embedder.fingerprint, vector_index=snap.vectors.kind)
