"""Stance of a rebuttal towards the finding it answers: contests, commits, accepts or explains.

French cues, as data. When several are present the strongest wins: a contestation outweighs a
commitment ("conteste … mais s'engage à …" is still a disagreement), a commitment outweighs a
mere acknowledgement ("reconnaît l'erreur et va mettre en place …" commits to act), and a
rebuttal with none of them explains or justifies.
"""

from __future__ import annotations

import re

STANCES = ("contests", "commits", "accepts", "explains")

_I = re.IGNORECASE
CUES: dict[str, re.Pattern[str]] = {
    "contests": re.compile(
        r"\bcontest|\bne\s+partage\s+pas|\bne\s+(?:peut|saurait|peuvent)\s+(?:pas\s+)?(?:souscrire|accepter|partager)"
        r"|\bd[ée]saccord|\br[ée]fut|\bs['’]oppos|\bn['’]est\s+pas\s+d['’]accord|\bcontredi|\bd[ée]ment"
        r"|\b(?:inexact|erron[ée]|infond[ée]|injustifi[ée])|\bregrett|\bs['’][ée]tonn|\brejet|\brecuse|\bconteste", _I),
    "commits": re.compile(
        r"\bs['’](?:est\s+)?engag|\bengagement\s+(?:de|à)|\bva\s+(?:\w+\s+)?(?:mettre|engager|proc[ée]der|r[ée]aliser|lancer|revoir"
        r"|modifier|renforcer|poursuivre|mener|[ée]tablir|adopter|r[ée]gulariser|pr[ée]senter|actualiser|compl[ée]ter|formaliser)"
        r"|\bvont\s+(?:\w+\s+)?(?:[êe]tre|mettre)|\bpr[ée]voit\s+(?:de|d['’]|la|le|une|un)|\bentend\s+(?:mettre|engager|poursuivre)"
        r"|\bmettra\b|\bsera\s+(?:mis|mise|r[ée]alis[ée]e?|engag[ée]e?|pr[ée]sent[ée]e?)|\bseront\s+(?:mis|mises|r[ée]alis[ée]e?s)"
        r"|\ba\s+d[ée]cid[ée]|\bd[ée]cid[ée]\s+de|\benvisag|\bpropose\s+de|\bs['’]attache(?:ra)?\s+[àa]"
        r"|\b(?:indiqu|annonc)\w*\s+(?:\w+\s+)?(?:mettre\s+en\s+(?:place|[œo]uvre)|engager|lancer|r[ée]viser)", _I),
    "accepts": re.compile(
        r"\breconna[iî]t|\breconnu|\bprend\s+acte|\bpris\s+acte|\badmet\b|\bconvient\s+que|\bpartage\s+(?:le|l['’]|les|ce|cette)"
        r"|\baccepte|\bacquiesce|\bconfirme\s+(?:le|l['’]|les|que)|\bprend\s+note|\ba\s+bien\s+(?:pris\s+conscience|identifi)"
        r"|\bpris\s+conscience|\bd['’]accord\s+avec", _I),
}


def stance(text: str) -> str:
    """The stance a rebuttal sentence or passage takes."""
    for name in STANCES[:3]:
        if CUES[name].search(text):
            return name
    return "explains"
