"""Query vectors of concurrent searches encoded together (models/query_batch.py), with the shipped USE embedder on
sentences of the corpus."""

import threading
import time

import numpy as np
import pytest

from ancols_nlp.models.embedding import load_embedder
from ancols_nlp.models.query_batch import QueryBatcher

pytestmark = pytest.mark.usefixtures("offline")


@pytest.fixture(scope="module")
def embedder():
    return load_embedder()


@pytest.fixture(scope="module")
def queries(corpus_texts) -> list[str]:
    """Thirteen distinct lines of a report, as long as queries are."""
    lines = dict.fromkeys(line.strip() for text in corpus_texts.values() for line in text.splitlines())
    return [line for line in lines if 15 <= len(line) <= 80][:13]


class Gated:
    """The encoder, holding its first call until the test opens the gate, so the others queue behind it."""

    def __init__(self, encode, fail_batches: bool = False):
        self.encode, self.fail_batches = encode, fail_batches
        self.calls: list[list[str]] = []
        self.gate = threading.Event()

    def __call__(self, texts: list[str]) -> np.ndarray:
        self.calls.append(list(texts))
        if len(self.calls) == 1:
            assert self.gate.wait(60)
        elif self.fail_batches:
            raise RuntimeError("encoder down")
        return self.encode(texts)


def concurrently(batcher: QueryBatcher, encoder: Gated, texts: list[str]) -> list:
    """``batcher.vector`` of each text on its own thread, the first alone in the encoder while the others queue:
    what each thread got (its vector or its exception)."""
    got: list = [None] * len(texts)

    def ask(i: int) -> None:
        try:
            got[i] = batcher.vector(texts[i])
        except Exception as exc:  # what the caller would see
            got[i] = exc

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(texts))]
    threads[0].start()
    deadline = time.monotonic() + 60
    while not encoder.calls and time.monotonic() < deadline:
        time.sleep(0.001)
    for thread in threads[1:]:
        thread.start()
    while len(batcher._requests) < len(texts) and time.monotonic() < deadline:
        time.sleep(0.001)
    encoder.gate.set()
    for thread in threads:
        thread.join(60)
    return got


def test_concurrent_queries_share_calls_and_each_gets_its_own_vector(embedder, queries):
    encoder = Gated(embedder.encode_queries)
    got = concurrently(QueryBatcher(encoder, most=8), encoder, queries)
    # The first query alone, at once; the twelve that came while it ran in calls of at most 8, in arrival order.
    assert [len(c) for c in encoder.calls] == [1, 8, 4]
    assert sorted(t for c in encoder.calls for t in c) == sorted(queries)
    alone = np.stack([embedder.encode_queries([q])[0] for q in queries])
    vectors = np.stack(got)
    assert np.abs(vectors - alone).max() <= 1e-6
    assert (vectors @ alone.T).argmax(axis=1).tolist() == list(range(len(queries)))  # its own text's, no other's
    assert not got[1].flags.writeable


def test_a_lone_query_is_encoded_alone_to_the_bit(embedder, queries):
    calls = []
    batcher = QueryBatcher(lambda texts: calls.append(texts) or embedder.encode_queries(texts))
    for text in queries[:3]:
        assert np.array_equal(batcher.vector(text), embedder.encode_queries([text])[0])
    assert calls == [[t] for t in queries[:3]]


def test_expected_queries_are_encoded_with_the_first_asked(embedder, queries):
    """Searches waiting for their turn have said which vectors they will need: the first to ask encodes them all."""
    calls = []
    batcher = QueryBatcher(lambda texts: calls.append(texts) or embedder.encode_queries(texts), most=3)
    for text in queries[:4]:
        batcher.expect(text)
    got = [batcher.vector(text) for text in (queries[1], queries[0], queries[2], queries[3])]
    assert calls == [[queries[1], queries[0], queries[2]], [queries[3]]]  # the asker first, then in expected order
    alone = [embedder.encode_queries([q])[0] for q in (queries[1], queries[0], queries[2], queries[3])]
    assert max(np.abs(g - a).max() for g, a in zip(got, alone)) <= 1e-6


def test_an_encoder_error_reaches_every_caller_of_its_call(embedder, queries):
    encoder = Gated(embedder.encode_queries, fail_batches=True)
    batcher = QueryBatcher(encoder, most=16)
    got = concurrently(batcher, encoder, queries[:6])
    assert isinstance(got[0], np.ndarray)  # its own call succeeded
    assert [len(c) for c in encoder.calls] == [1, 5]
    assert all(isinstance(g, RuntimeError) and str(g) == "encoder down" for g in got[1:])
    encoder.fail_batches = False
    assert np.array_equal(batcher.vector(queries[1]), embedder.encode_queries([queries[1]])[0])  # not stuck


def test_one_call_for_many_queries_matches_one_at_a_time(embedder, queries):
    """The batcher is on by default (query_batch 16) and off at 1; both give a lone query the same bits."""
    alone = load_embedder(query_batch=1)
    assert np.array_equal(embedder.encode_query(queries[0]), alone.encode_query(queries[0]))
    assert np.abs(embedder.encode_queries(queries) - np.stack([alone.encode_query(q) for q in queries])).max() <= 1e-6
