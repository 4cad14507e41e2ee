"""A reply letter's rebuttals → the findings of the report they answer (across two documents).

The organism's letter answers a report ingested before or after it, in its own words. A rebuttal is
linked by what it cites when it cites something ("la recommandation n°3", "l'observation n°7",
"point 2.3"), resolved against the report's numbered findings and section numbers; else by what it
quotes of the report (« … »); else by a ranked best match: the finding closest by meaning (stored
vectors) and by shared terms and figures, kept only when it reaches ``MIN_MATCH`` and clearly beats
the best finding of any other section (ratio ``MAX_RATIO``), so an answer matching nothing in
particular stays unlinked. Each link carries a confidence.

Pure functions over plain data, down to which replies to (re)link (``relink``), so every store
backend (SQLite, PostgreSQL) links the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from ancols_nlp.pipelines.answer_cues import CITED_FINDING, CITED_SECTION, FINDING_LABEL, QUOTED, SECTION_NUMBER
from ancols_nlp.pipelines.organism_names import same_organism
from ancols_nlp.pipelines.overlap import TermSets, idf, share, terms

FINDING_KINDS = frozenset({"observation", "recommendation"})
# The ranked match: cosine of the stored vectors (shipped USE encoder) + LEXICAL × the idf cosine of the terms.
# Answers of the Coop'lvry letter sit at cosine 0.35–0.38 from their finding, unrelated pairs mostly below 0.34;
# in the letter/report pair of tests/pipelines/test_reply_links.py, answers without a citation match their finding
# at 0.37–0.42 and answers to nothing at most 0.16; the margin to other sections guards the rest.
LEXICAL = 0.5
MIN_MATCH = 0.3
MAX_RATIO = 0.85  # the best of any other section must score below this share of the best match
# Across two documents a shared figure ("le taux de 7,4 %") is what a letter in its own words keeps of the finding
# (inside a report, years and amounts recur from passage to passage: there figures weigh as words). A year is no
# such figure: every passage of both documents about the control period holds "2018-2022" (``overlap.is_figure``).
FIGURE = 2.0
QUOTE_SHARE = 0.6  # share of a quotation's terms a finding must hold to be the one quoted
REFERENCE = 0.95  # confidence of a link the letter cites

Basis = Literal["reference", "quote", "similarity"]


@dataclass(frozen=True)
class Passage:
    """A stored segment as linking sees it: its store id, kind, text, headings and vector."""

    ref: Hashable
    kind: str
    text: str
    section_path: tuple[str, ...]
    vector: np.ndarray


@dataclass(frozen=True)
class CrossLink:
    """Rebuttal ``rebuttal`` (of a reply) answers finding ``finding`` (of the report), with confidence ``score``."""

    rebuttal: Hashable
    finding: Hashable
    basis: Basis
    # confidence in (0, 1): REFERENCE, × the quoted share, or 1 − best other section's match / best match
    score: float


@dataclass(frozen=True)
class DocumentHead:
    """What decides which report a reply answers."""

    ref: Hashable
    doc_type: str
    organism: str | None
    year: int | None

    @classmethod
    def of(cls, ref: Hashable, meta: Mapping) -> DocumentHead:
        """From a stored document's metadata (``asdict(DocumentMeta)``); a document without a type is a report."""
        return cls(ref, meta.get("doc_type", "report"), meta.get("organism"), meta.get("year"))


def answered_report(reply: DocumentHead, documents: Sequence[DocumentHead]) -> DocumentHead | None:
    """The report a reply answers: the organism's latest report not dated after the reply."""
    reports = [d for d in documents if d.doc_type == "report" and same_organism(d.organism, reply.organism)]
    before = [d for d in reports if d.year is None or reply.year is None or d.year <= reply.year]
    return max(before, key=lambda d: d.year or 0, default=None)


def cited_findings(text: str) -> set[tuple[str, int]]:
    """("recommendation" | "observation", number) pairs a passage cites."""
    out = set()
    for match in CITED_FINDING.finditer(text):
        kind = "recommendation" if match.group(1).lower().startswith("reco") else "observation"
        for number in [match.group(2), *re.findall(r"\d{1,2}", match.group(3))]:
            out.add((kind, int(number)))
    return out


def finding_label(passage: Passage) -> tuple[str, int] | None:
    """The number a report gives a finding, read at the start of its text or of its innermost heading."""
    for text in (passage.text, *(passage.section_path[-1:])):
        match = FINDING_LABEL.match(text)
        if match:
            kind = "recommendation" if match.group(1).lower().startswith("reco") else "observation"
            return kind, int(match.group(2))
    return None


