"""Uploaded bytes → SourceText, whatever their type.

The type is read from the bytes, not trusted from the file name: a PDF starts with
``%PDF-``; a Word or OpenDocument file is a zip holding ``word/document.xml`` or declaring the
ODT mimetype (any other zip is refused); an HTML page is named .html/.htm or opens with its
doctype or ``<html``; text is UTF-8 (kept unchanged so offsets index the user's own file), UTF-16 or
UTF-32 after a byte order mark, or a legacy French encoding (cp1252) when it is not UTF-8; anything else
is refused with a clear error.
"""

from __future__ import annotations

from pathlib import PurePath

import codecs
import re
import zipfile

from ancols_nlp.pipelines.docx_text import DOCUMENT, read_docx
from ancols_nlp.pipelines.errors import (
    EmptyDocument,
    UndecodableText,
    UnreadableOffice,
    UnreadablePdf,
    UnsupportedType,
)
from ancols_nlp.pipelines.html_text import read_html
from ancols_nlp.pipelines.odt_text import MEDIA_TYPE as ODT, read_odt
from ancols_nlp.pipelines.office_zip import open_package
from ancols_nlp.pipelines.sandbox import Limits, extract_pdf_bounded, read_bounded
from ancols_nlp.pipelines.types import SourceText

TEXT_SUFFIXES = {".txt": "text/plain", ".md": "text/markdown", ".markdown": "text/markdown", "": "text/plain"}
OFFICE_SUFFIXES = {".docx": "a Word document", ".docm": "a Word document", ".odt": "an OpenDocument text"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
HTML_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*(?:<\?xml[^>]*>\s*)?<(?:!doctype\s+html|html)\b",
                        re.IGNORECASE | re.DOTALL)
ACCEPTED = "upload a PDF, .docx, .odt, .html, .txt or .md file"
# Windows' "Unicode" text (Notepad, Excel): UTF-16 or UTF-32 after its byte order mark (UTF-32's LE one first: it
# opens with UTF-16's).
UNICODE_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF16_LE, "utf-16"),
                (codecs.BOM_UTF16_BE, "utf-16"))
STRAYS = re.compile("[\udc80-\udcff]+")
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
BINARY_MAGIC = {
    b"PK\x03\x04": "a zip archive",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"MZ": "a Windows executable",
    b"\x7fELF": "an executable",
    b"\x1f\x8b": "a gzip archive",
    b"Rar!": "a RAR archive",
    b"7z\xbc\xaf": "a 7z archive",
    b"\xd0\xcf\x11\xe0": "a legacy Office document (.doc, .xls) or a password-protected one; save it as .docx or PDF",
}


def extract(data: bytes, filename: str, *, max_pages: int, limits: Limits = Limits()) -> SourceText:
    """The document text of an upload; raises a ``DocumentError`` for what cannot be read. A PDF, Word,
    OpenDocument or HTML file is parsed in a child process within ``limits`` (``pipelines/sandbox.py``)."""
    if not data.strip():
        raise EmptyDocument(f"{filename!r} is empty.")
    suffix = PurePath(filename).suffix.lower()
    if data.startswith(b"%PDF-") or data[:1024].lstrip().startswith(b"%PDF-"):
        return _non_empty(extract_pdf_bounded(data, max_pages=max_pages, limits=limits), filename)
    if suffix == ".pdf":
        raise UnreadablePdf(f"{filename!r} is named .pdf but is not a PDF file.")
    if data.startswith(ZIP_MAGIC):
        return read_bounded(extract_office, data, filename, limits=limits)
    if suffix in OFFICE_SUFFIXES and not data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableOffice(f"{filename!r} is named {suffix} but is not {OFFICE_SUFFIXES[suffix]}.")
    for magic, what in BINARY_MAGIC.items():
        if data.startswith(magic):
            raise UnsupportedType(f"{filename!r} is {what}; {ACCEPTED}.")
    if suffix in HTML_SUFFIXES or HTML_START.match(data[:4096]):
        return read_bounded(extract_html, data, filename, limits=limits)
    if suffix not in TEXT_SUFFIXES:
        raise UnsupportedType(f"{filename!r}: unsupported file type {suffix!r}; {ACCEPTED}.")
    return _non_empty(SourceText(text=decode_text(data, filename), media_type=TEXT_SUFFIXES[suffix]), filename)


