"""Sample-based estimates: validate, standardise exactly, dispatch by method, map back.

Every sample estimate goes through here:

1. :func:`~infoplane._validation.check_samples` (shape, NaN/inf, masks, `nan_policy`);
2. the method is resolved in the closed set of :mod:`infoplane._registry` and its options
   are checked against that method's list (one error format for every function);
3. `jitter` (one meaning in every dimension, :mod:`._prepare`) dequantises ties;
4. the data are standardised per column by a median and a **power of two**
   (:func:`infoplane._numerics.pow2_standardize`), which is exact, so the estimators see
   O(1) numbers whatever the data's scale and the results map back exactly:
   ``H(X) = H(Y) + Σ e_i log 2``, ``J_ij(X) = J_ij(Y) 2^-(e_i + e_j)``. Any finite input
   from 1e-300 to 1e300 gives the same relative answer, and the FS product N·J/d is
   formed in these units (it is finite even where N or J alone leave float64);
5. the method runs (:mod:`.fft_kde_fisher`, :mod:`.kde_score_fisher`, :mod:`.knn_entropy`,
   :mod:`.spacing_entropy`, :mod:`.binned`) and the result is wrapped with the method
   actually used.

Degenerate data (a constant column, points in an affine subspace) give ``-inf`` entropy /
``inf`` Fisher information with a ``reason`` and a
:class:`~infoplane.errors.DegenerateDataWarning`, in every dimension. So does a 1-D sample
whose density does not vanish fast enough at an end of its support (a jump, or
``f ∝ |x - end|^(a-1)`` with a <= 2; :mod:`.edge_model`); the 1-D ``support`` option
gives those ends, in units of x, mapped like the samples.
"""

from __future__ import annotations

import contextlib
import math
import warnings
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from .. import _registry as reg
from .._numerics import pow2_standardize, robust_cov, whiten
from .._results import Estimate, FSPoint, MatrixEstimate, entropy_power_from_entropy
from .._threads import beside
from .._validation import check_options, check_rng, check_samples, check_scalar
from ..errors import AccuracyWarning, DegenerateDataWarning, warn
from ._prepare import (PARALLEL_SORT_MIN, apply_jitter, atom_columns, count_duplicate_rows,
                       jitter_width, lattice_columns,
                       sorted_1d)

__all__ = ["entropy_samples", "fisher_samples", "fisher_matrix_samples", "fs_point_samples",
           "MIN_SAMPLES_1D"]

LN2 = math.log(2.0)
#: fewest samples of any 1-D estimate (below, no error bar is worth having)
MIN_SAMPLES_1D = 10
#: option keys reported in units of x (mapped back from the standardised units)
_LENGTH_KEYS = ("bandwidth", "scale")
#: 1-D entropy methods that take no random numbers (they may run beside the Fisher half)
_RNG_FREE_1D = ("knn", "spacing")


# ------------------------------------------------------------------------- preparation
@dataclass
class _Prepared:
    """Clean samples, dequantised and standardised once (shared by the halves of an FS
    point)."""

    n: int
    d: int
    Y: np.ndarray               # standardised samples (in 1-D: sorted)
    e: np.ndarray               # column exponents: X = Y * 2**e + median
    median: np.ndarray
    constant: tuple             # indices of constant columns
    jitter_used: np.ndarray | None
    _sorted: np.ndarray | None = None

    @property
    def sorted(self) -> np.ndarray:
        """The single column, sorted (1-D)."""
        if self._sorted is None:
            self._sorted = sorted_1d(self.Y)
        return self._sorted


def _prepare(X: np.ndarray, jitter, rng: np.random.Generator) -> _Prepared:
    """Jitter, then standardise; in 1-D one sort serves the median, the quartiles and
    every estimator (standardising sorted data in place keeps it sorted)."""
    width = jitter_width(X, jitter)
    if width is not None and not isinstance(jitter, str):
        _check_jitter_width(X, width)
    X = apply_jitter(X, width, rng)
    n, d = X.shape
    if d == 1:
        xs = sorted_1d(X[:, 0])   # a new array, standardised in place below
        Y, e, med = pow2_standardize(xs[:, None], presorted=True, overwrite=True)
        return _Prepared(n, d, Y, e, med, (0,) if xs[0] == xs[-1] else (), width, xs)
    Y, e, med = pow2_standardize(X)
    constant = tuple(int(j) for j in np.flatnonzero(Y.max(axis=0) == Y.min(axis=0)))
    return _Prepared(n, d, Y, e, med, constant, width)


