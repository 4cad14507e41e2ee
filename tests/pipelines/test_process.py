"""The text pipeline end to end on real report sentences, with the gold written inline."""

import pytest

from gold import covering, process_marked, shipped_models
from ancols_nlp.pipelines.process import process_text
from ancols_nlp.pipelines.sentences import load_sentencizer
from ancols_nlp.pipelines.themes import THEME_FLOOR
from ancols_nlp.pipelines.types import SourceText, ThemeItem

REPORT = """Rapport définitif de contrôle n°2016-047 Novembre 2017

## 4.2 Attributions

<obs theme=attributions>Les services en charge de la gestion locative maîtrisent de manière satisfaisante \
la réglementation et les dossiers locataires sont très bien tenus.</obs> <rec theme=attributions>La société doit \
néanmoins améliorer son processus d'attribution et veiller à ce que la CAL joue pleinement son rôle.</rec>

<reb theme=attributions>Dans sa réponse écrite, la société s'engage pour l'avenir à mener des examens réguliers \
de la demande insatisfaite.</reb>

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


def test_a_segment_lists_its_best_theme_and_only_the_others_above_the_floor(processed):
    """A theme filter matches every theme a passage lists: the tagger's second and third themes, mostly near 0,
    made it return passages about something else. The best theme stays whatever its score."""
    _, _, doc = processed
    tagger = shipped_models().themes
    dropped = 0
    for segment in doc.segments:
        best = tagger.tag_document([ThemeItem(segment.text, tuple(segment.section_path))], limit=3)[0]
        assert segment.themes[0] == best[0][0]
        assert all(segment.theme_scores[t] >= THEME_FLOOR for t in segment.themes[1:])
        assert set(segment.theme_scores) == set(segment.themes)
        dropped += sum(score < THEME_FLOOR for _, score in best[1:])
    assert dropped, "no segment had a theme under the floor: the test shows nothing"


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


LINES = """# Rapport de contrôle

## 1. Gestion locative

La société doit réduire sa vacance commerciale, qui atteint 7,4 % du patrimoine en 2019.
L'organisme n'a pas respecté les règles d'attribution des logements.

## 2. Maîtrise d'ouvrage

Le coût des opérations de réhabilitation est élevé. La société doit mettre en place un suivi des coûts.
"""


@pytest.mark.parametrize("newline, bom", [("\r\n", ""), ("\r", ""), ("\n", "\ufeff"), ("\r\n", "\ufeff")])
def test_windows_and_mac_line_ends_and_a_bom_read_as_plain_newlines(newline, bom):
    """The text is stored as uploaded (offsets index the user's file), and is read as if its lines ended with
    "\\n". A CR-only file (classic Mac) was one segment whose section path was the whole text; with CRLF the
    paragraph's two sentences were one recommendation (spaCy saw "2019.\\r L'organisme"); after a BOM the title was
    not a heading."""
    def read(text: str) -> list[tuple]:
        doc = process_text(SourceText(text, "text/markdown"), nlp=load_sentencizer(), models=shipped_models())
        assert all(text[s.start:s.end] == s.text for s in doc.segments)
        return [(" ".join(s.text.split()), s.kind, s.section_path) for s in doc.segments]

    plain = read(LINES)
    assert [kind for _, kind, _ in plain] == ["other", "other", "recommendation", "observation", "other",
                                              "observation", "recommendation"]
    assert read(bom + LINES.replace("\n", newline)) == plain
