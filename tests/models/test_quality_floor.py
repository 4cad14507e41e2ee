"""The quality floor: held-out kinds and themes, and dev search, must not fall below what was measured.

Held out means scored by models that never saw the document: leave-one-document-out over every
labelled document (the ANCOLS dev reports and the chamber's report) and, for transfer to another
control body, trained on the ANCOLS reports only and scored on the CRC report. Search is the dev
queries over a fresh store of the corpus, scored with the official scorer's functions
(``bench/search_eval.py``). Floors are the figures of the model cards less a small margin, so noise
passes and a regression does not. The shared evaluation material is required: its absence fails.

Sentence embeddings are memoised in a file of the temporary folder (keyed by text), so a rerun
costs the training and the ingestion, not the encoder.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
EVAL = SHARED / "eval"
CACHE = Path(tempfile.gettempdir()) / "ancols-quality-floor-embeddings.npz"

# Measured (models/kinds/MODEL_CARD.md, models/themes/MODEL_CARD.md, README "Quality") minus ~0.02.
FLOORS = {
    "lodo_ancols_macro_f1": 0.93,  # measured 0.956
    "lodo_ancols_recommendation_f1": 0.88,  # 0.900
    "lodo_ancols_rebuttal_f1": 0.97,  # 0.997
    "lodo_ancols_theme": 0.82,  # 0.841
    "lodo_all_macro_f1": 0.94,  # 0.962
    "lodo_all_theme": 0.84,  # 0.861
    "crc_macro_f1": 0.86,  # 0.887
    "crc_theme": 0.89,  # 0.910
    "search_ndcg10": 0.75,  # 0.767 (bench/search_eval.py, hybrid)
}


@pytest.fixture(scope="module")
def shared() -> Path:
    for path in (SHARED / "corpus", EVAL / "dev", EVAL / "crc", EVAL / "score.py"):
        if not path.exists():
            pytest.fail(f"{path} is missing: the quality floor needs the shared evaluation material")
    return SHARED


@pytest.fixture(scope="module")
def held_out(shared):
    from ancols_nlp.models import goldset
    from ancols_nlp.models.kinds.evaluate import held_out
    from ancols_nlp.models.kinds.train import CachedEmbed

    sources = (goldset.Source(shared / "corpus", EVAL / "dev"), goldset.Source(EVAL / "crc", EVAL / "crc"))
    docs = goldset.load_sources(sources)
    return held_out(docs, CachedEmbed(path=CACHE), scorer=EVAL / "score.py", reference="dev")


def measured(held_out) -> dict[str, float]:
    lodo, cross = held_out["lodo"], held_out["cross"]
    ancols = lodo["sources"]["dev"]
    crc = cross["sources"]["crc"]
    return {
        "lodo_ancols_macro_f1": ancols["classification"]["macro_f1"],
        "lodo_ancols_recommendation_f1": ancols["classification"]["recommendation"]["f1"],
        "lodo_ancols_rebuttal_f1": ancols["classification"]["rebuttal"]["f1"],
        "lodo_ancols_theme": ancols["theme_top1_accuracy"],
        "lodo_all_macro_f1": lodo["classification"]["macro_f1"],
        "lodo_all_theme": lodo["theme_top1_accuracy"],
        "crc_macro_f1": crc["classification"]["macro_f1"],
        "crc_theme": crc["theme_top1_accuracy"],
    }


def test_held_out_kinds_and_themes_stay_above_their_floors(held_out):
    figures = measured(held_out)
    below = {name: (round(value, 3), FLOORS[name]) for name, value in figures.items() if value < FLOORS[name]}
    assert not below, f"held-out figures below their floors (measured, floor): {below}"


def test_every_labelled_document_was_held_out_once(held_out):
    documents = held_out["lodo"]["documents"]
    assert {d["source"] for d in documents.values()} == {"dev", "crc"}
    assert len(documents) == 4
    assert set(held_out["cross"]["documents"]) == {n for n, d in documents.items() if d["source"] == "crc"}


def test_dev_search_stays_above_its_floor(shared, tmp_path):
    from bench.search_eval import evaluate, ingest, load_score, summary
    from ancols_nlp.service.runtime import Runtime
    from ancols_nlp.service.settings import Settings

    score = load_score(EVAL / "score.py")
    gold = EVAL / "dev"
    runtime = Runtime.from_settings(Settings(data_dir=tmp_path / "store"))
    try:
        ids = ingest(runtime, shared / "corpus")
        units = {d: {r[0]: (int(r[1]), int(r[2])) for r in score.read_tsv(gold / f"{d}.units.tsv")} for d in ids}
        queries = {r[0]: r[1] for r in score.read_tsv(gold / "queries.tsv")}
        qrels: dict[str, dict] = {}
        for d in ids:
            for q, u, g in score.read_tsv(gold / f"{d}.qrels.tsv"):
                qrels.setdefault(q, {})[(d, u)] = int(g)
        per_query, _, _ = evaluate(runtime, score, queries, qrels, units, {v: k for k, v in ids.items()}, "hybrid",
                                   repeats=1)
    finally:
        runtime.close()
    assert set(per_query) == set(qrels)  # every judged query was run
    ndcg = summary(per_query)["ndcg"]
    assert ndcg >= FLOORS["search_ndcg10"], f"dev hybrid nDCG@10 {ndcg} below its floor {FLOORS['search_ndcg10']}"
