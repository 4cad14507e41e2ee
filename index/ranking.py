"""The search ranking every backend applies: its tuned constants (with why each has its value), the
segment priors, the dense feedback, the fusion of lexical and dense scores and the final order.

Fusion: BM25 scores are unbounded and query-dependent, cosines sit in a narrow band: each list is
z-normalised over the pooled candidates (mean 0, unit spread) before a weighted sum, so the
weight means the same thing for every query, and one outlying score does not squash the others
towards 0 as min–max would. Reciprocal-rank fusion is kept as the documented alternative
(it ignores score gaps: 0.731 nDCG@10 on dev against 0.751; re-checked on the two project sets, k 10 / 30 / 60:
0.668 / 0.666 / 0.666 against 0.705, dev 0.745 / 0.743 / 0.742 against 0.764). Min–max gives 0.745: worse on
the odd half of the queries (0.769 against 0.785), a little better on the even one (0.721 against 0.717).
The other normalisations of Bruch et al. 2023 ("An analysis of fusion functions for hybrid retrieval"), measured
against z-scores in one run (hybrid nDCG@10, dev odd / even, project set 1, set 2, both; z-scores 0.814 / 0.744,
0.734, 0.697, 0.714), lexical weight 0.6 / 0.7 / 0.8: each list divided by its top score 0.807 / 0.740, 0.728,
0.695, 0.710; 0.805 / 0.743, 0.730, 0.697, 0.713; 0.805 / 0.733, 0.741, 0.689, 0.713; theoretical min-max (BM25
from 0, cosine from -1) 0.799 / 0.733, 0.740, 0.690, 0.713; 0.787 / 0.729, 0.737, 0.687, 0.710; 0.779 / 0.722,
0.731, 0.677, 0.702: none kept.

Figures are dev-set nDCG@10 (20 queries, hybrid mode unless said) from ``bench/search_eval.py``,
each measured by removing that one element from the shipped ranking; every element kept improves
both halves of the queries (odd/even), or leaves one unchanged. Values are round on purpose and
sit on plateaus: moving any of them by ±0.1 (±2 passages for the feedback) moves nDCG@10 by at
most 0.013. Shipped: hybrid 0.751, lexical 0.726, semantic 0.426.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Protocol

import numpy as np

from ancols_nlp.index import maxscore
from ancols_nlp.index.query import Hit, SearchParams

if TYPE_CHECKING:
    from ancols_nlp.index.columns import Columns
    from ancols_nlp.index.query_intents import QueryIntent

# -- lexical (BM25 over the segment text under its innermost heading) ---------------------------
BM25_K1 = 1.2
# Segments are sentences, table rows and list items whose length varies 100-fold; with the usual
# b=0.75 the shortest fragments (a heading echoed into a table cell, "- Occupation sociale du parc,")
# win on length alone. b=0.4 keeps some normalisation (b=0.75 → 0.4: 0.710 → 0.751; lexical mode
# 0.677 → 0.726). Re-checked with the innermost heading indexed, the thesaurus and the query intents
# (hybrid nDCG@10, dev odd / even, project set 1, set 2): b=0.4 0.800 / 0.728, 0.726, 0.688; b=0.25
# 0.810 / 0.744, 0.730, 0.695 (0.3: 0.808 / 0.727, 0.729, 0.688; 0.2: 0.804 / 0.742, 0.724, 0.692;
# k1 1.0-1.3 with b=0.25 within ±0.005 of k1=1.2; b ≥ 0.5 lower on all three sets for every k1 tried).
BM25_B = 0.25


def bm25_idf(df: int, n: int, weight: float) -> np.float32:
    """Lucene's idf (bm25s's) over ``n`` passages, times the term's query ``weight``; 0 where none holds it.
    Both backends' BM25 call it, so they rank alike."""
    return np.float32(weight * np.log1p((n - df + 0.5) / (df + 0.5)) if df else 0.0)


def length_norm(lengths: np.ndarray, average: float, k1: float = BM25_K1, b: float = BM25_B) -> np.ndarray:
    """k1·(1 − b + b·length/average) in float32: a posting's saturation is tf / (tf + its passage's norm)."""
    return (k1 * ((1.0 - b) + b * lengths / average)).astype(np.float32)


