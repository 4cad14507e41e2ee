"""Loading a shipped model artefact, with the fallback said out loud when it cannot be used."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger("ancols.models")


def load_or_fallback(load: Callable[[], T], what: str, fallback: str) -> T | None:
    """``load()``, or None with a warning naming ``fallback`` when the artefact is missing or stale."""
    try:
        return load()
    except FileNotFoundError:
        log.warning("%s artefact missing: falling back to %s", what, fallback)
    except (ValueError, KeyError) as exc:
        log.warning("%s artefact unusable (%s): falling back to %s", what, exc, fallback)
    return None
