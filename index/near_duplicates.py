"""An upload that is a report already stored from another file (its PDF, then its .docx): answered as the exact
duplicate is (``interface.already_stored``), with the first document's id, not stored a second time.

Two files of one report hash differently and their texts differ a little (page joins, "1er" / "1^{er}", tables
laid out otherwise), so every passage came twice in a search. A stored document repeats the upload when both name
the same organism and document type, the same report number (a document naming none, as most reply letters: the
same date), and their texts share most of their word trigrams: Jaccard >= MIN_SHARED. Measured on corpus reports
000-004 each printed as PDF and written as .docx (tests/pdfgen.py, tests/officegen.py): 0.66-1.00 between two files
of one report (0.66 where the test PDF leaves out tab tables), <= 0.04 between two reports; a report's reply letter
names its number but is another document type. The reply letter 000 names no report number: its .txt and its .docx
(trigrams 1.00 shared) were both stored.

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
KEYS = ("report_number", "date")  # the metadata a stored copy is looked up by, the first the upload names
WORD = re.compile(r"[^\W_]+")


def shingles(text: str) -> set[str]:
    """The text's runs of SHINGLE_WORDS words, accents and case aside."""
    words = WORD.findall(french.fold(text))
    return {" ".join(words[i:i + SHINGLE_WORDS]) for i in range(len(words) - SHINGLE_WORDS + 1)}


def lookup(meta: DocumentMeta) -> tuple[str, str] | None:
    """The metadata field and value the stored copies of a document are looked up by: its report number, else its
    date; None when it names no organism or neither."""
    if not meta.organism:
        return None
    return next(((field, getattr(meta, field)) for field in KEYS if getattr(meta, field)), None)


def near_duplicate(find: Callable[[str, str], list[DocumentRow]], meta: DocumentMeta, text: str) -> Added | None:
    """The first stored document that repeats the upload of this metadata and text (see the module docstring),
    answered as a duplicate with a warning naming it; None when there is none. ``find``: the stored documents whose
    metadata field has a value, with their texts (``DocumentReader.find_by_meta``)."""
    key = lookup(meta)
    if key is None:
        return None
    own = None
    for row in find(*key):
        if (not row.text or row.meta.get("doc_type") != meta.doc_type
                or french.fold(row.meta.get("organism") or "") != french.fold(meta.organism)):
            continue
        own = own if own is not None else shingles(text)
        theirs = shingles(row.text)
        shared = len(own & theirs) / max(len(own | theirs), 1)
        if shared >= MIN_SHARED:
            named = f"n° {key[1]}" if key[0] == "report_number" else f"dated {key[1]}"
            message = (f"The same document ({meta.organism}, {named}) is already stored as {row.filename!r} ({row.id}; "
                       f"{shared:.0%} of their word sequences shared): this file was not stored again, so that its "
                       f"passages are not found twice. Delete {row.id} first to store this file instead.")
            return Added(row.id, row.segment_count, True, (DocumentWarning(CODE, message),))
    return None
