"""Reply-letter links as pure functions: what a rebuttal cites, which report it answers, the similarity threshold."""

import numpy as np

from ancols_nlp.pipelines.reply_links import (DocumentHead, Passage, answered_report, cited_findings, link_reply, relink,
                                   same_organism)


def test_citations_as_the_corpus_letter_writes_them(corpus_texts):
    letter = " ".join(corpus_texts["000_ad04bc466fc4cae0.txt"].split())
    cited = cited_findings(letter)
    assert {("recommendation", 1), ("recommendation", 3), ("recommendation", 4), ("recommendation", 5),
            ("recommendation", 7), ("recommendation", 12), ("observation", 1), ("observation", 2),
            ("observation", 7), ("observation", 10)} <= cited
    assert all(1 <= n <= 12 for _, n in cited)


def test_the_reply_answers_its_organisms_latest_report_before_it():
    reply = DocumentHead("r", "reply", "Coop'lvry Habitat", 2024)
    docs = [reply, DocumentHead("a", "report", "Coop'Ivry Habitat", 2018), DocumentHead("b", "report", "COOP'IVRY HABITAT", 2023),
            DocumentHead("c", "report", "Coop'Ivry Habitat", 2026), DocumentHead("d", "report", "Logidia", 2023)]
    assert answered_report(reply, docs).ref == "b"
    assert not same_organism("Logidia", "Lozère Habitations") and answered_report(reply, docs[3:]) is None


def _passage(ref, kind, text, vector, path=()):
    return Passage(ref, kind, text, tuple(path), np.asarray(vector, dtype=np.float32))


def test_citation_then_section_then_similarity_above_the_threshold():
    findings = [
        _passage(1, "observation", "Le taux de vacance atteint 6 %.", [1, 0, 0], ["3. PATRIMOINE", "3.2 Vacance"]),
        _passage(2, "recommendation", "Recommandation n°2 : réduire la vacance.", [0.9, 0.1, 0], ["3. PATRIMOINE", "3.2 Vacance"]),
        _passage(3, "observation", "Les coûts de gestion sont élevés.", [0, 1, 0], ["6.1 Coûts de gestion"]),
    ]
    rebuttals = [
        _passage("a", "rebuttal", "Sur la recommandation n°2, la société a engagé un plan.", [0, 0, 1]),
        _passage("b", "rebuttal", "Au point 3.2, le rapport ignore les démolitions.", [0.95, 0.05, 0.3]),
        _passage("c", "rebuttal", "Nos frais de gestion baissent depuis 2023.", [0.1, 0.9, 0.1]),
        _passage("d", "rebuttal", "Nous remercions l'Agence.", [0, 0.2, 1]),
        _passage("e", "other", "Le Président", [0, 1, 0]),
    ]
    links = {(link.rebuttal, link.finding, link.basis) for link in link_reply(rebuttals, findings)}
    assert links == {("a", 2, "reference"), ("b", 1, "reference"), ("c", 3, "similarity")}
    assert link_reply(rebuttals, []) == []


def test_a_new_document_relinks_the_replies_that_now_answer_it():
    docs = [DocumentHead("r2018", "report", "Coop'Ivry Habitat", 2018),
            DocumentHead("a", "reply", "Coop'lvry Habitat", 2019),
            DocumentHead("b", "reply", "Coop'Ivry Habitat", 2017), DocumentHead("c", "reply", "Logidia", 2019)]
    passages = {"r2018": [_passage(1, "observation", "Les coûts de gestion sont élevés.", [1, 0])],
                "r2016": [_passage(2, "observation", "La vacance est élevée.", [0, 1])],
                "a": [_passage("a1", "rebuttal", "Nos coûts de gestion baissent.", [1, 0.1])],
                "b": [_passage("b1", "rebuttal", "La vacance baisse déjà.", [0.1, 1])],
                "c": [_passage("c1", "rebuttal", "Nos coûts baissent.", [1, 0])]}
    pairs = lambda links: {r: [(x.rebuttal, x.finding) for x in v] for r, v in links.items()}  # noqa: E731
    # A report: its organism's replies answering it (not b, dated before it; not c, another organism's).
    assert pairs(relink("r2018", docs, passages.__getitem__)) == {"a": [("a1", 1)]}
    # A reply: itself, against its report.
    assert pairs(relink("a", docs, passages.__getitem__)) == {"a": [("a1", 1)]}
    assert relink("c", docs, passages.__getitem__) == {}
    # An older report: only the reply it is now the latest report for.
    docs.append(DocumentHead("r2016", "report", "COOP'IVRY HABITAT", 2016))
    assert pairs(relink("r2016", docs, passages.__getitem__)) == {"b": [("b1", 2)]}
