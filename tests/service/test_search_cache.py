"""The result cache on its own: answers kept per store version, bounded in bytes, least recently used out."""

from ancols_nlp.index.query import Filters
from ancols_nlp.service.search_cache import SearchCache


def test_an_answer_is_kept_for_its_version_only():
    cache = SearchCache(max_bytes=1000)
    key = cache.key("vacance", "hybrid", "passage", 10, Filters(kind=("observation",)))
    assert cache.get(1, key) is None
    cache.put(1, key, b"answer")
    assert cache.get(1, key) == b"answer"
    assert cache.get(1, cache.key("vacance", "lexical", "passage", 10, Filters(kind=("observation",)))) is None
    assert cache.get(1, cache.key("vacance", "hybrid", "sentence", 10, Filters(kind=("observation",)))) is None
    assert cache.get(2, key) is None  # a write: the older answers are gone
    cache.put(1, key, b"late answer")  # from a search that started before the write: not kept
    assert cache.get(2, key) is None and cache.get(1, key) is None
    assert (cache.hits, cache.misses) == (1, 5)  # an older version's look-up is not a miss: it cannot be cached


def test_bounded_in_bytes_least_recently_used_out_first():
    cache = SearchCache(max_bytes=10)
    for name in "abc":
        cache.get(1, name)
        cache.put(1, name, name.encode() * 4)
    assert cache.get(1, "a") is None and cache.get(1, "b") == b"bbbb" and cache.get(1, "c") == b"cccc"
    cache.put(1, "d", b"dddd")  # "b" was used before "c": it goes first
    assert cache.get(1, "b") is None and cache.get(1, "d") == b"dddd" and cache.bytes == 8
    cache.put(1, "huge", b"x" * 11)
    assert cache.get(1, "huge") is None


def test_a_store_without_a_version_and_a_zero_size_cache_keep_nothing():
    for cache, version in ((SearchCache(max_bytes=1000), None), (SearchCache(max_bytes=0), 1)):
        cache.put(version, "q", b"answer")
        assert cache.get(version, "q") is None and cache.hits == cache.misses == 0
