"""Preparing clean samples for the estimators: ties, dequantisation (`jitter`), sorting.

`jitter` has one meaning everywhere: ``None`` leaves the data alone (ties that would make
an estimate infinite raise), ``"auto"`` adds uniform noise one quantisation step wide
(per coordinate: the step of the lattice of a coordinate with ties, see
``lattice_columns``, else the smallest gap), a float adds uniform noise of
that width in units of x to every coordinate of every sample. The estimate is then the
one of the dequantised variable.
"""

from __future__ import annotations

import numpy as np

from .._threads import in_helper
from .._validation import check_scalar

__all__ = ["jitter_width", "local_steps", "apply_jitter", "sorted_1d", "tie_error",
           "count_duplicate_rows", "lattice_columns", "lattice_step", "repeat_lattice_step",
           "atom_columns",
           "LATTICE_TIES", "PARALLEL_SORT_MIN", "PARALLEL_SORT_MAX"]

#: a column of d-D samples is examined as a lattice when more than this fraction of its
#: values repeat another (continuous float64 data repeat almost never)
LATTICE_TIES = 0.01
#: rows of the strided subsample on which columns are screened for ties first
LATTICE_SCREEN_ROWS = 20_000


#: jitter='auto' gives each value its own width (the local gap between distinct values)
#: where a tied column's local gaps vary by more than this factor (1st to 99th
#: percentile): rounding to significant digits has one step per decade
LOCAL_STEP_SPREAD = 2.0


def local_steps(x: np.ndarray) -> np.ndarray:
    """The quantisation step at each value of a column rounded to a step that varies
    along it (significant digits): per distinct value, the smallest of the next three
    gaps between distinct values on its side away from zero (a value that opens a decade,
    10 after 9.9, takes the step of its own decade), mapped back to the rows.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0.96, 0.97, 0.98, 0.99, 1.0, 1.1, 1.2, 1.3])   # two digits
    >>> local_steps(x).round(3).tolist()
    [0.01, 0.01, 0.01, 0.01, 0.1, 0.1, 0.1, 0.1]
    >>> local_steps(-x).round(3).tolist()
    [0.01, 0.01, 0.01, 0.01, 0.1, 0.1, 0.1, 0.1]
    """
    u, inv = np.unique(x, return_inverse=True)
    if u.size < 2:
        return np.zeros(x.shape)
    g = np.diff(u)
    k = 3
    inf = np.full(k, np.inf)
    right = np.lib.stride_tricks.sliding_window_view(np.r_[g, inf], k).min(axis=1)
    left = np.lib.stride_tricks.sliding_window_view(np.r_[inf, g], k).min(axis=1)
    # right[i]: the gaps after u[i]; left[i]: the gaps before it (either may be all inf)
    out = np.where(u >= 0, right, left)
    out = np.where(np.isfinite(out), out, np.minimum(right, left))
    return out[inv.ravel()]


def jitter_width(X: np.ndarray, jitter) -> np.ndarray | None:
    """Noise width for `jitter` (None when `jitter` is None): one per column, shape
    ``(d,)``, or one per value, shape ``(n, d)``, where 'auto' finds a column whose step
    varies along it (:data:`LOCAL_STEP_SPREAD`)."""
    if jitter is None:
        return None
    d = X.shape[1]
    if isinstance(jitter, str):
        if jitter != "auto":
            raise ValueError(f"`jitter` must be None, 'auto' or a width > 0; got {jitter!r}.")
        w = np.empty(d)
        for j in range(d):
            gaps = np.diff(np.unique(X[:, j]))
            w[j] = gaps.min() if gaps.size else 0.0
        local = {}
        # a column on a lattice takes its step: a single value off the
        # lattice would make the smallest gap far narrower than the step
        for j, _, step in lattice_columns(X):
            w[j] = max(w[j], step)
            v = np.sort(X[:, j])
            if repeat_lattice_step(v, v[1:] == v[:-1]) is None:
                steps = local_steps(X[:, j])
                lo, hi = np.quantile(steps, [0.01, 0.99])
                if hi > LOCAL_STEP_SPREAD * lo > 0:
                    local[j] = steps
        if local:
            w = np.repeat(w[None, :], X.shape[0], axis=0)
            for j, steps in local.items():
                w[:, j] = steps
        return w
    return np.full(d, check_scalar("jitter", jitter, positive=True))


def apply_jitter(X: np.ndarray, width: np.ndarray | None, rng: np.random.Generator):
    """``X + U(-w/2, w/2)`` per column (a new array); `X` itself when `width` is None."""
    if width is None:
        return X
    return X + rng.uniform(-0.5, 0.5, size=X.shape) * width


#: from this many samples on, a sort is split between two threads where two CPUs are free
#: (two half sorts and a merge take 0.55 of one sort's time at 10⁶ on two idle cores) ...
PARALLEL_SORT_MIN = 100_000
#: ... up to this many: the halves and the merged copy hold 2n numbers at once against
#: the n of one sort, which at this size is 1 GiB more
PARALLEL_SORT_MAX = 1 << 27


