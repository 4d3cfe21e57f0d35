"""Out-of-core 1-D entropy, entropy power, Fisher information and FS points of dask arrays.

What ``ip.fisher``, ``ip.entropy``, ``ip.entropy_power``, ``ip.fisher_matrix`` and
``ip.fs_point`` run when given a 1-D ``dask.array.Array`` (or a dask-backed
``xarray.DataArray``). The array is never materialised; it is read in passes, each a
function per block merged in a tree (``infoplane.scale._reduce``) on the active dask scheduler:

1. count, non-finite values, min, max and a 16-bit radix histogram (``infoplane.scale.select``);
2. one or two more radix passes: the exact order statistics behind the median, the
   quartiles and hence the exact power-of-two standardisation of
   :func:`infoplane._numerics.pow2_standardize` and the transform of the estimators;
3. the binned statistics of :mod:`infoplane.estimators.binned` (fine Fisher lattice and
   entropy histogram on the asinh axis), summed over blocks.

The estimates are then those of the in-memory ``method="binned"`` (entropy) and
``method="kde", binning="once"`` (Fisher information) on the merged counts, mapped back
from standardised units exactly as for in-memory samples. With the same `rng` they equal
the in-memory estimates of the same data to rounding (summation order), standard errors
included. A worker holds one block, a few partial count arrays (at most 2²² fine nodes)
and, in pass 2, at most 2²¹ gathered values.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from .. import _registry as reg
from .._results import (Estimate, FSPoint, MatrixEstimate, entropy_power_from_entropy)
from .._validation import NAN_POLICIES, check_options, check_rng, check_scalar
from ..errors import DegenerateDataWarning, warn
from ..estimators import binned
from ..estimators.edge_model import MIN_SAMPLES_DETECT, window_size
from ..estimators.fft_kde_fisher import screen_binned
from ..estimators.samples import _entropy_out, _matrix_out, _Scaled
from . import select
from ._reduce import tree_reduce

__all__ = ["entropy", "fisher", "fisher_matrix", "fs_point", "as_1d", "prepare"]

#: the remedy for quantised data out of core (there is no `jitter` there)
DASK_TIE_HINT = ("Dequantise the data first: add uniform noise one quantisation step "
                 "wide, e.g. x + dask.array.random.uniform(-w/2, w/2, x.shape, "
                 "chunks=x.chunks).")
_NO_JITTER = ("`jitter` is not available for dask arrays (its 'auto' width needs the "
              "sorted data, and noise added per block would not be reproducible across "
              "chunkings). " + DASK_TIE_HINT)


# ------------------------------------------------------------------------------- input
def as_1d(x):
    """`x` as a 1-D dask array: shape (n,) or (n, 1); anything else is an error."""
    if x.ndim == 2 and x.shape[1] == 1:
        x = x[:, 0]
    if x.ndim != 1:
        shape = x.shape
        hint = (" Out-of-core estimates exist for 1-D samples only (a d-D kNN entropy or "
                "KDE Fisher matrix needs neighbours across blocks; see docs/scaling.md): "
                "estimate each column, or x.compute() the array if it fits in memory."
                if x.ndim == 2 else "")
        raise ValueError(f"`x` must have shape (n_samples,) or (n_samples, 1) for an "
                         f"out-of-core estimate; got {shape}.{hint}")
    if x.dtype.kind not in "fiub":
        raise TypeError(f"`x` must be real and numeric; got dtype {x.dtype}.")
    return x


def _np_median(get, n: int) -> float:
    """``np.median`` of n values from their order statistics (`get(rank)`)."""
    if n % 2:
        return float(np.mean(np.array([get(n // 2)])))
    return float(np.mean(np.array([get(n // 2 - 1), get(n // 2)])))


def _np_percentile(get, n: int, q: float) -> float:
    """``np.percentile(x, 100 q)`` (method 'linear') from order statistics."""
    v = (n - 1) * q
    i = int(math.floor(v))
    j = min(i + 1, n - 1)
    a, b = np.float64(get(i)), np.float64(get(j))
    t = np.float64(v - i)
    d = b - a
    return float(b - d * (1 - t)) if t >= 0.5 else float(a + d * t)


def _sorted_quantile(get, n: int, p: float) -> float:
    """:func:`infoplane._numerics.sorted_quantile` from order statistics."""
    t = (n - 1) * p
    i = int(math.floor(t))
    j = min(i + 1, n - 1)
    a, b = get(i), get(j)
    return float(a + (t - i) * (b - a))


def _ranks(n: int) -> set[int]:
    out = set()
    for p in (0.25, 0.5, 0.75):
        i = int(math.floor((n - 1) * p))
        out |= {i, min(i + 1, n - 1)}
    out |= {(n - 1) // 2, n // 2}
    return out


class Prepared:
    """The first passes over a dask array: size, standardisation and the transform.

    Attributes
    ----------
    x : dask.array.Array
    n : int
        Finite samples.
    e : float
        Exponent of the power-of-two scale: Y = (X - median) / 2**e.
    median : float
    center, sigma : float
        Median and IQR/1.349 of Y (the estimators' axis), or sigma = 0.
    ymin, ymax : float
        Extremes of Y.
    constant : bool
    """

    def __init__(self, x, nan_policy: str):
        if nan_policy not in NAN_POLICIES:
            raise ValueError(f"`nan_policy` must be one of {set(NAN_POLICIES)}; "
                             f"got {nan_policy!r}.")
        self.x = x
        first = select.first_pass(x)
        bad = first["n_nan"] + first["n_inf"]
        if bad and nan_policy == "raise":
            where = (f" (first at row {first['first_bad']})" if first["first_bad"] >= 0
                     else "")
            raise ValueError(f"`x` must be finite; found {first['n_nan']} NaN and "
                             f"{first['n_inf']} inf{where}. Pass nan_policy='omit' to drop "
                             "such rows.")
        self.n = n = int(first["n"])
        self.n_dropped = int(bad)
        self.constant = n > 0 and first["min"] == first["max"]
        self._low, self._high = first["low"], first["high"]
        if n < binned.MIN_SAMPLES or self.constant:
            self.e = 0.0
            self.median = float(first["min"]) if n else math.nan
            self.center = self.sigma = 0.0
            self.ymin = self.ymax = 0.0
            return
        stats = select.order_statistics(x, first, sorted(_ranks(n)))
        get = stats.__getitem__
        med = _np_median(get, n)
        s = (_np_percentile(get, n, 0.75) - _np_percentile(get, n, 0.25)) / binned.IQR_FACTOR
        # pow2_standardize; with IQR = 0 the binned estimators refuse the data anyway
        e = float(np.round(np.log2(s))) if s > 0 else 0.0
        f = np.exp2(-e)
        self.e, self.median = e, med

        def std(v: float) -> float:             # Y = X * f - med * f, as pow2_standardize
            return float(np.float64(v) * f - np.float64(med) * f)

        gy = {r: std(v) for r, v in stats.items()}.__getitem__
        self.center = _sorted_quantile(gy, n, 0.5)
        self.sigma = (_sorted_quantile(gy, n, 0.75) - _sorted_quantile(gy, n, 0.25)) \
            / binned.IQR_FACTOR
        self.ymin, self.ymax = std(first["min"]), std(first["max"])

    @property
    def unit(self) -> float:
        return float(np.exp2(self.e))

    def plan(self, bandwidth_x=None) -> binned.Plan:
        """The binning plan; `bandwidth_x` a fixed Fisher bandwidth in units of x."""
        if not self.sigma > 0:
            raise binned.iqr_error(self.n)
        bw = None
        if bandwidth_x is not None:
            bw = bandwidth_x / self.unit / (2.0 * self.sigma)
        return binned.make_plan(self.n, self.center, self.sigma, self.ymin, self.ymax, bw)

    def counts(self, plan: binned.Plan) -> binned.Counts:
        """Pass 3: the merged binned statistics."""
        f = float(np.exp2(-self.e))
        return tree_reduce(self.x, _bin_chunk, _sum, plan, f, self.median)

    def tails(self) -> tuple[np.ndarray, np.ndarray]:
        """The ``window_size(n) + 1`` smallest and largest finite values in standardised
        units, sorted, the largest negated (``-y[::-1]``): what the support-end screen
        of ``fft_kde_fisher.screen_binned`` reads."""
        k = min(window_size(self.n) + 1, self.n)
        f = float(np.exp2(-self.e))
        lo, hi = self._low[:k], self._high[self._high.size - k:]
        return lo * f - self.median * f, -(hi[::-1] * f - self.median * f)


def _bin_chunk(block, offset: int, plan: binned.Plan, f: float, med: float) -> binned.Counts:
    return binned.bin_chunk(plan, select.as_float_block(block), f, med)


def _sum(parts):
    out = parts[0]
    for p in parts[1:]:
        out = out + p
    return out


def prepare(x, nan_policy: str = "raise") -> Prepared:
    """Run the first passes over the dask array `x` (1-D)."""
    return Prepared(as_1d(x), nan_policy)


# ----------------------------------------------------------------------------- options
def _method(quantity: str, method) -> str:
    name = reg.resolve(quantity, "samples-1d", method, out_of_core=True)
    if name not in reg.OUT_OF_CORE[(quantity, "samples-1d")]:
        ok = ", ".join(repr(m) for m in ("auto",) + reg.OUT_OF_CORE[(quantity, "samples-1d")])
        raise ValueError(
            f"method {name!r} for {reg.describe(quantity, 'samples-1d')} needs all samples "
            f"in memory (it sorts them or searches neighbours); for a dask array use "
            f"{ok}, or x.compute() the array if it fits in memory.")
    return name


def _options(func: str, quantity: str, name: str, options: dict) -> dict:
    own = reg.lookup(quantity, "samples-1d", name).options
    check_options(func, options, tuple(own) + reg.COMMON_OPTIONS["samples-1d"],
                  f" for {reg.describe(quantity, 'samples-1d')} by method {name!r} "
                  "(a dask array)")
    opts = dict(options)
    if opts.pop("jitter", None) is not None:
        raise ValueError(_NO_JITTER)
    if quantity == "fisher":
        binning = opts.pop("binning", "once")
        if binning != "once":
            raise ValueError(f"`binning` must be 'once' for a dask array (the data are "
                             f"binned in one pass); got {binning!r}.")
    return opts


def _too_few(P: Prepared, name: str) -> None:
    if P.n < binned.MIN_SAMPLES:
        raise ValueError(f"`x` has {P.n} finite samples; method {name!r} for 1-D samples "
                         f"needs at least {binned.MIN_SAMPLES}.")


_CONSTANT = ("`x` is constant: a point mass has entropy -inf and infinite Fisher "
             "information, which samples cannot estimate (check the data)")


# --------------------------------------------------------------------------- estimates
def _entropy_scaled(P: Prepared, plan, counts, rng, opts) -> _Scaled:
    v, se, used = binned.entropy_from_counts(plan, counts, rng=rng, x_unit=P.unit,
                                             hint=DASK_TIE_HINT, **opts)
    return _Scaled(Estimate(v, se, "binned", P.n, 1, used), P.e)


def _fisher_scaled(P: Prepared, plan, counts, rng, opts) -> _Scaled:
    opts = dict(opts)
    if "bandwidth" in opts and not isinstance(opts["bandwidth"], str):
        opts["bandwidth"] = opts["bandwidth"] / P.unit
    v, se, used, note = binned.fisher_from_counts(plan, counts, rng=rng, x_unit=P.unit,
                                                  x_offset=P.median, hint=DASK_TIE_HINT,
                                                  **opts)
    for key in ("bandwidth", "scale"):
        used[key] *= P.unit
    used["center"] = used["center"] * P.unit + P.median
    if used.get("residual_bias"):   # a J (1/length²): standardised -> x units
        used["residual_bias"] = float(np.ldexp(used["residual_bias"], int(-2 * P.e)))
    reason = None
    if P.n >= MIN_SAMPLES_DETECT:
        low, high = P.tails()
        v, se, reason = screen_binned(v, se, low, high, P.n, P.unit, P.median)
    reason = reason or note
    est = MatrixEstimate(np.array([[v]]), np.array([[se]]), "kde", P.n, used,
                         reason=reason, trace_stderr=se)
    return _Scaled(est, -2.0 * P.e)


def _fixed_bandwidth(opts: dict):
    bw = opts.get("bandwidth", "auto")
    if isinstance(bw, str):
        if bw != "auto":
            raise ValueError(f"`bandwidth` must be 'auto' or a float > 0; got {bw!r}.")
        return None
    return check_scalar("bandwidth", bw, positive=True)


def _constant_entropy(P, name) -> Estimate:
    warn(_CONSTANT, DegenerateDataWarning)
    return Estimate(-math.inf, math.nan, name, P.n, 1, {}, _CONSTANT)


def _constant_fisher(P, name) -> MatrixEstimate:
    warn(_CONSTANT, DegenerateDataWarning)
    return MatrixEstimate(np.array([[math.inf]]), np.array([[math.nan]]), name, P.n, {},
                          reason=_CONSTANT, trace_stderr=math.nan)


def entropy(x, *, method="auto", rng=None, nan_policy="raise", **options) -> Estimate:
    """Entropy (nats) of the 1-D dask array `x`, out of core (see the module docstring)."""
    name = _method("entropy", method)
    opts = _options("entropy", "entropy", name, options)
    rng = check_rng(rng)
    P = prepare(x, nan_policy)
    _too_few(P, name)
    if P.constant:
        return _constant_entropy(P, name)
    plan = P.plan()
    return _entropy_out(_entropy_scaled(P, plan, P.counts(plan), rng, opts))


def _fisher_matrix(func: str, x, method, rng, nan_policy, options) -> MatrixEstimate:
    name = _method("fisher", method)
    opts = _options(func, "fisher", name, options)
    rng = check_rng(rng)
    P = prepare(x, nan_policy)
    _too_few(P, name)
    if P.constant:
        return _constant_fisher(P, name)
    plan = P.plan(_fixed_bandwidth(opts))
    return _matrix_out(_fisher_scaled(P, plan, P.counts(plan), rng, opts))


def fisher_matrix(x, *, method="auto", rng=None, nan_policy="raise",
                  **options) -> MatrixEstimate:
    """The 1×1 Fisher information matrix of the 1-D dask array `x`, out of core."""
    return _fisher_matrix("fisher_matrix", x, method, rng, nan_policy, options)


def fisher(x, *, method="auto", rng=None, nan_policy="raise", **options) -> Estimate:
    """Fisher information of the 1-D dask array `x`, out of core."""
    return _fisher_matrix("fisher", x, method, rng, nan_policy, options).trace


def fs_point(x, *, entropy_method="auto", fisher_method="auto", rng=None,
             nan_policy="raise", entropy_options=None, fisher_options=None) -> FSPoint:
    """The FS point of the 1-D dask array `x` from one set of passes (the entropy and
    Fisher halves share the standardisation and the binning pass)."""
    hname = _method("entropy", entropy_method)
    jname = _method("fisher", fisher_method)
    eo = _options("fs_point", "entropy", hname, dict(entropy_options or {}))
    fo = _options("fs_point", "fisher", jname, dict(fisher_options or {}))
    rng = check_rng(rng)
    P = prepare(x, nan_policy)
    _too_few(P, hname)
    if P.constant:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DegenerateDataWarning)
            h, j = _constant_entropy(P, hname), _constant_fisher(P, jname).trace
        warn(_CONSTANT, DegenerateDataWarning)
        return FSPoint.from_estimates(h, j, 1)
    plan = P.plan(_fixed_bandwidth(fo))
    counts = P.counts(plan)
    hs = _entropy_scaled(P, plan, counts, rng, eo)
    js = _fisher_scaled(P, plan, counts, rng, fo)
    h, j = _entropy_out(hs), _matrix_out(js).trace
    point = FSPoint.from_estimates(h, j, 1)
    # the product in standardised units, as for in-memory samples (exact, finite)
    ny = entropy_power_from_entropy(hs.est, 1)
    jy = js.est.trace
    prod = ny.value * jy.value
    if math.isfinite(prod) and prod > 0:
        rel = math.hypot(ny.stderr / ny.value if ny.value else 0.0,
                         jy.stderr / jy.value if jy.value else 0.0)
        product = Estimate(prod, abs(prod) * rel, point.product.method, j.n_samples, 1,
                           reason=point.product.reason)
        point = FSPoint(point.entropy, point.entropy_power, point.fisher, 1, product)
    return point
