"""What a document is (control report or the organism's reply letter) and whom it concerns.

A reply letter speaks in the organism's voice from start to end, so the document type
decides the kind of most of its sentences; it is read from the opening page, where a
report announces itself ("Rapport définitif de contrôle n° …") and a letter greets its reader.
"""

from __future__ import annotations

import re

from pipelines.types import DocumentMeta

HEAD_CHARS = 3000
# A report's title stands at the start of a line; a letter only mentions "un rapport de contrôle".
REPORT_TITLE = re.compile(r"^\W*(?:rapport\s+(?:d[ée]finitif\s+|provisoire\s+)?(?:de\s+contr[ôo]le|n\s*°)"
                          r"|fiche\s+r[ée]capitulative)", re.IGNORECASE | re.MULTILINE)
LETTER_OPENING = re.compile(r"^\W*(?:Monsieur|Madame|Mesdames|Messieurs)\b[^\n]{0,80},\s*$", re.MULTILINE)
FIRST_PERSON = re.compile(r"\b(?:nous|notre|nos)\b", re.IGNORECASE)
REPORT_NUMBER = re.compile(r"\bn\s*°\s*(\d{4})\s*-\s*(\d{2,3})\b", re.IGNORECASE)
ORGANISM = re.compile(
    r"(?:SA\s+d['’]HLM|Soci[ée]t[ée]\s+anonyme\s+d['’]HLM|SCIC\s+d['’]HLM|OPH|Office\s+public\s+de\s+l['’]habitat"
    r"|Soci[ée]t[ée]\s+coop[ée]rative[^\n«]{0,80}?mod[ée]r[ée])\s+[«\"]?\s*([A-ZÀ-Þ][^»\"\n(*,]{2,60}?)\s*(?:[»\"(*,\n]|$)"
)
YEAR = re.compile(r"\b(20[0-3]\d|19[89]\d)\b")


def read_meta(text: str) -> DocumentMeta:
    """Document type and identity, from the first pages of ``text``."""
    head = text[:HEAD_CHARS]
    number = REPORT_NUMBER.search(head)
    organism = ORGANISM.search(head)
    years = [int(y) for y in YEAR.findall(head)]
    title_line = next((line.strip(" #*") for line in head.splitlines() if line.strip(" #*")), None)
    return DocumentMeta(
        doc_type=doc_type(text),
        title=title_line[:200] if title_line else None,
        report_number=f"{number.group(1)}-{number.group(2)}" if number else None,
        organism=organism.group(1).strip() if organism else None,
        year=int(number.group(1)) if number else (max(years) if years else None),
    )


def doc_type(text: str) -> str:
    """``reply`` for a letter written by the organism, ``report`` otherwise."""
    head = text[:HEAD_CHARS]
    greets = LETTER_OPENING.search(head[:800]) is not None
    announces_report = REPORT_TITLE.search(head) is not None
    first_person = len(FIRST_PERSON.findall(text[:20000]))
    if greets and not announces_report:
        return "reply"
    if not announces_report and first_person >= 10:
        return "reply"
    return "report"
