"""What a query names besides its topic: the kinds of passage it asks for, a stored organism, a theme.

Search and chat read a query the same way here. A kind ("l'organisme conteste …") and a theme ("contrôle
interne", "recommandations sur la gouvernance") are asked for by their wording (``pipelines/french/intents.toml``).
An organism is recognised by the names the stored documents give it (``store.organism_documents()``), accents and case
aside, also without its leading article ("Toit Forézien" for "Le Toit Forézien") and after an elided one ("impayés
d'Espace Domicile": ``mentioned_organisms``, the one reading of search and chat), by any of its spellings
(pipelines/organism_names.py): the intent holds them all. Its name then says WHOSE
passages are wanted, not what they are about: it is taken out of the words that are matched, which only decide
which of that organism's passages answer. None of these is a filter (the user did not ask to filter); the
ranking favours the passages they point to (index/ranking.py ``intent_priors``). A report is named by its number
("rapport n° 2016-051"): the chat reads it so (``mentioned_reports``) and answers from that report alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache

from ancols_nlp.index.analyzer import TOKEN, analyze, query_kinds
from ancols_nlp.pipelines import french
from ancols_nlp.pipelines.organism_names import Organism, spellings

# A name shorter than this (folded, spaces included) is too likely to be an ordinary word or an initial.
MIN_NAME_CHARS = 4
LEADING_ARTICLES = frozenset({"le", "la", "les", "l"})  # "Le Toit Forézien" is also written "Toit Forézien"
# A report's number as the reports write it ("Rapport définitif de contrôle n°2016-047", "N° 2017-101"; read from
# its title into ``report_number``, pipelines/doctype.py), "n°" optional in a query ("le rapport 2016-051").
REPORT_NUMBER = re.compile(r"(?:\bn\s*°\s*)?\b(\d{4})\s*-\s*(\d{2,3})\b", re.IGNORECASE)


@dataclass(frozen=True)
class QueryIntent:
    text: str  # what the lexical and dense scores match: the query without the names of the organisms it names
    kinds: tuple[str, ...] = ()  # kinds of passage the wording asks for
    organisms: tuple[str, ...] = ()  # every stored spelling of the organisms the query names
    themes: tuple[str, ...] = ()  # themes the query is about as a whole


def fold(text: str) -> str:
    """Lower-case words without accents or punctuation, one space apart (organism names compare so)."""
    return " ".join("".join(c if c.isalnum() else " " for c in french.fold(text)).split())


def _word(token: str) -> str:
    """A word as names compare: folded, without an elided article ("d'Espace" is "espace", the name's first word;
    "Coop'lvry" stays one word)."""
    return fold(french.ELISION.sub("", token))


def _words(text: str) -> list[str]:
    return [_word(t) for t in TOKEN.findall(text)]  # as the query's words: "e" + U+0301 kept in


def _word_forms(name: str) -> list[list[str]]:
    """The folded word sequences that name ``name``: as written, and without a leading article."""
    key = _words(name)
    return [key, key[1:]] if len(key) > 1 and key[0] in LEADING_ARTICLES else [key]


def _name_forms(name: str) -> list[list[str]]:
    """The forms of ``name`` a query's words may hold (``_word_forms`` long enough not to be an ordinary word)."""
    return [f for f in _word_forms(name) if f and len(" ".join(f)) >= MIN_NAME_CHARS]


def named_organisms(name: str, organisms: Iterable[str]) -> tuple[str, ...]:
    """The known organisms that ``name`` (a filter's value) names as a query would name them: accents, case and
    punctuation aside, the leading article optional."""
    key = _words(name)
    return tuple(o for o in organisms if key and key in _word_forms(o))


@lru_cache(maxsize=4)
def _names_by_first_word(organisms: tuple[str, ...]) -> dict[str, list[str]]:
    """The names that may start at a query word, made once per list of stored names (a snapshot's): a search then
    compares the query with the few names sharing one of its words, not with every stored name."""
    index: dict[str, list[str]] = {}
    for name in organisms:
        for form in _name_forms(name):
            index.setdefault(form[0], []).append(name)
    return index


def mentioned_organisms(text: str, organisms: Iterable[str]) -> tuple[tuple[str, ...], str]:
    """The known organisms the text names (accents and case aside, after an elided article or not), and the text
    without their names (nor that article)."""
    tokens = [m.group() for m in TOKEN.finditer(text)]
    folded = [_word(t) for t in tokens]
    index = _names_by_first_word(tuple(organisms))
    candidates = {name for word in folded for name in index.get(word, ())}
    found = []
    for name in sorted(candidates, key=lambda n: (-len(n), n)):
        for key in _name_forms(name):
            at = next((i for i in range(len(folded) - len(key) + 1) if folded[i:i + len(key)] == key), None)
            if at is not None:
                found.append(name)
                del tokens[at:at + len(key)], folded[at:at + len(key)]
                break
    return tuple(found), " ".join(tokens)


def mentioned_reports(text: str, documents_of: Callable[[str], Iterable[str]]) -> tuple[tuple[str, ...], str]:
    """The stored documents of the reports ``text`` names by number, and the text without those numbers.
    ``documents_of``: the ids of the documents that carry a report number (the report, and a reply letter naming
    it). A number no stored document carries is left in the text (another report's, a law's: "loi n° 2009-323")."""
    found: list[str] = []

    def named(match: re.Match) -> str:
        documents = list(documents_of(f"{match.group(1)}-{match.group(2)}"))
        found.extend(documents)
        return " " if documents else match.group()

    rest = REPORT_NUMBER.sub(named, text)
    return tuple(dict.fromkeys(found)), " ".join(rest.split())


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


def read_query(query: str, organisms: Iterable[Organism] = ()) -> QueryIntent:
    """The intents of a search query; ``organisms``: those the store knows, each with its stored spellings. A query
    naming an organism by one spelling favours the passages of all (the letter's OCR'd "Coop'lvry Habitat" with the
    report's "Coop'Ivry Habitat")."""
    known = tuple(organisms)
    named, rest = mentioned_organisms(query, [s for o in known for s in o.spellings])
    text = rest if named and analyze(rest) else query
    return QueryIntent(text=text, kinds=query_kinds(query), organisms=spellings(known, named) if named else (),
                       themes=query_themes(text))


def as_intent(query: str | QueryIntent) -> QueryIntent:
    """``query`` as ``read_query`` reads it without known organisms, unless it is read already."""
    return query if isinstance(query, QueryIntent) else read_query(query)
