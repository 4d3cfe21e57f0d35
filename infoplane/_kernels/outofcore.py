"""Single-pass block kernels of the out-of-core estimates (one read of a block each).

Radix keys: a finite float64 maps to the unsigned 64-bit key with the same order (flip
every bit of a negative number, the sign bit of a positive one). Kernels take contiguous
float64 blocks (their uint64 view for the keys) and accumulate into arrays they are given.
They run without fastmath, so a value is transformed bit for bit alike in every block
and in the in-memory path.

Compiled by the project preset (:mod:`._jit`: cached, ``nogil``, so a kernel runs
beside other threads), with fastmath off as said above.
"""

import math

import numpy as np

from ._jit import njit

__all__ = ["_first_stats", "_refine_stats", "_bin_standardised"]

_SIGN = np.uint64(0x8000000000000000)
_ONE = np.uint64(1)
_MASK16 = np.uint64(0xFFFF)


@njit(fastmath=False)
def _first_stats(x, xu, hist):
    """Finite count, NaN count, inf count, first non-finite index (-1: none), min, max of
    `x`; adds the top 16 key bits of every finite value to `hist` (length 65536)."""
    n = 0
    n_nan = 0
    n_inf = 0
    first_bad = -1
    mn = np.inf
    mx = -np.inf
    sh = np.uint64(48)
    for i in range(x.shape[0]):
        v = x[i]
        if v != v:
            n_nan += 1
            if first_bad < 0:
                first_bad = i
            continue
        if v == np.inf or v == -np.inf:
            n_inf += 1
            if first_bad < 0:
                first_bad = i
            continue
        n += 1
        if v < mn:
            mn = v
        if v > mx:
            mx = v
        u = xu[i]
        k = ~u if (u >> np.uint64(63)) == _ONE else u | _SIGN
        hist[np.int64(k >> sh)] += 1
    return n, n_nan, n_inf, first_bad, mn, mx


@njit(fastmath=False)
def _refine_stats(x, xu, prefixes, nbits, hists, member):
    """For each group g (key prefix `prefixes[g]` of `nbits[g]` bits): add the next 16
    key bits of its finite members to ``hists[g]``; ``member[i]`` is set to g for a
    member (the first group that matches), else left at -1."""
    g_n = prefixes.shape[0]
    for i in range(x.shape[0]):
        v = x[i]
        if v != v or v == np.inf or v == -np.inf:
            continue
        u = xu[i]
        k = ~u if (u >> np.uint64(63)) == _ONE else u | _SIGN
        for g in range(g_n):
            sh = np.uint64(64 - nbits[g])
            if (k >> sh) == prefixes[g]:
                member[i] = g
                if nbits[g] <= 48:
                    hists[g, np.int64((k >> np.uint64(48 - nbits[g])) & _MASK16)] += 1
                break


@njit(fastmath=False)
def _bin_standardised(x, f, med_f, center, scale, y_max, fine, fine_lo, fine_step,
                      hist, hist_lo, hist_step, below, above):
    """Standardise (``Y = x f - med_f``), transform (``y = asinh((Y - center)/scale)``)
    and count every finite value of `x`: linear-binning weights on the fine lattice
    ``fine_lo + fine_step*j`` and a histogram of bins ``[hist_lo + k hist_step, ...)``
    for |y| <= `y_max`; unit-width bins of |y| - y_max beyond, in `below` / `above`.
    Returns the number of finite values counted."""
    n = 0
    m = fine.shape[0]
    mh = hist.shape[0]
    n_outer = above.shape[0]
    for i in range(x.shape[0]):
        v = x[i]
        if v != v or v == np.inf or v == -np.inf:
            continue
        n += 1
        u = (v * f - med_f - center) / scale
        a = abs(u)
        # asinh by log and sqrt (4x faster than libm's here; absolute error ~1e-16)
        if a < 1e150:
            y = math.copysign(math.log(a + math.sqrt(a * a + 1.0)), u)
        else:
            y = math.copysign(math.log(a) + 0.6931471805599453, u)
        if abs(y) <= y_max:
            t = (y - fine_lo) / fine_step
            j = int(np.floor(t))
            if j >= m - 1:
                j = m - 2
            if j < 0:
                j = 0
            w = t - j
            fine[j] += 1.0 - w
            fine[j + 1] += w
            k = int(np.floor((y - hist_lo) / hist_step))
            if k >= mh:
                k = mh - 1
            if k < 0:
                k = 0
            hist[k] += 1
        else:
            j = int(np.floor(abs(y) - y_max))
            if j >= n_outer:
                j = n_outer - 1
            if y > 0:
                above[j] += 1
            else:
                below[j] += 1
    return n
