"""Sentence-sized results: the sentences of a search's best passages, ranked as ``bench/subpassage_eval.py`` measured.

The judged units are the documents' lines and our passages paragraphs, so a passage takes one gain where the ideal
list counts each line (``bench/search_ceiling.py``). With the sentence grain the stored sentences of the hybrid's
top ``POOL`` passages are ranked instead: a sentence scores its passage's fused score + ``TERM_WEIGHT`` × the share
of the query's analysed terms it holds, less ``REPEAT_PENALTY`` for each sentence of its passage holding more of
them (or as many, earlier); ties go to the better passage, then to the earlier sentence. The penalty keeps one
found passage from filling the list with its sentences that hold few or none of the query's words, each a result
where the passage was one (bench ``subpassage_eval.py``'s A05d, ``--check`` proves the same top 10s; pooled over
the blind sets 3-7, 150 queries, nDCG@10 passages 0.635, sentences without the penalty 0.696, with it 0.703; dev
0.802, 0.792, 0.813). A passage stored before its sentences were kept is one piece, whole.

What it costs is kept near a passage search's (``bench/query_cpu.py --grains``):
- a sentence scores at most its passage's score + ``TERM_WEIGHT`` (the penalty only lowers it), so the passages
  are read best first until no later one can place a sentence in the top k, and the store is first asked for
  ``FIRST`` × k passages, the whole pool only when those cannot settle the top k (the store's passages come in
  score order, so a shorter pool is a prefix of the longer one), never again when ``FIRST`` × k passages are the
  pool or every passage the filters let through;
- a sentence's terms are read off its words (the highlighter's ``TOKEN``, each word analysed once and cached):
  nothing is split or analysed whole at query time.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from itertools import accumulate, chain

from ancols_nlp.index.analyzer import TOKEN, analyze
from ancols_nlp.index.highlight import token_terms
from ancols_nlp.index.interface import SearchOutcome, SegmentStore
from ancols_nlp.index.query import Filters, Grain, Hit, SearchParams
from ancols_nlp.index.records import SegmentRow

POOL = 50  # passages whose sentences are ranked
FIRST = 2  # × k: the passages asked for first (k = 10: 3 % of 166 queries of every set needed more than 20)
TERM_WEIGHT = 0.5
REPEAT_PENALTY = 0.3  # taken off a sentence for each sentence of its passage that ranks before it


@dataclass(frozen=True)
class Piece:
    """A result: a span of one found passage (the whole of it with the passage grain) and its score."""

    hit: Hit
    row: SegmentRow
    start: int
    end: int
    score: float

    @property
    def text(self) -> str:
        return self.row.text[self.start - self.row.start:self.end - self.row.start]

    @property
    def whole(self) -> bool:
        return (self.start, self.end) == (self.row.start, self.row.end)


def search(store: SegmentStore, query: str, *, k: int, filters: Filters, params: SearchParams,
           grain: Grain) -> tuple[SearchOutcome, list[Piece]]:
    """The store's search of ``query`` and its best ``k`` results at ``grain``."""
    if grain == "passage":
        outcome = store.search(query, k=k, filters=filters, params=params)
        return outcome, [Piece(h, row, row.start, row.end, h.score) for h in outcome.hits
                         for row in (outcome.rows[h.id],)]
    terms = frozenset(analyze(query))
    pool = max(k, POOL)
    asked = min(FIRST * k, pool)
    outcome = store.search(query, k=asked, filters=filters, params=params)
    best = ranked(outcome, terms, k)
    rest = min((h.score for h in outcome.hits), default=0.0)  # no passage left out scores more
    # The pool holds more only when it was not asked already and the filters let more passages through; a query
    # holding nothing to look for is refused (``GET /search``'s 422) whatever it finds.
    more = asked < pool and len(outcome.hits) < outcome.total and outcome.expansion.searchable
    if more and not (len(best) == k and best[-1].score >= rest + TERM_WEIGHT):
        outcome = store.search(query, k=pool, filters=filters, params=params)
        best = ranked(outcome, terms, k)
    return outcome, best


def ranked(outcome: SearchOutcome, terms: frozenset[str], k: int) -> list[Piece]:
    """The best ``k`` sentences of ``outcome``'s passages, reading passages only while one could still place."""
    hits = outcome.hits
    bound = list(accumulate(reversed([h.score for h in hits]), max))[::-1]  # best passage score from here on
    top: list[tuple[float, int, int, Piece]] = []  # a min-heap of the best k: (score, -rank, -position, piece)
    for rank, hit in enumerate(hits):
        if len(top) == k and top[0][0] >= bound[rank] + TERM_WEIGHT:  # a tie goes to the earlier passage
            break
        row = outcome.rows[hit.id]
        shares = sentence_shares(row, terms)
        for before, position in enumerate(sorted(range(len(shares)), key=lambda n: (-shares[n][2], n))):
            start, end, share = shares[position]
            score = hit.score + TERM_WEIGHT * share - REPEAT_PENALTY * before
            entry = (score, -rank, -position, Piece(hit, row, start, end, score))
            if len(top) < k:
                heapq.heappush(top, entry)
            elif entry[:3] > top[0][:3]:
                heapq.heapreplace(top, entry)
    return [entry[-1] for entry in sorted(top, key=lambda e: e[:3], reverse=True)]


def sentence_shares(row: SegmentRow, terms: frozenset[str]) -> list[tuple[int, int, float]]:
    """Each stored sentence of ``row`` (the whole passage when none is stored) and the share of ``terms`` it holds."""
    spans = row.sentences or [(row.start, row.end)]
    if not terms:
        return [(start, end, 0.0) for start, end in spans]
    shares = []
    for start, end in spans:
        words = set(TOKEN.findall(row.text, start - row.start, end - row.start))
        shares.append((start, end, len(terms.intersection(chain.from_iterable(map(token_terms, words)))) / len(terms)))
    return shares
