"""Stance of a rebuttal towards the finding it answers: contests, commits, accepts or explains.

French cues, as data (``pipelines/french/cues.toml``). When several are present the strongest
wins: a contestation outweighs a commitment ("conteste … mais s'engage à …" is still a
disagreement), a commitment outweighs a mere acknowledgement ("reconnaît l'erreur et va mettre en place …" commits to act), and a
rebuttal with none of them explains or justifies.
"""

from __future__ import annotations

import re

from ancols_nlp.pipelines import french

STANCES = ("contests", "commits", "accepts", "explains")

CUES: dict[str, re.Pattern[str]] = french.stance_cues()


def stance(text: str) -> str:
    """The stance a rebuttal sentence or passage takes."""
    for name in STANCES[:3]:
        if CUES[name].search(text):
            return name
    return "explains"
