"""Sentence → feature vector for the trained kind model: cues, shape, layout and section context.

The features describe what generalises across reports and layouts (PDF dumps, markdown
conversions): French modality and reported-speech cues (``cues.FEATURE_CUES``), the shape of the
line (a statement has words, verbs, lower-case text and ends like a sentence), the layout block
it sits in, and where it stands in the report (synthèse, points forts/faibles lists, annexes,
fiche récapitulative, préambule). Document-level context (e.g. "we are past the annexes heading")
is read from the sequence of contexts, so the model needs nothing the pipeline does not give it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

from ancols_nlp.models.kinds import cues, roles
from ancols_nlp.models.kinds.rules import has_statement
from ancols_nlp.pipelines.types import SentenceContext

OTHER_CUES = ("salutation", "boilerplate", "procedure", "table_ref", "source_note", "footnote_start", "date_line",
              "address", "person_line", "report_meta")
# "doit" / "il convient" that prescribe nothing (a rule of law, a quoted clause, a discourse phrase).
OVERFIRING_CUES = ("legal_rule", "quoted_must", "discourse_convient", "document_rule")
BLOCKS = ("heading", "paragraph", "list_item", "table_row", "footnote", "rule")

# A title announcing a list of prescriptions: its infinitive-led items are recommendations.
REC_TITLE = re.compile(r"^\W*(?:\d[\d.]*\s*)?(?:(?:liste|synth[èe]se|suivi)\s+(?:du\s+suivi\s+)?des\s+)?"
                       r"(?:recommandations?|rappels?\s+(?:[àa]|de)\s+la\s+r[ée]glementation|rappels?\s+au\s+droit"
                       r"|pr[ée]conisations|injonctions)\b[^.]{0,60}$", re.IGNORECASE | re.MULTILINE)
# Section titles that say what the text under them is.
SECTION_CUES: dict[str, re.Pattern[str]] = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in [
    ("sec_fiche", r"fiche\s+r[ée]capitulative"),
    ("sec_points", r"points?\s+(?:forts?|faibles?)|irr[ée]gularit[ée]s|anomalies"),
    ("sec_synthese", r"synth[èe]se"),
    ("sec_conclusion", r"conclusions?"),
    ("sec_preambule", r"pr[ée]ambule"),
    ("sec_sommaire", r"sommaire|table\s+des\s+mati[èe]res"),
    ("sec_annex_title", r"annexes?\b|sigles|diligences|glossaire"),
    ("sec_reply", r"r[ée]ponses?\s+(?:de|du)\b|observations?\s+de\s+l['’]organisme"),
    ("sec_recommendations", REC_TITLE.pattern),
    ("sec_procedure", r"^\W*(?:\d[\d.]*\s*)?(?:la\s+)?proc[ée]dure\s*$"
                      r"|(?:d[ée]roulement|modalit[ée]s)\s+du\s+contr[ôo]le"),
]}
ANNEX_HEADING = re.compile(r"\bannexes?\b|\bsigles\s+utilis", re.IGNORECASE)
BODY_PART = re.compile(r"^\W*(?:\d\.?\s*)?(?:synth[èe]se|pr[ée]ambule|pr[ée]sentation\s+g[ée]n[ée]rale)",
                       re.IGNORECASE)
WORD = re.compile(r"[^\W\d_]{2,}")
TERMINAL = re.compile(r"[.!?…]\s*(?:\*\*|»|\"|\))?\s*$")
BULLET = re.compile(r"^\s*(?:[-–—•▪►●◦→✓☞*]|\$\\rightarrow\$|o\s|\d{1,2}°|\(?[a-z]\)|\d{1,2}\))")


def _shape(text: str) -> dict[str, float]:
    stripped = text.strip()
    words = WORD.findall(stripped)
    n_words = len(words)
    letters = sum(c.isalpha() for c in stripped) or 1
    return {
        "log_chars": math.log1p(len(stripped)) / 6,
        "log_words": math.log1p(n_words) / 4,
        "few_words": float(n_words < 4),
        "lower_ratio": sum(w.islower() for w in words) / n_words if n_words else 0.0,
        "caps_ratio": sum(w.isupper() for w in words) / n_words if n_words else 0.0,
        "digit_ratio": sum(c.isdigit() for c in stripped) / max(len(stripped), 1),
        "upper_char_ratio": sum(c.isupper() for c in stripped) / letters,
        "ends_terminal": float(bool(TERMINAL.search(stripped))),
        "ends_colon": float(stripped.endswith(":")),
        "starts_lower": float(stripped[:1].islower()),
        "starts_bullet": float(bool(BULLET.match(stripped))),
        "starts_digit": float(stripped[:1].isdigit()),
        "has_statement": float(has_statement(stripped)),
    }


def annex_flags(contexts: Sequence[SentenceContext]) -> list[bool]:
    """Whether each sentence lies past the report's annexes heading.

    Sticky, because annex sub-headings ("1. Fonctionnement général", "Règlement intérieur…")
    rarely repeat the word; a later body title (synthèse, préambule…) switches it off again, and
    only a heading past the first 15 % of the sentences counts, so a table of contents read as
    headings cannot turn the whole report into annexes."""
    flags, inside = [], False
    n = len(contexts)
    for i, ctx in enumerate(contexts):
        top = ctx.section_path[:2]
        if inside and top and BODY_PART.search(top[0]):
            inside = False
        elif not inside and i > n * 0.15 and any(ANNEX_HEADING.search(t) for t in top):
            inside = True
        flags.append(inside)
    return flags


def listed_finding(ctx: SentenceContext) -> bool:
    """An item of a Points forts / Points faibles / Irrégularités list: a finding by the annotation guide, never
    ``other`` (the model let the last, longest items of such lists slip to ``other``)."""
    return (ctx.block == "list_item" and bool(ctx.section_path) and len(WORD.findall(ctx.text)) >= 2
            and SECTION_CUES["sec_points"].search(ctx.section_path[-1]) is not None)


def cue_hits(text: str) -> dict[str, float]:
    return {name: float(bool(pattern.search(text))) for name, pattern in cues.FEATURE_CUES.items()}


def recommendation_list_flags(contexts: Sequence[SentenceContext]) -> list[bool]:
    """Whether each sentence follows a recommendations title ("Recommandations", "Rappels à la réglementation")
    with no other heading in between; the title may be a heading or a line of its own inside a block."""
    flags, inside = [], False
    for ctx in contexts:
        titled = bool(REC_TITLE.search(ctx.text))
        if ctx.block == "heading" and not titled:
            inside = False
        flags.append(inside or titled)
        inside = inside or titled
    return flags


def role_features(ctx: SentenceContext, voice: roles.Voice) -> dict[str, float]:
    """Who speaks: the organism (reported speech in any tense, "selon la société", a pronoun standing for it)
    or the control body (any auditor's findings and prescriptions), and the voice carried from the paragraph."""
    own, carried = voice.own, voice.carried
    pronoun = bool(roles.PRONOUN_SPEECH.search(ctx.text))
    opens_on_pronoun = bool(roles.PRONOUN_START.search(ctx.text))
    antecedent = roles.antecedent(ctx.previous) if pronoun or opens_on_pronoun else ""
    return {
        "role_org_speech": float(bool(roles.ORG_SPEECH.search(ctx.text) or roles.NAME_SPEECH.search(ctx.text))),
        "role_according_to": float(bool(roles.ACCORDING_TO.search(ctx.text))),
        "role_pronoun_org": float(pronoun and antecedent == "organism"),
        "role_pronoun_not_org": float(pronoun and antecedent in ("control_body", "document")),
        "role_document_pronoun": float(opens_on_pronoun and antecedent == "document"),
        "role_body_prescribes": float(bool(roles.BODY_PRESCRIBES.search(ctx.text))),
        "role_body_voice": float(own == roles.BODY),
        "voice_org": float(own == roles.ORG_VOICE),
        "carried_org": float(not own and carried == roles.ORG_VOICE),
        "carried_body": float(not own and carried == roles.BODY),
        "reply_paragraph": float(voice.reply),
    }


def sentence_features(ctx: SentenceContext, in_annex: bool, voice: roles.Voice = roles.Voice(),
                      in_rec_list: bool = False) -> dict[str, float]:
    text = ctx.text
    feats: dict[str, float] = {f"block_{b}": float(ctx.block == b) for b in BLOCKS}
    known = ctx.block_end > ctx.block_start  # offsets unknown: a free-standing passage, a block of its own
    feats["sole_in_block"] = float(not known or (ctx.start <= ctx.block_start and ctx.end >= ctx.block_end))
    feats["first_in_block"] = float(not known or ctx.start <= ctx.block_start)
    feats["log_block_chars"] = math.log1p(max(ctx.block_end - ctx.block_start, len(text))) / 8
    feats.update(_shape(text))
    hits = cue_hits(text)
    feats.update(hits)
    # Families pooled, so that a cue seen in one report carries its weight to a sibling cue seen in another.
    roles_ = role_features(ctx, voice)
    feats.update(roles_)
    overfiring = max([hits[name] for name in OVERFIRING_CUES] + [roles_["role_document_pronoun"]])
    prescribes = bool(cues.RECOMMENDATION.search(text) or hits["rec_advice"]) and not (hits["forecast"] or overfiring)
    feats["any_rec"] = float(prescribes or bool(roles_["role_body_prescribes"]))
    feats["any_reb"] = float((roles_["voice_org"] or hits["reb_reply"]) and not roles_["role_body_voice"]
                             and not hits["agency_reply"])
    feats["overfiring"] = overfiring
    feats["in_rec_list"] = float(in_rec_list)
    feats["rec_list_item"] = float(in_rec_list and bool(cues.INFINITIVE_LINE.search(text)))
    feats["any_other"] = max(hits[name] for name in OTHER_CUES)
    path = ctx.section_path
    inner = path[-1] if path else ""
    for name, pattern in SECTION_CUES.items():
        feats[name] = float(any(pattern.search(t) for t in path))
        feats[name + "_inner"] = float(bool(pattern.search(inner)))
    feats["in_annex"] = float(in_annex)
    feats["annex_statement"] = float(in_annex) * feats["has_statement"]
    feats["depth"] = min(len(path), 6) / 6
    feats["no_section"] = float(not path)
    feats["is_heading_title"] = float(bool(path) and text.strip(" #*:") == inner)
    feats["doc_reply"] = float(ctx.doc_type == "reply")
    previous = ctx.previous
    feats["prev_reb_reply"] = float(bool(cues.FEATURE_CUES["reb_reply"].search(previous)))
    feats["prev_reb_speech"] = float(bool(cues.FEATURE_CUES["reb_org_speech"].search(previous)
                                          or cues.FEATURE_CUES["reb_name_speech"].search(previous)))
    feats["prev_rec"] = float(bool(cues.RECOMMENDATION.search(previous)))
    feats["starts_pronoun"] = float(bool(re.match(r"^\W*(?:elle|il|celle-ci|celui-ci|cette\s+derni[èe]re)\b",
                                                  text, re.IGNORECASE)))
    feats["prev_statement"] = float(has_statement(previous)) if previous else 0.0
    feats["next_statement"] = float(has_statement(ctx.next)) if ctx.next else 0.0
    return feats


FEATURE_NAMES: tuple[str, ...] = tuple(sentence_features(SentenceContext(text="x", block="paragraph"), False))


def paragraph_ids(contexts: Sequence[SentenceContext]) -> list[int]:
    """The block each sentence belongs to (its start offset), or its own position when offsets are unknown."""
    return [c.block_start if c.block_end > c.block_start else -1 - i for i, c in enumerate(contexts)]


def featurize(contexts: Sequence[SentenceContext]) -> np.ndarray:
    """One row of hand-crafted features per sentence, columns in ``FEATURE_NAMES`` order."""
    flags, listed = annex_flags(contexts), recommendation_list_flags(contexts)
    voices = roles.voices([c.text for c in contexts], paragraph_ids(contexts), [c.block == "heading" for c in contexts])
    rows = [sentence_features(ctx, flag, voice, item)
            for ctx, flag, voice, item in zip(contexts, flags, voices, listed)]
    return np.array([[row[name] for name in FEATURE_NAMES] for row in rows],
                    dtype=np.float32).reshape(len(rows), len(FEATURE_NAMES))
