"""French cues for the kind of a sentence, as data.

They follow the annotation guide: a prescription ("la société doit", "est invitée à",
"gagnerait à") makes a recommendation, the organism's reported voice ("dans sa réponse, la
société indique") makes a rebuttal, and text without a statement is ``other``.
"""

import re

_ORG = r"(?:la\s+soci[ée]t[ée]|l['’]organisme|l['’]office|la\s+coop[ée]rative|elle|il|le\s+bailleur|la\s+SA|l['’]OPH|la\s+direction|le\s+pr[ée]sident|le\s+directeur)"

REBUTTAL = re.compile(
    r"\b(?:dans\s+sa\s+r[ée]ponse|en\s+r[ée]ponse|pour\s+r[ée]pondre|selon\s+l['’]organisme|d['’]apr[èe]s\s+l['’]organisme"
    r"|" + _ORG + r"\s+(?:(?:a|aurait)\s+)?(?:indiqu|pr[ée]cis|contest|fait\s+valoir|fai[ts]\s+valoir|s['’]engag|reconna[iî]|expliqu"
    r"|justifi|conteste|affirm|soutient|souligne|fait\s+savoir|a\s+fait\s+savoir|propos|r[ée]pond|estime|consid[èe]re|assure|annonce|envisag)"
    r"|(?:a|ont)\s+indiqu[ée]\s+(?:en\s+cours\s+de\s+contr[ôo]le|avoir)"
    r")",
    re.IGNORECASE,
)

# The agency answering the answer is its own finding, not the organism's voice.
AGENCY_REPLY = re.compile(r"\bl['’](?:agence|ancols|[ée]quipe\s+de\s+contr[ôo]le)\s+(?:maintient|prend\s+acte|note|rel[èe]ve|constate)", re.IGNORECASE)

RECOMMENDATION = re.compile(
    r"\b(?:doi(?:t|vent)\s+(?!composer\b|faire\s+face\b|(?:[eê]tre|y\s+[eê]tre)\s+(?:not[ée]|soulign[ée]|relev[ée]|pr[ée]cis[ée]|rappel[ée]|observ[ée])\b)"
    r"|devr(?:a|ont|ait|aient)\b|il\s+(?:lui\s+)?(?:appartient|convient|conviendrait|importe|incombe)"
    r"|(?:est|sont)\s+invit[ée]e?s?\s+[àa]|recommand|pr[ée]conis|gagnerai(?:t|ent)\s+[àa]|serai(?:t|ent)\s+(?:indiqu[ée]|souhaitable|opportun|utile|pertinent|n[ée]cessaire)"
    r"|constituerai(?:t|ent)\s+un\s+progr[èe]s|attention\s+(?:de\s+[^.]{0,40})?(?:est|doit\s+[eê]tre)\s+(?:attir[ée]|appel[ée]e?)|attire\s+l['’]attention"
    r"|vigilance\s+(?:de\s+[^.]{0,40})?est\s+(?:appel[ée]e|attir[ée]e)|(?:rester|[eê]tre)\s+(?:tr[èe]s\s+)?vigilant"
    r"|il\s+est\s+(?:rappel[ée]|demand[ée])|(?:appara[iî]t|semble|est|serait)\s+n[ée]cessaire\s+(?:que|de)|nécessite\s+(?:que|de)"
    r"|faire\s+l['’]objet\s+d|mettre\s+(?:fin|en\s+(?:place|[œo]uvre|conformit[ée]))|veiller\s+[àa]"
    r"|r[ée]gularis(?:er|ation)\s+(?:sans\s+d[ée]lai)|recommandation\s+n)",
    re.IGNORECASE,
)

# Lines that hold no statement: signatures, salutations, source notes, bare figures.
OTHER = re.compile(
    r"^\W*(?:source\s*:|sources\s*:|\(?\d+\)?\s*(?:source|rpls|enqu[êe]te|bolero)|le\s+directeur\s+g[ée]n[ée]ral[,.]?\s*$"
    r"|la\s+directrice\s+g[ée]n[ée]rale[,.]?\s*$|le\s+pr[ée]sident[,.]?\s*$|(?:monsieur|madame)\s+[^,]{0,60},?\s*$"
    r"|veuillez\s+agr[ée]er|je\s+vous\s+prie|nous\s+vous\s+prions|cordialement|signature|copie\s*:)",
    re.IGNORECASE,
)
