"""Run a document reader in a child process bounded in time and memory.

A PDF parser will follow a decompression bomb or a deeply nested object graph for as long and
as far as it is allowed to; in the service process that would take every request down with
it. A forkserver child (started once, with the readers preloaded, before torch or FAISS spawn
threads) is forked per document, given an address-space cap, and killed at the deadline. Word,
OpenDocument and HTML files are read the same way (``read_bounded``): their zip and XML caps
(``office_zip``) bound what is unpacked, not what a parser does with it.

OCR of a scan takes seconds a page: the child says how many pages it will OCR before it starts, and the
deadline grows by their allowance (``Ocr.allowance``, bounded); each page is logged and told to
``ocr_progress`` (a job records it), so a long scan is seen to advance. Tesseract dies with the child
(``pipelines/ocr.py``).
"""

from __future__ import annotations

import logging
import multiprocessing
import resource
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from multiprocessing.connection import Connection

from ancols_nlp.pipelines.errors import DocumentError, DocumentTooComplex, PdfTooComplex
from ancols_nlp.pipelines.ocr import Ocr
from ancols_nlp.pipelines.pdf_text import extract_pdf
from ancols_nlp.pipelines.types import SourceText

log = logging.getLogger("ancols.pdf")
# Told (pages read, pages to read) before each scanned page: how a job shows a long scan advancing.
ocr_progress: ContextVar[Callable[[int, int], None] | None] = ContextVar("ocr_progress", default=None)


@dataclass(frozen=True)
class Limits:
    """How a document is read: time and memory of the reader, and OCR of a PDF's scanned pages (None: scans are
    refused)."""

    seconds: float = 120.0
    memory_mb: int = 2048
    ocr: Ocr | None = None


@lru_cache(maxsize=1)
def _context() -> multiprocessing.context.BaseContext:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["ancols_nlp.pipelines.extract"])
    return ctx


@dataclass(frozen=True)
class _Bounds:
    """What the child is told: its memory, the error past its limits, and what to call the document in it."""

    memory_mb: int
    too_complex: type[DocumentError]
    what: str  # "this PDF", "this document"


def _child(conn: Connection, bounds: _Bounds, read: Callable[..., SourceText], args: tuple, kwargs: dict,
           progress: bool) -> None:
    limit = bounds.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        if progress:
            kwargs = {**kwargs, "on_ocr": lambda done, pages: conn.send(("ocr", done, pages))}
        conn.send(("ok", read(*args, **kwargs)))
    except DocumentError as exc:
        conn.send(("error", exc))
    except MemoryError:
        conn.send(("error", bounds.too_complex(f"Reading {bounds.what} needs more than {bounds.memory_mb} MB of "
                                               "memory.")))
    except Exception as exc:  # a parser has many failure modes; none may escape as a crash
        conn.send(("error", bounds.too_complex(f"{bounds.what[0].upper()}{bounds.what[1:]} could not be processed "
                                               f"({type(exc).__name__}).")))
    finally:
        conn.close()


def extract_pdf_bounded(data: bytes, *, max_pages: int, limits: Limits) -> SourceText:
    """``extract_pdf`` in a child process; raises ``PdfTooComplex`` past the limits."""
    return _run(extract_pdf, data, limits=limits, too_complex=PdfTooComplex, what="this PDF", max_pages=max_pages,
                ocr=limits.ocr)


def read_bounded(read: Callable[..., SourceText], *args, limits: Limits) -> SourceText:
    """``read(*args)`` (a Word, OpenDocument or HTML reader) in a child process; raises ``DocumentTooComplex`` past
    the limits. ``read`` is a module-level function: the child imports it by name."""
    return _run(read, *args, limits=limits, too_complex=DocumentTooComplex, what="this document")


def _run(read: Callable[..., SourceText], *args, limits: Limits, too_complex: type[DocumentError], what: str,
         **kwargs) -> SourceText:
    """``read(*args, **kwargs)`` in a forked child, killed past ``limits.seconds`` (plus the OCR allowance the child
    asks for when ``kwargs`` hold the OCR settings); ``too_complex`` names ``what`` past the limits."""
    bounds = _Bounds(limits.memory_mb, too_complex, what)
    ctx = _context()
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(child, bounds, read, args, kwargs, "ocr" in kwargs), daemon=True)
    process.start()
    child.close()
    started, extra = time.monotonic(), 0.0
    try:
        while True:
            if not parent.poll(max(0.0, started + limits.seconds + extra - time.monotonic())):
                raise bounds.too_complex(f"Reading {bounds.what} took longer than {limits.seconds + extra:g} s; "
                                         "it was stopped.")
            status, *value = parent.recv()
            if status != "ocr":
                break
            done, pages = value
            extra = limits.ocr.allowance(pages)
            log.info("OCR of a scanned page, %d of %d", done + 1, pages)
            if report := ocr_progress.get():
                report(done, pages)
        value = value[0]
    except EOFError:
        raise bounds.too_complex(f"The reader stopped abnormally on {bounds.what} (it crashed or exceeded its memory "
                                 "limit).") from None
    finally:
        parent.close()
        if process.is_alive():
            process.kill()
        process.join()
    if status == "error":
        raise value
    return value
