"""Reply-letter links as pure functions: what a rebuttal cites, which report it answers, the similarity threshold."""

import numpy as np

from ancols_nlp.pipelines.reply_links import (DocumentHead, Passage, answered_report, cited_findings, link_reply,
                                              relink, same_organism)


def test_citations_as_the_corpus_letter_writes_them(corpus_texts):
    letter = " ".join(corpus_texts["000_ad04bc466fc4cae0.txt"].split())
    cited = cited_findings(letter)
    assert {("recommendation", 1), ("recommendation", 3), ("recommendation", 4), ("recommendation", 5),
            ("recommendation", 7), ("recommendation", 12), ("observation", 1), ("observation", 2),
            ("observation", 7), ("observation", 10)} <= cited
    assert all(1 <= n <= 12 for _, n in cited)


def test_citations_in_abbreviated_and_listed_forms():
    assert cited_findings("Sur l'Obs. 2 et les recommandations n° 4 et 5, la société précise") == {
        ("observation", 2), ("recommendation", 4), ("recommendation", 5)}


def test_the_reply_answers_its_organisms_latest_report_before_it():
    reply = DocumentHead("r", "reply", "Coop'lvry Habitat", 2024)
    docs = [reply, DocumentHead("a", "report", "Coop'Ivry Habitat", 2018),
            DocumentHead("b", "report", "COOP'IVRY HABITAT", 2023),
            DocumentHead("c", "report", "Coop'Ivry Habitat", 2026), DocumentHead("d", "report", "Logidia", 2023)]
    assert answered_report(reply, docs).ref == "b"
    assert not same_organism("Logidia", "Lozère Habitations") and answered_report(reply, docs[3:]) is None


def _passage(ref, kind, text, vector, path=()):
    return Passage(ref, kind, text, tuple(path), np.asarray(vector, dtype=np.float32))


def test_citation_then_section_then_similarity_above_the_threshold():
    findings = [
        _passage(1, "observation", "Le taux de vacance atteint 6 %.", [1, 0, 0], ["3. PATRIMOINE", "3.2 Vacance"]),
        _passage(2, "recommendation", "Recommandation n°2 : réduire la vacance.", [0.9, 0.1, 0],
                 ["3. PATRIMOINE", "3.2 Vacance"]),
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


# A report and its organism's reply of our own making: which finding each answer answers is known,
# and two answers answer none. Vectors are the shipped encoder's, of the text the store embeds.
PAIR_REPORT = """## 2.1 Gouvernance

<obs>Le conseil d'administration ne s'est réuni que deux fois par an entre 2019 et 2022, \
en deçà de ses statuts.</obs>
<rec>Recommandation n°1 : réunir le conseil d'administration au moins quatre fois par an.</rec>

## 3.2 Vacance

<obs>La vacance commerciale atteint 7,4 % du parc fin 2022, contre 3,1 % pour les bailleurs du département.</obs>
<obs>Les délais de remise en location dépassent 60 jours pour un tiers des logements libérés.</obs>

## 4.1 Entretien du patrimoine

<obs>Le plan pluriannuel d'entretien n'est pas chiffré et n'a pas été présenté au conseil d'administration.</obs>
<obs>Les diagnostics amiante des parties communes ne sont pas tous réalisés.</obs>

## 5.3 Commande publique

<obs>Trois marchés de nettoyage des parties communes ont été attribués sans mise en concurrence.</obs>
"""
PAIR_LETTER = """<reb>Conformément à la recommandation n°1, notre conseil se réunit désormais \
chaque trimestre.</reb>
<reb>S'agissant du point 4.1, nous avons chiffré notre plan d'entretien, qui sera soumis au conseil en juin.</reb>
<reb>Le taux de 7,4 % cité par le rapport inclut les logements bloqués pour la démolition de la \
résidence des Tilleuls.</reb>
<reb>Vous écrivez que « les délais de remise en location dépassent 60 jours » : ils sont de 35 jours en 2024.</reb>
<reb>Les diagnostics amiante qui manquent encore seront achevés avant la fin de l'année.</reb>
<reb>Nous tenons à remercier l'équipe de contrôle pour la qualité et la courtoisie des échanges.</reb>
<reb>Notre association organise chaque été une fête des voisins très appréciée dans le quartier.</reb>
"""
PAIR_ANSWERS = {  # words of the answer → words of the finding it answers (None: it answers no finding)
    "recommandation n°1": "Recommandation n°1", "point 4.1": "plan pluriannuel", "7,4 % cité": "7,4 %",
    "« les délais": "délais de remise", "diagnostics amiante qui": "diagnostics amiante des",
    "remercier": None, "fête des voisins": None,
}


def _marked_passages(marked, embedder, prefix):
    import re

    from gold import parse

    from ancols_nlp.index.passages import passage_context

    text, spans = parse(marked)
    headings = [(m.start(), m.group(1)) for m in re.finditer(r"^## (.+)$", text, re.MULTILINE)]
    paths = [[title for start, title in headings if start < span.start][-1:] for span in spans]
    bodies = [text[span.start:span.end] for span in spans]
    vectors = embedder.encode_passages([passage_context(b, p) for b, p in zip(bodies, paths)])
    return [Passage(f"{prefix}{i}", span.kind, body, tuple(path), vector)
            for i, (span, body, path, vector) in enumerate(zip(spans, bodies, paths, vectors))]


def test_a_letter_in_its_own_words_links_to_what_it_answers_and_nothing_else():
    from ancols_nlp.models.embedding import load_embedder

    embedder = load_embedder()
    report, letter = _marked_passages(PAIR_REPORT, embedder, "f"), _marked_passages(PAIR_LETTER, embedder, "r")
    links = link_reply(letter, report)
    got = {r.text: [(x.finding, x.basis, x.score) for x in links if x.rebuttal == r.ref] for r in letter}
    for answer_words, finding_words in PAIR_ANSWERS.items():
        answer = next(text for text in got if answer_words in text)
        if finding_words is None:
            assert got[answer] == [], answer
        else:
            finding = next(f.ref for f in report if finding_words in f.text)
            assert [ref for ref, _, _ in got[answer]] == [finding], (answer, got[answer])
            assert all(0 < score < 1 for _, _, score in got[answer])
    bases = {basis for found in got.values() for _, basis, _ in found}
    assert bases == {"reference", "quote", "similarity"}
