"""The loaded parts of the service (spaCy, classifiers, embedder, store), wired from Settings.

Both the HTTP app and the CLI go through this one object, so they ingest and search alike.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np
from spacy.language import Language

from ancols_nlp.index import lexicon
from ancols_nlp.index.interface import Added, Embedder, SegmentStore, already_stored
from ancols_nlp.index.near_duplicates import near_duplicate
from ancols_nlp.index.query import SearchParams
from ancols_nlp.index.store import Store
from ancols_nlp.models.embedding import load_embedder
from ancols_nlp.models.shipped import load_models
from ancols_nlp.pipelines.extract import extract
from ancols_nlp.pipelines.process import process_text, read_source
from ancols_nlp.pipelines.protocols import Models
from ancols_nlp.pipelines.ocr import Ocr
from ancols_nlp.pipelines.sandbox import Limits
from ancols_nlp.pipelines.sentences import load_sentencizer
from ancols_nlp.pipelines.themes import kept_scored
from ancols_nlp.pipelines.types import ProcessedDocument, SentenceContext, SourceText, ThemeItem
from ancols_nlp.pipelines.unread import unread_warnings
from ancols_nlp.service.file_names import display_name
from ancols_nlp.service.search_cache import SearchCache
from ancols_nlp.service.settings import Settings

log = logging.getLogger("ancols.ingest")


@dataclass
class Runtime:
    settings: Settings
    store: SegmentStore

    @classmethod
    def from_settings(cls, settings: Settings, *, leading: bool = True) -> Runtime:
        """``leading=False``: another process owns the data directory's background writes (service/ownership.py)."""
        embedder = embedder_for(settings)
        params = SearchParams(mode=settings.search_mode, fusion=settings.fusion,
                              lexical_weight=settings.lexical_weight, candidates=settings.candidates)
        return cls(settings=settings, store=open_store(settings, embedder, params, leading=leading))

    @cached_property
    def answers(self) -> SearchCache:
        return SearchCache(self.settings.search_cache_bytes)

    # Loaded on first use: `ancols search`, `reindex` and the `ingest --ray` driver never process a
    # document; the service loads them at start-up (``warm``) so no request pays for it.
    @cached_property
    def nlp(self) -> Language:
        return load_sentencizer(self.settings.spacy_model)

    @cached_property
    def models(self) -> Models:
        return load_models()

    def warm(self) -> None:
        """Load what processing a document needs now rather than on the first upload, and the French lexicon the
        typo correction asks rather than on the first misspelt query."""
        _ = self.nlp, self.models
        lexicon.load()

    def process(self, data: bytes, filename: str) -> ProcessedDocument:
        return process_document(self.settings, self.nlp, self.models, data, filename)

    def ingest(self, data: bytes, filename: str) -> Added:
        """A duplicate, of the same bytes or of the same report from another file (``near_duplicates``), is answered
        before the models run: the latter once the text is extracted, its metadata read (milliseconds). The name is
        stored as ``display_name`` gives it."""
        filename = display_name(filename)
        stored = already_stored(self.store.meta, hashlib.sha256(data).hexdigest())
        if stored:
            return logged(stored, filename)
        source = extract_source(self.settings, data, filename)
        reading = read_source(source)
        if repeated := near_duplicate(self.store.meta.find_by_meta, reading.meta, source.text):
            return logged(repeated, filename)
        doc = process_text(source, nlp=self.nlp, models=self.models, reading=reading)
        return add_document(self.store, doc, filename=filename, data=data)

    def classify(self, text: str, *, doc_type: str = "report", section_path: tuple[str, ...] = ()):
        """Kind and themes (best first, with their scores) of a free-standing passage, as inside a document: the
        themes a stored passage would list (``kept_scored``)."""
        prediction = self.models.kinds([SentenceContext(text=text, block="paragraph", doc_type=doc_type,
                                                        section_path=section_path)])[0]
        return prediction, kept_scored(self.models.themes.tag_document([ThemeItem(text, section_path)])[0])

    def close(self) -> None:
        self.store.close()


def process_document(settings: Settings, nlp: Language, models: Models, data: bytes,
                     filename: str) -> ProcessedDocument:
    """The one way a document is processed, on this machine or in a Ray worker (``ancols_nlp.service.ray_ingest``)."""
    return process_text(extract_source(settings, data, filename), nlp=nlp, models=models)


def extract_source(settings: Settings, data: bytes, filename: str) -> SourceText:
    """The upload's text, read within the settings' limits (pages, seconds, memory, OCR)."""
    ocr = Ocr(enabled=settings.ocr, language=settings.ocr_language, page_seconds=settings.ocr_page_seconds,
              max_seconds=settings.ocr_max_seconds)
    limits = Limits(seconds=settings.max_pdf_seconds, memory_mb=settings.max_pdf_memory_mb, ocr=ocr)
    return extract(data, filename, max_pages=settings.max_pdf_pages, limits=limits)


def add_document(store: SegmentStore, doc: ProcessedDocument, *, filename: str, data: bytes,
                 vectors: np.ndarray | None = None) -> Added:
    """``store.add``, answered with the warnings the document's pages call for, each logged; a duplicate (the store
    found the same bytes or the same report stored) with the warnings the store gave."""
    added = store.add(doc, filename=filename, data=data, vectors=vectors)
    if not added.duplicate:
        added = replace(added, warnings=unread_warnings(doc.source.pages))
    return logged(added, filename)


def logged(added: Added, filename: str) -> Added:
    """``added``, its warnings logged: the operator of a bulk import sees them too."""
    for warning in added.warnings:
        log.warning("%s (%s): %s", filename, added.id, warning.message)
    return added


def embedder_for(settings: Settings) -> Embedder:
    return load_embedder(settings.embedding_model, query_prefix=settings.query_prefix,
                         passage_prefix=settings.passage_prefix, batch_size=settings.embedding_batch_size,
                         threads=settings.embedding_threads, query_batch=settings.query_batch)


def open_store(settings: Settings, embedder: Embedder, params: SearchParams, *, leading: bool = True) -> SegmentStore:
    """The store the settings name: the embedded default keeps everything under ``data_dir``."""
    if settings.store == "postgres":
        from ancols_nlp.index.postgres.store import PgStore  # the PostgreSQL client is only loaded when asked for

        return PgStore(settings.pg_dsn.get_secret_value(), embedder, params,
                       replicas=tuple(r.get_secret_value() for r in settings.pg_replicas),
                       replica_wait_s=settings.pg_replica_wait_s, pool_size=settings.pg_pool_size,
                       lexical=settings.pg_lexical)
    return Store(settings.data_dir, embedder, params, merge_fraction=settings.delta_merge_fraction,
                 exact_limit=settings.exact_vector_limit, concurrency=settings.search_concurrency, leading=leading)
