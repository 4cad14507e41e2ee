"""Train the theme model on every labelled source (ANCOLS dev reports, the CRC report) and save its artefact.

    python -m ancols_nlp.models.themes.train [--cache /tmp/ancols-emb.npz] [--out models/themes/artefacts] \
        [--source CORPUS GOLD [LABELS]]...

Training passages are the segments the pipeline would build from the *gold* kinds (same-kind
sentences of one block), each labelled with the theme of the gold units covering most of it.
Deterministic: lbfgs logistic regression, no sampling.
"""

from __future__ import annotations

import logging
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from sklearn.linear_model import LogisticRegression

from ancols_nlp.models import goldset
from ancols_nlp.models.kinds.train import CachedEmbed, embedder_fingerprint
from ancols_nlp.models.themes.features import Embed, featurize
from ancols_nlp.models.themes.model import ARTEFACTS, LinearThemeModel, ThemeModelParams
from ancols_nlp.models.themes.specificity import heading_weights
from ancols_nlp.pipelines.segments import group
from ancols_nlp.pipelines.sentences import Sentence
from ancols_nlp.pipelines.types import THEMES, Block, KindPrediction, ThemeItem

log = logging.getLogger(__name__)

# Chosen by leave-one-document-out theme accuracy on the dev documents (see MODEL_CARD.md).
HYPER = {"C": 1.0, "heading_prior": 3.0, "lexicon_prior": 1.0, "outline_free_weight": 1.0,
         "neighbour_weight": 1.0, "unsure_below": 0.55, "heading_specificity_shrink": 10.0}
SEED = 0


@dataclass
class DocPassages:
    name: str
    items: list[ThemeItem]  # every gold segment (other ones too: they are tagged at ingestion), in order
    themes: list[str]  # gold theme per item, "" when its units carry none


def gold_passages(doc: goldset.GoldDocument) -> DocPassages:
    """The document cut into segments as the pipeline would with the gold kinds."""
    blocks: list[Block] = []
    index: dict[tuple[int, int], int] = {}
    sentences = []
    for ctx in doc.contexts:
        key = (ctx.block_start, ctx.block_end)
        if key not in index:
            index[key] = len(blocks)
            blocks.append(Block(ctx.block, ctx.block_start, ctx.block_end))  # type: ignore[arg-type]
        sentences.append(Sentence(ctx.start, ctx.end, index[key]))
    kinds = [KindPrediction(k or "other", {}) for k in doc.kinds]  # type: ignore[arg-type]
    path_at = {ctx.start: ctx.section_path for ctx in doc.contexts}
    starts = [ctx.start for ctx in doc.contexts]
    spans = sorted((start, end, uid) for uid, (start, end) in doc.units.items() if uid in doc.labels)
    items, themes = [], []
    for segment in group(doc.text, blocks, sentences, kinds):
        votes: Counter[str] = Counter()
        for start, end, uid in spans:
            if start >= segment.end:
                break
            overlap = min(end, segment.end) - max(start, segment.start)
            kind, theme = doc.labels[uid]
            if overlap > 0 and kind != "other" and theme != "none":
                votes[theme] += overlap
        lo, hi = bisect_left(starts, segment.start), bisect_left(starts, segment.end)
        items.append(ThemeItem(segment.text, tuple(path_at[segment.start]), tuple(c.text for c in doc.contexts[lo:hi])))
        themes.append(votes.most_common(1)[0][0] if votes else "")
    return DocPassages(doc.name, items, themes)


def without_outline(doc: DocPassages) -> DocPassages:
    """The same passages read as if the document had no outline, as a reply letter has none.

    A model trained on reports alone learns that the heading names the theme and leaves the
    passage's own words and its neighbours little weight; a letter then gets the weights of a
    passage under a generic heading, learnt from a few synthesis pages. Training on each document
    twice, with and without its headings, teaches the words to carry the theme on their own."""
    return DocPassages(f"{doc.name} (no outline)", [replace(item, section_path=()) for item in doc.items], doc.themes)


def fit(docs: Sequence[DocPassages], embed: Embed, hyper: dict = HYPER) -> ThemeModelParams:
    xs, ys, weights = [], [], []
    shrink = hyper.get("heading_specificity_shrink")
    entry_weights = heading_weights(((item, theme) for doc in docs for item, theme in zip(doc.items, doc.themes)),
                                    shrink) if shrink else {}
    copies = [(doc, 1.0) for doc in docs]
    if hyper.get("outline_free_weight"):
        copies += [(without_outline(doc), hyper["outline_free_weight"]) for doc in docs]
    for doc, weight in copies:
        keep = np.array([t != "" for t in doc.themes])
        xs.append(featurize(doc.items, embed, entry_weights)[keep])
        ys.extend(t for t in doc.themes if t)
        weights.extend([weight] * int(keep.sum()))
    clf = LogisticRegression(C=hyper["C"], max_iter=5000, random_state=SEED).fit(np.vstack(xs), ys,
                                                                                  sample_weight=np.array(weights))
    classes = list(clf.classes_)
    coef = np.zeros((len(THEMES), clf.coef_.shape[1]))
    intercept = np.full(len(THEMES), -10.0)  # a theme never seen in training is never predicted
    for row, theme in enumerate(THEMES):
        if theme in classes:
            coef[row], intercept[row] = clf.coef_[classes.index(theme)], clf.intercept_[classes.index(theme)]
    return ThemeModelParams(coef=coef, intercept=intercept, heading_prior=hyper["heading_prior"],
                            config={"themes": list(THEMES), "hyper": dict(hyper), "trained_on": [d.name for d in docs],
                                    "heading_weights": entry_weights,
                                    "rows": dict(Counter(t for d in docs for t in d.themes if t))})


def leave_one_out(docs: Sequence[goldset.GoldDocument], embed: Embed,
                  hyper: dict = HYPER) -> dict[str, LinearThemeModel]:
    """For each document, a theme model trained on the others."""
    passages = [gold_passages(d) for d in docs]
    return {held.name: LinearThemeModel(fit([p for p in passages if p is not held], embed, hyper), embed)
            for held in passages}


def main(argv: list[str] | None = None) -> None:
    a = goldset.training_arguments(__doc__, argv, ARTEFACTS)
    passages = [gold_passages(d) for d in goldset.load_sources(goldset.sources(a))]
    params = fit(passages, CachedEmbed(path=a.cache))
    params.config["embedder"] = embedder_fingerprint()
    params.save(a.out)
    log.info("trained on %s: %s", params.config["trained_on"], params.config["rows"])
    log.info("saved to %s", a.out)


if __name__ == "__main__":
    main()
