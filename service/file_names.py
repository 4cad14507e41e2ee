"""An uploaded file's name as stored and shown: metadata only, never a path (nothing is written under it).

Names came as sent: "../../etc/passwd.txt" was listed as such, a terminal escape or a right-to-left override
came back in every listing, a name of 5,000 characters was kept whole, a name read from a disk in another
encoding than UTF-8 (``ancols ingest`` of an old archive: "rapport-\\udce9t\\udce9.txt") could not be stored and
ended the whole ingest with a traceback, and "é" typed as e + combining accent (macOS) differed from "é".
"""

from __future__ import annotations

import unicodedata
from pathlib import PurePath

MAX_CHARS = 255  # as a file system's name
MAX_SUFFIX = 16  # longer, what follows the last dot is not an extension


def display_name(filename: str | None) -> str:
    """The base name (a path's folders dropped, whichever the separator), as valid text in NFC, its control and
    format characters dropped (whitespace ones as a space), cut to MAX_CHARS with its extension kept: the
    extension tells the file's type (``pipelines.extract``)."""
    name = unicodedata.normalize("NFC", _decoded(filename or "")).replace("\\", "/").rsplit("/", 1)[-1]
    name = " ".join("".join(c if c.isprintable() else " " if c.isspace() else "" for c in name).split())
    if len(name) > MAX_CHARS:
        suffix = PurePath(name).suffix
        suffix = suffix if len(suffix) <= MAX_SUFFIX else ""
        name = name[:MAX_CHARS - len(suffix)].rstrip() + suffix
    return name or "upload"


def _decoded(name: str) -> str:
    """``name`` as text that UTF-8 can hold: the undecodable bytes of a name read from disk (``os.fsdecode`` keeps
    them as lone surrogates) read as Windows-1252, the usual other encoding of French file names."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        pass
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no byte stands for
        return name.encode("utf-8", "replace").decode("utf-8")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")
