"""The embedded store: SQLite rows + derived BM25 and FAISS indexes, behind one small interface.

Writes go through one lock (single writer): the SQLite transaction commits first, then a new
search snapshot is derived from the committed rows and swapped in whole. The snapshot is a
persisted base plus a small in-memory delta of the documents stored since, minus the documents
deleted since (index/snapshot.py), so a write costs in proportion to the delta, not to the
store. When the delta (or the deleted share of the base) outgrows ``merge_fraction`` of the
base, a background thread builds a new base from one consistent read of SQLite, saves it
(index/persisted.py) and swaps it in. Until then a deleted document's rows stay in the base, masked, and out of
BM25's statistics (index/lexical.py): passages score as in a store rebuilt without them. A crash at any point
loses nothing: SQLite is the source of truth and a base on disk is only used for the documents it holds.

Several processes may serve one data directory. One of them leads (``leading``; the service picks it with
an OS lock, service/ownership.py): it repairs the store on opening, merges and saves the bases. Any process
may add or delete documents (each is one SQLite transaction, which SQLite serialises across processes);
every process notices the commits of the others (``PRAGMA data_version``, index/sqlite.py ``Changes``) and
derives its snapshot again, from the newest base the leader saved.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import uuid
from pathlib import Path

import numpy as np

from ancols_nlp.index import persisted
from ancols_nlp.index.analyzer import analyze
from ancols_nlp.index.documents import DocumentStore
from ancols_nlp.index.expansion import Synonyms
from ancols_nlp.index.interface import Added, Embedder, Passages, SearchOutcome, StoreStats, already_stored
from ancols_nlp.index.near_duplicates import near_duplicate
from ancols_nlp.index.passages import (EMBEDDING_KEY, LEXICAL_FINGERPRINT, LEXICAL_KEY, Distinct, TextsAsReached,
                            indexed_passages, passage_context, passage_vectors)
from ancols_nlp.index.query import Filters, SearchParams
from ancols_nlp.index.rows import reading
from ancols_nlp.index.sqlite import Changes
from ancols_nlp.index.query_intents import read_query
from ancols_nlp.index.search import search
from ancols_nlp.index.snapshot import Part, Snapshot
from ancols_nlp.index.vectors import EXACT_LIMIT
from ancols_nlp.pipelines.types import ProcessedDocument

STORE_ID_KEY = "store_id"
BASE_KEY = "snapshot_base"  # the base the leader saved last, which the other processes load
MERGE_FRACTION = 0.1
MERGE_MIN_SEGMENTS = 2_000  # below this, a delta is cheaper to rebuild on each write than to merge
log = logging.getLogger(__name__)


class Store:
    def __init__(self, data_dir: Path, embedder: Embedder, params: SearchParams | None = None, *,
                 merge_fraction: float = MERGE_FRACTION, exact_limit: int = EXACT_LIMIT, concurrency: int = 4,
                 leading: bool = True):
        """``leading=False``: another process leads this data directory (see the module's docstring); this one
        loads the base it saved, never writes one, and leaves the store as it finds it on opening."""
        self.embedder = embedder
        self.params = params or SearchParams()
        self._path = Path(data_dir) / "ancols.sqlite3"
        self._bases = Path(data_dir) / "snapshot"
        self.meta = DocumentStore(self._path)
        self._write = threading.Lock()
        self._saving = threading.Lock()
        self._searching = threading.BoundedSemaphore(concurrency)
        self._merge_fraction, self._exact_limit = merge_fraction, exact_limit
        self._merging: threading.Thread | None = None
        self._epoch = 0  # bumped when every row changes (re-embedding, re-analysis): an older merge is dropped
        self._base: Part | None = None
        self._base_name: str | None = None  # the saved base ``_base`` was loaded from or saved as
        self._leading = leading
        self._changes = Changes(self._path)
        self._id = self.meta.get_setting(STORE_ID_KEY) or uuid.uuid4().hex
        if leading:
            self._repair()
        if self._base is None:
            self._swap(*(self._load_base() or self._build_base()))
        self._maybe_merge()

    def _repair(self) -> None:
        """Name the store and bring its rows up to this embedder and analyser (the leader, on opening)."""
        self.meta.set_setting(STORE_ID_KEY, self._id)
        stored = self.meta.get_setting(EMBEDDING_KEY)
        if stored is not None and stored != self.embedder.fingerprint:
            self.reembed()
        self.meta.set_setting(EMBEDDING_KEY, self.embedder.fingerprint)
        if self.meta.get_setting(LEXICAL_KEY) != LEXICAL_FINGERPRINT:
            self.reanalyze()

    def close(self) -> None:
        self.wait_for_merge()
        self._changes.close()
        self.meta.close()

    def lead(self) -> None:
        """Take over from a leader that stopped: merge and save the bases from now on."""
        with self._write:
            self._take_in()  # from the last base it saved (as a follower: no merge yet)
            self._leading = True
            self._maybe_merge()

    # -- writes ---------------------------------------------------------------------------
    def add(self, doc: ProcessedDocument, *, filename: str, data: bytes, vectors: np.ndarray | None = None) -> Added:
        """Index a processed document; the same bytes, or the same report from another file (``near_duplicates``),
        give back the first id. Both are checked again in the write's transaction, which SQLite serialises across
        threads and processes: two copies uploaded at once are stored once.

        ``vectors`` are the passages' embeddings when a distributed ingestion already computed them."""
        sha = hashlib.sha256(data).hexdigest()
        existing = already_stored(self.meta, sha)
        if existing:
            return existing
        passages = indexed_passages(doc, self.embedder, vectors)
        doc_id = uuid.uuid4().hex[:16]
        with self._write:
            with self.meta.transaction():
                existing = (already_stored(self.meta, sha)
                            or near_duplicate(self.meta.find_by_meta, doc.meta, doc.source.text))
                if existing:
                    return existing
                self.meta.add_document(doc_id, filename, sha, len(data), doc, passages.vectors, passages.terms,
                                       passages.acronyms)
            self._take_in()
        return Added(doc_id, len(doc.segments), False)

    def delete(self, doc_id: str) -> bool:
        with self._write:
            removed = self.meta.delete_document(doc_id)
            if removed:
                self._take_in()
        return removed

    def reembed(self) -> int:
        """Recompute every stored vector with the current embedder (after a model change)."""
        with self._write:
            rows = self.meta.segment_texts()
            ids = [r[0] for r in rows]
            texts = [passage_context(text, path) for _, text, path in rows]
            vectors = passage_vectors(self.embedder, texts)
            self.meta.replace_vectors(ids, vectors)
            self.meta.set_setting(EMBEDDING_KEY, self.embedder.fingerprint)
            self._replace_base()
        return len(ids)

    def reanalyze(self) -> int:
        """Recompute every stored passage's analysed terms and document's acronyms (after a change of either)."""
        with self._write:
            rows = self.meta.segment_texts()
            self.meta.replace_terms([r[0] for r in rows],
                                    [analyze(passage_context(text, path)) for _, text, path in rows])
            self.meta.remine_acronyms()
            self.meta.set_setting(LEXICAL_KEY, LEXICAL_FINGERPRINT)
            self._replace_base()
        return len(rows)

    # -- the derived indexes ----------------------------------------------------------------
    def _build_base(self) -> tuple[Part, str | None]:
        """A base of every committed row and the name it is saved under: the leader saves it (and names it for
        the other processes), a follower that found none usable keeps it in memory (name None)."""
        with reading(self._path) as rows:
            data = rows.rows()
        part = Part.build(data, self.embedder.dimension, exact_limit=self._exact_limit)
        if not self._leading:
            return part, None
        manifest = persisted.Manifest(store=self._id, embedding=self.embedder.fingerprint, lexical=LEXICAL_FINGERPRINT,
                                      segments=len(data.ids), vector_index=part.vectors.kind)
        with self._saving:  # a merge and a re-embedding may finish together
            saved = persisted.save(self._bases, part, manifest)
            persisted.prune(self._bases, keep=saved)
            self.meta.set_setting(BASE_KEY, saved.name)
        return part, saved.name

    def _load_base(self) -> tuple[Part, str] | None:
        loaded = persisted.load(self._bases, store=self._id, embedding=self.embedder.fingerprint,
                                lexical=LEXICAL_FINGERPRINT, exact_limit=self._exact_limit)
        return (loaded[0], loaded[2].name) if loaded else None

    def _replace_base(self) -> None:
        """Under the write lock, after every row changed."""
        self._epoch += 1
        self._swap(*self._build_base())

    def _swap(self, base: Part, name: str | None) -> None:
        """Serve ``base`` and the committed rows now (under the write lock, or while opening). The commits
        counted before deriving are all in the new snapshot; any later one is seen by ``_followed``."""
        seen = self._changes.current()
        self._snapshot = self._derive(base)
        self._base, self._base_name = base, name
        self._changes.seen = seen

    def _take_in(self) -> None:
        """Derive the snapshot again after a commit (under the write lock), then, as the leader, merge when the
        delta outgrew the base (``_maybe_merge``). A follower first loads the base the leader saved last when it
        is newer than its own (a base is only a cache of the rows: when it cannot be read, the one held serves).
        The leader's own merges swap theirs in."""
        saved = None if self._leading else self.meta.get_setting(BASE_KEY)
        newer = self._load_base() if saved is not None and saved != self._base_name else None
        self._swap(*(newer or (self._base, self._base_name)))
        self._maybe_merge()

    def _followed(self) -> Snapshot:
        """The snapshot, after taking in the commits of other connections (another process's writes)."""
        if self._changes.current() != self._changes.seen:
            with self._write:
                if self._changes.current() != self._changes.seen:
                    self._take_in()
        return self._snapshot

    def _derive(self, base: Part) -> Snapshot:
        """The snapshot of the committed rows: ``base``, plus documents stored since, minus those deleted since."""
        with reading(self._path) as rows:
            live = rows.document_ids()
            new = live - base.documents
            delta = rows.rows(new) if new else None
        mined = Synonyms.of_acronyms(self.meta.acronyms())
        if delta is None:
            return Snapshot(base, None, base.documents - live, mined)
        part = Part.build(delta, self.embedder.dimension, labels=base.columns.labels, exact_limit=len(delta.ids))
        return Snapshot(base, part, base.documents - live, mined)

    def _maybe_merge(self) -> None:
        """Start a background merge when the delta or the deleted share outgrows the base."""
        if not self._leading:  # the leader merges the commits of every process
            return
        snap = self._snapshot
        changed = len(snap.columns) - len(snap.base.columns) + snap.dead
        if changed <= max(MERGE_MIN_SEGMENTS, self._merge_fraction * len(snap.base.columns)):
            return
        if self._merging is not None and self._merging.is_alive():
            return
        self._merging = threading.Thread(target=self._merge, args=(self._epoch,), name="store-merge", daemon=True)
        self._merging.start()

    def _merge(self, epoch: int) -> None:
        try:
            base = self._build_base()
        except Exception:  # a failed merge leaves the current snapshot serving; the next write retries
            log.exception("merging the delta into a new base failed")
            return
        with self._write:
            if epoch == self._epoch:
                self._swap(*base)

    def merge(self) -> None:
        """Fold the delta and the deletions into a new base now, on the caller's thread."""
        self.wait_for_merge()
        with self._write:
            self._replace_base()

    def wait_for_merge(self) -> None:
        """Block until a background merge in progress (if any) is swapped in."""
        merging = self._merging
        if merging is not None:
            merging.join()

    # -- reads ----------------------------------------------------------------------------
    @property
    def snapshot(self) -> Snapshot:
        return self._followed()

    @property
    def version(self) -> int | None:
        """Changes with every write, after its rows are committed (a new snapshot). None while another
        process's commit is not in the snapshot yet: the next search takes it in (``search``, on a worker
        thread: the event loop that reads this never derives a snapshot), and a cache keeps nothing under None."""
        if self._changes.current() != self._changes.seen:
            return None
        return self._snapshot.version

    def stats(self) -> StoreStats:
        snap = self._followed()
        return StoreStats(documents=self.meta.documents(limit=1, offset=0)[1], segments=snap.segments,
                          vector_index=snap.kind)

    def organisms(self) -> list[str]:
        return self._followed().organisms

    def organism_documents(self) -> dict[str, int]:
        return self._followed().organism_documents

    def search(self, query: str, *, k: int, filters: Filters, params: SearchParams | None = None) -> SearchOutcome:
        return self.passages(query, k=k, filters=filters, params=params).outcome()

    def passages(self, query: str, *, k: int, filters: Filters, params: SearchParams | None = None) -> Passages:
        snap = self._followed()
        params = params or self.params
        intent = read_query(query, snap.known_organisms)
        if params.mode != "lexical":  # the searches waiting below get their vectors in one call (query_batch.py)
            self.embedder.expect_query(intent.text)
        # At most ``concurrency`` searches compute at once: each holds megabytes of per-row scores at a
        # million segments, and on a few cores more of them only queue for the CPU while holding memory.
        with self._searching:
            vector = self.embedder.encode_query(intent.text) if params.mode != "lexical" else None
            fused, subset = search(snap, intent, vector, filters, params)
        expansion = snap.lexical.expansion(query)
        texts = TextsAsReached(self.meta.texts_by_id)

        def drawn(k: int) -> Passages:
            """The texts of the k * 3 candidates decide the near-duplicates, read k at a time as the pass reaches
            them; only the rows shown are read whole (a row's JSON and links cost ~40 us of CPU each at 1M, two
            thirds of the candidates are never shown). A wider cut of the same scores reads no text again."""
            hits = fused.best(k * 3)
            texts.extend(hits, k)
            return Passages(Distinct(hits, texts, k), self.meta.segments_by_id, subset.facets, subset.total,
                            expansion, drawn)

        return drawn(k)
