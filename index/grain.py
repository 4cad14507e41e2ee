"""Sentence-sized results: the sentences of a search's best passages, ranked as ``bench/subpassage_eval.py`` measured.

The judged units are the documents' lines and our passages paragraphs, so a passage takes one gain where the ideal
list counts each line (``bench/search_ceiling.py``). With the sentence grain the stored sentences of the hybrid's
top ``POOL`` passages are ranked instead: a sentence scores its passage's fused score + ``TERM_WEIGHT`` × the share
of the query's analysed terms it holds (a word the search respelled or corrected counts as the spelling it searched,
``query_terms``), less ``REPEAT_PENALTY`` for each sentence of its passage holding more of
them (or as many, earlier); ties go to the better passage, then to the earlier sentence. The penalty keeps one
found passage from filling the list with its sentences that hold few or none of the query's words, each a result
where the passage was one (bench ``subpassage_eval.py``'s A05d, ``--check`` proves the same top 10s; pooled over
the blind sets 3-7, 150 queries, nDCG@10 passages 0.635, sentences without the penalty 0.696, with it 0.703; dev
0.802, 0.792, 0.813). A passage stored before its sentences were kept is one piece, whole.

What it costs is kept near a passage search's (``bench/query_cpu.py --grains``):
- a sentence scores at most its passage's score + ``TERM_WEIGHT`` (the penalty only lowers it), so the passages
  are drawn best first (``SegmentStore.passages``: the near-duplicate pass goes no further than they) until no
  later one can place a sentence in the top k, each ranked from its candidate text, and only the rows of the
  passages shown are read whole; the store is first asked for ``FIRST`` × k passages, the whole pool only when
  those cannot settle the top k (the store's passages come in score order, so a shorter pool is a prefix of the
  longer one), never again when ``FIRST`` × k passages are the pool or every passage the filters let through;
- a sentence's terms are read off its words (the highlighter's ``TOKEN``, each word analysed once and cached):
  nothing is split or analysed whole at query time.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain

from ancols_nlp.index.analyzer import TOKEN, analyze
from ancols_nlp.index.expansion import Expansion
from ancols_nlp.index.highlight import token_terms
from ancols_nlp.index.interface import Passages, SearchOutcome, SegmentStore
from ancols_nlp.index.passages import CandidateText
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
    pool = max(k, POOL)
    asked = min(FIRST * k, pool)
    found = store.passages(query, k=asked, filters=filters, params=params)
    terms = query_terms(query, found.expansion)
    best, scores = ranked(found, terms, k)
    # ``scores`` is None when the ranking stopped early: then its k-th sentence beats any passage left out by
    # TERM_WEIGHT. Else no passage left out scores more than the lowest read, and the pool holds more only when it
    # was not asked already and the filters let more passages through; a query holding nothing to look for is
    # refused (``GET /search``'s 422) whatever it finds.
    more = scores is not None and asked < pool and len(scores) < found.total and found.expansion.searchable
    if more and not (len(best) == k and best[-1][0] >= min(scores, default=0.0) + TERM_WEIGHT):
        found = found.wider(pool)
        best, scores = ranked(found, terms, k)
    rows = found.read_rows(sorted({hit.id for _, _, _, hit, _, _ in best}))  # only the passages shown
    shown = {hit.id: hit for _, _, _, hit, _, _ in best if hit.id in rows}  # a deleted document's are not
    return (SearchOutcome(list(shown.values()), rows, found.facets, found.total, found.expansion),
            [Piece(hit, rows[hit.id], start, end, score) for score, _, _, hit, start, end in best if hit.id in rows])


Ranked = tuple[float, int, int, Hit, int, int]  # score, -rank, -position, passage, start, end


def ranked(found: Passages, terms: QueryTerms, k: int) -> tuple[list[Ranked], list[float] | None]:
    """The best ``k`` sentences of ``found``'s passages, drawing passages only while one could still place (the
    near-duplicate pass and the texts go no further); and the scores of every passage drawn when all were, None
    when the ranking stopped before."""
    top: list[Ranked] = []  # a min-heap of the best k
    scores: list[float] = []
    for rank, (hit, text) in enumerate(found.drawn):
        scores.append(hit.score)
        shares = sentence_shares(text, terms)
        for before, position in enumerate(sorted(range(len(shares)), key=lambda n: (-shares[n][2], n))):
            start, end, share = shares[position]
            entry = (hit.score + TERM_WEIGHT * share - REPEAT_PENALTY * before, -rank, -position, hit, start, end)
            if len(top) < k:
                heapq.heappush(top, entry)
            elif entry[:3] > top[0][:3]:
                heapq.heapreplace(top, entry)
        # No passage drawn later scores more than the ceiling, and none left out more than this one: a tie goes
        # to the earlier passage.
        if len(top) == k and top[0][0] >= max(found.drawn.ceiling(), hit.score) + TERM_WEIGHT:
            return sorted(top, key=lambda e: e[:3], reverse=True), None
    return sorted(top, key=lambda e: e[:3], reverse=True), scores


@dataclass(frozen=True)
class QueryTerms:
    """The query's analysed terms, numbered, and the terms that stand for one of them (``query_terms``)."""

    numbers: dict[str, int]  # a term a sentence may hold → the number of the query's term it is or stands for
    count: int  # the query's terms

    def held(self, terms: Iterable[str]) -> set[int]:
        """The numbers of the query's terms that ``terms`` (a sentence's) are or stand for."""
        return {self.numbers[t] for t in self.numbers.keys() & terms}

    def share(self, held: Iterable[str]) -> float:
        """The share of the query's terms that the terms ``held`` (a sentence's) are or stand for."""
        return len(self.held(held)) / self.count if self.count else 0.0


def query_terms(query: str, expansion: Expansion) -> QueryTerms:
    """The query's analysed terms and those that stand for one of them, as the ``expansion`` that searched it records
    them: the accented spelling's of a word typed without its accents that the search respelled
    (``Expansion.respelled``) and the correction's of a misspelt word (``Expansion.corrected``). Both are the user's
    own word as the search read it, so a sentence holding "impayés" or "recouvrement" holds "impayes" or
    "recouvrment" at full weight; a synonym phrase is not the user's word and stands for none (measured at weight
    0.35: no change)."""
    numbers = {term: n for n, term in enumerate(dict.fromkeys(analyze(query)))}
    count = len(numbers)
    for typed, spelling in expansion.respelled + expansion.corrected:
        own = analyze(typed)
        if len(own) == 1 and own[0] in numbers:
            for term in analyze(spelling):
                numbers.setdefault(term, numbers[own[0]])
    return QueryTerms(numbers, count)


def sentence_shares(row: SegmentRow | CandidateText, terms: QueryTerms) -> list[tuple[int, int, float]]:
    """Each stored sentence of ``row`` (the whole passage when none is stored) and the share of the query's terms it
    holds (``query_terms``: a term or one that stands for it)."""
    spans = row.sentences or [(row.start, row.end)]
    if not terms.count:
        return [(start, end, 0.0) for start, end in spans]
    shares = []
    for start, end in spans:
        words = set(TOKEN.findall(row.text, start - row.start, end - row.start))
        shares.append((start, end, terms.share(chain.from_iterable(map(token_terms, words)))))
    return shares
