"""The snapshot base on disk, so opening a large store is a load, not a rebuild.

Layout: ``<data_dir>/snapshot/base-<n>/`` holds ``columns/``, ``terms/``, ``vectors.faiss`` and,
written last, ``manifest.json``. A base is written into a temporary directory and renamed into
place, so a crash leaves either a complete base or a stray temporary directory (removed at the
next save). A base is only a cache of SQLite: it is used when its manifest names the same
store, the same embedding and analysis fingerprints, and its parts agree in length; anything
else (missing, stale, damaged) is ignored and the base is rebuilt from the rows. Which documents
it holds is in its columns, so any committed state of SQLite can be served from it plus a delta.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from ancols_nlp.index.columns import Columns
from ancols_nlp.index.lexical import TermMatrix
from ancols_nlp.index.snapshot import Part
from ancols_nlp.index.vectors import VectorIndex

FORMAT = "ancols-base-2"  # 2: themes under the floor (pipelines/themes.py THEME_FLOOR) left out
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Manifest:
    store: str  # the SQLite store's own id (settings key "store_id")
    embedding: str
    lexical: str
    segments: int
    vector_index: str
    format: str = FORMAT


def save(root: Path, part: Part, manifest: Manifest) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for stale in root.glob(".tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    tmp = root / f".tmp-{uuid.uuid4().hex}"
    part.columns.save(tmp / "columns")
    part.terms.save(tmp / "terms")
    part.vectors.save(tmp / "vectors.faiss")
    (tmp / "manifest.json").write_text(json.dumps(asdict(manifest)))
    for path in tmp.rglob("*"):
        if path.is_file():
            with open(path, "rb+") as f:
                os.fsync(f.fileno())
    number = max((_number(p) for p in root.glob("base-*")), default=0) + 1
    final = root / f"base-{number}"
    os.rename(tmp, final)
    _fsync_dir(root)
    return final


def load(root: Path, *, store: str, embedding: str, lexical: str,
         exact_limit: int) -> tuple[Part, Manifest, Path] | None:
    """The newest usable base and its directory, or None; one whose vector index is not the kind ``exact_limit``
    asks for is stale."""
    for directory in sorted(root.glob("base-*"), key=_number, reverse=True):
        try:
            written = json.loads((directory / "manifest.json").read_text())  # fields no longer kept are ignored
            manifest = Manifest(**{f.name: written[f.name] for f in fields(Manifest) if f.name in written})
            exact = manifest.vector_index == "flat"
            if ((manifest.format, manifest.store, manifest.embedding, manifest.lexical)
                    != (FORMAT, store, embedding, lexical)
                    or exact != (manifest.segments <= exact_limit)):
                log.info("snapshot %s is stale; rebuilding from the rows", directory.name)
                continue
            part = Part(Columns.load(directory / "columns"), TermMatrix.load(directory / "terms"),
                        VectorIndex.load(directory / "vectors.faiss", manifest.vector_index))
            if not len(part.columns) == len(part.terms) == len(part.vectors) == manifest.segments:
                raise ValueError("its parts disagree in length")
            return part, manifest, directory
        except (OSError, EOFError, ValueError, TypeError, KeyError, RuntimeError) as exc:
            log.warning("snapshot %s is unusable (%s); rebuilding from the rows", directory.name, exc)
    return None


def prune(root: Path, keep: Path) -> None:
    """Remove every base but ``keep`` (files a live snapshot still maps stay readable until unmapped)."""
    for directory in root.glob("base-*"):
        if directory != keep:
            shutil.rmtree(directory, ignore_errors=True)


def _number(path: Path) -> int:
    try:
        return int(path.name.split("-", 1)[1])
    except (IndexError, ValueError):
        return -1


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
