"""Stance of a rebuttal towards the finding it answers: contests, commits, accepts or explains.

Rules over the French cues of ``ancols_nlp.pipelines.answer_cues`` (their order of precedence and sources are
in ``pipelines/french/cues.toml``, section ``[stance]``):

1. an outright disagreement wins ("conteste … mais s'engage à …" is still a disagreement);
2. after an opposition connector ("toutefois", "néanmoins", "pour autant" …) the answer argues for what the
   connector introduces, so only that part (from the start of the connector's clause) is read: a commitment or
   an acknowledgement there decides, and anything else contests (a contest worded as an explanation);
3. otherwise the first of a commitment or an acknowledgement decides, since the answer's main verb comes first
   ("reconnaît l'erreur et a indiqué mettre en place …" acknowledges; "s'engage à …, reconnaissant que …"
   commits);
4. an opposition without a connector (the organism's own view, "considère que …"; an emphatic contrary fact)
   contests; a passage with none of these explains or justifies.
"""

from __future__ import annotations

from ancols_nlp.pipelines.answer_cues import ACCEPTS, COMMITS, CONNECTORS, CONTESTS, OPPOSES, STANCES
from ancols_nlp.pipelines.patterns import as_cues_read

__all__ = ["STANCES", "stance"]


def stance(text: str) -> str:
    """The stance a rebuttal sentence or passage takes (read without its note calls, as the kind cues are)."""
    text = as_cues_read(text)
    if CONTESTS.search(text):
        return "contests"
    connectors = list(CONNECTORS.finditer(text))
    argued = text[_clause_start(text, connectors[-1].start()):] if connectors else text
    found = [(m.start(), name) for name, cue in (("commits", COMMITS), ("accepts", ACCEPTS))
             if (m := cue.search(argued))]
    if found:
        return min(found)[1]
    return "contests" if connectors or OPPOSES.search(text) else "explains"


def _clause_start(text: str, at: int) -> int:
    """Where the clause holding position ``at`` starts: a connector inside a verb's clause ("s'engage toutefois à
    …") qualifies that clause, one after a comma or a full stop opens the argued part."""
    return max(text.rfind(mark, 0, at) for mark in ".;:,") + 1
