"""The text pipeline end to end on real report sentences, with the gold written inline."""

import pytest

from gold import covering, process_marked

REPORT = """Rapport définitif de contrôle n°2016-047 Novembre 2017

## 4.2 Attributions

<obs theme=attributions>Les services en charge de la gestion locative maîtrisent de manière satisfaisante la réglementation et les dossiers locataires sont très bien tenus.</obs> <rec theme=attributions>La société doit néanmoins améliorer son processus d'attribution et veiller à ce que la CAL joue pleinement son rôle.</rec>

<reb theme=attributions>Dans sa réponse écrite, la société s'engage pour l'avenir à mener des examens réguliers de la demande insatisfaite.</reb>

## 4.3 Vacance

<obs theme=vacance>La vacance technique est contenue et la vacance commerciale très faible.</obs>
"""


@pytest.fixture(scope="module")
def processed():
    return process_marked(REPORT)


def test_each_gold_sentence_gets_its_kind_and_theme(processed):
    text, gold, doc = processed
    for span in gold:
        segment = covering(doc, span)
        assert segment.kind == span.kind, text[span.start:span.end]
        assert segment.themes[0] == span.theme, text[span.start:span.end]


def test_segments_index_the_text_exactly(processed):
    text, _, doc = processed
    assert all(text[s.start:s.end] == s.text for s in doc.segments)
    assert [s.start for s in doc.segments] == sorted(s.start for s in doc.segments)


def test_headings_are_other_and_give_the_section_path(processed):
    text, gold, doc = processed
    heading = next(s for s in doc.segments if s.text == "## 4.3 Vacance")
    assert heading.kind == "other"
    vacancy = covering(doc, gold[-1])
    assert vacancy.section_path[-1] == "4.3 Vacance"


def test_rebuttal_answers_the_recommendation_first(processed):
    _, gold, doc = processed
    rebuttal, recommendation = covering(doc, gold[2]), covering(doc, gold[1])
    assert rebuttal.responds_to[0] == recommendation.id and len(rebuttal.link_confidence) == len(rebuttal.responds_to)
    assert doc.meta.doc_type == "report" and doc.meta.report_number == "2016-047"
