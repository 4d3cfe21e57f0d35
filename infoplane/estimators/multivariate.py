"""d-D sample estimators (d >= 2): kNN entropy and KDE-score Fisher information.

``method="auto"`` rule (chosen by measurement, ``benchmarks/select_nd.py`` and
``benchmarks/accuracy_nd.py``; the estimate records the method actually used):

Entropy: ``"knn"``
    Kozachenko-Leonenko k-nearest-neighbour estimator on data whitened by the sample
    covariance; k = 3 for d <= 3, k = d with Berrett-Samworth-Yuan weights for
    4 <= d <= 7, k = 2 (plain) for d >= 8. It is the only d-D entropy method.
Fisher information: ``"kde"``
    Hyvärinen identity ``J = -E[∇² log f]`` applied to a leave-one-out Gaussian KDE with
    kernel covariance ``h² Σ̂``, ``h`` chosen by held-out score matching, followed by the
    Gaussian deconvolution ``J = (J_h⁻¹ - h² Σ̂)⁻¹`` (exact for Gaussian data). The
    undeconvolved ``J_h`` (``correction="none"``) was measured and is biased low by
    10-60 % (``benchmarks/select_nd.py``).

Every estimate carries a delete-one jackknife standard error; the Fisher error also
includes a bias term estimated from the data (see :func:`fisher_matrix` Notes). See
:func:`entropy` and :func:`fisher_matrix` for formulas, options and references.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
from scipy import linalg, special, stats
from scipy.spatial import cKDTree
from threadpoolctl import threadpool_limits

from .._kernels.kde import kde_hessian_jackknife, kde_moments, kde_sm_terms
from .._kernels.knn import _knn_jackknife_deltas
from .._results import Estimate, MatrixEstimate
from .._validation import check_int, check_method, check_rng, check_scalar
from ..errors import DegenerateDataWarning

__all__ = [
    "entropy",
    "fisher",
    "fisher_matrix",
    "bsy_weights",
    "ENTROPY_METHODS",
    "FISHER_METHODS",
]

ENTROPY_METHODS = ("auto", "knn")
FISHER_METHODS = ("auto", "kde")
TIES = ("raise", "jitter")


# ------------------------------------------------------------------------- helpers
def _reject_unknown(options, method):
    if options:
        raise TypeError(f"unknown option(s) for method {method!r}: {sorted(options)}.")


#: heavy-tail trigger of the robust scatter: some coordinate's standard deviation exceeds
#: this multiple of its robust scale IQR/1.349 (about 1.0 for Gaussian data, 1.53 for t3)
_HEAVY_TAIL_RATIO = 1.5
#: rows used for Kendall's tau in the robust scatter (an evenly strided subsample)
_TAU_ROWS = 4000


def _robust_cov(X):
    """Robust scatter for heavy-tailed data, or ``None`` when the tails look light.

    Scales are min(sd, IQR/1.349) per coordinate (Silverman's choice); correlations come from
    Kendall's tau through r = sin(πτ/2), which holds for every elliptical law, projected to
    positive definite. For light tails (every sd < 1.5 IQR/1.349) returns ``None`` and the
    sample covariance is used.
    """
    n, d = X.shape
    sd = X.std(axis=0, ddof=1)
    q75, q25 = np.percentile(X, [75.0, 25.0], axis=0)
    rs = (q75 - q25) / 1.349
    if np.any(rs <= 0) or np.all(sd < _HEAVY_TAIL_RATIO * rs):
        return None
    s = np.minimum(sd, rs)
    Xs = X[:: max(1, n // _TAU_ROWS)]
    R = np.eye(d)
    for i in range(d):
        for j in range(i):
            tau = stats.kendalltau(Xs[:, i], Xs[:, j])[0]
            R[i, j] = R[j, i] = math.sin(0.5 * math.pi * (0.0 if np.isnan(tau) else tau))
    w, V = np.linalg.eigh(R)
    R = (V * np.maximum(w, 1e-3)) @ V.T
    return s[:, None] * R * s[None, :]


def _whiten(X, scatter=None):
    """Centre and whiten by the Cholesky factor L of a scatter matrix (Σ̂ = L Lᵀ).

    Returns ``Y = (X - centre) L⁻ᵀ``, ``L`` and ``log|det L|``; ``L`` is ``None`` when the
    sample covariance is singular. With a `scatter` matrix (e.g. :func:`_robust_cov` of
    heavy-tailed data) the data are centred at the coordinatewise median and whitened by it
    instead of the sample mean and covariance, which outliers would inflate.
    """
    mu = X.mean(axis=0)
    Xc = X - mu
    cov = Xc.T @ Xc / (X.shape[0] - 1)
    try:
        L = linalg.cholesky(cov, lower=True)
    except linalg.LinAlgError:
        return None, None, -math.inf
    diag = np.diag(L)
    # a factor this ill-conditioned means the data lie (up to rounding) in a subspace
    if not np.all(diag > 1e-7 * math.sqrt(np.max(np.diag(cov)))):
        return None, None, -math.inf
    if scatter is not None:
        Xc = X - np.median(X, axis=0)
        L = linalg.cholesky(scatter, lower=True)
        diag = np.diag(L)
    Y = linalg.solve_triangular(L, Xc.T, lower=True).T
    return np.ascontiguousarray(Y), L, float(np.sum(np.log(diag)))


def _rank_message(X):
    r = np.linalg.matrix_rank(X - X.mean(axis=0))
    return (
        f"`x` lies in an affine subspace of dimension {r} < {X.shape[1]} "
        "(singular sample covariance)"
    )


def bsy_weights(k: int, dim: int) -> np.ndarray:
    """Berrett-Samworth-Yuan bias-correcting weights for the k-NN entropy estimator.

    The minimum-norm ``w`` in ``R^k`` with ``Σ_j w_j = 1``,
    ``Σ_j w_j Γ(j + 2l/d) / Γ(j) = 0`` for ``l = 1, ..., ⌊d/4⌋``, and ``w_j = 0``
    unless ``j ∈ {⌊k/d⌋, ⌊2k/d⌋, ..., k}`` (Berrett, Samworth & Yuan 2019, eq. (4)).
    For ``d <= 3`` this is the unweighted estimator ``w = e_k``.

    Examples
    --------
    >>> from infoplane.estimators.multivariate import bsy_weights
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
    A = [np.ones_like(j)]
    for order in range(1, L + 1):
        A.append(np.exp(special.gammaln(j + 2.0 * order / dim) - special.gammaln(j)))
    A = np.array(A)
    b = np.zeros(L + 1)
    b[0] = 1.0
    ws = A.T @ np.linalg.solve(A @ A.T, b)  # minimum-norm solution
    w[np.asarray(support) - 1] = ws
    return w


def _log_unit_ball(d):
    return 0.5 * d * math.log(math.pi) - special.gammaln(0.5 * d + 1.0)


def default_knn(n: int, dim: int) -> tuple[int, str]:
    """``(n_neighbors, weights)`` used by default; see :func:`entropy` Notes."""
    if dim <= 3:
        k, w = 3, "none"  # BSY weights are e_k for d <= 3
    elif dim <= 7:
        k, w = dim, "bsy"
    else:
        k, w = 2, "none"
    return int(max(1, min(k, n - 2))), w


# ------------------------------------------------------------------------- entropy
def _single_threaded_blas(func):
    """Run `func` with BLAS limited to one thread.

    The estimators alternate small BLAS calls with Numba-parallel loops and cKDTree's
    worker threads; OpenBLAS threads spin-wait after each call and steal the cores those
    loops need (measured: kNN entropy at n=1e3, d=2 took 10x longer with 2 BLAS threads
    on a 2-core machine).
    """
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with threadpool_limits(limits=1, user_api="blas"):
            return func(*args, **kwargs)

    return wrapper


@_single_threaded_blas
def entropy(X, *, method="auto", rng=None, **options) -> Estimate:
    r"""Differential entropy (nats) of d-D samples, d >= 2, by whitened weighted kNN.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        Clean samples (validated by :func:`infoplane.estimators.samples.entropy_samples`).
    method : {"auto", "knn"}
        ``"auto"`` is ``"knn"``, the only d-D method.
    rng : None, int or numpy.random.Generator
        Used only by ``ties="jitter"`` and ``max_queries``.
    n_neighbors : int, optional
        k; default 3 for ``d <= 3``, ``d`` for ``4 <= d <= 7`` and 2 for ``d >= 8``
        (see Notes).
    weights : {"auto", "bsy", "none"}
        Berrett-Samworth-Yuan bias-correcting weights or the plain k-th neighbour
        estimator. ``"auto"`` (default): BSY weights for ``4 <= d <= 7`` with
        ``k >= d``, plain otherwise (see Notes).
    whiten : bool
        Whiten by the sample covariance first (default True).
    ties : {"raise", "jitter"}
        Duplicate points make a kNN radius zero (log 0). ``"raise"`` (default) raises a
        ValueError; ``"jitter"`` adds independent Gaussian noise of standard deviation
        ``jitter`` times each coordinate's standard deviation to the *duplicated* rows
        only and emits a :class:`~infoplane.errors.DegenerateDataWarning`.
    jitter : float
        Relative jitter scale for ``ties="jitter"`` (default 1e-6).
    max_queries : int or None
        Average the kNN terms over a random subset of this many points (neighbours are
        still searched among all ``n``): unbiased, faster, with a larger standard error
        (the extra variance is included). Default None: all points.

    Returns
    -------
    Estimate
        ``stderr`` is the delete-one jackknife standard error (exact, computed from the
        ``k+1`` nearest neighbours).

    Notes
    -----
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

    Defaults were chosen by measurement (anisotropic Gaussians and two-component
    Gaussian mixtures, d = 2, 5, 10, n = 1e3 and 1e4, k = 1..2d, with and without
    weights; ``benchmarks/accuracy_nd.py``): in d = 5 the weights (one constraint)
    cut the bias of the plain estimator from about -0.06 to -0.02 nats at n = 1e4; in
    d = 10 the weights (two constraints) are large (‖w‖ ≈ 11 for k = 10) and multiply
    the standard deviation by about 5, and the remaining bias of the plain estimator
    changes sign between the two test densities as k grows (-0.05 and +0.01 nats at
    k = 1, -0.04 and +0.05 at k = 2, -0.01 and +0.10 at k = 5), hence k = 2.

    Time is the exact cKDTree query (d = 10, n = 1e5: ``docs/benchmarks_nd.md``). The
    max-norm (Chebyshev) variant with unit-cube volume ``2^d``, which the kNN anchors
    use, queries about 1.8 times faster but is biased more in d = 10 (+0.11 against
    +0.04 nats for the test mixture at n = 1e4, ``docs/knn_metric_nd.md``) and is not
    rotation invariant after whitening, so the Euclidean metric is kept.
    ``max_queries`` trades variance for time.

    References
    ----------
    Kozachenko & Leonenko (1987), Probl. Inf. Transm. 23, 95-101.
    Berrett, Samworth & Yuan (2019), Ann. Statist. 47(1), 288-318.

    Examples
    --------
    >>> import numpy as np, infoplane as ip
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((2000, 2)) * [1.0, 3.0]
    >>> h = ip.entropy(x)
    >>> truth = 0.5 * np.log((2 * np.pi * np.e) ** 2 * 9.0)   # compare with the closed form
    >>> bool(abs(h.value - truth) < 4 * h.stderr + 0.02)
    True
    """
    check_method(method, ENTROPY_METHODS)
    n, d = X.shape
    k_auto, w_auto = default_knn(n, d)
    k = options.pop("n_neighbors", None)
    k = k_auto if k is None else check_int("n_neighbors", k, minimum=1)
    weights = options.pop("weights", "auto")
    check_method(weights, ("auto", "bsy", "none"), name="weights")
    if weights == "auto":
        weights = w_auto if k == k_auto else ("bsy" if 4 <= d <= 7 and k >= d else "none")
    whiten = options.pop("whiten", True)
    if not isinstance(whiten, (bool, np.bool_)):
        raise TypeError(f"`whiten` must be a bool; got {whiten!r}.")
    ties = options.pop("ties", "raise")
    check_method(ties, TIES, name="ties")
    jitter = check_scalar("jitter", options.pop("jitter", 1e-6), positive=True)
    max_queries = options.pop("max_queries", None)
    if max_queries is not None:
        max_queries = check_int("max_queries", max_queries, minimum=2)
    _reject_unknown(options, "knn")
    if n < k + 2:
        raise ValueError(
            f"`x` has {n} samples; method 'knn' with n_neighbors={k} needs at least {k + 2}."
        )
    w = bsy_weights(k, d) if weights == "bsy" else np.eye(k)[-1]
    used = {"n_neighbors": k, "weights": weights, "whiten": bool(whiten), "ties": ties,
            "max_queries": max_queries}

    n_dup = _count_duplicates(X)
    if n_dup:
        if ties == "raise":
            raise ValueError(
                f"`x` has {n_dup} duplicated rows; their kNN distance is 0 and the kNN "
                "entropy would be -inf. Pass ties='jitter' to break ties with tiny noise."
            )
        X = _jitter_duplicates(X, jitter, check_rng(rng))
        used["jitter"] = jitter
        warnings.warn(
            f"`x` has {n_dup} duplicated rows; jittered them with relative scale {jitter:g}.",
            DegenerateDataWarning,
            stacklevel=4,
        )
    if whiten:
        Y, L, logdet = _whiten(X)
        if Y is None:
            msg = _rank_message(X)
            warnings.warn(msg + "; its entropy is -inf.", DegenerateDataWarning, stacklevel=4)
            return Estimate(-math.inf, math.nan, "knn", n, d, used, reason=msg)
    else:
        Y, logdet = X, 0.0

    m = n if max_queries is None else min(n, max_queries)
    q = np.arange(n) if m == n else np.sort(check_rng(rng).choice(n, m, replace=False))
    tree = cKDTree(Y)
    dist, idx = tree.query(Y[q], k + 2, workers=-1)
    dist, idx = dist[:, 1:], idx[:, 1:]  # drop the point itself (no duplicates remain)
    if np.any(dist[:, :k] == 0.0):
        raise ValueError("`x` has coincident points after whitening; pass ties='jitter'.")
    logr = np.log(dist)
    const = math.log(n - 1) + _log_unit_ball(d)
    psi = special.digamma(np.arange(1, k + 1))
    xi = d * (logr[:, :k] @ w) + const - float(w @ psi)
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
    return Estimate(value, se, "knn", n, d, used)


def _count_duplicates(X):
    _, counts = np.unique(X, axis=0, return_counts=True)
    return int(np.sum(counts[counts > 1]))


def _jitter_duplicates(X, jitter, rng):
    _, inv, counts = np.unique(X, axis=0, return_inverse=True, return_counts=True)
    dup = counts[inv.ravel()] > 1
    scale = X.std(axis=0)
    scale = np.where(scale > 0, scale, np.maximum(np.abs(X).max(axis=0), 1.0))
    Xj = X.copy()
    Xj[dup] += jitter * scale * rng.standard_normal((int(dup.sum()), X.shape[1]))
    return Xj


# -------------------------------------------------------------------------- Fisher
#: log2 offsets from Silverman's factor spanned by the score-matching bandwidth search
CV_GRID = np.linspace(-1.75, 1.0, 12)
#: coarse stage of the default search (step 0.55 in log2 h), refined at ± half a step
CV_COARSE = np.linspace(-1.75, 1.0, 6)
#: the bias term of the stderr compares the estimates at h and BIAS_FACTOR * h
BIAS_FACTOR = 1.5


def cv_factor(dim: int) -> float:
    """Multiplier of the score-matching bandwidth used for J (see :func:`fisher_matrix`)."""
    return 0.85 if dim <= 3 else 1.0


def _silverman(n, d):
    return (4.0 / (d + 2.0)) ** (1.0 / (d + 4.0)) * n ** (-1.0 / (d + 4.0))


def _sm_loss(Y, q, hs):
    d = Y.shape[1]
    uu, trc = kde_sm_terms(Y, Y[q], q.astype(np.int64), hs)
    h2 = hs**2
    return np.mean(0.5 * uu / h2**2 + (-d / h2 + trc / h2**2), axis=0)


def _sm_bandwidth(Y, rng, n_queries, grid=None):
    """Bandwidth factor minimising the held-out (leave-one-out) score-matching loss.

    The loss ``E[½‖ŝ‖² + ∇·ŝ] = ½E‖ŝ - s‖² - J/2`` (Hyvärinen 2005) is estimated on a
    random subset of query points against all others. With ``grid`` (log2 offsets from
    Silverman's factor) the loss is evaluated on that grid; by default (``grid=None``)
    on the 6-point grid :data:`CV_COARSE` and then at half a step on each side of its
    minimum (8 bandwidths instead of 12 at the same resolution). A parabola in ``log h``
    through the minimum and its two neighbours refines the choice.
    """
    n, d = Y.shape
    m = min(n, n_queries)
    q = np.sort(rng.choice(n, m, replace=False)) if m < n else np.arange(n)
    h0 = _silverman(n, d)
    if grid is None:
        g = np.asarray(CV_COARSE, dtype=float)
        loss = _sm_loss(Y, q, h0 * np.exp2(g))
        i = int(np.argmin(loss))
        step = 0.5 * (g[1] - g[0])
        extra = np.array([g[i] + s for s in (-step, step) if g[0] <= g[i] + s <= g[-1]])
        if extra.size:
            g = np.concatenate([g, extra])
            loss = np.concatenate([loss, _sm_loss(Y, q, h0 * np.exp2(extra))])
            order = np.argsort(g)
            g, loss = g[order], loss[order]
        hs = h0 * np.exp2(g)
    else:
        hs = h0 * np.exp2(np.asarray(grid, dtype=float))
        loss = _sm_loss(Y, q, hs)
    i = int(np.argmin(loss))
    h = hs[i]
    if 0 < i < len(hs) - 1:  # parabolic refinement in log h
        x = np.log(hs[i - 1 : i + 2])
        y = loss[i - 1 : i + 2]
        den = (x[0] - x[1]) * (x[0] - x[2]) * (x[1] - x[2])
        a = (x[2] * (y[1] - y[0]) + x[1] * (y[0] - y[2]) + x[0] * (y[2] - y[1])) / den
        b = (
            x[2] ** 2 * (y[0] - y[1]) + x[1] ** 2 * (y[2] - y[0]) + x[0] ** 2 * (y[1] - y[2])
        ) / den
        if a > 0:
            h = float(np.exp(np.clip(-b / (2 * a), x[0], x[2])))
    return float(h), hs, loss, q


def _fisher_core(X, rng, options):
    n, d = X.shape
    bandwidth = options.pop("bandwidth", "cv")
    correction = options.pop("correction", "gaussian")
    check_method(correction, ("gaussian", "none"), name="correction")
    max_queries = check_int("max_queries", options.pop("max_queries", 2000), minimum=2)
    cv_queries = check_int("cv_queries", options.pop("cv_queries", 1000), minimum=10)
    bias_term = options.pop("bias_term", True)
    if not isinstance(bias_term, (bool, np.bool_)):
        raise TypeError(f"`bias_term` must be a bool; got {bias_term!r}.")
    _reject_unknown(options, "kde")
    rng = check_rng(rng)
    used = {"correction": correction, "max_queries": max_queries,
            "bias_term": bool(bias_term)}

    rcov = _robust_cov(X)
    used["scatter"] = "sample" if rcov is None else "robust"
    Y, L, _ = _whiten(X, scatter=rcov)
    if Y is None:
        msg = _rank_message(X)
        warnings.warn(msg + "; its Fisher information is infinite.", DegenerateDataWarning,
                      stacklevel=5)
        return None, msg, used
    if isinstance(bandwidth, str):
        check_method(bandwidth, ("cv",), name="bandwidth")
        h, _, _, qcv = _sm_bandwidth(Y, rng, cv_queries)
        h *= cv_factor(d)
        used["bandwidth"] = "cv"
    else:
        h = check_scalar("bandwidth", bandwidth, positive=True)
        used["bandwidth"] = "fixed"
        qcv = np.sort(rng.choice(n, min(n, cv_queries), replace=False))
    used["h"] = h  # kernel covariance h² Σ̂
    h2 = h * h
    eye = np.eye(d)
    Linv = linalg.solve_triangular(L, eye, lower=True)
    M = Linv.T @ Linv  # tr(L⁻ᵀ A L⁻¹) = tr(M A)
    qcv64 = qcv.astype(np.int64)

    def deconvolve(Jh, hh2):
        Jh = 0.5 * (Jh + Jh.T)
        if correction == "none":
            return Jh, eye
        ev = np.linalg.eigvalsh(eye - hh2 * Jh)
        if ev.min() <= 1e-10:
            return None, None
        B = np.linalg.inv(eye - hh2 * Jh)
        return Jh @ B, 0.5 * (B + B.T)

    # pilot on the bandwidth-search queries: direction of the jackknife linearisation,
    # per-query spread of the elementwise terms, and the bias term
    _, _, _, Cp = kde_moments(Y, Y[qcv], qcv64, h, 2)
    Ap = eye / h2 - Cp / (h2 * h2)
    Jp, Bp = deconvolve(Ap.mean(axis=0), h2)
    if Bp is None:
        Bp = eye
    Gp = Bp @ M @ Bp
    Gp = 0.5 * (Gp + Gp.T)
    R = np.linalg.cholesky(Gp)

    m = min(n, max_queries)
    q = np.sort(rng.choice(n, m, replace=False)) if m < n else np.arange(n)
    Cm, T, delta = kde_hessian_jackknife(Y, Y @ R, q.astype(np.int64), h, per_query=False)
    Jw, B = deconvolve(eye / h2 - Cm / (h2 * h2), h2)
    if Jw is None:
        msg = "the KDE Hessian saturates at 1/h² (separated clusters); J is infinite"
        warnings.warn(msg, DegenerateDataWarning, stacklevel=5)
        return None, msg, used
    Jw = 0.5 * (Jw + Jw.T)
    J = Linv.T @ Jw @ Linv
    J = 0.5 * (J + J.T)

    # per-query linearised terms in x coordinates (elementwise errors): spread from the
    # pilot queries, scaled to the m main queries
    P = Linv.T @ B
    Phi = np.einsum("ab,qbc,cd->qad", P, Ap, P.T)
    naive_mat = Phi.std(axis=0, ddof=1) / math.sqrt(m)
    # tr(Gp A_q) = tr(Gp)/h² - T_q/h⁴
    naive_tr = float(T.std(ddof=1) / (h2 * h2) / math.sqrt(m))
    # delete-one jackknife of tr(Gp Ĵ_h)
    inq = np.zeros(n, dtype=bool)
    inq[q] = True
    Tfull = np.zeros(n)
    Tfull[q] = T
    reps = -(T.sum() - Tfull + delta) / ((m - inq) * h2 * h2)
    se_tr = math.sqrt((n - 1) / n * np.sum((reps - reps.mean()) ** 2))
    if m < n:  # the random subset of queries adds its own variance
        se_tr = math.sqrt(se_tr**2 + (1 - m / n) * naive_tr**2)
    scale = se_tr / naive_tr if naive_tr > 0 else 1.0
    se_mat = naive_mat * scale
    if bias_term and Jp is not None:
        # smoothing/noise bias: the change of the estimate from h to BIAS_FACTOR * h on
        # the same pilot queries (their sampling noise cancels in the difference)
        hb2 = (BIAS_FACTOR * h) ** 2
        _, _, _, Cb = kde_moments(Y, Y[qcv], qcv64, BIAS_FACTOR * h, 3)
        Jb, _ = deconvolve(eye / hb2 - Cb / (hb2 * hb2), hb2)
        if Jb is None:
            bias = np.full((d, d), math.nan)
        else:
            bias = Linv.T @ (Jp - Jb) @ Linv
            bias = 0.5 * (bias + bias.T)
        bias_tr = float(np.trace(bias))
        used["bias"] = bias_tr
        se_tr = math.sqrt(se_tr**2 + bias_tr**2)
        se_mat = np.sqrt(se_mat**2 + bias**2)
    return (J, se_mat, se_tr, m), None, used


@_single_threaded_blas
def fisher_matrix(X, *, method="auto", rng=None, **options) -> MatrixEstimate:
    r"""Fisher information matrix ``E[∇log f ∇log fᵀ]`` from d-D samples (d >= 2).

    Parameters
    ----------
    X : ndarray, shape (n, d)
        Clean samples.
    method : {"auto", "kde"}
        ``"auto"`` is ``"kde"``.
    rng : None, int or numpy.random.Generator
        Randomness of the bandwidth search and of query subsampling.
    bandwidth : "cv" or float
        ``"cv"`` (default): the factor ``h`` of the kernel covariance ``h² Σ̂`` minimising
        the leave-one-out score-matching loss over a grid around Silverman's factor,
        times 0.85 for ``d <= 3`` (measured with ``benchmarks/select_nd.py``: in d = 2
        the deconvolved estimate of the bimodal test mixture at n = 1e4 is biased by
        about -5 % at the score-matching ``h`` and -2 % at 0.85 ``h``, while the
        Gaussian stays within about 1 %). A float fixes ``h``.
    correction : {"gaussian", "none"}
        ``"gaussian"`` (default) undoes the kernel smoothing exactly for Gaussian data:
        ``J = (J_h⁻¹ - h² Σ̂)⁻¹``; ``"none"`` returns the smoothed ``J_h``.
    max_queries : int
        At most this many query points (a random subset) enter the average; the kernel
        sums always run over all ``n`` points (default 2000). The subset adds variance
        (included in the errors), no bias.
    cv_queries : int
        Query points of the bandwidth search, also used for the bias term (default 1000).
    bias_term : bool
        Add the bias term of the Notes to the standard errors (default True). False
        gives the jackknife errors alone, which ignore the smoothing bias.

    Returns
    -------
    MatrixEstimate
        ``trace_stderr`` combines the jackknife error of the trace with the bias term
        (``sqrt(se_jk² + b²)``, ``b`` recorded as ``options["bias"]``); elementwise errors
        are the per-query errors scaled by the trace's jackknife/naive ratio, combined
        with the elementwise bias term.

    Notes
    -----
    Whitened data ``Y = L⁻¹(X - x̄)`` and a Gaussian kernel of covariance ``h² I`` give
    the leave-one-out KDE ``f̂₋ᵢ``; the Hyvärinen identity ``J = -E[∇² log f]`` is
    applied to it:

    .. math:: \hat J_h = \frac1n\sum_i\Bigl(\frac{I}{h^2} - \frac{C_i}{h^4}\Bigr),

    with ``C_i`` the kernel-weighted covariance of ``Y_j - Y_i`` (j ≠ i). This estimates
    the Fisher matrix of ``f * N(0, h² I)``, which is smaller than that of ``f``; for a
    Gaussian ``f`` the deconvolution ``(Ĵ_h⁻¹ - h² I)⁻¹`` is exact, and for other
    densities it removes the part of the smoothing bias that a Gaussian would have
    (what remains is ``-h² Cov(∇² log f) + O(h⁴)``). The result is mapped back by
    ``L⁻ᵀ Ĵ L⁻¹``. The Hessian form avoids the positive noise bias ``Cov(ŝ)`` that the
    plug-in ``E[ŝ ŝᵀ]`` carries (``-∇² log f̂ = -∇²f̂/f̂ + ŝŝᵀ``, and the first term
    has mean-zero noise to first order). The leave-one-out noise that remains makes the
    estimate biased high when the kernel holds few effective neighbours (small n, large
    d); the smoothing left after deconvolution biases it low for non-Gaussian densities.

    Both biases are several jackknife standard errors at n = 1e4 in d = 5 and 10 (the
    ``bias`` and ``width jk`` columns of ``docs/benchmarks_nd.md``), so jackknife
    intervals alone cover the truth far less than 95 % of the time. The
    reported error therefore includes a bias term ``b = Ĵ(h) - Ĵ(1.5 h)``: both
    deconvolved estimates are computed on the same ``cv_queries`` points, so their
    query-sampling noise largely cancels in the difference. A smoothing bias that
    grows like ``h²`` gives ``Ĵ(1.5h) - Ĵ(h) ≈ 1.25 × bias``, and the leave-one-out
    noise bias falls steeply with ``h`` (``Ĵ(h) - Ĵ(1.5h) ≈ bias``), so ``|b|`` tracks
    the bias of either sign; the two have opposite signs, so ``b`` is used as an
    error, not as a correction (``benchmarks/bias_term_nd.py``, tuning seeds 100-103
    of ``benchmarks/cases_nd.py``; the published coverage in ``docs/benchmarks_nd.md``
    uses seeds 0-19). The price is
    wider intervals where the bias is large; their mean width is reported there too.
    Measured errors are in ``docs/benchmarks_nd.md``.

    Heavy tails: when some coordinate's standard deviation exceeds 1.5 times its robust
    scale IQR/1.349 (t-like tails), the data are centred at the median and whitened by a
    robust scatter (scales min(sd, IQR/1.349), correlations sin(πτ/2) from Kendall's τ)
    instead of the sample covariance, which outliers inflate; ``options["scatter"]``
    says which was used. Seeded checks at n = 5000 (``tests/test_multivariate.py``):
    bivariate Cauchy J within 0.74-0.91 of the true 0.9 (the sample covariance gave
    0.07), multivariate t₃ in d = 3 within 7%. The jackknife error is then dominated by
    isolated tail points and can be far larger than the actual spread (conservative, at
    times absurdly so); treat it as an upper bound for such data.

    References
    ----------
    Hyvärinen (2005), JMLR 6, 695-709 (score matching).

    Examples
    --------
    >>> import numpy as np, infoplane as ip
    >>> rng = np.random.default_rng(0)
    >>> x = rng.standard_normal((1000, 2)) * [1.0, 2.0]
    >>> est = ip.fisher_matrix(x, rng=0)
    >>> np.round(np.diag(est.value), 1)    # closed form: diag(1, 1/4)
    array([1.  , 0.2...])
    """
    check_method(method, FISHER_METHODS)
    n, d = X.shape
    if n < 2 * d + 2:
        raise ValueError(
            f"`x` has {n} samples; method 'kde' in {d} dimensions needs at least {2 * d + 2}."
        )
    res, reason, used = _fisher_core(X, rng, dict(options))
    if res is None:
        return MatrixEstimate(np.full((d, d), np.inf), np.full((d, d), np.nan), "kde", n,
                              used, reason=reason, trace_stderr=math.nan)
    J, se, se_tr, _ = res
    return MatrixEstimate(J, se, "kde", n, used, trace_stderr=se_tr)


def fisher(X, *, method="auto", rng=None, **options) -> Estimate:
    """Fisher information ``J = tr E[∇log f ∇log fᵀ]`` from d-D samples (d >= 2).

    The trace of :func:`fisher_matrix` (same options and method), with the delete-one
    jackknife standard error of the trace.

    Examples
    --------
    >>> import numpy as np, infoplane as ip
    >>> rng = np.random.default_rng(1)
    >>> x = rng.standard_normal((1000, 3)) * [1.0, 2.0, 0.5]
    >>> est = ip.fisher(x, rng=0)
    >>> truth = 1 + 1 / 4 + 4                      # closed form: tr Σ⁻¹
    >>> bool(abs(est.value - truth) < 4 * est.stderr)
    True
    """
    return fisher_matrix(X, method=method, rng=rng, **options).trace
