"""Run PDF extraction in a child process bounded in time and memory.

A PDF parser will follow a decompression bomb or a deeply nested object graph for as long and
as far as it is allowed to; in the service process that would take every request down with
it. A forkserver child (started once, with the PDF reader preloaded, before torch or FAISS spawn
threads) is forked per document, given an address-space cap, and killed at the deadline.

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

from ancols_nlp.pipelines.errors import DocumentError, PdfTooComplex
from ancols_nlp.pipelines.ocr import Ocr
from ancols_nlp.pipelines.pdf_text import extract_pdf
from ancols_nlp.pipelines.types import SourceText

log = logging.getLogger("ancols.pdf")
# Told (pages read, pages to read) before each scanned page: how a job shows a long scan advancing.
ocr_progress: ContextVar[Callable[[int, int], None] | None] = ContextVar("ocr_progress", default=None)


@dataclass(frozen=True)
class Limits:
    """How a PDF is read: time and memory of the reader, and OCR of scanned pages (None: scans are refused)."""

    seconds: float = 120.0
    memory_mb: int = 2048
    ocr: Ocr | None = None


@lru_cache(maxsize=1)
def _context() -> multiprocessing.context.BaseContext:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["ancols_nlp.pipelines.pdf_text"])
    return ctx


def _child(conn: Connection, data: bytes, max_pages: int, memory_mb: int, ocr: Ocr | None) -> None:
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        on_ocr = lambda done, pages: conn.send(("ocr", done, pages))  # noqa: E731
        conn.send(("ok", extract_pdf(data, max_pages=max_pages, ocr=ocr, on_ocr=on_ocr)))
    except DocumentError as exc:
        conn.send(("error", exc))
    except MemoryError:
        conn.send(("error", PdfTooComplex(f"Reading this PDF needs more than {memory_mb} MB of memory.")))
    except Exception as exc:  # a PDF parser has many failure modes; none may escape as a crash
        conn.send(("error", PdfTooComplex(f"This PDF could not be processed ({type(exc).__name__}).")))
    finally:
        conn.close()


def extract_pdf_bounded(data: bytes, *, max_pages: int, limits: Limits) -> SourceText:
    """``extract_pdf`` in a child process; raises ``PdfTooComplex`` past the limits."""
    ctx = _context()
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(child, data, max_pages, limits.memory_mb, limits.ocr), daemon=True)
    process.start()
    child.close()
    started, extra = time.monotonic(), 0.0
    try:
        while True:
            if not parent.poll(max(0.0, started + limits.seconds + extra - time.monotonic())):
                raise PdfTooComplex(f"Reading this PDF took longer than {limits.seconds + extra:g} s; it was stopped.")
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
        raise PdfTooComplex("The PDF reader stopped abnormally on this file (it exceeded its memory limit).") from None
    finally:
        parent.close()
        if process.is_alive():
            process.kill()
        process.join()
    if status == "error":
        raise value
    return value
