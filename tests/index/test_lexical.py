"""BM25 ranking on sentences taken from the ANCOLS control reports of the shared corpus."""

import numpy as np

from ancols_nlp.index.analyzer import analyze
from ancols_nlp.index.lexical import LexicalIndex, TermMatrix

SENTENCES = [
    # 0: answers "vacance commerciale élevée" directly
    "Bien qu'inférieure à celle de l'ensemble des logements sociaux du département de la Loire depuis 2016, "
    "la vacance commerciale demeure à un niveau très élevé (6,3 %).",
    # 1: vacancy, but under control
    "La vacance globale est stable sur la période 2013-2015, autour de 2,2 % du parc en moyenne. La vacance technique "
    "est contenue et la vacance commerciale est parfaitement maîtrisée.",
    # 2: vacant dwellings, worded with "logements vacants" only
    "Logements vacants à plus de 3 mois (hors vacance technique)\t3,8%\t1,8%\t1,5%",
    # 3: unrelated (governance)
    "Sur cinq ans (2013-2017), le conseil d'administration s'est réuni entre 10 et 11 fois par an, ce qui est une "
    "fréquence exceptionnellement élevée pour un organisme HLM.",
    # 4: rent arrears, worded without "impayés"
    "Le détail des critères retenus ainsi que des options qui pourraient fonder les pertes de valeurs des créances "
    "locatives sont présentés en annexe n° 7.10.",
    # 5: rent arrears, with the user's own word
    "Les échanges ne montrent pas que la direction de la société ait eu conscience de l'existence de difficultés "
    "financières au-delà des impayés.",
    # 6: management costs
    "Elle doit en outre composer avec des coûts de gestion élevés liés notamment à des effectifs importants.",
]


def _index() -> LexicalIndex:
    return LexicalIndex([TermMatrix.build([analyze(s) for s in SENTENCES])])


def _ranking(index: LexicalIndex, query: str) -> list[int]:
    scores = index.scores(query)
    return [int(i) for i in np.argsort(-scores, kind="stable") if scores[i] > 0]


def test_the_passage_answering_the_query_comes_first():
    ranking = _ranking(_index(), "vacance commerciale élevée")
    assert ranking[0] == 0
    assert ranking.index(0) < ranking.index(1) < ranking.index(3)


def test_scores_are_aligned_with_ids_and_zero_without_a_match():
    index = _index()
    scores = index.scores("enquête sur l'occupation du parc social")
    assert scores.shape == (len(SENTENCES),)
    assert index.scores("zzzz inexistant").max() == 0.0
    assert index.scores("").max() == 0.0


def test_synonyms_find_other_wordings_but_below_the_users_own_word():
    ranking = _ranking(_index(), "impayés")
    assert ranking[:2] == [5, 4]  # "créances locatives" found through the synonym group, after "impayés"
    assert 2 in _ranking(_index(), "vacance")  # "logements vacants"


def test_a_figure_is_searchable():
    assert _ranking(_index(), "6,3 %")[0] == 0


def test_empty_index():
    index = LexicalIndex([TermMatrix.build([])])
    assert len(index) == 0 and index.scores("vacance").size == 0


def test_a_split_index_scores_as_one_built_from_scratch(tmp_path):
    """Base and delta share their statistics: the rows score exactly as in one index (and once saved and loaded)."""
    terms = [analyze(s) for s in SENTENCES]
    TermMatrix.build(terms[:4]).save(tmp_path / "base")
    split = LexicalIndex([TermMatrix.load(tmp_path / "base"), TermMatrix.build(terms[4:])])
    whole = _index()
    for query in ("vacance commerciale élevée", "impayés", "coûts de gestion élevés", "6,3 %"):
        assert np.allclose(split.scores(query), whole.scores(query), rtol=1e-5)
        assert whole.scores(query).max() > 0
