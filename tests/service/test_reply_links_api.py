"""A reply letter's rebuttals link to the findings of its organism's report, whichever arrives first.

The corpus holds the real reply letter of Coop'lvry Habitat (000) but not the report it answers,
so the report here is a short one in the ANCOLS layout with the numbered findings the letter cites."""

import pytest

LETTER = "000_ad04bc466fc4cae0.txt"
REPORT = """Rapport définitif de contrôle n°2023-045 Juillet 2024
Société coopérative d'intérêt collectif d'habitations à loyer modéré Coop'Ivry Habitat
Ivry-sur-Seine (94)

# 2. GOUVERNANCE ET MANAGEMENT

## 2.3 Système d'information

Le système d'information de Coop'Ivry Habitat est obsolète et ses applications ne communiquent pas entre elles.

Recommandation n°1 : Définir un schéma directeur du système d'information et le mettre en œuvre sans délai.

# 3. COMMANDE PUBLIQUE

Obs 2 : Les procédures de passation des marchés publics de Coop'Ivry Habitat ne respectent pas les règles \
de mise en concurrence.

# 4. ANALYSE FINANCIÈRE

Les coûts de gestion au logement de Coop'Ivry Habitat ont progressé de 33 % entre 2018 et 2022.

Recommandation n°3 : Établir un plan d'action rapide visant à réduire significativement les coûts de gestion.
"""


def _upload(client, name, data):
    response = client.post("/documents", files={"file": (name, data, "text/plain")})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _segments(client, doc_id):
    return client.get(f"/documents/{doc_id}/segments?limit=5000").json()["segments"]


def _containing(segments, words):
    return next(s for s in segments if words in s["text"])


def _check_links(client, letter_id, report_id):
    letter, report = _segments(client, letter_id), _segments(client, report_id)
    rec3 = _containing(report, "Recommandation n°3")
    obs2 = _containing(report, "Obs 2")
    assert (rec3["kind"], obs2["kind"]) == ("recommendation", "observation")
    cites_rec3 = _containing(letter, "(Recommandation n°3)")
    assert cites_rec3["kind"] == "rebuttal" and rec3["id"] in cites_rec3["responds_to"]
    assert all(len(s["link_confidence"]) == len(s["responds_to"]) for s in letter)
    assert all(0 < c < 1 for s in letter for c in s["link_confidence"])
    cites_obs2 = _containing(letter, "l'observation n°2")
    assert obs2["id"] in cites_obs2["responds_to"]
    rec1 = _containing(report, "Recommandation n°1")  # a label line, whatever kind the model gave it
    assert rec1["id"] in _containing(letter, "la recommandation n°1")["responds_to"]
    # No citation: the closest finding by meaning.
    costs = _containing(report, "ont progressé de 33 %")
    assert _containing(letter, "coûts de gestion au logement, ils évoluent de +33%")["responds_to"] == [costs["id"]]
    # The control period's years are no figure the letter keeps of that finding ("entre 2018 et 2022").
    for period in ("la période de contrôle porte sur 2018-2022", "Ces quatre sujets sont toujours d'actualité"):
        assert costs["id"] not in _containing(letter, period)["responds_to"], period
    # Both ways on GET /segments/{id}, with the linked segment's document.
    view = client.get(f"/segments/{cites_rec3['id']}").json()
    assert rec3["id"] in [s["id"] for s in view["responds_to"]]
    assert {s["document_id"] for s in view["responds_to"]} >= {report_id}
    answered = client.get(f"/segments/{rec3['id']}").json()["answered_by"]
    assert cites_rec3["id"] in [s["id"] for s in answered] and {s["document_id"] for s in answered} == {letter_id}
    # Links leave the letter only for the report's statements, never its headings.
    linked = {t for s in letter for t in s["responds_to"] if not t.startswith(letter_id + ":")}
    assert linked <= {s["id"] for s in report if s["block"] != "heading" and s["position"] > 0}


@pytest.mark.parametrize("report_first", [False, True])
def test_reply_links_whichever_document_comes_first(client, corpus_texts, report_first):
    letter_bytes = corpus_texts[LETTER].encode("utf-8")
    report_bytes = REPORT.encode("utf-8")
    if report_first:
        report_id = _upload(client, "report.txt", report_bytes)
        letter_id = _upload(client, LETTER, letter_bytes)
    else:
        letter_id = _upload(client, LETTER, letter_bytes)
        report_id = _upload(client, "report.txt", report_bytes)
    _check_links(client, letter_id, report_id)

    # Deleting the report removes the links both ways; then the letter goes too.
    rec3 = _containing(_segments(client, report_id), "Recommandation n°3")
    cites = _containing(_segments(client, letter_id), "(Recommandation n°3)")
    assert client.delete(f"/documents/{report_id}").status_code == 204
    assert not any(t.startswith(report_id) for s in _segments(client, letter_id) for t in s["responds_to"])
    assert client.get(f"/segments/{cites['id']}").json()["responds_to"] == []
    assert client.get(f"/segments/{rec3['id']}").status_code == 404
    assert client.delete(f"/documents/{letter_id}").status_code == 204


def test_the_letter_read_by_ocr_is_one_organism_with_its_report(client, corpus_texts):
    """The letter's OCR reads its organism "Coop'lvry Habitat", the report "Coop'Ivry Habitat": GET /organisms listed
    both, the organism filter on the report's name missed the letter, the facets split them and the chat, asked
    about the report's name, read only the report. Each document keeps its name; the service counts one organism."""
    report_id = _upload(client, "report.txt", REPORT.encode("utf-8"))
    letter_id = _upload(client, LETTER, corpus_texts[LETTER].encode("utf-8"))
    try:
        names = [client.get(f"/documents/{i}").json()["meta"]["organism"] for i in (report_id, letter_id)]
        assert names == ["Coop'Ivry Habitat", "Coop'lvry Habitat"]
        listed = client.get("/organisms").json()
        assert [o for o in listed["organisms"] if o in names] == names[:1]  # a tie: the first stored names it
        assert listed["aliases"][names[0]] == names[1:]
        both = {report_id, letter_id}
        for name in names:
            found = client.get("/search", params={"q": "coûts de gestion", "organism": name, "k": 50}).json()
            assert {r["document_id"] for r in found["results"]} == both
            assert found["facets"]["organism"] == {names[0]: found["total_candidates"]}
        everything = client.get("/search", params={"q": "coûts de gestion"}).json()["facets"]["organism"]
        assert names[1] not in everything and everything[names[0]] == found["total_candidates"]
        # The chat filters on the organism a question names: the letter's own words, not only its linked answers.
        asked = client.post("/chat", json={"messages": [
            {"role": "user", "content": "Que dit Coop'Ivry Habitat sur la taxe foncière ?"}]})
        assert asked.status_code == 200, asked.text
        assert any(c["document_id"] == letter_id and "taxe foncière" in c["text"] for c in asked.json()["citations"])
    finally:
        for doc_id in (report_id, letter_id):
            assert client.delete(f"/documents/{doc_id}").status_code == 204