def sorted_1d(X: np.ndarray) -> np.ndarray:
    """The single column of `X`, sorted (a new array; the same values as ``np.sort``).

    From :data:`PARALLEL_SORT_MIN` to :data:`PARALLEL_SORT_MAX` samples, where a helper
    thread is free (:func:`infoplane._threads.in_helper`), the halves are sorted in two
    threads (NumPy's sort releases the GIL) and merged.
    """
    x = np.asarray(X, dtype=np.float64).ravel()
    n = x.size
    h = n // 2
    first = in_helper(np.sort, x[:h]) if PARALLEL_SORT_MIN <= n <= PARALLEL_SORT_MAX else None
    if first is None:                 # no free helper: one sort beats two and a merge
        return np.sort(x)
    from .._kernels.merge import _merge_sorted

    second = np.sort(x[h:])
    return _merge_sorted(first.result(), second)


def tie_error(what: str, n_zero: int, n: int) -> ValueError:
    """The error for ties that make an estimate infinite, with the `jitter` remedy."""
    return ValueError(
        f"`x` has heavy ties: {n_zero} of {n} samples get a zero {what}, so the estimate "
        "would be -inf. Pass jitter='auto' (uniform noise over the quantisation step, "
        "which estimates the entropy of the dequantised variable) or jitter=<width>."
    )


