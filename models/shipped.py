"""The shipped models, bundled as the pipeline receives them (``pipelines.protocols.Models``)."""

from __future__ import annotations

from ancols_nlp.models.kinds import load_kind_model, rules
from ancols_nlp.models.kinds.stance import stance
from ancols_nlp.models.themes.tagger import LexiconTagger, load_theme_tagger
from ancols_nlp.pipelines.protocols import Models


def load_models() -> Models:
    """The trained kind and theme models (each falls back, with a warning, when its artefact is missing) and the
    stance cues. Loaded once by whoever processes documents, then passed to every ``process_text`` call."""
    return Models(kinds=load_kind_model(), themes=load_theme_tagger(), stance=stance)


def fallback_models() -> Models:
    """The transparent ones, no artefact and no embedding: kind rules, lexicon themes, stance cues."""
    return Models(kinds=rules.predict, themes=LexiconTagger(), stance=stance)
