"""French wording of an organism's answer and of the finding it answers, as data (one place, so it can move).

Sources: the ANCOLS reports' own phrasing of responses ("Dans sa réponse, la société s'engage …",
"fait valoir", "conteste"), the annotation guide's description of rebuttals, and the ordinary
French of argument (concessive connectives, explicit references to a report's parts). Used by
``ancols_nlp.pipelines.links`` (which finding is answered) and ``ancols_nlp.models.kinds.stance``.
"""

from __future__ import annotations

import re

_I = re.IGNORECASE

# -- stance --------------------------------------------------------------------------------------------------------
STANCES = ("contests", "commits", "accepts", "explains")

# Outright disagreement: wins over any other cue ("conteste … mais s'engage à …" is still a disagreement).
CONTESTS = re.compile(
    r"\bcontest|\bne\s+partage\s+pas|\bne\s+(?:peut|saurait|peuvent)\s+(?:pas\s+)?(?:souscrire|accepter|partager)"
    r"|\bd[ée]saccord|\br[ée]fut|\bs['’]oppos|\bn['’]est\s+pas\s+d['’]accord|\bcontredi|\bd[ée]ment"
    r"|\b(?:inexact|erron[ée]|infond[ée]|injustifi[ée])|\bregrett|\bs['’][ée]tonn|\brejet|\brecuse"
    r"|\bcontrairement\s+[àa]|\bn['’](?:est|était|a)\s+pas\s+(?:contraire|fond[ée]|av[ée]r[ée])"
    r"|\bpas\s+de\s+nature\s+[àa]\s+remettre"
    r"|\bne\s+remet\w*\s+pas\s+en\s+cause|\bne\s+(?:doi|saur|peu)\w*\s+(?:pas\s+)?remettre\s+en\s+cause"
    # The organism's own view set against the finding: "l'organisme considère que …", "elle mésestime …".
    r"|\b(?:estime|consid[èe]re|juge)n?t?\s+(?:pour\s+sa\s+part\s+|quant\s+[àa]\s+(?:elle|lui)\s+)?qu"
    r"|\bm[ée]sestim|\bsous-estim|\bsurestim|\bne\s+tient\s+pas\s+compte", _I)
# Concession that turns an explanation into a contest ("Toutefois, la société estime que …"), when nothing
# in the passage commits or accepts.
CONCEDES = re.compile(r"\b(?:toutefois|n[ée]anmoins|cependant|pour\s+autant|en\s+revanche|nuance)\b", _I)
# A remedy promised, decided or already carried out.
COMMITS = re.compile(
    r"\bs['’](?:est\s+)?engag|\bengagement\s+(?:de|à)|\bva\s+(?:\w+\s+)?(?:mettre|engager|proc[ée]der|r[ée]aliser"
    r"|lancer"
    r"|revoir|modifier|renforcer|poursuivre|mener|[ée]tablir|adopter|r[ée]gulariser|pr[ée]senter|actualiser"
    r"|compl[ée]ter"
    r"|formaliser)|\bvont\s+(?:\w+\s+)?(?:[êe]tre|mettre)|\bpr[ée]voit\s+(?:de|d['’]|la|le|une|un)"
    r"|\bentend\s+(?:mettre|engager|poursuivre)|\bmettra\b|\bsera\s+(?:mis|mise|r[ée]alis[ée]e?|engag[ée]e?"
    r"|pr[ée]sent[ée]e?)"
    r"|\bseront\s+(?:mis|mises|r[ée]alis[ée]e?s)|\ba\s+d[ée]cid[ée]|\bd[ée]cid[ée]\s+de|\benvisag|\bpropose\s+de"
    r"|\bs['’]attache(?:ra)?\s+[àa]|\b(?:indiqu|annonc)\w*\s+(?:\w+\s+)?(?:mettre\s+en\s+(?:place|[œo]uvre)|engager"
    r"|lancer"
    r"|r[ée]viser)|\br[ée]gularis|\bavoir\s+(?:engag|mis\s+en\s+place|corrig|modifi|lanc|proc[ée]d|rectifi|int[ée]gr"
    r"|adopt)"
    r"|\ba\s+(?:[ée]t[ée]\s+)?(?:corrig|rectifi|mis\s+en\s+place|engag[ée]e?\s+(?:une|un|la|le))"
    r"|\bpour\s+r[ée]gulariser", _I)