# A synonym from the thesaurus (pipelines/french) or a mined acronym is evidence, but weaker than the
# user's own word. A plateau on dev (bench/language_ablation.py, hybrid nDCG@10 odd/even): 0.2 → 0.823/0.720,
# 0.35 → 0.825/0.721, 0.5 → 0.827/0.723.
SYNONYM_WEIGHT = 0.35
# A misspelt word's correction (index/spelling.py) is the user's own word, not a neighbour of it: at full weight,
# hybrid nDCG@10 (sentence grain) on typo'd copies of dev + sets 3-13 0.642 → 0.681, +0.039 [+0.026, +0.054]; the
# clean queries 0.701 → 0.701 (spell22 in bench/queries/grain-rule.md, bench/correction_weight.py).
CORRECTION_WEIGHT = 1.0
# ANCOLS_PG_LEXICAL=french: ts_rank_cd's normalisation, 1 (÷ 1 + log length) | 32 (rank/(rank + 1)).
FTS_NORMALIZATION = 1 | 32

# -- priors on what a segment is (multiply the lexical score; the semantic score in semantic mode) -
# Findings, recommendations and the organism's replies are what users look for; "other" segments
# (table rows, footnotes, cover-page lines) answer a query less often, but a table row holding the
# asked figure does, so they are damped, not removed (1.0 → 0.7: 0.710 → 0.751).
KIND_PRIOR: dict[str, float] = {"observation": 1.0, "recommendation": 1.0, "rebuttal": 1.0, "other": 0.7}
# Headings are navigation, not passages (2 of dev's 8,320 heading–query pairs are judged relevant):
# their words already reach the
# segments beneath them through the indexed heading. Kept above 0 so a heading-only match
# still shows (1.0 → 0.2: 0.743 → 0.751).
BLOCK_PRIOR: dict[str, float] = {"heading": 0.2}
# When the query's wording asks for a kind (pipelines/french/intents.toml: "l'organisme conteste"
# → rebuttals), segments of the other kinds are scaled by this (few dev queries have such wording:
# without the intents, hybrid unchanged, lexical R@20 even 0.461 → 0.459; bench/language_ablation.py).
OFF_INTENT_PRIOR = 0.5
# When the query names a stored organism (index/query_intents.py: "Logidia résultat de l'exercice 2015"), the
# other organisms' passages are scaled by this, and the name leaves the matched words: it says whose passages
# are wanted, the rest of the query which of them. A prior, not a filter: the user did not ask to filter, and a
# name can be an ordinary word of another report. No dev or project-set-1 query names an organism (both
# unchanged); the second project set, where the gap was seen (not blind for this), hybrid nDCG@10 0.650 → 0.680
# (0.3 and 0.7: 0.680, 0.678; the prior without taking the name out 0.658, the name out without the prior 0.661).
OFF_ORGANISM_PRIOR = 0.5
# When a theme's wording is all the query's topic ("contrôle interne", "recommandations sur la gouvernance"),
# passages without that theme among their three predicted ones are scaled by this (as a kind intent: the theme
# model is right for 0.84 of unseen passages, evidence rather than a filter). Hybrid nDCG@10, dev / project set 1
# / set 2 (set 2 not blind for this): 0.764 / 0.720 / 0.650 → 0.764 / 0.723 / 0.658 (0.7: 0.764 / 0.722 / 0.658).
# Applied whenever a query names a theme, even beside other topic words ("vacance commerciale élevée"), 0.7:
# 0.762 (even half 0.728 → 0.723) / 0.728 / 0.660, 0.85: 0.764 / 0.726 / 0.654; the top theme alone
# instead of the three: no better (0.764 / 0.722 / 0.659).
OFF_THEME_PRIOR = 0.5

