"""Merging sorted runs (the second half of a two-thread sort).

Kernels take clean float64 arrays (no NaN); the caller validates.
"""

import numpy as np

from ._jit import njit

__all__ = ["_merge_sorted"]


@njit
def _merge_sorted(a, b):
    """The sorted union of sorted `a` and sorted `b` (a stable merge: ties take `a`
    first). One pass, O(len(a) + len(b))."""
    na, nb = a.shape[0], b.shape[0]
    out = np.empty(na + nb)
    i = j = k = 0
    while i < na and j < nb:
        if b[j] < a[i]:
            out[k] = b[j]
            j += 1
        else:
            out[k] = a[i]
            i += 1
        k += 1
    while i < na:
        out[k] = a[i]
        i += 1
        k += 1
    while j < nb:
        out[k] = b[j]
        j += 1
        k += 1
    return out
