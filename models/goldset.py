"""The annotated documents, aligned on the pipeline's own sentences, for training and evaluating models.

Labelled material comes in *sources*, each a folder of texts, a folder of gold units and a folder of
labels (by default the units' folder): the ANCOLS dev reports (``shared/corpus`` + ``shared/eval/dev``)
and the report of a regional audit chamber (``shared/eval/crc``, text and gold in one folder); the two
ANCOLS reports the project labelled itself (units of ``shared/eval/dev``, labels in ``bench/gold``)
only when asked (``--source ../shared/corpus ../shared/eval/dev bench/gold``: training on them did not
meet its keep rule, ``models/kinds/MODEL_CARD.md``). Training uses every source; evaluation holds
documents (or a whole control body) out. Gold
comes as numbered units (sentences or lines of the original text, see ``shared/eval/ANNOTATION.md``);
the models see the pipeline's sentences. Each sentence takes the label of the units covering most of
its characters (majority overlap), so a model is trained on exactly what it will be asked at ingestion
time.
"""

from __future__ import annotations

import argparse
import csv
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from ancols_nlp.models.shipped import fallback_models
from ancols_nlp.pipelines.process import process_text
from ancols_nlp.pipelines.sentences import load_sentencizer
from ancols_nlp.pipelines.types import KindPrediction, SentenceContext, SourceText



@dataclass(frozen=True)
class Source:
    """A folder of corpus texts (``*.txt``), the folder of their gold units and, when kept apart, of their labels.

    The units' folder names the source: labels written elsewhere for more documents of the same
    folder (``bench/gold``) belong to the same control body for ``--cross`` and per-source figures."""

    corpus: Path
    gold: Path
    labels: Path | None = None  # None: the labels lie beside the units

    @property
    def name(self) -> str:
        return self.gold.name

    @property
    def labels_dir(self) -> Path:
        return self.labels or self.gold


# Where the labelled material is when a script runs from the repository root (README); every script
# takes ``--source CORPUS GOLD [LABELS]`` to point elsewhere, nothing is found relative to the installed
# package. The first source is the control body the models are built for (ANCOLS); a source of another
# name tests transfer.
DEFAULT_SOURCES = (Source(Path("../shared/corpus"), Path("../shared/eval/dev")),
                   Source(Path("../shared/eval/crc"), Path("../shared/eval/crc")))


@dataclass
class GoldDocument:
    """One corpus document, its gold units (empty when unlabelled) and the pipeline's view of it."""

    name: str
    text: str
    units: dict[str, tuple[int, int]]
    labels: dict[str, tuple[str, str]]  # unit id → (kind, theme)
    contexts: list[SentenceContext] = field(default_factory=list)
    kinds: list[str | None] = field(default_factory=list)  # gold kind of each sentence (None: not annotated)
    themes: list[str | None] = field(default_factory=list)  # gold theme of each sentence (None: none / other)
    source: str = ""  # the ``Source.name`` it was read from

    @property
    def labelled(self) -> bool:
        return bool(self.labels)


class _Recorder:
    """A kind model that only remembers what the pipeline asked it (and answers ``other``)."""

    def __init__(self) -> None:
        self.contexts: list[SentenceContext] = []

    def __call__(self, contexts: Sequence[SentenceContext]) -> list[KindPrediction]:
        self.contexts = list(contexts)
        return [KindPrediction("other", {"other": 1.0}) for _ in contexts]


def read_tsv(path: Path) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return [row for row in csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE) if row]


def load_sources(sources: Sequence[Source], *, labelled_only: bool = True) -> list[GoldDocument]:
    """The documents of every source, source by source (each sorted by name).

    A document labelled in two sources is refused: held-out evaluation names models by document."""
    docs = [doc for source in sources for doc in load(source.corpus, source.gold, labelled_only=labelled_only,
                                                       source=source.name, labels_dir=source.labels_dir)]
    twice = sorted(name for name, n in Counter(d.name for d in docs).items() if n > 1)
    if twice:
        raise ValueError(f"documents found in more than one source: {twice}")
    return docs


