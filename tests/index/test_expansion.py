"""Query expansion by phrases: the thesaurus, acronyms as written, and acronyms mined from stored documents."""

import numpy as np

from ancols_nlp.index.analyzer import analyze
from ancols_nlp.index.expansion import Synonyms, expand
from ancols_nlp.index.lexical import LexicalIndex, TermMatrix
from ancols_nlp.index.passages import LEXICAL_KEY
from ancols_nlp.index.query import Filters, SearchParams
from ancols_nlp.index.store import Store
from tests.index.conftest import make_document

SENTENCES = [
    # 0: the CGLLS spelled out
    "La cotisation due à la Caisse de garantie du logement locatif social a doublé en 2016.",
    # 1: the long form's words, loose: not the CGLLS
    "Le logement social du quartier est ancien et la caisse de l'amicale des locataires est vide.",
    # 2: the board spelled out
    "Le conseil d'administration s'est réuni quatre fois en 2017.",
    # 3: the board by its acronym only
    "Le CA a approuvé le plan stratégique de patrimoine.",
    # 4: neither
    "Les loyers pratiqués restent inférieurs aux plafonds.",
]


def _ranking(index: LexicalIndex, query: str) -> list[int]:
    scores = index.scores(query)
    return [int(i) for i in np.argsort(-scores, kind="stable") if scores[i] > 0]


def _index(mined: Synonyms | None = None) -> LexicalIndex:
    parts = [TermMatrix.build([analyze(s) for s in SENTENCES])]
    return LexicalIndex(parts, mined=mined) if mined else LexicalIndex(parts)


def test_an_acronym_finds_its_long_form_as_a_phrase_not_its_loose_words():
    assert _ranking(_index(), "CGLLS") == [0]
    assert expand("CGLLS").phrases == (("caiss", "garant", "log", "locat", "social"),)
    assert _ranking(_index(), "CA") == [2]  # "CA" analyses to nothing (it is also "ça"), yet names the board


def test_a_long_form_finds_its_acronym():
    q = expand("plan stratégique de patrimoine")
    assert ("psp",) in q.phrases
    assert expand("conseil d'administration").phrases == ()  # "CA" has no index term to look for


def test_a_function_word_does_not_name_an_acronym():
    assert expand("ça baisse").phrases == expand("plus de logements").phrases == ()
    assert expand("les PLUS").phrases == (("pret", "locat", "usag", "social"),)
    assert expand("la cal").phrases == expand("la CAL").phrases  # a lower-case acronym that is no French word


def test_synonyms_score_below_the_users_own_words():
    ranking = _ranking(_index(), "Caisse de garantie du logement locatif social")
    assert ranking[0] == 0 and ranking.index(0) < ranking.index(1)


def test_mined_acronyms_expand_queries_both_ways():
    mined = Synonyms.of_acronyms([("CDC", "cotisation due à la Caisse")])
    assert _ranking(_index(mined), "CDC") == [0]
    assert ("cdc",) in expand("la cotisation due à la caisse", mined).phrases
    assert _ranking(_index(), "CDC") == []


REPORT = [
    ("La zone urbaine sensible (ZUS) concentre un tiers du parc.", "observation", "paragraph", "2.1 Patrimoine"),
    ("Dans la zone urbaine sensible, la vacance atteint 9 %.", "observation", "paragraph", "2.2 Vacance"),
]
OTHER = [("Les loyers sont stables.", "observation", "paragraph", "3.1 Loyers")]


def test_mined_acronyms_are_stored_with_their_document_and_leave_with_it(tmp_path, embedder):
    store = Store(tmp_path / "data", embedder)
    doc_id = store.add(make_document(REPORT), filename="a.txt", data=b"a").id
    store.add(make_document(OTHER), filename="b.txt", data=b"b")
    assert store.meta.acronyms() == [("ZUS", "zone urbaine sensible")]
    lexical = SearchParams(mode="lexical")
    out = store.search("vacance en ZUS", k=5, filters=Filters(), params=lexical)
    assert out.rows[out.hits[0].id].text == REPORT[1][0]  # reached through the long form
    store.close()
    reopened = Store(tmp_path / "data", embedder)  # the snapshot of a reopened store knows them too
    assert _texts(reopened, "ZUS") == [REPORT[0][0], REPORT[1][0]]
    reopened.delete(doc_id)
    assert reopened.meta.acronyms() == [] and _texts(reopened, "ZUS") == []
    reopened.close()


def _texts(store, query: str) -> list[str]:
    out = store.search(query, k=5, filters=Filters(), params=SearchParams(mode="lexical"))
    return [out.rows[h.id].text for h in out.hits]


def test_a_store_from_before_the_mining_mines_its_documents_on_opening(tmp_path, embedder):
    store = Store(tmp_path / "data", embedder)
    store.add(make_document(REPORT), filename="a.txt", data=b"a")
    with store.meta.transaction() as db:  # as a store written before acronyms were mined
        db.execute("DELETE FROM acronyms")
    store.meta.set_setting(LEXICAL_KEY, "fr-1|heading+text-1")
    store.close()
    reopened = Store(tmp_path / "data", embedder)
    assert reopened.meta.acronyms() == [("ZUS", "zone urbaine sensible")]
    assert _texts(reopened, "ZUS") == [REPORT[0][0], REPORT[1][0]]
    reopened.close()
