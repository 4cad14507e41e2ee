#!/usr/bin/env python3
r"""Would finer results pay? Sub-passages of the hybrid search's segments, scored as the scorer credits them.

The judged units are text lines (the reply letter's are its PDF lines) and our results paragraphs, so one result
takes one gain where the ideal list counts several (``bench/search_ceiling.py``). This re-ranks the pieces of the
runtime's hybrid top 50 segments instead of the segments, without touching the service:

- ``sentences``: each segment cut into the pipeline's own sentences (``split_sentences`` over ``layout.blocks``);
- ``windows``: disjoint pairs of consecutive sentences of a segment, an odd last one alone;
- ``long``: only segments longer than ``LONG`` characters cut into sentences, shorter ones whole;
- ``A05cap2``: sentences with at most two of one segment in the top 10 (declared after the blind set 4 was run);
- ``T05``: each segment trimmed to the run from its first to its last sentence holding a query term (the whole
  segment when none does), one piece a segment, w 0.5 (declared after set 5 was run);
- ``A05d``: A05 with a segment's pieces, ordered by their share of the query's terms (then position), each
  ``DECAY`` lower than the one before; ``J05``: pieces of at least ``JOINED`` characters (a segment's sentences
  joined until they reach it, a short remainder joined to the piece before); ``J05d``: both (the three declared
  in ``bench/queries/grain-rule.md`` after choosing them on dev; A05d is the service's grain since).

Rule for T05, written before it was run: the grain built into the service is the one of A05 / T05 with the higher
mean nDCG@10 over the seven columns dev odd, dev even, sets 1–5; the service's default grain is decided by the
integrator on set 6 (blind, being written on another branch). R@20 (the scorer's recall of the grade-2 units over
20 results) is reported for S, A05 and T05.

A piece scores its segment's fused score + w × the share of the query's analysed terms it holds (a word the search
respelled or corrected counted as the spelling searched, as the service's grain counts it); ties go to the better
segment, then to the earlier piece. The baseline is the current segments' top 10 (``search_eval.evaluate``)
in the same run; each splitting's ceiling is ``search_ceiling.ceiling`` over every piece of the store.

    python bench/subpassage_eval.py --data DIR --sets dev set1 set2 set3 [--examples]
    python bench/subpassage_eval.py --data DIR --pool Q.tsv OUT.json [--variant A05]  # top 10 (A05cap2), for the sheet
    python bench/subpassage_eval.py --data DIR --check set1 [set2 …]   # the service's grain=sentence top 10 is A05d's
    python bench/subpassage_eval.py --data DIR --sets dev set3 set4 set5 set6 set7 --pooled set3 set4 set5 set6 set7
    python bench/subpassage_eval.py --data DIR --sets set14 --pooled set14 --variants A05d  # a blind set: S vs A05d

``--check`` proves the service (``index/grain.py``: stored sentences, terms read off the highlighter's words) ranks
as this bench (sentences re-split, pieces analysed whole): it exits 1 unless every query's top 10 is the same.
``--pooled`` adds, over every query of the named sets, each variant's mean and its difference to the segments (S)
and to A05 with a 95 % bootstrap interval (10,000 resamples of queries, seed 0) and the queries won and lost.
"""

from __future__ import annotations

import argparse
import bisect
import json
import random
import statistics
import sys
from argparse import Namespace
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from typing import NamedTuple
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.search_ceiling import ceiling, stored_spans  # noqa: E402
from bench.search_eval import evaluate, ingest, load_gold, load_score, ndcg, read_queries  # noqa: E402

from ancols_nlp.index.analyzer import analyze  # noqa: E402
from ancols_nlp.index.expansion import Expansion  # noqa: E402
from ancols_nlp.index.grain import POOL, REPEAT_PENALTY, TERM_WEIGHT, QueryTerms, query_terms, search  # noqa: E402
from ancols_nlp.index.query import Filters  # noqa: E402
from ancols_nlp.index.ranking import SYNONYM_WEIGHT, bm25_idf  # noqa: E402
from ancols_nlp.pipelines import layout  # noqa: E402
from ancols_nlp.pipelines.process import read_as_newlines  # noqa: E402
from ancols_nlp.pipelines.sentences import split_sentences  # noqa: E402
from ancols_nlp.service.runtime import Runtime  # noqa: E402
from ancols_nlp.service.settings import Settings  # noqa: E402
from ancols_nlp.service.views import search_results  # noqa: E402

