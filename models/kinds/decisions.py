"""What the annotation guide decides from roles alone, whatever the learned weights say.

A model trained on ANCOLS reports has never seen another control body's procedure section nor its
list of recommendations, so the cues for them (``cues.py``, ``roles.py``) cannot earn a weight from
that data; their meaning does not depend on the body, so they decide:

- the control procedure (opening letter, interviews, notification and reply dates, the
  deliberation that adopted the report) is ``other``, as the guide's legal boilerplate;
- the control body prescribing in any tense ("la chambre recommande / recommandait / invite …",
  "l'Agence ne peut qu'inciter …") makes a ``recommendation``, as "l'Agence recommande" does;
- an item opening on an infinitive under a recommendations title ("Recommandations",
  "Rappels à la réglementation": "Se conformer à …", "Mettre en conformité …") is a recommendation;
- the organism's own reported voice ("la société a précisé", "selon l'ordonnateur", "Habitat 44
  explique", "Elle conteste …" after the organism) is a ``rebuttal``; the control body's voice
  ("la chambre prend acte", "Elle maintient …" after the chamber) is never one, and is a statement;
- the organism told what it must do ("la société doit / devra …", the guide's first formula) is a
  recommendation, unless it is a forecast or a rule of law or quoted text.

Reply letters are left to their own rule (every statement a rebuttal).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ancols_nlp.models.kinds import cues, roles
from ancols_nlp.models.kinds.features import OVERFIRING_CUES, SECTION_CUES, recommendation_list_flags
from ancols_nlp.models.kinds.rules import has_statement
from ancols_nlp.pipelines.types import SentenceContext

PROCEDURE = cues.FEATURE_CUES["procedure"]
FORECAST = cues.FEATURE_CUES["forecast"]
OVERFIRING = re.compile("|".join(f"(?:{cues.FEATURE_CUES[name].pattern})" for name in OVERFIRING_CUES), re.IGNORECASE)
# The guide's first formula, "la société doit / devra …", with the organism as subject.
ORGANISM_MUST = re.compile(r"^\W*(?:" + roles.ORGANISM + r"|elle|il)\s+(?:\w+\s+){0,2}?" + cues.MUST, re.IGNORECASE)


def role_decision(ctx: SentenceContext, in_rec_list: bool) -> str | None:
    """The kind the guide gives this sentence by its role cues alone, or None to keep the model's.

    ``observation`` means the control body speaks: it never overrules a recommendation (``overrule``)."""
    text = ctx.text
    in_procedure = any(SECTION_CUES["sec_procedure"].search(t) for t in ctx.section_path[-1:])
    voice = roles.own_voice(text, ctx.previous)
    if PROCEDURE.search(text) or (in_procedure and voice != roles.ORG_VOICE):
        return "other"
    if not has_statement(text):
        return None
    if roles.body_prescribes(text, ctx.previous) and voice != roles.ORG_VOICE:
        return "recommendation"
    if in_rec_list and cues.INFINITIVE_LINE.search(text):
        return "recommendation"
    if ORGANISM_MUST.search(text) and not (FORECAST.search(text) or OVERFIRING.search(text)):
        return "recommendation"
    if voice == roles.ORG_VOICE:
        return "rebuttal"
    if voice == roles.BODY:
        return "observation"
    return None


def role_decisions(contexts: Sequence[SentenceContext]) -> list[str | None]:
    return [role_decision(ctx, listed) for ctx, listed in zip(contexts, recommendation_list_flags(contexts))]


def overrule(model_kind: str, decided: str | None) -> str:
    """The kind to keep: the model's, unless a role decision applies (the control body's voice undoes a rebuttal
    or an ``other``, and leaves a recommendation: "la chambre estime qu'une extension serait judicieuse")."""
    if decided is None or (decided == "observation" and model_kind == "recommendation"):
        return model_kind
    return decided
