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

The d-D standard error is the delete-one jackknife, exact from the k+1 nearest neighbours.

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
from ._prepare import tie_error
from .spacing_entropy import influence_stderr

__all__ = ["entropy_knn_1d", "entropy_knn_nd", "bsy_weights", "default_knn",
           "default_neighbors_1d", "default_queries", "CoincidentPointsError",
           "SPREAD_FACTOR", "AUTO_QUERIES", "AUTO_QUERIES_SEED"]

#: query points of ``max_queries="auto"`` from d = AUTO_QUERIES_DIM on (module docstring)
AUTO_QUERIES = 20_000
AUTO_QUERIES_DIM = 8
#: the fixed seed of the ``"auto"`` query subset (the value depends on the data only)
AUTO_QUERIES_SEED = 20261130


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
                   max_queries="auto", bias_term=True) -> tuple[float, float, dict, str | None]:
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
    m = default_queries(n, d, max_queries)
    auto = max_queries is None or max_queries == "auto"
    if n < k + 2:
        raise ValueError(
            f"`x` has {n} samples; method 'knn' with n_neighbors={k} needs at least {k + 2}."
        )
    w = _weights(k, d, weights)
    used = {"n_neighbors": k, "weights": weights, "whiten": bool(whiten),
            "max_queries": m, "bias_term": bool(bias_term)}
    if whiten:
        Y, L, logdet = _whiten(X)
        if Y is None:
            return -math.inf, math.nan, used, rank_message(X)
    else:
        Y, logdet = X, 0.0

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
    psi = special.digamma(np.arange(1, k + 1))
    xi = d * (logr[:, :k] @ w) + (const - logdet) - float(w @ psi)
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
        used["bias"] = b
        se = math.sqrt(se**2 + b**2)
    return value, se, used, None


_whiten = whiten  # the option `whiten` shadows the function inside entropy_knn_nd
