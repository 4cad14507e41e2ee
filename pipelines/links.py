"""Rebuttal → the finding(s) it answers inside a report, with a confidence, and the stance it takes.

In ANCOLS reports the organism answers the core finding of a passage, often several sentences above
its answer rather than the sentence right before it; one answer may cover two or three findings of
the same paragraph, and the follow-on sentences of an answer share its target. So an answer block
(an opening rebuttal and the rebuttals that follow it) is scored against every finding of its
section and of the parent section that comes before it, on what ties them: shared terms and numbers,
the topic it announces ("Concernant …"), what it quotes or cites ("point 3.2", "page 12"), and how a
finding reads (an irregularity, a prescription, a paragraph's first sentence); nearer findings, and
those not already answered by an earlier block, weigh more. The best finding is kept with the others
that come close to it (up to ``MAX_TARGETS``); below ``MIN_CONFIDENCE`` there is no link rather than a
wrong one. A footnote answers through its call. Each rebuttal's stance comes from the ``StanceReader``
it is given (the service's reads the French cues, ``ancols_nlp.models.kinds.stance``); a follow-on that only
explains, after a sentence of its block that contests, argues that disagreement and contests too.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ancols_nlp.pipelines import answer_cues as C
from ancols_nlp.pipelines.protocols import StanceReader
from ancols_nlp.pipelines.overlap import cosine, idf as term_idf, share, terms
from ancols_nlp.pipelines.reply_links import in_section
from ancols_nlp.pipelines.types import Segment

FINDINGS = frozenset({"observation", "recommendation"})

MAX_TARGETS = 3
CO_TARGET = 0.7  # another finding is kept when its score reaches this share of the best one's
# Confidence = logistic(a · score + b), Platt-fitted on the dev links of 001 and 003 (every finding of the
# answered sections a candidate, one row per gold rebuttal); MIN_CONFIDENCE is the highest value keeping every
# dev answer linked.
# Both are refitted by ``bench/links_eval.py``, which reports them leave-one-document-out.
CALIBRATION = (10.68, -6.7)
MIN_CONFIDENCE = 0.1
CALLED = 0.999  # a footnote's link to the finding that calls it


@dataclass(frozen=True)
class Weights:
    """How much each kind of evidence counts (fixed by design, not fitted; see the README)."""

    terms: float = 1.0  # cosine of the idf-weighted terms and numbers
    topic: float = 0.5  # share of the announced topic's terms the finding holds
    quote: float = 1.0  # share of a quotation's terms the finding holds
    section: float = 0.5  # the finding lies in the section the answer cites
    page: float = 0.3  # … on the page it cites
    salient: float = 0.15  # the finding states an irregularity or prescribes
    opener: float = 0.1  # the finding opens its paragraph
    same_section: float = 0.1  # … and lies in the answer's own innermost section
    near: float = 0.3  # decays with the findings between it and the answer
    answered: float = 0.5  # factor for a finding before an earlier answer block of the section


WEIGHTS = Weights()
NEAR_SCALE = 4.0  # findings in between that halve-ish the nearness bonus (exp(-d/scale))


@dataclass(frozen=True)
class Evidence:
    """What ties one finding to one answer block, each in [0, 1] (see ``Weights``)."""

    terms: float
    topic: float
    quote: float
    section: float
    page: float
    salient: float
    opener: float
    same_section: float
    near: float
    answered: bool

    def score(self, w: Weights) -> float:
        total = (w.terms * self.terms + w.topic * self.topic + w.quote * self.quote + w.section * self.section
                 + w.page * self.page + w.salient * self.salient + w.opener * self.opener
                 + w.same_section * self.same_section + w.near * self.near)
        return total * (w.answered if self.answered else 1.0)


@dataclass(frozen=True)
class Target:
    """A finding an answer block responds to, with the link's confidence in (0, 1) and its evidence."""

    finding: int
    confidence: float
    evidence: Evidence | None = None


def link_rebuttals(segments: list[Segment], text: str, stance: StanceReader, *,
                   min_confidence: float = MIN_CONFIDENCE, weights: Weights = WEIGHTS) -> None:
    """Fill ``responds_to``, ``link_confidence`` and ``stance`` of each rebuttal segment in place (``text``: the
    document's, which the segments' offsets index)."""
    for segment in segments:
        if segment.kind == "rebuttal":
            segment.stance = stance(segment.text)
    for members, targets in answer_targets(segments, text, weights=weights):
        kept = [t for t in targets if t.confidence >= min_confidence]
        for i in members:
            _assign(segments[i], kept)
        _carry_contest([segments[i] for i in members], text)
    for i, segment in enumerate(segments):
        if segment.kind == "rebuttal" and is_footnote(segment):
            _assign(segment, _through_call(segments, i))


