"""Words that signal each theme of the annotation guide, as data: ``lexicon.tsv`` (theme, regex, source).

Patterns are matched on lower-case, accent-free text (``pipelines.french.fold``; the accented forms in
the file are folded too). Every entry names where it comes from, so that none is there because a dev
label needed it; the source codes are listed at the top of the file.
"""

from __future__ import annotations

import csv
from pathlib import Path

LEXICON_FILE = Path(__file__).with_name("lexicon.tsv")


def _read(path: Path) -> dict[str, list[str]]:
    lexicon: dict[str, list[str]] = {}
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            if row and not row[0].startswith("#"):
                theme, pattern, _source = row
                lexicon.setdefault(theme, []).append(pattern)
    return lexicon


LEXICON: dict[str, list[str]] = _read(LEXICON_FILE)