# -- hybrid: the dense model re-scores lexical candidates -------------------------------------------
# The offline USE model is a poor retriever here on its own (0.31 plain, 0.43 with the priors) but
# a useful second opinion.
# Its query vector is moved halfway towards the mean vector of the best lexical passages
# (pseudo-relevance feedback in vector space, Rocchio-style): passage-to-passage similarity is
# what USE does well, short-query-to-passage much less so. 0.728 → 0.751, +0.023 on each half:
# without it the hybrid is hardly better than BM25 alone (0.726).
DENSE_FEEDBACK_PASSAGES = 5
DENSE_FEEDBACK_MIX = 0.5  # share of the user's own query vector in the feedback query vector
# A better dense side alone did not make a better hybrid here (search6, measured in one run against hybrid
# nDCG@10 dev 0.782 (0.818 / 0.747), set 1 0.743, set 2 0.701, both 0.720; semantic mode both sets 0.368). A
# passage scored by its sentences (MaxP, Dai & Callan 2019; innermost heading + each sentence embedded): max
# 0.710 both, max(passage, sentences) 0.719, 0.5 / 0.7 passage + the rest its best sentence 0.717 / 0.719 (semantic
# mode 0.385 / 0.385, dev up too); only to draw the dense candidates: 0.720. The query also embedded with its
# thesaurus / acronym phrasings (vectors summed): 0.719, semantic 0.389 (dev even 0.442 -> 0.405). The query without
# its question frame (intents.toml [chat]): 0.717, semantic 0.360. Sentences + phrasings: hybrid 0.717, semantic
# 0.401 (every set up): the feedback centroid already does the dense side's work in the hybrid.

# -- section context: a passage is also judged by the section it sits in ---------------------------------
# A passage's hybrid score plus SECTION_WEIGHT x the z-score (over the pool) of its section's BM25, the section
# taken as one document (passage retrieval with the score of the enclosing document interpolated: Bendersky &
# Kurland 2008, "Utilizing passage-based language models for document retrieval"; Ogilvie & Callan 2003, mixtures
# of document and element models; Sheetrit et al. 2020 on passage retrieval with document context). A query that
# names a section's topic then favours that section's passages over a general one holding as many of its words
# (seen on project set 2, "régie de travaux", "CCAPEX prévention des expulsions": set 1 and dev are the blind
# checks). A section runs from a heading row to the next one of its document (``section_starts``); its term counts
# are its passages' (each passage indexes its heading, so a heading word counts once per passage), its length their
# sum, its idf the passages': computed from the postings both backends read already, with no section index (the
# PostgreSQL store keeps each document's section layout once read: index/postgres/spans.py). Declared and
# measured in one run (hybrid nDCG@10, dev odd / even, project set 1, set 2, both sets; before: 0.814 / 0.744,
# 0.734, 0.697, 0.714):
# weight 0.1 0.818 / 0.747, 0.743, 0.701, 0.720; 0.05 0.820 / 0.746, 0.738, 0.694, 0.714; b 0.75 instead of
# BM25_B, 0.1: 0.811 / 0.746, 0.741, 0.700, 0.719. A section index of its own (idf over sections, its heading once,
# synonym phrases scored) measured alike, 0.1: 0.819 / 0.746, 0.743, 0.695, 0.717; 0.2 overshoots (dev odd 0.807).
# Lexical mode alike over its BM25 candidates, in z-units of their BM25 (declared and measured in lexical mode,
# dev odd / even, set 1, set 2, both: 0.766 / 0.721, 0.724, 0.666, 0.693 -> 0.777 / 0.724, 0.732, 0.681, 0.705).
# Not to be confused with adding the best pooled passage of the
# same section (b1a87c1, not kept): that passes a neighbour's score on, this scores the section's text.
SECTION_WEIGHT = 0.1

# -- result list -------------------------------------------------------------------------------------
# Two passages whose analysed term sets overlap this much (Jaccard) say the same thing (running
# headers, a synthesis sentence repeating the body, one table row per year with the same label).
NEAR_DUPLICATE_JACCARD = 0.8
# Copies of one near-duplicate family kept in a result list: the judged set credits a finding
# restated in the synthesis and in the body separately (keeping one copy costs 0.003, two cost
# nothing), but five copies of a running header or of one restated sentence help nobody.
NEAR_DUPLICATE_COPIES = 2