def in_section(section_path: Sequence[str], number: str) -> bool:
    """Whether a passage of this heading path lies in the report's section ``number`` ("3.2" holds "3.2.1")."""
    for heading in section_path:
        match = SECTION_NUMBER.match(heading)
        if match and (match.group(1) == number or match.group(1).startswith(number + ".")):
            return True
    return False


def link_reply(rebuttals: Sequence[Passage], findings: Sequence[Passage], *, min_match: float = MIN_MATCH,
               max_ratio: float = MAX_RATIO) -> list[CrossLink]:
    """Links of each rebuttal of a reply to the report findings it answers: cited, else quoted, else clearly best.

    ``findings`` are the report's statements; a cited label ("Recommandation n°1 : …") is resolved on
    any of them, a section number, a quotation or a match only on observations and recommendations."""
    if not findings:
        return []
    labelled: dict[tuple[str, int], list[int]] = {}
    for i, finding in enumerate(findings):
        label = finding_label(finding)
        if label:  # the label says what it is, even where the kind model saw a bare title line
            labelled.setdefault(label, []).append(i)
    matrix = np.stack([f.vector for f in findings]).astype(np.float64)
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    is_finding = np.array([f.kind in FINDING_KINDS for f in findings])
    finding_terms = [terms(f.text) for f in findings]
    weights = idf([*finding_terms, *(terms(r.text) for r in rebuttals)], figure=FIGURE)
    finding_sets = TermSets(finding_terms, weights)
    finding_indices = np.flatnonzero(is_finding).tolist()
    links = []
    for rebuttal in rebuttals:
        if rebuttal.kind != "rebuttal":
            continue
        vector = np.asarray(rebuttal.vector, dtype=np.float64)
        cosines = matrix @ (vector / max(float(np.linalg.norm(vector)), 1e-12))
        cited = sorted({i for key in cited_findings(rebuttal.text) for i in labelled.get(key, [])})
        for number in CITED_SECTION.findall(rebuttal.text):
            section = [i for i, f in enumerate(findings) if is_finding[i] and in_section(f.section_path, number)]
            if section:
                cited.append(max(section, key=lambda i: cosines[i]))
        if cited:
            links += [CrossLink(rebuttal.ref, findings[i].ref, "reference", REFERENCE) for i in dict.fromkeys(cited)]
            continue
        quoted = _quoted(rebuttal.text, finding_terms, is_finding, weights)
        if quoted is not None:
            links.append(CrossLink(rebuttal.ref, findings[quoted[0]].ref, "quote", round(REFERENCE * quoted[1], 3)))
            continue
        lexical = finding_sets.cosines(terms(rebuttal.text), finding_indices)
        match = np.array([cosines[i] + LEXICAL * lexical[i] if is_finding[i] else -np.inf
                          for i in range(len(findings))])
        best = int(np.argmax(match))
        if not is_finding[best] or match[best] < min_match:
            continue
        path = findings[best].section_path
        rival = max((match[i] for i in range(len(findings)) if is_finding[i] and findings[i].section_path != path),
                    default=0.0)
        if rival < max_ratio * match[best]:
            links.append(CrossLink(rebuttal.ref, findings[best].ref, "similarity",
                                   round(1.0 - max(float(rival), 0.0) / float(match[best]), 3)))
    return links


def _quoted(text: str, finding_terms: Sequence[list[str]], is_finding: np.ndarray,
            weights: dict[str, float]) -> tuple[int, float] | None:
    """The finding a rebuttal quotes (its index and the quoted share it holds), if any holds ``QUOTE_SHARE``."""
    quotes = [terms(q) for m in QUOTED.finditer(text) for q in m.groups() if q]
    held = [(share(q, finding_terms[i], weights), i)
            for q in quotes for i in range(len(finding_terms)) if is_finding[i]]
    best = max(held, default=(0.0, -1))
    return (best[1], best[0]) if best[0] >= QUOTE_SHARE else None


def relink(new: Hashable, documents: Sequence[DocumentHead],
           passages: Callable[[Hashable], Sequence[Passage]]) -> dict[Hashable, list[CrossLink]]:
    """The links each concerned reply should now have, after document ``new`` was added to ``documents``.

    Concerned: ``new`` itself if it is a reply, else its organism's replies whose answered report is now
    ``new``. A store replaces the listed replies' links with these, in the add's transaction, and reads
    a document's passages through ``passages``; so every backend links the same replies the same way."""
    head = next(d for d in documents if d.ref == new)
    replies = [head] if head.doc_type == "reply" else [
        d for d in documents if d.doc_type == "reply" and same_organism(d.organism, head.organism)]
    out = {}
    for reply in replies:
        report = answered_report(reply, documents)
        if report is not None and (reply is head or report.ref == new):
            out[reply.ref] = link_reply(passages(reply.ref), passages(report.ref))
    return out
