"""Spans of a passage's words that match a query's terms, for the client to highlight."""

from __future__ import annotations

from functools import lru_cache

from ancols_nlp.index.analyzer import TOKEN, analyze
from ancols_nlp.index.expansion import Expansion


class Highlighter:
    """Built once per query from the expansion its search used (``SearchOutcome.expansion``: the query's
    terms, the thesaurus' and the stored documents' acronyms), applied to every result."""

    def __init__(self, expansion: Expansion):
        self.wanted = frozenset(expansion.terms) | frozenset(expansion.extra)

    def __call__(self, text: str, offset: int) -> list[tuple[int, int]]:
        """Document offsets of words of ``text`` (which starts at ``offset``) whose index term the query asks for."""
        return [(offset + m.start(), offset + m.end()) for m in TOKEN.finditer(text)
                if not self.wanted.isdisjoint(token_terms(m.group()))]


@lru_cache(maxsize=100_000)
def token_terms(token: str) -> tuple[str, ...]:
    """Index terms of one surface token: the same word recurs across passages and queries."""
    return tuple(analyze(token))
