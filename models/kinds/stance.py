"""Stance of a rebuttal towards the finding it answers: contests, commits, accepts or explains.

Rules over the French cues of ``ancols_nlp.pipelines.answer_cues``. An outright disagreement wins
("conteste … mais s'engage à …" is still a disagreement). Otherwise the first of a commitment or an
acknowledgement in the passage decides, since the answer's main verb comes first ("reconnaît l'erreur
et a indiqué mettre en place …" acknowledges; "s'engage à …, reconnaissant que …" commits). An
explanation carrying a concession ("toutefois", "néanmoins") with neither is a contest worded as an
explanation; a passage with no cue explains or justifies.
"""

from __future__ import annotations

from ancols_nlp.pipelines.answer_cues import ACCEPTS, COMMITS, CONCEDES, CONTESTS, STANCES

__all__ = ["STANCES", "stance"]


def stance(text: str) -> str:
    """The stance a rebuttal sentence or passage takes."""
    if CONTESTS.search(text):
        return "contests"
    found = [(m.start(), name) for name, cue in (("commits", COMMITS), ("accepts", ACCEPTS)) if (m := cue.search(text))]
    if found:
        return min(found)[1]
    return "contests" if CONCEDES.search(text) else "explains"
