"""Kind of a sentence: observation, recommendation, rebuttal or other (see ANNOTATION.md)."""

from ancols_nlp.models.kinds import rules
from ancols_nlp.models.kinds.model import load_model
from ancols_nlp.pipelines.protocols import KindClassifier


def load_kind_model() -> KindClassifier:
    """The kind classifier the service uses: the trained model (``model.py``), else the rules.

    The fallback is logged as a warning, so a deployment without the artefact is visible."""
    return load_model() or rules.predict
