"""An upload that is a report already stored from another file (its PDF, then its .docx): answered as the exact
duplicate is (``interface.already_stored``), with the first document's id, not stored a second time.

Two files of one report hash differently and their texts differ a little (page joins, "1er" / "1^{er}", tables
laid out otherwise), so every passage came twice in a search. A stored document repeats the upload when both name
the same report number, organism and document type, and their texts share most of their word trigrams: Jaccard
>= MIN_SHARED. Measured on corpus reports 000-004 each printed as PDF and written as .docx (tests/pdfgen.py,
tests/officegen.py): 0.66-1.00 between two files of one report (0.66 where the test PDF leaves out tab tables),
<= 0.04 between two reports; a report's reply letter names its number but is another document type.
"""

from __future__ import annotations

import re

from ancols_nlp.index.interface import Added, DocumentReader
from ancols_nlp.pipelines import french
from ancols_nlp.pipelines.types import DocumentWarning, ProcessedDocument

CODE = "near_duplicate"
MIN_SHARED = 0.5
SHINGLE_WORDS = 3
WORD = re.compile(r"[^\W_]+")


def shingles(text: str) -> set[str]:
    """The text's runs of SHINGLE_WORDS words, accents and case aside."""
    words = WORD.findall(french.fold(text))
    return {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def near_duplicate(meta: DocumentReader, doc: ProcessedDocument) -> Added | None:
    """The first stored document that repeats ``doc`` (see the module docstring), answered as a duplicate with a
    warning naming it; None when there is none."""
    number, organism = doc.meta.report_number, doc.meta.organism
    if not number or not organism:
        return None
    own = None
    for doc_id in meta.find_by_report(number):
        row = meta.document(doc_id, with_text=True)
        if (row is None or not row.text or row.meta.get("doc_type") != doc.meta.doc_type
                or french.fold(row.meta.get("organism") or "") != french.fold(organism)):
            continue
        own = own if own is not None else shingles(doc.source.text)
        theirs = shingles(row.text)
        shared = len(own & theirs) / max(len(own | theirs), 1)
        if shared >= MIN_SHARED:
            message = (f"The same report ({organism}, n° {number}) is already stored as {row.filename!r} ({doc_id}; "
                       f"{shared:.0%} of their word sequences shared): this file was not stored again, so that its "
                       f"passages are not found twice. Delete {doc_id} first to store this file instead.")
            return Added(doc_id, row.segment_count, True, (DocumentWarning(CODE, message),))
    return None
