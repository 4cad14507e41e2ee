"""Lexicon scoring: theme evidence of a text and of the headings above it, from ``lexicon.LEXICON``.

The trained model's features and priors are built on it, and it tags on its own when no trained
model is shipped (``tagger.LexiconTagger``): a heading match weighs more than a word in the passage
and the innermost heading weighs most.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from ancols_nlp.models.themes.lexicon import LEXICON
from ancols_nlp.pipelines.french import fold  # lower-case, accent-free: "Vacance" matches "VACANCE"
from ancols_nlp.pipelines.patterns import without_note_calls

TEXT_WEIGHT = 1.0
HEADING_WEIGHTS = (3.0, 2.0, 1.0)  # innermost heading first
# Headings that say nothing about the theme: synthèse, conclusion, points forts/faibles, annexes, a letterhead…
# A numbered présentation's number is one character class, not nested runs: "(?:[\dIVX]+\W*)*" matched the same
# prefixes but backtracked exponentially on a heading of numerals ("XXXX…", 25 characters took 5 s).
GENERIC_HEADING = re.compile(
    r"synth[èe]se|conclusion|pr[ée]ambule|points?\s+(?:forts?|faibles?)|irr[ée]gularit|anomalies|fiche\s+r[ée]cap"
    r"|annexe|sommaire|^\W*(?:ancols|miilos)\W*$|\brapport\b|^[\W\dIVX]*pr[ée]sentation\b|contexte|^\W*n\s*°"
    r"|\s\|\s|proc[ée]dure\s*$|observations\s+d[ée]finitives",  # a table row read as a title; a chamber's parts
    re.IGNORECASE,
)


def thematic_headings(path: Sequence[str]) -> list[str]:
    """The headings of ``path`` that name a theme (outermost first): generic ones are skipped."""
    return [h for h in path if not GENERIC_HEADING.search(h)]


EntryWeights = Mapping[str, float]  # lexicon entry key (``entry_key``) → weight; a missing entry weighs 1


def entry_key(theme: str, pattern: str) -> str:
    return f"{theme}\t{pattern}"


def entry_theme(key: str) -> str:
    """The theme of an ``entry_key``."""
    return key.split("\t", 1)[0]


@lru_cache(maxsize=1)
def _compiled() -> dict[str, re.Pattern[str]]:
    """One alternation per theme, each entry its own group (entries hold no capturing group of their own), so
    that a hit can be traced back to the entry that made it."""
    return {theme: re.compile("|".join(f"({fold(p)})" for p in stems), re.IGNORECASE)
            for theme, stems in LEXICON.items()}


def entry_hits(text: str) -> dict[str, int]:
    """Hits of each lexicon entry in ``text`` (``entry_key`` → count; entries without a hit are absent). Note calls
    go before folding, which would turn "vacants²" into "vacants2"."""
    folded = fold(without_note_calls(text))
    hits: dict[str, int] = {}
    for theme, pattern in _compiled().items():
        for match in pattern.finditer(folded):
            key = entry_key(theme, LEXICON[theme][match.lastindex - 1])
            hits[key] = hits.get(key, 0) + 1
    return hits


def lexicon_counts(text: str, weights: EntryWeights | None = None) -> dict[str, float]:
    """Lexicon hits per theme in ``text``, each entry's hits times its weight (themes without a hit are absent)."""
    counts: dict[str, float] = {}
    for key, hits in entry_hits(text).items():
        theme = entry_theme(key)
        counts[theme] = counts.get(theme, 0) + hits * (weights.get(key, 1.0) if weights is not None else 1)
    return {theme: hits for theme, hits in counts.items() if hits}


def theme_scores(text: str, section_path: tuple[str, ...] = (),
                 heading_weights: EntryWeights | None = None) -> dict[str, float]:
    """Evidence per theme; themes without evidence are absent. A heading's theme counts its entries'
    ``heading_weights`` (at most 1 each: ``specificity.heading_weights``), every entry 1 without them."""
    scores = {theme: TEXT_WEIGHT * min(hits, 3) for theme, hits in lexicon_counts(text).items()}
    heads = [lexicon_counts(heading, heading_weights) for heading in reversed(thematic_headings(section_path))]
    for weight, themes in zip(HEADING_WEIGHTS, heads):
        for theme, hits in themes.items():
            scores[theme] = scores.get(theme, 0.0) + weight * min(hits, 1.0)
    if heads:  # what the innermost heading adds to its parent ("4.5 Vente de patrimoine" under "4. Patrimoine")
        for theme in set(heads[0]) - set(heads[1] if len(heads) > 1 else ()):
            scores[theme] += HEADING_WEIGHTS[0] * min(heads[0][theme], 1.0)
    return scores


def tag(text: str, section_path: tuple[str, ...] = (), *, limit: int = 3) -> list[tuple[str, float]]:
    """Lexicon themes of a passage, best first, scores normalised to sum to 1."""
    scores = theme_scores(text, section_path)
    total = sum(scores.values())
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])[:limit]
    return [(theme, round(score / total, 4)) for theme, score in ranked]
