"""BM25 ranking on sentences taken from the ANCOLS control reports of the shared corpus, and the top-n
search checked against a brute-force dense BM25 on random corpora."""

import math
from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ancols_nlp.index.analyzer import analyze
from ancols_nlp.index.expansion import expand
from ancols_nlp.index.highlight import Highlighter
from ancols_nlp.index.lexical import EMPTY, LexicalIndex, LexicalQuery, TermMatrix
from ancols_nlp.index.ranking import BM25_B, BM25_K1, SYNONYM_WEIGHT

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


def _index(sentences: list[str] = SENTENCES) -> LexicalIndex:
    return LexicalIndex([TermMatrix.build([analyze(s) for s in sentences])])


def _ranking(index: LexicalIndex, query: str) -> list[int]:
    found = index.top(index.query(query), len(index))
    return [int(found.rows[i]) for i in np.lexsort((found.rows, -found.scores))]


def _dense(index: LexicalIndex, query: str) -> np.ndarray:
    """Every row's score, from the top-n search asked for all rows."""
    found = index.top(index.query(query), len(index))
    scores = np.zeros(len(index), dtype=np.float32)
    scores[found.rows] = found.scores
    return scores


def test_the_passage_answering_the_query_comes_first():
    ranking = _ranking(_index(), "vacance commerciale élevée")
    assert ranking[0] == 0
    assert ranking.index(0) < ranking.index(1) < ranking.index(3)


def test_only_matching_rows_are_found():
    index = _index()
    terms = index.query("enquête sur l'occupation du parc social")
    holding = {n for n, s in enumerate(SENTENCES) if {t for t, _ in terms.terms} & set(analyze(s))}
    found = index.top(terms, 10)
    assert set(found.rows.tolist()) == holding == {0, 1} and (found.scores > 0).all()  # "sociaux", "parc"
    assert index.top(index.query("zzzz inexistant"), 10).rows.size == 0
    assert index.top(index.query(""), 10).rows.size == 0
    assert sorted(index.top(index.query("vacance"), 10).rows.tolist()) == [0, 1, 2]


def test_synonyms_find_other_wordings_but_below_the_users_own_word():
    ranking = _ranking(_index(), "impayés")
    assert ranking[:2] == [5, 4]  # "créances locatives" found through the synonym group, after "impayés"
    assert 2 in _ranking(_index(), "vacance")  # "logements vacants"


def test_a_figure_is_searchable():
    assert _ranking(_index(), "6,3 %")[0] == 0


def test_empty_index():
    index = LexicalIndex([TermMatrix.build([])])
    assert len(index) == 0 and index.top(index.query("vacance"), 10).rows.size == 0


def test_a_split_index_scores_as_one_built_from_scratch(tmp_path):
    """Base and delta share their statistics: the rows score exactly as in one index (and once saved and loaded)."""
    terms = [analyze(s) for s in SENTENCES]
    TermMatrix.build(terms[:4]).save(tmp_path / "base")
    split = LexicalIndex([TermMatrix.load(tmp_path / "base"), TermMatrix.build(terms[4:])])
    whole = _index()
    for query in ("vacance commerciale élevée", "impayés", "coûts de gestion élevés", "6,3 %"):
        assert np.allclose(_dense(split, query), _dense(whole, query), rtol=1e-5)
        assert _dense(whole, query).max() > 0


