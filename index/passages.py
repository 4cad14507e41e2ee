"""How a segment is presented to the indexes, and which ranked hits are shown: shared by every backend."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import NamedTuple

import numpy as np

from ancols_nlp.index.analyzer import ANALYZER_VERSION, analyze
from ancols_nlp.index.embedder import Embedder
from ancols_nlp.index.ranking import NEAR_DUPLICATE_COPIES, NEAR_DUPLICATE_JACCARD
from ancols_nlp.index.query import Hit
from ancols_nlp.index.records import SegmentRow
from ancols_nlp.pipelines.french.acronyms import ACRONYMS_VERSION, Acronym, glossary_row, mine_acronyms
from ancols_nlp.pipelines.types import ProcessedDocument

# Settings keys under which a store records what its vectors and terms were computed with.
EMBEDDING_KEY = "embedding_fingerprint"
LEXICAL_KEY = "lexical_fingerprint"
# What the stored analysed terms depend on: the analyzer and what passage_context feeds it.
# Bump CONTEXT_VERSION when passage_context changes; the store then re-analyses every passage.
# The mined acronyms are stored with the terms (the same re-analysis mines them again).
CONTEXT_VERSION = "heading+text-1"
LEXICAL_FINGERPRINT = f"{ANALYZER_VERSION}|{CONTEXT_VERSION}|{ACRONYMS_VERSION}"

def passage_context(text: str, section_path: list[str]) -> str:
    """What the indexes see of a segment: its text under its innermost heading.

    The heading says what a short sentence or table row is about ("Taux de vacance | 5,4 | 7,5"
    under "Vacance et mobilité"): indexing it lifts nDCG@10 on dev from 0.700 to 0.726 (lexical)
    and 0.375 to 0.426 (semantic). Measured and not kept, for splitting the query halves: the whole
    section path (lexical odd +0.015, even −0.03), the neighbouring sentences of the section and the
    section's whole text as extra BM25 fields (recall@20 +0.03–0.04, nDCG@10 up on one half and
    down on the other).
    The returned span is the segment's own, always."""
    return f"{section_path[-1]}\n{text}" if section_path else text


def passage_vectors(embedder: Embedder, contexts: list[str]) -> np.ndarray:
    """The passages' vectors; an empty (0, dim) array for a document with no segment."""
    return embedder.encode_passages(contexts) if contexts else np.zeros((0, embedder.dimension), np.float32)


def document_contexts(doc: ProcessedDocument) -> list[str]:
    return [passage_context(s.text, s.section_path) for s in doc.segments]


@dataclass(frozen=True)
class IndexedPassages:
    """What every store writes for a document's segments, in segment order."""

    contexts: list[str]
    vectors: np.ndarray
    terms: list[list[str]]
    acronyms: tuple[Acronym, ...]  # those the document defines, for query expansion


def indexed_passages(doc: ProcessedDocument, embedder: Embedder, vectors: np.ndarray | None = None) -> IndexedPassages:
    """The segments' indexed texts, vectors (computed unless a distributed ingestion brings them) and terms, and
    the acronyms the document defines."""
    contexts = document_contexts(doc)
    if vectors is None:
        vectors = passage_vectors(embedder, contexts)
    return IndexedPassages(contexts, vectors, [analyze(c) for c in contexts], mine_acronyms(doc.source.text))


# Letters whose folded form holds a space (NFKD of U+037A and of Arabic ligatures such as U+FDFA): stored
# space-separated, such a term reads back as several, so a text holding one is analysed again.
SPACED_FOLD = re.compile("[\u037a\ufc5e-\ufc63\ufdfa\ufdfb\ufe70-\ufe7e]")


class CandidateText(NamedTuple):
    """What the near-duplicate pass reads of a candidate: its text and, when the store keeps them, the analysed
    terms of its ``passage_context`` (space-separated, as stored) and the heading that context starts with; and
    what the sentence grain ranks without reading the row whole: its document offsets and stored sentence spans."""

    text: str
    passage_terms: str | None = None  # None: the text is analysed again
    heading: str | None = None  # the innermost heading of its section path, None when it has none
    start: int = 0
    end: int = 0
    # the row's ``sentences`` as stored (JSON), or as read already (a row read whole); None when it has none
    sentence_spans: str | list[tuple[int, int]] | None = None

    def terms(self) -> frozenset[str]:
        """The text's own analysed words (``text_terms``), from the stored terms when there are some."""
        if self.passage_terms is None or SPACED_FOLD.search(self.text):
            return text_terms(self.text)
        terms = self.passage_terms.split()
        return frozenset(terms[heading_length(self.heading):] if self.heading is not None else terms)

    @property
    def sentences(self) -> list[tuple[int, int]]:
        """As ``SegmentRow.sentences``: parsed only for the candidates a ranking reaches."""
        spans = self.sentence_spans
        return [tuple(span) for span in json.loads(spans)] if isinstance(spans, str) else spans or []


def row_text(row: SegmentRow) -> CandidateText:
    """A row read whole as what the near-duplicate pass and the sentence grain read of it (a store that reads
    candidates' rows whole: its text is analysed again; its sentences, parsed with the row, are not written back to
    JSON to be parsed again)."""
    return CandidateText(row.text, None, None, row.start, row.end, row.sentences or None)


