"""The facts bench/search_failures.py names a low query's cause from, on set 6's w24 and its judged answer."""

from bench.search_failures import Failure, cause, first_crediting, term_share

from ancols_nlp.index.analyzer import analyze

QUERY = "Qui se porte garant des emprunts de Logidia ?"  # set 6, w24 (Logidia is read as the organism)
# 002's unit 850, graded 2 for it, under its heading.
ANSWER = "Les collectivités (communes et / ou conseil départemental) apportent leurs garanties à hauteur de 94 % de " \
         "l'encours."
HEADING = "6.2.2.2 L'annuité de la dette"


def test_the_judged_answer_to_w24_holds_none_of_its_terms_as_snowball_stems_them():
    terms = set(analyze(QUERY.replace("Logidia", "")))
    assert term_share(terms, HEADING, ANSWER) == 0.0  # "garant" -> "gar", "garanties" -> "garant"
    assert term_share(terms, HEADING, "Les emprunts de la société sont garantis par les communes.") > 0


def _failure(**facts) -> Failure:
    base = dict(query="w24", text=QUERY, ndcg=0.17, ceiling=1.0, first_best=116, first_relevant=2, off_document=1,
                off_section=7, relevant_terms=0.0, top_terms=0.67, cause="")
    return Failure(**{**base, **facts})


def test_a_cause_is_the_first_rule_that_applies():
    assert cause(_failure()) == "vocabulary gap"
    assert cause(_failure(relevant_terms=0.67)) == "wrong section"
    assert cause(_failure(relevant_terms=0.67, off_section=3)) == "ranked low"
    assert cause(_failure(first_best=None)) == "not retrieved"
    assert cause(_failure(ceiling=0.3, ndcg=0.25)) == "granularity"  # a better order would gain little
    assert cause(_failure(ceiling=0.9, ndcg=0.85, first_best=None)) == "not retrieved"


def test_first_crediting_counts_ranks_from_one_and_by_grade():
    rel = {("d", "1"): 1, ("d", "2"): 2}
    credits = [set(), {("d", "1")}, {("d", "2")}]
    assert first_crediting(credits, rel, 1) == 2
    assert first_crediting(credits, rel, 2) == 3
    assert first_crediting(credits[:2], rel, 2) is None
