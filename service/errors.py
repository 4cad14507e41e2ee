"""Every failure the API reports, in one shape: ``{"error": {"code", "message", "detail"}}``.

Each domain exception maps to exactly one status; a bad input is a 4xx, never a 500.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ancols_nlp.index.interface import StoreUnavailable
from ancols_nlp.pipelines import errors as doc_errors

log = logging.getLogger("ancols.service")


class ApiError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, detail: object | None = None):
        super().__init__(message)
        self.message = message
        self.detail = detail


class NotFound(ApiError):
    status = 404
    code = "not_found"


class PayloadTooLarge(ApiError):
    status = 413
    code = "payload_too_large"


class Unauthorized(ApiError):
    status = 401
    code = "unauthorized"


class NotMultipart(ApiError):
    status = 415
    code = "not_multipart"


class JobFinished(ApiError):
    status = 409
    code = "job_finished"


class BadQuery(ApiError):
    status = 422
    code = "bad_query"


EMPTY = "Given empty"  # a parameter or a chat filter: refused alike, never a filter on ""
NO_WORD = "query has no word to search for: only stopwords, punctuation or symbols"  # the API's and the CLI's


def no_word() -> BadQuery:
    """The refusal of a query with no word to search, alike from ``/search`` and ``/chat``; ``reason`` is for a client
    to say it in its language."""
    return BadQuery(f"The {NO_WORD}.", {"reason": "no_word"})


DOCUMENT_STATUS: dict[type[doc_errors.DocumentError], int] = {
    doc_errors.UnsupportedType: 415,
    doc_errors.TooManyPages: 413,
    doc_errors.OfficeTooLarge: 413,
}


def error_response(status: int, code: str, message: str, detail: object | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": {"code": code, "message": message, "detail": detail}})


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.detail)

    @app.exception_handler(doc_errors.DocumentError)
    async def _document(_: Request, exc: doc_errors.DocumentError):
        return error_response(DOCUMENT_STATUS.get(type(exc), 422), exc.code, str(exc))

    @app.exception_handler(StoreUnavailable)
    async def _store(request: Request, exc: StoreUnavailable):
        log.error("%s %s: %s", request.method, request.url.path, exc)
        return error_response(503, "store_unavailable", f"{exc}; try again once it is back.")

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError):
        detail = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", "")} for e in exc.errors()]
        return error_response(422, "invalid_request", "The request is not valid.", detail)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException):
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(exc.status_code, code, str(exc.detail))

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", "An unexpected error occurred; it has been logged.")
