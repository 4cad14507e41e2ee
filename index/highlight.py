"""Spans of a passage's words that match a query's terms, for the client to highlight."""

from __future__ import annotations

from functools import lru_cache

from ancols_nlp.index.analyzer import TOKEN, analyze
from ancols_nlp.index.expansion import expand


class Highlighter:
    """Built once per query (its analysis is the costly part), applied to every result."""

    def __init__(self, query: str):
        q = expand(query)
        self.wanted = frozenset(q.terms) | frozenset(q.extra)

    def __call__(self, text: str, offset: int) -> list[tuple[int, int]]:
        """Document offsets of words of ``text`` (which starts at ``offset``) whose index term the query asks for."""
        return [(offset + m.start(), offset + m.end()) for m in TOKEN.finditer(text)
                if not self.wanted.isdisjoint(_token_terms(m.group()))]


@lru_cache(maxsize=100_000)
def _token_terms(token: str) -> tuple[str, ...]:
    """Index terms of one surface token: the same word recurs across passages and queries."""
    return tuple(analyze(token))
