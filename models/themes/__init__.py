"""Themes of a passage, from the report outline and the passage's own words."""


def load_theme_model():
    """The trained theme model, or None when its artefact is missing (the lexicon tagger takes over, with a warning)."""
    from ancols_nlp.models.themes.tagger import current_model

    return current_model()