def _check_jitter_width(X: np.ndarray, width: np.ndarray) -> None:
    """Warn when a given `jitter` width is narrower than half a column's lattice step:
    the dequantised data still clump on the lattice, which the estimators then measure."""
    for col, _, step in lattice_columns(X):
        if width[col] < 0.5 * step:
            where = "`x`" if X.shape[1] == 1 else f"column {col} of `x`"
            warn(f"jitter = {width[col]:.3g} is narrower than half the lattice step of "
                 f"{where} (~{step:.3g}): the dequantised values still clump on the "
                 "lattice, and the estimate measures it. Pass jitter='auto' (the step) or a "
                 "width of at least the step.", AccuracyWarning)
            return


def _check(func: str, quantity: str, X: np.ndarray, method, options: dict):
    """Resolve the method and check its options; returns (kind, method name)."""
    kind = reg.input_kind(X.shape[1], False)
    name = reg.resolve(quantity, kind, method)
    own = reg.lookup(quantity, kind, name).options
    check_options(func, options, tuple(own) + reg.COMMON_OPTIONS[kind],
                  f" for {reg.describe(quantity, kind)} by method {name!r}")
    return kind, name


def _constant_reason(P: _Prepared) -> str:
    cols = ", ".join(str(j) for j in P.constant)
    where = "`x` is constant" if P.d == 1 else f"column(s) {cols} of `x` are constant"
    return (f"{where}: a point mass along that axis has entropy -inf and infinite Fisher "
            "information, which samples cannot estimate (check the data, or pass jitter)")


def _atom_reason(P: _Prepared) -> str | None:
    """Why the law has no density: a column with an atom (:func:`atom_columns`), or None."""
    atoms = atom_columns(P.Y, presorted=P.d == 1)    # in 1-D, Y is the sorted column
    if not atoms:
        return None
    col, value, rows = atoms[0]
    x = value * float(np.exp2(P.e[col])) + float(P.median[col])
    where = "`x`" if P.d == 1 else f"column {col} of `x`"
    return (f"{where} has an atom: the value {x:.6g} is taken by {rows} of {P.n} samples "
            "while the others are distinct (a point mass, as zero-inflated data have), so "
            "the law has no density: its entropy is -inf and its Fisher information "
            "infinite. Estimate the continuous part without those samples (for example "
            "zeros that stand for missing values), or pass jitter=<width> to smear them")


def _check_size(P: _Prepared, quantity: str, name: str) -> None:
    n, d = P.n, P.d
    if d == 1 and n < MIN_SAMPLES_1D:
        raise ValueError(f"`x` has {n} samples; method {name!r} for 1-D samples needs at "
                         f"least {MIN_SAMPLES_1D}.")
    if d > 1 and n <= d:
        raise ValueError(
            f"`x` has n = {n} samples in d = {d} dimensions; {n} points span at most "
            f"{n - 1} dimensions, so no estimate of the {d}-D law exists (more samples "
            "than dimensions are needed)."
        )
    if d > 1 and n < 2 * d + 2:
        why = ("" if quantity == "fisher" else "; with fewer, whitening by the covariance of "
               "n ≈ d points biases H by a nat or more, far outside its standard error")
        raise ValueError(f"`x` has {n} samples; method {name!r} in {d} dimensions needs at "
                         f"least 2d + 2 = {2 * d + 2}{why}.")


#: the d-D Fisher estimate is refused when a lattice column's spacing (in the whitened
#: units of its kernel) exceeds this multiple of the chosen bandwidth: the score-matching
#: search has then settled on the lattice (docs/lattice_nd.md, Gaussian samples rounded
#: in one column, d = 2, 3, 5, 10: up to a spacing / h of 1.40 J stayed within 13% of its
#: truth; from 1.63 on it came out 1.1 to 9·10⁴ times the truth: 43 to 9·10⁴ times at
#: d = 2, 3 from 2.08 on, 1.1 to 15 times at d = 5 and 10)
LATTICE_H_RATIO = 1.5
#: the d-D kNN entropy is refused when a lattice column's step exceeds this multiple of
#: the typical offset to the second nearest neighbour along one coordinate (its median
#: distance / √d): on docs/lattice_nd.md the estimates stayed within 0.16 nats of the
#: truth up to 1.62 (d = 5, n = 5000, where the estimator's own bias is about -0.07) and
#: came out 0.10 to 3.2 nats low from 2.21 on
LATTICE_KNN_RATIO = 2.0
#: query rows of that kNN scale
_LATTICE_QUERIES = 1000