# -- priors -------------------------------------------------------------------------------------------
def segment_prior(kind: str, block: str) -> float:
    """Prior weight of a segment, from what it is."""
    return KIND_PRIOR.get(kind, 1.0) * BLOCK_PRIOR.get(block, 1.0)


def column_priors(columns: Columns) -> np.ndarray:
    """``segment_prior`` of each row of ``columns``, computed once per (kind, block) label pair."""
    labels = columns.labels
    table = np.array([[segment_prior(k, b) for b in [*labels["block"], ""]] for k in [*labels["kind"], ""]],
                     dtype=np.float32)
    return table[columns.codes["kind"], columns.codes["block"]]  # code -1 picks the trailing "" (unknown)


class IntentRows(Protocol):
    """Which rows hold one of the given kinds, organisms (names, any case) or themes."""

    def has_kind(self, kinds: tuple[str, ...]) -> np.ndarray: ...
    def has_organism(self, organisms: tuple[str, ...]) -> np.ndarray: ...
    def has_theme(self, themes: tuple[str, ...]) -> np.ndarray: ...


def intent_priors(priors: np.ndarray, intent: QueryIntent, rows: IntentRows) -> np.ndarray:
    """Segment ``priors`` with the passages the query points to (``read_query``: kinds, organisms, themes)
    favoured over the others. Never above ``priors`` (each off-intent factor < 1), so the bound of ``priors``
    bounds them too."""
    scale = np.ones(len(priors), dtype=np.float32)
    for wanted, has, off in ((intent.kinds, rows.has_kind, OFF_INTENT_PRIOR),
                             (intent.organisms, rows.has_organism, OFF_ORGANISM_PRIOR),
                             (intent.themes, rows.has_theme, OFF_THEME_PRIOR)):
        if wanted and off < 1.0:
            scale *= np.where(has(wanted), 1.0, off).astype(np.float32)
    return priors * scale


# -- dense feedback --------------------------------------------------------------------------------------
def feedback_scores(pool: list[int], vectors: np.ndarray, lex: dict[int, float],
                    vector: np.ndarray) -> dict[int, float]:
    """Cosines of the ``pool`` passages (``vectors``, in pool order) with the query vector moved towards
    the best lexical passages."""
    # Ties to the lower id, as ``best_hits``: the embedded store's ``lex`` comes in heap order, PostgreSQL's best first.
    best = [i for i, _ in best_scored(lex, DENSE_FEEDBACK_PASSAGES)]
    query = np.asarray(vector, dtype=np.float32).reshape(-1)
    if best:
        centroid = vectors[[pool.index(i) for i in best]].mean(axis=0)
        norm = float(np.linalg.norm(centroid))
        if norm > 1e-9:
            query = DENSE_FEEDBACK_MIX * query + (1.0 - DENSE_FEEDBACK_MIX) * centroid / norm
    return dict(zip(pool, (vectors @ query).tolist()))


# -- fusion ------------------------------------------------------------------------------------------------
def fuse(lex: dict[int, float], den: dict[int, float], params: SearchParams) -> dict[int, float]:
    """The hybrid score of each pooled candidate."""
    if params.fusion == "rrf":
        return rrf(_ranked(lex), _ranked(den), k=params.rrf_k)
    return weighted(lex, den, lexical_weight=params.lexical_weight)


def minmax(scores: np.ndarray) -> np.ndarray:
    if scores.size == 0:
        return scores
    lo, hi = float(scores.min()), float(scores.max())
    return np.zeros_like(scores) if hi - lo < 1e-9 else (scores - lo) / (hi - lo)


def zscore(scores: np.ndarray) -> np.ndarray:
    if scores.size == 0:
        return scores
    spread = float(scores.std())
    return np.zeros_like(scores) if spread < 1e-9 else (scores - float(scores.mean())) / spread


def weighted(lexical: dict[int, float], dense: dict[int, float], *, lexical_weight: float) -> dict[int, float]:
    """Weighted sum of z-normalised scores over the union of candidates (a missing score counts as the list's
    minimum)."""
    ids = list(lexical.keys() | dense.keys())
    if not ids:
        return {}
    lex = _aligned(lexical, ids)
    den = _aligned(dense, ids)
    fused = lexical_weight * zscore(lex) + (1.0 - lexical_weight) * zscore(den)
    return dict(zip(ids, fused.tolist()))


