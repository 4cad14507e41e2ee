"""All configuration, read once from ``ANCOLS_*`` environment variables (nothing else reads the environment)."""

from __future__ import annotations

import importlib.util
import logging
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict, SettingsError

from ancols_nlp.index.query import Fusion, Grain, Mode, SearchParams

_RANKING = SearchParams()


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ANCOLS_", env_file=None, extra="ignore")

    data_dir: Path = Field(
        Path("data"), description="Where the embedded store keeps its files (and the job queue, whatever the store).")
    store: Literal["embedded", "postgres"] = Field(
        "embedded",
        description="embedded: SQLite + BM25 + FAISS under data_dir; postgres: a PostgreSQL server with pgvector.")
    pg_dsn: SecretStr | None = Field(None, description="libpq URL of the PostgreSQL primary (store=postgres), "
                                                       "e.g. postgresql://ancols@db:5432/ancols.")
    pg_replicas: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list, description="Comma-separated libpq URLs of streaming replicas that serve searches.")
    pg_replica_wait_s: float = Field(2.0, ge=0, description="How long a read waits for a replica to replay this "
                                                            "process's last write before using the primary.")
    pg_pool_size: int = Field(4, ge=1, le=100, description="Connections per PostgreSQL server.")
    pg_lexical: Literal["bm25", "french"] = Field(
        "bm25",
        description="Lexical search of the postgres store: bm25 over the project's own analysis (as the embedded "
                    "store), or french = PostgreSQL full-text search (french configuration + unaccent, query-time "
                    "domain synonyms, ts_rank_cd).")
    embedding_model: str = Field(
        "use-multilingual-v3",
        description="Search embedder: a shipped offline model (use-multilingual-v3, or multilingual-e5-small-q4 with "
                    "the e5 extra), or any sentence-transformers name/path. The kind and theme classifiers keep the "
                    "USE embedder they were trained with.")
    query_prefix: str | None = Field(None, description='Prefix for queries; unset = the model\'s own "query" prompt '
                                                       '("query: " for the shipped e5, empty for USE).')
    passage_prefix: str | None = Field(None, description='Prefix for passages; unset = the model\'s own "document" '
                                                         'prompt ("passage: " for the shipped e5, empty for USE).')
    embedding_batch_size: int = Field(64, ge=1, le=4096)
    embedding_threads: int | None = Field(
        None, ge=1, le=256,
        description="Compute threads of the embedder (default 1 for the shipped model: a second thread doubles its "
                    "speed on an idle machine but loses 4-7x when another process holds a core; see BENCHMARKS.md).")
    query_batch: int = Field(
        16, ge=1, le=256,
        description="Most query vectors of concurrent searches encoded in one call (a lone query at once; the searches "
                    "waiting for their turn together: models/query_batch.py); 1 encodes each query alone.")
    spacy_model: str = "fr_core_news_sm"

    # The ranking's defaults are the shipped ones, kept once in SearchParams.
    search_mode: Mode = _RANKING.mode
    search_grain: Grain = Field(
        "sentence", description="What a search result is by default (GET /search's grain): one sentence of the best "
                                "passages (index/grain.py; the result keeps its passage's span), or a whole passage.")
    fusion: Fusion = _RANKING.fusion
    lexical_weight: float = Field(_RANKING.lexical_weight, ge=0.0, le=1.0)
    candidates: int = Field(_RANKING.candidates, ge=10, le=10_000)
    max_results: int = Field(100, ge=1, le=1000)
    delta_merge_fraction: float = Field(0.1, gt=0, description="Merge the store's delta of new (and deleted) "
                                                               "segments into its saved base past this share of "
                                                               "the base.")
    workers: int = Field(
        1, ge=1, le=64,
        description="Processes `ancols serve` runs on one port, each listening on its own socket (SO_REUSEPORT, "
                    "service/workers.py). Python runs one thread at a time per process, so one process computes "
                    "searches on about one core. Each holds its own snapshot and models (~2 GB at 1M segments, hence "
                    "the default of 1), and they open the store one after another. One of them owns the data "
                    "directory's job worker and merges (service/ownership.py).")
    search_concurrency: int = Field(
        4, ge=1, le=256, description="Searches computing at once (the others wait): about the number of cores.")
    search_cache_mb: float = Field(
        64.0, ge=0, description="Finished /search answers kept per store version (a write empties it), least "
                                "recently used out first; 0 turns the cache off. A 10-result answer is 10-13 KB.")
    exact_vector_limit: int = Field(
        100_000, ge=0, description="Up to this many segments, dense search is exact (flat); beyond, IVF-SQ8.")

    max_upload_mb: float = Field(50.0, gt=0)
    max_pdf_pages: int = Field(2000, ge=1)
    max_pdf_seconds: float = Field(120.0, gt=0, description="Wall-clock limit for reading one PDF (or Word, "
                                   "OpenDocument, HTML) file.")
    max_pdf_memory_mb: int = Field(2048, ge=256, description="Address-space limit of the reader process (PDF, "
                                   "Word, OpenDocument, HTML).")
    ocr: bool = Field(True, description="Read scanned PDF pages (images, no text) with Tesseract when the "
                                        "`tesseract` program is installed; off, or without it, a scan is refused.")
    ocr_language: str = Field("fra", description='Tesseract language data for scanned pages: "fra", "fra+eng".')
    ocr_page_seconds: float = Field(60.0, gt=0, description="OCR time allowed per scanned page, added to "
                                                           "max_pdf_seconds (Tesseract is killed past it).")
    ocr_max_seconds: float = Field(1800.0, gt=0, description="Most OCR time added for one document.")
    max_query_chars: int = Field(2000, ge=10)
    max_classify_chars: int = Field(
        20_000, ge=10, description="Longest text POST /classify takes: a few pages, far more than a passage.")
    api_key: SecretStr | None = Field(None, description="When set, write endpoints require the X-API-Key header.")
    cors_origins: list[str] = Field(default_factory=list)
    max_body_kb: int = Field(1024, ge=1, description="Largest non-upload request body (JSON), in KiB.")
    max_job_files: int = Field(100, ge=1, le=10_000, description="Most files one POST /jobs may carry.")

    llm_base_url: str | None = Field(None, description="OpenAI-compatible endpoint (e.g. http://127.0.0.1:8080/v1) "
                                                       "that writes chat answers; unset = offline answers.")
    llm_model: str = Field("default", description="Model name sent to the LLM endpoint.")
    llm_api_key: SecretStr | None = Field(None, description="Bearer token for the LLM endpoint, if it needs one.")
    llm_timeout_s: float = Field(60.0, gt=0,
                                 description="Timeout of one LLM call (the whole answer, or between streamed chunks).")
    llm_max_tokens: int = Field(800, ge=16, le=32_000)
    llm_temperature: float = Field(0.1, ge=0.0, le=2.0)

    ray_workers: int = Field(1, ge=1, le=256, description="`ingest --ray`: document-processing actors, and as many "
                                                          "embedder actors; each pair reserves one logical CPU.")
    ray_num_cpus: int | None = Field(None, ge=1, description="`ingest --ray` without an address: logical CPUs of the "
                                                             "local Ray it starts (default: the machine's).")

    log_format: Literal["json", "text"] = Field("json",
                                                description="Service logs: one JSON object per line, or plain text.")
    log_level: str = "INFO"

    @field_validator("pg_replicas", mode="before")
    @classmethod
    def _comma_separated(cls, value):
        return [v.strip() for v in value.split(",") if v.strip()] if isinstance(value, str) else value

    @field_validator("data_dir")
    @classmethod
    def _a_directory(cls, value: Path) -> Path:
        if value.exists() and not value.is_dir():
            raise ValueError(f"{value} is not a directory")
        return value

    @field_validator("spacy_model")
    @classmethod
    def _an_installed_model(cls, value: str) -> str:
        """Checked here, where a wrong name is one line, not at the first upload (an OSError traceback out of
        ``ancols ingest``, a server that fails its start-up); spaCy loads a package by its name or a directory."""
        try:
            found = Path(value).is_dir() or importlib.util.find_spec(value) is not None
        except (ImportError, ValueError):  # "a.b" whose "a" is no package; an empty name
            found = False
        if not found:
            raise ValueError("not an installed spaCy model package nor a model directory (unset, the shipped "
                             "fr_core_news_sm is used)")
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        if not isinstance(logging.getLevelName(value.upper()), int):
            raise ValueError("expected DEBUG, INFO, WARNING, ERROR or CRITICAL")
        return value.upper()

    @model_validator(mode="after")
    def _postgres_needs_a_dsn(self) -> Settings:
        if self.store == "postgres" and self.pg_dsn is None:
            raise ValueError("ANCOLS_STORE=postgres needs ANCOLS_PG_DSN (the primary's libpq URL)")
        return self

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def search_cache_bytes(self) -> int:
        return int(self.search_cache_mb * 1024 * 1024)

    @property
    def max_body_bytes(self) -> int:
        return self.max_body_kb * 1024

    @property
    def max_request_head_bytes(self) -> int:
        """The request line and headers the HTTP server (uvicorn's h11) reads before it refuses a request itself,
        in plain text: its 16 KiB default refused a query past some 16,000 plain or 2,700 accented characters
        before the app could answer its JSON 422 "too long". Headers keep their 16 KiB; the line takes a query ten times
        ``max_query_chars``, every character percent-encoded from 4 UTF-8 bytes (12 bytes)."""
        return 16 * 1024 + 10 * 12 * self.max_query_chars


def setting_error(exc: ValidationError | SettingsError) -> str:
    """One line naming the variable at fault, for a command to print instead of pydantic's traceback."""
    if isinstance(exc, SettingsError):  # a list or dict setting whose value is not JSON
        field = exc.args[0].split('"')[1] if exc.args[0].count('"') >= 2 else "?"
        return f"ANCOLS_{field.upper()}: not valid JSON ({exc.__cause__ or exc})"
    return "; ".join(_one_error(e) for e in exc.errors())


def _one_error(error: dict) -> str:
    name = "ANCOLS_" + "_".join(map(str, error["loc"])).upper() if error["loc"] else "settings"
    got = f" (got {error['input']!r})" if isinstance(error.get("input"), str) else ""
    return f"{name}: {error['msg'].removeprefix('Value error, ')}{got}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
