"""Theme tagging from the passage's words and its section headings.

The report outline is thematic ("4.3 Attributions des logements"), so a heading match weighs
more than a word in the passage; the innermost heading weighs most.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from models.themes.lexicon import LEXICON

TEXT_WEIGHT = 1.0
HEADING_WEIGHTS = (3.0, 2.0, 1.0)  # innermost heading first


def fold(text: str) -> str:
    """Lower-case, accent-free text, so the lexicon matches "Vacance" and "VACANCE"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _compiled() -> dict[str, re.Pattern[str]]:
    return {theme: re.compile("|".join(fold(p) for p in stems), re.IGNORECASE) for theme, stems in LEXICON.items()}


def theme_scores(text: str, section_path: tuple[str, ...] = ()) -> dict[str, float]:
    """Evidence per theme; themes without evidence are absent."""
    scores: dict[str, float] = {}
    folded = fold(text)
    for theme, pattern in _compiled().items():
        hits = len(pattern.findall(folded))
        if hits:
            scores[theme] = TEXT_WEIGHT * min(hits, 3)
    for weight, heading in zip(HEADING_WEIGHTS, reversed(section_path)):
        folded_heading = fold(heading)
        for theme, pattern in _compiled().items():
            if pattern.search(folded_heading):
                scores[theme] = scores.get(theme, 0.0) + weight
    return scores


def tag(text: str, section_path: tuple[str, ...] = (), *, limit: int = 3) -> list[tuple[str, float]]:
    """Best themes first, with scores normalised to sum to 1."""
    scores = theme_scores(text, section_path)
    total = sum(scores.values())
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])[:limit]
    return [(theme, round(score / total, 4)) for theme, score in ranked]
