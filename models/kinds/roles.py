"""Who speaks in a control report: the control body or the audited organism, as patterns.

The annotation guide's kinds are defined by roles, not by one agency: the control body's findings
are observations and its prescriptions recommendations, the audited organism's voice is a
rebuttal. The control body is ANCOLS (l'Agence, la Miilos, le contrôle, l'équipe de contrôle) or
any other public auditor (la chambre régionale des comptes, la Cour, la mission, l'inspection);
the organism is named by its legal form or its officers (la société, l'office, l'ordonnateur, le
président…) or by its own name. ``voices`` reads who speaks in each sentence and carries the
organism's voice across the sentences of a paragraph, as reported speech runs on in French
("La société indique que … Elle ajoute que … Ces travaux seront achevés en 2020.") until the
paragraph ends or the control body speaks again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ancols_nlp.pipelines import french

_I = re.IGNORECASE
_ADV = r"(?:\w+\s+){0,2}?"

CONTROL_BODY = french.cue_fragment("CONTROL_BODY")  # the lists themselves live in pipelines/french/cues.toml
ORGANISM = french.cue_fragment("ORGANISM")
# A proper noun standing for the organism ("Habitat 44 précise", "la Soginorpa a fait savoir").
NAME = (r"(?!(?:Elle|Il|Ils|Elles|Celle-ci|Celui-ci|Ce|Cette|On|Nous|Ceci|Cela)\b)(?:[Ll]a\s+|[Ll]e\s+|[Ll]['’])?"
        r"[A-ZÀ-Þ][\w&’'-]+(?:\s+[A-ZÀ-Þ0-9][\w&’'-]*){0,2}")
DOCUMENT = french.cue_fragment("DOCUMENT")  # what a pronoun may stand for: "Elle (la charte) rappelle …"

# Verbs of reported speech and commitment, present / imperfect / compound past. Verbs whose first sense is not
# saying ("assurer la direction", "proposer un logement", "confirmer une tendance") report speech only with a
# completive clause or an infinitive of statement ("assure que", "confirme avoir"), as do verbs of opinion
# ("l'organisme considère que", "estime être") — French grammar of the verba dicendi and sentiendi.
# "object" is objecter, not the noun "objectif" ("la société a pour objectif …").
_CLAUSE = r"\s+(?:\w+\s+){0,3}?(?:que\b|qu['’]|avoir\b|[êe]tre\b|pouvoir\b|d(?:e|['’])\s*\w+(?:er|ir|re)\b|:)"
_SPEECH_PRESENT = (
    r"(?:(?:indiqu|pr[ée]cis|contest|fai[ts]\s+valoir|s['’]engag\w*\s+[àa]|reconna[iî]|expliqu|affirm"
    r"|soutien|fai[ts]\s+savoir|r[ée]pond|object(?!i)|invoqu|d[ée]clar|admet|envisag"
    r"|conteste|r[ée]fute|d[ée]ment|pr[ée]tend|fait\s+observer|fait\s+remarquer|[ée]voqu|met\s+en\s+avant"
    r"|justifi(?!\w*\s+(?:de|du|des|d['’])\s))"  # "justifie du respect des délais" proves, it does not answer
    # a finite verb: "la société devra préciser" is a prescription, not her voice, and "le rôle social de la société
    # est très affirmé" an adjective (a past participle after "être" is a state, not a speech act)
    r"(?!\w*(?:er|ir|re|ée?s?)\b)"
    r"|(?:soulign|signal|ajout|assur|confirm|propos|annonc|rappel|consid[èe]r|estim|jug|pens)\w*" + _CLAUSE + r")")
_PARTICIPLE = (
    r"(?:(?:indiqu[ée]s?|pr[ée]cis[ée]s?|contest[ée]s?|fait\s+(?:valoir|savoir|observer|remarquer)|reconnu"
    r"|expliqu[ée]|justifi[ée](?!\s+(?:de|du|des|d['’])\s)|affirm[ée]|soutenu|r[ée]pondu|object[ée]|invoqu[ée]"
    r"|d[ée]clar[ée]|admis|[ée]voqu[ée]|mis\s+en\s+avant)"
    r"|(?:soulign|signal|ajout|assur|confirm|annonc|rappel|consid[ée]r|estim|jug|propos)[ée]" + _CLAUSE + r")")
_SAID = (r"(?:(?:a|ont|aurait|auraient|avait|avaient)\s+" + _ADV + _PARTICIPLE
         + r"|(?:s['’]est|se\s+sont)\s+engag\w*\s+[àa]|"
         + _SPEECH_PRESENT + r")")
ORG_SPEECH = re.compile(r"\b(?:" + ORGANISM + r")\s+" + _ADV + _SAID, _I)
NAME_SPEECH = re.compile(
    r"(?:^\s*|[.;:]\s+|,\s+)(?!(?i:" + CONTROL_BODY + r"))" + NAME
    + r"\s+(?:(?:a|ont|aurait|avait)\s+" + _PARTICIPLE + r"|"
    r"(?:pr[ée]cise|indique|conteste|fait\s+(?:valoir|savoir)|reconna[iî]t|s['’]engage|explique"
    r"|affirme|soutient|justifie|souligne|r[ée]pond|ajoute|confirme)\b)")
_SOURCE = r"(?:" + ORGANISM + r"|ses\s+dirigeants|l['’]ordonnateur|ses\s+responsables)\b"
# "selon la société", "d'après ses dirigeants"; "pour" only as a detached "Pour la société, …" ("mineur pour
# l'organisme" is for whom, not according to whom).
ACCORDING_TO = re.compile(r"\b(?:selon|d['’]apr[èe]s|aux\s+dires\s+d[eu']\s*)\s+" + _SOURCE
                          + r"|(?:^\W*|[;:]\s*|,\s+)pour\s+" + _SOURCE + r"\s*,", _I)
PRONOUN_START = re.compile(r"^\W*(?:elle|il|ils|elles|celle-ci|celui-ci)\b", _I)
PRONOUN_SPEECH = re.compile(PRONOUN_START.pattern + r"\s+" + _ADV + _SAID, _I)
# The control body speaking or prescribing, in any tense: "la chambre recommandait", "l'Agence ne peut qu'inciter".
BODY_SUBJECT = re.compile(r"\b" + CONTROL_BODY, _I)
_PRESCRIBE = (r"(?:ne\s+peut\s+qu['’]|(?:a|avait)\s+)?" + _ADV +
              r"(?:recommand|pr[ée]conis|invit|demand\w*\s+(?:[àa]|de|d['’]|que)|inciter?|incit[ae]|encourag|enjoin"
              r"|exhort|rappel\w*\s+(?:[àa]\s+l['’]|l['’]obligation)|insist|sugg[ée]r|conseill|prescri"
              # a request is a prescription: "l'Agence sollicite un réexamen" (solliciter = demander, French lexicon)
              r"|sollicit)")
BODY_PRESCRIBES = re.compile(r"\b" + CONTROL_BODY + r"\s+" + _ADV + _PRESCRIBE, _I)
PRONOUN_PRESCRIBES = re.compile(PRONOUN_START.pattern + r"\s+" + _ADV + _PRESCRIBE, _I)
BODY_VOICE = re.compile(
    r"\b" + CONTROL_BODY + r"\s+" + _ADV + r"(?:(?:a|avait)\s+)?" + _ADV +
    r"(?:maint|prend\s+acte|pris\s+acte|not|rel[èe]v|constat|observ|consid[èe]r|estim|regrett|confirm"
    r"|rappel|soulign|s['’]interrog|s['’][ée]tonn|d[ée]plor|a\s+(?:pu\s+)?(?:v[ée]rifi|examin|analys)"
    r"|n['’]a\s+pas|ne\s+partage)"
    # the author answering the answer, subject unnamed: "contrairement à ce qu'indique l'ordonnateur",
    # "ces éléments ne sont pas de nature à …", "cet argument ne peut être retenu" (French discourse of refutation)
    r"|\bcontrairement\s+[àa]\s+ce\s+qu['’]"
    r"|\b(?:ne\s+(?:sont|est)\s+pas|n['’]est\s+pas)\s+de\s+nature\s+[àa]"
    r"|\bne\s+(?:peu(?:t|vent)|saurai(?:t|ent))\s+(?:pas\s+)?(?:\w+\s+)?[êe]tre\s+retenu", _I)
# A paragraph that reports the organism's answer to the provisional report: "En réponse aux observations
# provisoires, l'organisme …", "Dans sa réponse, la société …" (the guide's own examples of a rebuttal).
# A label that opens the organism's answer over the paragraphs below it ("Réponse de l'organisme :"), and the
# labels that hand the word back to the control body ("Analyse de l'Agence :", "Observation n°4 :"): the boxed
# layout of answers in ANCOLS reports, where the organism's text may follow in the first person.
ANSWER_LABEL = re.compile(r"^\W*r[ée]ponses?\s+(?:de\s+|du\s+)(?:" + ORGANISM + r"|l['’]organisme)", _I)
BODY_LABEL = re.compile(r"^\W*(?:(?:analyse|commentaires?|r[ée]ponse|observations?|avis|position|appr[ée]ciation)"
                        r"\s+(?:de\s+|du\s+)" + CONTROL_BODY
                        + r"|(?:observation|recommandation|constat)\s*n\s*°"
                        r"|obligation\s+de\s+faire|rappel\s+(?:[àa]\s+la\s+r[ée]glementation|au\s+droit))", _I)
# "Dans sa réponse, la société développe …", "En réponse aux observations provisoires, l'organisme …": the
# opening says whose answer it is, whatever the verb (the guide's own examples of a rebuttal).
ANSWER_OPENING = re.compile(r"(?:dans\s+(?:sa|leur|ses)\s+(?:r[ée]ponses?|commentaires)|en\s+r[ée]ponse\s*(?:aux?\s+"
                            r"(?:observations|rapport|remarques|constats)|[,:]))[^.]{0,80}?\b(?:" + ORGANISM
                            + r"|elle|il)\b", _I)
REPLY_OPENER = re.compile(r"\b(?:dans\s+(?:sa|leur|ses)\s+r[ée]ponses?|en\s+r[ée]ponse|pour\s+r[ée]pondre"
                          r"|dans\s+ses\s+commentaires)\b", _I)

ORG_VOICE, BODY, NEUTRAL = "organism", "control_body", ""
LOOKBACK = 4  # sentences a pronoun's antecedent is looked for in, when the previous sentence names no role


@dataclass(frozen=True)
class Voice:
    """Who speaks in a sentence: its own cue, the voice carried from its paragraph, and whether the paragraph
    reports the organism's answer (opened by "En réponse, la société …", the control body silent since)."""

    own: str = NEUTRAL
    carried: str = NEUTRAL
    reply: bool = False


