"""Inline gold for readable tests: ``"<rec theme=vacance>La société doit…</rec> <obs>Le taux…</obs>"``.

``parse`` returns the plain text and the expected spans, so a test states text and labels in
one place and a reviewer can read both at a glance.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ancols_nlp.models.shipped import load_models
from ancols_nlp.pipelines.process import process_text
from ancols_nlp.pipelines.protocols import Models
from ancols_nlp.pipelines.sentences import load_sentencizer
from ancols_nlp.pipelines.types import SourceText

TAGS = {"obs": "observation", "rec": "recommendation", "reb": "rebuttal", "other": "other"}
TAG = re.compile(r"<(obs|rec|reb|other)(?:\s+theme=(\w+))?>(.*?)</\1>", re.DOTALL)


@dataclass(frozen=True)
class GoldSpan:
    start: int
    end: int
    kind: str
    theme: str | None


def parse(marked: str) -> tuple[str, list[GoldSpan]]:
    text, spans, last = [], [], 0
    length = 0
    for match in TAG.finditer(marked):
        before = marked[last:match.start()]
        text.append(before)
        length += len(before)
        inner = match.group(3)
        spans.append(GoldSpan(length, length + len(inner), TAGS[match.group(1)], match.group(2)))
        text.append(inner)
        length += len(inner)
        last = match.end()
    text.append(marked[last:])
    return "".join(text), spans


@lru_cache(maxsize=1)
def shipped_models() -> Models:
    """The service's models, loaded once for the whole test session."""
    return load_models()


def process_marked(marked: str, models: Models | None = None):
    """Run the text pipeline on inline-gold text (with the shipped models unless told): (plain text, gold spans,
    processed document)."""
    text, gold = parse(marked)
    doc = process_text(SourceText(text, "text/markdown"), nlp=load_sentencizer(), models=models or shipped_models())
    return text, gold, doc


def covering(doc, span: GoldSpan):
    """The segment that covers most of ``span``, as the scorer picks it."""
    return max(doc.segments, key=lambda s: min(s.end, span.end) - max(s.start, span.start))
