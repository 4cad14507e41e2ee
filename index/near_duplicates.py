"""An upload that is a report already stored from another file (its PDF, then its .docx): answered as the exact
duplicate is (``interface.already_stored``), with the first document's id, not stored a second time.

Two files of one report hash differently and their texts differ a little (page joins, "1er" / "1^{er}", tables
laid out otherwise), so every passage came twice in a search. A stored document repeats the upload when both name
the same report number, organism and document type, and their texts share most of their word trigrams: Jaccard
>= MIN_SHARED. Measured on corpus reports 000-004 each printed as PDF and written as .docx (tests/pdfgen.py,
tests/officegen.py): 0.66-1.00 between two files of one report (0.66 where the test PDF leaves out tab tables),
<= 0.04 between two reports; a report's reply letter names its number but is another document type.

The check needs only the upload's metadata and text, so the service makes it right after extraction, as the exact
duplicate's (seconds, not the minutes of classifying a long report); a store makes it again inside its write
transaction, so two copies uploaded at once cannot both be stored.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ancols_nlp.index.interface import Added
from ancols_nlp.index.records import DocumentRow
from ancols_nlp.pipelines import french
from ancols_nlp.pipelines.types import DocumentMeta, DocumentWarning

CODE = "near_duplicate"
MIN_SHARED = 0.5
SHINGLE_WORDS = 3
WORD = re.compile(r"[^\W_]+")


def shingles(text: str) -> set[str]:
    """The text's runs of SHINGLE_WORDS words, accents and case aside."""
    words = WORD.findall(french.fold(text))
    return {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def near_duplicate(reports: Callable[[str], list[DocumentRow]], meta: DocumentMeta, text: str) -> Added | None:
    """The first stored document that repeats the upload of this metadata and text (see the module docstring),
    answered as a duplicate with a warning naming it; None when there is none. ``reports``: the stored documents
    naming a report number, with their texts (``DocumentReader.find_by_report``)."""
    number, organism = meta.report_number, meta.organism
    if not number or not organism:
        return None
    own = None
    for row in reports(number):
        if (not row.text or row.meta.get("doc_type") != meta.doc_type
                or french.fold(row.meta.get("organism") or "") != french.fold(organism)):
            continue
        own = own if own is not None else shingles(text)
        theirs = shingles(row.text)
        shared = len(own & theirs) / max(len(own | theirs), 1)
        if shared >= MIN_SHARED:
            message = (f"The same report ({organism}, n° {number}) is already stored as {row.filename!r} ({row.id}; "
                       f"{shared:.0%} of their word sequences shared): this file was not stored again, so that its "
                       f"passages are not found twice. Delete {row.id} first to store this file instead.")
            return Added(row.id, row.segment_count, True, (DocumentWarning(CODE, message),))
    return None
