"""Ingestion jobs: upload many files at once (202 + job id), then follow the job."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile
from fastapi import status as http
from starlette.concurrency import run_in_threadpool

from ancols_nlp.service.deps import SettingsDep, WriteAccess
from ancols_nlp.service.errors import JobFinished, NotFound, PayloadTooLarge
from ancols_nlp.service.jobs import JobManager
from ancols_nlp.service.routers.common import known_fields, known_parameters
from ancols_nlp.service.schemas import ErrorResponse, JobList, JobOut, JobStatus

router = APIRouter(prefix="/jobs", tags=["jobs"], dependencies=[Depends(known_parameters)])


def get_jobs(request: Request) -> JobManager:
    return request.app.state.jobs


JobsDep = Annotated[JobManager, Depends(get_jobs)]


@router.post("", status_code=http.HTTP_202_ACCEPTED, response_model=JobOut,
             dependencies=[WriteAccess, Depends(known_fields)],
             responses={413: {"model": ErrorResponse}, 415: {"model": ErrorResponse}, 422: {"model": ErrorResponse}},
             summary="Ingest several files in the background")
async def create_job(request: Request, response: Response, jobs: JobsDep, settings: SettingsDep,
                     files: Annotated[list[UploadFile],
                                      File(description="PDF, .docx, .odt, .html, .txt or .md files (field repeated)")]
                     ) -> JobOut:
    """The files are stored and the job recorded before this answers 202; follow it with ``GET /jobs/{id}``.

    A file that cannot be ingested (too large, unsupported, unreadable…) is reported in the job's
    ``files[n].error`` and the other files go on.
    """
    if len(files) > settings.max_job_files:
        raise PayloadTooLarge(f"A job takes at most {settings.max_job_files} files; {len(files)} were sent.")
    job_id, folder = await run_in_threadpool(jobs.new_job_dir)
    try:
        uploads = [await run_in_threadpool(jobs.write_file, folder, n, f.filename, f.file) for n, f in enumerate(files)]
        await run_in_threadpool(jobs.commit, job_id, folder, uploads)
    except BaseException:
        await run_in_threadpool(jobs.abandon, folder)
        raise
    response.headers["Location"] = str(request.url_for("get_job", job_id=job_id))
    return JobOut(**jobs.db.get(job_id))


@router.get("", response_model=JobList)
def list_jobs(jobs: JobsDep, limit: Annotated[int, Query(ge=1, le=1000)] = 50,
              offset: Annotated[int, Query(ge=0, le=2**31)] = 0, status: JobStatus | None = None) -> JobList:
    """Jobs, newest first."""
    rows, total = jobs.db.list(limit=limit, offset=offset, status=status)
    return JobList(jobs=[JobOut(**r) for r in rows], total=total, limit=limit, offset=offset)


@router.get("/{job_id}", response_model=JobOut, responses={404: {"model": ErrorResponse}})
def get_job(job_id: str, jobs: JobsDep) -> JobOut:
    """Status, progress (files done / total, current file) and each file's result."""
    row = jobs.db.get(job_id)
    if row is None:
        raise NotFound(f"No job {job_id!r}.")
    return JobOut(**row)


@router.post("/{job_id}/cancel", response_model=JobOut, dependencies=[WriteAccess],
             responses={404: {"model": ErrorResponse}, 409: {"model": ErrorResponse}}, summary="Cancel a job")
def cancel_job(job_id: str, jobs: JobsDep) -> JobOut:
    """The job becomes ``cancelled`` at once and its files not yet started never run. The file being ingested
    finishes (stored whole, never in part); the documents already stored stay, listed in ``files`` with their
    ``document_id`` (``DELETE /documents/{id}`` removes one). A POST, not ``DELETE /jobs/{id}``: the job's
    record stays readable at ``GET /jobs/{id}``, where a DELETE (as ``DELETE /documents/{id}``) removes it."""
    outcome = jobs.cancel(job_id)
    if outcome == "unknown":
        raise NotFound(f"No job {job_id!r}.")
    row = jobs.db.get(job_id)
    if outcome == "finished":
        raise JobFinished(f"Job {job_id!r} is already {row['status']}: there is nothing left to cancel.")
    return JobOut(**row)
