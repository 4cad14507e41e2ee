"""The organism's legal form and département, the document's date and the period the control covers.

All are read where ANCOLS documents put them: the cover page and fiche récapitulative of a report
("Société anonyme d'HLM Espace Domicile Trignac (44)", "Rapport définitif … Novembre 2017"), the
place-and-date line of a letter ("Ivry-sur-Seine, le 20 décembre 2024"), and the period the text
keeps coming back to ("sur la période 2011-2015", "les exercices 2009 à 2013").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ancols_nlp.pipelines.departements import DEPARTEMENTS

HEAD_CHARS = 3000
DATE_HEAD_CHARS = 10_000  # a report's date can sit after its table of contents ("RAPPORT DE CONTRÔLE: avril 2019")

# Canonical legal form → how documents write it; counted in the head first (reports), else the whole
# text (a letter says "la coopérative").
LEGAL_FORMS: dict[str, re.Pattern[str]] = {
    "SA d'HLM": re.compile(r"\bsoci[ée]t[ée]\s+anonyme\s+(?:d['’]\s*)?"
                           r"(?:HLM|habitations?\s+[àa]\s+loyer\s+mod[ée]r[ée])"
                           r"|\bSA\s+(?:d['’]\s*)?HLM\b", re.IGNORECASE),
    "ESH": re.compile(r"\bESH\b|\bentreprise\s+sociale\s+pour\s+l['’]habitat", re.IGNORECASE),
    "OPH": re.compile(r"\bOPH\b|\bOPAC\b|\boffice\s+public\s+(?:de\s+l['’]habitat|d['’]am[ée]nagement)",
                      re.IGNORECASE),
    "SEM": re.compile(r"\bSEM\b|\bsoci[ée]t[ée]\s+d['’][ée]conomie\s+mixte", re.IGNORECASE),
    "coopérative d'HLM": re.compile(r"\bSC[IP]C?\s+(?:d['’]\s*)?HLM\b|\bcoop[ée]rative\b", re.IGNORECASE),
}
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
          "décembre")
_MONTH = r"(janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre|d[ée]cembre)"
# A report's date follows its title or number on one line; a letter's follows its place: ", le 20 décembre 2024".
REPORT_DATE = re.compile(r"(?:rapport|n\s*°\s*\d{4}\s*-\s*\d{2,3})[^\n]{0,80}?\b" + _MONTH + r"\s+((?:19|20)\d\d)\b",
                         re.IGNORECASE)
LETTER_DATE = re.compile(r",\s*le\s+(\d{1,2})(?:er)?\s+" + _MONTH + r"\s+((?:19|20)\d\d)\b", re.IGNORECASE)
# "(44)", "(Loire - 42)", "(2A)", "(974)" after a place name.
DEPARTEMENT_CODE = re.compile(r"\(\s*(?:[A-ZÀ-Þ][\w'’ -]{1,30}?\s*[-–]\s*)?(\d{2}|2[AB]|97\d)\s*\)")
PERIOD = re.compile(r"\b(?:p[ée]riode|exercices|ann[ée]es)\s+"
                    r"(?:(?:sous\s+revue|contr[ôo]l[ée]e|examin[ée]e|[ée]tudi[ée]e)\s*)?"
                    r"[{(]?\s*(?:de\s+|allant\s+de\s+)?((?:19|20)\d\d)\s*(?:-|–|à|au|/)\s*((?:19|20)\d\d)\b",
                    re.IGNORECASE)
MAX_PERIOD_YEARS = 10


@dataclass(frozen=True)
class Identity:
    legal_form: str | None
    department_code: str | None
    department: str | None
    date: str | None  # ISO: "2017-11" for a report's month, "2024-12-20" for a letter's day
    control_period: str | None  # "2011-2015"


def read_identity(text: str, *, letter: bool) -> Identity:
    code = department_code(text[:HEAD_CHARS])
    day = document_date(text[:DATE_HEAD_CHARS], letter=letter)
    return Identity(legal_form=legal_form(text), department_code=code, department=DEPARTEMENTS.get(code or ""),
                    date=day, control_period=control_period(text, until=int(day[:4]) if day else None))


def legal_form(text: str) -> str | None:
    """The legal form the head names most often, else the whole text."""
    for scope in (text[:HEAD_CHARS], text):
        counts = Counter({form: len(pattern.findall(scope)) for form, pattern in LEGAL_FORMS.items()})
        form, hits = counts.most_common(1)[0]
        if hits:
            return form
    return None


def department_code(head: str) -> str | None:
    match = DEPARTEMENT_CODE.search(head)
    return match.group(1) if match and match.group(1) in DEPARTEMENTS else None


def document_date(head: str, *, letter: bool) -> str | None:
    if letter and (match := LETTER_DATE.search(head)):
        return f"{match.group(3)}-{_month(match.group(2)):02d}-{int(match.group(1)):02d}"
    # A report cites earlier reports ("Précédent rapport … d'août 2012"), never later ones:
    # its own date is the latest.
    dates = [f"{m.group(2)}-{_month(m.group(1)):02d}" for m in REPORT_DATE.finditer(head)]
    return max(dates, default=None)


def control_period(text: str, *, until: int | None = None) -> str | None:
    """The past period the text names most often (the first named on a tie); forecasts past ``until`` are not it."""
    periods = [(int(a), int(b)) for a, b in PERIOD.findall(text)]
    periods = [(a, b) for a, b in periods if 0 < b - a <= MAX_PERIOD_YEARS and (until is None or b <= until)]
    if not periods:
        return None
    counts = Counter(periods)
    best = max(periods, key=lambda p: (counts[p], -periods.index(p)))
    return f"{best[0]}-{best[1]}"


def _month(name: str) -> int:
    folded = name.lower().replace("é", "e").replace("û", "u")
    return next(i for i, month in enumerate(MONTHS, 1) if month.replace("é", "e").replace("û", "u") == folded)
