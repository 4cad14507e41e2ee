"""French cues for the kind of a sentence, compiled from the language home (``pipelines/french/cues.toml``).

They follow the annotation guide (``shared/eval/ANNOTATION.md``): a prescription ("la société
doit", "est invitée à", "gagnerait à") makes a recommendation, the organism's reported voice
("dans sa réponse, la société indique") makes a rebuttal, the agency answering that voice
("l'Agence maintient") stays an observation, and text without a statement is ``other``.

``REBUTTAL``, ``RECOMMENDATION``, ``AGENCY_REPLY`` and ``OTHER`` drive the rule classifier
(``rules.py``); ``FEATURE_CUES`` are the finer families the trained model weighs one by one
(``features.py``), so that e.g. a forecast ("le fonds de roulement devrait atteindre …") and
a prescription ("la société devrait revoir …") get different weights.
"""

import re
from dataclasses import replace

from ancols_nlp.pipelines import french
from ancols_nlp.pipelines.patterns import as_cues_read
from ancols_nlp.pipelines.types import SentenceContext

REBUTTAL = french.kind_cues()["REBUTTAL"]
AGENCY_REPLY = french.kind_cues()["AGENCY_REPLY"]  # the agency answering the answer is its own finding
RECOMMENDATION = french.kind_cues()["RECOMMENDATION"]
OTHER = french.kind_cues()["OTHER"]  # lines that hold no statement: signatures, salutations, source notes
FEATURE_CUES: dict[str, re.Pattern[str]] = french.feature_cues()
MUST = french.cue_fragment("MUST")  # "la société doit / devra …", minus "doit composer avec"
INFINITIVE_START = FEATURE_CUES["infinitive_start"]  # "Mettre en conformité …", "Se conformer à …"
INFINITIVE_LINE = re.compile(INFINITIVE_START.pattern, re.MULTILINE)  # a line of a list read as one sentence


def as_read(ctx: SentenceContext) -> SentenceContext:
    """The sentence, its neighbours and its headings as the cues read them (``as_cues_read``): accents composed,
    without the note calls glued to words ("la société doit¹ réduire": the call hid "doit" from the cues' ``\b``).
    The embedding reads the text as written, so the sentence vectors stay those of the text."""
    return replace(ctx, text=as_cues_read(ctx.text), previous=as_cues_read(ctx.previous),
                   next=as_cues_read(ctx.next), section_path=tuple(map(as_cues_read, ctx.section_path)))
