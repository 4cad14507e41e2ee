"""Labelled sources: labels kept in another folder than their units join the same source (``bench/gold``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ancols_nlp.models import goldset

FINDING = "La société n'a pas mis à jour son plan stratégique de patrimoine depuis 2012."
ORDER = "La société doit actualiser son plan stratégique de patrimoine sans délai."


def _write(folder: Path, name: str, rows: list[tuple]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text("".join("\t".join(map(str, r)) + "\n" for r in rows), encoding="utf-8")


@pytest.fixture()
def layout(tmp_path: Path) -> dict[str, Path]:
    """Two reports sharing a corpus and a units folder; the first labelled beside its units, the second apart."""
    corpus, dev, extra = tmp_path / "corpus", tmp_path / "dev", tmp_path / "gold"
    corpus.mkdir()
    text = f"{FINDING}\n\n{ORDER}\n"
    units = [("0", 0, len(FINDING)), ("1", len(FINDING) + 2, len(FINDING) + 2 + len(ORDER))]
    for name in ("001_a", "002_b"):
        (corpus / f"{name}.txt").write_text(text, encoding="utf-8")
        _write(dev, f"{name}.units.tsv", units)
    _write(dev, "001_a.labels.tsv", [("0", "observation", "patrimoine"), ("1", "recommendation", "patrimoine")])
    _write(extra, "002_b.labels.tsv", [("0", "observation", "patrimoine"), ("1", "observation", "patrimoine")])
    return {"corpus": corpus, "dev": dev, "gold": extra}


def test_labels_kept_apart_join_the_source_of_their_units(layout):
    docs = goldset.load_sources((goldset.Source(layout["corpus"], layout["dev"]),
                                 goldset.Source(layout["corpus"], layout["dev"], layout["gold"])))
    assert [(d.name, d.source) for d in docs] == [("001_a", "dev"), ("002_b", "dev")]
    assert docs[0].kinds == ["observation", "recommendation"]
    assert docs[1].kinds == ["observation", "observation"]  # its own labels, not the shared folder's
    assert docs[1].units == docs[0].units


def test_a_document_labelled_in_two_sources_is_refused(layout):
    _write(layout["gold"], "001_a.labels.tsv", [("0", "other", "none"), ("1", "other", "none")])
    with pytest.raises(ValueError, match="001_a"):
        goldset.load_sources((goldset.Source(layout["corpus"], layout["dev"]),
                              goldset.Source(layout["corpus"], layout["dev"], layout["gold"])))
