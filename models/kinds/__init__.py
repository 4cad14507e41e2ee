"""Kind of a sentence: observation, recommendation, rebuttal or other (see ANNOTATION.md)."""

from models.kinds import rules


def load_kind_model():
    """The kind classifier the service uses."""
    return rules.predict
