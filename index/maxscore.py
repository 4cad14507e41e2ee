"""The lexical top n, compiled: a query's sorted postings read in row order, window by window (MaxScore with
block maxima).

numpy's per-element cost (a sort to merge postings, a binary search per candidate) kept the engine at
1.4–1.6× Tantivy's CPU time at 1M passages (issue 16); these loops run compiled (numba) and read each
query list once, in row order, skipping what cannot rank, so a query's cost follows its postings, not
the number of rows stored.

A query list is the postings of one query term in one part (rows ascending, each with its saturation, the
length-normalised frequency, and the term's idf) or of one synonym phrase (its rows, with the summed
weight of its scored terms, and an idf of 1). Postings are cut in blocks of ``BLOCK``; a block's peak is
its largest saturation, so idf × peak bounds what the list adds to any row of the block. Once the heap
holds n rows, a window's lists whose bounds there, summed from the smallest, cannot lift a row above the
n-th best (times the largest prior) are non-essential: only the rows the other lists hold are candidates,
and a window where every list is non-essential is skipped whole (``top_n`` says how). Scores are BM25
summed in float64 over the float32 weights, rounded to float32, times the row's float32 prior: what the
brute force gives. Among equal scores the lower row is kept, so the result does not depend on the order
of evaluation.
"""

from __future__ import annotations

import numpy as np
from numba import njit

BLOCK = 128  # postings per block: Lucene's and Tantivy's block size
# A bound (float64) compared with float32 scores: a row is skipped only when its bound is this much below.
SLACK = 1e-6
_END = np.int64(1 << 62)
# Rows of a window whose candidates are summed in a dense buffer (32 KB of float64: it stays in cache).
WINDOW = 4096
# A window's candidates get the weights of the lists they would be looked up in added in the buffer instead when
# those lists hold at most this many postings there per posting of the candidates' lists. Thread CPU ms, medians
# at 1M passages, dev / sampled queries, top 10 then top 200: lookups only 1.37 / 0.50, 3.06 / 1.15; 16: 1.14 /
# 0.43, 2.09 / 0.99; 64: 1.19 / 0.49, 2.12 / 1.06; buffer only: 1.20 / 0.50, 2.10 / 1.04.
DENSE = 16
# The index of a 64-bit word's lowest set bit, from its isolated bit times a de Bruijn sequence.
_DE_BRUIJN = np.uint64(0x03F79D71B4CB0A89)
_BIT_INDEX = np.zeros(64, np.int64)
for _bit in range(64):
    _BIT_INDEX[((1 << _bit) * int(_DE_BRUIJN) % (1 << 64)) >> 58] = _bit


@njit(cache=True, nogil=True)
def block_peaks(start, saturation, block):
    """Each term's block peaks, its blocks in order, and the index of each term's first block."""
    terms = len(start) - 1
    first = np.zeros(terms + 1, np.int64)
    for t in range(terms):
        first[t + 1] = first[t] + (start[t + 1] - start[t] + block - 1) // block
    peaks = np.zeros(first[terms], np.float32)
    for t in range(terms):
        for p in range(start[t], start[t + 1]):
            b = first[t] + (p - start[t]) // block
            if saturation[p] > peaks[b]:
                peaks[b] = saturation[p]
    return peaks, first