def _lattice_error(P: _Prepared, col: int, n_rep: int, step: float, finer: str,
                   what: str) -> ValueError:
    unit = float(np.exp2(P.e[col]))
    return ValueError(
        f"`x` column {col} has heavy ties: {n_rep} of {P.n} values repeat another and they "
        f"sit on a lattice of step ~{step * unit:.3g}, coarser than {finer}; the {what} "
        "would measure the lattice, not the law. Pass jitter='auto' (uniform noise over "
        "each column's quantisation step) or jitter=<width> to dequantise the data.")


def _column_scales(P: _Prepared) -> np.ndarray:
    """Each column's scale in the scatter that whitened the data for the d-D kernel (a
    kernel of bandwidth h in whitened units has standard deviation h times it along the
    column)."""
    rcov = robust_cov(P.Y)
    return np.sqrt(np.diag(rcov) if rcov is not None else np.var(P.Y, axis=0))


def _check_lattice_fisher(P: _Prepared, lattice: list, h: float, given: bool) -> None:
    """Refuse a d-D Fisher estimate whose kernel (bandwidth `h` in whitened units)
    resolves the lattice of a column in `lattice` (:func:`lattice_columns`)."""
    sd = _column_scales(P)
    for col, n_rep, step in lattice:
        if step / sd[col] > LATTICE_H_RATIO * h:
            bw = h * sd[col] * float(np.exp2(P.e[col]))
            finer = (f"{LATTICE_H_RATIO:g} times the kernel bandwidth along it ({bw:.3g}): "
                     + ("the given bandwidth_factor resolves the lattice (a larger one "
                        "would not)" if given else
                        "the bandwidth search has settled on the lattice"))
            raise _lattice_error(P, col, n_rep, step, finer, "KDE Fisher information")


