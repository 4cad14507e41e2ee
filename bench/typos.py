#!/usr/bin/env python3
"""Typo'd copies of a query set, to measure search on what users type (issue 13).

Each query gets one random edit in one or two of its words of six letters or more (a query without such a word is
left as it is): a letter dropped, a letter typed twice or a neighbouring key's letter inserted, a letter replaced by a
neighbouring key's (French AZERTY keyboard), or two adjacent letters swapped. Seeded, so a set is made again the same;
the query ids are kept, so the set scores against the original's judgements. ``--strip-accents`` drops every accent of
a query first (a user typing without them, and misspelling too):

    python bench/typos.py /work/shared/eval/dev/queries.tsv > /tmp/dev-typos.tsv
    python bench/search_eval.py --data DIR --queries /tmp/dev-typos.tsv
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import unicodedata
from pathlib import Path

ROWS = ("azertyuiop", "qsdfghjklm", "wxcvbn")
LONG_WORD = re.compile(r"[^\W\d_]{6,}")
EDITS = ("deletion", "insertion", "substitution", "transposition")


def _neighbours() -> dict[str, str]:
    """Each letter's neighbouring keys: beside it on its row, and the nearest two on the rows above and below."""
    out: dict[str, str] = {}
    for r, row in enumerate(ROWS):
        for c, key in enumerate(row):
            near = [row[i] for i in (c - 1, c + 1) if 0 <= i < len(row)]
            for other in (r - 1, r + 1):
                if 0 <= other < len(ROWS):
                    near += [ROWS[other][i] for i in (c - 1, c, c + 1) if 0 <= i < len(ROWS[other])]
            out[key] = "".join(dict.fromkeys(near))
    return out


NEIGHBOURS = _neighbours()


def _near(letter: str, rng: random.Random) -> str:
    """A neighbouring key's letter (an accented letter's is its base letter's), in the letter's case."""
    base = unicodedata.normalize("NFD", letter.lower())[0]
    key = rng.choice(NEIGHBOURS.get(base, ROWS[0]))
    return key.upper() if letter.isupper() else key


def misspelt(word: str, rng: random.Random) -> str:
    """``word`` with one random edit, never the word itself."""
    while True:
        edit, i = rng.choice(EDITS), rng.randrange(len(word))
        if edit == "deletion":
            typo = word[:i] + word[i + 1:]
        elif edit == "insertion":
            typo = word[:i + 1] + (word[i] if rng.random() < 0.5 else _near(word[i], rng)) + word[i + 1:]
        elif edit == "substitution":
            typo = word[:i] + _near(word[i], rng) + word[i + 1:]
        else:
            i = min(i, len(word) - 2)
            typo = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        if typo != word:
            return typo


def unaccented(text: str) -> str:
    """``text`` without its accents ("é" → "e"; "œ", a letter of its own, stays)."""
    return unicodedata.normalize("NFC", "".join(c for c in unicodedata.normalize("NFD", text)
                                                if not unicodedata.combining(c)))


def typoed(text: str, rng: random.Random) -> str:
    """The query with one or two of its long words misspelt."""
    spans = [m.span() for m in LONG_WORD.finditer(text)]
    if not spans:
        return text
    for a, z in sorted(rng.sample(spans, min(len(spans), rng.randint(1, 2))), reverse=True):
        text = text[:a] + misspelt(text[a:z], rng) + text[z:]
    return text


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("queries", type=Path, help="a query set: id, tab, text (lines starting with # are comments)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--strip-accents", action="store_true", help="drop every accent of a query before its typos")
    a = ap.parse_args(argv)
    rng = random.Random(a.seed)
    strip = " --strip-accents" if a.strip_accents else ""
    print(f"# {a.queries.name} with typos (bench/typos.py --seed {a.seed}{strip})")
    for line in a.queries.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            qid, text, *rest = line.split("\t")
            print("\t".join([qid, typoed(unaccented(text) if strip else text, rng), *rest]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
