"""What a document is (control report or the organism's reply letter) and whom it concerns.

A reply letter speaks in the organism's voice from start to end, so the document type
decides the kind of most of its sentences; it is read from the opening page, where a
report announces itself ("Rapport définitif de contrôle n° …") and a letter greets its reader.

The organism's name is read where reports and letters put it (after or before its legal form
— "Société anonyme d'HLM «Lozère Habitations»", "Le Toit Forézien Société coopérative
d'intérêt collectif…", "Raison sociale : …", or "le rapport de contrôle sur la Coop'lvry
Habitat" in a letter), then each candidate is cut to the form the document itself repeats
most ("Espace Domicile", not "Espace Domicile Trignac (44)").
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict
from datetime import date
from functools import lru_cache

from ancols_nlp.pipelines.identity import read_identity
from ancols_nlp.pipelines.patterns import YEAR
from ancols_nlp.pipelines.types import DocumentMeta

HEAD_CHARS = 3000
# A report's title stands at the start of a line; a letter only mentions "un rapport de contrôle".
REPORT_TITLE = re.compile(r"^\W*(?:rapport\s+(?:d[ée]finitif\s+|provisoire\s+)?(?:de\s+contr[ôo]le|n\s*°)"
                          r"|fiche\s+r[ée]capitulative)", re.IGNORECASE | re.MULTILINE)
REPLY_TITLE = re.compile(r"^\W*(?:r[ée]ponses?\s+(?:de\s+l['’]organisme|au\s+rapport)|objet\s*:\s*r[ée]ponse)",
                         re.IGNORECASE | re.MULTILINE)
# A letter's object line, where it says what it is about ("Objet : Réponse au rapport définitif n° …").
OBJECT_LINE = re.compile(r"^\W*objet\s*:[ \t]*(\S[^\n]*?)[ \t]*$", re.IGNORECASE | re.MULTILINE)
LETTER_OPENING = re.compile(r"^\W*(?:Monsieur|Madame|Mesdames|Messieurs)\b[^\n]{0,80},\s*$", re.MULTILINE)
FIRST_PERSON = re.compile(r"\b(?:nous|notre|nos)\b", re.IGNORECASE)
REPORT_NUMBER = re.compile(r"\bn\s*°\s*(\d{4})\s*-\s*(\d{2,3})\b", re.IGNORECASE)

# The legal forms of social landlords, as they open or close an organism's name.
LEGAL_FORM = (r"(?i:\b(?:soci[ée]t[ée]\s+anonyme\s+(?:d['’]\s*)?"
              r"(?:HLM|habitations?\s+[àa]\s+loyer\s+mod[ée]r[ée])"
              r"|SA\s+(?:d['’]\s*)?HLM|SCIC\s+(?:d['’]\s*)?HLM"
              r"|soci[ée]t[ée]\s+coop[ée]rative[^\n«»]{0,80}?mod[ée]r[ée]"
              r"|office\s+public\s+de\s+l['’]habitat|OPH|SEM|ESH|entreprise\s+sociale\s+pour\s+l['’]habitat)\b)")
_WORD = r"[A-ZÀ-Þ][\w'’.\-]*"
_NAME = (_WORD + r"(?:[ \t]+(?:(?:d['’]|de[ \t]+|du[ \t]+|des[ \t]+|la[ \t]+|le[ \t]+|les[ \t]+"
         r"|l['’]|et[ \t]+|sur[ \t]+)?" + _WORD + r"))*")
NAME_AFTER_FORM = re.compile(LEGAL_FORM + r"[ \t]*(?:[«\"“][ \t]*([^»\"”\n]{2,60}?)[ \t]*[»\"”]"
                             r"|(" + _NAME + r"))")
NAME_BEFORE_FORM = re.compile(r"(?:^|(?i:\bn\s*°\s*\d{4}\s*-\s*\d{2,3}))[ \t*#]*("
                              + _NAME + r")[ \t]*[-–,]?[ \t]*" + LEGAL_FORM,
                              re.MULTILINE)
RAISON_SOCIALE = re.compile(r"(?i:raison\s+sociale)[^:\n]{0,60}:[ \t]*(" + _NAME + ")")
# A letter names its organism as the object of the control or of its officers' titles.
NAME_IN_LETTER = re.compile(r"\b(?:sur|de|pour|par)\s+(?:la\s+|le\s+|l['’])(" + _NAME + ")")
NOT_A_NAME = re.compile(
    r"^(?:ancols|agence|miilos|minist[èe]re|conseil|direct(?:eur|rice)|pr[ée]sident|monsieur|madame"
    r"|commission|comit[ée]"
    r"|[ée]tat|r[ée]publique|france|caisse|cglls|ush|union|f[ée]d[ée]ration|pr[ée]fe|ville|commune"
    r"|loi|code|article"
    r"|rapport|fiche|synth[èe]se|soci[ée]t[ée]|organisme|office|coop[ée]rative|grande|d[ée]fense"
    r"|paroi|nombre|adresse"
    r"|indicateurs?|r[ée]f[ée]rence|source|ressources|n°)\b",
    re.IGNORECASE)
TRAILER = re.compile(r"\s*(?:\(\s*\d{2,3}\s*\)|[-–]\s*\(?[\w\s-]*\d{2,3}\)?|[-–]\s*[A-ZÀ-Þ]{2,}|\(.*)\s*$")
STOPWORDS = frozenset({"de", "du", "des", "la", "le", "les", "l'", "l’", "d'", "d’", "et", "sur"})


def read_meta(text: str) -> DocumentMeta:
    """Document type and identity, from the first pages of ``text`` (legal form, département, date and
    control period: ``ancols_nlp.pipelines.identity``)."""
    head = text[:HEAD_CHARS]
    number = REPORT_NUMBER.search(head)
    # A document is not dated after the year it is read: a target year ("à l'horizon 2050") is not its date.
    years = [y for y in map(int, YEAR.findall(head)) if y <= date.today().year + 1]
    kind = doc_type(text)
    report_number = f"{number.group(1)}-{number.group(2)}" if number else None
    name = organism(text, letter=kind == "reply")
    found = title(head, kind, name, report_number)
    return DocumentMeta(
        doc_type=kind,
        title=found[:200] if found else None,
        report_number=report_number,
        organism=name,
        year=int(number.group(1)) if number else (max(years) if years else None),
        **asdict(read_identity(text, letter=kind == "reply")),
    )


def title(head: str, kind: str, name: str | None, report_number: str | None) -> str | None:
    """A report's first line; a letter's object line or reply title, else whom and what it answers: a letter's
    first lines are its salutation ("Monsieur le Directeur Général,"), place and date, and the addressee's address."""
    lines = (line.strip(" #*") for line in head.splitlines())
    first = next((line for line in lines if line), None)
    if kind != "reply":
        return first
    if found := OBJECT_LINE.search(head):
        return found.group(1).strip(" #*")
    if found := REPLY_TITLE.search(head[:1500]):
        start = head.rfind("\n", 0, found.end()) + 1  # its ``^\W*`` may start on a blank line before
        return head[start:].split("\n", 1)[0].strip(" #*")
    answers = "réponse au rapport de contrôle" + (f" n° {report_number}" if report_number else "")
    return f"{name} : {answers}" if name else answers[0].upper() + answers[1:]


