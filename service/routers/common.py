"""Request checks shared by the routers (and the chat) that take free text."""

from __future__ import annotations

from ancols_nlp.service.errors import BadQuery


def clean_query(q: str, max_chars: int, *, what: str = "query", setting: str = "ANCOLS_MAX_QUERY_CHARS") -> str:
    """The query (or the ``what`` a route takes) with control characters removed; refused when empty or longer than
    the ``setting`` allows."""
    text = "".join(c if c.isprintable() else " " for c in q).strip()
    if not text:
        raise BadQuery(f"The {what} is empty.")
    if len(text) > max_chars:
        raise BadQuery(f"The {what} is longer than {max_chars} characters, the limit {setting} sets.")
    return text