def body_prescribes(text: str, previous: str = "") -> bool:
    """The control body prescribes, named ("la chambre invitait") or as a pronoun standing for it ("Elle invite")."""
    return bool(BODY_PRESCRIBES.search(text)) or (bool(PRONOUN_PRESCRIBES.search(text))
                                                  and antecedent(previous) == "control_body")


def antecedent(previous: str) -> str:
    """Role a sentence-initial pronoun most likely stands for: the subject role of the previous sentence.

    ``control_body``, ``organism``, ``document`` or "" (unknown); the first mention wins, as a
    French subject comes first."""
    found = []
    for role, pattern in (("control_body", CONTROL_BODY), ("organism", ORGANISM), ("document", DOCUMENT)):
        match = re.search(r"\b" + pattern, previous, _I)
        if match:
            found.append((match.start(), role))
    return min(found)[1] if found else ""


def own_voice(text: str, previous: str = "", role: str | None = None) -> str:
    """Who this sentence itself says is speaking: ``organism``, ``control_body`` or "" (no cue).

    ``role`` is what a sentence-initial pronoun stands for, when the caller resolved it over more than
    the previous sentence (``voices``); by default, the previous sentence's subject role."""
    if BODY_VOICE.search(text) or BODY_PRESCRIBES.search(text):
        return BODY
    if ORG_SPEECH.search(text) or ACCORDING_TO.search(text) or NAME_SPEECH.search(text) or ANSWER_OPENING.search(text):
        return ORG_VOICE
    if PRONOUN_START.search(text):
        role = antecedent(previous) if role is None else role
        if role == "control_body":
            return BODY
        if role == "organism" and PRONOUN_SPEECH.search(text):
            return ORG_VOICE
    return NEUTRAL


