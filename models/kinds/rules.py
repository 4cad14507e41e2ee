"""A transparent kind classifier built from the French cues in ``cues.py``.

It is the fallback when no trained model is shipped, and its decisions are the features a
trained model starts from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ancols_nlp.models.kinds import cues
from ancols_nlp.pipelines.types import KINDS, Kind

NO_STATEMENT_BLOCKS = frozenset({"heading", "table_row", "footnote", "rule"})


@dataclass(frozen=True)
class SentenceContext:
    """What the classifier may look at: the sentence and where it stands."""

    text: str
    block: str
    doc_type: str = "report"
    section_path: tuple[str, ...] = ()
    previous: str = ""
    next: str = ""
    start: int = 0  # offsets of the sentence and of its block in the document text
    end: int = 0
    block_start: int = 0
    block_end: int = 0


@dataclass(frozen=True)
class KindPrediction:
    kind: Kind
    scores: dict[str, float] = field(default_factory=dict)


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


def predict(contexts: list[SentenceContext]) -> list[KindPrediction]:
    out = []
    for ctx in contexts:
        kind = rule_kind(ctx)
        out.append(KindPrediction(kind, {k: float(k == kind) for k in KINDS}))
    return out
