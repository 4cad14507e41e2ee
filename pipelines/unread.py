"""Scanned pages stored without their text → the warning the uploader is given, so no page is missing unseen.

A report whose annex is a scan, stored while OCR was off, would otherwise be searched as if whole.
"""

from __future__ import annotations

from collections.abc import Iterable

from ancols_nlp.pipelines.types import DocumentWarning, PageSpan, UnreadReason

CODE = "unread_scanned_pages"
WHY: dict[UnreadReason, str] = {
    "ocr_off": "OCR is turned off here (ANCOLS_OCR)",
    "ocr_unavailable": "Tesseract is not installed (apt-get install tesseract-ocr tesseract-ocr-fra)",
    "ocr_empty": "OCR read no text there (a blank or illegible scan)",
}


def unread_warnings(pages: Iterable[PageSpan]) -> tuple[DocumentWarning, ...]:
    """One warning for each reason scanned pages were left unread, naming the pages."""
    by_reason: dict[UnreadReason, list[int]] = {}
    for page in pages:
        if page.unread:
            by_reason.setdefault(page.unread, []).append(page.number)
    return tuple(
        DocumentWarning(CODE, f"{_pages(numbers)} scanned and not read, so missing from the text and from search: "
                              f"{WHY[reason]}.", tuple(numbers))
        for reason, numbers in by_reason.items()
    )


def _pages(numbers: list[int]) -> str:
    return f"Page {numbers[0]} is" if len(numbers) == 1 else f"Pages {', '.join(map(str, numbers))} are"