def doc_type(text: str) -> str:
    """``reply`` for a letter written by the organism, ``report`` otherwise."""
    head = text[:HEAD_CHARS]
    reply_title, report_title = REPLY_TITLE.search(head[:1500]), REPORT_TITLE.search(head)
    # A report may quote the organism's answer early (a summary's answer box): the first title says what it is.
    if reply_title and (report_title is None or reply_title.start() < report_title.start()):
        return "reply"
    greets = LETTER_OPENING.search(head[:800]) is not None
    announces_report = report_title is not None
    first_person = len(FIRST_PERSON.findall(text[:20000]))
    if greets and not announces_report:
        return "reply"
    if not announces_report and first_person >= 10:
        return "reply"
    return "report"


def organism(text: str, *, letter: bool = False) -> str | None:
    """The organism's name as the document most often writes it, or None."""
    head = text[:HEAD_CHARS]
    candidates = [m.group(1) or m.group(2) for m in NAME_AFTER_FORM.finditer(head)]
    candidates += [m.group(1) for m in NAME_BEFORE_FORM.finditer(head)]
    candidates += [m.group(1) for m in RAISON_SOCIALE.finditer(head)]
    if letter or not candidates:
        candidates += [m.group(1) for m in NAME_IN_LETTER.finditer(head)]
    best, best_score = None, 0.0
    for candidate in candidates:
        for name in _forms(candidate):
            score = _count(text, name) * math.sqrt(len(name.split()))
            if score > best_score:
                best, best_score = name, score
    return best


def _forms(candidate: str) -> list[str]:
    """The candidate and its leading word runs, without department trailers and dangling articles."""
    name = TRAILER.sub("", re.sub(r"\s+", " ", candidate.strip(" *«»\"“”"))).strip(" -–,.")
    words = name.split()
    forms = []
    for n in range(1, len(words) + 1):
        form = " ".join(words[:n])
        if words[n - 1].lower() in STOPWORDS or NOT_A_NAME.match(form) or len(form) < 3:
            continue
        forms.append(form)
    return forms


def _count(text: str, name: str) -> int:
    return len(_pattern(name).findall(text))


@lru_cache(maxsize=256)
def _pattern(name: str) -> re.Pattern[str]:
    return re.compile(r"(?<![\w'’-])" + re.escape(name) + r"(?![\w'’-])", re.IGNORECASE)
