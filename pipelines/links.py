"""Rebuttal → the finding it answers, and the stance it takes towards it.

Inside a report the organism's answer follows the finding it answers, in the same section:
it is linked to the nearest observation or recommendation before it there. Each rebuttal also
gets its stance (contests, commits, accepts, explains) from the ``StanceReader`` it is given
(the service's reads French cues, ``ancols_nlp.models.kinds.stance``).
"""

from __future__ import annotations

from ancols_nlp.pipelines.protocols import StanceReader
from ancols_nlp.pipelines.types import Segment

FINDINGS = frozenset({"observation", "recommendation"})


def link_rebuttals(segments: list[Segment], stance: StanceReader) -> None:
    """Fill ``responds_to`` and ``stance`` of each rebuttal segment in place."""
    last_finding: Segment | None = None
    for segment in segments:
        if last_finding is not None and last_finding.section_path != segment.section_path:
            last_finding = None
        if segment.kind in FINDINGS:
            last_finding = segment
        elif segment.kind == "rebuttal":
            segment.stance = stance(segment.text)
            if last_finding is not None:
                segment.responds_to = [last_finding.id]
