"""The vector index's filtered search on real report paragraphs: a filter lets through exactly the
allowed segment ids, whatever their spread (ids 0, 7, 8 and far apart land in distinct bits and
bytes of the selector's bitmap), exact below the IVF threshold and the same lists as unfiltered IVF
restricted to the allowed ids above it."""

from __future__ import annotations

import numpy as np
import pytest

from ancols_nlp.index.vectors import Allowed, VectorIndex
from tests.index.conftest import HashEmbedder

QUERIES = ("vacance commerciale élevée", "conseil d'administration", "impayés de loyers", "coûts de gestion")


@pytest.fixture(scope="module")
def paragraphs(corpus_texts):
    texts = [p.strip() for t in corpus_texts.values() for p in t.split("\n\n") if len(p.strip()) > 40]
    return texts[:400]


@pytest.fixture(scope="module")
def indexed(paragraphs):
    """Sparse ids (gaps, 0, byte boundaries, a large one) and the paragraphs' vectors."""
    ids = np.concatenate([[0, 7, 8, 9, 15, 16], 3 * np.arange(len(paragraphs) - 7) + 40, [1_000_003]])
    return ids.astype(np.int64), HashEmbedder().encode_passages(paragraphs)


def test_a_filtered_exact_search_ranks_the_allowed_ids_as_brute_force(indexed):
    ids, vectors = indexed
    index = VectorIndex.build(vectors.shape[1], ids, vectors)
    assert index.kind == "flat"
    allowed = ids[[0, 1, 2, 4, len(ids) - 1] + list(range(10, len(ids), 5))]
    for query in QUERIES:
        q = HashEmbedder().encode_query(query)
        found, scores = index.search(q, 20, Allowed.of(allowed))
        cosines = vectors[np.isin(ids, allowed)] @ q
        assert set(found) <= set(allowed.tolist())
        np.testing.assert_allclose(scores, np.sort(cosines)[::-1][:20], rtol=1e-5)
    found, _ = index.search(vectors[-1], 3, Allowed.of(np.array([1_000_003, 0, 8])))
    assert found[0] == 1_000_003 and set(found) == {1_000_003, 0, 8}


def test_a_filtered_ivf_search_is_the_unfiltered_one_restricted_to_the_allowed_ids(indexed):
    ids, vectors = indexed
    index = VectorIndex.build(vectors.shape[1], ids, vectors, exact_limit=0)
    assert index.kind.startswith("ivf")
    allowed = ids[::3]
    for query in QUERIES:
        q = HashEmbedder().encode_query(query)
        every, every_scores = index.search(q, len(ids))
        keep = np.isin(every, allowed)
        found, scores = index.search(q, len(ids), Allowed.of(allowed))
        # equal cosines (repeated paragraphs) may come in either order
        assert sorted(zip(found.tolist(), scores.tolist())) == sorted(zip(every[keep].tolist(),
                                                                          every_scores[keep].tolist()))
        assert len(found) and (np.diff(scores) <= 0).all()


def test_ivf_vectors_by_id_are_faiss_reconstructions_bit_for_bit(indexed, tmp_path):
    """The pool's vectors come from the id-ordered codes (``SQ8Codes``): the same float32 bits as FAISS's own
    reconstruction, built and after a save and load, for ids in any order and repeated; an id the index does not
    hold is refused."""
    ids, vectors = indexed
    built = VectorIndex.build(vectors.shape[1], ids, vectors, exact_limit=0)
    built.save(tmp_path / "v.faiss")
    loaded = VectorIndex.load(tmp_path / "v.faiss", built.kind)
    wanted = np.random.default_rng(0).permutation(np.concatenate([ids, ids[:50]]))
    for index in (built, loaded):
        got = index.get(wanted)
        assert got.dtype == np.float32 and got.shape == (len(wanted), vectors.shape[1])
        assert np.array_equal(got.view(np.uint32), index._index.reconstruct_batch(wanted).view(np.uint32))
        np.testing.assert_allclose(got, vectors[np.searchsorted(ids, wanted)], atol=0.05)  # SQ8's rounding
        with pytest.raises(KeyError):
            index.get(np.array([ids[3], 1]))
