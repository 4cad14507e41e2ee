"""The trained theme model: one multinomial logistic regression over a document's passages.

Inputs (``features.py``): lexicon hits of the passage, of its innermost thematic heading and
of that heading's thematic parent, a window of neighbouring passages, the sentence embedding of
the passage, of its neighbours and of its thematic heading. On top of the learned weights come
two fixed priors: the thematic headings' lexicon evidence (``heading_prior``) and the lexicon
tagger's scores (``hyper.lexicon_prior``, ``scoring.theme_scores``). The outline and the lexicon
are knowledge of every ANCOLS report; a handful of annotated ones cannot teach every heading's
weight (leave-one-document-out, the priors add 2 points of top-1 accuracy on held-out reports).

Artefact: ``artefacts/theme_model.npz`` (weights) + ``theme_model.json`` (classes, prior, features).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ancols_nlp.models import sentence_memo
from ancols_nlp.models.artefacts import load_or_fallback
from ancols_nlp.models.probabilities import softmax
from ancols_nlp.models.themes.features import Embed, featurize, heading_evidence, section_runs
from ancols_nlp.models.themes.scoring import theme_scores
from ancols_nlp.pipelines.protocols import RankedThemes
from ancols_nlp.pipelines.types import THEMES, ThemeItem


ARTEFACTS = Path(__file__).parent / "artefacts"
NAME = "theme_model"


@dataclass
class ThemeModelParams:
    coef: np.ndarray  # (13, n_inputs), rows in THEMES order
    intercept: np.ndarray  # (13,)
    heading_prior: float
    config: dict

    def save(self, folder: Path = ARTEFACTS, name: str = NAME) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(folder / f"{name}.npz", coef=self.coef.astype(np.float32),
                            intercept=self.intercept.astype(np.float64))
        meta = {"heading_prior": self.heading_prior, "config": self.config}
        (folder / f"{name}.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                             encoding="utf-8")

    @classmethod
    def load(cls, folder: Path = ARTEFACTS, name: str = NAME) -> ThemeModelParams:
        with np.load(folder / f"{name}.npz") as arrays:
            coef, intercept = arrays["coef"].astype(np.float64), arrays["intercept"]
        meta = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        return cls(coef=coef, intercept=intercept, heading_prior=meta["heading_prior"], config=meta["config"])


class LinearThemeModel:
    """A ``ThemeTagger``: the passages of one document per call (it reads their neighbours)."""

    def __init__(self, params: ThemeModelParams, embed: Embed | None = None) -> None:
        if tuple(params.config["themes"]) != THEMES:
            raise ValueError("the theme model artefact was trained on other themes: retrain it"
                             " (python -m ancols_nlp.models.themes.train)")
        self.params = params
        self.embed = embed or sentence_memo.embed

    def probabilities(self, items: Sequence[ThemeItem]) -> np.ndarray:
        """(n, 13) theme probabilities, columns in ``THEMES`` order."""
        if not items:
            return np.zeros((0, len(THEMES)))
        p = self.params
        weights = p.config.get("heading_weights", {})
        z = (featurize(items, self.embed, weights) @ p.coef.T + p.intercept
             + p.heading_prior * heading_evidence(items, weights))
        lexicon_prior = p.config.get("hyper", {}).get("lexicon_prior", 0.0)
        if lexicon_prior:
            z += lexicon_prior * np.array([[scores.get(t, 0.0) for t in THEMES] for scores in (
                theme_scores(it.text, it.section_path, weights) for it in items)])
        probs = softmax(z)
        hyper = p.config.get("hyper", {})
        if hyper.get("neighbour_weight"):
            probs = lean_on_neighbours(probs, section_runs(items), hyper["neighbour_weight"], hyper["unsure_below"])
        return probs

    def tag_document(self, items: Sequence[ThemeItem], *, limit: int = 3) -> list[RankedThemes]:
        """Best themes (with probabilities) for each passage of one document, in order."""
        probs = self.probabilities(items)
        out = []
        for row in probs:
            best = np.argsort(-row)[:limit]
            out.append([(THEMES[i], round(float(row[i]), 4)) for i in best])
        return out


def lean_on_neighbours(probs: np.ndarray, runs: np.ndarray, weight: float, unsure_below: float) -> np.ndarray:
    """A passage the model is unsure of (best theme below ``unsure_below``) leans on the passages just
    before and after it in its section: a sentence that names no theme of its own ("Ces éléments ont
    été précisés dans le rapport.") continues its neighbours' topic. Its log-probabilities get ``weight``
    × the log of the neighbours' mean probabilities; a confident passage keeps its own.
    Held out (theme top-1, ANCOLS documents / CRC): 0.833 / 0.908 → 0.841 / 0.910 (MODEL_CARD.md)."""
    out = probs.copy()
    for i in np.flatnonzero(probs.max(axis=1) < unsure_below):
        neighbours = [j for j in (i - 1, i + 1) if runs[i, 0] <= j < runs[i, 1]]
        if neighbours:
            out[i] = softmax(np.log(probs[i] + 1e-9) + weight * np.log(probs[neighbours].mean(axis=0) + 1e-9))
    return out


def load_model(folder: Path = ARTEFACTS, embed: Embed | None = None) -> LinearThemeModel | None:
    """The shipped theme model, or None (with a warning: the lexicon tagger takes over)."""
    return load_or_fallback(lambda: LinearThemeModel(ThemeModelParams.load(folder), embed), f"theme model in {folder}",
                            "the lexicon tagger")
