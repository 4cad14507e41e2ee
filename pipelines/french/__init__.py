"""The French of the project, in one place: word lists as data files, and the one accent folding.

Classification (kind and stance cues), search (stopwords, thesaurus, kind intents) and chat
(question frame, intents) read the same files, so the three cannot disagree on a word:

- ``stopwords.txt``: function words dropped from index terms;
- ``cues.toml``: regular expressions for kinds (rules and model features), rebuttal stances and what an
  answer refers to (a numbered finding, a section, a quotation);
- ``intents.toml``: wording that asks for a kind of passage or names a theme, and the chat's question frame;
- ``thesaurus.tsv``: groups of interchangeable phrasings used to expand queries, each with its source;
- ``acronyms.py``: the acronyms a document defines itself ("commission d'attribution (CAL)");
- ``accents.tsv``: word endings always written accented, to respell a query typed without accents.

Changing a stopword changes what is indexed: bump ``index/analyzer.ANALYZER_VERSION`` with it (the
stores re-analyse); changing the mining, ``acronyms.ACRONYMS_VERSION`` (the stores mine again). The
thesaurus and the intents act on queries only. Changing a feature cue means retraining the kind model.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent
_REFERENCE = re.compile(r"\{\{(\w+)\}\}")
ACRONYM = re.compile(r"[A-Z][A-Z0-9]{1,9}")
# The apostrophes a French text is typed with: the typewriter's ', the typographic ’ and the modifier letter ʼ
# (U+02BC, which some keyboards and word processors put; Unicode counts it a letter, so a word would hold it whole).
APOSTROPHES = "'’\u02bc"
# An elided article or pronoun at the start of a word (not inside a compound: "après-l'…" keeps it), in any case:
# "L'EPCI" mid-sentence, "D'Annecy", "lʼEPCI". The analyzer, the chat and the acronyms' mining read this one.
ELISION = re.compile(rf"(?<![\w{APOSTROPHES}-])(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu|quoiqu)[{APOSTROPHES}](?=[^\W\d_])",
                     re.IGNORECASE)


def fold(text: str) -> str:
    """Lower-case text without accents ("Élevée" → "elevee"), so words compare across case and accents."""
    return "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))


def _lines(name: str) -> list[str]:
    lines = (HERE / name).read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip() and not line.startswith("#")]


@cache
def _toml(name: str) -> dict:
    with (HERE / name).open("rb") as f:
        return tomllib.load(f)


@cache
def stopwords() -> frozenset[str]:
    """Function words, as written (accented, lower-case)."""
    return frozenset(_lines("stopwords.txt"))


@cache
def titles() -> frozenset[str]:
    """Titles and honorifics ("Mme", "Président"), folded: no names (``titles.txt``, its sources)."""
    return frozenset(fold(line.strip()) for line in _lines("titles.txt"))


@dataclass(frozen=True)
class Group:
    """Phrasings of one notion ("CAL", "commission d'attribution des logements") and where they come from."""

    phrases: tuple[str, ...]
    source: str


@cache
def thesaurus() -> tuple[Group, ...]:
    """The thesaurus groups, in file order."""
    rows = (line.split("\t") for line in _lines("thesaurus.tsv"))
    return tuple(Group(tuple(p.strip() for p in phrases.split("|")), source.strip()) for phrases, source in rows)


def is_acronym(phrase: str) -> bool:
    """An acronym as written in reports: "CAL", "NPNRU", "SA" (2 to 10 capitals or digits, a capital first)."""
    return ACRONYM.fullmatch(phrase) is not None


def names_acronym(token: str, acronym: str) -> bool:
    """Whether a query word names ``acronym``: written the same, or the same but for case when it is not a
    function word too ("cal" names CAL; "ca" and "plus" do not name CA and PLUS)."""
    return token == acronym or (token.lower() == acronym.lower() and fold(token) not in folded_stopwords())


@cache
def _accent_endings() -> tuple[tuple[str, str], ...]:
    """(unaccented, accented) endings of ``accents.tsv``, longest first ("ees" before "ee")."""
    pairs = [tuple(line.split("\t")[:2]) for line in _lines("accents.tsv")]
    return tuple(sorted(pairs, key=lambda p: -len(p[0])))


def accented(word: str) -> str | None:
    """The lower-case ``word`` with its ending accented as French writes it ("fumee" → "fumée"), or None when
    it has an accent already, or no such ending: whether the respelled word is the meant one is for the
    documents to say (the stems differ: "fumee" → fume, "fumée" → fum)."""
    if fold(word) != word:
        return None
    for plain, accent in _accent_endings():
        if word.endswith(plain) and len(word) > len(plain) + 1:
            return word[:-len(plain)] + accent
    return None


@cache
def folded_stopwords() -> frozenset[str]:
    return frozenset(fold(w) for w in stopwords())


@cache
def _intents(section: str) -> dict[str, re.Pattern[str]]:
    """One pattern per kind or theme of an ``intents.toml`` section, in file order."""
    return {name: re.compile("|".join(patterns)) for name, patterns in _toml("intents.toml")[section].items()}


def kind_intents(text: str) -> tuple[str, ...]:
    """The kinds of passage a query or question asks for by its wording (``intents.toml``), in file order."""
    folded = fold(text)
    return tuple(kind for kind, pattern in _intents("kinds").items() if pattern.search(folded))


def theme_intents(text: str) -> tuple[tuple[str, ...], str]:
    """The themes a query names by their wording (``intents.toml`` [themes], in file order), and the query
    folded with that wording blanked out (what else it says)."""
    rest, named = fold(text), []
    for theme, pattern in _intents("themes").items():
        if pattern.search(rest):
            named.append(theme)
            rest = pattern.sub(" ", rest)
    return tuple(named), rest


@cache
def chat_frame() -> tuple[str, ...]:
    """Words of a chat question's frame ("que dit le rapport sur …")."""
    return tuple(_toml("intents.toml")["chat"]["frame"].split())


