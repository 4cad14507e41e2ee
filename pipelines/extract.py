"""Uploaded bytes → SourceText, whatever their type.

The type is read from the bytes, not trusted from the file name: a PDF starts with
``%PDF-``; text is UTF-8 (kept unchanged so offsets index the user's own file), or a legacy
French encoding (cp1252) when it is not UTF-8; anything else is refused with a clear error.
"""

from __future__ import annotations

from pathlib import PurePath

from ancols_nlp.pipelines.errors import EmptyDocument, UndecodableText, UnreadablePdf, UnsupportedType
from ancols_nlp.pipelines.sandbox import Limits, extract_pdf_bounded
from ancols_nlp.pipelines.types import SourceText

TEXT_SUFFIXES = {".txt": "text/plain", ".md": "text/markdown", ".markdown": "text/markdown", "": "text/plain"}
BINARY_MAGIC = {
    b"PK\x03\x04": "a zip archive (or an Office document)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"MZ": "a Windows executable",
    b"\x7fELF": "an executable",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7z archive",
    b"\xd0\xcf\x11\xe0": "a legacy Office document",
}


def extract(data: bytes, filename: str, *, max_pages: int, limits: Limits = Limits()) -> SourceText:
    """The document text of an upload; raises a ``DocumentError`` for what cannot be read."""
    if not data.strip():
        raise EmptyDocument(f"{filename!r} is empty.")
    suffix = PurePath(filename).suffix.lower()
    if data.startswith(b"%PDF-") or data[:1024].lstrip().startswith(b"%PDF-"):
        return extract_pdf_bounded(data, max_pages=max_pages, limits=limits)
    if suffix == ".pdf":
        raise UnreadablePdf(f"{filename!r} is named .pdf but is not a PDF file.")
    for magic, what in BINARY_MAGIC.items():
        if data.startswith(magic):
            raise UnsupportedType(f"{filename!r} is {what}; upload a PDF, .txt or .md file.")
    if suffix not in TEXT_SUFFIXES:
        raise UnsupportedType(f"{filename!r}: unsupported file type {suffix!r}; upload a PDF, .txt or .md file.")
    return SourceText(text=decode_text(data, filename), media_type=TEXT_SUFFIXES[suffix])


def decode_text(data: bytes, filename: str) -> str:
    if _binary_share(data) > 0.01:
        raise UnsupportedType(f"{filename!r} looks like binary data, not text.")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="strict") if _plausible_cp1252(data) else ""
        if not text:
            raise UndecodableText(f"{filename!r} is neither UTF-8 nor Windows-1252/Latin-1 text.") from None
    return text


def _plausible_cp1252(data: bytes) -> bool:
    try:
        data.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


def _binary_share(data: bytes) -> float:
    """Share of control bytes (NUL and friends; not tabs or line breaks) at the start of the file."""
    head = data[:100_000]
    controls = sum(1 for b in head if b < 32 and b not in b"\n\r\t\f")
    return controls / max(1, len(head))
