"""Themes of a document's segments (from a ``ThemeTagger``) and of its sections (from the segments they hold)."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence

from ancols_nlp.pipelines.protocols import ThemeTagger
from ancols_nlp.pipelines.types import Section, Segment, SentenceContext, ThemeItem

# The share of a theme's probability (a passage's) or of its text (a section's) below which it is not listed: the
# tagger's second theme scores under it for 85 % of dev passages (median 0.001), where listing it made a theme
# filter return mostly passages about something else (952 passages for commande_publique, 82 first about it).
THEME_FLOOR = 0.15


def kept_themes(themes: Sequence[str], scores: dict[str, float]) -> list[str]:
    """The best theme and those scoring at least ``THEME_FLOOR`` (the themes a filter and its facet count); a theme
    given without a score (by a caller, not the tagger) is kept: nothing says it is weak."""
    return [t for n, t in enumerate(themes) if n == 0 or t not in scores or scores[t] >= THEME_FLOOR]


def kept_scored(themes: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
    """``kept_themes`` of a tagger's (theme, score) pairs, best first, with their scores."""
    kept = set(kept_themes([theme for theme, _ in themes], dict(themes)))
    return [(theme, score) for theme, score in themes if theme in kept]


def tag_segments(segments: Sequence[Segment], contexts: Sequence[SentenceContext], tagger: ThemeTagger, *,
                 limit: int = 3) -> None:
    """Fill ``themes``/``theme_scores`` of every segment of a document, ``other`` ones included: the best of
    ``limit`` themes and the others scoring at least ``THEME_FLOOR``.

    A table row or a footnote is about something too ("Taux de vacance | 5,4 %"), and a sentence the
    kind model wrongly calls ``other`` keeps its theme: on held-out dev documents this lifts top-1
    theme accuracy from 0.757 to 0.78 (models/themes/MODEL_CARD.md).

    Each passage carries its sentences' texts (``contexts``, with offsets), so a tagger can reuse the
    sentence embeddings the kind model computed."""
    if not segments:
        return
    starts = [c.start for c in contexts]
    items = []
    for s in segments:
        lo, hi = bisect_left(starts, s.start), bisect_left(starts, s.end)
        items.append(ThemeItem(s.text, tuple(s.section_path), tuple(c.text for c in contexts[lo:hi])))
    for segment, themes in zip(segments, tagger.tag_document(items, limit=limit)):
        kept = kept_scored(themes)
        segment.themes = [theme for theme, _ in kept]
        segment.theme_scores = dict(kept)


def inherit_themes(segments: Sequence[Segment], runs: Sequence[Segment]) -> None:
    """Give each segment the themes of the tagged run (``segments.group`` without stances) holding its start.

    An answer cut where its stance turns is still about one topic: its pieces tagged alone read fewer words and
    lost theme accuracy (dev in-sample 0.912 → 0.902, leave-one-out 0.852 → 0.847, most of it in the reply letter)."""
    starts = [r.start for r in runs]
    for segment in segments:
        run = runs[max(0, bisect_right(starts, segment.start) - 1)]
        segment.themes, segment.theme_scores = list(run.themes), dict(run.theme_scores)


def tag_sections(sections: Sequence[Section], segments: Sequence[Segment], *, limit: int = 3,
                 floor: float = THEME_FLOOR) -> None:
    """Fill ``themes``/``theme_scores`` of every section from the segments it holds, subsections included.

    A section's theme is what most of its text is about: each segment's theme scores count in
    proportion to its length, and a theme is kept when it holds at least ``floor`` of the total, so a
    passing mention does not label a whole chapter."""
    starts = [s.start for s in segments]
    for section in sections:
        weights: dict[str, float] = {}
        for segment in segments[bisect_left(starts, section.start):bisect_left(starts, section.end)]:
            for theme, score in segment.theme_scores.items():
                weights[theme] = weights.get(theme, 0.0) + score * (segment.end - segment.start)
        total = sum(weights.values())
        ranked = sorted(((t, w / total) for t, w in weights.items() if total and w / total >= floor),
                        key=lambda tw: -tw[1])[:limit]
        section.themes = [t for t, _ in ranked]
        section.theme_scores = {t: round(share, 3) for t, share in ranked}
