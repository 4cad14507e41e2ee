"""Run PDF extraction in a child process bounded in time and memory.

A PDF parser will follow a decompression bomb or a deeply nested object graph for as long and
as far as it is allowed to; in the service process that would take every request down with
it. A forkserver child (started once, with the PDF reader preloaded, before torch or FAISS spawn
threads) is forked per document, given an address-space cap, and killed at the deadline.
"""

from __future__ import annotations

import multiprocessing
import resource
from dataclasses import dataclass
from functools import lru_cache
from multiprocessing.connection import Connection

from ancols_nlp.pipelines.errors import DocumentError, PdfTooComplex
from ancols_nlp.pipelines.pdf_text import extract_pdf
from ancols_nlp.pipelines.types import SourceText


@dataclass(frozen=True)
class Limits:
    seconds: float = 120.0
    memory_mb: int = 2048


@lru_cache(maxsize=1)
def _context() -> multiprocessing.context.BaseContext:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["ancols_nlp.pipelines.pdf_text"])
    return ctx


def _child(conn: Connection, data: bytes, max_pages: int, memory_mb: int) -> None:
    limit = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        conn.send(("ok", extract_pdf(data, max_pages=max_pages)))
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
    process = ctx.Process(target=_child, args=(child, data, max_pages, limits.memory_mb), daemon=True)
    process.start()
    child.close()
    try:
        if not parent.poll(limits.seconds):
            raise PdfTooComplex(f"Reading this PDF took longer than {limits.seconds:g} s; it was stopped.")
        status, value = parent.recv()
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
