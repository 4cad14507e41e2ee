"""The quality floor: held-out kinds and themes, and search, must not fall below what was measured.

Held out means scored by models that never saw the document: leave-one-document-out over every
labelled document (the ANCOLS dev reports and the chamber's report) and, for transfer to another
control body, trained on the ANCOLS reports only and scored on the CRC report; and the reports the
project labelled itself (002, 004), by models trained without them, and those reports' reply links.
Search is the dev queries and the project's own query sets (``bench/queries``, sets 3-14 written blind)
over a fresh store of the corpus,
scored with the official scorer's functions (``bench/search_eval.py``). Floors are the figures of the model
cards less a small margin, so noise passes and a regression does not. The shared evaluation material
is required: its absence fails.

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
PROJECT = Path(__file__).resolve().parents[2] / "bench" / "queries"

# Measured (models/kinds/MODEL_CARD.md, models/themes/MODEL_CARD.md, README "Quality") minus ~0.02.
FLOORS = {
    "lodo_ancols_macro_f1": 0.945,  # measured 0.966
    "lodo_ancols_recommendation_f1": 0.90,  # 0.927
    "lodo_ancols_rebuttal_f1": 0.97,  # 0.997
    "lodo_ancols_theme": 0.83,  # 0.847
    "lodo_all_macro_f1": 0.945,  # 0.968
    "lodo_all_theme": 0.845,  # 0.865
    "crc_macro_f1": 0.86,  # 0.887
    "crc_theme": 0.89,  # 0.912
    # Search at the service's default grain (sentences of the best passages, index/grain.py), hybrid,
    # bench/search_eval.py's figures less ~0.025: dev 0.813, set 1 0.775, set 2 0.794 (used to choose ranking
    # changes); sets 3-14, each written blind before any system ran on it (3-7 since used to choose the grain),
    # 0.731 / 0.675 / 0.695 / 0.681 / 0.736 / 0.592 / 0.664 / 0.714 / 0.711 / 0.711 / 0.728 / 0.727.
    "search_ndcg10": 0.79,
    "project_search_ndcg10": 0.75,
    "project2_search_ndcg10": 0.77,
    "project3_search_ndcg10": 0.705,
    "project4_search_ndcg10": 0.65,
    "project5_search_ndcg10": 0.67,
    "project6_search_ndcg10": 0.655,
    "project7_search_ndcg10": 0.71,
    "project8_search_ndcg10": 0.565,
    "project9_search_ndcg10": 0.64,
    "project10_search_ndcg10": 0.69,
    "project11_search_ndcg10": 0.685,
    "project12_search_ndcg10": 0.685,
    "project13_search_ndcg10": 0.70,
    "project14_search_ndcg10": 0.70,
}

# 002 and 004, labelled by the project (bench/gold) and scored by models trained without them
# (bench/blind_kinds.py). No longer blind (their errors were read), so a regression floor on known text, not
# an estimate: measured 0.919 / 0.800 (48 units: one unit moves F1 by ~0.02) / 0.951 / 0.858, less ~0.02-0.03.
PROJECT_LABELLED_FLOORS = {
    "macro_f1": 0.90,
    "recommendation_f1": 0.77,
    "rebuttal_f1": 0.92,
    "theme": 0.84,
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


def test_project_labelled_reports_stay_above_their_floors(shared):
    from bench.blind_kinds import GOLD, score_project_labelled
    from ancols_nlp.models import goldset
    from ancols_nlp.models.kinds.train import CachedEmbed

    root = Path(__file__).resolve().parents[2]
    train = (goldset.Source(shared / "corpus", EVAL / "dev"), goldset.Source(EVAL / "crc", EVAL / "crc"))
    labelled = goldset.Source(shared / "corpus", EVAL / "dev", root / GOLD.labels_dir)
    result = score_project_labelled(CachedEmbed(path=CACHE), train=train, labelled=labelled)
    assert set(result["documents"]) and all(name[:3] in {"002", "004"} for name in result["documents"])
    kinds = result["classification"]
    figures = {"macro_f1": kinds["macro_f1"], "recommendation_f1": kinds["recommendation"]["f1"],
               "rebuttal_f1": kinds["rebuttal"]["f1"], "theme": result["theme_top1_accuracy"]}
    below = {k: (round(v, 3), PROJECT_LABELLED_FLOORS[k]) for k, v in figures.items() if v < PROJECT_LABELLED_FLOORS[k]}
    assert not below, f"002/004 figures below their floors (measured, floor): {below}"


# Reply links of 002 and 004 (bench/gold/links.tsv, 41 answers written blind; read since): measured 0.805 (33/41) /
# 0.846 (33/39) / stance 0.718 (28/39), less one answer each. dd9db5b moved them unseen (bench/gold/links.errors.md).
PROJECT_LINKS_FLOORS = {"link_recall": 0.775, "link_precision": 0.815, "stance_accuracy": 0.69}


def test_project_labelled_reply_links_stay_above_their_floors(shared):
    from bench.links_eval import measure

    root = Path(__file__).resolve().parents[2]
    figures, _, _ = measure(shared / "corpus", EVAL / "dev", root / "bench" / "gold" / "links.tsv")
    assert figures["gold_rebuttals"] == 41
    below = {k: (figures[k], floor) for k, floor in PROJECT_LINKS_FLOORS.items() if figures[k] < floor}
    assert not below, f"002/004 reply links below their floors (measured, floor): {below}"


@pytest.fixture(scope="module")
def search_store(shared, tmp_path_factory):
    """A fresh store of the corpus, ingested once for both query sets, and its document ids by file stem."""
    from bench.search_eval import ingest
    from ancols_nlp.service.runtime import Runtime
    from ancols_nlp.service.settings import Settings

    runtime = Runtime.from_settings(Settings(data_dir=tmp_path_factory.mktemp("search") / "store"))
    try:
        yield runtime, ingest(runtime, shared / "corpus")
    finally:
        runtime.close()


def hybrid_ndcg(search_store, queries: Path | None, qrels: Path | None) -> float:
    """Hybrid nDCG@10 of a query set (default: dev's) at the service's grain, as ``bench/search_eval.py`` scores it."""
    from types import SimpleNamespace

    from bench.search_eval import evaluate, load_gold, load_score, summary

    runtime, ids = search_store
    score = load_score(EVAL / "score.py")
    queries, units, judged = load_gold(score, SimpleNamespace(gold=EVAL / "dev", queries=queries, qrels=qrels), ids)
    per_query, _, _ = evaluate(runtime, score, queries, judged, units, {v: k for k, v in ids.items()}, "hybrid",
                               repeats=1, grain=runtime.settings.search_grain)
    assert set(per_query) == set(judged)  # every judged query was run
    return summary(per_query)["ndcg"]


def test_dev_search_stays_above_its_floor(search_store):
    ndcg = hybrid_ndcg(search_store, None, None)
    assert ndcg >= FLOORS["search_ndcg10"], f"dev hybrid nDCG@10 {ndcg} below its floor {FLOORS['search_ndcg10']}"


@pytest.mark.parametrize("name", ["project", "project2", "project3", "project4", "project5", "project6", "project7",
                                  "project8", "project9", "project10", "project11", "project12",
                                  "project13", "project14"])
def test_project_search_stays_above_its_floor(search_store, name):
    """The project's own query sets (``bench/queries``: each written before any system ran on it, judged from
    pooled results), measurements that no dev query or label shaped."""
    ndcg = hybrid_ndcg(search_store, PROJECT / f"{name}.tsv", PROJECT / name)
    floor = FLOORS[f"{name}_search_ndcg10"]
    assert ndcg >= floor, f"{name} hybrid nDCG@10 {ndcg} below its floor {floor}"