Span = tuple[int, int]
LONG = 300  # characters: the ``long`` splitting leaves shorter segments whole
JOINED = 150  # characters: the ``joined`` splitting's shortest piece
DECAY = REPEAT_PENALTY  # A05d's (the service's grain): what each further piece of one segment loses
SHORT = 60  # characters: the ``L`` splitting joins runs of sentences shorter than this (``M``: 100)
SETS = {"dev": (None, None), "set1": ("project.tsv", "project"), "set2": ("project2.tsv", "project2"),
        "set3": ("project3.tsv", "project3"), "set4": ("project4.tsv", "project4"),
        "set5": ("project5.tsv", "project5"), "set6": ("project6.tsv", "project6"),
        "set7": ("project7.tsv", "project7"), "set8": ("project8.tsv", "project8"),
        "set9": ("project9.tsv", "project9"), "set10": ("project10.tsv", "project10"),
        "set11": ("project11.tsv", "project11"), "set12": ("project12.tsv", "project12"),
        "set13": ("project13.tsv", "project13"), "set14": ("project14.tsv", "project14")}


def sentence_spans(nlp, text: str) -> list[Span]:
    """The document's sentences as the pipeline cuts them (``process_text``: same text, blocks and splitter)."""
    text = read_as_newlines(text)
    return [(s.start, s.end) for s in split_sentences(nlp, text, layout.blocks(text))]


def overlapping(spans: list[Span], span: Span) -> list[Span]:
    """The spans of a sorted, disjoint list that overlap ``span``."""
    first = max(bisect.bisect_right(spans, (span[0], span[0])) - 1, 0)
    found = []
    for s0, s1 in spans[first:]:
        if s0 >= span[1]:
            break
        if s1 > span[0]:
            found.append((s0, s1))
    return found


def inside(sentences: list[Span], span: Span) -> list[Span]:
    """The sentences overlapping ``span``, clipped to it."""
    return [(max(s0, span[0]), min(s1, span[1])) for s0, s1 in overlapping(sentences, span)]


def near(pieces: dict[str, list[Span]], units, rel) -> dict[str, list[Span]]:
    """The pieces that overlap a judged unit: the only ones the ceiling's greedy can credit (a cheaper, equal call)."""
    found: dict[str, set[Span]] = {}
    for d, u in rel:
        found.setdefault(d, set()).update(overlapping(pieces[d], units[d][u]))
    return {d: sorted(found[d]) for d in pieces if d in found}


def whole(sentences: list[Span], span: Span, text: str = "") -> list[Span]:
    return [span]


def by_sentence(sentences: list[Span], span: Span, text: str = "") -> list[Span]:
    return inside(sentences, span) or [span]


def by_window(sentences: list[Span], span: Span, text: str = "") -> list[Span]:
    cut = by_sentence(sentences, span)
    return [(cut[i][0], cut[min(i + 1, len(cut) - 1)][1]) for i in range(0, len(cut), 2)]


def long_by_sentence(sentences: list[Span], span: Span, text: str = "") -> list[Span]:
    return by_sentence(sentences, span) if span[1] - span[0] > LONG else [span]


def joined(sentences: list[Span], span: Span, text: str = "") -> list[Span]:
    """Consecutive sentences of ``span`` joined until each piece reaches ``JOINED`` characters."""
    pieces: list[Span] = []
    for start, end in by_sentence(sentences, span):
        if pieces and pieces[-1][1] - pieces[-1][0] < JOINED:
            start = pieces.pop()[0]
        pieces.append((start, end))
    if len(pieces) > 1 and pieces[-1][1] - pieces[-1][0] < JOINED:
        pieces[-2:] = [(pieces[-2][0], pieces[-1][1])]
    return pieces


