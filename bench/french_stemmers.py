"""Savoy's light and minimal French stemmers: inflection and a few derivational suffixes off, nothing more.

Jacques Savoy's UniNE stemmers ("A stemming procedure and stopword list for general French corpora", JASIS 50(10),
1999; "Light stemming approaches for the French, Portuguese, German and Hungarian languages", SAC 2006), as Lucene
writes them (``org.apache.lucene.analysis.fr.FrenchLightStemmer`` and ``FrenchMinimalStemmer``, Apache License 2.0,
from Savoy's BSD code): the rules below follow those classes one for one, in their order, with their length
guards (a guard reads the word's length at that point). Input is a lower-cased word.

Measured against Snowball's stemmer, which the analyser keeps (``stemmer_eval.py``: both lose on the blind sets).
"""

from __future__ import annotations

from typing import NamedTuple

# What ``_norm`` folds (Lucene's list: ë, ï, ü and œ stay, the analyser's own folding takes them afterwards).
_NORM_FOLD = str.maketrans("àáâôèéêùûîç", "aaaoeeeuuic")


def _norm(w: str) -> str:
    """A longer stem's accents folded, its doubled letters single, then -ie, -r, -e, -e and a doubled last letter
    dropped in that order."""
    if len(w) > 4:
        w = w.translate(_NORM_FOLD)
        w = "".join(c for i, c in enumerate(w) if i == 0 or c != w[i - 1] or not c.isalpha())
    if len(w) > 4 and w.endswith("ie"):
        w = w[:-2]
    if len(w) > 4:
        for letter in "ree":
            if w.endswith(letter):
                w = w[:-1]
        if w[-1] == w[-2] and w[-1].isalpha():
            w = w[:-1]
    return w


class _Rule(NamedTuple):
    """A word longer than ``over`` letters ending in ``ending`` loses its last ``cut`` letters, and the last
    len(``new``) letters left then read ``new``; then ``_norm`` ends the stemming, unless ``on`` (the next rules
    read the result)."""

    ending: str
    over: int
    cut: int
    new: str = ""
    on: bool = False

    def applies(self, w: str) -> bool:
        return len(w) > self.over and w.endswith(self.ending)

    def rewrite(self, w: str) -> str:
        kept = w[:len(w) - self.cut]
        return kept[:len(kept) - len(self.new)] + self.new


# Lucene's order; the comments give a word each rule is for.
_LIGHT_RULES = (
    _Rule("issement", 9, 6, "r"),  # établissement → établir
    _Rule("issant", 8, 4, "r"),  # finissant → finir
    _Rule("ement", 6, 4),  # rapidement → rapide (-ivement: below)
    _Rule("ficatrice", 11, 5, "er"),  # vérificatrice → vérifier
    _Rule("ficateur", 10, 4, "er"),
    _Rule("catrice", 9, 3, "quer"),  # éducatrice → éduquer
    _Rule("cateur", 8, 2, "quer"),
    _Rule("atrice", 8, 4, "er"),  # animatrice → animer
    _Rule("ateur", 7, 3, "er"),
    _Rule("trice", 6, 1, "eur", on=True),  # directrice → directeur
    _Rule("ième", 5, 4),  # troisième → trois
    _Rule("teuse", 7, 2, "r"),  # acheteuse → acheter
    _Rule("teur", 6, 1, "r"),  # directeur → directer
    _Rule("euse", 5, 2),  # heureuse → heureu
    _Rule("ère", 8, 1, "er"),  # financière → financier
    _Rule("ive", 7, 1, "f"),  # locative → locatif
    _Rule("folle", 4, 2, "u"),
    _Rule("molle", 4, 2, "u"),
    _Rule("nnelle", 9, 5),  # professionnelle → profession
    _Rule("nnel", 9, 3),
    _Rule("ète", 4, 1, "et", on=True),  # complète → complet
    _Rule("ique", 8, 4, on=True),  # économique → économ
    _Rule("esse", 8, 3),  # faiblesse → faible
    _Rule("inage", 7, 3),
    _Rule("isation", 9, 7),  # régularisation → régular (-ualisation: below)
    _Rule("isateur", 9, 7),
    _Rule("ation", 8, 5),  # réhabilitation → réhabilit
    _Rule("ition", 8, 5),
)
# Applied after the rule of the same ending, on what it left.
_AFTER = {"ement": _Rule("ive", 3, 1, "f"),  # activement → active → actif
          "isation": _Rule("ual", 5, 0, "el")}  # actualisation → actual → actuel


def light_stem(word: str) -> str:
    """Savoy's light stem (Lucene's FrenchLightStemmer): the plural's -s or -x (-aux as -al), then the first
    derivational ending of ``_LIGHT_RULES`` that applies, then ``_norm``."""
    w = word
    if len(w) > 5 and w[-1] == "x":
        if w[-3:-1] == "au" and w[-4] != "e":  # chevaux → cheval, not réseaux → réseal
            w = w[:-2] + "l" + w[-1]
        w = w[:-1]
    if len(w) > 3 and w[-1] == "x":
        w = w[:-1]
    if len(w) > 3 and w[-1] == "s":
        w = w[:-1]
    for rule in _LIGHT_RULES:
        if rule.applies(w):
            w = rule.rewrite(w)
            after = _AFTER.get(rule.ending)
            if after and after.applies(w):
                w = after.rewrite(w)
            if not rule.on:
                break
    return _norm(w)


def minimal_stem(word: str) -> str:
    """Savoy's minimal stem (Lucene's FrenchMinimalStemmer): words of 6 letters or more lose -aux's x (as -al),
    else a final -s, -r, -e, -é and a doubled last letter, in that order."""
    w = word
    if len(w) < 6:
        return w
    if w[-1] == "x":
        return w[:-2] + "l" if w[-3:-1] == "au" else w[:-1]
    for letter in "sreé":
        if w[-1] == letter:
            w = w[:-1]
    return w[:-1] if w[-1] == w[-2] and w[-1].isalpha() else w