def answer_targets(segments: Sequence[Segment], text: str, *, weights: Weights = WEIGHTS, limit: int = MAX_TARGETS,
                   co_target: float = CO_TARGET) -> list[tuple[list[int], list[Target]]]:
    """Each answer block of the report's body (segment indices) with its ranked targets (``rank_targets``)."""
    body = [i for i, s in enumerate(segments) if not is_footnote(s)]
    idf = term_idf(terms(s.text) for s in segments)
    earlier: list[int] = []  # openers of the blocks already linked
    out = []
    for block in answer_blocks([segments[i] for i in body], text):
        members = [body[i] for i in block]
        out.append((members, rank_targets(segments, members, earlier, text, idf, weights, limit=limit,
                                          co_target=co_target)))
        earlier.append(members[0])
    return out


def answer_blocks(segments: Sequence[Segment], text: str = "") -> list[list[int]]:
    """Indices of each run of rebuttals of one section not broken by a finding: an answer and its follow-ons.

    A report writes the organism's answer as one paragraph ("En réponse aux observations provisoires, la société
    … Elle précise …"), so with the document's ``text`` a finding inside the answer's own paragraph (no line break
    between the answer and the next rebuttal: a follow-on read as a finding) does not end it. A rebuttal that
    announces its topic ("Concernant les deux marchés …") turns to another point and opens its own block."""
    blocks: list[list[int]] = []
    open_block = False
    for i, segment in enumerate(segments):
        if segment.kind == "rebuttal":
            last = segments[blocks[-1][-1]] if blocks else None
            same_paragraph = last is not None and bool(text) and not _breaks_paragraph(text, last, segment)
            if ((open_block or same_paragraph) and last.section_path == segment.section_path
                    and not C.TOPIC.match(segment.text)):
                blocks[-1].append(i)
            else:
                blocks.append([i])
            open_block = True
        elif segment.kind in FINDINGS:
            open_block = False
    return blocks


def rank_targets(segments: Sequence[Segment], block: Sequence[int], earlier: Sequence[int], text: str,
                 idf: dict[str, float], weights: Weights = WEIGHTS, *, limit: int = MAX_TARGETS,
                 co_target: float = CO_TARGET) -> list[Target]:
    """The findings block ``block`` (segment indices) answers, best first, each with its confidence.

    At most ``limit``, those scoring at least ``co_target`` × the best one's (with 0: every candidate)."""
    opener = segments[block[0]]
    answer = " ".join(segments[i].text for i in block)
    candidates = _candidates(segments, block[0])
    if not candidates:
        return []
    answer_terms = terms(answer)
    topic = _topic_terms(segments[i].text for i in block)
    quotes = [terms(q) for m in C.QUOTED.finditer(answer) for q in m.groups() if q]
    cited_sections = C.CITED_SECTION.findall(answer)
    cited_pages = {int(p) for p in C.CITED_PAGE.findall(answer)}
    last_answer = max((e for e in earlier if e < block[0] and _scope(segments[e]) == _scope(opener)), default=-1)
    scored = []
    for rank, j in enumerate(reversed(candidates)):  # rank = findings between this one and the answer
        finding = segments[j]
        held = terms(finding.text)
        evidence = Evidence(
            terms=cosine(answer_terms, held, idf),
            topic=share(topic, held, idf) if topic else 0.0,
            quote=max((share(q, held, idf) for q in quotes), default=0.0),
            section=float(any(in_section(finding.section_path, number) for number in cited_sections)),
            page=float(finding.page_start in cited_pages),
            salient=float(bool(C.SALIENT.search(finding.text))),
            opener=float(_opens_paragraph(text, finding)),
            same_section=float(finding.section_path == opener.section_path),
            near=math.exp(-rank / NEAR_SCALE),
            answered=j < last_answer)
        scored.append((evidence.score(weights), j, evidence))
    scored.sort(key=lambda sje: (-sje[0], -sje[1]))
    best = scored[0][0]
    return [Target(j, confidence(s), e) for s, j, e in scored[:limit] if s >= co_target * best]


