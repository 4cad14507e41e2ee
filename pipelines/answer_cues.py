"""French wording of an organism's answer and of the finding it answers, compiled from the language home
(``pipelines/french/cues.toml``, sections ``[stance]`` and ``[references]``).

Sources: the ANCOLS reports' own phrasing of responses ("Dans sa réponse, la société s'engage …",
"fait valoir", "conteste"), the annotation guide's description of rebuttals, and the ordinary
French of argument (concessive connectives, explicit references to a report's parts). Used by
``ancols_nlp.pipelines.links`` (which finding is answered) and ``ancols_nlp.models.kinds.stance``.
"""

from __future__ import annotations

from ancols_nlp.pipelines import french

STANCES = ("contests", "commits", "accepts", "explains")

_stance, _references = french.stance_cues(), french.reference_cues()
CONTESTS = _stance["contests"]  # outright disagreement: wins over any other cue
CONNECTORS = _stance["connectors"]  # opposition connectors: what follows carries the answer's orientation
OPPOSES = _stance["opposes"]  # opposition without a connector: the organism's own view, an emphatic contrary fact
COMMITS = _stance["commits"]  # a remedy promised, decided or already carried out
ACCEPTS = _stance["accepts"]  # acknowledgement of the finding

CITED_FINDING = _references["cited_finding"]  # "Recommandation n°3", "recommandations n°4 et 5"
FINDING_LABEL = _references["finding_label"]  # a report labels a finding at its start: "Obs 2 : …"
SECTION_NUMBER = _references["section_number"]  # a heading's number: "3.2 Vacance"
CITED_SECTION = _references["cited_section"]  # "point 3.2", "§ 4.2.1", "(cf. 5.2)"
CITED_PAGE = _references["cited_page"]
QUOTED = _references["quoted"]  # quoted wording of the report: « … », “ … ”, " … "
TOPIC = _references["topic"]  # "Concernant les deux marchés …, la société …"
SALIENT = _references["salient"]  # an irregularity, a shortfall, a prescription
