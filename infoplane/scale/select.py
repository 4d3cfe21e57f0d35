"""Exact order statistics of a 1-D dask array in a few passes, by radix selection.

Every finite float64 maps to an unsigned 64-bit key with the same order (flip all bits of
a negative number, the sign bit of a positive one). The first pass counts the top 16 bits
of the keys of all samples; for each requested rank the bucket holding it is then
refined 16 bits at a time, or its values are gathered and sorted once it holds at most
2²¹ of them. The results are exact (the very order statistics ``np.sort`` would give),
each pass holds one block and 2¹⁶ counts per requested bucket, and for n = 10⁹ continuous
samples three passes suffice (top 16 bits, next 16 bits, gather).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from ..estimators.edge_model import WINDOW_MAX
from ._reduce import tree_reduce

__all__ = ["first_pass", "order_statistics", "as_float_block"]

_BITS = 16
_NBINS = 1 << _BITS
_GATHER_MAX = 1 << 21
_SIGN = np.uint64(1 << 63)


def as_float_block(block) -> np.ndarray:
    """A block as a flat contiguous float64 array (non-finite values kept)."""
    x = np.asarray(block)
    if x.dtype.kind not in "fiub":
        raise TypeError(f"`x` must be real and numeric; got dtype {x.dtype}.")
    return np.ascontiguousarray(x, dtype=np.float64).ravel()


def _value(key: int) -> float:
    k = np.uint64(key)
    u = k ^ _SIGN if k & _SIGN else ~k
    return float(np.array([u], dtype=np.uint64).view(np.float64)[0])


# ----------------------------------------------------------------------------- pass one
#: the first pass keeps this many smallest and largest finite values (the windows of the
#: support-end screen: ``edge_model.window_size(n) + 1`` <= WINDOW_MAX + 1)
TAIL_SIZE = WINDOW_MAX + 1


def _tails(x: np.ndarray, hist: np.ndarray | None = None,
           k: int = TAIL_SIZE) -> tuple[np.ndarray, np.ndarray]:
    """The `k` smallest and `k` largest values of the finite array `x`, each sorted.

    With `hist`, the top-16-bit key histogram of `x`, only the values in the buckets up to
    the one holding rank ``k - 1`` (from the other end: ``size - k``) are partitioned: one
    comparison pass instead of a partition of the whole block.
    """
    if x.size <= k:
        v = np.sort(x)
        return v, v
    lo, hi = x, x
    if hist is not None:
        cum = np.cumsum(hist)
        b = int(np.searchsorted(cum, k - 1, side="right"))          # bucket of rank k-1
        if b + 1 < _NBINS:
            lo = x[x <= _value((b + 1) << (64 - _BITS))]
        b = int(np.searchsorted(cum, x.size - k, side="right"))     # bucket of rank n-k
        hi = x[x >= _value(b << (64 - _BITS))]
    return (np.sort(np.partition(lo, k - 1)[:k]),
            np.sort(np.partition(hi, hi.size - k)[hi.size - k:]))


def _first_chunk(block, offset: int) -> dict:
    from .._kernels.outofcore import _first_stats

    x = as_float_block(block)
    hist = np.zeros(_NBINS, np.int64)
    n, n_nan, n_inf, first_bad, mn, mx = _first_stats(x, x.view(np.uint64), hist)
    low, high = _tails(x[np.isfinite(x)] if n_nan + n_inf else x, hist)
    return {"n": int(n), "n_nan": int(n_nan), "n_inf": int(n_inf),
            "first_bad": (offset + int(first_bad)) if first_bad >= 0 and offset >= 0 else -1,
            "min": float(mn), "max": float(mx), "hist": hist, "low": low, "high": high}


def _first_combine(parts: Sequence[dict]) -> dict:
    out = dict(parts[0])
    for p in parts[1:]:
        for k in ("n", "n_nan", "n_inf"):
            out[k] += p[k]
        out["min"] = min(out["min"], p["min"])
        out["max"] = max(out["max"], p["max"])
        out["hist"] = out["hist"] + p["hist"]
        out["low"] = _tails(np.concatenate([out["low"], p["low"]]))[0]
        out["high"] = _tails(np.concatenate([out["high"], p["high"]]))[1]
        bad = [b for b in (out["first_bad"], p["first_bad"]) if b >= 0]
        out["first_bad"] = min(bad) if bad else -1
    return out


def first_pass(x) -> dict:
    """Count, non-finite counts (and the first non-finite index), min, max, the top-16-bit
    key histogram and the :data:`TAIL_SIZE` smallest and largest values (sorted) of the
    finite values of the 1-D dask array `x`."""
    return tree_reduce(x, _first_chunk, _first_combine)


# --------------------------------------------------------------------------- refinement
def _refine_chunk(block, offset: int, groups: tuple) -> list:
    from .._kernels.outofcore import _refine_stats

    x = as_float_block(block)
    prefixes = np.array([g[0] for g in groups], dtype=np.uint64)
    nbits = np.array([g[1] for g in groups], dtype=np.int64)
    hists = np.zeros((len(groups), _NBINS), np.int64)
    member = np.full(x.size, -1, np.int8)
    _refine_stats(x, x.view(np.uint64), prefixes, nbits, hists, member)
    return [x[member == g] if gather else hists[g]
            for g, (_, _, gather) in enumerate(groups)]


def _refine_combine(parts: Sequence[list]) -> list:
    out = []
    for items in zip(*parts):
        if items[0].dtype == np.float64:
            out.append(np.concatenate(items))
        else:
            out.append(np.sum(items, axis=0))
    return out


def order_statistics(x, first: dict, ranks: Sequence[int]) -> dict[int, float]:
    """The values of rank ``r`` (0-based, among the finite values in sorted order) of the
    1-D dask array `x`, for each `r` in `ranks`; `first` is :func:`first_pass` of `x`."""
    n = first["n"]
    state = {}
    for r in sorted(set(int(r) for r in ranks)):
        if not 0 <= r < n:
            raise ValueError(f"rank {r} outside 0..{n - 1}")
        state[r] = [0, 0, 0]            # prefix, nbits, count below the bucket
    hist_of = {(0, 0): first["hist"]}
    result: dict[int, float] = {}
    while True:
        # descend one level in every bucket whose histogram is known
        pending: dict = {}
        for r, st in state.items():
            if r in result:
                continue
            prefix, nbits, below = st
            h = hist_of.get((prefix, nbits))
            if h is not None:
                cum = np.cumsum(h)
                b = int(np.searchsorted(cum, r - below, side="right"))
                below += int(cum[b - 1]) if b else 0
                prefix, nbits = (prefix << _BITS) | b, nbits + _BITS
                st[:] = [prefix, nbits, below]
                count = int(h[b])
            else:
                count = None
            if nbits == 64:           # one key: the value itself
                result[r] = _value(prefix)
                continue
            pending[(prefix, nbits)] = max(pending.get((prefix, nbits), 0), count or 0)
        if not pending:
            return result
        groups = tuple((p, b, cnt <= _GATHER_MAX) for (p, b), cnt in pending.items())
        merged = tree_reduce(x, _refine_chunk, _refine_combine, groups)
        hist_of = {}
        for (prefix, nbits, gather), part in zip(groups, merged):
            if gather:
                vals = np.sort(part)
                for r, st in state.items():
                    if r not in result and st[0] == prefix and st[1] == nbits:
                        result[r] = float(vals[r - st[2]])
            else:
                hist_of[(prefix, nbits)] = part