def extract_office(data: bytes, filename: str) -> SourceText:
    """A Word or OpenDocument file's text; any other zip is refused as today, a broken one named as such."""
    suffix = PurePath(filename).suffix.lower()
    try:
        package = open_package(data)
    except (zipfile.BadZipFile, EOFError, ValueError):
        if suffix in OFFICE_SUFFIXES:
            raise UnreadableOffice(f"{filename!r} is a damaged {suffix} file: its zip is corrupt or truncated.") \
                from None
        raise UnsupportedType(f"{filename!r} is a zip archive; {ACCEPTED}.") from None
    names = package.names()
    if DOCUMENT in names:
        reader = read_docx
    elif "mimetype" in names and (package.read("mimetype") or b"").strip() == ODT.encode():
        reader = read_odt
    else:
        raise UnsupportedType(f"{filename!r} is a zip archive, not a Word or OpenDocument text; {ACCEPTED}.")
    try:
        return _non_empty(reader(package), filename)
    except RecursionError:  # the readers follow the XML's nesting, which Word keeps a few levels deep
        raise UnreadableOffice(f"{filename!r} nests its XML elements too deeply to be a real document.") from None


def extract_html(data: bytes, filename: str) -> SourceText:
    """A web page's text."""
    return _non_empty(read_html(decode_text(data, filename).lstrip("\ufeff")), filename)


def _non_empty(source: SourceText, filename: str) -> SourceText:
    """``source``, refused when it holds no letter or digit: a byte order mark, no-break or zero-width spaces, rules
    of dashes would be stored as a document of no passage, or of passages that say nothing."""
    if not any(c.isalnum() for c in source.text):
        raise EmptyDocument(f"{filename!r} holds no text: not one letter or digit.")
    return source


def decode_text(data: bytes, filename: str) -> str:
    for bom, encoding in UNICODE_BOMS:  # before the share of NUL bytes, which every UTF-16 text is full of
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError:
                raise UndecodableText(f"{filename!r} opens as {encoding.upper()} text but is not.") from None
    if _binary_share(data) > 0.01:
        raise UnsupportedType(f"{filename!r} looks like binary data, not text; {ACCEPTED} (text saved as UTF-8).")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    text = _utf8_with_strays(data)
    if text is None:
        text = data.decode("cp1252", errors="strict") if _plausible_cp1252(data) else ""
    if not text:
        raise UndecodableText(f"{filename!r} is neither UTF-8 nor Windows-1252/Latin-1 text.")
    return text


def _utf8_with_strays(data: bytes) -> str | None:
    """A UTF-8 text holding a few Windows-1252 bytes (a line pasted from another export), each read as Windows-1252;
    None when those bytes outnumber its UTF-8 characters: then the file is Windows-1252, and a pair of its bytes
    that happens to be valid UTF-8 ("É…") is not one character. Read whole as Windows-1252, such a UTF-8 text had
    every accent turned into two characters ("sociÃ©tÃ©"); "" when a stray byte is not Windows-1252 either."""
    text = data.decode("utf-8", errors="surrogateescape")  # each stray byte → one lone surrogate, U+DC80..U+DCFF
    strays = sum(map(len, STRAYS.findall(text)))
    if strays >= len(text) - len(text.encode("ascii", "ignore")) - strays:  # the UTF-8 characters past ASCII
        return None
    try:
        return STRAYS.sub(lambda m: m.group().encode("utf-8", "surrogateescape").decode("cp1252"), text)
    except UnicodeDecodeError:
        return ""


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
