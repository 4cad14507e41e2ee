"""What the index needs of a sentence embedder: a protocol of its own, so the passages' vectors
(``index.passages``) are typed without the store interfaces, which name the passages in turn."""

from __future__ import annotations

from typing import Protocol

import numpy as np


class Embedder(Protocol):
    fingerprint: str
    dimension: int

    def encode_passages(self, texts: list[str]) -> np.ndarray: ...

    def expect_query(self, text: str) -> None:
        """Told before a search waits for its turn; an embedder that encodes queries together may start on it."""

    def encode_query(self, text: str) -> np.ndarray: ...
