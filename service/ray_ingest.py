"""``ancols ingest --ray``: the single-machine ingestion run as Ray Data stages.

Each file goes through a pool of processing actors (spaCy and the models loaded once per actor,
then ``runtime.process_document``, the very call of the plain path) and a pool of embedder actors
(``document_contexts`` + ``passage_vectors``, as ``Store.add`` would compute them). The results stream
back to the driver, which stays the store's one writer (``SegmentStore.add`` with the precomputed
vectors), so any store backend works unchanged and writes stay atomic per document.
"""

from __future__ import annotations

import logging
import pickle
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import ray
from ray.data import ActorPoolStrategy, DataContext

from ancols_nlp.index.interface import Added, SegmentStore
from ancols_nlp.index.passages import document_contexts, passage_vectors
from ancols_nlp.models.shipped import load_models
from ancols_nlp.pipelines.errors import DocumentError
from ancols_nlp.pipelines.sentences import load_sentencizer
from ancols_nlp.pipelines.types import ProcessedDocument
from ancols_nlp.service.file_names import display_name
from ancols_nlp.service.runtime import add_document, embedder_for, process_document
from ancols_nlp.service.settings import Settings

# A processing actor and an embedder actor together reserve one logical CPU: a "worker".
ACTOR_CPUS = 0.5


@dataclass
class Ingested:
    """One file on its way through the stages. Rows carry it pickled: Arrow cannot type a
    ProcessedDocument (nested dataclasses, free-form score dicts)."""

    path: Path
    data: bytes
    document: ProcessedDocument | None = None
    error: DocumentError | None = None
    vectors: np.ndarray | None = None

    @property
    def name(self) -> str:
        """As stored (``display_name``)."""
        return display_name(self.path.name)


class Processor:
    """Ray actor: bytes → ProcessedDocument, or the DocumentError that names what is wrong with the file."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.nlp = load_sentencizer(settings.spacy_model)
        self.models = load_models()

    def __call__(self, row: dict) -> dict:
        item: Ingested = pickle.loads(row["item"])
        try:
            item.document = process_document(self.settings, self.nlp, self.models, item.data, item.name)
        except DocumentError as exc:
            item.error = exc
        return {"item": pickle.dumps(item)}


class Encoder:
    """Ray actor holding the embedder: the passages' vectors of a processed document."""

    def __init__(self, settings: Settings):
        self.embedder = embedder_for(settings)

    def __call__(self, row: dict) -> dict:
        item: Ingested = pickle.loads(row["item"])
        if item.document is not None:
            item.vectors = passage_vectors(self.embedder, document_contexts(item.document))
        return {"item": pickle.dumps(item)}


def ingest(store: SegmentStore, settings: Settings, files: list[Path],
           address: str | None = None) -> Iterator[tuple[Path, Added | DocumentError]]:
    """Each file with what became of it, in the given order, as the cluster finishes it.

    The driver reads the files and ships their bytes in the dataset: the cluster needs no shared
    filesystem, and the driver's memory holds the whole batch of files once.

    ``address`` is a running cluster's (``ray start --head`` prints it; its nodes need this package
    installed); None starts a local Ray with ``settings.ray_num_cpus`` logical CPUs, stopped at the end."""
    if not files:
        return
    local = address is None
    ray.init(address="local" if local else address, num_cpus=settings.ray_num_cpus if local else None,
             include_dashboard=False, logging_level="WARNING", log_to_driver=False)
    try:
        cpus = ray.cluster_resources().get("CPU", 0)
        if cpus < settings.ray_workers * 2 * ACTOR_CPUS:  # a pool short of CPUs waits for its actors forever
            raise SystemExit(f"ancols: ANCOLS_RAY_WORKERS={settings.ray_workers} needs {settings.ray_workers} "
                             f"logical CPUs; the Ray cluster has {cpus:g} (set ANCOLS_RAY_NUM_CPUS for a local Ray)")
        context = DataContext.get_current()
        context.execution_options.preserve_order = True  # report and store files in the plain path's order
        context.enable_progress_bars = False  # the CLI shows its own
        logging.getLogger("ray.data").setLevel(logging.WARNING)  # per-run plans and timings
        pool = ActorPoolStrategy(size=settings.ray_workers)
        items = [{"item": pickle.dumps(Ingested(path, path.read_bytes()))} for path in files]
        stages = (ray.data.from_items(items, override_num_blocks=len(items))
                  .map(Processor, fn_constructor_args=(settings,), compute=pool, num_cpus=ACTOR_CPUS)
                  .map(Encoder, fn_constructor_args=(settings,), compute=pool, num_cpus=ACTOR_CPUS))
        for row in stages.iter_rows():
            item: Ingested = pickle.loads(row["item"])
            if item.error is not None:
                yield item.path, item.error
            else:
                yield item.path, add_document(store, item.document, filename=item.name, data=item.data,
                                              vectors=item.vectors)
    finally:
        ray.shutdown()
