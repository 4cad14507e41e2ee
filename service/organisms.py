"""The service's organisms: one per organism, however the stored documents spell it.

Documents keep the name as they write it; a scanned letter's OCR misreading ("Coop'lvry Habitat") is the same
organism as its report's "Coop'Ivry Habitat" (pipelines/organism_names.py). So the organism filter matches every
spelling of the organisms it names, and GET /organisms lists each once, with its other spellings as aliases (the
organism facet is counted so by each store, ``organism_names.per_organism``). The organisms are read from the store's
names at each request (no state to keep in step with writes): the same on both backends.
"""

from __future__ import annotations

from ancols_nlp.index.interface import SegmentStore
from ancols_nlp.pipelines.organism_names import Organism, organisms


def stored(store: SegmentStore) -> list[Organism]:
    return organisms(store.organism_documents())