def short_runs(sentences: list[Span], span: Span, text: str = "", short: int = SHORT) -> list[Span]:
    """The sentences of ``span``, each run of consecutive ones under ``short`` characters (table rows, list items,
    lines of figures) one piece with the sentence introducing it when that one ends with a colon."""
    pieces: list[Span] = []
    joins = False  # whether a short sentence joins the last piece
    for start, end in by_sentence(sentences, span):
        brief = end - start < short
        if brief and joins:
            start = pieces.pop()[0]
        pieces.append((start, end))
        joins = brief or text[start:end].rstrip().endswith(":")
    return pieces


SPLITS: dict[str, Callable[[list[Span], Span, str], list[Span]]] = {
    "S": whole, "A": by_sentence, "B": by_window, "C": long_by_sentence, "J": joined, "L": short_runs,
    "M": partial(short_runs, short=100)}


class Variant(NamedTuple):
    """A ranking of pieces: the splitting, w, at most this many pieces of one segment in the top k, the decay, and
    what a synonym phrase of the query's expansion held whole counts (a share of one query term)."""

    split: str
    w: float
    cap: int | None = None
    decay: float = 0.0
    phrase: float = 0.0
    rarity: bool = False  # search10's I: each query term weighs its idf in the share
    zero: float = 0.0  # search10's Z: what a sentence holding no query term loses when its segment's best holds one
    mix: float = 1.0  # search11's Ih: the weighted share's part in the share, the plain share's the rest
    power: float = 1.0  # search11's Ig: each query term weighs its idf to this power


# A05cap2 was declared after set 4 was run, so it has no blind figure.
VARIANTS = {f"{name}{tag}": Variant(name, w) for name in "ABC" for tag, w in (("0", 0.0), ("05", 0.5))}
VARIANTS["A05cap2"] = Variant("A", 0.5, 2)
VARIANTS["T05"] = Variant("T", 0.5)
VARIANTS |= {"A05d": Variant("A", TERM_WEIGHT, None, DECAY), "J05": Variant("J", 0.5),
             "J05d": Variant("J", 0.5, None, DECAY)}
# search9 (bench/queries/grain-rule.md): A05d with the expansion's phrases in the share (at SYNONYM_WEIGHT or as a
# whole term), with short runs joined, and both.
VARIANTS |= {"A05dX": Variant("A", 0.5, None, DECAY, SYNONYM_WEIGHT), "A05dX1": Variant("A", 0.5, None, DECAY, 1.0),
             **{f"{s}05d{x}": Variant(s, 0.5, None, DECAY, phrase) for s in "LM"
                for x, phrase in (("", 0.0), ("X", SYNONYM_WEIGHT), ("X1", 1.0))}}
# search10 (bench/queries/grain-rule.md): the share weighted by the terms' rarity (I, term weight W), sentences
# holding no term demoted (Z), both; the parameters are chosen on dev + sets 1+2.
WEIGHTS = {"05": 0.5, "1": 1.0}
ZEROS = {"": 0.0, "Z05": 0.5, "Z1": 1.0, "Z2": 2.0}
VARIANTS |= {f"A05d{z}": Variant("A", 0.5, None, DECAY, zero=zero) for z, zero in ZEROS.items() if z}
VARIANTS |= {f"I{tag}d{z}": Variant("A", w, None, DECAY, rarity=True, zero=zero) for tag, w in WEIGHTS.items()
             for z, zero in ZEROS.items()}
# search11 (bench/queries/grain-rule.md): gentler rarity weights, the weighted share mixed with the plain one (Ih,
# part 0.25 or 0.5) or each idf to a power (Ig, 0.25 or 0.5), term weight W 0.5 or 1; chosen on dev + sets 1+2.
GENTLE = {"25": 0.25, "50": 0.5}
VARIANTS |= {f"Ih{tag}w{w_tag}": Variant("A", w, None, DECAY, rarity=True, mix=part)
             for tag, part in GENTLE.items() for w_tag, w in WEIGHTS.items()}
VARIANTS |= {f"Ig{tag}w{w_tag}": Variant("A", w, None, DECAY, rarity=True, power=power)
             for tag, power in GENTLE.items() for w_tag, w in WEIGHTS.items()}