def confidence(score: float, calibration: tuple[float, float] = CALIBRATION) -> float:
    """The probability that a link of this score is right, as measured on dev."""
    a, b = calibration
    return round(1.0 / (1.0 + math.exp(-(a * score + b))), 3)


def _candidates(segments: Sequence[Segment], at: int) -> list[int]:
    """Findings before segment ``at`` in its section or its parent section (text order)."""
    scope = _scope(segments[at])
    return [j for j in range(at) if segments[j].kind in FINDINGS and not is_footnote(segments[j])
            and tuple(segments[j].section_path[:len(scope)]) == scope]


def _scope(segment: Segment) -> tuple[str, ...]:
    path = tuple(segment.section_path)
    return path[:-1] if len(path) > 1 else path


def _carry_contest(block: Sequence[Segment], text: str) -> None:
    """A follow-on that only explains, in the paragraph of a sentence of its block that contests, argues that
    disagreement ("l'organisme conteste ce constat. Il indique que …"): it contests too, until a sentence commits
    or acknowledges, or announces another topic ("Concernant …"). A new paragraph is a new point (a reply letter's
    section is one long run of rebuttals)."""
    contesting = False
    for previous, segment in zip([None, *block], block):
        if previous is not None and _breaks_paragraph(text, previous, segment):
            contesting = False
        if segment.stance == "explains" and contesting and not C.TOPIC.match(segment.text):
            segment.stance = "contests"
        contesting = segment.stance == "contests"


def _assign(segment: Segment, targets: Sequence[Target]) -> None:
    segment.responds_to = [t.finding for t in targets]
    segment.link_confidence = [t.confidence for t in targets]


# A footnote's own number opening a passage the layout left in the body: "$^{70}$ …", "<sup>3</sup> …", "⁷ …".
FOOTNOTE_MARK = re.compile(r"^\W{0,3}(?:\$\^\{?\^?\{?\d{1,3}|<sup>\s*\d{1,3}\s*</sup>|[¹²³⁴⁵⁶⁷⁸⁹⁰]+(?=\s))")


def is_footnote(segment: Segment) -> bool:
    """A footnote belongs to the passage that calls it: it is never an answered finding nor an answer's opener."""
    return segment.block == "footnote" or bool(FOOTNOTE_MARK.match(segment.text))


FOOTNOTE_NUMBER = re.compile(r"^\W*(?:<sup>\W*)?(?:\[\^)?(\d{1,3}|[¹²³⁴⁵⁶⁷⁸⁹⁰]+)")
_SUPERSCRIPT = str.maketrans("¹²³⁴⁵⁶⁷⁸⁹⁰", "1234567890")


def _through_call(segments: Sequence[Segment], at: int) -> list[Target]:
    """A footnote's targets: the finding that calls it, or what the calling passage answers."""
    match = FOOTNOTE_NUMBER.match(segments[at].text)
    if not match:
        return []
    number = match.group(1).translate(_SUPERSCRIPT)
    sup = "".join("¹²³⁴⁵⁶⁷⁸⁹"[int(d) - 1] if d != "0" else "⁰" for d in number)
    call = re.compile(rf"<sup>\s*{number}\s*</sup>|\[\^{number}\](?!:)|"
                      rf"(?<![¹²³⁴⁵⁶⁷⁸⁹⁰]){sup}(?![¹²³⁴⁵⁶⁷⁸⁹⁰])")
    for j in range(at - 1, -1, -1):
        caller = segments[j]
        if not is_footnote(caller) and call.search(caller.text):
            if caller.kind in FINDINGS:
                return [Target(j, CALLED)]
            return [Target(f, c) for f, c in zip(caller.responds_to, caller.link_confidence)]
    return []


def _breaks_paragraph(text: str, earlier: Segment, later: Segment) -> bool:
    """Whether a line break separates two segments of the text (a paragraph's sentences are joined by spaces)."""
    return "\n" in text[earlier.end:later.start]


def _opens_paragraph(text: str, segment: Segment) -> bool:
    """Whether the finding starts a paragraph; one starting in lower case continues a sentence a page break cut."""
    before = text[:segment.start].rstrip(" \t")
    return (not before or before.endswith("\n")) and not segment.text.lstrip()[:1].islower()


def _topic_terms(texts) -> set[str]:
    return {t for text in texts for m in [C.TOPIC.match(text)] if m for t in terms(m.group(1))}

