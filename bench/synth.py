#!/usr/bin/env python3
"""A large synthetic store built from the real corpus, to measure search at scale.

The corpus documents are processed once by the real pipeline (``--source`` store, ingested if
empty). Synthetic documents are then made of runs of real segments, in their order, so section
paths, kinds, themes and blocks keep their real mix; within a run, a paragraph or list item is
joined with a second real sentence of the same kind (with probability ``--join``), and the
figures of a table row are redrawn, so texts are new without being noise. Each document gets
realistic metadata: an organism among a few hundred, a year, a report number, the doc type of
its source. Vectors are NOT re-embedded (1M texts would take ~35 min with the offline model on
this machine): a segment's vector is the normalised mean of its constituent real sentences'
vectors. Terms are the real analyser's, on the new text under its heading.

For the embedded store, rows are written straight into SQLite through ``DocumentStore.add_document``
(one transaction per document, as an upload would), then the store is opened once, which builds and
saves its snapshot base. For PostgreSQL (``--store postgres``), the documents go through the store's own
bulk path: ``PgStore.add_many`` (``--batch`` documents a transaction, each written as ``add`` writes it, its
passages by COPY) inside ``PgStore.bulk_load`` (the search indexes, HNSW and GIN, built once at the end), and the
postings are then rewritten in term order (``postings.cluster``, as after any bulk load). Build times and the
size on disk are printed (and written with ``--json``).

    python bench/synth.py --source /tmp/searchdata --out /tmp/store1m --segments 1000000
    python bench/synth.py --source /tmp/searchdata --store postgres \\
        --pg-dsn postgresql://postgres@127.0.0.1:5433/postgres --segments 100000
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sqlite3
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from ancols_nlp.index.analyzer import analyze  # noqa: E402
from ancols_nlp.index.interface import SegmentStore  # noqa: E402
from ancols_nlp.index.documents import DocumentStore  # noqa: E402
from ancols_nlp.index.rows import reading  # noqa: E402
from ancols_nlp.pipelines.types import DocumentMeta, ProcessedDocument, Segment, SourceText  # noqa: E402

CITIES = ("Lyon", "Lille", "Nantes", "Rennes", "Brest", "Dijon", "Tours", "Metz", "Nancy", "Reims", "Amiens", "Rouen",
          "Caen", "Limoges", "Poitiers", "Angers", "Le Mans", "Orléans", "Besançon", "Grenoble", "Valence", "Nîmes",
          "Montpellier", "Perpignan", "Toulouse", "Pau", "Bayonne", "Bordeaux", "Périgueux", "Clermont-Ferrand")
FORMS = ("OPH de {}", "{} Habitat", "SA d'HLM Logis de {}", "Foyer de {}", "Société coopérative HLM de {}",
         "Office public de l'habitat de {}", "ESH {} Métropole", "{} Logement Social")
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")
JOINED_BLOCKS = ("paragraph", "list_item")
JOIN = 0.7  # share of paragraphs and list items joined with a second sentence


class Source:
    """The real segments to recombine: text, analysed pieces, vector, kind, themes, heading, per source document."""

    def __init__(self, path: Path):
        with reading(path) as reader:
            rows = reader.rows()
        self.vectors = rows.vectors
        self.documents: dict[str, list[int]] = {}
        self.segments: list[dict] = []
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        metas = {d: json.loads(m) for d, m in db.execute("SELECT id, meta FROM documents")}
        for n, (seg_id, body, document_id, kind, block) in enumerate(
                db.execute("SELECT id, body, document_id, kind, block FROM segments ORDER BY id")):
            assert seg_id == rows.ids[n]
            b = json.loads(body)
            b.update(kind=kind, block=block, doc_type=metas[document_id]["doc_type"],
                     terms=analyze(b["text"]),
                     heading_terms=analyze(b["section_path"][-1]) if b["section_path"] else [])
            self.segments.append(b)
            self.documents.setdefault(document_id, []).append(n)
        db.close()
        self.by_kind: dict[str, np.ndarray] = {}
        for n, s in enumerate(self.segments):
            if s["block"] in JOINED_BLOCKS:
                self.by_kind.setdefault(s["kind"], []).append(n)
        self.by_kind = {k: np.array(v) for k, v in self.by_kind.items()}


def synth_document(source: Source, rng: np.random.Generator, size: int, organisms: list[str], number: int,
                   join: float = JOIN):
    """One synthetic document: (ProcessedDocument, vectors, terms, bytes)."""
    picked = run(source, rng, size)
    text, segments, vectors, terms = "", [], [], []
    for seq, n in enumerate(picked):
        s = source.segments[n]
        body, vector, seg_terms = recombined(source, rng, n, join)
        start = len(text)
        text += body + "\n\n"
        segments.append(Segment(id=seq, start=start, end=start + len(body), text=body, block=s["block"], kind=s["kind"],
                                kind_scores=s["kind_scores"], themes=s["themes"], theme_scores=s["theme_scores"],
                                section_path=s["section_path"]))
        vectors.append(vector)
        terms.append(s["heading_terms"] + seg_terms)
    year = int(rng.integers(2010, 2025))
    meta = DocumentMeta(doc_type=source.segments[picked[0]]["doc_type"], title="Rapport définitif de contrôle",
                        report_number=f"{year}-{number % 1000:03d}", organism=organisms[rng.integers(len(organisms))],
                        year=year)
    doc = ProcessedDocument(source=SourceText(text=text, media_type="text/plain"), meta=meta, sections=[],
                            segments=segments)
    return doc, np.stack(vectors).astype(np.float32), terms, text.encode()


def run(source: Source, rng: np.random.Generator, size: int) -> list[int]:
    """``size`` consecutive real segments of one source document (wrapping around), by index."""
    doc_ids = list(source.documents)
    segments = source.documents[doc_ids[rng.integers(len(doc_ids))]]
    first = int(rng.integers(max(1, len(segments) - size)))
    return [segments[(first + i) % len(segments)] for i in range(size)]


def recombined(source: Source, rng: np.random.Generator, n: int,
               join: float = JOIN) -> tuple[str, np.ndarray, list[str]]:
    """Real segment ``n`` made new: (text, unit vector, analysed terms without its heading)."""
    s = source.segments[n]
    body, vector, seg_terms = s["text"], source.vectors[n].copy(), list(s["terms"])
    if s["block"] == "table_row":
        body = NUMBER.sub(lambda m: _redraw(m.group(), rng), body)
        seg_terms = analyze(body)
    elif s["block"] in JOINED_BLOCKS and s["kind"] in source.by_kind and rng.random() < join:
        other = int(rng.choice(source.by_kind[s["kind"]]))
        body = f"{body} {source.segments[other]['text']}"
        vector += source.vectors[other]
        seg_terms += source.segments[other]["terms"]
    vector /= max(float(np.linalg.norm(vector)), 1e-9)
    return body, vector, seg_terms


def _redraw(number: str, rng: np.random.Generator) -> str:
    value = float(number.replace(",", ".")) * rng.uniform(0.7, 1.3)
    return f"{value:.1f}".replace(".", ",") if "," in number or "." in number else str(int(round(value)))



def documents(source_dir: Path, segments: int, per_document: int, seed: int):
    """The synthetic documents of ``segments`` segments in all: (id, filename, doc, vectors, terms, bytes).

    The same seed gives the same documents, whatever store they are written to."""
    rng = np.random.default_rng(seed)
    t0 = time.perf_counter()
    source = Source(source_dir / "ancols.sqlite3")
    organisms = [form.format(city) for city in CITIES for form in FORMS]
    written, number = 0, 0
    while written < segments:
        size = min(segments - written, int(rng.integers(per_document // 2, per_document * 3 // 2 + 1)))
        doc, vectors, terms, data = synth_document(source, rng, size, organisms, number)
        yield rng.bytes(8).hex(), f"synth-{number:06d}.txt", doc, vectors, terms, data
        written += size
        number += 1
        if number % 20 == 0:
            print(f"{written} segments in {number} documents, {time.perf_counter() - t0:.0f}s", file=sys.stderr)


def build(source_dir: Path, out: Path, segments: int, per_document: int, seed: int) -> dict:
    """The embedded store's fast path: rows straight into SQLite (its snapshot is built when it is opened)."""
    t0 = time.perf_counter()
    meta = DocumentStore(out / "ancols.sqlite3")
    written, number = 0, 0
    try:
        for doc_id, filename, doc, vectors, terms, data in documents(source_dir, segments, per_document, seed):
            meta.add_document(doc_id, filename, hashlib.sha256(data).hexdigest(), len(data), doc, vectors, terms)
            written += len(doc.segments)
            number += 1
    finally:
        meta.close()
    return {"segments": written, "documents": number, "rows_seconds": round(time.perf_counter() - t0, 1)}


