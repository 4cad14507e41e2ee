"""The French of the project, in one place: word lists as data files, and the one accent folding.

Classification (kind and stance cues), search (stopwords, thesaurus, kind intents) and chat
(question frame, intents) read the same files, so the three cannot disagree on a word:

- ``stopwords.txt``: function words dropped from index terms;
- ``cues.toml``: regular expressions for kinds (rules and model features) and rebuttal stances;
- ``intents.toml``: wording that asks for a kind of passage, and the chat's question frame;
- ``thesaurus.tsv``: groups of interchangeable phrasings used to expand queries.

Changing a stopword, a thesaurus entry or an intent changes what is indexed or searched:
``index/analyzer.ANALYZER_VERSION`` must be bumped with it. Changing a feature cue means
retraining the kind model.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent
_REFERENCE = re.compile(r"\{\{(\w+)\}\}")


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
def thesaurus() -> tuple[tuple[str, ...], ...]:
    """Groups of interchangeable phrasings."""
    return tuple(tuple(p.strip() for p in line.split("\t")[0].split("|")) for line in _lines("thesaurus.tsv"))


@cache
def kind_intents() -> dict[str, tuple[str, ...]]:
    """Per kind, the phrases by which a query asks for passages of that kind."""
    return {kind: tuple(phrases) for kind, phrases in _toml("intents.toml")["kinds"].items()}


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
    """Stance cues, strongest first: ``contests``, ``commits``, ``accepts``."""
    return {name: _compile(pattern) for name, pattern in _toml("cues.toml")["stance"].items()}
