"""A reply letter's rebuttals → the findings of the report they answer (across two documents).

The organism's letter answers a report ingested before or after it. A rebuttal is linked by
what it cites when it cites something ("la recommandation n°3", "l'observation n°7", "point 2.3"),
resolved against the report's numbered findings and section numbers, and otherwise by meaning:
the report finding whose stored vector is closest, when the cosine reaches ``MIN_SIMILARITY``.

Pure functions over plain data, down to which replies to (re)link (``relink``), so every store
backend (SQLite, PostgreSQL) links the same way.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

import numpy as np

from ancols_nlp.pipelines.french import fold

FINDING_KINDS = frozenset({"observation", "recommendation"})
# Cosine of stored passage vectors (shipped USE encoder) below which a rebuttal stays unlinked: on the
# Coop'lvry letter, answers sit at 0.35–0.38 from the finding they answer, unrelated pairs mostly below 0.34.
MIN_SIMILARITY = 0.35
SAME_ORGANISM = 0.85  # similarity of folded names ("Coop'lvry Habitat" read by OCR is "Coop'Ivry Habitat")

_NUMBER = r"(?:n\s*[°º\"o]\s*|num[ée]ro\s+|)(\d{1,2})"
# "Recommandation n°3", "recommandations n°4 et 5", "l'observation numéro 1", "Obs 2".
CITED_FINDING = re.compile(r"\b(recommandation|observation|obs|reco)s?\s+" + _NUMBER + r"((?:\s*(?:,|et)\s*\d{1,2}\b)*)",
                           re.IGNORECASE)
# "point 2.3", "§ 4.2.1", "paragraphe 3.1", "(cf. 5.2)".
CITED_SECTION = re.compile(r"(?:\bpoints?|§|\bparagraphes?|\bcf\.?)\s*(\d{1,2}(?:\.\d{1,2}){1,4})\b", re.IGNORECASE)
# A report labels a finding at its start: "Recommandation n° 3 : …", "Obs 2 : …".
FINDING_LABEL = re.compile(r"^\W*(recommandation|observation|obs|reco)\s*" + _NUMBER + r"\b", re.IGNORECASE)
SECTION_NUMBER = re.compile(r"^\W*(\d{1,2}(?:\.\d{1,2}){0,5})\b")

Basis = Literal["reference", "similarity"]


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
    """Rebuttal ``rebuttal`` (of a reply) answers finding ``finding`` (of the report)."""

    rebuttal: Hashable
    finding: Hashable
    basis: Basis
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


def fold_name(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(name))


def same_organism(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    fa, fb = fold_name(a), fold_name(b)
    return fa == fb or SequenceMatcher(None, fa, fb).ratio() >= SAME_ORGANISM


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


def _in_section(passage: Passage, number: str) -> bool:
    for heading in passage.section_path:
        match = SECTION_NUMBER.match(heading)
        if match and (match.group(1) == number or match.group(1).startswith(number + ".")):
            return True
    return False


def link_reply(rebuttals: Sequence[Passage], findings: Sequence[Passage], *,
               min_similarity: float = MIN_SIMILARITY) -> list[CrossLink]:
    """Links of each rebuttal of a reply to the report findings it answers (cited ones first, else the closest).

    ``findings`` are the report's statements; a cited label ("Recommandation n°1 : …") is resolved on
    any of them, a section number or a similarity only on observations and recommendations."""
    labelled: dict[tuple[str, int], list[int]] = {}
    for i, finding in enumerate(findings):
        label = finding_label(finding)
        if label:  # the label says what it is, even where the kind model saw a bare title line
            labelled.setdefault(label, []).append(i)
    if not findings:
        return []
    matrix = np.stack([f.vector for f in findings]).astype(np.float64)
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
    is_finding = np.array([f.kind in FINDING_KINDS for f in findings])
    links = []
    for rebuttal in rebuttals:
        if rebuttal.kind != "rebuttal":
            continue
        vector = np.asarray(rebuttal.vector, dtype=np.float64)
        cosines = matrix @ (vector / max(float(np.linalg.norm(vector)), 1e-12))
        cited = sorted({i for key in cited_findings(rebuttal.text) for i in labelled.get(key, [])})
        for number in CITED_SECTION.findall(rebuttal.text):
            section = [i for i, f in enumerate(findings) if is_finding[i] and _in_section(f, number)]
            if section:
                cited.append(max(section, key=lambda i: cosines[i]))
        if cited:
            links += [CrossLink(rebuttal.ref, findings[i].ref, "reference", round(float(cosines[i]), 4))
                      for i in dict.fromkeys(cited)]
            continue
        best = int(np.argmax(np.where(is_finding, cosines, -np.inf)))
        if is_finding[best] and cosines[best] >= min_similarity:
            links.append(CrossLink(rebuttal.ref, findings[best].ref, "similarity", round(float(cosines[best]), 4)))
    return links


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