def _joined(pattern: str | list[str]) -> str:
    return pattern if isinstance(pattern, str) else "".join(pattern)


@cache
def _cue_sources() -> dict[str, str]:
    """Fragment and kind patterns by name, references resolved (each may use those before it)."""
    data = _toml("cues.toml")
    resolved: dict[str, str] = {}
    for name, pattern in {**data["fragments"], **data["kinds"]}.items():
        resolved[name] = _resolve(_joined(pattern), resolved)
    return resolved


def cue_fragment(name: str) -> str:
    """A ``[fragments]`` pattern of ``cues.toml``, references resolved, to build a larger one (roles of speakers)."""
    return _cue_sources()[name]


def _resolve(pattern: str, names: dict[str, str]) -> str:
    return _REFERENCE.sub(lambda m: names[m.group(1)], pattern)


def _compile(pattern: str | list[str], case: bool = False) -> re.Pattern[str]:
    return re.compile(_resolve(_joined(pattern), _cue_sources()), 0 if case else re.IGNORECASE)


@cache
def kind_cues() -> dict[str, re.Pattern[str]]:
    """The rule classifier's cues: ``REBUTTAL``, ``AGENCY_REPLY``, ``RECOMMENDATION``, ``OTHER``."""
    return {name: _compile(pattern) for name, pattern in _toml("cues.toml")["kinds"].items()}


@cache
def feature_cues() -> dict[str, re.Pattern[str]]:
    """The kind model's cue features, in feature order."""
    return {f["name"]: _compile(f["pattern"], f.get("case", False)) for f in _toml("cues.toml")["feature"]}


@cache
def stance_cues() -> dict[str, re.Pattern[str]]:
    """Stance cues: ``contests``, ``connectors``, ``opposes``, ``commits``, ``accepts``."""
    return {name: _compile(pattern) for name, pattern in _toml("cues.toml")["stance"].items()}


@cache
def reference_cues() -> dict[str, re.Pattern[str]]:
    """What an answer cites or announces (``cited_finding``, ``cited_section``, ``quoted``, ``topic`` …)."""
    entries = _toml("cues.toml")["references"].items()
    return {name: _compile(e["pattern"], e["case"]) if isinstance(e, dict) else _compile(e) for name, e in entries}
