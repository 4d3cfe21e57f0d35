r"""Kozachenko-Leonenko k-nearest-neighbour entropy, 1-D and d-D.

The estimator of ``method="knn"`` (what ``"auto"`` picks for entropy). Works on
standardised samples; :mod:`infoplane.estimators.samples` validates, standardises,
dequantises (`jitter`) and maps back (``H(aX) = H(X) + log|a|``).

1-D
---
On sorted data, with ρ_i the distance from X_i to its k-th nearest neighbour,
``H = ψ(n) - ψ(k) + log 2 + mean(log ρ_i)``. The standard error is the
influence-function error of :func:`~infoplane.estimators.spacing_entropy.influence_stderr`
with the fixed-k noise ``ψ'(k)/n`` (the variance of log Gamma(k), the law of
``log(n f ρ_k)``) added in quadrature. Default k = round(0.75 n^(1/3)) in [2, 16]
(balances the O(1/k) excess variance against the O((k/n)²) bias).

d-D (d >= 2)
------------
With ``Y = L⁻¹(X - x̄)``, ``Σ̂ = L Lᵀ``, and ``ρ_(j),i`` the distance from ``Y_i`` to its
j-th nearest neighbour,

.. math:: \hat H = \frac1n\sum_i\sum_{j=1}^k w_j \log\bigl(e^{-\psi(j)} V_d (n-1)
          \rho_{(j),i}^d\bigr) + \log|\det L|,

where ``V_d`` is the volume of the unit ball. ``H(L⁻¹X) = H(X) - log|det L|`` holds
exactly, and the Euclidean kNN distances of ``L⁻¹X`` are invariant under rotations,
so ``Ĥ(AX) = Ĥ(X) + log|det A|`` for every invertible ``A`` (up to rounding).
Whitening removes most of the bias that anisotropy causes in high dimensions; the
weights (Berrett, Samworth & Yuan 2019, Sec. 3) cancel the leading
``O((k/n)^{2l/d})`` bias terms for ``l <= d/4``.

Defaults: k = 3 for d <= 3, k = d with the weights for 4 <= d <= 7 (one constraint), and
k = 2 without weights for d >= 8, where the two-constraint weights are large and
multiply the standard deviation several-fold (chosen with ``benchmarks/accuracy_nd.py``;
measurements in ``docs/benchmarks_nd.md``). The metric is Euclidean: the max-norm variant
queries faster but is not rotation invariant after whitening
(``docs/knn_metric_nd.md``).

``max_queries`` trades variance for time: the mean of the kNN terms is taken over a
random subset of m query points (each against all n samples), and the subset's variance
``(1 - m/n) s²/m`` is added to the error. ``"auto"`` (the default; ``None`` means the
same) queries every point below d = 8; from d = 8 on, where a k-d tree on whitened
(isotropic) data slows down most, n > 2·AUTO_QUERIES samples are averaged over
AUTO_QUERIES = 20 000 random query points, drawn from a fixed internal seed so that the
value depends on the data only. ``"all"`` queries every point; an integer m draws the
subset from ``rng``. Measured at d = 10 only (the threshold d = 8 was not timed): at
n = 10⁵ the default takes less time than a k-d tree query of every raw sample
(``docs/speed.md``) and the error grows from about 0.010 to 0.024 nats, below the
estimator's bias there (``docs/entropy_10d.md``). Where the rule switches (n just above
40 000) the error jumps by about √2.

Heavy tails (``tails="auto"``, from d = 8 on, where the default estimator is unweighted):
the KL estimator is badly biased for t-like laws in high dimensions (about -0.2 nats for a
multivariate t with ν = 5 at d = 10, n = 10⁴, ``docs/entropy_tails_nd.md``). Where the
radii of the whitened data fit a multivariate t with ν̂ < 40 and the data show no
measurable asymmetry (the radial map and the checks of :mod:`.kde_score_fisher`, in
:mod:`._elliptic`), the samples are mapped by the radial map ``Z = T(Y)`` that makes an
elliptical t standard Gaussian, and ``H(Y) = H(Z) - E log|det ∂Z/∂Y|``: the per-sample
log-Jacobian joins the kNN terms (and their jackknife); ``options["tail_df"]`` reports ν̂
(``None`` when not mapped). The fit and the map are held fixed in the jackknife, as the
whitening is. Below d = 8 (where the default is the weighted estimator) the map did not
help on tuning seeds (``python benchmarks/entropy_tails_nd.py --tuning``) and is not used.
Skewed data (``skew="auto"``, from d = 8 on, with whitening, where the radial map is not
used): where the whitened data are measurably skewed and show neither short tails nor
Cauchy-like radii, they are
mapped by the skew map of the d-D Fisher (a rotation to their most skewed directions and a
sinh-arcsinh map of each, :mod:`._skewmap`) and its log-Jacobian joins the kNN terms in
the same way (``options["skew_map"]``). After the map the law is close to a Gaussian,
whose bias at d = 8 to 12 the error carries (below). At d = 10, n = 10⁴ (20 seeds,
``docs/skewed_nd.md``) a rotated Gumbel is +0.12 nats off without the map and -0.01 with
it, a rotated log-normal product +0.32 and +0.002; a skew-normal, nearly unbiased
without it, -0.027 with it (covered). The skew test needs samples: at n = 10³ it misses
the rotated Gumbel at d = 10 on most seeds (+0.40 nats, unmapped).
It was benchmarked for ν = 3, 5, 10; a fit with ν̂ < 2 (infinite variance, e.g. a
multivariate Cauchy, where the sample covariance that whitens the data does not exist)
gets an ``AccuracyWarning``, mapped or not. The symmetry check needs samples: at n = 10³
it misses the skew of a rotated Gumbel in d = 10, and the map then adds to that law's
(already large) error.

The d-D standard error is the delete-one jackknife, exact from the k+1 nearest neighbours,
with a bias allowance added in quadrature (``bias_term=True``, ``options["bias"]``): twice
the largest systematic change of the estimate when k moves by one. From d = 8 on, the
default estimator also has a bias that this change misses at large n (on a 10-D Gaussian
-0.04 nats at n = 3·10⁴ and -0.05 at 10⁵, ``benchmarks/knn_gauss_bias.py``); there
the allowance is the larger of it and the estimator's bias on a Gaussian of the same n
and d (``options["gauss_bias"]``; whitening makes every Gaussian standard), read from the
table of ``benchmarks/knn_gauss_bias.py`` (d = 8..12, n = 10³..10⁵; the nearest n outside
that range; no entry for d > 12). It is the bias of this estimator on the Gaussian, not a
bound for every law: ``docs/entropy_10d.md`` measures the coverage it gives on a Gaussian
and on three other laws at d = 10.

References
----------
Kozachenko & Leonenko (1987), Probl. Inf. Transm. 23, 95-101.
Berrett, Samworth & Yuan (2019), Ann. Statist. 47(1), 288-318.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from .._numerics import rank_message, whiten
from .._validation import check_int, check_method, check_rng
from ..errors import AccuracyWarning, warn
from ._prepare import tie_error
from .spacing_entropy import influence_stderr

__all__ = ["entropy_knn_1d", "entropy_knn_nd", "bsy_weights", "default_knn",
           "default_neighbors_1d", "default_queries", "CoincidentPointsError",
           "SPREAD_FACTOR", "AUTO_QUERIES", "AUTO_QUERIES_SEED", "TAILS_MIN_DIM",
           "gauss_reference_bias"]

#: query points of ``max_queries="auto"`` from d = AUTO_QUERIES_DIM on (module docstring)
AUTO_QUERIES = 20_000
AUTO_QUERIES_DIM = 8
#: the fixed seed of the ``"auto"`` query subset (the value depends on the data only)
AUTO_QUERIES_SEED = 20261130
#: ``tails="auto"`` maps t-like tails from this dimension on, where the default is the
#: unweighted k = 2 estimator (``python benchmarks/entropy_tails_nd.py --tuning``: tuning
#: seeds 200..209, multivariate t with ν = 3, 5, 10 at d = 4, 5, 7, 8)
TAILS_MIN_DIM = 8
#: below this fitted ν (infinite variance) the mapped estimate warns: benchmarked for
#: ν >= 3 only
TAILS_NU_CHECKED = 2.0


class CoincidentPointsError(ValueError):
    """Two query points coincide (a kNN distance of 0)."""


# ------------------------------------------------------------------------------- 1-D
def default_neighbors_1d(n: int) -> int:
    """k = round(0.75 n^(1/3)) clipped to [2, 16]."""
    return int(min(16, max(2, round(0.75 * n ** (1.0 / 3.0)))))


def entropy_knn_1d(x: np.ndarray, *, n_neighbors=None) -> tuple[float, float, dict]:
    """KL entropy of sorted 1-D samples `x`: ``(value, stderr, options used)``."""
    from .._kernels.spacing import _knn_log_radii_sum

    n = x.size
    k = default_neighbors_1d(n) if n_neighbors is None else check_int(
        "n_neighbors", n_neighbors, minimum=1)
    if n < k + 1 or n < 3:
        raise ValueError(
            f"`x` has {n} samples; method 'knn' with n_neighbors={k} needs at least "
            f"{max(k + 1, 3)}."
        )
    log_sum, n_zero = _knn_log_radii_sum(x, k)   # one pass; the radii are not stored
    if n_zero:
        raise tie_error(f"{k}-NN radius", n_zero, n)
    value = float(special.digamma(n) - special.digamma(k) + math.log(2.0) + log_sum / n)
    # fixed-k excess variance: Var log Gamma(k) = ψ'(k) per term
    stderr = math.sqrt(influence_stderr(x) ** 2 + float(special.polygamma(1, k)) / n)
    return value, stderr, {"n_neighbors": k}


# ------------------------------------------------------------------------------- d-D
def bsy_weights(k: int, dim: int) -> np.ndarray:
    """Berrett-Samworth-Yuan bias-correcting weights for the k-NN entropy estimator.

    The minimum-norm ``w`` in ``R^k`` with ``Σ_j w_j = 1``,
    ``Σ_j w_j Γ(j + 2l/d) / Γ(j) = 0`` for ``l = 1, ..., ⌊d/4⌋``, and ``w_j = 0``
    unless ``j ∈ {⌊k/d⌋, ⌊2k/d⌋, ..., k}`` (Berrett, Samworth & Yuan 2019, eq. (4)).
    For ``d <= 3`` this is the unweighted estimator ``w = e_k``.

    Examples
    --------
    >>> from infoplane.estimators.knn_entropy import bsy_weights
    >>> bsy_weights(3, 2)
    array([0., 0., 1.])
    >>> w = bsy_weights(10, 5); round(float(w.sum()), 12)
    1.0
    """
    L = dim // 4
    w = np.zeros(k)
    if L == 0:
        w[-1] = 1.0
        return w
    support = sorted({(j * k) // dim for j in range(1, dim + 1)} - {0})
    if len(support) < L + 1:
        raise ValueError(
            f"`n_neighbors`={k} is too small for the bias-corrected weights in {dim} "
            f"dimensions; use n_neighbors >= {dim}."
        )
    j = np.asarray(support, dtype=float)
    A = np.array([np.ones_like(j)] + [
        np.exp(special.gammaln(j + 2.0 * order / dim) - special.gammaln(j))
        for order in range(1, L + 1)])
    b = np.zeros(L + 1)
    b[0] = 1.0
    ws = A.T @ np.linalg.solve(A @ A.T, b)  # minimum-norm solution
    w[np.asarray(support) - 1] = ws
    return w


def _log_unit_ball(d):
    return 0.5 * d * math.log(math.pi) - special.gammaln(0.5 * d + 1.0)


def default_knn(n: int, dim: int) -> tuple[int, str]:
    """``(n_neighbors, weights)`` used by default in d-D (see the module docstring)."""
    if dim <= 3:
        k, w = 3, "none"  # BSY weights are e_k for d <= 3
    elif dim <= 7:
        k, w = dim, "bsy"
    else:
        k, w = 2, "none"
    return int(max(1, min(k, n - 2))), w


def default_queries(n: int, dim: int, max_queries="auto") -> int:
    """Number of query points m <= n that `max_queries` (``"auto"`` or ``None``,
    ``"all"``, or an int >= 2) gives for n samples in `dim` dimensions (see the module
    docstring).

    Examples
    --------
    >>> from infoplane.estimators.knn_entropy import default_queries
    >>> default_queries(100_000, 5), default_queries(100_000, 10)
    (100000, 20000)
    >>> default_queries(30_000, 10), default_queries(100_000, 10, 50_000)
    (30000, 50000)
    """
    if max_queries is None:
        max_queries = "auto"
    if isinstance(max_queries, str):
        if max_queries not in ("auto", "all"):
            raise ValueError("`max_queries` must be 'auto', 'all' or an integer >= 2; got "
                             f"{max_queries!r}.")
        if max_queries == "all":
            return n
        if dim >= AUTO_QUERIES_DIM and n > 2 * AUTO_QUERIES:
            return AUTO_QUERIES
        return n
    return min(n, check_int("max_queries", max_queries, minimum=2))


#: the bias term of the d-D standard error is this multiple of the largest change of the
#: estimate when k moves by one (same weight rule); benchmarks/bias_term_nd.py
SPREAD_FACTOR = 2.0


def _weights(k: int, d: int, rule: str) -> np.ndarray:
    return bsy_weights(k, d) if rule == "bsy" else np.eye(k)[-1]


def _neighbour_spread(logr, k, d, rule):
    """Largest systematic change of the estimate when k moves by one.

    For each variant ``k ± 1`` that the k+1 radii allow, the per-query change
    ``δ_i = ξ_i(k') - ξ_i(k)`` gives the mean change ``δ̄`` and its standard error ``s``;
    ``√max(δ̄² - s², 0)`` estimates the trend of the estimate in k without the sampling
    noise of the difference (``E δ̄² = μ² + s²``). The largest over the variants is returned.
    """
    def terms(kk):
        try:
            w = _weights(kk, d, rule)
        except ValueError:
            return None
        return d * (logr[:, :kk] @ w) - float(w @ special.digamma(np.arange(1, kk + 1)))

    x0 = terms(k)
    m = x0.shape[0]
    out = 0.0
    for kk in ((k - 1, k + 1) if k > 1 else (k + 1,)):
        x1 = terms(kk)
        if x1 is None or m < 2:
            continue
        dlt = x1 - x0
        se = float(dlt.std(ddof=1)) / math.sqrt(m)
        out = max(out, math.sqrt(max(float(dlt.mean()) ** 2 - se**2, 0.0)))
    return out


def entropy_knn_nd(X: np.ndarray, *, rng, n_neighbors=None, weights="auto", whiten=True,
                   max_queries="auto", bias_term=True, tails="auto", skew="auto"
                   ) -> tuple[float, float, dict, str | None]:
    """Weighted KL entropy of d-D samples.

    Returns ``(value, stderr, options used, reason)``; ``reason`` is set (and the value
    ``-inf``) when the data lie in a lower-dimensional affine subspace. Raises
    ``ValueError`` (naming ``jitter``) when rows coincide.
    """
    from scipy.spatial import cKDTree

    from .._kernels.knn import _knn_jackknife_deltas

    n, d = X.shape
    k_auto, w_auto = default_knn(n, d)
    k = k_auto if n_neighbors is None else check_int("n_neighbors", n_neighbors, minimum=1)
    check_method(weights, ("auto", "bsy", "none"), name="weights")
    if weights == "auto":
        weights = w_auto if k == k_auto else ("bsy" if 4 <= d <= 7 and k >= d else "none")
    if not isinstance(whiten, (bool, np.bool_)):
        raise TypeError(f"`whiten` must be a bool; got {whiten!r}.")
    if not isinstance(bias_term, (bool, np.bool_)):
        raise TypeError(f"`bias_term` must be a bool; got {bias_term!r}.")
    check_method(tails, ("auto", "none"), name="tails")
    check_method(skew, ("auto", "none"), name="skew")
    m = default_queries(n, d, max_queries)
    auto = max_queries is None or max_queries == "auto"
    if n < k + 2:
        raise ValueError(
            f"`x` has {n} samples; method 'knn' with n_neighbors={k} needs at least {k + 2}."
        )
    w = _weights(k, d, weights)
    used = {"n_neighbors": k, "weights": weights, "whiten": bool(whiten),
            "max_queries": m, "bias_term": bool(bias_term), "tails": tails, "tail_df": None,
            "skew": skew, "skew_map": False}
    # radial Gaussianisation of t-like tails (module docstring), from d = TAILS_MIN_DIM on
    map_tails = tails == "auto" and whiten and d >= TAILS_MIN_DIM and n >= 4 * d + 8
    if whiten:
        Y, L, logdet = _whiten(X)
        if Y is None:
            return -math.inf, math.nan, used, rank_message(X)
    else:
        Y, logdet = X, 0.0
    # H(Y) = H(Z) - E log|det dZ/dY|
    jac, nu = None, None
    if map_tails:
        Z, jac, nu = _radial_log_jacobian(Y)
        if jac is not None:
            Y, used["tail_df"] = Z, nu
        if nu < TAILS_NU_CHECKED:
            warn(f"d-D entropy: the radii fit a multivariate t with ν = {nu:.3g} degrees of "
                 f"freedom (below {TAILS_NU_CHECKED:g}: infinite variance, where the "
                 "covariance that whitens the data does not exist); the kNN estimate was "
                 "validated for ν >= 3 only (docs/entropy_tails_nd.md) and may be off by "
                 "more than its standard error.", AccuracyWarning)
    # skewed data without short tails: the skew map of the d-D Fisher (module docstring)
    if (jac is None and skew == "auto" and whiten and d >= TAILS_MIN_DIM
            and n >= 4 * d + 8):
        Z, jac = _skew_log_jacobian(Y, nu)
        if jac is not None:
            Y, used["skew_map"] = Z, True

    tree = cKDTree(Y)
    # queries in the tree's leaf order: neighbouring queries visit the same nodes, which
    # keeps them in cache (several times faster than the data's order for n ~ 1e5)
    order = tree.indices
    if m < n:
        pos = np.empty(n, dtype=np.int64)
        pos[order] = np.arange(n)
        pick = np.random.default_rng(AUTO_QUERIES_SEED) if auto else check_rng(rng)
        q = np.sort(pick.choice(n, m, replace=False))
        qo = q[np.argsort(pos[q])]
    else:
        q = qo = order
    dist, idx = tree.query(Y[qo], k + 2, workers=-1)
    back = np.argsort(qo) if m < n else None
    dist, idx = dist[:, 1:], idx[:, 1:]  # drop the point itself
    if np.any(dist[:, :k] == 0.0):
        raise CoincidentPointsError(
            "`x` has coincident points; their kNN distance is 0 and the kNN entropy would "
            "be -inf. Pass jitter='auto' (or a width) to dequantise the data.")
    if back is not None:
        dist, idx, q = dist[back], idx[back], qo[back]
    logr = np.log(dist)
    const = math.log(n - 1) + _log_unit_ball(d) + logdet
    dg = special.digamma(np.arange(1, k + 1))
    xi = d * (logr[:, :k] @ w) + (const - logdet) - float(w @ dg)
    if jac is not None:
        xi = xi - jac[q]
    value = float(xi.mean()) + logdet

    # delete-one jackknife: the radii of the k+1 nearest neighbours give it exactly
    if m >= 4:
        delta = _knn_jackknife_deltas(
            np.ascontiguousarray(logr), np.ascontiguousarray(idx, dtype=np.int64), w, d, n
        )
        own = np.zeros(n)
        own[q] = xi
        inq = np.zeros(n)
        inq[q] = 1.0
        # replicate j: mean over queries i != j (the shift log((n-2)/(n-1)) cancels)
        reps = (xi.sum() - own + delta) / (m - inq)
        se = math.sqrt((n - 1) / n * np.sum((reps - reps.mean()) ** 2))
        if m < n:  # variance of the random subset of query points
            se = math.sqrt(se**2 + (1.0 - m / n) * xi.var(ddof=1) / m)
    else:
        se = math.nan
    if bias_term:
        b = SPREAD_FACTOR * _neighbour_spread(logr, k, d, weights)
        g = (gauss_reference_bias(n, d)
             if whiten and (k, weights) == default_knn(n, d) else None)
        if g is not None:   # the default estimator from d = 8 on: module docstring
            used["bias_spread"], used["gauss_bias"] = b, g
            b = max(b, g)
        used["bias"] = b
        se = math.sqrt(se**2 + b**2)
    return value, se, used, None


def _radial_log_jacobian(Y: np.ndarray):
    """``(Z, log|det ∂Z/∂Y| per row, ν̂)`` of the radial map of t-like tails, with
    ``(None, None, ν̂)`` where it is not used: the fitted radial t has ν̂ >= ``NU_MAX``
    (not heavy-tailed), the whitened data are measurably asymmetric (an elliptical law is
    symmetric; a skewed one, such as a rotated Gumbel, was made worse by the map on tuning
    seeds), or the log-Jacobian is not finite."""
    from ._elliptic import NU_MAX, RadialMap, fit_radial_t, symmetric  # scipy.stats: lazy

    n, d = Y.shape
    r2 = np.einsum("ij,ij->i", Y, Y)
    s2, nu = fit_radial_t(r2, d)
    if not nu < NU_MAX or not symmetric(Y):
        return None, None, float(nu)
    # rows at (or within 1e-8 scatter radii of) the centre take the limit r -> 0, where
    # g(r)/r and the log-Jacobian tend to finite values
    r = np.maximum(np.sqrt(r2), 1e-8 * math.sqrt(s2 * d))
    g, jac = RadialMap(d, s2, nu).log_jacobian(r)
    if not np.all(np.isfinite(jac)):
        return None, None, float(nu)
    return Y * (g / r)[:, None], jac, float(nu)


def _skew_log_jacobian(Y: np.ndarray, nu: float | None = None):
    """``(Z, log|det ∂Z/∂Y| per row)`` of the skew map (:mod:`._skewmap`), or
    ``(None, None)`` where it is not used: the whitened data show no measurable skewness,
    or short tails (separated modes), or Cauchy-like radii (``_skewmap.wanted``), or the
    mapped rows or the log-Jacobian are not finite. `nu`: the radial t fit's ν̂ when the
    caller has it."""
    from ._elliptic import fit_radial_t, shape_checks    # scipy.stats: lazy
    from ._skewmap import finite_map, wanted

    sk, _, short, rows = shape_checks(Y)
    if nu is None:
        nu = fit_radial_t(np.einsum("ij,ij->i", Y, Y), Y.shape[1])[1]
    if not wanted(sk * math.sqrt(rows), short, nu):
        return None, None
    fitted = finite_map(Y)
    return (None, None) if fitted is None else (fitted[1], fitted[2])


def gauss_reference_bias(n: int, d: int) -> float | None:
    """Size of the default estimator's bias on a Gaussian of `n` samples in `d`
    dimensions (nats), from the table of ``benchmarks/knn_gauss_bias.py``; ``None`` where
    the table has no entry (d < 8 or d > 12).

    Linear in d and in log n between the table's cells; n outside the table's range
    takes the nearest n. Whitening makes every Gaussian standard, so this is the bias
    for any covariance.

    Examples
    --------
    >>> from infoplane.estimators.knn_entropy import gauss_reference_bias
    >>> gauss_reference_bias(100_000, 10) > 0.03
    True
    >>> gauss_reference_bias(100_000, 5) is None
    True
    """
    from ._knn_gauss_bias import GAUSS_BIAS

    dims = sorted(GAUSS_BIAS)
    if not dims[0] <= d <= dims[-1]:
        return None

    def at(dd: int) -> float:
        rows = GAUSS_BIAS[dd]
        logn = np.log([r[0] for r in rows])
        return float(np.interp(math.log(n), logn, [abs(r[1]) for r in rows]))

    lo = max(x for x in dims if x <= d)
    hi = min(x for x in dims if x >= d)
    if lo == hi:
        return at(lo)
    t = (d - lo) / (hi - lo)
    return (1.0 - t) * at(lo) + t * at(hi)


_whiten = whiten  # the option `whiten` shadows the function inside entropy_knn_nd
