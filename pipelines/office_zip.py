"""An Office document's zip package, opened within bounds, and its XML parts parsed without a DTD.

A .docx or .odt is a zip of XML parts. A zip can claim little and unpack to gigabytes, hold millions of
entries, or be encrypted; an XML part can declare entities that expand exponentially. So the number of
entries and the sizes they declare are bounded before anything is read, every part is read no further
than what is left of the budget (zipfile never unpacks past an entry's declared size, and checks its
CRC), the tags of the parts parsed are counted before the parse (a tree costs per element, and tiny
elements pack millions into a few megabytes), and a part declaring a DTD is refused: Office XML never
has one, and without it no entity can be defined at all (expat's own amplification limit stands behind
that).
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile
import zlib
from dataclasses import dataclass

from ancols_nlp.pipelines.errors import EncryptedOffice, OfficeTooLarge, UnreadableOffice

MAX_ENTRIES = 5_000
MAX_DECLARED_BYTES = 512 * 1024 * 1024  # all entries, as their headers declare them (media included)
MAX_READ_BYTES = 64 * 1024 * 1024  # the XML parts actually unpacked and parsed
# Tags ("<") in the parts parsed: a tree costs ~100 bytes and a few µs per element, and 60 MB of "<w:p/>" (90 KB
# zipped) took 1.1 GB and 37 s of CPU. A 300-page Word report writes some 600,000.
MAX_TAGS = 3_000_000
READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError, ValueError)


class _NoDtd(ET.TreeBuilder):
    def doctype(self, name, pubid, system):
        raise UnreadableOffice("The document's XML declares a DTD, which Office documents never do; it was refused.")


@dataclass
class Package:
    """The parts of an opened zip, read on demand against one byte budget."""

    archive: zipfile.ZipFile
    budget: int = MAX_READ_BYTES
    tags: int = MAX_TAGS

    def names(self) -> set[str]:
        return set(self.archive.namelist())

    def read(self, name: str) -> bytes | None:
        """A part's bytes, None when the package has no such part."""
        try:
            info = self.archive.getinfo(name)
        except KeyError:
            return None
        if info.file_size > self.budget:
            raise OfficeTooLarge()
        try:
            with self.archive.open(info) as part:
                data = part.read(self.budget + 1)
        except READ_ERRORS as exc:
            raise UnreadableOffice(f"The document's part {name!r} is corrupt ({exc}).") from None
        if len(data) > self.budget:
            raise OfficeTooLarge()
        self.budget -= len(data)
        return data

    def xml(self, name: str) -> ET.Element | None:
        """A part parsed as XML, None when the package has no such part."""
        data = self.read(name)
        if data is None:
            return None
        self.tags -= data.count(b"<")
        if self.tags < 0:
            raise OfficeTooLarge(f"The document holds more than {MAX_TAGS:,} XML elements; it is not read.")
        parser = ET.XMLParser(target=_NoDtd())
        try:
            parser.feed(data)
            return parser.close()
        except ET.ParseError as exc:
            raise UnreadableOffice(f"The document's part {name!r} is not well-formed XML ({exc}).") from None


def open_package(data: bytes) -> Package:
    """The zip's package; raises ``zipfile.BadZipFile`` when the bytes are no zip at all (the caller names the
    type), and a ``DocumentError`` for an encrypted zip or one past the bounds."""
    archive = zipfile.ZipFile(io.BytesIO(data))
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise OfficeTooLarge(f"The document's zip holds {len(entries):,} entries; at most {MAX_ENTRIES:,} are read.")
    if sum(e.file_size for e in entries) > MAX_DECLARED_BYTES:
        raise OfficeTooLarge()
    if any(e.flag_bits & 0x1 for e in entries):
        raise EncryptedOffice()
    return Package(archive)


def local(tag: str) -> str:
    """An XML name without its namespace: transitional and strict OOXML, and ODF, name alike."""
    return tag.rpartition("}")[2]


def attr(element: ET.Element | None, name: str) -> str | None:
    """An attribute by its local name, whatever its namespace."""
    if element is not None:
        for key, value in element.attrib.items():
            if local(key) == name:
                return value
    return None


def child(element: ET.Element | None, name: str) -> ET.Element | None:
    return next((c for c in element if local(c.tag) == name), None) if element is not None else None