def voices(texts: Sequence[str], paragraphs: Sequence[int], headings: Sequence[bool] | None = None) -> list[Voice]:
    """For each sentence, its own voice, the voice carried from the sentences before it in its paragraph, and
    whether its paragraph reports the organism's answer.

    ``paragraphs`` gives each sentence's paragraph (block) id; the carried voice is the last non-empty own
    voice of the same paragraph, reset at every new paragraph. A sentence-initial pronoun stands for the
    subject role of the nearest of the last ``LOOKBACK`` sentences that has one, a pronoun passing its own
    on ("L'organisme indique … Il précise … Il ajoute …", across the items of a list it announced); a
    paragraph opened by such a pronoun speaking for the organism ("Il ajoute que …") goes on with an answer
    reported just before it. Under an "Réponse de l'organisme" label (``ANSWER_LABEL``) every sentence is the
    answer until a heading (``headings``: which sentences are headings), a label of the control body or its own
    voice."""
    out: list[Voice] = []
    carried, reply, block, boxed = NEUTRAL, False, None, False
    subjects: list[str] = []  # each earlier sentence's subject role ("" when it names none)
    for text, paragraph, heading in zip(texts, paragraphs, headings or [False] * len(texts)):
        if paragraph != block:
            carried, reply, block = NEUTRAL, False, paragraph
        role = next((r for r in reversed(subjects[-LOOKBACK:]) if r), "")
        voice = own_voice(text, role=role)
        if ANSWER_LABEL.search(text):
            boxed = True
        elif heading or BODY_LABEL.search(text) or voice == BODY:
            boxed = False
        answering = any(v.reply for v in out[-LOOKBACK:]) and bool(PRONOUN_START.search(text))
        opens = voice == ORG_VOICE and (bool(REPLY_OPENER.search(text)) or answering)
        reply = ((reply or opens) and voice != BODY) or boxed
        out.append(Voice(voice, carried, reply))
        carried = voice or carried
        subjects.append(role if PRONOUN_START.search(text) else antecedent(text))
    return out
