"""Sentence embeddings for the classifiers, memoised so two models of one document share the work.

The kind model embeds a document's sentences and the theme model its segments; a segment of
one sentence has the same text, so it is embedded once. The memo is small and bounded (LRU),
and both models always use the shipped USE encoder they were trained with, whatever embedder
the search index is configured with.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

MAX_ENTRIES = 8192  # ~16 MB of 512-d float32 vectors
_memo: OrderedDict[str, np.ndarray] = OrderedDict()
_lock = threading.Lock()


def embed(texts: list[str]) -> np.ndarray:
    """L2-normalised float32 rows, one per text, from the shipped USE encoder (one batch for the misses)."""
    from ancols_nlp.models.embedding import load_embedder

    with _lock:
        found = {t: _memo[t] for t in texts if t in _memo}
        for text in found:
            _memo.move_to_end(text)
    missing = [t for t in dict.fromkeys(texts) if t not in found]
    if missing:
        found.update(zip(missing, load_embedder().encode_passages(missing)))
        with _lock:
            for text in missing:
                _memo[text] = found[text]
            while len(_memo) > MAX_ENTRIES:
                _memo.popitem(last=False)
    return np.stack([found[t] for t in texts]) if texts else np.empty((0, 512), dtype=np.float32)