# Acknowledgement of the finding.
ACCEPTS = re.compile(
    r"\breconna[iî]t|\breconnu|\bprend\s+acte|\bpris\s+acte|\badmet\b|\bconvient\s+que|\bpartage\s+(?:le|l['’]|les|ce"
    r"|cette)"
    r"|\baccepte|\bacquiesce|\bconfirme\s+(?:le|l['’]|les|que)|\bprend\s+note|\ba\s+bien\s+(?:pris\s+conscience"
    r"|identifi)"
    r"|\bpris\s+conscience|\bd['’]accord\s+avec", _I)

# -- what an answer refers to ---------------------------------------------------------------------------------------
_NUMBER = r"(?:n\s*[°º\"o]\s*|num[ée]ro\s+|)(\d{1,2})"
# "Recommandation n°3", "recommandations n°4 et 5", "l'observation numéro 1", "Obs 2".
CITED_FINDING = re.compile(r"\b(recommandation|observation|obs|reco)s?\s+" + _NUMBER + r"((?:\s*(?:,"
                           r"|et)\s*\d{1,2}\b)*)", _I)
# A report labels a finding at its start: "Recommandation n° 3 : …", "Obs 2 : …".
FINDING_LABEL = re.compile(r"^\W*(recommandation|observation|obs|reco)\s*" + _NUMBER + r"\b", _I)
SECTION_NUMBER = re.compile(r"^\W*(\d{1,2}(?:\.\d{1,2}){0,5})\b")  # a heading's number: "3.2 Vacance"
# "point 3.2", "§ 4.2.1", "paragraphe 3.1", "(cf. 5.2)".
CITED_SECTION = re.compile(r"(?:\bpoints?|§|\bparagraphes?|\bcf\.?)\s*(\d{1,2}(?:\.\d{1,2}){1,4})\b", _I)
CITED_PAGE = re.compile(r"\bpages?\s+(\d{1,3})\b", _I)
# Quoted wording of the report: « … », “ … ”, " … ".
QUOTED = re.compile(r"«\s*([^»]{12,400}?)\s*»|“([^”]{12,400})”|\"([^\"]{12,400})\"")
# The topic an answer announces before its point: "Concernant les deux marchés …, la société …".
TOPIC = re.compile(r"^\W*(?:concernant|s['’]agissant\s+d[eu]s?|pour\s+ce\s+qui\s+(?:est|concerne)"
                   r"|en\s+ce\s+qui\s+concerne"
                   r"|quant\s+(?:à|aux?)|sur\s+(?:le|la|les|l['’])\s*(?:point|sujet|question)"
                   r"|au\s+sujet\s+d[eu]s?)\s+([^,;:]{3,160})",
                   _I)
# What makes a sentence a finding worth answering: an irregularity, a shortfall, a prescription.
SALIENT = re.compile(
    r"\bnon\s+conforme|\birr[ée]guli|\banomal|\binsuffis|\babsence\b|\bne\s+(?:\w+\s+){0,3}(?:pas|plus|jamais|aucun)\b"
    r"|\bn['’](?:\w+\s+){0,2}(?:pas|aucun)\b|\bdoit\b|\bdevra|\bdevrait|\bil\s+convient|\brecommand|\bméconnaissance"
    r"|\bsans\s+(?:aucune?\s+)?(?:publicit|mise\s+en\s+concurrence|justifi|respect|d[ée]montrer)|\bdéfaillan|\berreur"
    r"|\bd[ée]passement|\bd[ée]faut\b|\blacune|\bcarence|\bperfectible|\bnécessaire", _I)
