"""Per-segment attributes for filters, facets and priors, as integer codes into small label tables.

At a million segments, object arrays of strings and a list of theme lists cost gigabytes of
Python objects; codes cost a few bytes a segment (themes are one bit each in a uint64), and
save to and load from ``.npy`` files without pickling. Labels are kept in order of first use,
so extending a table (a newer part of the store) leaves existing codes valid.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ancols_nlp.pipelines.themes import kept_themes

if TYPE_CHECKING:
    from ancols_nlp.index.query import Filters

# Coded attributes: name → numpy dtype of the code (-1 = none).
_CODED = {"kind": np.int16, "document_id": np.int32, "organism": np.int32, "doc_type": np.int16, "block": np.int16}
MAX_THEMES = 64  # one bit each in ``themes``


@dataclass(frozen=True)
class Columns:
    """Attributes aligned with the rows of a snapshot part (ids ascending within a part)."""

    ids: np.ndarray  # int64
    year: np.ndarray  # int16, -1 when unknown
    themes: np.ndarray  # uint64 bit set over labels["theme"]
    codes: dict[str, np.ndarray]  # name in _CODED → codes into labels[name]
    labels: dict[str, list[str]] = field(default_factory=dict)  # also "theme"

    def __len__(self) -> int:
        return len(self.ids)

    # -- building ---------------------------------------------------------------------------
    @classmethod
    def from_rows(cls, rows: list[tuple], labels: dict[str, list[str]] | None = None) -> Columns:
        """From ``IndexRows.columns`` tuples (index/rows.py), coding new labels after those of ``labels``.

        A passage's themes are the ones ``kept_themes`` lists, so a store written when passages listed their
        three best themes whatever their score filters and counts as a new one."""
        labels = {name: list(values) for name, values in (labels or {}).items()}
        tables = {name: {v: n for n, v in enumerate(labels.setdefault(name, []))} for name in (*_CODED, "theme")}

        def code(name: str, value: str | None) -> int:
            if value is None:
                return -1
            table = tables[name]
            if value not in table:
                table[value] = len(table)
                labels[name].append(value)
            return table[value]

        n = len(rows)
        codes = {name: np.empty(n, dtype=dtype) for name, dtype in _CODED.items()}
        year = np.empty(n, dtype=np.int16)
        themes = np.zeros(n, dtype=np.uint64)
        for i, (_, kind, theme_json, document_id, meta_json, block) in enumerate(rows):
            meta = json.loads(meta_json)
            listed, scores = json.loads(theme_json)
            seg_themes = kept_themes(listed or [], scores or {})
            codes["kind"][i] = code("kind", kind)
            codes["document_id"][i] = code("document_id", document_id)
            codes["organism"][i] = code("organism", meta.get("organism"))
            codes["doc_type"][i] = code("doc_type", meta.get("doc_type"))
            codes["block"][i] = code("block", block)
            bits = 0
            for theme in seg_themes:
                bits |= 1 << code("theme", theme)
            themes[i] = bits
            year[i] = meta.get("year") or -1
        if len(labels["theme"]) > MAX_THEMES:
            raise ValueError(f"{len(labels['theme'])} distinct themes; the columns hold at most {MAX_THEMES}.")
        return cls(ids=np.array([r[0] for r in rows], dtype=np.int64), year=year, themes=themes, codes=codes,
                   labels=labels)

    def followed_by(self, more: Columns) -> Columns:
        """These rows then ``more``'s, which were coded after these labels (``from_rows(rows, self.labels)``)."""
        return Columns(ids=np.concatenate([self.ids, more.ids]), year=np.concatenate([self.year, more.year]),
                       themes=np.concatenate([self.themes, more.themes]),
                       codes={k: np.concatenate([v, more.codes[k]]) for k, v in self.codes.items()}, labels=more.labels)

    # -- persistence --------------------------------------------------------------------------
    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        for name, array in {"ids": self.ids, "year": self.year, "themes": self.themes, **self.codes}.items():
            np.save(directory / f"{name}.npy", array)
        (directory / "labels.json").write_text(json.dumps(self.labels, ensure_ascii=False))

    @classmethod
    def load(cls, directory: Path) -> Columns:
        def get(name: str) -> np.ndarray:
            return np.load(directory / f"{name}.npy")
        return cls(ids=get("ids"), year=get("year"), themes=get("themes"), codes={name: get(name) for name in _CODED},
                   labels=json.loads((directory / "labels.json").read_text()))

    # -- reads ----------------------------------------------------------------------------------
    def values(self, name: str) -> list[str | None]:
        """Decoded values of one coded attribute (for tests and small listings, not the search path)."""
        table = self.labels[name]
        return [table[c] if c >= 0 else None for c in self.codes[name].tolist()]

    def _wanted(self, name: str, values: tuple[str, ...], fold: bool = False) -> np.ndarray:
        table = self.labels.get(name, [])
        if fold:
            wanted = {v.casefold() for v in values}
            return np.array([n for n, v in enumerate(table) if v.casefold() in wanted], dtype=np.int64)
        wanted = set(values)
        return np.array([n for n, v in enumerate(table) if v in wanted], dtype=np.int64)

    def mask(self, f: Filters) -> np.ndarray:
        keep = np.ones(len(self.ids), dtype=bool)
        for name, values in (("kind", f.kind), ("document_id", f.document_id), ("doc_type", f.doc_type)):
            if values:
                keep &= np.isin(self.codes[name], self._wanted(name, values))
        if f.organism:
            keep &= self.has_organism(f.organism)
        if f.theme:
            keep &= self.has_theme(f.theme)
        if f.year_min is not None:
            keep &= self.year >= f.year_min
        if f.year_max is not None:
            keep &= (self.year <= f.year_max) & (self.year >= 0)
        return keep

    def has_kind(self, kinds: tuple[str, ...]) -> np.ndarray:
        return np.isin(self.codes["kind"], self._wanted("kind", kinds))

    def has_organism(self, organisms: tuple[str, ...]) -> np.ndarray:
        return np.isin(self.codes["organism"], self._wanted("organism", organisms, fold=True))

    def has_theme(self, themes: tuple[str, ...]) -> np.ndarray:
        bits = np.uint64(sum(1 << int(n) for n in self._wanted("theme", themes)))
        return (self.themes & bits) != 0

    def facets(self, mask: np.ndarray) -> dict[str, dict[str, int]]:
        """Counts per kind, theme and organism among the segments ``mask`` lets through, each what its filter
        returns: a passage counts under each of its themes (as a terms aggregation on a multi-valued field), and
        one without organism under none (no label the organism filter would not match)."""
        out = {}
        for name in ("kind", "organism"):
            table, codes = self.labels[name], self.codes[name][mask]
            counts = np.bincount(codes[codes >= 0], minlength=len(table))
            out[name] = {table[n]: int(c) for n, c in enumerate(counts) if c and table[n].strip()}
        themes = self.themes[mask]
        out["theme"] = {t: int(c) for n, t in enumerate(self.labels["theme"])
                        if (c := np.count_nonzero(themes & np.uint64(1 << n)))}
        return {facet: dict(sorted(out[facet].items())) for facet in ("kind", "theme", "organism")}

    def organism_documents(self, mask: np.ndarray) -> dict[str, int]:
        """The organism names of the segments ``mask`` lets through, each with its number of documents, in the order
        they were first stored (the rows' order)."""
        rows = np.flatnonzero(mask & (self.codes["organism"] >= 0))
        organism = self.codes["organism"][rows].astype(np.int64)
        pairs = np.unique(organism << 32 | self.codes["document_id"][rows].astype(np.int64))
        documents = np.bincount(pairs >> 32, minlength=len(self.labels["organism"]))
        codes, first = np.unique(organism, return_index=True)
        names = self.labels["organism"]
        return {names[c]: int(documents[c]) for c in codes[np.argsort(first)].tolist() if names[c].strip()}

    def organisms(self, mask: np.ndarray) -> list[str]:
        used = np.unique(self.codes["organism"][mask])
        return sorted({self.labels["organism"][c] for c in used.tolist()
                       if c >= 0 and self.labels["organism"][c].strip()})