def _tie_share(Y: np.ndarray) -> np.ndarray:
    """Per column, the share of values equal to another on an evenly strided subsample of
    at most about ``LATTICE_SCREEN_ROWS`` rows: continuous columns show none, so that the
    full columns are sorted only where ties are common enough to matter."""
    screen = np.sort(Y[::max(1, Y.shape[0] // LATTICE_SCREEN_ROWS)], axis=0)
    return np.count_nonzero(screen[1:] == screen[:-1], axis=0) / len(screen)


#: the values that repeat in a column form a lattice when at least LATTICE_REGULAR of them
#: sit on the multiples of one of their smallest gaps (within LATTICE_SNAP of it), they
#: fill at least LATTICE_FILL of the lattice points between the first and the last inside
#: the column's 1%-99% quantile range, and span at least LATTICE_SPAN of that range (a few
#: repeated rows far out, or the repeats of a heavy tail, do not count). Codes (0, 1, 2 or
#: -999 amid continuous values) span too little of it or leave most points empty; the
#: float format's own grid, on which values repeat by chance (float32 at n = 10⁶), and
#: rounding to significant digits (steps 0.01, 0.1, 1 by decade) leave most points empty
LATTICE_REGULAR = 0.8
LATTICE_SNAP = 0.05
LATTICE_FILL = 0.5
LATTICE_SPAN = 0.5


def repeat_lattice_step(v: np.ndarray, same: np.ndarray) -> float | None:
    """The step of the lattice on which the repeated values of a sorted column `v` sit
    (``same = v[1:] == v[:-1]``), or None when fewer than three values repeat or they
    form no lattice that covers the column (see :data:`LATTICE_FILL`). Unlike the median
    gap between all distinct values, it is the step also when only part of the rows were
    rounded (the others are distinct and fall between the lattice points).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.random.default_rng(0).standard_normal(2000)
    >>> x[:1000] = np.round(x[:1000] / 0.2) * 0.2       # half the rows rounded
    >>> v = np.sort(x)
    >>> round(repeat_lattice_step(v, v[1:] == v[:-1]), 6)
    0.2
    >>> x[:1000] = np.repeat([0.0, 1.0, 2.0], 334)[:1000]    # codes: atoms, no lattice
    >>> v = np.sort(x)
    >>> repeat_lattice_step(v, v[1:] == v[:-1]) is None
    True
    """
    rep = v[1:][same]
    if rep.size < 3:
        return None
    first = np.r_[True, rep[1:] != rep[:-1]]
    rv = rep[first]                                   # the distinct repeated values
    mult = np.diff(np.r_[np.flatnonzero(first), rep.size]) + 1     # rows holding each
    # inside the 1%-99% range: a few repeated rows far out (two at -8, two at +8) or a
    # close pair in a tail (3.01, 3.01, 3.02, 3.02) set neither the step nor the span
    q = max(1, v.size // 100)
    lo, hi = v[q - 1], v[-q]
    inside = (rv >= lo) & (rv <= hi)
    # values held by three or more rows first: chance duplicates (a value twice) between
    # the lattice points would set the smallest gap
    for keep in (inside & (mult >= 3), inside):
        step = _lattice_of(rv[keep], lo, hi)
        if step is not None:
            return step
    return None


def _lattice_of(core: np.ndarray, lo: float, hi: float) -> float | None:
    """The step of the lattice the sorted distinct values `core` sit on, where it
    covers the range [lo, hi] (:func:`repeat_lattice_step`), or None.

    The candidate steps are the five smallest gaps, each anchored at the values that
    bound it; the one on which most values sit wins (a value off the lattice held by
    many rows, 0.0371 amid steps of 0.6, neither sets the step nor breaks the lattice).
    """
    if core.size < 3:
        return None
    g = np.diff(core)
    best = (-1.0, 0.0, core[:0])
    for j in np.argsort(g)[:5]:
        if not g[j] > 0:
            continue
        r = (core - core[j]) / g[j]
        on = np.abs(r - np.round(r)) < LATTICE_SNAP
        if on.mean() > best[0]:
            best = (float(on.mean()), float(g[j]), core[on])
    share, unit, lat = best
    if share < LATTICE_REGULAR or lat.size < 3:
        return None
    d = np.diff(lat)
    step = float(np.median(d / np.round(d / unit)))
    span = float(lat[-1] - lat[0])
    if lat.size < LATTICE_FILL * (span / step + 1) or span < LATTICE_SPAN * (hi - lo):
        return None
    return step


def lattice_step(v: np.ndarray, same: np.ndarray) -> float | None:
    """The lattice step of a sorted column with ties: :func:`repeat_lattice_step`, else
    the median gap between distinct values (None when all values are equal)."""
    step = repeat_lattice_step(v, same)
    if step is not None:
        return step
    gaps = np.diff(v)[~same]
    return float(np.median(gaps)) if gaps.size else None


def lattice_columns(Y: np.ndarray) -> list[tuple[int, int, float]]:
    """Columns of d-D samples `Y` whose values sit on a lattice: ``(column, values that
    repeat another, lattice step)`` for each column where more than :data:`LATTICE_TIES`
    of the values repeat; the step is the one of the lattice the repeated values form
    (:func:`repeat_lattice_step`; where they form none, the median gap between distinct
    values).

    Examples
    --------
    >>> import numpy as np
    >>> Y = np.random.default_rng(0).standard_normal((1000, 2))
    >>> lattice_columns(Y)
    []
    >>> Y[:, 1] = np.round(Y[:, 1], 1)
    >>> [(c, round(step, 3)) for c, _, step in lattice_columns(Y)]
    [(1, 0.1)]
    >>> Y[:500, 0] = np.round(Y[:500, 0] / 0.2) * 0.2     # half the rows of column 0
    >>> [(c, round(step, 3)) for c, _, step in lattice_columns(Y)]
    [(0, 0.2), (1, 0.1)]
    """
    n = Y.shape[0]
    suspect = _tie_share(Y) > LATTICE_TIES
    out = []
    for c in map(int, np.flatnonzero(suspect)):
        v = np.sort(Y[:, c])
        same = v[1:] == v[:-1]
        n_rep = int(np.count_nonzero(same))
        if n_rep > LATTICE_TIES * n:
            step = lattice_step(v, same)
            if step is not None:
                out.append((c, n_rep, step))
    return out


#: an atom: one value held by at least this share of the rows (and ATOM_MIN_ROWS rows) in a
#: column where fewer than half the rows sit on repeated values (else it is a lattice)
ATOM_FRACTION = 0.01
ATOM_MIN_ROWS = 20


def atom_columns(Y: np.ndarray, presorted: bool = False) -> list[tuple[int, float, int]]:
    """Columns of samples `Y` with an atom, a single value taken by many rows amid
    otherwise distinct values (zero-inflated data): ``(column, value, rows)`` of the
    largest atom of each such column (repeated values that form a lattice, see
    :func:`repeat_lattice_step`, are part of the rows rounded, not atoms). Such a law has
    no density: its differential entropy is -inf and its Fisher information infinite.
    With `presorted` (a single sorted column, the 1-D case) no sort is made: ties are
    adjacent there, and a strided subsample of neighbouring pairs screens for them.

    Examples
    --------
    >>> import numpy as np
    >>> Y = np.random.default_rng(0).standard_normal((1000, 2))
    >>> atom_columns(Y)
    []
    >>> Y[:50, 1] = 0.0
    >>> atom_columns(Y)
    [(1, 0.0, 50)]
    """
    n = Y.shape[0]
    need = max(ATOM_MIN_ROWS, ATOM_FRACTION * n)
    if presorted:
        v = Y[:, 0]
        i = np.arange(0, n - 1, max(1, (n - 1) // LATTICE_SCREEN_ROWS))
        suspect = np.array([i.size > 0 and np.mean(v[i] == v[i + 1]) >= 0.5 * ATOM_FRACTION])
    else:
        suspect = _tie_share(Y) >= 0.5 * ATOM_FRACTION
    out = []
    for c in map(int, np.flatnonzero(suspect)):
        v = Y[:, c] if presorted else np.sort(Y[:, c])
        start = np.flatnonzero(np.r_[True, v[1:] != v[:-1]])
        runs = np.diff(np.r_[start, n])
        k = int(np.argmax(runs))
        if (runs[k] >= need and runs[runs > 1].sum() < 0.5 * n
                and repeat_lattice_step(v, v[1:] == v[:-1]) is None):
            out.append((c, float(v[start[k]]), int(runs[k])))
    return out


def count_duplicate_rows(X: np.ndarray) -> int:
    """Number of rows that equal another row."""
    _, counts = np.unique(X, axis=0, return_counts=True)
    return int(np.sum(counts[counts > 1]))