class TextsAsReached:
    """Candidate texts read a chunk at a time, as the near-duplicate pass reaches them: a search rarely goes through
    all of its k × 3 candidates (the sentence grain's ranking stops once no later passage can place a sentence),
    and a text costs SQLite and JSON work. One search's cuts (``Passages.wider``) share it."""

    def __init__(self, read: Callable[[list[int]], dict[int, CandidateText]]):
        self._read = read
        self._ids: list[int] = []  # the candidates met, best first
        self._position: dict[int, int] = {}
        self._texts: dict[int, CandidateText] = {}
        self._done = 0  # how many of ``_ids`` were read
        self._chunk = 1

    def extend(self, hits: list[Hit], chunk: int) -> None:
        """The candidates of a cut, best first (those not met yet join the end), then read ``chunk`` at a time."""
        for hit in hits:
            if hit.id not in self._position:
                self._position[hit.id] = len(self._ids)
                self._ids.append(hit.id)
        self._chunk = chunk

    def get(self, uid: int) -> CandidateText | None:
        position = self._position[uid]
        if position >= self._done:
            end = max(position + 1, self._done + self._chunk)
            self._texts.update(self._read(self._ids[self._done:end]))
            self._done = end
        return self._texts.get(uid)


class Distinct:
    """``distinct``'s hits drawn one at a time with their texts, so that a caller that needs only the first few
    (the sentence grain, ``grain.ranked``) compares only those; ``ceiling`` bounds the score of any not drawn yet."""

    def __init__(self, hits: list[Hit], texts: dict[int, CandidateText] | TextsAsReached, k: int):
        self._hits, self._texts, self._k = hits, texts, k
        self._after = list(accumulate(reversed([h.score for h in hits]), max))[::-1]  # best score from here on
        self._position = 0  # of the next candidate to read
        self._glossary: list[tuple[Hit, CandidateText]] = []  # read only as far as the k shown go (~14 us a text)
        self._seen: set[str] = set()
        self._kept: list[frozenset[str]] = []
        self._drawn = self._draw()

    def __iter__(self) -> Iterator[tuple[Hit, CandidateText]]:
        return self._drawn

    def ceiling(self) -> float:
        """No hit drawn after now scores more."""
        later = self._after[self._position] if self._position < len(self._hits) else -math.inf
        return max([later] + [hit.score for hit, _ in self._glossary])

    def _draw(self) -> Iterator[tuple[Hit, CandidateText]]:
        while self._position < len(self._hits) and len(self._kept) < self._k:
            hit = self._hits[self._position]
            self._position += 1
            candidate = self._texts.get(hit.id)
            if candidate is None:
                continue
            if glossary_row(candidate.text):
                self._glossary.append((hit, candidate))
            elif self._shown(candidate):
                yield hit, candidate
        while self._glossary and len(self._kept) < self._k:
            hit, candidate = self._glossary.pop(0)
            if self._shown(candidate):
                yield hit, candidate

    def _shown(self, candidate: CandidateText) -> bool:
        key = " ".join(candidate.text.lower().split())
        if key in self._seen:
            return False
        terms = candidate.terms()
        if terms and near_copied(terms, self._kept):
            return False
        self._seen.add(key)
        self._kept.append(terms)
        return True


def distinct(hits: list[Hit], texts: dict[int, CandidateText], k: int) -> list[Hit]:
    """Drop repeats: a hit whose text (case and spacing aside) is already ranked, or whose analysed
    words overlap those of NEAR_DUPLICATE_COPIES ranked hits by Jaccard ≥ NEAR_DUPLICATE_JACCARD
    (running headers, the synthesis restating a finding of the body). The text alone is compared,
    not the heading it is indexed under: a restated finding sits under another heading. Stops at ``k``.

    A glossary's row ("CCAPEX | Commission de coordination des actions de prévention des expulsions",
    ``glossary_row``) comes after the other candidates: it holds the words of a query about the topic it names,
    but it is reference, not an answer (none of the judged ones is relevant). Hybrid nDCG@10, dev odd / even, set
    1, set 2: 0.809 / 0.744, 0.730, 0.695 -> 0.814 / 0.744, 0.734, 0.697 (set 2's failures showed it; set 1 and
    dev are blind for it)."""
    return [hit for hit, _ in Distinct(hits, texts, k)]


def near_copied(terms: frozenset[str], kept: list[frozenset[str]]) -> bool:
    """Whether ``NEAR_DUPLICATE_COPIES`` of ``kept`` overlap ``terms`` by Jaccard ≥ ``NEAR_DUPLICATE_JACCARD``. Two
    sets' Jaccard is at most the ratio of their sizes (so is its rounded value): a pair whose sizes differ more than
    that allows is not intersected (the pass compared every drawn passage with every kept one, ~40 candidates
    a sentence search at 1M)."""
    size, copies = len(terms), 0
    for other in kept:
        length = len(other)
        if (size / length if size < length else length / size) < NEAR_DUPLICATE_JACCARD:
            continue
        if jaccard(terms, other) >= NEAR_DUPLICATE_JACCARD:
            copies += 1
            if copies == NEAR_DUPLICATE_COPIES:
                return True
    return False


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not (a and b):
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)  # the union's size, without building it


@lru_cache(maxsize=20_000)
def text_terms(text: str) -> frozenset[str]:
    """A passage's analysed words: the same top passages come back across queries."""
    return frozenset(analyze(text))


@lru_cache(maxsize=20_000)
def heading_length(heading: str) -> int:
    """How many of a passage's stored terms its heading gave: ``analyze`` reads word by word, and neither a word
    nor an elision runs across the newline ``passage_context`` puts after the heading, so a passage's terms are
    its heading's followed by its text's. Reading the text's terms so costs a split; analysing it again costs
    regex passes and a stemmer look-up a word, and at 1M few candidate texts repeat across queries (the
    near-duplicate pass: 1.2 -> 0.7 ms of CPU a hybrid request at 1M, reading the terms +0.13 ms). Headings
    repeat across passages."""
    return len(analyze(heading))
