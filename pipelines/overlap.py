"""Words two passages share: folded, crudely stemmed terms and whole numbers, weighted by rarity.

An organism's answer repeats the words and figures of the finding it answers ("le taux de 7,4 %",
"les registres de sécurité"), whatever its own phrasing around them; rare terms tie more than
"société" or "logement". No stopword list: terms under four letters are dropped and frequent ones
weigh almost nothing.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from ancols_nlp.pipelines.french import fold

_WORD = re.compile(r"\d+(?:[ ,.]\d+)*|[a-z]{4,}")
STEM = 6  # "attributions" and "attribution" meet, and so do "régularisé" and "régulariser"


def terms(text: str) -> list[str]:
    """A passage's terms: accent-free lower-case words of four letters or more, cut to ``STEM``; numbers whole."""
    folded = fold(text.replace("œ", "oe").replace("Œ", "oe"))
    return [w if w[0].isdigit() else w[:STEM] for w in _WORD.findall(folded)]


def idf(documents: Iterable[Sequence[str]], *, figure: float = 1.0) -> dict[str, float]:
    """Inverse document frequency of each term over ``documents`` (lists of terms), figures' times ``figure``."""
    df: Counter[str] = Counter()
    n = 0
    for document in documents:
        df.update(set(document))
        n += 1
    return {t: math.log((n + 1) / (d + 0.5)) * (figure if t[0].isdigit() else 1.0) for t, d in df.items()}


def cosine(a: Iterable[str], b: Iterable[str], weights: dict[str, float]) -> float:
    """Cosine of the two term sets, each term weighted by ``weights`` (unknown terms weigh nothing)."""
    a, b = set(a), set(b)
    norm = math.sqrt(sum(weights.get(t, 0.0) ** 2 for t in a) * sum(weights.get(t, 0.0) ** 2 for t in b))
    return sum(weights.get(t, 0.0) ** 2 for t in a & b) / norm if norm else 0.0


def share(wanted: Iterable[str], held: Iterable[str], weights: dict[str, float]) -> float:
    """Weighted share of the ``wanted`` terms found in ``held``."""
    wanted = set(wanted)
    total = sum(weights.get(t, 0.0) for t in wanted)
    return sum(weights.get(t, 0.0) for t in wanted & set(held)) / total if total else 0.0