def _aligned(scores: dict[int, float], ids: list[int]) -> np.ndarray:
    floor = min(scores.values()) if scores else 0.0
    return np.fromiter(map(scores.get, ids, itertools.repeat(floor)), dtype=np.float64, count=len(ids))


def rrf(*rankings: list[int], k: int = 60) -> dict[int, float]:
    """Reciprocal-rank fusion of best-first id lists."""
    out: dict[int, float] = {}
    for ranking in rankings:
        for rank, item in enumerate(ranking):
            out[item] = out.get(item, 0.0) + 1.0 / (k + rank + 1)
    return out


def _ranked(scores: dict[int, float]) -> list[int]:
    return [i for i, _ in sorted(scores.items(), key=lambda kv: -kv[1])]


# -- section context -------------------------------------------------------------------------------------
def section_starts(heading: np.ndarray, document: np.ndarray) -> np.ndarray:
    """Whether each row, in document order, begins a section: a heading row, or a document's first row
    (``document``: any code that differs between documents)."""
    starts = np.asarray(heading, dtype=bool).copy()
    if len(starts):
        starts[0] = True
        starts[1:] |= document[1:] != document[:-1]
    return starts


def section_tf(ids: np.ndarray, tf: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Summed ``tf`` of the postings (``ids`` ascending) whose id lies in each section's [``lo``, ``hi``), in float64;
    reads the pool's sections' postings only (compiled: ``maxscore.section_sums``)."""
    return maxscore.section_sums(np.asarray(ids), np.asarray(tf), np.asarray(lo), np.asarray(hi))


def section_bm25(terms: list[tuple[np.float32, np.ndarray]], length: np.ndarray, average: float) -> np.ndarray:
    """BM25 of sections from each query term's (idf, the sections' tf) and the sections' lengths, as a passage's
    (float32 saturation, float64 sum)."""
    norm = length_norm(np.asarray(length, dtype=np.float64), average)
    total = np.zeros(len(length))
    for idf, tf in terms:
        tf = tf.astype(np.float32)
        total += idf * (tf / (tf + norm))
    return total


def with_sections(fused: dict[int, float], section: dict[int, float], *, spread: float = 1.0) -> dict[int, float]:
    """The fused scores plus SECTION_WEIGHT x the z-score, over the pool, of each passage's section score, in units
    of ``spread`` (1 for the hybrid's sum of z-scores; the lexical mode's BM25 passes its spread, so its scores
    keep their scale and rank as z(BM25) + SECTION_WEIGHT x z(section) would)."""
    if not fused:
        return fused
    ids = list(fused)
    extra = SECTION_WEIGHT * spread * zscore(_aligned(section, ids))
    return {i: fused[i] + x for i, x in zip(ids, extra.tolist())}


def lexical_with_sections(lex: dict[int, float], section: dict[int, float]) -> dict[int, float]:
    """The lexical mode's ranking: its BM25 candidates with their sections' context (``with_sections``)."""
    return with_sections(lex, section, spread=float(np.std(list(lex.values())))) if lex else lex


# -- the result list ---------------------------------------------------------------------------------------
def best_scored(scores: dict[int, float], k: int) -> list[tuple[int, float]]:
    """The ``k`` best (id, score) pairs, best first, ties to the lower id so every backend ranks alike."""
    ids = np.fromiter(scores, dtype=np.int64, count=len(scores))
    values = np.fromiter(scores.values(), dtype=np.float64, count=len(scores))
    best = np.lexsort((ids, -values))[:k]
    return list(zip(ids[best].tolist(), values[best].tolist()))


def best_hits(fused: dict[int, float], lex: dict[int, float], den: dict[int, float], k: int) -> list[Hit]:
    """The ``k`` best (``best_scored``)."""
    return [Hit(i, s, lex.get(i), den.get(i)) for i, s in best_scored(fused, k)]
