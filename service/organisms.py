"""The service's organisms: one per organism, however the stored documents spell it.

Documents keep the name as they write it; a scanned letter's OCR misreading ("Coop'lvry Habitat") is the same
organism as its report's "Coop'Ivry Habitat" (pipelines/organism_names.py). So the organism filter matches every
spelling of the organisms it names, the organism facet counts each organism once under its name, and
GET /organisms lists each once, with its other spellings as aliases. The organisms are read from the store's
names at each request (no state to keep in step with writes): the same on both backends.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from ancols_nlp.index.interface import SegmentStore
from ancols_nlp.pipelines.organism_names import Organism, organisms


def stored(store: SegmentStore) -> list[Organism]:
    return organisms(store.organism_documents())


def one_per_organism(counts: dict[str, int], known: Iterable[Organism]) -> dict[str, int]:
    """An organism facet (``counts``: passages per stored name) counted per organism, under its name, by name."""
    name = {spelling: o.name for o in known for spelling in o.spellings}
    out: Counter[str] = Counter()
    for spelling, n in counts.items():
        out[name.get(spelling, spelling)] += n
    return dict(sorted(out.items()))
