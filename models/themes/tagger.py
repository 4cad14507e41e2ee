"""Themes of a passage, from the report outline and the passage's own words.

``tag_segments`` labels a whole document's segments with the trained theme model
(``model.py``: words, thematic headings, neighbours and sentence embeddings); when its
artefact is missing it falls back to ``tag``, the transparent lexicon tagger below, where a
heading match weighs more than a word in the passage and the innermost heading weighs most.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_left
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache

from ancols_nlp.models.themes.lexicon import LEXICON

log = logging.getLogger(__name__)

TEXT_WEIGHT = 1.0
HEADING_WEIGHTS = (3.0, 2.0, 1.0)  # innermost heading first
MAX_OUTLINE_DEPTH = 5  # a real report outline: part > chapter > section > subsection > point
_UNSET = object()
_override: object = _UNSET  # a theme model forced by ``using`` (evaluation)


def fold(text: str) -> str:
    """Lower-case, accent-free text, so the lexicon matches "Vacance" and "VACANCE"."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _compiled() -> dict[str, re.Pattern[str]]:
    return {theme: re.compile("|".join(fold(p) for p in stems), re.IGNORECASE) for theme, stems in LEXICON.items()}


def lexicon_counts(text: str) -> dict[str, int]:
    """Lexicon hits per theme in ``text`` (themes without a hit are absent)."""
    folded = fold(text)
    counts = {theme: len(pattern.findall(folded)) for theme, pattern in _compiled().items()}
    return {theme: hits for theme, hits in counts.items() if hits}


def trusted_path(section_path: Sequence[str]) -> tuple[str, ...]:
    """The headings whose nesting can be believed: all of them, or only the innermost past ``MAX_OUTLINE_DEPTH``.

    A path that deep comes from an outline read wrongly (unnumbered capitalised titles taken each as
    a sub-section of the one before), where the "parents" are earlier sibling chapters: a passage on
    the debt under "… > LE PROCESSUS DES ACHATS > LES RESSOURCES HUMAINES > LA GESTION DE LA DETTE"
    must not lean on procurement or staff. The innermost title is still the section it is in."""
    return tuple(section_path[-1:]) if len(section_path) > MAX_OUTLINE_DEPTH else tuple(section_path)


def theme_scores(text: str, section_path: tuple[str, ...] = ()) -> dict[str, float]:
    """Evidence per theme; themes without evidence are absent."""
    scores = {theme: TEXT_WEIGHT * min(hits, 3) for theme, hits in lexicon_counts(text).items()}
    heads = [set(lexicon_counts(heading)) for heading in reversed(trusted_path(section_path))]
    for weight, themes in zip(HEADING_WEIGHTS, heads):
        for theme in themes:
            scores[theme] = scores.get(theme, 0.0) + weight
    if heads:  # what the innermost heading adds to its parent ("4.5 Vente de patrimoine" under "4. Patrimoine")
        for theme in heads[0] - (heads[1] if len(heads) > 1 else set()):
            scores[theme] += HEADING_WEIGHTS[0]
    return scores


def tag(text: str, section_path: tuple[str, ...] = (), *, limit: int = 3) -> list[tuple[str, float]]:
    """Lexicon themes of a free-standing passage, best first, scores normalised to sum to 1."""
    scores = theme_scores(text, section_path)
    total = sum(scores.values())
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])[:limit]
    return [(theme, round(score / total, 4)) for theme, score in ranked]


def tag_passage(text: str, section_path: tuple[str, ...] = (), *, limit: int = 3) -> list[tuple[str, float]]:
    """Themes of one free-standing passage: the trained model without neighbours, else the lexicon."""
    model = current_model()
    if model is None:
        return tag(text, section_path, limit=limit)
    from ancols_nlp.models.themes.features import ThemeItem

    return model.tag_document([ThemeItem(text, tuple(section_path))], limit=limit)[0]


@lru_cache(maxsize=1)
def _shipped_model():
    from ancols_nlp.models.themes.model import load_model

    return load_model()


def current_model():
    """The theme model ``tag_segments`` uses: the one forced by ``using``, else the shipped one (None: lexicon)."""
    return _shipped_model() if _override is _UNSET else _override


@contextmanager
def using(model) -> Iterator[None]:
    """Tag with ``model`` (None: the lexicon tagger) inside the block; for evaluation, not thread-safe."""
    global _override
    previous, _override = _override, model
    try:
        yield
    finally:
        _override = previous


def tag_segments(segments: Sequence, contexts: Sequence = (), *, limit: int = 3) -> None:
    """Fill ``themes``/``theme_scores`` of every segment of a document, ``other`` ones included.

    A table row or a footnote is about something too ("Taux de vacance | 5,4 %"), and a sentence the
    kind model wrongly calls ``other`` keeps its theme: on held-out dev documents this lifts top-1
    theme accuracy from 0.757 to 0.78 (models/themes/MODEL_CARD.md).

    ``contexts`` (the sentences' ``SentenceContext``, with offsets) let the model reuse the
    sentence embeddings the kind model computed; without them each segment is embedded whole."""
    if not segments:
        return
    model = current_model()
    if model is None:
        ranked = [tag(s.text, tuple(s.section_path), limit=limit) for s in segments]
    else:
        from ancols_nlp.models.themes.features import ThemeItem

        starts = [c.start for c in contexts]
        items = []
        for s in segments:
            lo, hi = bisect_left(starts, s.start), bisect_left(starts, s.end)
            items.append(ThemeItem(s.text, tuple(s.section_path), tuple(c.text for c in contexts[lo:hi])))
        ranked = model.tag_document(items, limit=limit)
    for segment, themes in zip(segments, ranked):
        segment.themes = [theme for theme, _ in themes]
        segment.theme_scores = dict(themes)


def tag_sections(sections: Sequence, segments: Sequence, *, limit: int = 3, floor: float = 0.15) -> None:
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
