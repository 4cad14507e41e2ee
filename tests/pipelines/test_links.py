"""Rebuttals: the finding they answer and the stance they take (French cues)."""

import pytest

from ancols_nlp.models.kinds.stance import stance
from ancols_nlp.pipelines.links import link_rebuttals
from ancols_nlp.pipelines.types import Segment


@pytest.mark.parametrize("text, expected", [
    ("Dans sa réponse, l'organisme conteste le fait que le détachement d'une personne du service impayés ait eu une incidence.", "contests"),
    ("La société ne partage pas l'analyse de l'Agence sur le niveau de ses loyers.", "contests"),
    ("Dans sa réponse, l'organisme reconnaît que la convention initiale de 2005 n'a pas été corrigée.", "accepts"),
    ("Lors de la séance du 16 décembre 2024, le conseil d'administration a pris acte des observations.", "accepts"),
    ("Dans sa réponse écrite, la société s'engage pour l'avenir à mener des examens réguliers de la demande insatisfaite.", "commits"),
    ("La société va mettre en place un marché à bons de commande pour les travaux de peinture.", "commits"),
    ("Elle prévoit de présenter sa charte d'attribution au conseil d'administration en fin d'année.", "commits"),
    ("La société reconnaît l'erreur et a indiqué mettre en place une procédure spéciale.", "commits"),
    ("Concernant les deux marchés de maîtrise d'œuvre, Lozère Habitations précise qu'il s'agit de reprises d'opérations.", "explains"),
])
def test_stance_cues(text, expected):
    assert stance(text) == expected


def seg(i, kind, text, path=("4.2 Attributions",)):
    return Segment(id=i, start=i * 100, end=i * 100 + len(text), text=text, block="paragraph", kind=kind,
                   section_path=list(path))


def test_rebuttal_links_to_the_finding_before_it_and_gets_a_stance():
    segments = [
        seg(0, "observation", "La CAL ne joue pas pleinement son rôle."),
        seg(1, "recommendation", "La société doit revoir son processus d'attribution."),
        seg(2, "rebuttal", "Dans sa réponse, la société s'engage à revoir le règlement de la CAL."),
        seg(3, "observation", "Les loyers sont élevés.", path=("3.2 Loyers",)),
        seg(4, "rebuttal", "La société conteste ce constat.", path=("3.3 Charges",)),
    ]
    link_rebuttals(segments, stance)
    assert segments[2].responds_to == [1] and segments[2].stance == "commits"
    assert segments[4].responds_to == [] and segments[4].stance == "contests"
    assert all(s.stance is None for s in segments if s.kind != "rebuttal")
