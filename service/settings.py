"""All configuration, read once from ``ANCOLS_*`` environment variables (nothing else reads the environment)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ANCOLS_", env_file=None, extra="ignore")

    data_dir: Path = Field(Path("data"), description="Where the embedded store keeps its files.")
    embedding_model: str = Field("use-multilingual-v3", description="Shipped offline model, or any sentence-transformers name/path.")
    query_prefix: str = Field("", description='Prefix for queries, e.g. "query: " for e5 models.')
    passage_prefix: str = Field("", description='Prefix for passages, e.g. "passage: " for e5 models.')
    embedding_batch_size: int = Field(64, ge=1, le=4096)
    spacy_model: str = "fr_core_news_sm"

    search_mode: Literal["lexical", "semantic", "hybrid"] = "hybrid"
    fusion: Literal["weighted", "rrf"] = "weighted"
    lexical_weight: float = Field(0.7, ge=0.0, le=1.0)
    candidates: int = Field(200, ge=10, le=10_000)
    max_results: int = Field(100, ge=1, le=1000)

    max_upload_mb: float = Field(50.0, gt=0)
    max_pdf_pages: int = Field(2000, ge=1)
    max_query_chars: int = Field(2000, ge=10)
    api_key: SecretStr | None = Field(None, description="When set, write endpoints require the X-API-Key header.")
    cors_origins: list[str] = Field(default_factory=list)

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
