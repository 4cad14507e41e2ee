"""The FastAPI application: routers per resource, one error shape, one runtime per process."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import get_args

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.concurrency import run_in_threadpool

from ancols_nlp.service import errors
from ancols_nlp.service.head import HeadAsGet
from ancols_nlp.service.jobs import JobManager
from ancols_nlp.service.limits import BodyLimitMiddleware
from ancols_nlp.service.observability import Metrics, ObservabilityMiddleware, setup_logging
from ancols_nlp.service.ownership import Ownership
from ancols_nlp.service.routers import (chat, classify, documents, health, jobs, metrics, organisms, search, segments,
                                        web)
from ancols_nlp.service.runtime import Runtime
from ancols_nlp.service.schemas import JobStatus
from ancols_nlp.service.settings import Settings, get_settings


def store_gauges(app: FastAPI):
    def read() -> list[tuple[str, str, dict[str, str], float]]:
        runtime = getattr(app.state, "runtime", None)
        if runtime is None:
            return []
        stats = runtime.store.stats()
        out = [("ancols_documents", "Documents in the store.", {}, stats.documents),
               ("ancols_segments", "Segments in the search index.", {}, stats.segments), *runtime.answers.gauges()]
        manager = getattr(app.state, "jobs", None)
        if manager is not None:
            counts = manager.db.counts()
            out += [("ancols_jobs", "Ingestion jobs by status.", {"status": s}, counts.get(s, 0))
                    for s in get_args(JobStatus)]
        return out
    return read


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """An app over ``runtime`` (built from ``settings`` at start-up when not given).

    Several processes may serve one data directory (``ancols serve --workers N``): the one that owns it
    (service/ownership.py) runs the job worker and the store's merges, the others take over when it ends."""
    settings = settings or (runtime.settings if runtime else get_settings())
    setup_logging(settings.log_format, settings.log_level)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        owned = runtime is None
        ownership = app.state.ownership = Ownership((runtime.settings if runtime else settings).data_dir)
        with ownership.opening() as leading:
            app.state.runtime = runtime or Runtime.from_settings(settings, leading=leading)
        rt = app.state.runtime
        await run_in_threadpool(rt.warm)
        jobs = app.state.jobs = JobManager(rt.settings.data_dir, rt.ingest, max_file_bytes=rt.settings.max_upload_bytes)

        def take_over() -> None:
            rt.store.lead()
            jobs.start()  # the jobs the owner that ended left unfinished resume first

        if leading:
            jobs.start()  # unfinished jobs of an earlier run resume first
        else:
            ownership.wait(take_over)
        yield
        ownership.stop()
        await run_in_threadpool(jobs.close)
        if owned:
            app.state.runtime.close()
        ownership.close()

    app = FastAPI(title="ancols-nlp", version="0.1.0", lifespan=lifespan,
                  description="Search and classify ANCOLS control reports and organisms' replies.")
    app.state.metrics = Metrics()
    app.state.metrics.gauges.append(store_gauges(app))
    # Outermost last: request id/log/metrics see everything, CORS headers reach the 413s too.
    app.add_middleware(HeadAsGet)
    app.add_middleware(BodyLimitMiddleware, max_body_bytes=settings.max_body_bytes,
                       max_upload_bytes=settings.max_upload_bytes * settings.max_job_files)
    if settings.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins, allow_methods=["*"],
                           allow_headers=["*"], expose_headers=["X-Request-ID", "Location"])
    app.add_middleware(ObservabilityMiddleware, metrics=app.state.metrics)
    errors.install(app)
    for router in (documents.router, organisms.router, jobs.router, segments.router, search.router, chat.router,
                   classify.router, health.router, metrics.router, web.router):
        app.include_router(router)
    app.mount("/static", web.static_files(), name="static")
    return app
