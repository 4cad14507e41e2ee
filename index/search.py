"""Query → ranked segment ids, over an immutable snapshot of the derived indexes.

A snapshot is built once per change of the stored segments and swapped in whole, so a
search never sees half of an ingestion and never waits for one.

Ranking (its functions, constants and the measurements behind them: index/ranking.py):
- lexical: BM25 over each segment's text under its innermost heading, times a prior on what the
  segment is (headings and "other" segments are damped) and on the kind, organism and theme the query
  points to (index/query_intents.py; a named organism's name is not matched, the rest of the query is);
- semantic: cosine of the query and passage vectors, times the same priors;
- hybrid: the lexical and the semantic candidates are pooled, the dense model re-scores the pool
  with a query vector moved towards the best lexical passages (vector-space pseudo-relevance
  feedback), and both scores are z-normalised over the pool before a weighted sum. Z-scores
  make the weight mean the same thing whatever the query (BM25 is unbounded, cosines sit in a
  narrow band) and, unlike min–max, one outlier does not squash the rest. Each pooled passage then
  gains a little of its section's BM25 (the section as one document: ``SECTION_WEIGHT``), as do the
  lexical mode's candidates.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ancols_nlp.index.lexical import LexicalQuery
from ancols_nlp.index.query import Filters, Hit, SearchParams
from ancols_nlp.index.query_intents import QueryIntent
from ancols_nlp.index.ranking import best_hits, feedback_scores, fuse, lexical_with_sections, with_sections

if TYPE_CHECKING:
    from ancols_nlp.index.snapshot import Snapshot, Subset


@dataclass(frozen=True)
class Fused:
    """A search's fused scores and the lists they were fused from: cut to any number of hits, so a caller that
    wants more of them (the sentence grain's pool) does not search again."""

    scores: dict[int, float]
    lex: dict[int, float]
    den: dict[int, float]

    def best(self, k: int) -> list[Hit]:
        """The ``k`` best hits, best first (the best k are a prefix of the best k + n)."""
        return best_hits(self.scores, self.lex, self.den, k)


def search(snapshot: Snapshot, intent: QueryIntent, query_vector: np.ndarray | None, filters: Filters,
           params: SearchParams) -> tuple[Fused, Subset]:
    """The fused scores and the rows they were drawn from (with their facets); ``intent``: the query as
    ``read_query`` reads it (``query_vector`` is its text's)."""
    subset = snapshot.subset(filters)
    mask = subset.mask
    if not len(snapshot.columns.ids):
        return Fused({}, {}, {}), subset
    prior = snapshot.query_prior(intent)
    use_dense = params.mode != "lexical" and query_vector is not None
    lex: dict[int, float] = {}
    den: dict[int, float] = {}
    terms = snapshot.lexical.query(intent.text) if params.mode != "semantic" else None
    if terms is not None:
        lex = _lexical(snapshot, terms, mask, prior, params.candidates)
    if params.mode == "lexical" or (params.mode == "hybrid" and not use_dense):
        fused = lexical_with_sections(lex, _section_scores(snapshot, terms, list(lex)))
    elif params.mode == "semantic":
        if not use_dense:
            return Fused({}, {}, {}), subset
        den = snapshot.nearest(query_vector, params.candidates, filters)
        fused = dict(zip(den, (np.array(list(den.values())) * prior[snapshot.rows_of(list(den))]).tolist()))
    else:
        den = _rescore(snapshot, query_vector, lex, filters, params.candidates)
        if len(snapshot.lexical):  # dense-only candidates keep their (low) lexical score, not an invented 0
            lex = _pool_lexical(snapshot, terms, prior, lex, list(den))
        fused = with_sections(fuse(lex, den, params), _section_scores(snapshot, terms, list(den)))
    return Fused(fused, lex, den), subset


def _lexical(snapshot: Snapshot, terms: LexicalQuery, mask: np.ndarray, prior: np.ndarray,
             n: int) -> dict[int, float]:
    """The ``n`` best matching segments and their (prior-weighted) scores.

    The lexical index's rows are the columns' rows; it reads the postings of the query's terms only."""
    allowed = mask if mask is not snapshot.live or snapshot.dead else None  # else every row may match
    found = snapshot.lexical.top(terms, n, prior, allowed, prior_bound=snapshot.prior_bound)
    return dict(zip(snapshot.columns.ids[found.rows].tolist(), found.scores.tolist()))


def _pool_lexical(snapshot: Snapshot, terms: LexicalQuery, prior: np.ndarray, lex: dict[int, float],
                  pool: list[int]) -> dict[int, float]:
    """The lexical score of every pooled candidate: the top's, or computed for the dense-only ones alone."""
    others = [i for i in pool if i not in lex]
    rows = snapshot.rows_of(others)
    scores = dict(zip(others, (snapshot.lexical.scores_of(terms, rows) * prior[rows]).tolist()))
    return {i: lex[i] if i in lex else scores[i] for i in pool}


def _section_scores(snapshot: Snapshot, terms: LexicalQuery | None, pool: list[int]) -> dict[int, float]:
    """The BM25 of each pooled candidate's section (index/ranking.py ``SECTION_WEIGHT``)."""
    if terms is None or not pool or not len(snapshot.lexical):
        return {}
    sections = snapshot.sections
    first, end, length = sections.of_rows(snapshot.rows_of(pool))
    _, distinct, each = np.unique(first, return_index=True, return_inverse=True)  # pooled passages share sections
    scores = snapshot.lexical.section_scores(terms, first[distinct], end[distinct], length[distinct], sections.average)
    return dict(zip(pool, scores[each].tolist()))


def _rescore(snapshot: Snapshot, vector: np.ndarray, lex: dict[int, float], filters: Filters,
             n: int) -> dict[int, float]:
    """Cosines of the pooled candidates (lexical ∪ dense top ``n``) with the feedback query vector."""
    pool = list(lex)
    pool += [i for i in snapshot.nearest(vector, n, filters) if i not in lex]
    if not pool:
        return {}
    return feedback_scores(pool, snapshot.vectors_of(pool), lex, vector)