def _reference(docs: list[list[str]], query: LexicalQuery, prior: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """Dense BM25 (the Lucene variant of index/lexical.py) of every row, from the raw terms, times the prior; a
    phrase adds its scored terms' weights in the rows holding all of its terms."""
    docs = [d or [EMPTY] for d in docs]
    counts = [Counter(d) for d in docs]
    average = sum(map(len, docs)) / len(docs)

    def weights(term: str, weight: float) -> np.ndarray:
        df = sum(term in c for c in counts)
        idf = weight * math.log1p((len(docs) - df + 0.5) / (df + 0.5))
        return np.array([idf * c[term] / (c[term] + BM25_K1 * (1 - BM25_B + BM25_B * len(d) / average))
                         for d, c in zip(docs, counts)])

    out = sum((weights(t, w) for t, w in query.terms), np.zeros(len(docs)))
    for phrase, scored, weight in query.phrases:
        holding = np.array([all(c[t] for t in phrase) for c in counts])
        out += holding * sum((weights(t, weight) for t in scored), np.zeros(len(docs)))
    return np.where(allowed, out * prior, 0.0)


WORDS = ["vacanc", "commercial", "elev", "log", "loyer", "impay", "gestion", "cout"]
DOCS = st.lists(st.lists(st.sampled_from(WORDS), max_size=12), min_size=1, max_size=60)
TERMS = st.lists(st.tuples(st.sampled_from(WORDS + ["absent"]), st.sampled_from([1.0, SYNONYM_WEIGHT])),
                 max_size=6)
PHRASE = st.lists(st.sampled_from(WORDS + ["absent"]), min_size=2, max_size=3, unique=True).flatmap(
    lambda p: st.tuples(st.just(tuple(p)), st.lists(st.sampled_from(p), min_size=1, unique=True).map(
        lambda scored: tuple(t for t in p if t in scored)), st.sampled_from([SYNONYM_WEIGHT, 1.0])))
QUERY = st.builds(LexicalQuery, TERMS.map(tuple), st.lists(PHRASE, max_size=2).map(tuple))


@settings(max_examples=400, deadline=None)
@given(docs=DOCS, query=QUERY, n=st.integers(1, 12), split=st.floats(0, 1), block=st.sampled_from([1, 2, 3, 128]),
       dense=st.sampled_from([0, 16, 1e9]), data=st.data())
def test_the_top_n_is_the_brute_force_top_n(docs, query, n, split, block, dense, data):
    """Ids and scores of the top n equal a dense computation's, with synonyms' weights and phrases, priors, a
    filter mask (deleted documents' rows, filters) and a base + delta split (whose statistics must stay shared),
    across the boundaries of the blocks whose peaks let the search skip rows, rows looked up or summed."""
    rows = len(docs)
    prior = np.array(data.draw(st.lists(st.sampled_from([0.2, 0.7, 1.0]), min_size=rows, max_size=rows)), np.float32)
    allowed = np.array(data.draw(st.lists(st.booleans(), min_size=rows, max_size=rows)))
    if data.draw(st.booleans()):
        allowed[:] = True
    cut = int(split * rows)
    parts = [TermMatrix.build(docs[:cut]), TermMatrix.build(docs[cut:])] if 0 < cut < rows else [TermMatrix.build(docs)]
    plain = data.draw(st.booleans())  # no prior, no mask: the paths without them
    index = LexicalIndex(parts, block=block, dense=dense)
    found = index.top(query, n, None if plain else prior, None if plain else allowed)
    if plain:
        prior, allowed = np.ones(rows, np.float32), np.ones(rows, bool)
    expected = _reference(docs, query, prior, allowed)
    best = np.sort(expected[expected > 0])[::-1][:n]
    assert len(found.rows) == len(best) == len(set(found.rows.tolist()))
    assert np.allclose(np.sort(found.scores)[::-1], best, rtol=1e-5, atol=1e-6)
    assert np.allclose(found.scores, expected[found.rows], rtol=1e-5, atol=1e-6)
    assert allowed[found.rows].all()
    some = np.array(data.draw(st.lists(st.integers(0, rows - 1), max_size=8)), np.int64)
    assert np.allclose(index.scores_of(query, some), _reference(docs, query, np.ones(rows), np.ones(rows, bool))[some],
                       rtol=1e-5, atol=1e-6)


def test_of_equal_scores_the_first_rows_rank():
    """Rows scoring alike are kept in row order, whichever part and block holds them: a search gives the same
    answer whatever order it evaluates rows in."""
    docs = [["loyer", "impay"] if n % 7 else ["loyer", "cout"] for n in range(300)]
    for parts in ([TermMatrix.build(docs)], [TermMatrix.build(docs[:150]), TermMatrix.build(docs[150:])]):
        for block in (2, 128):
            found = LexicalIndex(parts, block=block).top(LexicalQuery((("impay", 1.0), ("loyer", 1.0))), 5)
            assert sorted(found.rows.tolist()) == [1, 2, 3, 4, 5] and len(set(found.scores.tolist())) == 1


def test_scores_of_given_rows_match_the_search():
    """The hybrid's dense-only candidates get the lexical score a search would have given them."""
    index = _index()
    terms = index.query("vacance commerciale élevée")
    found = index.top(terms, len(index))
    rows = np.array([6, 4, 0, 2, 3])
    expected = dict(zip(found.rows.tolist(), found.scores.tolist()))
    assert np.allclose(index.scores_of(terms, rows), [expected.get(r, 0.0) for r in rows.tolist()], rtol=1e-6)
    assert index.scores_of(terms, rows)[1] == 0.0  # sentence 4 holds none of the words


# From the corpus reports: a word typed without accents whose stem differs from the accented one's.
ACCENTED = [
    # 0: "fumées", stemmed fum (typed "fumees": fume)
    "En sa qualité de bailleur, Logidia est soumis à l'obligation d'installer un détecteur autonome avertisseur "
    "de fumées (DAAF) dans tous les logements de son parc.",
    # 1: "solidarité", stemmed solidar (typed "solidarite": solidarit)
    "Hors non réponse à l'enquête (19 situations), le supplément de loyer de solidarité concerne 93 ménages au "
    "titre du quittancement de février 2016 et correspond à une valeur moyenne de 38 €.",
    # 2, 3, 4: "financière(s)", "financier" (financi; typed "financiere": financier)
    "Le procès-verbal est suffisamment détaillé et montre que la situation financière a bien été débattue en séance.",
    "Les échanges ne montrent pas que la direction de la société ait eu conscience de l'existence de difficultés "
    "financières au-delà des impayés.",
    "Le lancement d'une opération est conditionné à son équilibre financier qui est étudié au moyen d'une "
    "application spécialisée.",
    # 5: "limite", whose respelling "limité" stems alike: nothing to respell
    "Elle se limite à quelques unités concernées par une vacance plus structurelle (plus de trois mois).",
    # 6: "impayés" (impai; typed "impayes": impay), as 3
    "Le montant des impayés locatifs a progressé de 12 % entre 2015 et 2017.",
]


def test_a_query_typed_without_accents_finds_the_accented_words():
    index = _index(ACCENTED)
    assert index.top(index.query("detecteurs de fumees"), 1).rows.tolist() == [0]
    assert index.top(index.query("detecteur de fumees"), 5).scores[0] > index.top(
        LexicalQuery.of(expand("detecteur de fumees")), 5).scores[0]  # both words count, not the first alone
    assert index.top(index.query("supplement de loyer de solidarite"), 1).rows.tolist() == [1]
    assert set(index.query("loyer de solidarité").terms) < set(index.query("loyer de solidarite").terms)
    assert set(index.top(index.query("impayes"), 5).rows.tolist()) == {3, 6}


def test_the_typed_word_still_counts_beside_the_respelled_one():
    """The reports write some words without accents too (headings in capitals: "ANALYSE FINANCIERE"): the typed
    term stays, the respelled one is added."""
    index = _index(ACCENTED)
    assert set(index.top(index.query("financiere"), 5).rows.tolist()) == {2, 3, 4}
    headed = _index(ACCENTED + ["## 6.2 ANALYSE FINANCIERE"])
    assert set(headed.top(headed.query("analyse financiere"), 5).rows.tolist()) == {2, 3, 4, len(ACCENTED)}
    assert index.query("limite") == LexicalQuery.of(expand("limite"))  # "limité" stems alike: nothing added
    assert index.query("situation financière") == LexicalQuery.of(expand("situation financière"))  # typed accented


def test_the_expansion_records_the_words_it_respelled_and_only_those():
    """What the sentence grain counts as the word typed (``grain.query_terms``) is what the search looked for: a
    word respelled is recorded with its spelling, one left as typed (its respelling stems alike, or is rarer in
    the passages, or the word is typed accented) is not."""
    index = _index(ACCENTED)
    assert index.expansion("detecteur de fumees").respelled == (("fumees", "fumées"),)
    assert index.expansion("impayes et solidarite").respelled == (("impayes", "impayés"), ("solidarite", "solidarité"))
    assert index.expansion("limite").respelled == index.expansion("situation financière").respelled == ()
    headed = _index(["# 6. TENUE DE LA COMPTABILITE ET ANALYSE FINANCIERE", "## 6.2 ANALYSE FINANCIERE"]
                    + ACCENTED[2:3])
    assert headed.expansion("analyse financiere").respelled == ()


def test_a_respelling_rarer_than_the_typed_word_is_not_added():
    """Where the passages write the word as typed more often than accented (headings in capitals, from the corpus
    reports), the typed word is taken as meant; so is a misreading ("parties" → "partiés": parti, rarer than part)."""
    headings = ["# 6. TENUE DE LA COMPTABILITE ET ANALYSE FINANCIERE", "## 6.2 ANALYSE FINANCIERE"]
    index = _index(headings + ACCENTED[2:3])
    assert index.query("analyse financiere") == LexicalQuery.of(expand("analyse financiere"))


# Report 004's own sentences, with the calls of its notes glued to words.
CALLED = [
    "Au 31 décembre 2016, les logements volontairement vides³⁶ représentent 2,3 % de la totalité du parc de la "
    "société (y compris logements étudiants).",
    "Parmi les logements proposés à la location, la vacance commerciale³⁷ s'établit ainsi à 6,1 %, soit à un niveau "
    "élevé par rapport à celui de la région (3,4 %).",
    "La surface habitable moyenne est de 71,4 m² pour Logidia, 68 m² dans l'Ain.",
]


def test_a_word_carrying_a_note_call_is_found_and_highlighted():
    index = _index(CALLED)
    assert _ranking(index, "logements vides")[0] == 0
    assert _ranking(index, "vacance commerciale")[0] == 1
    spans = Highlighter(expand("logements vides"))(CALLED[0], 0)
    assert "vides³⁶" in [CALLED[0][a:b] for a, b in spans]


def test_a_units_exponent_is_still_searchable():
    assert _ranking(_index(CALLED), "prix au m²")[0] == 2
