"""Character error rate of an OCR reading against the text it was printed from."""

from __future__ import annotations

import numpy as np


def char_error_rate(reference: str, reading: str) -> float:
    """Levenshtein distance over the reference's length, whitespace runs counted as one space.

    One row of the distance table at a time, in numpy: an insertion chain along a row is a running minimum of
    ``row[k] - k`` plus ``j``, so a 10,000-character page pair takes a fraction of a second."""
    ref, hyp = " ".join(reference.split()), " ".join(reading.split())
    if not ref:
        return float(bool(hyp))
    hyp_codes = np.frombuffer(hyp.encode("utf-32-le"), dtype=np.uint32)
    steps = np.arange(len(hyp) + 1)
    row = steps.copy()
    for i, char in enumerate(ref, start=1):
        best = np.empty_like(row)
        best[0] = i
        best[1:] = np.minimum(row[1:] + 1, row[:-1] + (hyp_codes != ord(char)))
        row = np.minimum.accumulate(best - steps) + steps
    return float(row[-1]) / len(ref)