def fill(store: SegmentStore, source_dir: Path, segments: int, per_document: int, seed: int) -> dict:
    """Any store, through ``SegmentStore.add`` as an upload writes it (the store analyses the texts itself)."""
    t0 = time.perf_counter()
    written, number = 0, 0
    for _, filename, doc, vectors, _, data in documents(source_dir, segments, per_document, seed):
        written += store.add(doc, filename=filename, data=data, vectors=vectors).segment_count
        number += 1
    return {"segments": written, "documents": number, "rows_seconds": round(time.perf_counter() - t0, 1)}


def to_postgres(dsn: str, embedder, source_dir: Path, segments: int, per_document: int, seed: int, *,
                batch: int, index_memory: str) -> dict:
    """A PostgreSQL store bulk-loaded through ``PgStore.add_many``, ``batch`` documents a transaction, its search
    indexes built once at the end (``PgStore.bulk_load``); its size on disk is the database's."""
    import psycopg

    from ancols_nlp.index.postgres import postings
    from ancols_nlp.index.postgres.store import PgStore, Upload

    store = PgStore(dsn, embedder)
    try:
        if store.stats().documents:
            raise SystemExit("the PostgreSQL database already holds a store")
        t0 = time.perf_counter()
        written, number, pending = 0, 0, []
        with store.bulk_load(index_memory=index_memory) as index_seconds:
            for _, filename, doc, vectors, _, data in documents(source_dir, segments, per_document, seed):
                pending.append(Upload(doc, filename, data, vectors))
                if len(pending) == batch:
                    written += sum(a.segment_count for a in store.add_many(pending))
                    number, pending = number + len(pending), []
            written += sum(a.segment_count for a in store.add_many(pending))
            number += len(pending)
            rows_seconds = time.perf_counter() - t0
        report = {"segments": written, "documents": number, "rows_seconds": round(rows_seconds, 1),
                  "index_seconds": index_seconds, "vector_index": store.stats().vector_index}
    finally:
        store.close()
    with psycopg.connect(dsn, autocommit=True) as conn:
        t = time.perf_counter()
        postings.cluster(conn)
        report["cluster_seconds"] = round(time.perf_counter() - t, 1)
        size = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
        tables = conn.execute("SELECT relname, pg_total_relation_size(oid) FROM pg_class"
                              " WHERE relname IN ('segments', 'term_blocks', 'documents')").fetchall()
    report["disk_mb"] = {"database": round(size / 2**20, 1), **{t: round(b / 2**20, 1) for t, b in tables}}
    return report


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--source", type=Path, required=True, help="store holding the processed corpus (ingested if empty)")
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    ap.add_argument("--store", choices=["embedded", "postgres"], default="embedded",
                    help="embedded: rows straight into SQLite under --out; postgres: through the store interface")
    ap.add_argument("--out", type=Path, help="new embedded store directory (must not hold a store)")
    ap.add_argument("--pg-dsn", help="an empty PostgreSQL database (--store postgres)")
    ap.add_argument("--segments", type=int, default=1_000_000)
    ap.add_argument("--per-document", type=int, default=500, help="mean segments per synthetic document")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=4, help="documents a transaction (--store postgres)")
    ap.add_argument("--index-memory", default="1GB",
                    help="maintenance memory building the search indexes (--store postgres); HNSW fits its graph in it")
    ap.add_argument("--json", type=Path)
    a = ap.parse_args(argv)
    if a.store == "embedded" and (a.out is None or (a.out / "ancols.sqlite3").exists()):
        ap.error("--store embedded needs an --out directory that holds no store")
    if a.store == "postgres" and not a.pg_dsn:
        ap.error("--store postgres needs --pg-dsn")
    from ancols_nlp.service.runtime import Runtime
    from ancols_nlp.service.settings import Settings
    settings = Settings(data_dir=a.source)
    runtime = Runtime.from_settings(settings)
    try:
        if not runtime.store.stats().documents:
            for path in sorted(a.corpus.glob("*.txt")):
                runtime.ingest(path.read_bytes(), path.name)
        if a.store == "postgres":
            report = to_postgres(a.pg_dsn, runtime.store.embedder, a.source, a.segments, a.per_document, a.seed,
                                 batch=a.batch, index_memory=a.index_memory)
        else:
            report = build(a.source, a.out, a.segments, a.per_document, a.seed)
            t = time.perf_counter()
            store = type(runtime.store)(a.out, runtime.store.embedder)
            report["snapshot_seconds"] = round(time.perf_counter() - t, 1)
            report["vector_index"] = store.stats().vector_index
            store.close()
            report["disk_mb"] = {p.name: round(sum(f.stat().st_size for f in ([p] if p.is_file() else p.rglob("*")))
                                               / 2**20, 1) for p in a.out.iterdir()}
    finally:
        runtime.close()
    print(json.dumps(report))
    if a.json:
        a.json.write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
