"""Query expansion: a query naming one phrasing of a notion also looks for the others, as phrases.

Two sources, both with a provenance: the thesaurus (``pipelines/french/thesaurus.tsv``: the housing
code's acronyms and the annotation guide's theme vocabulary, each entry with its source) and the
acronyms the stored documents define themselves (``pipelines/french/acronyms.py``), which each store
keeps with its document. An acronym is named by a query word written as it ("CAL"; "cal" too, unless
the word is also a function word: "ca", "plus"); another phrasing by its analysed terms, in sequence.
What a named group brings are its other phrasings, each a phrase: a passage matches one only when it
holds all of its terms ("Caisse de garantie du logement locatif social" does not fire on "social"
alone), and scores by the terms the query lacks, weighted by ``ranking.SYNONYM_WEIGHT``. A misspelt query word's
correction (``index/spelling.py``) joins the same way, a phrase of one word, at ``ranking.CORRECTION_WEIGHT``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from ancols_nlp.index.analyzer import Respelling, analyze, words
from ancols_nlp.pipelines import french

Phrase = tuple[str, ...]
_WRITTEN_WORD = re.compile(rf"[^\W_{french.APOSTROPHES}]+")  # "lʼEPCI": "l", "EPCI"


@dataclass(frozen=True)
class Expansion:
    """A query's own terms and the synonym phrases it brings (analysed, and as written), the corrections of its
    misspelt words among them (as typed, as meant: what an answer shows as "did you mean"), and the words typed
    without accents whose accented spelling it searched too (as typed, as respelled: ``analyzer.respelled``, the
    spelling's terms among ``terms``). The sentence grain counts either spelling as the word typed."""

    terms: tuple[str, ...]
    phrases: tuple[Phrase, ...] = ()
    written: tuple[str, ...] = ()
    corrected: tuple[tuple[str, str], ...] = ()
    respelled: tuple[Respelling, ...] = ()

    def scored(self, phrase: Phrase) -> Phrase:
        """The terms of ``phrase`` that score: those the query does not already have."""
        return tuple(dict.fromkeys(t for t in phrase if t not in self.terms))

    @property
    def searchable(self) -> bool:
        """Whether the query holds anything to look for: a term, or a phrase it names ("CA", a stopword as a word,
        names "conseil d'administration" by the documents' own acronyms). Punctuation or stopwords alone do not."""
        return bool(self.terms or self.phrases)

    @property
    def meant(self) -> tuple[Phrase, ...]:
        """The phrases of the words meant by the corrected ones."""
        return tuple(tuple(analyze(meant)) for _, meant in self.corrected)

    @property
    def extra(self) -> tuple[str, ...]:
        """Every term the synonyms bring, once (what a highlighter shows besides the query's own)."""
        return tuple(dict.fromkeys(t for p in self.phrases for t in self.scored(p)))


class Synonyms:
    """Groups of phrasings, indexed to find those a query names: by acronym and by first analysed term."""

    def __init__(self, groups: Iterable[Sequence[str]]):
        self.groups: list[tuple[tuple[str, Phrase], ...]] = []
        self._acronyms: dict[str, list[tuple[str, int]]] = {}
        self._first_terms: dict[str, list[tuple[Phrase, int]]] = {}
        for group in groups:
            n = len(self.groups)
            members = tuple((p, tuple(analyze(p))) for p in dict.fromkeys(group))
            self.groups.append(members)
            for written, analysed in members:
                if french.is_acronym(written):
                    self._acronyms.setdefault(written.lower(), []).append((written, n))
                elif analysed:
                    self._first_terms.setdefault(analysed[0], []).append((analysed, n))

    @classmethod
    def of_acronyms(cls, pairs: Iterable[tuple[str, str]]) -> Synonyms:
        """Mined (acronym, long form) pairs, one group each."""
        return cls(sorted(set(pairs)))

    def named(self, text: str, terms: Sequence[str]) -> dict[int, set[Phrase | str]]:
        """The groups the query names, each with the members it names (an acronym as written, else analysed)."""
        found: dict[int, set[Phrase | str]] = {}
        for token in _WRITTEN_WORD.findall(text):
            for acronym, n in self._acronyms.get(token.lower(), ()):
                if french.names_acronym(token, acronym):
                    found.setdefault(n, set()).add(acronym)
        for i, term in enumerate(terms):
            for analysed, n in self._first_terms.get(term, ()):
                if tuple(terms[i:i + len(analysed)]) == analysed:
                    found.setdefault(n, set()).add(analysed)
        return found

    def phrases(self, text: str, terms: Sequence[str]) -> list[tuple[str, Phrase]]:
        """The other members of the groups the query names, (written, analysed), when they bring a term."""
        out = []
        for n, named in self.named(text, terms).items():
            out += [(written, analysed) for written, analysed in self.groups[n]
                    if written not in named and analysed not in named and analysed
                    and any(t not in terms for t in analysed)]
        return out


@lru_cache(maxsize=1)
def thesaurus() -> Synonyms:
    return Synonyms(group.phrases for group in french.thesaurus())


NO_SYNONYMS = Synonyms(())


@lru_cache(maxsize=4096)
def expand(query: str, mined: Synonyms = NO_SYNONYMS, corrected: tuple[tuple[str, str], ...] = (),
           respelled: tuple[Respelling, ...] = ()) -> Expansion:
    """The query's terms and the phrases of the thesaurus and of the ``mined`` acronyms it names, and the words
    meant by its ``corrected`` ones (typed, meant); ``respelled``: the (typed, accented) words ``query`` already
    holds respelled (``analyzer.respelled``), recorded.

    Cached: one search expands its query several times (lexical scores, highlights); ``mined`` is
    compared by identity, one object per store state."""
    terms = tuple(analyze(query))
    found = thesaurus().phrases(query, terms) + mined.phrases(query, terms)
    found += [(meant, tuple(analyze(meant))) for _, meant in corrected]
    unique = dict(found)
    analysed = tuple(dict.fromkeys(unique.values()))
    return Expansion(terms, analysed, tuple(unique), corrected, respelled)


def own_words(query: str) -> list[str]:
    """The query's content words as written, once each (for an analysis done elsewhere: PostgreSQL's)."""
    return list(dict.fromkeys(w for w in words(query) if analyze(w)))
