r"""d-D Fisher information matrix by the Hyvärinen identity on a leave-one-out Gaussian KDE.

The estimator of ``method="kde"`` for d-D samples (what ``"auto"`` picks). The kernel has
covariance ``h² Σ̂`` with ``h`` chosen by held-out score matching
(:func:`infoplane._numerics.sm_bandwidth`) times ``cv_factor(d)``, followed by the
Gaussian deconvolution ``J = (J_h⁻¹ - h² Σ̂)⁻¹`` (exact for Gaussian data). The
undeconvolved ``J_h`` (``correction="none"``) is biased low (``benchmarks/select_nd.py``).
:mod:`infoplane.estimators.samples` validates, standardises and maps back.

Method
------
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

Both biases can be several jackknife standard errors, so the reported error includes
a bias term ``b = Ĵ(h) - Ĵ(1.5 h)``: both deconvolved estimates are computed on the
same ``cv_queries`` points, so their query-sampling noise largely cancels in the
difference. A smoothing bias that
grows like ``h²`` gives ``Ĵ(1.5h) - Ĵ(h) ≈ 1.25 × bias``, and the leave-one-out
noise bias falls steeply with ``h`` (``Ĵ(h) - Ĵ(1.5h) ≈ bias``), so ``|b|`` tracks
the bias of either sign; the two have opposite signs, so ``b`` is used as an
error, not as a correction (``benchmarks/bias_term_nd.py``; measured coverage and widths in
``docs/benchmarks_nd.md``).

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
"""

from __future__ import annotations

import math

import numpy as np
from scipy import linalg

from .._numerics import (cv_factor, rank_message, robust_cov, single_threaded_blas,
                         sm_bandwidth, whiten)
from .._validation import check_int, check_method, check_scalar

__all__ = ["fisher_matrix_kde", "BIAS_FACTOR", "MIN_SAMPLES_PER_DIM"]

#: the bias term of the stderr compares the estimates at h and BIAS_FACTOR * h
BIAS_FACTOR = 1.5
#: at least 2 d + 2 samples
MIN_SAMPLES_PER_DIM = 2


@single_threaded_blas
def fisher_matrix_kde(X: np.ndarray, *, rng: np.random.Generator, unscale=None,
                      bandwidth_factor="auto", correction="gaussian", max_queries=2000,
                      cv_queries=1000, bias_term=True):
    """Fisher matrix of d-D samples `X` (see the module docstring).

    `unscale` (d,) maps the result to other units: ``J' = R J R`` with ``R = diag(unscale)``
    (the caller standardised the data). Returns ``((J, se_matrix, se_trace), used, None)``,
    or ``(None, used, reason)`` when J is infinite.
    """
    from .._kernels.kde import kde_hessian_jackknife, kde_moments

    n, d = X.shape
    if isinstance(bandwidth_factor, str):
        check_method(bandwidth_factor, ("auto",), name="bandwidth_factor")
    else:
        bandwidth_factor = check_scalar("bandwidth_factor", bandwidth_factor, positive=True)
    check_method(correction, ("gaussian", "none"), name="correction")
    max_queries = check_int("max_queries", max_queries, minimum=2)
    cv_queries = check_int("cv_queries", cv_queries, minimum=10)
    if not isinstance(bias_term, (bool, np.bool_)):
        raise TypeError(f"`bias_term` must be a bool; got {bias_term!r}.")
    used = {"correction": correction, "max_queries": max_queries,
            "bias_term": bool(bias_term)}

    rcov = robust_cov(X)
    used["scatter"] = "sample" if rcov is None else "robust"
    Y, L, _ = whiten(X, scatter=rcov)
    if Y is None:
        return None, used, rank_message(X) + "; its Fisher information is infinite"
    if isinstance(bandwidth_factor, str):
        h, _, _, qcv = sm_bandwidth(Y, rng, cv_queries)
        h *= cv_factor(d)
    else:
        h = bandwidth_factor
        qcv = np.sort(rng.choice(n, min(n, cv_queries), replace=False))
    used["bandwidth_factor"] = h  # kernel covariance h² Σ̂
    h2 = h * h
    eye = np.eye(d)
    Linv = linalg.solve_triangular(L, eye, lower=True)
    if unscale is not None:   # J' = R L⁻ᵀ Ĵ L⁻¹ R
        Linv = Linv * np.asarray(unscale, dtype=float)[None, :]
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
        return None, used, "the KDE Hessian saturates at 1/h² (separated clusters); J is infinite"
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
    return (J, se_mat, se_tr), used, None
