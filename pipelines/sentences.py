"""Blocks → sentences, with spaCy's French sentence recogniser.

Only prose blocks are split; a heading or table row is one unit. The statistical ``senter``
is used alone (no parser): it is about 50× faster and good enough on report prose. Its
usual slips on this register (a split after "cf." or before a closing parenthesis, or after
a bullet) are undone by joining a fragment that cannot start a sentence to the one before it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import spacy
from spacy.language import Language

from ancols_nlp.pipelines.errors import ParagraphTooLong
from ancols_nlp.pipelines.types import Block, BlockKind

PROSE: frozenset[BlockKind] = frozenset({"paragraph", "list_item"})


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int
    block: int  # index of the block it belongs to


@lru_cache(maxsize=4)
def load_sentencizer(model: str = "fr_core_news_sm") -> Language:
    """The spaCy pipeline reduced to its sentence recogniser."""
    nlp = spacy.load(model, exclude=["tok2vec", "morphologizer", "parser", "attribute_ruler", "lemmatizer", "ner"])
    nlp.enable_pipe("senter")
    return nlp


def split_sentences(nlp: Language, text: str, blocks: list[Block]) -> list[Sentence]:
    """Sentences of every block, in text order; non-prose blocks are kept whole. A prose block longer than spaCy
    reads (``nlp.max_length``) is refused with ``ParagraphTooLong``."""
    prose = [i for i, b in enumerate(blocks) if b.kind in PROSE]
    longest = max((blocks[i].end - blocks[i].start for i in prose), default=0)
    if longest > nlp.max_length:
        raise ParagraphTooLong(longest, nlp.max_length)
    # Same length as the block, so spaCy offsets are text offsets minus block.start.
    inputs = (text[blocks[i].start:blocks[i].end].replace("\n", " ") for i in prose)
    spans: dict[int, list[tuple[int, int]]] = {}
    for i, doc in zip(prose, nlp.pipe(inputs, batch_size=256)):
        base = blocks[i].start
        spans[i] = _repair([(base + s.start_char, base + s.end_char) for s in doc.sents], text)
    out = []
    for i, block in enumerate(blocks):
        for start, end in spans.get(i, [(block.start, block.end)]):
            out.append(Sentence(start, end, i))
    return out


def _repair(spans: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        head = text[start:end].lstrip()
        if not head:
            continue
        if merged and _cannot_start_sentence(head, text[merged[-1][0]:merged[-1][1]]):
            merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def _cannot_start_sentence(head: str, previous: str) -> bool:
    first = head[0]
    if first.islower() or first in ",;:)]»%":
        return True
    tail = previous.rstrip()
    if not any(c.isalnum() for c in tail):  # "- ►" split off its list item ("- ► Structure financière solide")
        return True
    # "… (cf. § 2.3.2)" and "M. Dupont": an abbreviation, not a full stop.
    return tail.endswith((" cf.", "(cf.", " M.", " MM.", " art.", " n°", " p.", " al.")) or len(head) < 3
