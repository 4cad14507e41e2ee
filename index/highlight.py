"""Spans of a passage's words that match a query's terms, for the client to highlight."""

from __future__ import annotations

from index.analyzer import TOKEN, analyze, analyze_query


def highlights(text: str, offset: int, query: str) -> list[tuple[int, int]]:
    """Document offsets of words of ``text`` (which starts at ``offset``) whose index term the query asks for."""
    terms, extra = analyze_query(query)
    wanted = set(terms) | set(extra)
    spans = []
    for match in TOKEN.finditer(text):
        if wanted.intersection(analyze(match.group())):
            spans.append((offset + match.start(), offset + match.end()))
    return spans
