"""Every tuned constant of the search ranking, in one place, with why it has its value.

Figures are dev-set nDCG@10 (20 queries, hybrid mode unless said) from ``bench/search_eval.py``,
each measured by removing that one element from the shipped ranking; every element kept improves
both halves of the queries (odd/even), or leaves one unchanged. Values are round on purpose and
sit on plateaus: moving any of them by ±0.1 (±2 passages for the feedback) moves nDCG@10 by at
most 0.013. Shipped: hybrid 0.751, lexical 0.726, semantic 0.426.
"""

from __future__ import annotations

# -- lexical (BM25 over the segment text under its innermost heading) ---------------------------
BM25_K1 = 1.2
# Segments are sentences, table rows and list items whose length varies 100-fold; with the usual
# b=0.75 the shortest fragments (a heading echoed into a table cell, "- Occupation sociale du parc,")
# win on length alone. b=0.4 keeps some normalisation (b=0.75 → 0.4: 0.710 → 0.751; lexical mode
# 0.677 → 0.726).
BM25_B = 0.4
# A synonym from the thesaurus (pipelines/french) or a mined acronym is evidence, but weaker than the
# user's own word. A plateau on dev (bench/language_ablation.py, hybrid nDCG@10 odd/even): 0.2 → 0.814/0.736,
# 0.35 → 0.807/0.741, 0.5 → 0.808/0.743.
SYNONYM_WEIGHT = 0.35
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
# without the intents, hybrid nDCG@10 even 0.741 → 0.740, odd unchanged; bench/language_ablation.py).
OFF_INTENT_PRIOR = 0.5

# -- hybrid: the dense model re-scores lexical candidates -------------------------------------------
# The offline USE model is a poor retriever here on its own (0.31 plain, 0.43 with the priors) but
# a useful second opinion.
# Its query vector is moved halfway towards the mean vector of the best lexical passages
# (pseudo-relevance feedback in vector space, Rocchio-style): passage-to-passage similarity is
# what USE does well, short-query-to-passage much less so. 0.728 → 0.751, +0.023 on each half:
# without it the hybrid is hardly better than BM25 alone (0.726).
DENSE_FEEDBACK_PASSAGES = 5
DENSE_FEEDBACK_MIX = 0.5  # share of the user's own query vector in the feedback query vector

# -- result list -------------------------------------------------------------------------------------
# Two passages whose analysed term sets overlap this much (Jaccard) say the same thing (running
# headers, a synthesis sentence repeating the body, one table row per year with the same label).
NEAR_DUPLICATE_JACCARD = 0.8
# Copies of one near-duplicate family kept in a result list: the judged set credits a finding
# restated in the synthesis and in the body separately (keeping one copy costs 0.003, two cost
# nothing), but five copies of a running header or of one restated sentence help nobody.
NEAR_DUPLICATE_COPIES = 2


def segment_prior(kind: str, block: str) -> float:
    """Prior weight of a segment, from what it is."""
    return KIND_PRIOR.get(kind, 1.0) * BLOCK_PRIOR.get(block, 1.0)