SERVED = "A05d"  # the variant index/grain.py ranks as
RECALLED = ("S", "A05", "T05", "A05d", "J05", "J05d", "A05dX", "A05dX1", "L05d", "L05dX", "L05dX1", "M05d",
            "M05dX", "M05dX1", "A05dZ05", "I1d", "I1dZ05",
            *(v for v in VARIANTS if v[:2] in ("Ih", "Ig")))  # the variants whose R@20 is reported
RECALL_K = 20


def trimmed(sentences: list[Span], span: Span, holds: Callable[[Span], bool]) -> list[Span]:
    """``span`` cut to the run from its first to its last sentence that ``holds`` a query term (whole if none)."""
    found = [s for s in by_sentence(sentences, span) if holds(s)]
    return [(found[0][0], found[-1][1])] if found else [span]


@dataclass(frozen=True)
class Pool:
    """A query's hybrid top ``POOL`` segments (document stem, segment id, fused score, span; best first), its terms
    as the service's grain counts them (``grain.query_terms``: respelled and corrected words included) and the
    expansion that found them (its synonym phrases)."""

    candidates: list[tuple[str, int, float, Span]]
    terms: QueryTerms
    expansion: Expansion = Expansion(())


def ranked(pool: Pool, sentences: dict[str, list[Span]], texts: dict[str, str], split, w: float,
           cap: int | None = None, k: int = 10, decay: float = 0.0, phrase: float = 0.0,
           weights: dict[int, float] | None = None, zero: float = 0.0, mix: float = 1.0) -> list[dict]:
    """The top ``k`` pieces of the ``pool``'s candidates, at most ``cap`` of one segment, each piece of a segment
    ``decay`` lower than the one holding more of the query before it; each of the query's synonym phrases a piece
    holds whole counts ``phrase`` of one term. With ``weights`` (each query term's number → its weight, ``rarity``)
    a term counts its weight in the share, which makes ``mix`` of the share (the plain share the rest); a piece
    holding no term loses ``zero`` when another piece of its segment holds one."""
    if weights is not None and sum(weights.values()) <= 0:
        weights = None
    wanted = [set(p) for p in pool.expansion.phrases] if phrase else []
    count = pool.terms.count
    pieces = []
    for rank, (doc, uid, fused, span) in enumerate(pool.candidates):
        def share(piece: Span, text: str = texts[doc]) -> float:
            held = set(analyze(text[piece[0]:piece[1]]))
            if weights is not None:
                numbers = pool.terms.held(held)
                rare = sum(weights[n] for n in numbers) / sum(weights.values())
                return (1 - mix) * len(numbers) / count + mix * rare
            if not wanted:
                return pool.terms.share(held)
            found = pool.terms.share(held) * count + phrase * sum(p <= held for p in wanted)
            return min(1.0, found / max(1, count))
        cut = split(sentences[doc], span, share) if split is trimmed else split(sentences[doc], span, texts[doc])
        shares = [share(piece) for piece in cut]
        demoted = zero if max(shares) > 0 else 0.0
        for before, position in enumerate(sorted(range(len(cut)), key=lambda n: (-shares[n], n))):
            start, end = cut[position]
            lost = demoted if shares[position] == 0 else 0.0
            pieces.append((-(fused + w * shares[position] - decay * before - lost), rank, position,
                           {"document_id": doc, "start": start, "end": end, "segment": uid}))
    shown: Counter = Counter()
    top = []
    for *_, piece in sorted(pieces, key=lambda p: p[:3]):
        if len(top) < k and (cap is None or shown[piece["segment"]] < cap):
            shown[piece["segment"]] += 1
            top.append(piece)
    return top


def pooled(runtime, query: str, by_id: dict[str, str]) -> Pool:
    store = runtime.store
    out = store.search(query, k=POOL, filters=Filters(), params=replace(store.params, mode="hybrid"))
    return Pool([(by_id[out.rows[h.id].document_id], h.id, h.score, (out.rows[h.id].start, out.rows[h.id].end))
                 for h in out.hits], query_terms(query, out.expansion), out.expansion)


