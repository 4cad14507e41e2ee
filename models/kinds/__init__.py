"""Kind of a sentence: observation, recommendation, rebuttal or other (see ANNOTATION.md)."""

from ancols_nlp.models.kinds import rules


def load_kind_model():
    """The kind classifier the service uses: the trained model (``model.py``), else the rules.

    The fallback is logged as a warning, so a deployment without the artefact is visible."""
    from ancols_nlp.models.kinds.model import load_model

    return load_model() or rules.predict
