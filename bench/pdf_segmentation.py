"""Segmentation of a report read from PDF against the same report read as text, on the dev gold units.

    python bench/pdf_segmentation.py [--doc 003_12d7f4ee594b802f] [--cost 5]

The corpus text is printed as a report PDF with its tables and page-foot notes (tests/pdfgen.py, ``tables=True``),
read back by ``extract_pdf``, and both texts go through ``process_text`` with the shipped models. Gold units are
carried onto the PDF's text by aligning the two texts' words (difflib on case-folded words). Per unit, with the
scorer's covering-segment rule: ``own`` (a segment covers at least half of it and of no other unit), ``shared``
(that segment covers at least half of other units, all of its kind), ``swallowed`` (the covering segment also
covers a unit of another kind, ``segmentation_audit``'s rule), ``split`` (no segment covers half of it, so the
scorer reads "other"), ``lost`` (fewer than half its words found in the PDF's text); units without a word (a
table's "|---|" rule) are left out. Counted over all units, those of table rows, and those of notes; then kinds
macro-F1 with the scorer's functions on both texts. ``--cost N`` times ``extract_pdf`` (CPU time per page, best
of N).
"""

from __future__ import annotations

import argparse
import bisect
import difflib
import re
import sys
import time
import unicodedata
from collections import Counter
from pathlib import Path

from segmentation_audit import swallowed  # this folder: the script's own

from ancols_nlp.models import goldset
from ancols_nlp.models.kinds.evaluate import DEFAULT_SCORER, load_scorer, segment_dicts
from ancols_nlp.models.shipped import load_models
from ancols_nlp.pipelines.pdf_text import extract_pdf
from ancols_nlp.pipelines.process import process_text
from ancols_nlp.pipelines.sentences import load_sentencizer
from ancols_nlp.pipelines.types import SourceText

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
WORD = re.compile(r"\w+")
MARKUP = re.compile(r"</?\w+[^>]*>")
HEADER, FOOTER = "RAPPORT DE CONTRÔLE – Société anonyme d'HLM", "ANCOLS – Rapport définitif"


def report_pdf(path: Path) -> bytes:
    sys.path.insert(0, str(REPO / "tests"))
    from pdfgen import corpus_paragraphs, render_pdf

    return render_pdf(corpus_paragraphs(path, 10**7, tables=True), header=HEADER, footer=FOOTER).data


def carried(units: dict[str, tuple[int, int]], text: str, other: str) -> dict[str, tuple[int, int]]:
    """Each unit's span in ``other``: from its first to its last word found there by aligning the two texts'
    words in order, or else (a note moved to the foot of its page) where its words stand in a row in ``other``;
    (0, 0) when fewer than half its words are found either way."""
    a = [(_key(m.group()), m.start(), m.end()) for m in WORD.finditer(unmarked(text))]
    b = [(_key(m.group()), m.start(), m.end()) for m in WORD.finditer(other)]
    where: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, [w for w, _, _ in a], [w for w, _, _ in b], autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            where[block.a + k] = block.b + k
    joined = " ".join(w for w, _, _ in b)
    word_at, at = {}, 0
    for k, (w, _, _) in enumerate(b):
        word_at[at], at = k, at + len(w) + 1
    starts = [s for _, s, _ in a]
    out = {}
    for uid, (u0, u1) in units.items():
        inside = [i for i in range(bisect.bisect_left(starts, u0), len(a)) if a[i][1] < u1] if u1 > u0 else []
        found = [where[i] for i in inside if i in where]
        if inside and 2 * len(found) < len(inside):
            phrase = " ".join(a[i][0] for i in inside)
            hit = joined.find(phrase)
            if hit >= 0 and (hit == 0 or joined[hit - 1] == " ") and hit in word_at:
                found = list(range(word_at[hit], word_at[hit] + len(inside)))
        out[uid] = (b[min(found)][1], b[max(found)][2]) if inside and 2 * len(found) >= len(inside) else (0, 0)
    return out


def _key(word: str) -> str:
    """A word as compared: case-folded, a note's superscript number as plain digits ("¹" as "1")."""
    return unicodedata.normalize("NFKC", word).casefold()


def unmarked(text: str) -> str:
    """``text`` with its HTML tags blanked (same length): "<sup>1</sup>" is printed as a raised "1"."""
    return MARKUP.sub(lambda m: " " * len(m.group()), text)


