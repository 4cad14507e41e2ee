"""When two names are one organism, and which spelling names it.

A scanned letter read by OCR names its writer as no other document does ("Coop'lvry Habitat", lower-case L for
capital i, for "Coop'Ivry Habitat"): reply links (pipelines/reply_links.py) and the service's organism filter,
facets and list (service/organisms.py) take two names for one organism when their folded forms (accents, case and
punctuation aside) are equal, or alike at ``SAME_ORGANISM`` as a misreading makes them (below). The stored names
stay as the documents write them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from difflib import SequenceMatcher

from ancols_nlp.pipelines.french import fold

# Similarity of folded names: "coopivryhabitat" / "cooplvryhabitat" 0.93. Alone it took distinct organisms for one
# whenever a long shared part outweighs what tells them apart: "Organisme 0" / "Organisme 2" (tests' stores) 0.90,
# "Office public de l'habitat de Nantes" / "… de Rennes" (bench/synth.py) 0.93. A misreading changes a glyph or two,
# never a number: names are one organism only if they carry the same numbers and at most MISREAD_CHARS characters
# differ (the letter's "l" for "I" is one; "rn" read for "m", two). tests/pipelines/test_organism_names.py checks
# the names of the corpus, the CRC report and the tests' fixtures stay apart.
SAME_ORGANISM = 0.85
MISREAD_CHARS = 2
NUMBER = re.compile(r"\d+")
ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"  # of folded names


def fold_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(name))


def same_organism(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    fa, fb = fold_name(a), fold_name(b)
    if fa == fb:
        return True
    if abs(len(fa) - len(fb)) > MISREAD_CHARS:  # as many characters differ at least
        return False
    matcher = SequenceMatcher(None, fa, fb)
    differing = sum(max(i2 - i1, j2 - j1) for op, i1, i2, j1, j2 in matcher.get_opcodes() if op != "equal")
    return (differing <= MISREAD_CHARS and NUMBER.findall(fa) == NUMBER.findall(fb)
            and matcher.ratio() >= SAME_ORGANISM)


@dataclass(frozen=True)
class Organism:
    name: str  # the spelling most stored documents give (a tie: the first stored)
    spellings: tuple[str, ...]  # every stored spelling, ``name`` first


def organisms(documents: Mapping[str, int]) -> list[Organism]:
    """The organisms that ``documents`` (stored name → documents giving it, in the order first stored) name, by
    name. Names are taken by documents, most first (a tie: the first stored): each is the organism of the first
    taken name it is the same organism as, else names a new one. An organism is so named as most of its documents
    write it: a misreading is confined to its scanned document, while the first stored spelling is the misreading
    whenever the letter is stored first, as the corpus orders them (000 is the Coop'lvry letter)."""
    return list(_grouped(tuple(documents.items())))


def spellings(known: Iterable[Organism], names: Iterable[str]) -> tuple[str, ...]:
    """Every stored spelling of the organisms that the stored ``names`` name, each once, in order."""
    of = {spelling: o for o in known for spelling in o.spellings}
    return tuple(dict.fromkeys(s for name in names for s in (of[name].spellings if name in of else (name,))))


def per_organism(counts: Mapping[str, int], known: Iterable[Organism]) -> dict[str, int]:
    """An organism facet (``counts``: passages per stored name) counted per organism, under its name, by name."""
    name = {spelling: o.name for o in known for spelling in o.spellings}
    out: Counter[str] = Counter()
    for spelling, n in counts.items():
        out[name.get(spelling, spelling)] += n
    return dict(sorted(out.items()))


@lru_cache(maxsize=4)
def _grouped(documents: tuple[tuple[str, int], ...]) -> tuple[Organism, ...]:
    """``organisms``, made once per store state (an organism filter and GET /organisms ask at each request)."""
    names = [name for name, _ in sorted(documents, key=lambda item: -item[1])]  # stable: ties stay as stored
    counts = _letter_counts(names)
    groups: dict[int, list[str]] = {}  # by the row of the name that names the group
    for i, name in enumerate(names):
        # Names whose letters differ by more than a misreading can change are not compared (600 names: 0.5 s).
        near = np.flatnonzero(np.abs(counts[:i] - counts[i]).sum(axis=1) <= 2 * MISREAD_CHARS).tolist()
        head = next((j for j in near if j in groups and same_organism(names[j], name)), None)
        groups.setdefault(i if head is None else head, []).append(name)
    return tuple(sorted((Organism(g[0], tuple(g)) for g in groups.values()), key=lambda o: o.name))


def _letter_counts(names: list[str]) -> np.ndarray:
    """How many times each folded name holds each letter and digit: a character a misreading changes moves two
    counts by one, one it adds or drops one count."""
    counts = np.zeros((len(names), len(ALPHABET)), dtype=np.int32)
    for i, name in enumerate(names):
        for char in fold_name(name):
            counts[i, ALPHABET.index(char)] += 1
    return counts
