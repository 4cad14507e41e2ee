"""French analysis for the lexical index: the same chain for passages and queries.

Elisions are cut (l', d', qu'…; in any case, after ', ’ or ʼ), compounds split at hyphens ("non-respect" → non,
respect), text is lower-cased, words are stemmed with Snowball's French stemmer, then accents are
folded (stemming first: the stemmer's rules rely on them; folding first loses 0.02 nDCG on
dev), function words are dropped and numbers kept whole ("6,3 %" → "6,3"), as are dwelling types ("T3", "F4",
"T1 bis" → t3, f4, t1bis: ``_DWELLING``; "T" and "3" apart searched only the number). Synonyms extend
queries only (``index/expansion.py``), so "vacance" also finds "logements vacants"; a query word typed
without accents is also looked for accented where its ending calls for it (``respelled``).
Measured and not kept: spelled-out numbers as digits ("trois" → "3") and a longer stopword
list (depuis, après, selon…) — both within ±0.003 on dev.

The word lists and the accent folding live in ``pipelines/french``. ``ANALYZER_VERSION`` names
this chain and those lists: the store keeps analysed terms, and re-analyses every passage when the
version it recorded differs.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

import Stemmer

from ancols_nlp.pipelines import french
from ancols_nlp.pipelines.french import ELISION, fold, folded_stopwords
from ancols_nlp.pipelines.patterns import without_note_calls

# fr-2: decomposed accents (NFD) and invisible characters inside words; fr-3: note calls; fr-4: the apostrophe
# U+02BC cuts an elision as ' and ’ do; fr-5: a dwelling type ("T3", "T1 bis") is one word
ANALYZER_VERSION = "fr-5"

# Characters that show nothing inside a word: soft hyphen, zero-width space, non-joiner, joiner, word joiner, BOM.
_INVISIBLE = "\u00ad\u200b-\u200d\u2060\ufeff"
_INVISIBLES = re.compile(f"[{_INVISIBLE}]")
# Letters may carry combining accents (decomposed text, NFD: "e" + U+0301) and invisible characters: such a word
# is read whole, not cut.
_LETTERS_MARKED = rf"[^\W\d_]+(?:[\u0300-\u036f{_INVISIBLE}]+[^\W\d_]*)*"
# A dwelling type: T or F and its number of main rooms, "T1 bis" a T1 with a sleeping alcove. The reports' own
# notation (001_d290a1a4feb3bef7.txt: "typologie de logements", "Chambre T1 T2 T3 T4 T5 et plus", rent tables
# "T3 1 452 68 …"), the "type de logement" of INSEE's census (F1…F6: main rooms, kitchen and bathroom aside) and of
# the social-housing conventions under the housing code (CCH). Types stop at 6 ("T5 et +", "F6 et plus"): one digit.
_TYPE = r"(?<!\w)[tf][1-9]"  # the type itself; "bis" follows it, apart or not
_DWELLING = rf"{_TYPE}(?:[ \u00a0]?bis)?(?!\w)"
TOKEN = re.compile(rf"(?i:{_DWELLING})|\d+(?:[.,]\d+)*|{_LETTERS_MARKED}(?:[-'’]{_LETTERS_MARKED})*", re.UNICODE)
# A dwelling type, a number, or a run of letters: compounds ("non-respect", "aujourd'hui") fall apart at - and any
# apostrophe.
WORD_PART = re.compile(rf"{_TYPE}(?:bis)?(?!\w)|\d+(?:[.,]\d+)*|[^\W\d_\u02bc]+")
_DWELLING_BIS = re.compile(rf"({_TYPE})[ \u00a0]bis(?!\w)")  # "t1 bis" written as one word, t1bis
_LETTERS = re.compile(r"[^\W\d_\u02bc]+")
Respelling = tuple[str, str]  # (a word as typed without its accents, its accented spelling also searched)


@lru_cache(maxsize=2)
def _stemmer(cache: int = 10_000) -> Stemmer.Stemmer:
    """Snowball's French stemmer keeping its last ``cache`` words' stems (0: none)."""
    return Stemmer.Stemmer("french", cache)


def words(text: str) -> list[str]:
    """Lower-cased words with note calls and elisions cut and compound words split (one regex pass each: this
    runs on every passage at ingestion and on every result shown). Accents are composed first (NFC) and invisible
    characters dropped, so text written so gives the terms of the same text typed on a keyboard; calls go after
    lower-casing, so "M²" is read as the unit m², as before."""
    text = _INVISIBLES.sub("", unicodedata.normalize("NFC", text)).lower()
    return WORD_PART.findall(_DWELLING_BIS.sub(r"\1bis", ELISION.sub("", without_note_calls(text))))


@lru_cache(maxsize=200_000)
def _term(word: str) -> str:
    """The index term of a lower-cased word, or "" for a function word."""
    if fold(word) in folded_stopwords():
        return ""
    return fold(_stemmer().stemWord(word))


def analyze(text: str) -> list[str]:
    """Index terms of a passage."""
    return [t for t in map(_term, words(text)) if t]


def word_terms(lowered: list[str]) -> list[str]:
    """The index term of each lower-case word ("" for a function word), as ``analyze`` gives it, stemmed in one
    call by a stemmer without cache: for the many one-off words of a typo's candidate spellings
    (``index/spelling.py``), which would only fill the caches (``_term``'s and the stemmer's, whose purges made a
    word cost ~4 us against ~0.5 us)."""
    stops = folded_stopwords()
    return ["" if _folded(w) in stops else _folded(s) for w, s in zip(lowered, _stemmer(0).stemWords(lowered))]


# French's accented lower-case letters without their accent: ``fold`` by one table look-up each (~0.1 us a word
# against ~1 us), for the letters that decompose so (œ and æ do not: they stay, as ``fold`` leaves them).
_UNACCENTED = str.maketrans("àâäçéèêëîïôöùûüÿ", "aaaceeeeiioouuuy")


def _folded(word: str) -> str:
    """``fold`` of a lower-case word."""
    if word.isascii():
        return word
    plain = word.translate(_UNACCENTED)
    return plain if plain.isascii() else fold(word)


def respelled(query: str, passages_with: Callable[[str], int]) -> tuple[str, tuple[Respelling, ...]]:
    """The query with each word typed without accents whose ending French writes accented ("fumee",
    "solidarite", "impayes": ``french.accented``) followed by its accented spelling, when more passages hold the
    accented one's term than the typed one's (``passages_with``: a term's document frequency); and those words, each
    (typed, accented), in query order (``Expansion.respelled``: the sentence grain counts them as the word typed).

    Stemming runs before accent folding (folding first costs dev 0.017), so "fumee" and "fumée" stem apart
    (fume, fum) and a query typed without accents missed the passages. The typed word stays beside the
    respelled one: the reports write some words without accents too, in headings in capitals ("ANALYSE
    FINANCIERE"; replacing the typed word lost project query p21). The documents' own spelling decides: a
    respelling rarer than the typed word is not added, whether the passages mostly write the word as typed,
    respell it into another word ("parties" → "partiés", parti) or stem it alike ("limite"). Measured (hybrid
    nDCG@10, odd / even): dev unchanged (its queries are accented); dev with every accent stripped 0.728 (0.740 /
    0.716) → 0.769 (0.804 / 0.734); project set 0.720 (0.733 / 0.708) → 0.724 (0.740 / 0.708); project set with
    every accent stripped 0.693 (0.696 / 0.690) → 0.717 (0.730 / 0.704)."""
    added: list[Respelling] = []

    def respell(match: re.Match[str]) -> str:
        typed = match.group()
        accented = _respelling(typed)
        if accented is None:
            return typed
        terms = analyze(accented)
        if not (terms and passages_with(terms[0]) > sum(map(passages_with, analyze(typed)))):
            return typed
        added.append((typed, accented))
        return f"{typed} {accented}"
    return _LETTERS.sub(respell, query), tuple(added)


def _respelling(typed: str) -> str | None:
    """The accented spelling of a lower-case word typed without its accents (``french.accented``), or None."""
    return french.accented(typed) if typed.islower() else None


def query_kinds(text: str) -> tuple[str, ...]:
    """Segment kinds the query asks for by its wording (e.g. "l'organisme s'engage" → rebuttal); () if none.
    The list is the language home's (``pipelines/french/intents.toml``), shared with the chat."""
    return french.kind_intents(text)
