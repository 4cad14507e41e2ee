"""The checks a search's text and result count pass wherever it is asked (HTTP routes, chat, CLI): one limit from
the settings, one message. Light on purpose: the CLI checks its arguments before it loads a store and the models."""

from __future__ import annotations

import unicodedata

from ancols_nlp.service.errors import BadQuery


def composed(text: str) -> str:
    """``text`` with its accents composed (NFC), as a keyboard types them: pasted from a PDF or typed on a Mac, "é"
    may come as "e" + U+0301, and the query's readers (the typo rule, organism names, the chat's intents) read such
    a word cut at its accent."""
    return unicodedata.normalize("NFC", text)


def clean_query(q: str, max_chars: int, *, what: str = "query", setting: str = "ANCOLS_MAX_QUERY_CHARS",
                lines: bool = False) -> str:
    """The query (or the ``what`` a route takes) composed, with control characters removed (but line breaks when
    ``lines``: a chat question's lines start its sentences and list items, ``names``); refused when empty or longer
    than the ``setting`` allows."""
    text = "".join(c if c.isprintable() or (lines and c == "\n") else " " for c in composed(q)).strip()
    if not text:
        raise BadQuery(f"The {what} is empty.")
    if len(text) > max_chars:
        raise BadQuery(f"The {what} is longer than {max_chars} characters, the limit {setting} sets.",
                       {"max_chars": max_chars})
    return text


def past_limit(value: int, limit: int, setting: str = "ANCOLS_MAX_RESULTS") -> str | None:
    """Why ``value`` is refused past a limit set at run time, or None: ``k=500`` was cut to the limit without a
    word, and 100 results looked like all there were (worded as FastAPI refuses a value past a declared bound)."""
    return f"Input should be less than or equal to {limit}, the limit {setting} sets." if value > limit else None


def year_range(year_min: int | None, year_max: int | None) -> tuple[int | None, int | None]:
    """The years a search is filtered on; refused when they end before they start (bounds swapped by mistake),
    which no document can match."""
    if year_min is not None and year_max is not None and year_min > year_max:
        raise BadQuery(f"year_min ({year_min}) is after year_max ({year_max}), so no document can match; swap them "
                       f"or leave one out.")
    return year_min, year_max
