"""The trained kind classifier: two small logistic regressions over [cue/context features, sentence embedding].

Stage 1 tells a statement from text with nothing to classify (``other``); stage 2 tells, for a
statement of a report, an observation from a recommendation or a rebuttal. A reply letter is the
organism's voice from end to end (ANNOTATION.md), so there a statement is a rebuttal. Some
places are decided by the layout alone, with the kind frequencies seen there in training as
probabilities: headings, rules, footnotes and table rows (1 245 of 1 249 dev table rows are
``other``), and everything past the annexes heading (annexes reproduce the organism's own
documents, tables and lists; 97 % ``other`` in the dev gold). Besides, those are never embedded,
which keeps ingestion fast.

Both stages are Platt/temperature-calibrated on leave-one-document-out predictions, so
``KindPrediction.scores`` are probabilities (summing to 1); the kind is the decision of the
class-balanced regressions (see ``LinearKindModel.predict``).

The artefact is plain data (``artefacts/kind_model.npz`` + ``kind_model.json``): weights,
calibration, priors and the feature names they were trained with.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ancols_nlp.models import sentence_memo
from ancols_nlp.models.artefacts import load_or_fallback
from ancols_nlp.models.probabilities import softmax
from ancols_nlp.models.kinds import cues
from ancols_nlp.models.kinds.decisions import overrule, place_decision, role_decisions
from ancols_nlp.models.kinds.features import FEATURE_NAMES, annex_flags, featurize, listed_finding
from ancols_nlp.pipelines.types import KINDS, KindPrediction, SentenceContext


ARTEFACTS = Path(__file__).parent / "artefacts"
NAME = "kind_model"
STATEMENT_KINDS = ("observation", "recommendation", "rebuttal")  # stage-2 column order
# Layout places decided without the model; each gets the kind frequencies seen there in training.
FIXED_BLOCKS = ("heading", "rule", "footnote", "table_row")
PLACES = FIXED_BLOCKS + ("annex",)
Embed = Callable[[list[str]], np.ndarray]


def fixed_place(ctx: SentenceContext, in_annex: bool) -> str | None:
    """The layout place that decides this sentence's kind on its own, if any."""
    if ctx.block in FIXED_BLOCKS:
        return ctx.block
    if in_annex:
        return "annex"
    return None


def fixed_places(contexts: Sequence[SentenceContext]) -> list[str | None]:
    return [fixed_place(ctx, flag) for ctx, flag in zip(contexts, annex_flags(contexts))]


