"""Typo tolerance for the lexical side: a query word that no stored passage holds is also looked for as the spelling
one edit away that the passages hold most ("provison" → "provision", "chaufage" → "chauffage").

Without it a misspelt word analyses to a term the index lacks and adds nothing. The nearest spellings are made from
the typed word (every deletion, transposition, substitution and insertion of a letter: Damerau–Levenshtein 1,
~70 words per letter), analysed as passages are, and their terms' document frequencies asked the way the accent rule
asks them (``analyzer.respelled``): one read of ``term_df`` on PostgreSQL, a dictionary look-up each in the embedded
index, so both backends correct alike and no index of the vocabulary is built or kept. Distance 1 only, whatever the
word's length: distance 2 from the typed side is ~70² spellings a letter, and one edit is what the typo'd query sets
hold. ~1.6 ms of CPU a misspelt word, nothing more for a query whose words are held (``BENCHMARKS.md``). A typo in
a word typed without its accents is looked for among unaccented spellings only: respelling the edits by the accent
rule too cost 1.7-2.7 × the CPU and was no measured gain (spell22 in ``bench/queries/grain-rule.md``). The
correction joins the query as an expansion does (``expansion.expand``: a phrase of one word), but weighted as the
user's own word (``ranking.CORRECTION_WEIGHT``, 1: at ``SYNONYM_WEIGHT`` the one word typed right decided a query of
three), and the answer names it, for a "did you mean". Left as typed: words under ``MIN_LETTERS`` letters (too
many real words lie one edit from them) or over ``MAX_LETTERS``, words in capitals (acronyms), numbers, words whose
correction the query already holds (a word respelled with its accents), and words French knows (``lexicon.knows``):
"combien", in no report, was searched as "combine", and "réagir" as "régir".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache

from ancols_nlp.index.analyzer import analyze, word_terms
from ancols_nlp.index.lexicon import knows

MIN_LETTERS = 5
# Longer than any word (French's longest lemma, "anticonstitutionnellement", has 25 letters), a run of letters is a
# paste gone wrong, not a typo; its spellings one edit away cost its length squared to make and stem (2,000 letters:
# 46 s of a request's CPU).
MAX_LETTERS = 30
# The letters a correction may put in: those a French keyboard types in one or two keystrokes (no ï, ë, ü, ÿ, œ, æ),
# lower-case, those without accent first, each group from the most frequent in French text to the least (so of
# "recouvrament" and "recouvrement", one term, the second is shown).
LETTERS = ("esaitnrulodcpmvqfbghjxyzkw", "éàèêçôùâîû")
_WORD = re.compile(r"[^\W\d_]+")

Correction = tuple[str, str]  # (the word as typed, the word meant)


def _edits(word: str) -> list[str]:
    """Every word one edit from ``word``, in the order "did you mean" prefers among those of one term: swaps, then
    substitutions and insertions of a letter without accent, deletions (which may leave a stem: "thermiqu"), and
    substitutions and insertions of a letter with an accent."""
    cuts = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    out = [a + b[1] + b[0] + b[2:] for a, b in cuts if len(b) > 1]
    for n, letters in enumerate(LETTERS):
        out += [a + c + b[1:] for a, b in cuts if b for c in letters if c != b[0]]
        out += [a + c + b for a, b in cuts for c in letters]
        out += [a + b[1:] for a, b in cuts if b and not n]
    return list(dict.fromkeys(out))


@lru_cache(maxsize=4096)
def nearest(word: str) -> dict[str, str]:
    """Each index term one edit from the lower-case ``word`` gives, with the first such word (edits that add no
    accent first, so "did you mean" shows "chauffage", not "chauffagé"); the word's own term is left out."""
    own = analyze(word)
    edited = _edits(word)
    out: dict[str, str] = {}
    for spelling, term in zip(edited, word_terms(edited)):
        if term and [term] != own:
            out.setdefault(term, spelling)
    return out


def corrections(query: str, passages_with: Callable[[str], int]) -> tuple[Correction, ...]:
    """The query's misspelt words, each with the spelling one edit away whose term most passages hold
    (``passages_with``: a term's document frequency). A word is misspelt when no passage holds its term and
    French does not know it."""
    terms = set(analyze(query))
    out = []
    for typed in dict.fromkeys(_WORD.findall(query)):
        own = analyze(typed)
        if not MIN_LETTERS <= len(typed) <= MAX_LETTERS or typed.isupper() or len(own) != 1 or passages_with(own[0]):
            continue
        if knows(typed.lower()):
            continue
        near = nearest(typed.lower())
        if terms.isdisjoint(near):
            held = [(passages_with(term), -n, term) for n, term in enumerate(near)]
            df, _, term = max(held, default=(0, 0, ""))
            if df:
                out.append((typed, near[term]))
    return tuple(out)


def as_written(corrected: tuple[Correction, ...], texts: Iterable[str]) -> tuple[Correction, ...]:
    """The corrections, each word meant as the ``texts`` (the passages found) write it. One edit from the typed word
    may be only a stem ("vacan" → "vacanc", the term of "vacance"), a word no passage holds: it is shown as the word
    of its term they write most. A spelling they hold is kept."""
    if not corrected:
        return corrected
    words = Counter(word.lower() for text in texts for word in _WORD.findall(text))
    out = []
    for typed, meant in corrected:
        if meant not in words:
            term = analyze(meant)
            meant = max(((n, word) for word, n in words.items() if analyze(word) == term), default=(0, meant))[1]
        out.append((typed, meant))
    return tuple(out)
