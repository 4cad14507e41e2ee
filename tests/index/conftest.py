"""Helpers for the index tests: documents built from real report sentences, and a small
deterministic embedder (hashed bag of analysed words) so no model has to load."""

from __future__ import annotations

import hashlib
from dataclasses import replace

import numpy as np
import pytest

from ancols_nlp.index.analyzer import analyze
from ancols_nlp.pipelines.types import DocumentMeta, ProcessedDocument, Section, Segment, SourceText


class HashEmbedder:
    """Unit vectors of hashed analysed words: texts sharing words are close, as a real model's would be."""

    fingerprint = "hash-bow@test|dim=64"
    dimension = 64

    def _vector(self, text: str) -> np.ndarray:
        v = np.zeros(self.dimension, dtype=np.float32)
        for term in analyze(text):
            v[int(hashlib.md5(term.encode()).hexdigest(), 16) % self.dimension] += 1.0
        norm = np.linalg.norm(v)
        return v / norm if norm else v

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dimension), np.float32)

    def expect_query(self, text: str) -> None:
        pass  # one query at a time

    def encode_query(self, text: str) -> np.ndarray:
        return self._vector(text)


def make_document(items: list[tuple], *, organism: str = "SA HLM Test", year: int = 2017,
                  doc_type: str = "report") -> ProcessedDocument:
    """A processed document from (text, kind, block, heading[, themes]) tuples, laid out one per paragraph."""
    text, segments, sections = "", [], []
    for n, item in enumerate(items):
        body, kind, block, heading = item[:4]
        themes = list(item[4]) if len(item) > 4 else []
        start = len(text)
        text += body + "\n\n"
        segments.append(Segment(id=n, start=start, end=start + len(body), text=body, block=block, kind=kind,
                                themes=themes, section_path=[heading] if heading else []))
        if heading and (not sections or sections[-1].title != heading):
            sections.append(Section(id=len(sections), title=heading, level=1, start=start, end=start))
    source = SourceText(text=text, media_type="text/plain")
    meta = DocumentMeta(doc_type=doc_type, title="Rapport de contrôle", organism=organism, year=year)
    return ProcessedDocument(source=source, meta=meta, sections=sections, segments=segments)


def paragraph_documents(corpus_texts: dict[str, str], copies: int) -> dict[str, ProcessedDocument]:
    """The corpus reports' paragraphs as documents of a few hundred segments each, ``copies`` times over
    (each copy's texts marked apart): a short line is a heading, as the segmenter would make it."""
    docs = {}
    for copy in range(copies):
        for name, text in corpus_texts.items():
            paragraphs = [p.strip() for p in text.split("\n\n") if len(p.strip()) > 20]
            items = [(f"{p} (copie {copy})", "other" if len(p) < 80 else "observation",
                      "heading" if len(p) < 80 else "paragraph", "Constats") for p in paragraphs]
            docs[f"{copy}-{name}"] = make_document(items, organism=f"Organisme {copy}", year=2015 + copy)
    return docs


@pytest.fixture
def embedder() -> HashEmbedder:
    return HashEmbedder()


def two_files_of_one_report(text: str, number: str | None = "2016-051", date: str | None = None,
                            organism: str = "Logidia") -> tuple[ProcessedDocument, ProcessedDocument]:
    """One report's paragraphs as read from two files of it (its PDF and its .docx): the second misses every fourth
    paragraph (a table laid out otherwise), both name the same report number (or, as a reply letter naming none,
    date) and organism."""
    paragraphs = [p.strip() for p in text.split("\n\n") if len(p.strip()) > 20]
    first, second = (make_document([(p, "observation", "paragraph", "Constats") for p in kept], organism=organism)
                     for kept in (paragraphs, [p for n, p in enumerate(paragraphs) if n % 4 != 3]))
    return tuple(replace(doc, meta=replace(doc.meta, report_number=number, date=date)) for doc in (first, second))
