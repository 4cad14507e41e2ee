"""French analysis for the lexical index: the same chain for passages and queries.

Elisions are cut (l', d', qu'…), text is lower-cased, words are stemmed with Snowball's
French stemmer, then accents are folded (stemming first: the stemmer's rules rely on
them), function words are dropped and numbers kept ("6,3 %" → "6,3"). Domain synonyms
are applied to queries only, as extra terms, so "vacance" also finds "logements vacants".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

from index.french import STOPWORDS, SYNONYMS

TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:[-'’][^\W\d_]+)*", re.UNICODE)
ELISION = re.compile(r"^(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu|quoiqu)['’]", re.IGNORECASE)


def _fold(word: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("french")


@lru_cache(maxsize=1)
def _folded_stopwords() -> frozenset[str]:
    return frozenset(_fold(w) for w in STOPWORDS)


def words(text: str) -> list[str]:
    """Lower-cased words with elisions cut and compound words split."""
    out = []
    for match in TOKEN.finditer(text.lower()):
        word = ELISION.sub("", match.group())
        out.extend(part for part in re.split(r"[-'’]", word) if part)
    return out


def analyze(text: str) -> list[str]:
    """Index terms of a passage."""
    stop = _folded_stopwords()
    kept = [w for w in words(text) if _fold(w) not in stop]
    return [_fold(stem) for stem in _stemmer().stemWords(kept)]


@lru_cache(maxsize=1)
def _synonym_table() -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(analysed phrase, analysed expansion terms) pairs, from the synonym groups."""
    table = []
    for group in SYNONYMS:
        analysed = [tuple(analyze(phrase)) for phrase in group]
        for phrase in analysed:
            expansion = tuple(dict.fromkeys(t for other in analysed if other != phrase for t in other if t not in phrase))
            if phrase and expansion:
                table.append((phrase, expansion))
    return table


def analyze_query(text: str) -> tuple[list[str], list[str]]:
    """A query's own terms, and the extra terms its domain synonyms bring."""
    terms = analyze(text)
    extra: list[str] = []
    for phrase, expansion in _synonym_table():
        if _contains(terms, phrase):
            extra.extend(t for t in expansion if t not in terms and t not in extra)
    return terms, extra


def _contains(terms: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(terms[i:i + n]) == phrase for i in range(len(terms) - n + 1))