def load(corpus: Path, gold: Path, names: list[str] | None = None, *, labelled_only: bool = True,
         source: str = "", labels_dir: Path | None = None) -> list[GoldDocument]:
    """The documents of one source (sorted by name), with their sentences' contexts and aligned gold labels.

    ``labels_dir`` holds the ``*.labels.tsv`` files when they are not in ``gold``, the units' folder."""
    nlp = load_sentencizer()
    docs = []
    for path in sorted(corpus.glob("*.txt")):
        name = path.stem
        if names is not None and name not in names:
            continue
        units_path, labels_path = gold / f"{name}.units.tsv", (labels_dir or gold) / f"{name}.labels.tsv"
        units = {r[0]: (int(r[1]), int(r[2])) for r in read_tsv(units_path)} if units_path.exists() else {}
        labels = {r[0]: (r[1], r[2]) for r in read_tsv(labels_path)} if labels_path.exists() else {}
        if labelled_only and not labels:
            continue
        text = path.read_text(encoding="utf-8")
        recorder = _Recorder()  # only the sentences are wanted: no trained model runs
        process_text(SourceText(text, "text/plain"), nlp=nlp, models=replace(fallback_models(), kinds=recorder))
        doc = GoldDocument(name, text, units, labels, recorder.contexts, source=source or gold.name)
        doc.kinds, doc.themes = align(recorder.contexts, units, labels)
        docs.append(doc)
    return docs


def align(contexts: list[SentenceContext], units: dict[str, tuple[int, int]],
          labels: dict[str, tuple[str, str]]) -> tuple[list[str | None], list[str | None]]:
    """Kind and theme of each sentence by majority character overlap with the gold units."""
    spans = sorted((start, end, uid) for uid, (start, end) in units.items() if uid in labels)
    kinds, themes = [], []
    first = 0
    for ctx in contexts:
        while first < len(spans) and spans[first][1] <= ctx.start:
            first += 1
        kind_votes: Counter[str] = Counter()
        theme_votes: Counter[str] = Counter()
        for start, end, uid in spans[first:]:
            if start >= ctx.end:
                break
            overlap = min(end, ctx.end) - max(start, ctx.start)
            if overlap > 0:
                kind, theme = labels[uid]
                kind_votes[kind] += overlap
                if kind != "other" and theme != "none":
                    theme_votes[theme] += overlap
        kinds.append(kind_votes.most_common(1)[0][0] if kind_votes else None)
        themes.append(theme_votes.most_common(1)[0][0] if theme_votes and kinds[-1] != "other" else None)
    return kinds, themes


def training_arguments(doc: str | None, argv: list[str] | None, artefacts: Path) -> argparse.Namespace:
    """The command line shared by the training scripts (``--cache``, ``--out``, data paths), with logging set up."""
    ap = argparse.ArgumentParser(description=(doc or "").split("\n\n")[0])
    data_arguments(ap)
    ap.add_argument("--cache", type=Path, help="npz file memoising sentence embeddings between runs")
    ap.add_argument("--out", type=Path, default=artefacts)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    return ap.parse_args(argv)


def data_arguments(ap: argparse.ArgumentParser) -> None:
    """``--source CORPUS GOLD [LABELS]`` (repeatable): texts and their annotations, relative to the working
    directory.

    Without it, the ``DEFAULT_SOURCES``; read the parsed value with ``sources(args)``."""
    ap.add_argument("--source", nargs="+", type=Path, action="append", metavar="PATH",
                    help="CORPUS GOLD [LABELS]: a folder of texts (*.txt), the folder of their gold units (and "
                         "labels), optionally another folder holding their labels; repeatable, sources whose GOLD "
                         "folder has the first one's name are the ANCOLS reference (default: ../shared/corpus "
                         "../shared/eval/dev, then ../shared/eval/crc ../shared/eval/crc; the project's own "
                         "gold: ../shared/corpus ../shared/eval/dev bench/gold)")


def sources(args: argparse.Namespace) -> tuple[Source, ...]:
    if not args.source:
        return DEFAULT_SOURCES
    if any(len(paths) not in (2, 3) for paths in args.source):
        raise SystemExit("--source takes CORPUS GOLD and optionally LABELS")
    return tuple(Source(*paths) for paths in args.source)
