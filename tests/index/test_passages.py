"""The near-duplicate pass reads a candidate's words from its stored terms: the same words as analysing its text,
on the corpus reports' paragraphs under the headings that precede them."""

from __future__ import annotations

import re
from itertools import combinations

from ancols_nlp.index.analyzer import analyze
from ancols_nlp.index.passages import SPACED_FOLD, CandidateText, jaccard, near_copied, text_terms
from ancols_nlp.index.ranking import NEAR_DUPLICATE_COPIES, NEAR_DUPLICATE_JACCARD
from ancols_nlp.pipelines.french import fold
from ancols_nlp.index.store import Store
from tests.index.conftest import make_document


def _report(text: str) -> list[tuple]:
    """A report's paragraphs under the last short line before each (a heading, as the segmenter would make it);
    the first ones under none."""
    items, heading = [], ""
    for paragraph in (p.strip() for p in text.split("\n\n")):
        if 0 < len(paragraph) < 80 and "\n" not in paragraph:
            heading = paragraph
        elif paragraph:
            items.append((paragraph, "observation", "paragraph", heading))
    return items


def test_stored_terms_give_each_texts_own_words(tmp_path, embedder, corpus_texts):
    store = Store(tmp_path / "data", embedder)
    try:
        for name, text in corpus_texts.items():
            store.add(make_document(_report(text)), filename=name, data=name.encode())
        store.add(make_document([  # elisions and numbers at the seam between a heading and its text
            ("l'organisme n'a pas répondu.", "observation", "paragraph", "Situation de l’"),
            ("5 % du parc est vacant.", "observation", "paragraph", "Chiffres 2017,"),
            ("Qu'il s'agisse des loyers ou des charges.", "observation", "paragraph", "-"),
        ]), filename="seam.txt", data=b"seam")
        ids = [s.uid for d in store.meta.documents(limit=100, offset=0)[0]
               for s in store.meta.segments_of(d.id, limit=100_000, offset=0)[0]]
        candidates = store.meta.texts_by_id(ids)
        assert len(candidates) == len(ids) > 1_000
        assert sum(c.heading is None for c in candidates.values()) > 0  # texts before any heading
        for candidate in candidates.values():
            assert candidate.terms() == text_terms(candidate.text) == CandidateText(candidate.text).terms()
    finally:
        store.close()


def test_a_letter_folded_with_a_space_is_analysed_again():
    """The stored terms are space-separated: a term holding a space (an Arabic ligature's NFKD) reads back as
    several, so the text is analysed; every such letter is in ``SPACED_FOLD``."""
    text = "Le bailleur \ufdfa a répondu."
    assert CandidateText(text, " ".join(analyze(f"Réponse\n{text}")), "Réponse").terms() == text_terms(text)
    letter = re.compile(r"[^\W\d_]")
    spaced = [chr(c) for c in range(0x110000)
              if letter.match(chr(c)) and any(x.isspace() for x in fold(chr(c)))]
    assert spaced and all(SPACED_FOLD.match(c) for c in spaced)


def test_near_copies_are_those_every_pair_compared_finds(corpus_texts):
    """Sentences of the reports and their shortened copies (a few words dropped: sizes from equal to far apart):
    each set is said near-copied exactly when NEAR_DUPLICATE_COPIES of the others reach the Jaccard bound."""
    sentences = [s for text in corpus_texts.values() for s in re.split(r"(?<=[.!?])\s+", text) if len(s) > 60][:80]
    sets = [text_terms(s) for s in sentences]
    sets += [frozenset(sorted(t)[drop:]) for t in sets[:40] for drop in (1, 3, 8)]
    compared = 0
    for size in (2, 5, 30):
        for kept in combinations(sets, size) if size == 2 else (sets[n:n + size] for n in range(0, len(sets), 7)):
            kept = list(kept)
            for terms in sets[::5]:
                every = sum(jaccard(terms, other) >= NEAR_DUPLICATE_JACCARD for other in kept)
                assert near_copied(terms, kept) == (every >= NEAR_DUPLICATE_COPIES)
                compared += every >= NEAR_DUPLICATE_COPIES
    assert compared > 50  # the bound was reached, not only missed
