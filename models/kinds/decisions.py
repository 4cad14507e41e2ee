"""What the annotation guide decides from roles alone, whatever the learned weights say.

A model trained on ANCOLS reports has never seen another control body's procedure section nor its
list of recommendations, so the cues for them (``cues.py``, ``roles.py``) cannot earn a weight from
that data; their meaning does not depend on the body, so they decide:

- the control procedure (opening letter, interviews, notification and reply dates, the
  deliberation that adopted the report) is ``other``, as the guide's legal boilerplate;
- an item of a Points forts / Points faibles / Irrégularités list is a finding unless it prescribes (the guide:
  "as long as the sentence does not prescribe an action"; "… à préciser" prescribes);
- the control body prescribing in any tense ("la chambre recommande / recommandait / invite …",
  "l'Agence ne peut qu'inciter …") makes a ``recommendation``, as "l'Agence recommande" does;
- an item opening on an infinitive under a recommendations title ("Recommandations",
  "Rappels à la réglementation": "Se conformer à …", "Mettre en conformité …") is a recommendation;
- the organism's own reported voice ("la société a précisé", "selon l'ordonnateur", "Habitat 44
  explique", "Elle conteste …" after the organism) is a ``rebuttal``, and so is every sentence of a
  paragraph opened by its answer ("En réponse aux observations provisoires, l'organisme indique … Cette
  situation est en cours de régularisation.") until the control body speaks; the control body's voice
  ("la chambre prend acte", "Elle maintient …" after the chamber) is never one, and is a statement;
- the organism told what it must do ("la société doit / devra …", the guide's first formula) is a
  recommendation, unless it is a forecast or a rule of law or quoted text; so is a duty to remedy
  whatever its subject ("le règlement intérieur devra être modifié", "ce point devra faire l'objet d'une
  régularisation"), even inside an annex, where the control body comments the organism's documents;
  in the control body's voice, so is the organism told what it could do ("le directeur général pourrait
  apporter au CA …", the conditional of that formula), not what may happen to it ("pourrait être amenée à").

Reply letters are left to their own rule (every statement a rebuttal).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ancols_nlp.models.kinds import cues, roles
from ancols_nlp.models.kinds.features import (OVERFIRING_CUES, SECTION_CUES, listed_finding, paragraph_ids,
                                              recommendation_list_flags)
from ancols_nlp.models.kinds.rules import has_statement
from ancols_nlp.pipelines.types import SentenceContext

PROCEDURE = cues.FEATURE_CUES["procedure"]
FORECAST = cues.FEATURE_CUES["forecast"]
CONTROL = re.compile(r"\bcontr[ôo]le\b", re.IGNORECASE)
OVERFIRING = re.compile("|".join(f"(?:{cues.FEATURE_CUES[name].pattern})" for name in OVERFIRING_CUES), re.IGNORECASE)
# The guide's first formulas, "la société doit / devra …", "est invitée à", with the organism as subject.
ORGANISM_MUST = re.compile(r"^\W*(?:" + roles.ORGANISM + r"|elle|il)\s+(?:\w+\s+){0,2}?(?:" + cues.MUST
                           + r"|(?:est|sont)\s+(?:\w+\s+){0,2}?invit[ée]+s?\s+[àa])", re.IGNORECASE)
# Its conditional, "le directeur général pourrait apporter au CA …" (after a fronted phrase too): told what it could
# do, unless the verb says what may happen to it ("la société pourrait être amenée à", "pourrait connaître").
ORGANISM_COULD = re.compile(
    r"(?:^\W*|,\s*)(?:" + roles.ORGANISM + r"|elle|il)\s+(?:\w+\s+){0,2}?pourrai(?:t|ent)\s+(?:\w+\s+){0,2}?"
    r"(?!(?:avoir|se\s+trouver|conna[iî]tre|subir|b[ée]n[ée]ficier|atteindre|repr[ée]senter|d[ée]passer)\b"
    r"|[êe]tre\s+(?:amen|conduit|confront|expos|contraint))\w+(?:er|ir|re)\b", re.IGNORECASE)
REMEDY = cues.FEATURE_CUES["rec_remedy"]
RULE_STATEMENT = re.compile(f"{cues.FEATURE_CUES['document_rule'].pattern}|{cues.FEATURE_CUES['legal_rule'].pattern}",
                            re.IGNORECASE)
QUOTED_MUST = cues.FEATURE_CUES["quoted_must"]
QUOTATION = re.compile(r"«[^»]*(?:»|$)|^[^«»]*»")  # a quotation, or the end of one opened in an earlier sentence
# The control body answering the answer ("l'Agence maintient …", "Elle prend acte de …"): an observation by the
# guide, even when the model reads the organism's commitment in it as a prescription.
TAKES_NOTE = re.compile(r"\b(?:maintien[ts]?|maintenu|pr(?:end|is)\s+acte)\b", re.IGNORECASE)
# Firm observations (``overrule``): the statement of a rule undoes even the model's recommendation or rebuttal
# (and leaves an ``other``: legal boilerplate); the control body answering the answer undoes any kind.
# An item of a Points forts / Points faibles list that prescribes nothing is a finding (``LISTED``), whatever the
# model reads in a bare nominal phrase ("Coûts de production maîtrisés").
RULE, ANSWERS_ANSWER, LISTED = "rule", "answers the answer", "listed finding"
# The guide's soft-advice and attention formulas ("gagnerait à", "constituerait un progrès", "l'attention de la
# société est attirée") prescribe whatever the subject.
ADVICE = re.compile(f"{cues.FEATURE_CUES['rec_soft'].pattern}|{cues.FEATURE_CUES['rec_attention'].pattern}", re.I)
# What makes an item of such a list a prescription: the guide's formulas, impersonal advice, or a nominal to-do
# ("Stratégie d'attribution à préciser": a noun + "à" + infinitive says what is to be done, French grammar).
ITEM_PRESCRIBES = re.compile("|".join(f"(?:{p.pattern})" for p in (
    cues.RECOMMENDATION, cues.FEATURE_CUES["rec_advice"], cues.FEATURE_CUES["todo_item"])), re.IGNORECASE)
LABELS = {"recommendation": cues.FEATURE_CUES["rec_label"], "observation": cues.FEATURE_CUES["obs_label"]}


def _words_after(label: re.Pattern[str], text: str) -> int:
    match = label.search(text)
    return len(text[match.end():].split()) if match else -1


def label_kind(ctx: SentenceContext) -> str | None:
    """The kind a label gives: "Recommandation n°2 : Mettre en place …", "Observation n°3 : Le conseil …", or
    the text under a bare "Recommandation n°2" line. A labelled finding that prescribes is still a
    recommendation (the guide: a finding mixed with a prescription)."""
    for kind, label in LABELS.items():
        if _words_after(label, ctx.text) >= 3 or (0 <= _words_after(label, ctx.previous) < 3
                                                  and has_statement(ctx.text)):
            prescribes = prescribed(ctx.text, ORGANISM_MUST) or prescribed(ctx.text, REMEDY)
            return "recommendation" if prescribes else kind
    return None


def prescribed(text: str, duty: re.Pattern[str]) -> bool:
    """``duty`` ("la société devra …", "… devra être modifié") holds and the sentence is not a forecast, a rule
    of law or quoted text."""
    return bool(duty.search(text)) and not (FORECAST.search(text) or OVERFIRING.search(text))


def role_decision(ctx: SentenceContext, in_rec_list: bool, who: roles.Voice, quoted: bool = False) -> str | None:
    """The kind the guide gives this sentence by its role cues alone, or None to keep the model's.

    ``observation`` means the control body speaks: it never overrules a recommendation (``overrule``)."""
    text = ctx.text
    in_procedure = in_control_procedure(ctx.section_path)
    voice = who.own
    if PROCEDURE.search(text) or (in_procedure and voice != roles.ORG_VOICE):
        return "other"
    if not has_statement(text):
        return None
    if roles.body_prescribes(text, ctx.previous) and voice != roles.ORG_VOICE:
        return "recommendation"
    if in_rec_list and cues.INFINITIVE_LINE.search(text):
        return "recommendation"
    labelled = label_kind(ctx)
    if labelled:
        return labelled
    if listed_finding(ctx):
        return "recommendation" if prescribed(text, ITEM_PRESCRIBES) else LISTED
    if quoted and voice != roles.ORG_VOICE and not who.reply and cues.RECOMMENDATION.search(text):
        return RULE  # a duty inside a quotation opened by an earlier sentence: a quoted text, not an order
    if prescribed(text, ORGANISM_MUST):
        return "recommendation"
    control_body_advises = any(prescribed(text, duty) for duty in (REMEDY, ADVICE, ORGANISM_COULD))
    if voice != roles.ORG_VOICE and not who.reply and control_body_advises:
        return "recommendation"
    if voice == roles.ORG_VOICE or who.reply:
        return "rebuttal"
    if voice == roles.BODY and TAKES_NOTE.search(text):
        return ANSWERS_ANSWER
    if states_a_rule(ctx):
        return RULE
    if voice == roles.BODY:
        return "observation"
    return None


def in_control_procedure(path: Sequence[str]) -> bool:
    """Under the report's own procedure section: a bare "Procédure" title is one only at the top of the outline (a
    chamber's "PROCÉDURE"), as "4.5.1 Procédure" under "4.5 Vente de patrimoine" is the organism's sales procedure;
    a title naming the control ("Déroulement du contrôle") is one anywhere (the documents' structure)."""
    inner = path[-1] if path else ""
    return bool(SECTION_CUES["sec_procedure"].search(inner)) and (len(path) == 1 or bool(CONTROL.search(inner)))


def states_a_rule(ctx: SentenceContext) -> bool:
    """A document's or the law's content, not an order to the organism: "La charte prévoit qu'il appartient au
    comité …", "Elle (la charte) décrit les éléments que doit définir …", a duty only inside a quotation."""
    text = ctx.text
    if RULE_STATEMENT.search(text):
        return True
    if roles.PRONOUN_START.search(text) and roles.antecedent(ctx.previous) == "document":
        return True
    return bool(QUOTED_MUST.search(text)) and not cues.RECOMMENDATION.search(QUOTATION.sub(" ", text))


def quoted_flags(contexts: Sequence[SentenceContext]) -> list[bool]:
    """Whether each sentence starts inside a quotation that an earlier sentence of its block opened (« not yet
    closed by »): the sentencizer cuts a quoted article ("en vertu duquel « Des moyens … doivent être prévus. Ces
    extincteurs doivent … »") into sentences (French typography of quotations)."""
    flags, depth, block = [], 0, None
    for ctx in contexts:
        if ctx.block_start != block:
            depth, block = 0, ctx.block_start
        flags.append(depth > 0)
        depth = max(0, depth + ctx.text.count("«") - ctx.text.count("»"))
    return flags


def role_decisions(contexts: Sequence[SentenceContext]) -> list[str | None]:
    who = roles.voices([c.text for c in contexts], paragraph_ids(contexts), [c.block == "heading" for c in contexts])
    return [role_decision(ctx, listed, voice, quoted) for ctx, listed, voice, quoted
            in zip(contexts, recommendation_list_flags(contexts), who, quoted_flags(contexts))]


def place_decision(ctx: SentenceContext, place: str) -> str | None:
    """Where the layout decides (headings, table rows, annexes: ``other``), a labelled recommendation or
    observation still is one, and in an annex (reproduced documents, tables) so is the control body's comment
    that something must be remedied ("Sur ce point, le règlement intérieur devra être modifié")."""
    if ctx.doc_type == "reply":
        return None
    if place == "annex" and has_statement(ctx.text) and prescribed(ctx.text, REMEDY):
        return "recommendation"
    return label_kind(ctx)


def overrule(model_kind: str, decided: str | None) -> str:
    """The kind to keep: the model's, unless a role decision applies (the control body's voice undoes a rebuttal
    or an ``other``, and leaves a recommendation: "la chambre estime qu'une extension serait judicieuse"; the
    statement of a rule undoes a recommendation or a rebuttal, and leaves an ``other``)."""
    if decided == RULE:
        return model_kind if model_kind == "other" else "observation"
    if decided in (ANSWERS_ANSWER, LISTED):
        return "observation"
    if decided is None or (decided == "observation" and model_kind == "recommendation"):
        return model_kind
    return decided
