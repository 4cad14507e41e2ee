#!/usr/bin/env python3
"""OCR of scanned reports: CPU per page, character error rate, and passage kinds against the text-layer reading.

Each corpus document's first ``--chars`` characters are printed as a report (tests/pdfgen.py: running header,
footer, page numbers), then every page is turned into a ``--scan-dpi`` greyscale image with no text layer, as
a scanner gives it back. Both PDFs go through the pipeline (``extract_pdf``, then ``process_text`` with the
service's models): the text-layer reading is the reference. Figures per OCR variant:

- CPU s/page: Tesseract's CPU (this process's children) plus the rendering, over the scanned pages;
- CER: Levenshtein distance over the reference text's length (whitespace runs as one space);
- furniture: share of the reference's (page, kind) headers, footers and page numbers found on the scan;
- kinds: share of the reference's segment characters whose word, aligned with the OCR text, has the same kind.

    python bench/ocr.py [--chars 24000] [--scan-dpi 200] [--worn] [--variants default psm6 conf30 dpi200]
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
DOCUMENTS = ("001_d290a1a4feb3bef7.txt", "003_12d7f4ee594b802f.txt", "000_ad04bc466fc4cae0.txt")
VARIANTS = {"default": {}, "psm6": {"psm": 6}, "conf30": {"min_confidence": 30.0}, "dpi200": {"dpi": 200}}


def kind_of_chars(doc) -> list[str | None]:
    kinds: list[str | None] = [None] * len(doc.source.text)
    for segment in doc.segments:
        kinds[segment.start:segment.end] = [segment.kind] * (segment.end - segment.start)
    return kinds


def kind_agreement(reference, reading) -> float:
    """Share of the reference's segment characters (in words) whose aligned word in the reading has their kind."""
    ref_words = [(m.start(), m.group()) for m in re.finditer(r"\S+", reference.source.text)]
    hyp_words = [(m.start(), m.group()) for m in re.finditer(r"\S+", reading.source.text)]
    ref_kinds, hyp_kinds = kind_of_chars(reference), kind_of_chars(reading)
    total = sum(1 for at, word in ref_words for i in range(len(word)) if ref_kinds[at + i])
    matcher = difflib.SequenceMatcher(None, [w for _, w in ref_words], [w for _, w in hyp_words], autojunk=False)
    same = 0
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            (ra, word), (ha, _) = ref_words[block.a + k], hyp_words[block.b + k]
            same += sum(1 for i in range(len(word)) if ref_kinds[ra + i] and ref_kinds[ra + i] == hyp_kinds[ha + i])
    return same / max(total, 1)


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chars", type=int, default=24000)
    parser.add_argument("--scan-dpi", type=int, default=200)
    parser.add_argument("--worn", action="store_true", help="scans askew, grainy and JPEG-compressed")
    parser.add_argument("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    args = parser.parse_args()
    sys.path.insert(0, str(REPO / "tests"))
    from cer import char_error_rate
    from pdfgen import corpus_paragraphs, rasterised_pdf, render_pdf

    from ancols_nlp.pipelines.ocr import Ocr
    from ancols_nlp.pipelines.pdf_text import extract_pdf
    from ancols_nlp.pipelines.process import process_text
    from ancols_nlp.service.runtime import Runtime
    from ancols_nlp.service.settings import Settings

    with tempfile.TemporaryDirectory() as data_dir:
        runtime = Runtime.from_settings(Settings(data_dir=Path(data_dir)))
        rows = []
        for name in DOCUMENTS:
            printed = render_pdf(corpus_paragraphs(CORPUS / name, args.chars),
                                 header="ANCOLS – Rapport définitif de contrôle", footer="Organisme contrôlé – Rapport")
            scan = rasterised_pdf(printed.data, dpi=args.scan_dpi, worn=args.worn)
            reference = extract_pdf(printed.data, max_pages=200)
            ref_doc = process_text(reference, nlp=runtime.nlp, models=runtime.models)
            ref_furniture = {(f.page, f.kind) for f in reference.furniture}
            for variant in args.variants:
                ocr = Ocr(**VARIANTS[variant])
                cpu, children = time.process_time(), children_cpu()
                read = extract_pdf(scan, max_pages=200, ocr=ocr)
                cpu, children = time.process_time() - cpu, children_cpu() - children
                doc = process_text(read, nlp=runtime.nlp, models=runtime.models)
                found = {(f.page, f.kind) for f in read.furniture}
                rows.append({
                    "document": name[:3], "variant": variant, "pages": printed.page_count,
                    "chars": len(reference.text),
                    "cpu_per_page": round((cpu + children) / printed.page_count, 2),
                    "tesseract_cpu_per_page": round(children / printed.page_count, 2),
                    "cer": round(char_error_rate(reference.text, read.text), 5),
                    "furniture": round(len(found & ref_furniture) / max(len(ref_furniture), 1), 3),
                    "furniture_extra": len(found - ref_furniture),
                    "kinds": round(kind_agreement(ref_doc, doc), 4),
                })
                print(json.dumps(rows[-1]), flush=True)
        runtime.close()
    for variant in args.variants:
        mine = [r for r in rows if r["variant"] == variant]
        pages, chars = sum(r["pages"] for r in mine), sum(r["chars"] for r in mine)
        print(json.dumps({
            "variant": variant, "pages": pages,
            "cpu_per_page": round(sum(r["cpu_per_page"] * r["pages"] for r in mine) / pages, 2),
            "cer": round(sum(r["cer"] * r["chars"] for r in mine) / chars, 5),
            "kinds": round(sum(r["kinds"] * r["chars"] for r in mine) / chars, 4),
        }))


if __name__ == "__main__":
    main()
