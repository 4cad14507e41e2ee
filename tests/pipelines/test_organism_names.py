"""One organism under the names its documents give it: the OCR'd letter's "Coop'lvry Habitat" is the report's
"Coop'Ivry Habitat"; the names of distinct organisms in the corpus, the CRC report and the tests' fixtures stay
apart, even those the similarity alone takes for one."""

import itertools
from difflib import SequenceMatcher

from ancols_nlp.pipelines.doctype import read_meta
from ancols_nlp.pipelines.organism_names import SAME_ORGANISM, fold_name, organisms, same_organism
from tests.service.test_reply_links_api import LETTER, REPORT

CRC = "crc/crc_sahlm_maisons_cites_soginorpa_2016.txt"  # under the shared eval/, beside the corpus
# The CRC report names its organism (read_meta reads none: not an ANCOLS cover page) and the body controlling it.
CRC_NAMES = ("Maisons & Cités Soginorpa", "Soginorpa", "Épinorpa", "Charbonnages de France")
# Organisms the tests store (tests/index/conftest.py, test_store.py, test_postgres.py, test_doctype.py ...).
FIXTURES = ("SA HLM Test", "Habitat Nouveau", "Habitat du Nord", "Habitat Test", "Autre organisme",
            "Réunion Saint-Denis", "Maison Familiale de Provence", *(f"Organisme {n}" for n in range(4)))


def similarity(a: str, b: str) -> float:
    return SequenceMatcher(None, fold_name(a), fold_name(b)).ratio()


def test_the_letter_read_by_ocr_names_the_organism_of_its_report(corpus_texts):
    letter, report = read_meta(corpus_texts[LETTER]).organism, read_meta(REPORT).organism
    assert (letter, report) == ("Coop'lvry Habitat", "Coop'Ivry Habitat")  # as each document writes it
    assert same_organism(letter, report) and similarity(letter, report) >= SAME_ORGANISM
    # One organism, named as most documents name it; on a tie, as the first stored.
    assert [(o.name, o.spellings) for o in organisms({letter: 1, report: 1})] == [(letter, (letter, report))]
    assert [(o.name, o.spellings) for o in organisms({letter: 1, report: 2})] == [(report, (report, letter))]


def test_distinct_organisms_stay_apart_though_the_similarity_alone_joins_some(corpus_texts, corpus_dir):
    from bench.synth import CITIES, FORMS

    read = {read_meta(text).organism for text in corpus_texts.values()} - {None}
    assert len(read) == 5 and all(name in (corpus_dir.parent / "eval" / CRC).read_text(encoding="utf-8")
                                  for name in CRC_NAMES)
    names = sorted(read | {read_meta(REPORT).organism} | set(CRC_NAMES) | set(FIXTURES)
                   | {form.format(city) for city in CITIES for form in FORMS})  # the bench's synthetic store
    known = organisms(dict.fromkeys(names, 1))
    assert [o.spellings for o in known if len(o.spellings) > 1] == [("Coop'Ivry Habitat", "Coop'lvry Habitat")]
    # The pairs the similarity alone took for one organism: a number apart, or a word (bench/synth.py's cities).
    alike = {(a, b) for a, b in itertools.combinations(names, 2) if similarity(a, b) >= SAME_ORGANISM}
    assert {("Organisme 0", "Organisme 2"), ("Office public de l'habitat de Nantes",
                                            "Office public de l'habitat de Rennes")} < alike
    assert [pair for pair in alike if same_organism(*pair)] == [("Coop'Ivry Habitat", "Coop'lvry Habitat")]
