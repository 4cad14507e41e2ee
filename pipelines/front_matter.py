"""The front matter a static-site export puts at the very top of a markdown file: metadata, not passages.

Jekyll, Hugo and Pandoc write it as YAML between two ``---`` lines (Pandoc may close it with ``...``), Hugo also as
TOML between two ``+++`` lines. It opens on the file's first line (after a byte order mark) and names its keys on
lines of their own (``title: …``, ``title = "…"``); a ``---`` rule further down, or a first block that is not keyed,
is the document's own text. Its ``title`` is the document's title; the whole block stays in the stored text
(offsets index the file as uploaded) and the steps read it as blank.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The opening delimiter, the keyed lines up to the closing one (the same delimiter, or "..." after YAML), its end.
_KEYED = r"(?:[ \t]*\n)*[A-Za-z_][\w-]*"  # blank lines, then the first key
YAML = re.compile(rf"\A[\ufeff ]?---[ \t]*\n(?={_KEYED}:(?:[ \t]|\n))(.*?\n)(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
TOML = re.compile(rf"\A[\ufeff ]?\+\+\+[ \t]*\n(?={_KEYED}[ \t]*=)(.*?\n)\+\+\+[ \t]*(?:\n|\Z)", re.DOTALL)
YAML_TITLE = re.compile(r"^title:[ \t]*(.*?)[ \t]*$", re.MULTILINE)
TOML_TITLE = re.compile(r"^title[ \t]*=[ \t]*(.*?)[ \t]*$", re.MULTILINE)
BLOCK_SCALAR = re.compile(r"^[>|][+-]?$")


@dataclass(frozen=True)
class FrontMatter:
    end: int  # offset just past the closing delimiter's line
    title: str | None

    def blanked(self, text: str) -> str:
        """``text`` with the front matter read as blank lines: same length, line ends kept."""
        return re.sub(r"[^\n]", " ", text[:self.end]) + text[self.end:]


def front_matter(text: str) -> FrontMatter | None:
    """The front matter opening ``text``, or None."""
    for pattern, title in ((YAML, _yaml_title), (TOML, _toml_title)):
        found = pattern.match(text)
        if found:
            return FrontMatter(found.end(), title(found.group(1)))
    return None


def _yaml_title(body: str) -> str | None:
    """The top-level ``title`` scalar: plain, quoted, or a folded / literal block (its indented lines, joined)."""
    found = YAML_TITLE.search(body)
    if not found:
        return None
    value = found.group(1)
    if BLOCK_SCALAR.match(value):
        block = re.match(r"(?:[ \t]+\S[^\n]*\n?|[ \t]*\n)*", body[found.end() + 1:]).group()
        value = " ".join(block.split())
    elif value[:1] in "\"'" and value.endswith(value[0]) and len(value) > 1:
        value = value[1:-1].replace("''", "'") if value[0] == "'" else value[1:-1].replace('\\"', '"')
    else:
        value = re.sub(r"\s+#.*$", "", value)  # a comment after a plain scalar
    return _clean(value)


def _toml_title(body: str) -> str | None:
    found = TOML_TITLE.search(body)
    if not found:
        return None
    value = found.group(1)
    quoted = re.match(r"^(\"(?:[^\"\\]|\\.)*\"|'[^']*')", value)
    return _clean(quoted.group()[1:-1].replace('\\"', '"') if quoted else value)


def _clean(value: str) -> str | None:
    value = " ".join(value.split())
    return value[:200] or None