def gold_of(score, name: str, ids: dict[str, str], shared: Path):
    """Queries, units and qrels of a named set (``SETS``), with search_eval's loader."""
    queries, qrels = SETS[name]
    bench = REPO / "bench" / "queries"
    return load_gold(score, Namespace(gold=shared / "eval" / "dev", queries=queries and [bench / queries],
                                      qrels=qrels and [bench / qrels]), ids)


def repeats(lists: list[list[dict]]) -> float:
    """Share of result lists where two or more results come from one segment."""
    return sum(1 for res in lists if max(Counter(r["segment"] for r in res).values()) > 1) / len(lists)


def examples(queries: dict[str, str]) -> list[str]:
    """The shortest query (fewest words, first in file order) and the first one asking a question."""
    short = min(queries, key=lambda q: len(queries[q].split()))
    return [short] + [q for q in queries if queries[q].rstrip().endswith("?")][:1]


@dataclass
class Corpus:
    """The ingested corpus as the variants read it: texts, sentences and every splitting's pieces, by file stem."""

    runtime: Runtime
    by_id: dict[str, str]
    texts: dict[str, str]
    sentences: dict[str, list[Span]]
    pieces: dict[str, dict[str, list[Span]]]  # splitting → stem → every piece of the store

    @classmethod
    def read(cls, runtime: Runtime, ids: dict[str, str]) -> Corpus:
        texts = {stem: runtime.store.meta.document(doc, with_text=True).text for stem, doc in ids.items()}
        sentences = {stem: sentence_spans(runtime.nlp, text) for stem, text in texts.items()}
        segments = stored_spans(runtime.store, ids)
        pieces = {name: {d: sorted(p for s in spans for p in split(sentences[d], s, texts[d])) for d, spans in
                         segments.items()} for name, split in SPLITS.items()}
        return cls(runtime, {v: k for k, v in ids.items()}, texts, sentences, pieces)

    def top(self, pool: Pool, variant: Variant, k: int = 10) -> list[dict]:
        return ranked(pool, self.sentences, self.texts, SPLITS.get(variant.split, trimmed), variant.w, variant.cap, k,
                      variant.decay, variant.phrase, self.rarity(pool.terms, variant.power) if variant.rarity else None,
                      variant.zero, variant.mix)

    def rarity(self, terms: QueryTerms, power: float = 1.0) -> dict[int, float]:
        """Each query term's number and its weight: the BM25 idf over the store's passages (search10's I) to
        ``power`` (search11's Ig), the largest of the term's and of the spellings standing for it (``QueryTerms``,
        counted since search11: a respelled or corrected word is the user's, as in A05d)."""
        lexical = self.runtime.store._followed().lexical
        weights = dict.fromkeys(range(terms.count), 0.0)
        for term, n in terms.numbers.items():
            weights[n] = max(weights[n], float(bm25_idf(lexical.passages_with(term), lexical.counted, 1.0)) ** power)
        return weights


def recall(score, results: list[dict], units, rel) -> float:
    """R@20 as ``search_eval.evaluate`` counts it: the share of the grade-2 units (all judged ones if none) that
    the first 20 results are credited with."""
    _, covered = score.score_query(results[:RECALL_K], units, rel)
    top = [u for u, g in rel.items() if g == 2] or list(rel)
    return sum(1 for u in top if u in covered) / len(top)


