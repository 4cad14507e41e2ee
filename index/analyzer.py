"""French analysis for the lexical index: the same chain for passages and queries.

Elisions are cut (l', d', qu'…), compounds split at hyphens ("non-respect" → non, respect),
text is lower-cased, words are stemmed with Snowball's French stemmer, then accents are
folded (stemming first: the stemmer's rules rely on them; folding first loses 0.02 nDCG on
dev), function words are dropped and numbers kept whole ("6,3 %" → "6,3"). Domain synonyms
are applied to queries only, as extra terms, so "vacance" also finds "logements vacants".
Measured and not kept: spelled-out numbers as digits ("trois" → "3") and a longer stopword
list (depuis, après, selon…) — both within ±0.003 on dev.

The word lists and the accent folding live in ``pipelines/french``. ``ANALYZER_VERSION`` names
this chain and those lists: the store keeps analysed terms, and re-analyses every passage when the
version it recorded differs.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

from ancols_nlp.pipelines import french
from ancols_nlp.pipelines.french import fold

ANALYZER_VERSION = "fr-1"

TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:[-'’][^\W\d_]+)*", re.UNICODE)
# An elided article or pronoun at the start of a word (not inside a compound: "après-l'…" keeps it).
ELISION = re.compile(r"(?<![\w'’-])(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu|quoiqu)['’](?=[^\W\d_])")
# A number, or a run of letters: compounds ("non-respect", "aujourd'hui") fall apart at - and '.
WORD_PART = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+")


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("french")


@lru_cache(maxsize=1)
def _folded_stopwords() -> frozenset[str]:
    return frozenset(fold(w) for w in french.stopwords())


def words(text: str) -> list[str]:
    """Lower-cased words with elisions cut and compound words split (one regex pass each: this
    runs on every passage at ingestion and on every result shown)."""
    return WORD_PART.findall(ELISION.sub("", text.lower()))


@lru_cache(maxsize=200_000)
def _term(word: str) -> str:
    """The index term of a lower-cased word, or "" for a function word."""
    if fold(word) in _folded_stopwords():
        return ""
    return fold(_stemmer().stemWord(word))


def analyze(text: str) -> list[str]:
    """Index terms of a passage."""
    return [t for t in map(_term, words(text)) if t]


def _phrases(groups) -> list[tuple[str, ...]]:
    return [p for p in (tuple(analyze(phrase)) for phrase in groups) if p]


@lru_cache(maxsize=1)
def _synonym_table() -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(analysed phrase, analysed expansion terms) pairs, from the synonym groups."""
    table = []
    for group in french.thesaurus():
        analysed = [tuple(analyze(phrase)) for phrase in group]
        for phrase in analysed:
            expansion = tuple(dict.fromkeys(t for other in analysed if other != phrase for t in other if t not in phrase))
            if phrase and expansion:
                table.append((phrase, expansion))
    return table


@lru_cache(maxsize=1)
def _intent_table() -> dict[str, list[tuple[str, ...]]]:
    return {kind: _phrases(cues) for kind, cues in french.kind_intents().items()}


def analyze_query(text: str) -> tuple[list[str], list[str]]:
    """A query's own terms, and the extra terms its domain synonyms bring."""
    terms, extra = _query_terms(text)
    return list(terms), list(extra)


@lru_cache(maxsize=4096)
def _query_terms(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Cached: one search analyses its query several times (lexical scores, intents, highlights)."""
    terms = analyze(text)
    extra: list[str] = []
    for phrase, expansion in _synonym_table():
        if _contains(terms, phrase):
            extra.extend(t for t in expansion if t not in terms and t not in extra)
    return tuple(terms), tuple(extra)


def query_phrases(text: str) -> tuple[list[str], list[str]]:
    """A query's content words as written, and the phrases of the synonym groups it contains, for an
    analysis done elsewhere (PostgreSQL's French configuration): the same words and expansions as
    ``analyze_query``, unanalysed."""
    terms = list(_query_terms(text)[0])
    synonyms = [phrase for group in _synonym_groups() if any(_contains(terms, a) for _, a in group)
                for phrase, analysed in group if not _contains(terms, analysed)]
    return list(dict.fromkeys(w for w in words(text) if _term(w))), list(dict.fromkeys(synonyms))


@lru_cache(maxsize=1)
def _synonym_groups() -> list[list[tuple[str, tuple[str, ...]]]]:
    """Each synonym group as (phrase, analysed phrase) pairs."""
    return [[(phrase, a) for phrase in group if (a := tuple(analyze(phrase)))] for group in french.thesaurus()]


def query_kinds(text: str) -> tuple[str, ...]:
    """Segment kinds the query asks for by its wording (e.g. "l'organisme conteste" → rebuttal); () if none."""
    terms = list(_query_terms(text)[0])
    return tuple(kind for kind, phrases in _intent_table().items() if any(_contains(terms, p) for p in phrases))


def _contains(terms: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(terms[i:i + n]) == phrase for i in range(len(terms) - n + 1))