def fates(units: dict[str, tuple[int, int]], kinds: dict[str, str], segments) -> dict[str, str]:
    spans = sorted((s.start, s.end) for s in segments)
    eaten = set(swallowed({u: s for u, s in units.items() if s[1] > s[0]}, kinds, spans))
    cover: dict[str, int] = {}
    for uid, (u0, u1) in units.items():
        overlaps = [min(u1, s1) - max(u0, s0) for s0, s1 in spans]
        best = max(range(len(spans)), key=overlaps.__getitem__)
        if u1 > u0 and 2 * overlaps[best] >= u1 - u0:
            cover[uid] = best
    sharing = Counter(cover.values())
    return {uid: "lost" if u1 <= u0 else "split" if uid not in cover else "swallowed" if uid in eaten
            else "shared" if sharing[cover[uid]] > 1 else "own" for uid, (u0, u1) in units.items()}


def table_and_note_units(text: str, units: dict[str, tuple[int, int]]) -> tuple[set[str], set[str]]:
    """Units lying on a markdown table row, and units of a "<sup>n</sup> …" note line."""
    rows = [(m.start(), m.end()) for m in re.finditer(r"(?m)^\|.*$", text)]
    notes = [(m.start(), m.end()) for m in re.finditer(r"(?m)^<sup>\d+</sup>.*$", text)]
    inside = lambda u, spans: any(s <= u[0] < e for s, e in spans)  # noqa: E731
    return ({k for k, u in units.items() if inside(u, rows)}, {k for k, u in units.items() if inside(u, notes)})


def cost(data: bytes, repeats: int) -> float:
    """CPU seconds per page of ``extract_pdf``, best of ``repeats``."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.process_time()
        source = extract_pdf(data, max_pages=1000)
        best = min(best, time.process_time() - t0)
    return best / len(source.pages)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--doc", default="003_12d7f4ee594b802f")
    ap.add_argument("--cost", type=int, default=0, help="also time extract_pdf, best of N runs")
    ap.add_argument("--show", type=int, default=0, help="print up to N table or note units not on their own")
    a = ap.parse_args(argv)
    path = SHARED / "corpus" / f"{a.doc}.txt"
    text = path.read_text(encoding="utf-8")
    labels = {r[0]: (r[1], r[2]) for r in goldset.read_tsv(SHARED / "eval" / "dev" / f"{a.doc}.labels.tsv")}
    units = {r[0]: (int(r[1]), int(r[2])) for r in goldset.read_tsv(SHARED / "eval" / "dev" / f"{a.doc}.units.tsv")
             if r[0] in labels and WORD.search(unmarked(text[int(r[1]):int(r[2])]))}  # a table's rule: no text
    labels = {u: labels[u] for u in units}
    kinds = {u: k for u, (k, _) in labels.items()}
    data = report_pdf(path)
    pdf = extract_pdf(data, max_pages=1000)
    on_pdf = carried(units, text, pdf.text)
    nlp, models, score = load_sentencizer(), load_models(), load_scorer(REPO / DEFAULT_SCORER)
    tables, notes = table_and_note_units(text, units)
    print(f"{a.doc}: {len(units)} units ({len(tables)} on table rows, {len(notes)} in notes), "
          f"{len(pdf.pages)} pages")
    for name, source, spans in (("text", SourceText(text, "text/plain"), units), ("pdf", pdf, on_pdf)):
        doc = process_text(source, nlp=nlp, models=models)
        fate = fates(spans, kinds, doc.segments)
        conf, _, _ = score.score_classification(spans, labels, segment_dicts(doc))
        f1 = score.summarize_conf(conf)["macro_f1"]
        for group, ids in (("all", set(units)), ("tables", tables), ("notes", notes)):
            counts = {f: sum(fate[u] == f for u in ids) for f in ("own", "shared", "swallowed", "split", "lost")}
            print(f"  {name:4} {group:6} " + "  ".join(f"{f} {n:4}" for f, n in counts.items()))
        print(f"  {name:4} segments {len(doc.segments)}  kinds macro-F1 {f1:.3f}")
        for uid in [u for u in sorted(tables | notes, key=lambda u: spans[u]) if fate[u] != "own"][:a.show]:
            u0, u1 = spans[uid]
            print(f"      {uid:>5} {fate[uid]:<9} {kinds[uid]:<14} {source.text[u0:u1][:90]!r}")
    if a.cost:
        print(f"  extract_pdf CPU {1000 * cost(data, a.cost):.1f} ms/page (best of {a.cost})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
