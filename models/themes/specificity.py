"""How far each heading word can be believed, from the training documents' gold themes.

A lexicon word in a heading is evidence for the passages below it, but not equally: under "4.3 Attributions"
the passages are about allocation, under "5.4.2 Exploitation du patrimoine" or "3.5.1 La gestion de proximité"
they are about procurement, vacancy or service quality as often as about the stock ("patrimoine",
"programme", "travaux" and "créances" head chapters of several themes). Each lexicon entry's heading weight is
its precision on the labelled training passages (the share of the passages under a heading it hits whose gold
theme is its theme), shrunk towards the average precision by ``shrink`` pseudo-passages, and divided by that
average: an entry never seen in a heading weighs 1, a specific one more, a generic one less. Fitted with the
model on its training documents, so a held-out document is never counted.

The same weights for the passage's own words were measured and not kept: they fit the reports, whose
passages follow their headings, and cost the reply letter (MODEL_CARD.md).
"""

from __future__ import annotations

from collections.abc import Iterable

from ancols_nlp.models.themes.scoring import entry_hits, entry_theme, thematic_headings
from ancols_nlp.pipelines.types import ThemeItem


def heading_weights(passages: Iterable[tuple[ThemeItem, str]], shrink: float) -> dict[str, float]:
    """Heading weight of each lexicon entry seen in a thematic heading (``scoring.entry_key`` → weight), from
    labelled passages (item, gold theme); passages without a theme are skipped."""
    seen: dict[str, list[int]] = {}
    for item, theme in passages:
        if not theme:
            continue
        for key in {k for heading in thematic_headings(item.section_path) for k in entry_hits(heading)}:
            counts = seen.setdefault(key, [0, 0])
            counts[0] += 1
            counts[1] += entry_theme(key) == theme
    total, right = sum(n for n, _ in seen.values()), sum(c for _, c in seen.values())
    if not right:
        return {}
    average = right / total
    return {key: round((c + shrink * average) / (n + shrink) / average, 4) for key, (n, c) in sorted(seen.items())}