def measure(corpus: Corpus, score, gold, name: str, lists: dict[str, list[list[dict]]],
            per_set: dict[str, dict[str, dict[str, float]]], variants: dict[str, Variant]) -> dict[str, dict]:
    """nDCG@10 of the baseline, each of ``variants`` and each splitting's ceiling on one set (dev: its two halves);
    the per-query figures go to ``per_set[name]``."""
    queries, units, qrels = gold
    base, _, _ = evaluate(corpus.runtime, score, queries, qrels, units, corpus.by_id, "hybrid", repeats=1)
    per_q: dict[str, dict[str, float]] = {"S": {q: base[q]["ndcg"] for q in base}, **{v: {} for v in variants}}
    per_q |= {f"R@20 {v}": {} for v in RECALLED if v == "S" or v in variants}
    per_q["R@20 S"] = {q: base[q]["recall"] for q in base}
    for q in base:
        pool = pooled(corpus.runtime, queries[q], corpus.by_id)
        lists["S"].append(corpus.top(pool, Variant("S", 0.0)))
        for v, variant in variants.items():
            top = corpus.top(pool, variant, RECALL_K)
            lists[v].append(top[:10])
            per_q[v][q] = ndcg(score, top, units, qrels[q])[0]
            if v in RECALLED and v != "S":
                per_q[f"R@20 {v}"][q] = recall(score, top, units, qrels[q])
    per_set[name] = per_q
    halves = {name: list(base)} if name != "dev" else {  # by position in the file, as search_eval
        half: [q for n, q in enumerate(queries) if n % 2 == odd and q in base]
        for half, odd in (("dev odd", 0), ("dev even", 1))}
    columns = {}
    for column, members in halves.items():
        columns[column] = {v: statistics.mean(per_q[v][q] for q in members) for v in per_q}
        columns[column] |= {f"ceiling {s}": statistics.mean(
            ceiling(score, near(pieces, units, qrels[q]), units, qrels[q]) for q in members)
            for s, pieces in corpus.pieces.items()}
    return columns


def pool_run(corpus: Corpus, queries: dict[str, str], variant: str = "A05cap2") -> dict:
    """A variant's top 10 per query in ``search_pool.py run``'s format (system → query → [stem, start, end]), so
    that its pieces join a judging pool whose sheet hides the systems."""
    return {f"{variant}/pieces": {q: [[r["document_id"], r["start"], r["end"]] for r in corpus.top(
        pooled(corpus.runtime, text, corpus.by_id), VARIANTS[variant])] for q, text in queries.items()}}


def differing(corpus: Corpus, queries: dict[str, str]) -> list[str]:
    """The queries whose top 10 differs between the service's sentence grain and ``SERVED``."""
    store = corpus.runtime.store
    params = replace(store.params, mode="hybrid")
    found = []
    for q, text in queries.items():
        outcome, shown = search(store, text, k=10, filters=Filters(), params=params, grain="sentence")
        served = [(corpus.by_id[r.document_id], r.start, r.end) for r in search_results(store, outcome, shown)]
        bench = [(r["document_id"], r["start"], r["end"]) for r in corpus.top(
            pooled(corpus.runtime, text, corpus.by_id), VARIANTS[SERVED])]
        if served != bench:
            found.append(q)
    return found


def main(argv=None) -> int:
    shared = REPO.parent / "shared"
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, required=True, help="store directory (created, or reused)")
    ap.add_argument("--sets", nargs="+", choices=list(SETS), default=["dev", "set1", "set2", "set3"])
    ap.add_argument("--examples", action="store_true", help="top 5 texts of set 1's shortest query and question")
    ap.add_argument("--pool", type=Path, nargs=2, metavar=("QUERIES", "OUT"),
                    help="write a variant's top 10 per query of QUERIES as pool rows to OUT and measure nothing")
    ap.add_argument("--variant", choices=list(VARIANTS), default="A05cap2", help="the variant --pool writes")
    ap.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS),
                    help="the variants measured beside the segments (S): all by default; a blind set runs only those "
                         "its rule names")
    ap.add_argument("--check", nargs="+", choices=list(SETS),
                    help=f"compare the service's sentence results with {SERVED}'s on these sets")
    ap.add_argument("--pooled", nargs="+", choices=list(SETS), default=[],
                    help="also each variant's difference to S, A05 and A05d over these sets' queries pooled "
                         "(of --sets)")
    a = ap.parse_args(argv)
    score = load_score(shared / "eval" / "score.py")
    runtime = Runtime.from_settings(Settings(data_dir=a.data))
    try:
        ids = ingest(runtime, shared / "corpus")
        corpus = Corpus.read(runtime, ids)
        if a.pool:
            a.pool[1].write_text(json.dumps(pool_run(corpus, read_queries(a.pool[0]), a.variant), indent=1))
            return 0
        if a.check:
            found = []
            for name in a.check:
                queries = gold_of(score, name, ids, shared)[0]
                found += (differs := differing(corpus, queries))
                print(f"{name}: service grain=sentence top 10 equal to {SERVED}'s on {len(queries) - len(differs)} of "
                      f"{len(queries)} queries" + (f"; differing: {' '.join(differs)}" if differs else ""))
            return 1 if found else 0
        for name, pieces in corpus.pieces.items():
            lengths = [e - s for spans in pieces.values() for s, e in spans]
            print(f"store pieces {name}: {sum(map(len, pieces.values()))}, median {statistics.median(lengths)} chars")
        columns: dict[str, dict[str, float]] = {}
        variants = {v: VARIANTS[v] for v in a.variants}
        lists: dict[str, list[list[dict]]] = {v: [] for v in ["S", *variants]}
        per_set: dict[str, dict[str, dict[str, float]]] = {}
        for name in a.sets:
            gold = gold_of(score, name, ids, shared)
            columns |= measure(corpus, score, gold, name, lists, per_set, variants)
            if name == "set1" and a.examples:
                show_examples(corpus, gold[0])
            print(f"{name} done", file=sys.stderr, flush=True)
    finally:
        runtime.close()
    print_table(columns, lists)
    if a.pooled:
        print_pooled({(name, q): {v: per_set[name][v][q] for v in ["S", *a.variants]}
                      for name in a.pooled for q in per_set[name]["S"]})
    return 0


