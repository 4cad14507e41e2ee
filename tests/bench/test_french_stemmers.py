"""Savoy's light and minimal French stemmers (bench/french_stemmers.py), on words of the housing reports.

Each expected stem is the rules applied by hand: the step that fires is named beside it."""

import pytest

from bench.french_stemmers import light_stem, minimal_stem


@pytest.mark.parametrize(("word", "stem"), [
    ("chevaux", "cheval"),  # -aux → -al
    ("réseaux", "reseau"),  # -eaux keeps its u; norm folds é
    ("logements", "loge"),  # -s, then -ement leaves "loge" (4 letters: norm leaves it)
    ("activement", "actif"),  # -ement, then -ive → -if
    ("établissement", "etabli"),  # -issement → -ir, norm folds é and drops the -r
    ("finissant", "fini"),  # -issant → -ir
    ("vérificatrice", "verifi"),  # -ficatrice → -fier, norm drops -r then -e
    ("éducateur", "eduqu"),  # -cateur → -quer
    ("animatrice", "anim"),  # -atrice → -er
    ("directrice", "direct"),  # -trice → -teur, on to -teur → -ter, norm drops -r and -e
    ("troisième", "trois"),  # -ième off
    ("dernière", "dernier"),  # 8 letters: too short for -ère → -er; norm drops the -e
    ("locatives", "locatif"),  # -s, then -ive → -if
    ("professionnelles", "profesion"),  # -s, -nnelle → -n, norm makes ss single
    ("complète", "complet"),  # -ète → -et
    ("économique", "econom"),  # -ique off, on to norm
    ("faiblesse", "faibl"),  # -esse → -e, which norm drops
    ("actualisation", "actuel"),  # -isation off, then -ual → -uel
    ("réhabilitation", "rehabilit"),  # -ation off
    ("gestionnaire", "gestionair"),  # no rule: norm makes nn single and drops the final -e
    ("impayées", "impay"),  # -s; norm folds é, makes ee single, drops -e
    ("élevé", "elev"),
    ("vacants", "vacant"),
    ("gestion", "gestion"),  # nothing to take off
    ("loyer", "loy"),  # norm drops -r, then -e
    ("2016", "2016"),
])
def test_light_stem(word, stem):
    assert light_stem(word) == stem


def test_light_stem_leaves_short_words_and_numbers_whole():
    assert light_stem("taux") == "tau"  # 4 letters: only the plural's x goes
    assert light_stem("loi") == "loi"
    assert light_stem("1000000") == "1000000"  # repeated digits are not a doubled letter


@pytest.mark.parametrize(("word", "stem"), [
    ("chevaux", "cheval"),  # -aux → -al
    ("réseaux", "réseal"),  # the minimal stemmer has no -eaux exception
    ("logements", "logement"),  # -s only
    ("locatives", "locativ"),  # -s, then -e
    ("impayées", "impay"),  # -s, -e, then -é
    ("loyers", "loy"),  # -s, -r, then -e
    ("commission", "commission"),
    ("appelle", "appel"),  # -e, then the doubled l
    ("taux", "taux"),  # under 6 letters: unchanged
    ("élevée", "élev"),  # -e, then -é; accents stay for the analyser to fold
])
def test_minimal_stem(word, stem):
    assert minimal_stem(word) == stem
