"""What a search reads: a large persisted base plus a small delta of newer documents, minus deleted ones.

Rebuilding every derived index on each write cost minutes at a million segments. Instead the
base (built from all rows at some point, saved to disk) stays as it is; a write derives a new
snapshot from it in proportion to the change: documents stored since the base went into a
small delta part (built in memory from their SQLite rows), documents deleted since are masked
out of the base (a tombstone mask). Rows are the base's then the delta's, each part ids
ascending; a segment id freed by a deletion and reused by SQLite may sit in both parts, dead
in the base and live in the delta, so lookups by id prefer the delta.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ancols_nlp.index.columns import Columns
from ancols_nlp.index.expansion import NO_SYNONYMS, Synonyms
from ancols_nlp.index.lexical import LexicalIndex, TermMatrix
from ancols_nlp.index.query import Filters
from ancols_nlp.index.query_intents import QueryIntent
from ancols_nlp.index.ranking import column_priors, intent_priors
from ancols_nlp.index.recent import Recent
from ancols_nlp.index.rows import IndexRows
from ancols_nlp.index.sections import Sections
from ancols_nlp.index.vectors import Allowed, VectorIndex
from ancols_nlp.pipelines.organism_names import Organism, organisms, per_organism

# Filters whose rows and facets (1 MB each at 1M segments) and query intents whose priors (4 MB) a snapshot keeps.
FILTERS_KEPT = 32
_VERSIONS = itertools.count(1)


@dataclass(frozen=True)
class Subset:
    """The live rows a filter leaves (read-only), their facet counts and their number."""

    mask: np.ndarray
    facets: dict[str, dict[str, int]]
    total: int


@dataclass(frozen=True)
class Part:
    columns: Columns
    terms: TermMatrix
    vectors: VectorIndex

    @classmethod
    def build(cls, rows: IndexRows, dimension: int, *, labels: dict[str, list[str]] | None = None,
              exact_limit: int | None = None) -> Part:
        limit = {} if exact_limit is None else {"exact_limit": exact_limit}
        return cls(Columns.from_rows(rows.columns, labels), TermMatrix.build(rows.terms),
                   VectorIndex.build(dimension, rows.ids, rows.vectors, **limit))

    @cached_property
    def _rows_by_id(self) -> tuple[int, np.ndarray] | None:
        """Each id's row at ``id - first id`` (-1 for an id not here), when the ids are dense enough.

        A binary search over a million ids misses the cache at each of its last levels, several times per id:
        ~0.6 us an id against ~0.1 for one look-up here, and a search looks up its ~400 pooled ids several
        times. Made once per part (a base outlives many snapshots); 4 bytes per id in the span."""
        ids = self.columns.ids
        if not len(ids) or int(ids[-1] - ids[0]) >= 4 * len(ids) + 1024:
            return None
        rows = np.full(int(ids[-1] - ids[0]) + 1, -1, dtype=np.int32 if len(ids) < 2**31 else np.int64)
        rows[ids - ids[0]] = np.arange(len(ids), dtype=rows.dtype)
        return int(ids[0]), rows

    def find(self, ids: np.ndarray) -> np.ndarray:
        """Row of each of ``ids`` (int64) in this part, -1 when absent."""
        lookup = self._rows_by_id
        if lookup is None:
            return _find(self.columns.ids, ids)
        first, rows = lookup
        at = ids - first
        inside = (at >= 0) & (at < len(rows))
        return np.where(inside, rows[np.where(inside, at, 0)], -1).astype(np.int64)

    @cached_property
    def documents(self) -> set[str]:
        used = np.unique(self.columns.codes["document_id"])
        return {self.columns.labels["document_id"][c] for c in used.tolist()}


class Snapshot:
    """Immutable once built: a write builds a new one and swaps it in whole."""

    def __init__(self, base: Part, delta: Part | None = None, deleted: set[str] = frozenset(),
                 mined: Synonyms = NO_SYNONYMS):
        """``mined``: the acronyms the live documents define, for query expansion."""
        self.base, self.delta = base, delta
        self.version = next(_VERSIONS)  # unique in the process, increasing: what caches of its answers key on
        self.columns = base.columns if delta is None else base.columns.followed_by(delta.columns)
        n_base = len(base.columns)
        self.live = np.ones(len(self.columns), dtype=bool)
        if deleted:
            gone = [n for n, d in enumerate(base.columns.labels["document_id"]) if d in deleted]
            self.live[:n_base] = ~np.isin(base.columns.codes["document_id"], gone)
        self.dead = int(n_base - self.live[:n_base].sum())
        # The deleted documents' rows stay in the base's postings until a merge, out of BM25's statistics.
        self.lexical = LexicalIndex([base.terms] + ([delta.terms] if delta else []),
                                    live=self.live if self.dead else None, mined=mined)
        self.prior = column_priors(self.columns)
        self.prior_bound = float(self.prior.max(initial=0.0))  # lets a lexical search skip rows that cannot rank
        self._intent_priors: Recent[np.ndarray] = Recent(FILTERS_KEPT)  # 4 MB each at 1M segments
        self._subsets: Recent[Subset] = Recent(FILTERS_KEPT)
        self._allowed: Recent[tuple[Allowed, Allowed]] = Recent(FILTERS_KEPT)  # 125 kB each at 1M segments

    def query_prior(self, intent: QueryIntent) -> np.ndarray:
        """The segment priors for a query's ``intent``: an array over every row, so made once per kind, organism
        and theme intent. ``prior_bound`` bounds each."""
        return self._intent_priors.get((intent.kinds, intent.organisms, intent.themes),
                                       lambda: intent_priors(self.prior, intent, self.columns))

    @cached_property
    def organisms(self) -> list[str]:
        """The organisms' names of the live documents."""
        return self.columns.organisms(self.live)

    @cached_property
    def organism_documents(self) -> dict[str, int]:
        """The organisms of the live documents, each with its number of documents, in the order first stored."""
        return self.columns.organism_documents(self.live)

    @cached_property
    def known_organisms(self) -> tuple[Organism, ...]:
        """The organisms of the live documents, each with its spellings (``read_query`` recognises them in a query),
        grouped once per snapshot."""
        return tuple(organisms(self.organism_documents))

    @cached_property
    def sections(self) -> Sections:
        """The rows' sections (index/sections.py), made when a search first asks."""
        return Sections.of([(p.columns, p.terms) for p in (self.base, self.delta) if p is not None],
                           self.live if self.dead else None)

    @property
    def kind(self) -> str:
        return self.base.vectors.kind

    @property
    def segments(self) -> int:
        return int(self.live.sum())

    def subset(self, filters: Filters) -> Subset:
        """The rows ``filters`` leave and their facets, made once per filter and snapshot.

        At 1M segments the mask and the facet counts of a filter cost 7–23 ms of CPU, more than the
        rest of a filtered search, and users repeat a few filters (a kind, a year range). A snapshot
        never changes, so nothing is invalidated: a write builds a new snapshot with an empty cache."""
        return self._subsets.get(filters, lambda: self._made_subset(filters))

    def _made_subset(self, filters: Filters) -> Subset:
        mask = self.columns.mask(filters) & self.live if filters.active() else self.live
        mask.flags.writeable = False
        facets = self.columns.facets(mask)
        facets["organism"] = per_organism(facets["organism"], self.known_organisms)  # one an organism, all spellings
        return Subset(mask, facets, int(mask.sum()))

    def rows_of(self, ids: np.ndarray) -> np.ndarray:
        """Row of each (live) segment id."""
        ids = np.asarray(ids, dtype=np.int64)
        rows = self.base.find(ids)
        if self.delta is not None:
            in_delta = self.delta.find(ids)
            rows = np.where(in_delta >= 0, in_delta + len(self.base.columns), rows)
        return rows

    def nearest(self, vector: np.ndarray, n: int, filters: Filters | None = None) -> dict[int, float]:
        """Cosine of the ``n`` nearest live segments (among the rows ``filters`` leaves, when active), best first."""
        found: dict[int, float] = {}
        allowed = self._allowed.get(filters, lambda: self._made_allowed(filters)) if filters and filters.active() \
            else None
        if allowed is None:
            ids, scores = self.base.vectors.search(vector, n + min(self.dead, 3 * n))
            keep = self.live[self.base.find(ids)] if self.dead else np.ones(len(ids), dtype=bool)
            found.update(zip(ids[keep].tolist(), scores[keep].tolist()))
        else:
            ids, scores = self.base.vectors.search(vector, n, allowed[0])
            found.update(zip(ids.tolist(), scores.tolist()))
        if self.delta is None:  # one search's list, best first already: as the stable sort below would leave it
            return dict(itertools.islice(found.items(), n))
        ids, scores = self.delta.vectors.search(vector, n, None if allowed is None else allowed[1])
        found.update(zip(ids.tolist(), scores.tolist()))  # a reused id is the delta's
        return dict(sorted(found.items(), key=lambda kv: -kv[1])[:n])

    def _made_allowed(self, filters: Filters) -> tuple[Allowed, Allowed]:
        """The ids of the base's and of the delta's rows that ``filters`` leaves, as their vector search reads them."""
        mask, ids, n_base = self.subset(filters).mask, self.columns.ids, len(self.base.columns)
        return Allowed.of(ids[:n_base][mask[:n_base]]), Allowed.of(ids[n_base:][mask[n_base:]])

    def vectors_of(self, ids: list[int]) -> np.ndarray:
        """The stored vectors of live segment ids, one row each (a reused id's is the delta's)."""
        ids = np.array(ids, dtype=np.int64)
        if self.delta is None:
            return self.base.vectors.get(ids)
        in_delta = self.delta.find(ids) >= 0
        if not in_delta.any():
            return self.base.vectors.get(ids)
        out = np.empty((len(ids), self.base.vectors.dimension), dtype=np.float32)
        out[~in_delta] = self.base.vectors.get(ids[~in_delta])
        out[in_delta] = self.delta.vectors.get(ids[in_delta])
        return out


def _find(sorted_ids: np.ndarray, ids: np.ndarray) -> np.ndarray:
    """Position of each of ``ids`` in ``sorted_ids``, -1 when absent."""
    at = np.searchsorted(sorted_ids, ids)
    at_clipped = np.minimum(at, max(len(sorted_ids) - 1, 0))
    hit = (at < len(sorted_ids)) & (sorted_ids[at_clipped] == ids) if len(sorted_ids) else np.zeros(len(ids), bool)
    return np.where(hit, at, -1)
