"""The whole pipeline as one pure function: bytes → ProcessedDocument.

Each step is a function of the previous step's output, so a step can be tested, replaced or
run on another machine (e.g. as a Ray stage) on its own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from spacy.language import Language

from ancols_nlp.pipelines import layout
from ancols_nlp.pipelines.doctype import read_meta
from ancols_nlp.pipelines.errors import EmptyDocument
from ancols_nlp.pipelines.extract import TEXT_SUFFIXES
from ancols_nlp.pipelines.front_matter import front_matter
from ancols_nlp.pipelines.indicators import indicators
from ancols_nlp.pipelines.links import link_rebuttals
from ancols_nlp.pipelines.protocols import Models
from ancols_nlp.pipelines.sections import outline, section_path
from ancols_nlp.pipelines.segments import group
from ancols_nlp.pipelines.sentences import split_sentences
from ancols_nlp.pipelines.themes import inherit_themes, tag_sections, tag_segments
from ancols_nlp.pipelines.types import DocumentMeta, ProcessedDocument, Segment, SentenceContext, SourceText


@dataclass(frozen=True)
class Reading:
    """The text as the steps read it (``read_as_newlines``, a front matter blanked) and the document's metadata:
    all a near-duplicate check needs (index/near_duplicates.py), read in milliseconds before the models run."""

    text: str
    meta: DocumentMeta


def read_source(source: SourceText) -> Reading:
    text = read_as_newlines(source.text)
    front = front_matter(text) if source.media_type in TEXT_SUFFIXES.values() else None
    if front:  # a static-site export's metadata: read as blank, its title as the document's first line
        text = front.blanked(text)
        if not any(c.isalnum() for c in text):  # else stored as a document of no passage
            raise EmptyDocument("The file holds no text but its front matter (the metadata between its first "
                                "--- or +++ lines).")
    meta = read_meta(f"{front.title}\n{text}" if front and front.title else text)
    if front and front.title:  # the title its author chose, over a letter's read past its salutation
        meta = replace(meta, title=front.title[:200])
    return Reading(text, meta)


def process_text(source: SourceText, *, nlp: Language, models: Models,
                 reading: Reading | None = None) -> ProcessedDocument:
    """``reading``: ``read_source(source)`` when the caller has read it already."""
    reading = reading or read_source(source)
    text, meta = reading.text, reading.meta
    blocks = layout.blocks(text)
    sections = outline(text, blocks)
    sentences = split_sentences(nlp, text, blocks)
    paths = [tuple(section_path(sections, s.start)) for s in sentences]
    contexts = [
        SentenceContext(text=text[s.start:s.end], block=blocks[s.block].kind, doc_type=meta.doc_type,
                        section_path=path, previous=text[sentences[i - 1].start:sentences[i - 1].end] if i else "",
                        next=text[sentences[i + 1].start:sentences[i + 1].end] if i + 1 < len(sentences) else "",
                        start=s.start, end=s.end, block_start=blocks[s.block].start, block_end=blocks[s.block].end)
        for i, (s, path) in enumerate(zip(sentences, paths))
    ]
    kinds = models.kinds(contexts)
    stances = [models.stance(c.text) if k.kind == "rebuttal" else None for c, k in zip(contexts, kinds)]
    segments = group(source.text, blocks, sentences, kinds, stances=stances)
    runs = group(source.text, blocks, sentences, kinds)  # what themes are read on: an answer's topic spans its stances
    page_at = source.page_finder()
    for segment in (*segments, *runs):
        _place(segment, page_at, sections)
    tag_segments(runs, contexts, models.themes)
    inherit_themes(segments, runs)
    tag_sections(sections, segments)
    link_rebuttals(segments, text, models.stance)
    return ProcessedDocument(source=source, meta=meta, sections=sections, segments=segments,
                             indicators=indicators(text))


def read_as_newlines(text: str) -> str:
    """The text as the steps read it: Windows (CRLF) and classic Mac (CR) line ends as "\\n", a leading byte order
    mark as a space. Each replacement keeps the length, so every offset still indexes the text as uploaded, which
    is what is stored and what segments quote."""
    text = text.replace("\r\n", " \n").replace("\r", "\n")
    return " " + text[1:] if text.startswith("\ufeff") else text


def _place(segment: Segment, page_at: Callable[[int], int | None], sections) -> None:
    """Section path and pages of a segment."""
    segment.section_path = section_path(sections, segment.start)
    segment.page_start = page_at(segment.start)
    segment.page_end = page_at(max(segment.start, segment.end - 1))
