"""The words French knows, so that a correct word the reports happen not to use is not taken for a typo
("combien", "réagir": one edit from "combine" and "régir", which they do use).

The source is the lemmatizer tables that spaCy's French pipeline ships (``fr_core_news_sm``, already the
sentence splitter's model; the French tables of ``spacy-lookups-data``): 216,849 inflected forms, stored by spaCy
as 64-bit hashes of the word, and the 250,312 lemmas they and the exception and index tables name. Kept as one
sorted array of hashes: the forms', the lemmas', and the lemmas' spellings without accents (a query is often typed
without them: "solidarite"). Read once (``load``: the service at start-up, else the first word that looks
misspelt): ~2.3 s of CPU, the process's resident memory +71 MB (the tables' Python objects, freed to the
allocator), the array 4.0 MB.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

import numpy as np

from ancols_nlp.pipelines.french import accented, fold

PIPELINE = "fr_core_news_sm"
_reading = threading.Lock()  # two first searches at once read the tables once


def _lookups_dir() -> Path:
    import spacy.util

    return next(spacy.util.get_package_path(PIPELINE).glob("*/lemmatizer/lookups"))


def _hash(word: str) -> int:
    from spacy.strings import get_string_id

    return get_string_id(word)


def load() -> None:
    """Read the tables now rather than at the first search with a word no passage holds."""
    _known()


def _known() -> np.ndarray:
    with _reading:
        return _read()


@cache
def _read() -> np.ndarray:
    from spacy.lookups import Lookups

    tables = Lookups().from_disk(_lookups_dir())
    forms = tables.get_table("lemma_lookup")
    lemmas: set[str] = set()
    for lemma_list in forms.values():
        lemmas.update(lemma_list)
    for pos_lemmas in tables.get_table("lemma_index").values():
        lemmas.update(pos_lemmas)
    for exceptions in tables.get_table("lemma_exc").values():
        if isinstance(exceptions, dict):  # the other entries are rules, not words
            lemmas.update(exceptions)
            for lemma_list in exceptions.values():
                lemmas.update(lemma_list)
    words = lemmas | {fold(w) for w in lemmas}
    keys = np.fromiter((*forms.keys(), *map(_hash, words)), dtype=np.uint64)
    return np.unique(keys)


def knows(word: str) -> bool:
    """Whether the lower-case ``word`` is a French form or lemma, or a lemma written without its accents, or the
    plural or feminine of one typed so ("chaudieres", "penalites", "degats": the forms are kept as hashes only, so
    their unaccented spellings cannot be listed)."""
    known = _known()
    keys = np.fromiter((_hash(w) for w in _inflected_from(word)), dtype=np.uint64)
    at = np.minimum(np.searchsorted(known, keys), len(known) - 1)
    return bool((known[at] == keys).any())


def _inflected_from(word: str) -> list[str]:
    """``word``, and when it is typed without accents: its ending written accented as French always writes it
    ("cheminees" → "cheminées", ``french.accented``), and the masculine singular it may inflect, as French adds -s
    or -x for the plural (-al makes -aux; a word ending in -s, -x or -z keeps it) and -e for the feminine (a word
    ending in -e keeps it) (Grevisse, Le Bon Usage). "confinementss" and "vacancee" stay unknown: typos."""
    if fold(word) != word:
        return [word]
    out = [word, *filter(None, [accented(word)])]
    stem = word
    if word.endswith("aux"):
        stem = word[:-3] + "al"
    elif word.endswith(("s", "x")) and not word[:-1].endswith(("s", "x", "z")):
        stem = word[:-1]
    if stem.endswith("e") and not stem.endswith("ee"):
        out.append(stem[:-1])
    return out + [stem] * (stem != word)