@njit(cache=True, nogil=True)
def phrase_postings(rows, saturation, lo, hi, idf, scored, block):
    """The rows holding every term of a phrase (the postings ``rows[lo[i]:hi[i]]`` of each), with the sum
    of the scored terms' weights (idf × saturation, in the terms' order) and the peaks of its blocks."""
    shortest = 0
    for i in range(len(lo)):
        if hi[i] - lo[i] < hi[shortest] - lo[shortest]:
            shortest = i
    out_rows = np.empty(hi[shortest] - lo[shortest], np.int32)
    out_weights = np.empty(hi[shortest] - lo[shortest], np.float32)
    at = lo.copy()
    found = 0
    for p in range(lo[shortest], hi[shortest]):
        row = rows[p]
        held = True
        for i in range(len(lo)):
            at[i] = _seek(rows, at[i], hi[i], row)
            if at[i] == hi[i] or rows[at[i]] != row:
                held = False
                break
        if held:
            w = np.float32(0.0)
            for i in range(len(lo)):
                if scored[i]:
                    w += np.float32(idf[i] * saturation[at[i]])
            out_rows[found] = row
            out_weights[found] = w
            found += 1
    peaks = np.zeros((found + block - 1) // block, np.float32)
    for p in range(found):
        if out_weights[p] > peaks[p // block]:
            peaks[p // block] = out_weights[p]
    return out_rows[:found], out_weights[:found], peaks


@njit(cache=True, nogil=True, inline="always")
def _seek(rows, at, hi, row):
    """The first position in ``[at, hi)`` whose row is at least ``row``: galloping, then a binary search."""
    if at >= hi or rows[at] >= row:
        return at
    step = 1
    low = at
    while at + step < hi and rows[at + step] < row:
        low = at + step
        step *= 2
    high = min(at + step, hi)
    while low + 1 < high:  # rows[low] < row; rows[high] >= row or high == hi
        mid = (low + high) >> 1
        if rows[mid] < row:
            low = mid
        else:
            high = mid
    return high


@njit(cache=True, nogil=True)
def _below(score_a, row_a, score_b, row_b):
    """Whether (score_a, row_a) ranks below (score_b, row_b): a lower score, or the same and a higher row."""
    return score_a < score_b or (score_a == score_b and row_a > row_b)


@njit(cache=True, nogil=True)
def _push(scores, rows, size, value, row):
    """Add an entry to the heap of ``size`` entries whose root ranks lowest (the hole moves up)."""
    at = size
    while at > 0:
        parent = (at - 1) >> 1
        if not _below(value, row, scores[parent], rows[parent]):
            break
        scores[at], rows[at] = scores[parent], rows[parent]
        at = parent
    scores[at], rows[at] = value, row


@njit(cache=True, nogil=True)
def _replace_root(scores, rows, size, value, row):
    """Put an entry in place of the heap's lowest one (the hole moves down). Entries are compared as scalars:
    a helper comparing two heap entries through the arrays costs ~800 cycles an insertion (numba's reference
    counting), most of a top 200."""
    at = 0
    while True:
        child = 2 * at + 1
        if child >= size:
            break
        if child + 1 < size and _below(scores[child + 1], rows[child + 1], scores[child], rows[child]):
            child += 1
        if not _below(scores[child], rows[child], value, row):
            break
        scores[at], rows[at] = scores[child], rows[child]
        at = child
    scores[at], rows[at] = value, row


@njit(cache=True, nogil=True)
def _window_max(rows, peaks, at, lo, hi, first_block, end, block):
    """The largest peak of a list's blocks from the one holding position ``at`` to the one holding row ``end``."""
    out = np.float32(0.0)
    b = (at - lo) // block
    while lo + b * block < hi and rows[lo + b * block] <= end:
        out = max(out, peaks[first_block + b])
        b += 1
    return out


@njit(cache=True, nogil=True)
def _listed(rows, sat, at, past, idf, candidates, partial):
    """A list's rows at positions ``at..past`` as the candidates, with their weights; how many."""
    for p in range(at, past):
        candidates[p - at] = rows[p]
        partial[p - at] = np.float32(idf * sat[p])
    return past - at


@njit(cache=True, nogil=True)
def _summed(rows, sat, at, past, start, idf, buffer, marks):
    """Add a list's weights at positions ``at..past`` to the window's buffer (rows from ``start``), marking them."""
    for p in range(at, past):
        k = rows[p] - start
        buffer[k] += np.float32(idf * sat[p])
        marks[k >> 6] |= np.uint64(1) << np.uint64(k & 63)


@njit(cache=True, nogil=True)
def _added(rows, sat, at, past, start, idf, buffer, marks):
    """Add a list's weights at positions ``at..past`` to the marked rows of the buffer only (without a branch)."""
    for p in range(at, past):
        k = rows[p] - start
        buffer[k] += np.float32(idf * sat[p]) * np.float32((marks[k >> 6] >> np.uint64(k & 63)) & np.uint64(1))


@njit(cache=True, nogil=True)
def _marked(marks, buffer, start, end, candidates, partial):
    """The marked rows of the window ``start..end``, ascending, with their sums (clearing marks and buffer)."""
    found = 0
    for word in range(((end - start) >> 6) + 1):
        bits = marks[word]
        marks[word] = 0
        while bits:
            lowest = bits & (~bits + np.uint64(1))
            k = (word << 6) + _BIT_INDEX[(lowest * _DE_BRUIJN) >> np.uint64(58)]
            candidates[found] = start + k
            partial[found] = buffer[k]
            buffer[k] = 0.0
            found += 1
            bits ^= lowest
    return found


@njit(cache=True, nogil=True)
def top_n(rows_a, sat_a, peaks_a, rows_b, sat_b, peaks_b, source, lo, hi, first_block, idf, bound,
          prior, allowed, n, prior_bound, block, dense):
    """The ``n`` best rows of one part with a score above 0, and their scores (in no particular order).

    List ``j`` is ``rows[lo[j]:hi[j]]`` of source ``a`` (the part's postings) or ``b`` (the phrases'),
    its blocks' peaks from ``peaks[first_block[j]]`` on; ``prior`` and ``allowed`` are per row of the
    part, or empty for none; ``prior_bound`` is at least every prior.

    Rows go by windows. A window runs from the first row the essential lists hold (those whose rows may
    rank by the global bounds) to the end of the first of their current blocks to end, at most ``WINDOW``
    rows. In it, each list's contribution is bounded by the peaks of its blocks there, and the lists are
    split as above. The candidates' lists are summed into a dense buffer (a bit per row marks the rows
    they hold), or read off the list when it is the only one; the non-essential lists are either added to
    the marked rows in the buffer too, or looked up for each candidate while it can still rank (``dense``,
    ``DENSE`` by default, chooses). A candidate's prior is read only once its score may rank under the
    largest one."""
    # A list's arrays are picked inline (``rows_b[p] if src[j] else rows_a[p]``): a helper choosing between
    # two arrays costs ~40 ns a call (numba's reference counting), ten times the rest of a posting's work.
    lists = len(lo) if n > 0 else 0
    order = np.argsort(bound, kind="mergesort")
    src, l_lo, l_hi, l_first = source[order], lo[order], hi[order], first_block[order]
    l_idf, l_bound = idf[order], bound[order]
    reach = np.zeros(lists + 1)  # reach[j]: the largest score of a row held by lists 0..j-1 only
    for j in range(lists):
        reach[j + 1] = reach[j] + l_bound[j]
    at = l_lo.copy()
    window_max = np.zeros(lists)
    past = np.zeros(lists, np.int64)  # each list's first position past the window
    by_max = np.arange(lists)
    buffer = np.zeros(WINDOW)
    marks = np.zeros(WINDOW // 64, np.uint64)
    candidates = np.empty(WINDOW, np.int64)
    partial = np.empty(WINDOW)
    heap_scores = np.empty(max(n, 1), np.float32)
    heap_rows = np.empty(max(n, 1), np.int32)
    size = 0
    threshold = 0.0  # the n-th best score once the heap is full
    essential = 0  # a row that none of lists essential.. holds cannot rank
    weighted, filtered = len(prior) > 0, len(allowed) > 0
    while essential < lists:
        start, end = _END, _END
        for j in range(essential, lists):
            p = at[j]
            if p < l_hi[j]:
                last = min(l_lo[j] + ((p - l_lo[j]) // block + 1) * block, l_hi[j]) - 1
                start = min(start, rows_b[p] if src[j] else rows_a[p])
                end = min(end, rows_b[last] if src[j] else rows_a[last])
        if start == _END:
            break
        end = min(end, start + WINDOW - 1)
        for j in range(lists):
            at[j] = _seek(rows_b, at[j], l_hi[j], start) if src[j] else _seek(rows_a, at[j], l_hi[j], start)
        skipped, rest = 0, 0.0
        if size == n:
            for j in range(lists):
                if src[j]:
                    window_max[j] = _window_max(rows_b, peaks_b, at[j], l_lo[j], l_hi[j], l_first[j], end, block)
                else:
                    window_max[j] = _window_max(rows_a, peaks_a, at[j], l_lo[j], l_hi[j], l_first[j], end, block)
                window_max[j] *= l_idf[j]
            for i in range(1, lists):  # by increasing window maximum
                j, k = by_max[i], i
                while k > 0 and window_max[by_max[k - 1]] > window_max[j]:
                    by_max[k] = by_max[k - 1]
                    k -= 1
                by_max[k] = j
            while skipped < lists and (rest + window_max[by_max[skipped]]) * prior_bound * (1 + SLACK) <= threshold:
                rest += window_max[by_max[skipped]]
                skipped += 1
        found, read = 0, skipped < lists
        if read:
            # Where the candidates are many for the postings of the lists they would be looked up in, those
            # lists' weights are added to the candidates' in the buffer instead (a few ns a posting against
            # ~30 ns a lookup), and no row is looked up.
            for j in range(lists):
                past[j] = _seek(rows_b, at[j], l_hi[j], end + 1) if src[j] else _seek(rows_a, at[j], l_hi[j], end + 1)
            looked_up, listed = 0, 0
            for i in range(lists):
                if i < skipped:
                    looked_up += past[by_max[i]] - at[by_max[i]]
                else:
                    listed += past[by_max[i]] - at[by_max[i]]
            summed = looked_up <= dense * listed
            if skipped == lists - 1 and not summed:
                j = by_max[skipped]
                if src[j]:
                    found = _listed(rows_b, sat_b, at[j], past[j], l_idf[j], candidates, partial)
                else:
                    found = _listed(rows_a, sat_a, at[j], past[j], l_idf[j], candidates, partial)
            else:
                for i in range(skipped, lists):
                    j = by_max[i]
                    if src[j]:
                        _summed(rows_b, sat_b, at[j], past[j], start, l_idf[j], buffer, marks)
                    else:
                        _summed(rows_a, sat_a, at[j], past[j], start, l_idf[j], buffer, marks)
                if summed:
                    for i in range(skipped):
                        j = by_max[i]
                        if src[j]:
                            _added(rows_b, sat_b, at[j], past[j], start, l_idf[j], buffer, marks)
                        else:
                            _added(rows_a, sat_a, at[j], past[j], start, l_idf[j], buffer, marks)
                    skipped, rest = 0, 0.0
                found = _marked(marks, buffer, start, end, candidates, partial)
        for c in range(found):
            row, score = candidates[c], partial[c]
            if (score + rest) * prior_bound * (1 + SLACK) <= threshold or (filtered and not allowed[row]):
                continue
            weight = prior[row] if weighted else np.float32(1.0)
            left = rest
            for i in range(skipped - 1, -1, -1):
                if (score + left) * weight * (1 + SLACK) <= threshold:
                    break
                j = by_max[i]
                left -= window_max[j]
                # Inline: a call returning (position, weight) costs ~15% of the search (measured).
                p = _seek(rows_b, at[j], l_hi[j], row) if src[j] else _seek(rows_a, at[j], l_hi[j], row)
                at[j] = p
                if p < l_hi[j] and (rows_b[p] if src[j] else rows_a[p]) == row:
                    score += np.float32(l_idf[j] * (sat_b[p] if src[j] else sat_a[p]))
            value = np.float32(np.float32(score) * weight)
            if value <= 0 or (size == n and value <= heap_scores[0]):
                continue
            if size < n:
                _push(heap_scores, heap_rows, size, value, row)
                size += 1
            else:
                _replace_root(heap_scores, heap_rows, size, value, row)
            if size == n:
                threshold = float(heap_scores[0])
                while essential < lists and reach[essential + 1] * prior_bound * (1 + SLACK) <= threshold:
                    essential += 1
        for j in range(lists):  # past the window
            if read:
                at[j] = past[j]
            else:
                at[j] = _seek(rows_b, at[j], l_hi[j], end + 1) if src[j] else _seek(rows_a, at[j], l_hi[j], end + 1)
    return heap_rows[:size].copy(), heap_scores[:size].copy()


@njit(cache=True, nogil=True)
def scores_of(rows_a, sat_a, rows_b, sat_b, source, lo, hi, idf, wanted):
    """BM25 (float64 sums of float32 weights) of the ``wanted`` rows of one part, ascending."""
    out = np.zeros(len(wanted))
    for j in range(len(lo)):
        at = lo[j]
        for k in range(len(wanted)):
            if source[j]:
                at = _seek(rows_b, at, hi[j], wanted[k])
                if at < hi[j] and rows_b[at] == wanted[k]:
                    out[k] += np.float32(idf[j] * sat_b[at])
            else:
                at = _seek(rows_a, at, hi[j], wanted[k])
                if at < hi[j] and rows_a[at] == wanted[k]:
                    out[k] += np.float32(idf[j] * sat_a[at])
    return out


@njit(cache=True, nogil=True)
def section_sums(rows, tf, lo, hi):
    """Summed ``tf`` (float64, in posting order, as ``np.bincount`` sums) of the postings (``rows`` ascending)
    whose row lies in each section [``lo``, ``hi``): ``ranking.section_tf``. Sections that ascend (a pool's, by
    first row) are found by galloping on from the previous one, not by two binary searches over the whole list."""
    out = np.zeros(len(lo))
    at = 0
    for i in range(len(lo)):
        if i and lo[i] < hi[i - 1]:  # not after the previous section: search from the list's start
            at = 0
        at = _seek(rows, at, len(rows), lo[i])
        while at < len(rows) and rows[at] < hi[i]:
            out[i] += np.float64(tf[at])
            at += 1
    return out