def interval(diffs: list[float], resamples: int = 10_000, seed: int = 0) -> tuple[float, float]:
    """The 95 % bootstrap interval of the mean of ``diffs`` (queries resampled)."""
    rng = random.Random(seed)
    means = sorted(sum(rng.choices(diffs, k=len(diffs))) / len(diffs) for _ in range(resamples))
    return means[int(0.025 * resamples)], means[int(0.975 * resamples) - 1]


def print_pooled(per_query: dict[tuple[str, str], dict[str, float]]) -> None:
    """Each variant's pooled mean nDCG@10 and its per-query difference to S, to A05 and to A05d."""
    print(f"\npooled over {len(per_query)} queries: variant, mean, then per reference: difference [95 % interval] "
          f"won/lost")
    rows = list(per_query.values())
    for v in [v for v in rows[0] if v != "S"]:
        line = f"{v:12}{statistics.mean(r[v] for r in rows):7.3f}"
        for ref in ("S", "A05", "A05d"):
            if ref != v and ref in rows[0]:
                diffs = [r[v] - r[ref] for r in rows]
                low, high = interval(diffs)
                line += (f"   - {ref}: {statistics.mean(diffs):+.3f} [{low:+.3f}, {high:+.3f}] "
                         f"{sum(d > 1e-9 for d in diffs)}/{sum(d < -1e-9 for d in diffs)}")
        print(line)


def print_table(columns: dict[str, dict[str, float]], lists: dict[str, list[list[dict]]]) -> None:
    rows = list(next(iter(columns.values())))
    print(f"{'variant':12}" + "".join(f"{c:>10}" for c in columns) + f"{'median len':>12}{'2+ same seg':>13}"
          f"{'segments':>10}")
    for row in rows:
        tail = ""
        if row in lists:
            lengths = [r["end"] - r["start"] for res in lists[row] for r in res]
            segments = statistics.mean(len({r["segment"] for r in res}) for res in lists[row])
            tail = f"{statistics.median(lengths):12.0f}{repeats(lists[row]):13.2f}{segments:10.1f}"
        print(f"{row:12}" + "".join(f"{columns[c][row]:10.3f}" for c in columns) + tail)


def show_examples(corpus: Corpus, queries: dict[str, str]) -> None:
    for q in examples(queries):
        pool = pooled(corpus.runtime, queries[q], corpus.by_id)
        print(f"\n## {q}: {queries[q]}")
        for v, variant in {"S": Variant("S", 0.0), **VARIANTS}.items():
            if v == "S" or variant.w:
                print(f"  {v}:")
                for r in corpus.top(pool, variant)[:5]:
                    shown = " ".join(corpus.texts[r["document_id"]][r["start"]:r["end"]].split())
                    print(f"    [{r['document_id'][:3]} {r['end'] - r['start']}c] {shown[:180]}")


if __name__ == "__main__":
    sys.exit(main())
