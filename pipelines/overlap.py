"""Words two passages share: folded, crudely stemmed terms and whole numbers, weighted by rarity.

An organism's answer repeats the words and figures of the finding it answers ("le taux de 7,4 %",
"les registres de sécurité"), whatever its own phrasing around them; rare terms tie more than
"société" or "logement". No stopword list: terms under four letters are dropped and frequent ones
weigh almost nothing. A figure is an amount, a rate or a count; a year (``patterns.YEAR``, alone or in a
period "2018-2022") is a date every passage about the same period holds, so it weighs as a word.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from ancols_nlp.pipelines.french import fold
from ancols_nlp.pipelines.patterns import YEAR

_WORD = re.compile(r"\d+(?:[ ,.]\d+)*|[a-z]{4,}")
STEM = 6  # "attributions" and "attribution" meet, and so do "régularisé" and "régulariser"


def terms(text: str) -> list[str]:
    """A passage's terms: accent-free lower-case words of four letters or more, cut to ``STEM``; numbers whole."""
    folded = fold(text.replace("œ", "oe").replace("Œ", "oe"))
    return [w if w[0].isdigit() else w[:STEM] for w in _WORD.findall(folded)]


def is_figure(term: str) -> bool:
    """Whether a term is a figure (an amount, a rate, a count), not a word or a year."""
    return term[0].isdigit() and not YEAR.fullmatch(term)


def idf(documents: Iterable[Sequence[str]], *, figure: float = 1.0) -> dict[str, float]:
    """Inverse document frequency of each term over ``documents`` (lists of terms), figures' times ``figure``."""
    df: Counter[str] = Counter()
    n = 0
    for document in documents:
        df.update(set(document))
        n += 1
    return {t: math.log((n + 1) / (d + 0.5)) * (figure if is_figure(t) else 1.0) for t, d in df.items()}


def _square(terms_: set[str], weights: dict[str, float]) -> float:
    return sum(weights.get(t, 0.0) ** 2 for t in terms_)


def _cosine(a: set[str], a_square: float, b: set[str], b_square: float, weights: dict[str, float]) -> float:
    norm = math.sqrt(a_square * b_square)
    return _square(a & b, weights) / norm if norm else 0.0


def cosine(a: Iterable[str], b: Iterable[str], weights: dict[str, float]) -> float:
    """Cosine of the two term sets, each term weighted by ``weights`` (unknown terms weigh nothing)."""
    a, b = set(a), set(b)
    return _cosine(a, _square(a, weights), b, _square(b, weights), weights)


class TermSets:
    """Passages' term sets with their weighted norms, made once.

    A reply's every answer is scored against every finding of its report: remaking each finding's set and
    norm for each answer was most of a reply's linking (33 of 38 s CPU in a 15k-passage bulk add). Same
    sets, same sums in the same order: the cosines equal ``cosine``'s to the bit."""

    def __init__(self, passages: Iterable[Iterable[str]], weights: dict[str, float]):
        self.weights = weights
        self.sets = [set(p) for p in passages]
        self.squares = [_square(s, weights) for s in self.sets]

    def cosines(self, own: Iterable[str], indices: Iterable[int]) -> dict[int, float]:
        """Cosine of ``own`` with each passage of ``indices``."""
        a = set(own)
        a_square = _square(a, self.weights)
        return {i: _cosine(a, a_square, self.sets[i], self.squares[i], self.weights) for i in indices}


def share(wanted: Iterable[str], held: Iterable[str], weights: dict[str, float]) -> float:
    """Weighted share of the ``wanted`` terms found in ``held``."""
    wanted = set(wanted)
    total = sum(weights.get(t, 0.0) for t in wanted)
    return sum(weights.get(t, 0.0) for t in wanted & set(held)) / total if total else 0.0
