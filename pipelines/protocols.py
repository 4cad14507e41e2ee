"""What the pipeline needs from the learned parts, as protocols: ``models/`` implements them.

The pipeline never imports a model; ``process_text`` receives one ``Models`` bundle, so the
service, a Ray worker or an evaluation can each pass the models it wants (a held-out one, the
rule fallback…) without any module-level state.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ancols_nlp.pipelines.types import KindPrediction, SentenceContext, ThemeItem

RankedThemes = list[tuple[str, float]]  # best first, with their scores


class KindClassifier(Protocol):
    """Kinds of one document's sentences, in order (a classifier may read the whole document's context)."""

    def __call__(self, contexts: Sequence[SentenceContext], /) -> list[KindPrediction]: ...


class ThemeTagger(Protocol):
    """Themes of one document's passages, in order (a tagger may read the neighbours)."""

    def tag_document(self, items: Sequence[ThemeItem], *, limit: int = 3) -> list[RankedThemes]: ...


class StanceReader(Protocol):
    """The stance a rebuttal's text takes towards the finding it answers."""

    def __call__(self, text: str, /) -> str: ...


@dataclass(frozen=True)
class Models:
    """The implementations one run of the pipeline uses."""

    kinds: KindClassifier
    themes: ThemeTagger
    stance: StanceReader
