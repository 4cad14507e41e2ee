"""Logits to probabilities, shared by the kind and theme models."""

from __future__ import annotations

import numpy as np


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis (one passage's logits, or a row per passage), shifted by the max so
    large logits do not overflow."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
