"""What a query names besides its topic: the kinds of passage it asks for, a stored organism, a theme.

Search and chat read a query the same way here. A kind ("l'organisme conteste …") and a theme ("contrôle
interne", "recommandations sur la gouvernance") are asked for by their wording (``pipelines/french/intents.toml``).
An organism is recognised by the names the stored documents give it (``store.organisms()``), accents and case
aside, also without its leading article ("Toit Forézien" for "Le Toit Forézien"). Its name then says WHOSE
passages are wanted, not what they are about: it is taken out of the words that are matched, which only decide
which of that organism's passages answer. None of these is a filter (the user did not ask to filter); the
ranking favours the passages they point to (index/ranking.py ``intent_priors``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from ancols_nlp.index.analyzer import TOKEN, analyze, query_kinds
from ancols_nlp.pipelines import french

# A name shorter than this (folded, spaces included) is too likely to be an ordinary word or an initial.
MIN_NAME_CHARS = 4
LEADING_ARTICLES = frozenset({"le", "la", "les", "l"})  # "Le Toit Forézien" is also written "Toit Forézien"


@dataclass(frozen=True)
class QueryIntent:
    text: str  # what the lexical and dense scores match: the query without the names of the organisms it names
    kinds: tuple[str, ...] = ()  # kinds of passage the wording asks for
    organisms: tuple[str, ...] = ()  # stored organisms the query names
    themes: tuple[str, ...] = ()  # themes the query is about as a whole


def fold(text: str) -> str:
    """Lower-case words without accents or punctuation, one space apart (organism names compare so)."""
    return " ".join("".join(c if c.isalnum() else " " for c in french.fold(text)).split())


@lru_cache(maxsize=8192)
def _name_forms(name: str) -> tuple[list[str], ...]:
    """The folded word sequences that name ``name``: as written, and without a leading article (made once per
    name: every search compares the query with every stored name)."""
    key = [w for t in TOKEN.findall(name) for w in fold(t).split()]
    forms = [key]
    if len(key) > 1 and key[0] in LEADING_ARTICLES:
        forms.append(key[1:])
    return tuple(f for f in forms if f and len(" ".join(f)) >= MIN_NAME_CHARS)


def mentioned_organisms(text: str, organisms: Iterable[str]) -> tuple[tuple[str, ...], str]:
    """The known organisms the text names (accents and case aside), and the text without their names."""
    tokens = [m.group() for m in TOKEN.finditer(text)]
    folded = [fold(t) for t in tokens]
    found = []
    for name in sorted(organisms, key=len, reverse=True):
        for key in _name_forms(name):
            at = next((i for i in range(len(folded) - len(key) + 1) if folded[i:i + len(key)] == key), None)
            if at is not None:
                found.append(name)
                del tokens[at:at + len(key)], folded[at:at + len(key)]
                break
    return tuple(found), " ".join(tokens)


@lru_cache(maxsize=1)
def frame_terms() -> frozenset[str]:
    """Index terms of a question's frame ("que dit le rapport sur …"), shared by search and chat."""
    return frozenset(t for w in french.chat_frame() for t in analyze(w))


def topic_terms(text: str) -> list[str]:
    """The index terms of ``text`` that say what it is about (not its question frame: ``intents.toml`` [chat])."""
    frame = frame_terms()
    return [t for t in analyze(text) if t not in frame]


def query_themes(text: str) -> tuple[str, ...]:
    """The themes ``text`` names by their wording when that wording is all its topic ("contrôle interne",
    "recommandations sur la gouvernance"); () when other words say what it is about too ("vacance dans les
    quartiers prioritaires" asks about those quarters, whatever the theme of the passage that answers)."""
    named, rest = french.theme_intents(text)
    return named if named and not topic_terms(rest) else ()


def read_query(query: str, organisms: Iterable[str] = ()) -> QueryIntent:
    """The intents of a search query; ``organisms``: the names the store knows."""
    named, rest = mentioned_organisms(query, organisms)
    text = rest if named and analyze(rest) else query
    return QueryIntent(text=text, kinds=query_kinds(query), organisms=named, themes=query_themes(text))


def as_intent(query: str | QueryIntent) -> QueryIntent:
    """``query`` as ``read_query`` reads it without known organisms, unless it is read already."""
    return query if isinstance(query, QueryIntent) else read_query(query)
