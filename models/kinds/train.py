"""Train the kind model on every labelled source (ANCOLS dev reports, the CRC report) and save its artefact.

    python -m ancols_nlp.models.kinds.train [--cache /tmp/ancols-emb.npz] [--out models/kinds/artefacts] \
        [--source CORPUS GOLD [LABELS]]...

Gold unit labels are mapped onto the pipeline's own sentences (majority overlap, see
``ancols_nlp.models.goldset``), so the model learns on exactly what it sees at ingestion. Training is
deterministic (lbfgs logistic regressions, no sampling): the same gold and code give the same
artefact. Calibration is fitted on leave-one-document-out logits, never on the logits of a
model that saw the sentence.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.optimize import minimize
from sklearn.linear_model import LogisticRegression

from ancols_nlp.models import goldset, sentence_memo
from ancols_nlp.models.kinds import cues
from ancols_nlp.models.kinds.features import FEATURE_NAMES, featurize
from ancols_nlp.models.kinds.model import (ARTEFACTS, KINDS, PLACES, STATEMENT_KINDS, Embed, KindModelParams, design,
                                           fixed_places)

log = logging.getLogger(__name__)

# Chosen by leave-one-document-out macro-F1 on the dev documents (see MODEL_CARD.md).
HYPER = {"C_other": 1.0, "C_kind": 1.0, "embedding_weight_other": 3.0, "embedding_weight_kind": 3.0}
SEED = 0


class CachedEmbed:
    """Wraps an embedder with a text → vector memo, optionally persisted (npz) between runs."""

    def __init__(self, embed: Embed | None = None, path: Path | None = None) -> None:
        self._embed = embed or sentence_memo.embed
        self.path = path
        self.memo: dict[str, np.ndarray] = {}
        if path is not None and path.exists():
            with np.load(path) as data:
                self.memo = dict(zip(data["keys"].tolist(), data["vectors"]))

    @staticmethod
    def key(text: str) -> str:
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def __call__(self, texts: list[str]) -> np.ndarray:
        missing = sorted({t for t in texts if self.key(t) not in self.memo})
        if missing:
            for text, vector in zip(missing, self._embed(missing)):
                self.memo[self.key(text)] = vector
            if self.path is not None:
                keys = sorted(self.memo)
                np.savez(self.path, keys=np.array(keys), vectors=np.stack([self.memo[k] for k in keys]))
        return np.stack([self.memo[self.key(t)] for t in texts]) if texts else np.empty((0, 512), np.float32)


@dataclass
class DocExamples:
    """One annotated document as training rows (all its sentences, in order)."""

    name: str
    features: np.ndarray  # (n, F)
    embeddings: np.ndarray  # (n, d); zero rows where the layout decides and gold says other (never used)
    kinds: np.ndarray  # gold kind per sentence, "" where no unit covers it
    places: list[str | None]
    reply: np.ndarray  # bool

    @property
    def modelled(self) -> np.ndarray:
        """Rows the two regressions see: annotated, and not decided by the layout."""
        return np.array([p is None for p in self.places]) & (self.kinds != "")

    @property
    def statements(self) -> np.ndarray:
        """Stage-2 rows: every report statement, even where the layout decides at inference (an
        annex holds a few recommendations: more examples of the rare kinds); a letter's
        statements are rebuttals by definition."""
        return np.isin(self.kinds, STATEMENT_KINDS) & ~self.reply


def examples(docs: Sequence[goldset.GoldDocument], embed: Embed) -> list[DocExamples]:
    out = []
    for doc in docs:
        read = [cues.as_read(c) for c in doc.contexts]  # as the model reads them: the cues without note calls
        places = fixed_places(read)
        todo = [i for i, (p, k) in enumerate(zip(places, doc.kinds)) if p is None or k in STATEMENT_KINDS]
        vectors = embed([doc.contexts[i].text for i in todo])
        embeddings = np.zeros((len(doc.contexts), vectors.shape[1]), dtype=np.float32)
        embeddings[todo] = vectors
        out.append(DocExamples(doc.name, featurize(read), embeddings,
                               np.array([k or "" for k in doc.kinds]), places,
                               np.array([c.doc_type == "reply" for c in doc.contexts])))
    return out


def priors(sets: Sequence[DocExamples]) -> dict[str, dict[str, float]]:
    """Kind frequencies (add-one smoothed) where the layout decides, and of a letter's statements."""
    counts = {place: Counter() for place in PLACES}
    reply = Counter()
    for s in sets:
        for place, kind, is_reply in zip(s.places, s.kinds, s.reply):
            if place is not None and kind:
                counts[place][kind] += 1
            elif place is None and is_reply and kind in STATEMENT_KINDS:
                reply[kind] += 1
    out = {place: _smooth(c, KINDS) for place, c in counts.items()}
    # A letter's statements are rebuttals by definition (ANNOTATION.md): that is the prior the
    # letters seen in training only sharpen, so a model trained without any letter still knows it.
    out["reply"] = _smooth(reply, STATEMENT_KINDS, pseudo={"observation": 0.5, "recommendation": 0.5, "rebuttal": 20.0})
    return out


def _smooth(counts: Counter, labels: Sequence[str], pseudo: dict[str, float] | None = None) -> dict[str, float]:
    pseudo = pseudo or dict.fromkeys(labels, 1.0)
    total = sum(counts[k] + pseudo[k] for k in labels)
    return {k: round((counts[k] + pseudo[k]) / total, 6) for k in labels}


