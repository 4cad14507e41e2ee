"""Request checks shared by the routers (and the chat) that take free text."""

from __future__ import annotations

from ancols_nlp.service.errors import BadQuery


def clean_query(q: str, max_chars: int) -> str:
    """The query with control characters removed; refused when empty or too long."""
    text = "".join(c if c.isprintable() else " " for c in q).strip()
    if not text:
        raise BadQuery("The query is empty.")
    if len(text) > max_chars:
        raise BadQuery(f"The query is longer than {max_chars} characters.", {"max_chars": max_chars})
    return text
