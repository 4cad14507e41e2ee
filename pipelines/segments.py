"""Classified sentences → citable segments.

A segment is a sentence or a run of sentences of the same kind inside one block, cut before
it grows past ``max_chars`` so a search hit stays small enough to cite. A segment carries one stance,
so with the sentences' ``stances`` an organism's answer is also cut where it turns from, say,
acknowledging to committing.
"""

from __future__ import annotations

from collections.abc import Sequence

from ancols_nlp.pipelines.sentences import Sentence
from ancols_nlp.pipelines.types import Block, KindPrediction, Segment

MAX_CHARS = 600


def group(text: str, blocks: list[Block], sentences: list[Sentence], kinds: list[KindPrediction],
          *, max_chars: int = MAX_CHARS, stances: Sequence[str | None] | None = None) -> list[Segment]:
    """Merge neighbouring same-kind sentences of one block into segments (and of the same stance, when given)."""
    segments: list[Segment] = []
    run: list[int] = []

    def flush() -> None:
        if not run:
            return
        first, last = sentences[run[0]], sentences[run[-1]]
        scores = {k: sum(kinds[i].scores.get(k, 0.0) for i in run) / len(run) for k in kinds[run[0]].scores}
        segments.append(Segment(id=len(segments), start=first.start, end=last.end, text=text[first.start:last.end],
                                block=blocks[first.block].kind, kind=kinds[run[0]].kind, kind_scores=scores,
                                sentences=[(sentences[i].start, sentences[i].end) for i in run]))
        run.clear()

    for i, sentence in enumerate(sentences):
        if run:
            head = sentences[run[0]]
            same = (sentence.block == head.block and kinds[i].kind == kinds[run[0]].kind
                    and (stances is None or stances[i] == stances[run[0]]))
            if not same or sentence.end - head.start > max_chars:
                flush()
        run.append(i)
    flush()
    return segments
