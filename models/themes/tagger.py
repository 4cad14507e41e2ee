"""The theme tagger the pipeline is given (``pipelines.protocols.ThemeTagger``): the trained model, else the lexicon.

``LinearThemeModel`` (``model.py``: words, thematic headings, neighbours and sentence embeddings)
tags a whole document at once; when its artefact is missing, ``LexiconTagger`` takes over, passage
by passage (``scoring.tag``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ancols_nlp.models.themes.model import ARTEFACTS, load_model
from ancols_nlp.models.themes.scoring import tag
from ancols_nlp.pipelines.protocols import RankedThemes, ThemeTagger
from ancols_nlp.pipelines.types import ThemeItem


class LexiconTagger:
    """The transparent fallback: each passage's lexicon evidence, its own words and the headings above it."""

    def tag_document(self, items: Sequence[ThemeItem], *, limit: int = 3) -> list[RankedThemes]:
        return [tag(item.text, item.section_path, limit=limit) for item in items]


def load_theme_tagger(folder: Path = ARTEFACTS) -> ThemeTagger:
    """The shipped theme model, or the lexicon tagger (with a warning) when its artefact is missing or stale."""
    return load_model(folder) or LexiconTagger()
