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

from ancols_nlp.models.kinds import cues
from ancols_nlp.models.kinds.rules import has_statement
from ancols_nlp.pipelines.types import SentenceContext

OTHER_CUES = ("salutation", "boilerplate", "table_ref", "source_note", "footnote_start", "date_line", "address",
              "person_line", "report_meta")
BLOCKS = ("heading", "paragraph", "list_item", "table_row", "footnote", "rule")

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
]}
ANNEX_HEADING = re.compile(r"\bannexes?\b|\bsigles\s+utilis", re.IGNORECASE)
BODY_PART = re.compile(r"^\W*(?:\d\.?\s*)?(?:synth[èe]se|pr[ée]ambule|pr[ée]sentation\s+g[ée]n[ée]rale)", re.IGNORECASE)
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


def cue_hits(text: str) -> dict[str, float]:
    return {name: float(bool(pattern.search(text))) for name, pattern in cues.FEATURE_CUES.items()}


def sentence_features(ctx: SentenceContext, in_annex: bool) -> dict[str, float]:
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
    feats["any_rec"] = float(bool(cues.RECOMMENDATION.search(text)) and not hits["forecast"])
    feats["any_reb"] = float(bool(cues.REBUTTAL.search(text) or hits["reb_name_speech"]) and not hits["agency_reply"])
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
    feats["starts_pronoun"] = float(bool(re.match(r"^\W*(?:elle|il|celle-ci|celui-ci|cette\s+derni[èe]re)\b", text, re.IGNORECASE)))
    feats["prev_statement"] = float(has_statement(previous)) if previous else 0.0
    feats["next_statement"] = float(has_statement(ctx.next)) if ctx.next else 0.0
    return feats


FEATURE_NAMES: tuple[str, ...] = tuple(sentence_features(SentenceContext(text="x", block="paragraph"), False))


def featurize(contexts: Sequence[SentenceContext]) -> np.ndarray:
    """One row of hand-crafted features per sentence, columns in ``FEATURE_NAMES`` order."""
    flags = annex_flags(contexts)
    rows = [sentence_features(ctx, flag) for ctx, flag in zip(contexts, flags)]
    return np.array([[row[name] for name in FEATURE_NAMES] for row in rows], dtype=np.float32).reshape(len(rows), len(FEATURE_NAMES))