def fit(sets: Sequence[DocExamples], hyper: dict = HYPER) -> KindModelParams:
    """Both regressions on ``sets`` (uncalibrated)."""
    w1, w2 = hyper["embedding_weight_other"], hyper["embedding_weight_kind"]
    x1 = np.vstack([design(s.features, s.embeddings, w1)[s.modelled] for s in sets])
    y1 = np.concatenate([s.kinds[s.modelled] == "other" for s in sets])
    stage1 = LogisticRegression(C=hyper["C_other"], class_weight="balanced", max_iter=5000,
                                random_state=SEED).fit(x1, y1)
    x2 = np.vstack([design(s.features, s.embeddings, w2)[s.statements] for s in sets])
    y2 = np.concatenate([s.kinds[s.statements] for s in sets])
    stage2 = LogisticRegression(C=hyper["C_kind"], class_weight="balanced", max_iter=5000,
                                random_state=SEED).fit(x2, y2)
    order = [list(stage2.classes_).index(k) for k in STATEMENT_KINDS]
    return KindModelParams(
        coef_other=stage1.coef_[0], intercept_other=float(stage1.intercept_[0]),
        coef_kind=stage2.coef_[order], intercept_kind=stage2.intercept_[order],
        priors=priors(sets),
        config={"features": list(FEATURE_NAMES), "embedding_weight_other": w1, "embedding_weight_kind": w2,
                "hyper": dict(hyper), "trained_on": [s.name for s in sets],
                "rows": {"stage_other": int(len(y1)), "stage_kind": dict(Counter(y2.tolist()))}},
    )


def out_of_fold(sets: Sequence[DocExamples], hyper: dict = HYPER) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each document, the logits of its modelled rows by a model trained on the other documents."""
    out = []
    for held in sets:
        params = fit([s for s in sets if s is not held], hyper)
        out.append(params.logits(held.features[held.modelled], held.embeddings[held.modelled]))
    return out


def calibration(sets: Sequence[DocExamples], logits: Sequence[tuple[np.ndarray, np.ndarray]]):
    """Platt scaling for stage 1, temperature + bias for stage 2, fitted on out-of-fold logits."""
    z1 = np.concatenate([z for z, _ in logits])
    y1 = np.concatenate([s.kinds[s.modelled] == "other" for s in sets])
    platt = LogisticRegression(C=1e4, max_iter=1000).fit(z1[:, None], y1)
    a, b = float(platt.coef_[0, 0]), float(platt.intercept_[0])
    rows = [s.statements[s.modelled] for s in sets]  # calibrate on the rows the model is asked about
    z2 = np.vstack([z[r] for (_, z), r in zip(logits, rows)])
    y2 = np.concatenate([[STATEMENT_KINDS.index(k) for k in s.kinds[s.statements & s.modelled]]
                         for s in sets]).astype(int)

    def nll(theta: np.ndarray) -> float:
        logits2 = z2 / np.exp(theta[0]) + np.array([0.0, theta[1], theta[2]])
        logits2 = logits2 - logits2.max(axis=1, keepdims=True)
        log_p = logits2 - np.log(np.exp(logits2).sum(axis=1, keepdims=True))
        return float(-log_p[np.arange(len(y2)), y2].mean())

    theta = minimize(nll, np.zeros(3), method="L-BFGS-B").x
    return (a, b), float(np.exp(theta[0])), np.array([0.0, theta[1], theta[2]])


def train(sets: Sequence[DocExamples], hyper: dict = HYPER) -> KindModelParams:
    """The model on every document, calibrated on leave-one-document-out logits."""
    params = fit(sets, hyper)
    params.platt, params.temperature, params.bias = calibration(sets, out_of_fold(sets, hyper))
    return params


def leave_one_out(sets: Sequence[DocExamples], hyper: dict = HYPER) -> dict[str, KindModelParams]:
    """For each document, a model that never saw it (for honest evaluation).

    Its calibration reuses the out-of-fold logits of the other documents (four scalars; those
    logits come from models that did see the held-out document, a leak we accept)."""
    logits = out_of_fold(sets, hyper)
    out = {}
    for k, held in enumerate(sets):
        others = [s for s in sets if s is not held]
        params = fit(others, hyper)
        params.platt, params.temperature, params.bias = calibration(others, [z for j, z in enumerate(logits) if j != k])
        out[held.name] = params
    return out


def embedder_fingerprint() -> str:
    from ancols_nlp.models.embedding import load_embedder

    return load_embedder().fingerprint


def main(argv: list[str] | None = None) -> None:
    a = goldset.training_arguments(__doc__, argv, ARTEFACTS)
    docs = goldset.load_sources(goldset.sources(a))
    sets = examples(docs, CachedEmbed(path=a.cache))
    params = train(sets)
    params.config["embedder"] = embedder_fingerprint()
    params.save(a.out)
    log.info("trained on %s: %s", [s.name for s in sets], params.config["rows"])
    log.info("calibration: platt=%s temperature=%.3f bias=%s", params.platt, params.temperature,
             np.round(params.bias, 3))
    log.info("saved to %s", a.out)


if __name__ == "__main__":
    main()