def _jump_ends_nd(P: _Prepared, skip: set) -> list:
    """Ends of the columns of d-D samples where the density may not vanish (the 1-D edge
    model of :mod:`.edge_model` on each column's extremes, columns in `skip` left out): a
    list of ``(column, side, EdgeFit)``. An end whose extreme spacings trend like a tail's
    (:func:`.edge_model.spacing_slope` at most ``SPACING_TAIL``) cannot be declared one
    with a <= 2 and is not fitted, which spares the fit for most columns."""
    from .edge_model import (MIN_SAMPLES_DETECT, SPACING_TAIL, SPACINGS_MAX, fit_edge,
                             spacing_slope, window_size)

    n = P.n
    if n < MIN_SAMPLES_DETECT:
        return []
    m = window_size(n)
    k = int(min(max(m // 4, 20), SPACINGS_MAX))
    found = []
    for col in range(P.d):
        if col in skip:
            continue
        y = P.Y[:, col]
        for side, v in (("low", y), ("high", -y)):
            xs = np.sort(np.partition(v, m)[: m + 1]) if m + 1 < n else np.sort(v)
            if spacing_slope(xs, k) <= SPACING_TAIL:
                continue
            fit = fit_edge(xs, None, m=m)
            if fit.is_edge:
                found.append((col, side, fit))
    return found


def _infinite_reason_nd(P: _Prepared, col: int, side: str, fit) -> str:
    """Why J of d-D samples is infinite: column `col` has an end where its density does
    not vanish (an :class:`.edge_model.EdgeFit` of status ``"infinite"``)."""
    from .fft_kde_fisher import _edge_report, _edge_test

    where = _edge_report(side, fit, float(np.exp2(P.e[col])), float(P.median[col]))
    return (f"J = inf: along column {col} of `x`, {where} ({_edge_test(fit)}); J is "
            "finite only where the density vanishes faster than |x - end| (a > 2), and a "
            "density with a jump at its end, as the uniform or the exponential law, has "
            "a = 1 (infoplane.fisher of that column alone tests the same end and takes "
            "support=(-inf, inf) for a law known to have none)")


#: The d-D resolution check compares a run with the samples within ± this fraction of the
#: d-D kernel's standard deviation along the column: that kernel is wide, and a law's own
#: modes are denser than a window of its full width (the two-component mixture of
#: benchmarks/cases_nd.py at d = 10, n = 1e4: about 1.5 times, flagged "J may be much
#: larger" with stderr inf on 2 of 8 tuning samples whose estimates were 3-5% low), while a
#: peak far narrower than the kernel is as much denser than the narrower window
PEAK_WINDOW_ND = 0.5


def _narrow_peak_nd(P: _Prepared, h: float) -> str | None:
    """The 1-D resolution check (:func:`.fft_kde_fisher._unresolved_peak`) on each column
    of d-D samples, with the d-D kernel's standard deviation along that column (``h``
    times :func:`_column_scales`) and a run compared with the samples within
    :data:`PEAK_WINDOW_ND` times it, at the level ``_PEAK_ALPHA / d`` per column: a
    reason where a column holds a peak far narrower than the kernel, ``None``
    otherwise."""
    from .fft_kde_fisher import _PEAK_ALPHA, _unresolved_peak

    sd = _column_scales(P)
    for col in range(P.d):
        if not sd[col] > 0:
            continue
        hw = h * float(sd[col])
        unit = float(np.exp2(P.e[col]))
        note = _unresolved_peak(np.sort(P.Y[:, col]),
                                partial(np.full_like, fill_value=PEAK_WINDOW_ND * hw),
                                hw, unit, float(P.median[col]), column=col,
                                alpha=_PEAK_ALPHA / P.d)
        if note is not None:
            return note
    return None


def _end_warning(P: _Prepared, col: int, side: str, fit) -> str:
    """The warning for a d-D column with an end where its density vanishes (an
    :class:`.edge_model.EdgeFit` of status ``"finite"``) or may (``"undetermined"``):
    the KDE smooths across it."""
    from .fft_kde_fisher import _edge_report

    where = _edge_report(side, fit, float(np.exp2(P.e[col])), float(P.median[col]))
    what = ("a > 2: J is finite" if fit.status == "finite" else
            "the samples cannot tell a > 2, where J is finite, from a <= 2, where it is "
            "infinite")
    return (f"d-D Fisher information: along column {col} of `x`, {where} ({what}). The "
            "d-D KDE smooths across such an end and J comes out low (docs/bounded_nd.md: "
            "Gamma, Beta and log-normal columns up to 48% low), which the standard error "
            "does not include; infoplane.fisher of that column alone models the end")


def _check_lattice_entropy(P: _Prepared) -> None:
    """Refuse d-D samples with a column on a lattice coarser than the kNN distances
    (not data in a lower-dimensional subspace: their entropy is -inf, with a reason)."""
    lattice = lattice_columns(P.Y)
    if not lattice or whiten(P.Y)[0] is None:
        return
    from scipy.spatial import cKDTree

    m = min(P.n, _LATTICE_QUERIES)
    q = np.random.default_rng(0).choice(P.n, m, replace=False) if m < P.n else slice(None)
    dist, _ = cKDTree(P.Y).query(P.Y[q], k=3)
    # the second neighbour (the first is the row itself), per coordinate
    r2 = float(np.median(dist[:, 2])) / math.sqrt(P.d)
    for col, n_rep, step in lattice:
        if step > LATTICE_KNN_RATIO * r2:
            finer = (f"{LATTICE_KNN_RATIO:g} times the typical offset to a second nearest "
                     f"neighbour along one coordinate (median distance / √d: {r2:.3g} in "
                     f"the standardised units where the step is {step:.3g})")
            raise _lattice_error(P, col, n_rep, step, finer, "kNN entropy")


# ------------------------------------------------------------------------- entropy
@dataclass
class _Scaled:
    """An estimate in standardised units and the log2 factor that maps it to x units."""

    est: Any                     # Estimate (entropy) or MatrixEstimate (Fisher)
    log2: float                  # entropy: + log2 * ln 2; Fisher: * 2**log2
    unscale: np.ndarray | None = None


def _entropy(P: _Prepared, name: str, rng, opts: dict) -> _Scaled:
    n, d = P.n, P.d
    shift = float(P.e.sum())
    if P.constant:
        reason = _constant_reason(P)
        warn(reason, DegenerateDataWarning)
        return _Scaled(Estimate(-math.inf, math.nan, name, n, d, {}, reason), shift)
    _check_size(P, "entropy", name)
    # 1-D: the zero kNN (and spacing) radii raise already; the binned histogram does not
    atom = _atom_reason(P) if d > 1 or name == "binned" else None
    if atom is not None:
        warn(atom, DegenerateDataWarning)
        return _Scaled(Estimate(-math.inf, math.nan, name, n, d, {}, atom), shift)
    if d == 1:
        if name == "knn":
            from .knn_entropy import entropy_knn_1d

            v, se, used = entropy_knn_1d(P.sorted, **opts)
        elif name == "binned":
            from .binned import entropy_binned

            v, se, used = entropy_binned(P.sorted, rng=rng, x_unit=float(np.exp2(P.e[0])),
                                         **opts)
        else:
            from .spacing_entropy import entropy_spacing, influence_stderr

            v, bias, used = entropy_spacing(P.sorted, **opts)
            se = math.hypot(influence_stderr(P.sorted), bias)
        return _Scaled(Estimate(v, se, name, n, d, used), shift)
    from .knn_entropy import CoincidentPointsError, default_queries, entropy_knn_nd

    _check_lattice_entropy(P)

    def duplicates(n_dup):
        return ValueError(
            f"`x` has {n_dup} duplicated rows; their kNN distance is 0 and the kNN entropy "
            "would be -inf. Pass jitter='auto' (or a width) to dequantise the data.")

    if default_queries(n, d, opts.get("max_queries", "auto")) < n:
        # the search sees only some of the rows: count coincident ones first
        n_dup = count_duplicate_rows(P.Y)
        if n_dup:
            raise duplicates(n_dup)
    try:
        v, se, used, why = entropy_knn_nd(P.Y, rng=rng, **opts)
    except CoincidentPointsError:
        n_dup = count_duplicate_rows(P.Y)   # counted only when the kNN search met a tie
        if not n_dup:
            raise
        raise duplicates(n_dup) from None
    if why is not None:
        warn(why + "; its entropy is -inf.", DegenerateDataWarning)
    return _Scaled(Estimate(v, se, name, n, d, used, why), shift)


# ------------------------------------------------------------------------- Fisher
def _infinite_fisher(P: _Prepared, name: str, reason: str, used: dict) -> _Scaled:
    """The d x d result for an infinite Fisher information, with its `reason`."""
    d = P.d
    est = MatrixEstimate(np.full((d, d), np.inf), np.full((d, d), np.nan), name, P.n, used,
                         reason=reason, trace_stderr=math.nan)
    return _Scaled(est, 0.0)


def _fisher_matrix(P: _Prepared, name: str, rng, opts: dict) -> _Scaled:
    n, d = P.n, P.d
    reason: str | None
    if P.constant:
        reason = _constant_reason(P)
        warn(reason, DegenerateDataWarning)
        return _infinite_fisher(P, name, reason, {})
    _check_size(P, "fisher", name)
    atom = _atom_reason(P)
    if atom is not None:
        warn(atom, DegenerateDataWarning)
        return _infinite_fisher(P, name, atom, {})
    if d == 1:
        from .fft_kde_fisher import fisher_kde, screen_binned

        unit = float(np.exp2(P.e[0]))
        med = float(P.median[0])
        opts = dict(opts)
        if not isinstance(opts.get("bandwidth", "auto"), str):
            bw = check_scalar("bandwidth", opts["bandwidth"], positive=True)
            opts["bandwidth"] = bw / unit
        binning = opts.pop("binning", "per-bandwidth")
        if binning == "once":
            from .binned import fisher_binned

            if opts.pop("support", None) is not None:
                raise ValueError("`support` needs binning='per-bandwidth' (the default): "
                                 "binning='once' keeps only counts on a fixed grid, not "
                                 "the extreme samples that the support-end model fits.")
            v, se, used, note = fisher_binned(P.sorted, rng=rng, x_unit=unit, x_offset=med,
                                              **opts)
            v, se, reason = screen_binned(v, se, P.sorted, -P.sorted[::-1], n, unit, med)
            reason = reason or note
        elif binning == "per-bandwidth":
            if "support" in opts:
                opts["support"] = _standard_support(opts["support"], P)
            v, se, used, reason = fisher_kde(P.sorted, rng=rng, x_unit=unit, x_offset=med,
                                             **opts)
        else:
            raise ValueError(f"`binning` must be 'per-bandwidth' or 'once'; got {binning!r}.")
        for key in _LENGTH_KEYS:
            if key in used:
                used[key] *= unit
        if "center" in used:
            used["center"] = used["center"] * unit + med
        if used.get("residual_bias"):
            used["residual_bias"] = float(np.ldexp(used["residual_bias"], int(-2 * P.e[0])))
        est = MatrixEstimate(np.array([[v]]), np.array([[se]]), name, n, used,
                             reason=reason, trace_stderr=se)
        return _Scaled(est, -2.0 * float(P.e[0]))
    from .kde_score_fisher import fisher_matrix_kde

    e_min = float(P.e.min())
    r = np.exp2(-(P.e - e_min))       # J_x = 2^-2e_min R J_y R
    lattice = lattice_columns(P.Y)
    # support ends along the axes (a lattice would read as ends: those columns are the
    # lattice check's): a density that does not vanish at an end has J = inf. An end
    # where it vanishes (a > 2), or may, is warned of, as the KDE is biased there; only
    # ends that pass the spacing screen are fitted (run on all 2d ends, the 1-D test found
    # ends in 4 of 20 Gaussian samples at d = 10, n = 1e4; ad hoc, seeds 300..319)
    ends = _jump_ends_nd(P, {c for c, _, _ in lattice})
    for col, side, fit in ends:
        if fit.status == "infinite":
            reason = _infinite_reason_nd(P, col, side, fit)
            warn(reason + ".", DegenerateDataWarning)
            return _infinite_fisher(P, name, reason, {})
    if ends:        # ends where the density vanishes, or may: the KDE is biased there
        warn(_end_warning(P, *min(ends, key=lambda e: e[2].status != "finite")),
             AccuracyWarning)
    if lattice:     # the bandwidth search's warnings follow only if the estimate stands
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            res, used, reason = fisher_matrix_kde(P.Y, rng=rng, unscale=r, **opts)
        if "bandwidth_factor" in used:      # absent where J is infinite (rank)
            _check_lattice_fisher(P, lattice, float(used["bandwidth_factor"]),
                                  not isinstance(opts.get("bandwidth_factor", "auto"), str))
        for message, category in dict.fromkeys((str(w.message), w.category)
                                               for w in caught):
            warn(message, category)
    else:
        res, used, reason = fisher_matrix_kde(P.Y, rng=rng, unscale=r, **opts)
    if res is None:
        warn(reason, DegenerateDataWarning)
        return _infinite_fisher(P, name, reason, used)
    J, se, se_tr = res
    note = _narrow_peak_nd(P, float(used["bandwidth_factor"]))
    if note is not None:
        warn(note + ".", AccuracyWarning)
        se, se_tr = np.full_like(se, math.inf), math.inf
    if "bias" in used:
        with np.errstate(over="ignore", under="ignore"):
            used["bias"] = float(np.ldexp(used["bias"], int(-2 * e_min)))
    est = MatrixEstimate(J, se, name, n, used, reason=note, trace_stderr=se_tr)
    return _Scaled(est, -2.0 * e_min)


def _standard_support(support, P: _Prepared):
    """Check `support` = None or (low, high) against the samples and map it to the
    standardised units of ``P`` exactly as the samples were mapped (``x/2^e - med/2^e``).
    Each end is a number (a known end), ``±inf`` (no end on that side) or ``None``
    (detect)."""
    if support is None:
        return None
    if isinstance(support, (str, bytes)) or not hasattr(support, "__len__") \
            or len(support) != 2:
        raise ValueError("`support` must be None or a pair (low, high), each a number, "
                         f"±inf or None (detect that end); got {support!r}.")
    ends: list[float | None] = []
    for k, (name, v) in enumerate(zip(("low", "high"), support)):
        if v is None:
            ends.append(None)
            continue
        if isinstance(v, (bool, np.bool_)) or not isinstance(v, (int, float, np.integer,
                                                                 np.floating)):
            raise ValueError(f"`support` {name} must be a number, ±inf or None; got {v!r}.")
        v = float(v)
        if math.isnan(v) or (k == 0 and v == math.inf) or (k == 1 and v == -math.inf):
            raise ValueError(f"`support` {name} = {v!r} is not a valid {name} end (use "
                             f"{'-inf' if k == 0 else 'inf'} for no end on that side, "
                             "or None to detect it).")
        ends.append(v)
    low, high = ends
    if low is not None and high is not None and not low < high:
        raise ValueError(f"`support` must have low < high; got {tuple(support)!r}.")
    x = P.sorted * float(np.exp2(P.e[0])) + float(P.median[0])
    for name, v, bad in (("low", low, lambda e: P.sorted <= e),
                         ("high", high, lambda e: P.sorted >= e)):
        if v is None or not math.isfinite(v):
            continue
        f = float(np.exp2(-P.e[0]))
        e = v * f - float(P.median[0]) * f        # the map of the samples, bit for bit
        k = int(np.count_nonzero(bad(e)))
        if k:
            side = "at or below" if name == "low" else "at or above"
            ext = x[0] if name == "low" else x[-1]
            raise ValueError(
                f"`support` = {tuple(support)!r} does not contain the samples: {k} of "
                f"{P.n} lie {side} {name} = {v!r} (the {'smallest' if name == 'low' else 'largest'}"
                f" is {ext!r}). The samples must lie strictly inside the support.")
        ends[0 if name == "low" else 1] = e
    return tuple(ends)


# ------------------------------------------------------------------------- mapping back
def _entropy_out(s: _Scaled) -> Estimate:
    e = s.est
    return Estimate(e.value + s.log2 * LN2, e.stderr, e.method, e.n_samples, e.n_dims,
                    e.options, e.reason)


def _matrix_out(s: _Scaled) -> MatrixEstimate:
    e = s.est
    k = int(s.log2)
    with np.errstate(over="ignore", under="ignore"):
        value = np.ldexp(e.value, k)
        stderr = np.ldexp(e.stderr, k)
        tse = None if e.trace_stderr is None else float(np.ldexp(e.trace_stderr, k))
    reason = e.reason
    tr = float(np.trace(e.value))
    # a finite estimate that leaves float64 on the way back says so, also beside another
    # reason (which then does not explain the inf or 0)
    if (np.isfinite(e.value).all() and np.isinf(value).any()) or (
            tr > 0 and abs(np.trace(value)) < np.finfo(float).tiny):
        reason = _range_reason(tr, k) if reason is None else (
            f"{reason}; and {_range_reason(tr, k)}")
    return MatrixEstimate(value, stderr, e.method, e.n_samples, e.options, reason,
                          trace_stderr=tse)


def _range_reason(j_std: float, k: int) -> str:
    log10 = math.log10(j_std) + k * math.log10(2.0) if j_std > 0 else math.nan
    return (f"J ≈ 10^{log10:.1f} is outside the float64 range (the data's scale is "
            f"10^{-log10 / 2:.0f}); N·J/d from fs_point stays exact")


def _trace_out(s: _Scaled) -> Estimate:
    return _matrix_out(s).trace


# ------------------------------------------------------------------------- public
def _run(func, quantity, x, method, rng, nan_policy, options):
    X = check_samples(x, nan_policy=nan_policy)
    kind, name = _check(func, quantity, X, method, options)
    rng = check_rng(rng)
    opts = dict(options)
    P = _prepare(X, opts.pop("jitter", None), rng)
    run = _entropy if quantity == "entropy" else _fisher_matrix
    s = run(P, name, rng, opts)
    if P.jitter_used is not None:
        _record_jitter(s, P)
    return s


def _record_jitter(s: _Scaled, P: _Prepared) -> None:
    j: Any = P.jitter_used
    if j.ndim == 2:            # one width per value in some column: their medians
        j = np.median(j, axis=0)
    opts = dict(s.est.options, jitter=float(j[0]) if P.d == 1 else tuple(map(float, j)))
    if isinstance(s.est, MatrixEstimate):
        s.est = MatrixEstimate(s.est.value, s.est.stderr, s.est.method, s.est.n_samples,
                               opts, s.est.reason, trace_stderr=s.est.trace_stderr)
    else:
        e = s.est
        s.est = Estimate(e.value, e.stderr, e.method, e.n_samples, e.n_dims, opts, e.reason)


def entropy_samples(x, *, method="auto", rng=None, nan_policy="raise", **options) -> Estimate:
    """Entropy (nats) from samples `x` of shape (n,) or (n, d)."""
    return _entropy_out(_run("entropy", "entropy", x, method, rng, nan_policy, options))


def fisher_samples(x, *, method="auto", rng=None, nan_policy="raise", **options) -> Estimate:
    """Fisher information (trace) from samples `x` of shape (n,) or (n, d)."""
    return _trace_out(_run("fisher", "fisher", x, method, rng, nan_policy, options))


def fisher_matrix_samples(x, *, method="auto", rng=None, nan_policy="raise",
                          **options) -> MatrixEstimate:
    """Fisher information matrix from samples `x` of shape (n,) or (n, d)."""
    return _matrix_out(_run("fisher_matrix", "fisher", x, method, rng, nan_policy, options))


@contextlib.contextmanager
def _one_sided_jitter(ej, fj):
    """Where `jitter` reached one half of :func:`fs_point_samples` only, a tie or lattice
    error of the other half says so (its remedy, `jitter`, looks already taken)."""
    try:
        yield
    except ValueError as err:
        if (ej is None) == (fj is None) or "jitter=" not in str(err):
            raise
        given, other = (("entropy", "Fisher") if fj is None else ("Fisher", "entropy"))
        raise ValueError(
            f"{err} (fs_point: `jitter` was given in {given.lower()}_options only, so the "
            f"{other} half sees the data as they are; pass jitter=... to fs_point itself "
            "to dequantise both halves)") from err


def fs_point_samples(x, *, entropy_method="auto", fisher_method="auto", rng=None,
                     nan_policy="raise", entropy_options=None,
                     fisher_options=None) -> FSPoint:
    """The FS point of samples, sharing one validation, standardisation and sort between
    its halves; the product N·J/d is formed in standardised units (exact, finite)."""
    X = check_samples(x, nan_policy=nan_policy)
    eo, fo = dict(entropy_options or {}), dict(fisher_options or {})
    _, hname = _check("fs_point", "entropy", X, entropy_method, eo)
    _, jname = _check("fs_point", "fisher", X, fisher_method, fo)
    rng = check_rng(rng)
    ej, fj = eo.pop("jitter", None), fo.pop("jitter", None)
    P = _prepare(X, ej, rng)
    Pf = P if _same(ej, fj) else _prepare(X, fj, rng)
    with warnings.catch_warnings(record=True) as caught, _one_sided_jitter(ej, fj):
        warnings.simplefilter("always")                     # one warning per problem
        if P.d == 1 and P.n >= PARALLEL_SORT_MIN and hname in _RNG_FREE_1D:
            # the halves side by side: the 1-D entropy draws no random numbers, so the
            # Fisher half's draws (its bootstrap) are the same as one after the other
            h_job = beside(_entropy, P, hname, rng, eo)
            try:
                js = _fisher_matrix(Pf, jname, rng, fo)
            except Exception:
                if h_job.exception() is None:
                    raise
            # the entropy's error first, as in series, and raised here rather than in the
            # handler above, so it is not shown as raised while handling the Fisher's
            hs = h_job.result()
        else:
            hs = _entropy(P, hname, rng, eo)
            js = _fisher_matrix(Pf, jname, rng, fo)
    for message, category in dict.fromkeys((str(w.message), w.category) for w in caught):
        warn(message, category)
    for s, prep in ((hs, P), (js, Pf)):
        if prep.jitter_used is not None:
            _record_jitter(s, prep)
    h, jm = _entropy_out(hs), _matrix_out(js)
    j = jm.trace
    d = P.d
    point = FSPoint.from_estimates(h, j, d)
    # the product in standardised units: N_x J_x / d = N_y tr(R J_y R)/d * 2^c with
    # c = (2/d) Σ e - 2 e_min (exactly 0 in 1-D and for equal column scales)
    ny = entropy_power_from_entropy(hs.est, d)
    jy = js.est.trace
    c = 2.0 * float(P.e.sum()) / d + js.log2
    prod = ny.value * jy.value / d
    if math.isfinite(prod) and prod > 0 and P is Pf:
        rel = math.hypot(ny.stderr / ny.value if ny.value else 0.0,
                         jy.stderr / jy.value if jy.value else 0.0)
        value = prod * 2.0 ** c
        product = Estimate(value, abs(value) * rel, point.product.method, j.n_samples, d,
                           reason=point.product.reason)
        point = FSPoint(point.entropy, point.entropy_power, point.fisher, d, product)
    return point


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is b
    if isinstance(a, str) or isinstance(b, str):
        return a == b
    return float(a) == float(b)
