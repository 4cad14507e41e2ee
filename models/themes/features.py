"""Passage → theme features: its words, the thematic headings above it, its neighbours.

The report outline is thematic ("4.3 Attributions des logements"), but not every heading is:
synthèse, conclusion, préambule, points forts/faibles, fiche récapitulative or a letter's
letterhead say nothing about the theme. Heading features therefore come from the innermost
*thematic* heading (and its thematic parent), and a passage under a generic heading leans on
its own words and on its neighbours (a reply letter has no outline at all: its paragraphs
change theme sentence by sentence, and the window of neighbours is what carries the topic).
The window stops at the section's edges: the passages under the next heading are about its theme.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from ancols_nlp.models.themes.scoring import GENERIC_HEADING, EntryWeights, lexicon_counts, thematic_headings
from ancols_nlp.pipelines.types import THEMES, ThemeItem

TEXT_WINDOW = 4  # neighbours each side for the lexicon window
EMBEDDING_WINDOW = 2  # neighbours each side for the embedding window
Embed = Callable[[list[str]], np.ndarray]


def passage_vectors(items: Sequence[ThemeItem], embed: Embed) -> np.ndarray:
    """Mean sentence embedding of each passage (re-normalised), one encode call for the document.

    The kind model has already embedded those sentences, so through a shared memo a document is
    embedded once, not once per model."""
    texts = list(dict.fromkeys(t for item in items for t in item.parts))
    table = dict(zip(texts, embed(texts)))
    vectors = np.array([np.mean([table[t] for t in item.parts], axis=0) for item in items])
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms > 0, norms, 1.0)


def lexicon_vector(text: str, weights: EntryWeights | None = None) -> np.ndarray:
    counts = lexicon_counts(text, weights)
    return np.array([math.log1p(min(counts.get(t, 0), 3)) for t in THEMES])


HEADING_DECAY = (1.0, 0.5, 0.25)  # innermost thematic heading, its thematic parent, grandparent


def heading_evidence(items: Sequence[ThemeItem], weights: EntryWeights | None = None) -> np.ndarray:
    """(n, 13) lexicon evidence of the thematic headings above each passage, the innermost weighing most; each
    heading word counts its ``weights`` (``specificity.heading_weights``).

    What the innermost heading adds to its parent counts twice: under "4. Patrimoine",
    "4.5 Vente de patrimoine" is about sales."""
    out = np.zeros((len(items), len(THEMES)))
    for i, item in enumerate(items):
        heads = [lexicon_vector(h, weights) for h in reversed(thematic_headings(item.section_path))]
        for weight, vector in zip(HEADING_DECAY, heads):
            out[i] += weight * vector
        if heads:
            out[i] += np.clip(heads[0] - (heads[1] if len(heads) > 1 else 0.0), 0.0, None)
    return out


def section_runs(items: Sequence[ThemeItem]) -> np.ndarray:
    """(n, 2) first and last + 1 index of the run of consecutive passages sharing each passage's section path."""
    n = len(items)
    bounds = np.zeros((n, 2), dtype=int)
    start = 0
    for i in range(1, n + 1):
        if i == n or items[i].section_path != items[start].section_path:
            bounds[start:i] = (start, i)
            start = i
    return bounds


def _window_mean(rows: np.ndarray, width: int, runs: np.ndarray) -> np.ndarray:
    """Mean of each row's ±``width`` neighbours inside its section's run: across a heading, the passages are
    about the next theme (held out, ANCOLS→CRC theme top-1 0.897 → 0.908, unseen ANCOLS 0.818 → 0.818)."""
    csum = np.vstack([np.zeros((1, rows.shape[1])), np.cumsum(rows, axis=0)])
    n = len(rows)
    lo = np.maximum(np.arange(n) - width, runs[:, 0])
    hi = np.minimum(np.arange(n) + width + 1, runs[:, 1])
    return (csum[hi] - csum[lo]) / (hi - lo)[:, None]


def featurize(items: Sequence[ThemeItem], embed: Embed, heading_weights: EntryWeights | None = None) -> np.ndarray:
    """(n, 2*13 + 13 + 3*d + 2) features of a document's passages, in order; headings' lexicon entries count
    ``heading_weights``."""
    n = len(items)
    text_lex = np.array([lexicon_vector(item.text) for item in items]).reshape(n, len(THEMES))
    heads = [thematic_headings(item.section_path) for item in items]
    inner = np.array([lexicon_vector(h[-1], heading_weights) if h else np.zeros(len(THEMES))
                      for h in heads]).reshape(n, len(THEMES))
    parent = np.array([lexicon_vector(h[-2], heading_weights) if len(h) > 1 else np.zeros(len(THEMES))
                       for h in heads]).reshape(n, len(THEMES))
    vectors = passage_vectors(items, embed)
    titles = sorted({h[-1] for h in heads if h})
    title_vectors = dict(zip(titles, embed(titles))) if titles else {}
    heading_vectors = np.array([title_vectors[h[-1]] if h else np.zeros(vectors.shape[1])
                                for h in heads]).reshape(n, vectors.shape[1])
    generic = np.array([[float(bool(item.section_path) and bool(GENERIC_HEADING.search(item.section_path[-1]))),
                         float(not h)]
                        for item, h in zip(items, heads)]).reshape(n, 2)
    runs = section_runs(items)
    return np.hstack([text_lex, inner, parent, _window_mean(text_lex, TEXT_WINDOW, runs), vectors,
                      _window_mean(vectors, EMBEDDING_WINDOW, runs), heading_vectors, generic])
