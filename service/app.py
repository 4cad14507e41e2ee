"""The FastAPI application: routers per resource, one error shape, one runtime per process."""

from __future__ import annotations

from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from service import errors
from service.routers import classify, documents, health, search, segments
from service.runtime import Runtime
from service.settings import Settings, get_settings


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """An app over ``runtime`` (built from ``settings`` at start-up when not given)."""
    settings = settings or (runtime.settings if runtime else get_settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        owned = runtime is None
        app.state.runtime = runtime or Runtime.from_settings(settings)
        yield
        if owned:
            app.state.runtime.close()

    app = FastAPI(title="ancols-nlp", version="0.1.0", lifespan=lifespan,
                  description="Search and classify ANCOLS control reports and organisms' replies.")
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"],
                           allow_headers=["*"])
    errors.install(app)
    for router in (documents.router, segments.router, search.router, classify.router, health.router):
        app.include_router(router)
    return app
