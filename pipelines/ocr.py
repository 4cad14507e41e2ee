"""A scanned PDF page → its lines of text, read by Tesseract (Debian's ``tesseract-ocr``, run as a program).

Older Miilos reports and signed reply letters are often scans: page images with no text layer. The page is
rendered at ``dpi`` and given to ``tesseract``, whose word boxes come back as lines measured in PDF points
from the top left of the page as shown, as ``pdf_text`` measures the lines of a text layer, so the same
furniture, paragraph and hyphen rules apply. No model is downloaded: the language data is Debian's
(``tesseract-ocr-fra``).
"""

from __future__ import annotations

import csv
import ctypes
import io
import os
import re
import shutil
import signal
import subprocess
from collections import defaultdict
from dataclasses import dataclass

import pypdfium2 as pdfium

from ancols_nlp.pipelines.errors import OcrFailed
from ancols_nlp.pipelines.types import UnreadReason

MISSING_LANGUAGE = re.compile(r"Failed loading language '([^']+)'")  # Tesseract 4 and 5 say so on stderr
_PR_SET_PDEATHSIG = 1  # prctl(2): the signal a process gets when its parent dies


@dataclass(frozen=True)
class Ocr:
    """How scanned pages are read, and how long each may take (Tesseract is killed past it)."""

    enabled: bool = True
    language: str = "fra"  # Tesseract's language data, "fra" or "fra+eng"
    dpi: int = 300
    psm: int = 3  # page segmentation: fully automatic, without orientation detection
    page_seconds: float = 60.0
    max_seconds: float = 1800.0  # the whole document's OCR allowance, however many pages
    min_confidence: float = 0.0  # words Tesseract is less sure of (0-100) are dropped

    def usable(self) -> bool:
        return self.unusable() is None

    def unusable(self) -> UnreadReason | None:
        """Why scanned pages cannot be read here (turned off, Tesseract not installed); None when they can."""
        if not self.enabled:
            return "ocr_off"
        return None if shutil.which("tesseract") else "ocr_unavailable"

    def allowance(self, pages: int) -> float:
        """Seconds the reader may spend on ``pages`` scanned pages beyond its own deadline."""
        return min(pages * self.page_seconds, self.max_seconds)


@dataclass(frozen=True)
class OcrLine:
    """A line Tesseract read, its box in points from the top left of the page as shown."""

    text: str
    top: float
    bottom: float
    x0: float
    x1: float


def read_page(page: pdfium.PdfPage, ocr: Ocr) -> list[OcrLine]:
    """The page's lines, top to bottom, as Tesseract groups its words.

    A greyscale PGM goes to Tesseract's standard input: no temporary file, and no compression to undo."""
    bitmap = page.render(scale=ocr.dpi / 72, grayscale=True)
    image = io.BytesIO()
    bitmap.to_pil().save(image, format="PPM")
    return _lines(_tesseract(image.getvalue(), ocr), 72 / ocr.dpi, ocr.min_confidence)


def _tesseract(image: bytes, ocr: Ocr) -> str:
    """Tesseract's TSV of the image; one thread (OpenMP's threads slow it down on a shared machine)."""
    command = ["tesseract", "-", "-", "-l", ocr.language, "--psm", str(ocr.psm), "--dpi", str(ocr.dpi), "tsv"]
    try:
        done = subprocess.run(command, input=image, capture_output=True, timeout=ocr.page_seconds,
                              env={**os.environ, "OMP_THREAD_LIMIT": "1"}, preexec_fn=_die_with_parent)
    except subprocess.TimeoutExpired:  # run() has killed it
        raise OcrFailed(f"OCR of a scanned page took longer than {ocr.page_seconds:g} s; it was stopped.") from None
    if done.returncode:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        if missing := [m.group(1) for line in said if (m := MISSING_LANGUAGE.match(line))]:
            raise OcrFailed(_no_language_data(missing))
        raise OcrFailed(f"OCR failed on a scanned page ({said[-1] if said else f'exit {done.returncode}'}).")
    return done.stdout.decode("utf-8", "replace")


def _no_language_data(missing: list[str]) -> str:
    """What to do when Tesseract has none of the languages asked: Debian's tesseract-ocr brings English only."""
    names = ", ".join(f"'{language}'" for language in missing)
    packages = " ".join(f"tesseract-ocr-{language.lower().replace('_', '-')}" for language in missing)
    return (f"OCR cannot read scanned pages: Tesseract has no language data for {names}. Install it (apt-get install "
            f"{packages}), or set ANCOLS_OCR_LANGUAGE to a language `tesseract --list-langs` shows.")


def _die_with_parent() -> None:
    """Tesseract is killed with the reader process (killed itself at its deadline) rather than left running."""
    ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _lines(tsv: str, scale: float, min_confidence: float) -> list[OcrLine]:
    """Words (level 5 rows) grouped by their block, paragraph and line, kept in Tesseract's reading order."""
    words: dict[tuple[str, str, str], list[dict[str, str]]] = defaultdict(list)
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row["level"] == "5" and (row["text"] or "").strip() and float(row["conf"]) >= min_confidence:
            words[row["block_num"], row["par_num"], row["line_num"]].append(row)
    lines = []
    for line in words.values():
        left = min(int(w["left"]) for w in line)
        right = max(int(w["left"]) + int(w["width"]) for w in line)
        top = min(int(w["top"]) for w in line)
        bottom = max(int(w["top"]) + int(w["height"]) for w in line)
        text = " ".join(w["text"].strip() for w in line)
        lines.append(OcrLine(text, top * scale, bottom * scale, left * scale, right * scale))
    return lines