@dataclass
class KindModelParams:
    """Everything the model learned; ``save``/``load`` keep it as npz (arrays) + json (the rest)."""

    coef_other: np.ndarray  # (n_inputs,) stage 1, positive = other
    intercept_other: float
    coef_kind: np.ndarray  # (3, n_inputs) stage 2, rows in STATEMENT_KINDS order
    intercept_kind: np.ndarray  # (3,)
    priors: dict[str, dict[str, float]]  # fixed place → kind probabilities; "reply" → statement kinds in a letter
    config: dict  # feature names, embedding weights, embedder fingerprint, training documents…
    platt: tuple[float, float] = (1.0, 0.0)  # stage-1 calibration: sigmoid(a * z + b)
    temperature: float = 1.0  # stage-2 calibration: softmax(z / T + bias)
    bias: np.ndarray | None = None  # (3,)

    def save(self, folder: Path = ARTEFACTS, name: str = NAME) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(folder / f"{name}.npz", coef_other=self.coef_other.astype(np.float32),
                            coef_kind=self.coef_kind.astype(np.float32),
                            intercept_kind=self.intercept_kind.astype(np.float64),
                            bias=np.zeros(3) if self.bias is None else self.bias.astype(np.float64))
        meta = {"intercept_other": float(self.intercept_other), "platt": [float(v) for v in self.platt],
                "temperature": float(self.temperature), "priors": self.priors, "config": self.config}
        (folder / f"{name}.json").write_text(json.dumps(meta, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                             encoding="utf-8")

    @classmethod
    def load(cls, folder: Path = ARTEFACTS, name: str = NAME) -> KindModelParams:
        with np.load(folder / f"{name}.npz") as arrays:
            coef_other, coef_kind = arrays["coef_other"].astype(np.float64), arrays["coef_kind"].astype(np.float64)
            intercept_kind, bias = arrays["intercept_kind"], arrays["bias"]
        meta = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        return cls(coef_other=coef_other, intercept_other=meta["intercept_other"], coef_kind=coef_kind,
                   intercept_kind=intercept_kind, priors=meta["priors"], config=meta["config"],
                   platt=tuple(meta["platt"]), temperature=meta["temperature"], bias=bias)

    def logits(self, features: np.ndarray, embeddings: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Uncalibrated scores: (n,) for ``other`` and (n, 3) for the statement kinds."""
        z1 = (design(features, embeddings, self.config["embedding_weight_other"]) @ self.coef_other
              + self.intercept_other)
        z2 = design(features, embeddings, self.config["embedding_weight_kind"]) @ self.coef_kind.T + self.intercept_kind
        return z1, z2

    def calibrated(self, z1: np.ndarray, z2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """P(other) and P(statement kind | statement) from the logits."""
        a, b = self.platt
        p_other = 1.0 / (1.0 + np.exp(-(a * z1 + b)))
        bias = np.zeros(3) if self.bias is None else self.bias
        return p_other, softmax(z2 / self.temperature + bias)


def design(features: np.ndarray, embeddings: np.ndarray, weight: float) -> np.ndarray:
    """Model input: hand-crafted features, then the (scaled) sentence embedding."""
    return np.hstack([features, weight * embeddings])


class LinearKindModel:
    """A ``KindClassifier``: one document per call (it reads document context)."""

    def __init__(self, params: KindModelParams, embed: Embed | None = None) -> None:
        if tuple(params.config["features"]) != FEATURE_NAMES:
            raise ValueError("the kind model artefact was trained with other features: retrain it"
                             " (python -m ancols_nlp.models.kinds.train)")
        self.params = params
        self.embed = embed or sentence_memo.embed

    def __call__(self, contexts: Sequence[SentenceContext]) -> list[KindPrediction]:
        kinds, probs = self.predict(contexts)
        return [KindPrediction(kind, {k: round(float(p), 6) for k, p in zip(KINDS, row)})
                for kind, row in zip(kinds, probs)]

    def predict(self, contexts: Sequence[SentenceContext]) -> tuple[list[str], np.ndarray]:
        """The kind of each sentence and (n, 4) calibrated probabilities, columns in ``KINDS`` order.

        The kind is the decision of the class-balanced regressions (statement or not, then which
        kind): a recommendation is rare but counts as much as an observation (the targets are
        per-kind F1), so it can be chosen at, say, P = 0.3 against 0.6 for observation. The
        probabilities are the calibrated ones. Only the sentences the layout does not decide are
        embedded, in one batch, as written; the cues read them without note calls (``cues.as_read``)."""
        p = self.params
        read = [cues.as_read(c) for c in contexts]
        probs = np.zeros((len(contexts), len(KINDS)))
        kinds: list[str] = ["other"] * len(contexts)
        places = fixed_places(read)
        for i, place in enumerate(places):
            if place is None:
                continue
            probs[i] = [p.priors[place][k] for k in KINDS]
            kinds[i] = max(KINDS, key=lambda k: p.priors[place][k])
            decided = place_decision(read[i], place)
            if decided is not None:
                kinds[i], probs[i] = decided, _with_floor(probs[i], KINDS.index(decided))
        todo = [i for i, place in enumerate(places) if place is None]
        if not todo:
            return kinds, probs
        features = featurize(read)[todo]  # document context needs every sentence
        z1, z2 = p.logits(features, self.embed([contexts[i].text for i in todo]))
        p_other, q = p.calibrated(z1, z2)
        choice = np.argmax(z2, axis=1)
        reply = np.array([contexts[i].doc_type == "reply" for i in todo])
        if reply.any():
            q[reply] = [p.priors["reply"][k] for k in STATEMENT_KINDS]
            choice[reply] = int(np.argmax([p.priors["reply"][k] for k in STATEMENT_KINDS]))
        listed = np.array([listed_finding(read[i]) for i in todo])
        p_other = np.where(listed, 0.0, p_other)
        probs[todo, :3] = (1.0 - p_other)[:, None] * q
        probs[todo, 3] = p_other
        for row, i in enumerate(todo):
            kinds[i] = "other" if z1[row] >= 0 and not listed[row] else STATEMENT_KINDS[choice[row]]
        decided = role_decisions(read)
        intro_of, statements = introductions(read), set(todo)
        for i in todo:  # in order: an introduction is final before its items
            j = intro_of.get(i)
            if j in statements and kinds[i] != "other" and kinds[j] in STATEMENT_KINDS:
                kinds[i] = kinds[j]
                probs[i, :3] = (1.0 - probs[i, 3]) * probs[j, :3] / max(probs[j, :3].sum(), 1e-9)
            kind = overrule(kinds[i], decided[i])
            if kind != kinds[i] and contexts[i].doc_type != "reply":
                kinds[i], probs[i] = kind, _with_floor(probs[i], KINDS.index(kind))
        return kinds, probs

    def probabilities(self, contexts: Sequence[SentenceContext]) -> np.ndarray:
        return self.predict(contexts)[1]


def _with_floor(row: np.ndarray, column: int, floor: float = 0.5) -> np.ndarray:
    """``row`` with at least ``floor`` on ``column``, the rest scaled down to keep a distribution."""
    if row[column] >= floor:
        return row
    rest = row.sum() - row[column]
    out = row * ((1.0 - floor) / rest if rest > 0 else 0.0)
    out[column] = floor
    return out


def introductions(contexts: Sequence[SentenceContext]) -> dict[int, int]:
    """List items announced by a sentence ending with ':' ("Elle pourrait être améliorée par : - …"), mapped to
    that sentence: they share its kind (the annotators followed this without exception on the dev reports, 45 of
    45 items), the kind it ends with after the role decisions ("l'Agence sollicite un réexamen : - …")."""
    out, intro = {}, None
    for i, ctx in enumerate(contexts):
        if ctx.block == "list_item":
            if intro is not None:
                out[i] = intro
        else:
            intro = i if ctx.text.rstrip().endswith(":") else None
    return out


def load_model(folder: Path = ARTEFACTS, embed: Embed | None = None) -> LinearKindModel | None:
    """The shipped model, or None (with a warning) when its artefact is missing or stale."""
    return load_or_fallback(lambda: LinearKindModel(KindModelParams.load(folder), embed), f"kind model in {folder}",
                            "the rule classifier")
