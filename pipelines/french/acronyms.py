"""The acronyms a document defines itself: "la commission d'attribution des logements (CAL)", "la CUS
(convention d'utilité sociale)".

A report spells an acronym out once and uses it bare afterwards; the pair it gives is the most reliable
source there is for what the acronym means in that document ("CAF" is a capacité d'autofinancement in a
financial analysis, a caisse d'allocations familiales elsewhere). A pair is kept when the acronym's
letters are the initials of the long form's words, in order (after Schwartz & Hearst, 2003): the first
letter starts the first word, a content word; every content word gives a letter (a hyphenated one, one
per part: "PV", procès-verbaux); function words ("de", "des", "l'", "à") give one or none: "HLM",
habitation à loyer modéré. So "(2019)", "(cf. supra)" or "la société (SA)" are not pairs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ancols_nlp.pipelines.french import ACRONYM, APOSTROPHES, ELISION, fold, folded_stopwords

# An acronym in parentheses after its long form, or a long form in parentheses after its acronym: not after a
# letter, but after an elided article's apostrophe, which may be U+02BC, a letter to Unicode ("lʼOPH (…)").
_AFTER = re.compile(r"\((" + ACRONYM.pattern + r")\)")
_BEFORE = re.compile(rf"(?<![^\W{APOSTROPHES}])(" + ACRONYM.pattern + r")\s*\(([^()]{3,120})\)")
_WORD = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
_CLAUSE_END = re.compile(r"[.;:!?()\n]")
ACRONYMS_VERSION = "acronyms-2"  # stores mine their documents again when it changes
MAX_EXTRA_WORDS = 5  # words of a long form beyond the acronym's letters (function words, mostly)


@dataclass(frozen=True)
class Acronym:
    short: str  # "CAL"
    long: str  # "commission d'attribution des logements", as written


def mine_acronyms(text: str) -> tuple[Acronym, ...]:
    """Every (acronym, long form) pair the text defines, once each, in order of first definition."""
    found: dict[tuple[str, str], Acronym] = {}
    for match in _AFTER.finditer(text):
        clause = _CLAUSE_END.split(text[max(0, match.start() - 200):match.start()])[-1]
        long = _long_form_before(clause, match.group(1))
        if long:
            found.setdefault((match.group(1), fold(long)), Acronym(match.group(1), long))
    for match in _BEFORE.finditer(text):
        short, inside = match.group(1), " ".join(match.group(2).split())
        if _initials_match(short, _WORD.findall(inside)) and _starts_right(short, inside):
            found.setdefault((short, fold(inside)), Acronym(short, inside))
    return tuple(found.values())


def _long_form_before(clause: str, short: str) -> str | None:
    """The shortest run of words ending the clause whose initials spell ``short``."""
    spans = list(_WORD.finditer(clause))
    for n in range(len(short) // 2 or 1, min(len(spans), len(short) + MAX_EXTRA_WORDS) + 1):
        words = [m.group() for m in spans[-n:]]
        if _initials_match(short, words):
            return _unelided(" ".join(clause[spans[-n].start():spans[-1].end()].split()))
    return None


def _starts_right(short: str, inside: str) -> bool:
    """A long form in parentheses is that alone: nothing but its words ("cf. supra" is a reference)."""
    return bool(_WORD.match(inside)) and len(_WORD.findall(inside)) <= len(short) + MAX_EXTRA_WORDS


def _initials_match(short: str, words: list[str]) -> bool:
    """The long form starts with a content word ("provision pour gros entretien", not "pour gros entretien")."""
    pieces = tuple(_bare(w) for w in words)
    if not pieces or not pieces[0] or pieces[0][0] != short[0].lower() or pieces[0] in folded_stopwords():
        return False
    return _align(short.lower(), pieces)


def _unelided(text: str) -> str:
    """``text`` without the elided article it starts with ("l'Office Public de l'Habitat", "Dʼ…"), in any case and
    after any apostrophe, as the analyzer reads one."""
    elision = ELISION.match(text)
    return text[elision.end():] if elision else text


_ONE_APOSTROPHE = str.maketrans({mark: "'" for mark in APOSTROPHES})


def _bare(word: str) -> str:
    return fold(_unelided(word)).translate(_ONE_APOSTROPHE)


@lru_cache(maxsize=4096)
def _align(letters: str, words: tuple[str, ...]) -> bool:
    """Whether ``letters`` are spelled by ``words`` in order: each content word gives its initial (or the
    initials of its first hyphenated parts), each function word its initial or nothing."""
    if not words:
        return not letters
    word, rest = words[0], words[1:]
    function = word in folded_stopwords()
    if function and _align(letters, rest):
        return True
    if not letters or letters[0] != word[:1]:
        return False
    parts = [p for p in re.split(r"[-']", word) if p]
    return any(letters[:n] == "".join(p[0] for p in parts[:n]) and _align(letters[n:], rest)
               for n in range(1, len(parts) + 1))


_TAG = re.compile(r"<[^>]+>")
_CELL = re.compile(r"\t|\|")


def glossary_row(text: str) -> bool:
    """Whether a line of table cells (tab- or |-separated) is a glossary's: an acronym cell followed by a cell that
    spells it out, by the same initials rule as a definition in running text ("GIE | Groupement d'Intérêt
    Économique"). Search shows such rows after the passages (index/passages.py ``distinct``).

    A text with no cell separator is one cell, no row: answered before the tag pass and the split (~4 us a
    passage, ~17 passages a search)."""
    if "\t" not in text and "|" not in text:
        return False
    cells = [c.strip() for c in _CELL.split(_TAG.sub("", text))]
    cells = [c for c in cells if c]
    return any(ACRONYM.fullmatch(short) is not None and _initials_match(short, _WORD.findall(long))
               for short, long in zip(cells, cells[1:]))
