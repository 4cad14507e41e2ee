"""A transparent kind classifier built from the French cues in ``cues.py``.

It is the fallback when no trained model is shipped, and its decisions are the features a
trained model starts from.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ancols_nlp.models.kinds import cues
from ancols_nlp.pipelines.types import KINDS, Kind, KindPrediction, SentenceContext

NO_STATEMENT_BLOCKS = frozenset({"heading", "table_row", "footnote", "rule"})


def has_statement(text: str) -> bool:
    """Whether a line says something: enough words, and not just figures, names or a salutation."""
    words = re.findall(r"[^\W\d_]{2,}", text)
    if len(words) < 4 or cues.OTHER.search(text):
        return False
    lowercase_words = sum(1 for w in words if w.islower())
    return lowercase_words >= 3


def rule_kind(ctx: SentenceContext) -> Kind:
    if ctx.block in NO_STATEMENT_BLOCKS or not has_statement(ctx.text):
        return "other"
    if ctx.doc_type == "reply":
        return "rebuttal"
    if cues.REBUTTAL.search(ctx.text) and not cues.AGENCY_REPLY.search(ctx.text):
        return "rebuttal"
    if cues.RECOMMENDATION.search(ctx.text):
        return "recommendation"
    return "observation"


def predict(contexts: Sequence[SentenceContext]) -> list[KindPrediction]:
    """A ``KindClassifier``: each sentence's rule kind, with score 1 for it and 0 for the others."""
    out = []
    for ctx in contexts:
        kind = rule_kind(cues.as_read(ctx))
        out.append(KindPrediction(kind, {k: float(k == kind) for k in KINDS}))
    return out
