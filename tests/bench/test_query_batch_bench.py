"""bench/query_batch.py's requests: what GET /search computes on a cache miss, at the service's grain."""

import json
from dataclasses import replace

from bench.query_batch import answer

from ancols_nlp.index.query import Filters
from ancols_nlp.service.routers import search as route
from ancols_nlp.service.runtime import Runtime
from ancols_nlp.service.settings import Settings


def test_a_drawn_query_is_answered_as_get_search_answers_it(tmp_path, corpus_texts):
    runtime = Runtime.from_settings(Settings(data_dir=tmp_path))
    try:
        name, text = next(iter(corpus_texts.items()))
        runtime.ingest(text.encode(), f"{name}.txt")
        body = answer(runtime, {"q": "vacance commerciale", "k": 10})
        params = replace(runtime.store.params, mode="hybrid")
        assert body == route.answer(runtime, "vacance commerciale", 10, Filters(), params,
                                    runtime.settings.search_grain)
        results = json.loads(body)["results"]
        assert results and all(r["passage_start"] <= r["start"] < r["end"] <= r["passage_end"] for r in results)
        assert answer(runtime, {"q": "le la les", "k": 10}) is None  # stopwords only: a 422 over HTTP
    finally:
        runtime.close()
