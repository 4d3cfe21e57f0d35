r"""d-D Fisher information matrix by the Hyvärinen identity on a leave-one-out Gaussian KDE.

The estimator of ``method="kde"`` for d-D samples (what ``"auto"`` picks).
:mod:`infoplane.estimators.samples` validates, standardises and maps back.

Method
------
1. **Whitening.** ``Y = L⁻¹(X - c)`` with ``Σ̂ = L Lᵀ`` the sample covariance, or for
   heavy tails (some coordinate's standard deviation above 1.5 times its robust scale
   IQR/1.349) a robust scatter (scales min(sd, IQR/1.349), correlations sin(πτ/2) from
   Kendall's τ) and the median as centre (``options["scatter"]``).
2. **Radial Gaussianisation of t-like tails** (``tails="auto"``). The radii
   ``r = ‖Y‖`` are fitted by the radial law of a multivariate t,
   ``r²/(s² d) ~ F(d, ν)`` (maximum likelihood). When ``ν̂ <`` ``NU_MAX`` and the
   whitened data show no measurable asymmetry (the skewness test below: an elliptical
   law is symmetric, and a skewed law's radii can fit a t too) the data are
   mapped by the radial map ``Z = g(r) Y / r`` with ``g(r)² = F_{χ²_d}⁻¹(F_{F(d,ν̂)}(r²/(s² d)))``,
   which makes an elliptical t exactly standard Gaussian (Lyu & Simoncelli 2009). The
   map is a smooth bijection, so the estimate stays consistent for any law; the score and
   Hessian of ``log f_Y`` follow from those of ``log f_Z`` by the chain rule,

   .. math:: -\nabla^2\log f_Y = D^T(-\nabla^2\log f_Z)D - \sum_k (s_Z)_k \nabla^2 T_k
             - \nabla^2\log\det D,

   with ``D = ∂Z/∂Y`` (closed forms for a radial map). A global KDE bandwidth fits
   heavy-tailed data badly (the centre and the tails want different bandwidths, and
   its Gaussian deconvolution over-corrects peaked laws: +6 to +11 % at d = 5 for t₅ and
   t₁₀); after the map the law is close to Gaussian, where both are exact.
   ``options["tail_df"]`` reports ν̂ (``None`` when the map was not used).
   **Skewed laws** (``skew="auto"``): where the radial map is not used, the whitened
   data are measurably skewed (the test below) and show no short tails (a tail
   shortfall of at most ``_skewmap.SHORT_MAX``: separated modes give short tails, and
   the map is made for unimodal laws) and their radii do not fit a Cauchy-like t
   (ν̂ >= ``_skewmap.NU_MIN`` = 2: with infinite variance the skewness test fires on
   symmetric data), they are mapped by ``Z = T(R Y)``, ``R`` the rotation (after a
   whitening by the sample covariance) to their most skewed directions and ``T`` a
   sinh-arcsinh map of each
   (:mod:`infoplane.estimators._skewmap`), with the same chain rule
   (``D = diag(T') R``, ``Σ_k s_k ∇²T_k = Rᵀ diag(s ⊙ T'') R``). A skewed law's
   smoothing bias is several standard errors without the map and smaller with it,
   though not gone (mean bias at n = 1e4, 20 seeds, d = 2 / 5 / 10, without → with the
   map: rotated Gumbel -5.4 / -11.3 / -14.6 % → -1.2 / -3.0 / -1.4 %; held-out skew-normal
   -5.0 / -6.2 / -2.4 % → -3.3 / -0.7 / +2.1 %, rotated log-normal product -21 / -33 /
   -38 % → -7.5 / -12 / -12 %; ``docs/skewed_nd.md``). The skew test needs samples: at
   n = 1e3 it misses the rotated Gumbel at d = 10 on 18 of 20 seeds (-20 %).
   ``options["skew_map"]`` says whether it was used.
3. **Bandwidth.** Kernel covariance ``h² I`` in these coordinates, with ``h`` from held-out
   score matching on ``Z`` (:func:`infoplane._numerics.sm_bandwidth` with its
   one-standard-error rule towards larger h; fixed internal seed, so the value depends on
   the data only), on ``cv_queries`` query points: by default ``CV_QUERIES`` = (2000,
   1000) for d <= 3 and d > 3. With 1000 at d = 2 the loss, flat at large h, could dip
   at a small h through noise and take it: on 60 tuning samples of a Gaussian at n = 1e4,
   one took h = 0.18 instead of ≈ 0.43 and returned J 38 % high, without a warning (the
   spread over the samples 5.2 % against 1.9 % with 2000 queries; a two-component mixture
   3.9 % against 3.3 %, largest error 16 % against 9.7 %; on the 100 seeds of
   ``docs/coverage_nd.md`` the largest errors at d = 2, n = 1e4 went from 28 / 83 / 17 %
   to 8 / 8 / 9 % for the Gaussian, three-component and t₁₀ laws). At d = 5 and 10 (tuning
   and published seeds) 2000 queries changed neither the spread nor the largest errors
   and doubled the time of a call at d = 10, n = 1e4, so there the search keeps 1000
   (below that many rows every row is a query). At d = 2 and 3, n = 1e4 a call takes
   about 1.35-1.47 times as long as with 1000 (``benchmarks/search_queries_nd.py``, which
   also reruns the tuning comparison above). A warning names
   an uncertain choice (several minima, an edge minimum, a flat loss).
4. **Leave-one-out Hessians.** For each query ``i`` (at most ``max_queries``, a fixed
   subset), with kernel weights ``e_ij`` (j ≠ i), ``W = Σ e``, ``u = Σ e (Z_j - Z_i)/W`` and
   ``C`` the weighted covariance of the neighbours, ``A_i = I/h² - C_i/h⁴`` estimates
   ``-∇² log (f * φ_h)(Z_i)`` and ``u_i/h²`` its score.
5. **Leave-one-out noise.** ``C_i`` is a ratio of kernel sums; to first order in the
   number of effective neighbours its bias is
   ``E[C] - C ≈ (Σe²/W²)(C - 2C₂ - 2(u₂ - u)(u₂ - u)ᵀ)``, with ``C₂``, ``u₂`` the same
   moments under the squared weights (the kernel of bandwidth ``h/√2``); it is removed.
   Without it the estimate is biased high when the kernel holds few effective
   neighbours (large d, small n).
6. **Deconvolution and extrapolation.** ``Ĵ_h = mean A_i`` is the Fisher matrix of
   ``f * φ_h``; the Gaussian deconvolution ``Ĵ(h) = Ĵ_h (I - h² Ĵ_h)⁻¹`` is exact for
   Gaussian laws (per query, ``A_i (I + h² Ĵ(h))`` and ``(I + h² Ĵ(h)) u_i/h²`` for the
   chain rule of step 2). For other laws a smoothing bias ``a h² + b h⁴ + O(h⁶)``
   remains; the estimate is the Richardson extrapolation
   ``(8 Ĵ(h) - 6 Ĵ(√2 h) + Ĵ(2h)) / 3`` from the same queries (``RICHARDSON``;
   ``options["richardson_bandwidths"]`` = 3), which removes both terms. The two-bandwidth
   ``2 Ĵ(h) - Ĵ(√2 h)`` left ``-2 b h⁴``, several standard errors for multimodal laws
   (two Gaussian components, n = 1e4, d = 2 / 5 / 10, 20 seeds: mean bias -0.5 / -3.5 /
   -4.7 % → +1.0 / -1.3 / -2.7 %, coverage 0.90 / 0.70 / 0.75 → 0.90 / 0.95 / 1.00, at
   about the same spread over seeds); it adds +0.1 to +1.6 points to the Gaussian's positive
   bias, the leave-one-out noise that step 5 leaves (``docs/richardson_nd.md``). Where
   the deconvolution saturates at 2h (or √2 h) the bandwidths below are used. Results
   map back by ``L⁻ᵀ Ĵ L⁻¹``.

Standard error: a delete-a-group jackknife (``N_GROUPS`` random groups of rows,
each deleted in turn as references and as queries, with every step above except the
whitening, the map and the bandwidth recomputed; kernel sums are kept per group, so
the replicates cost no new distances). The jackknife counts the pairwise
(degenerate second-order) part of the variance about twice; the excess,
``degenerate_excess(G)`` = 1.05 times that part for G = 20 groups, is subtracted, the
part itself estimated from the per-query spread under deletion of reference groups (at
least ``MIN_VAR_KEPT`` of the jackknife variance is kept). On tuning samples at a fixed
bandwidth this leaves the variance 4-29 % above the variance over seeds: the multiple of
the pairwise part whose removal would calibrate it is 1.1-1.6 (± 0.2-0.4); with the
bandwidth searched per sample (the default), whose own variance the jackknife does not
see, the intervals covered 92.0-98.5 % (``docs/jackknife_nd.md``).
With ``bias_term`` (default) the change of the extrapolated estimate when the noise
correction of step 5 is left out is added in quadrature (``options["bias"]``, trace):
the correction is trusted to its own size (``benchmarks/bias_term_nd.py``). What
Richardson leaves of the smoothing bias is not in the error: for Gaussian and t laws
the intervals cover 91-99 % of 100 seeds, for the two- and three-component mixtures
85-100 % (mean bias -2.8 to +1.8 %), for the rotated Gumbel 82-90 %
(``docs/coverage_nd.md``), for other skewed laws (after the skew map of step 2: -1 to
-13 % at n = 1e4) far less (``docs/skewed_nd.md``; widths also in
``docs/richardson_nd.md`` and ``docs/benchmarks_nd.md``). Such laws are
asymmetric: an AccuracyWarning says so when √n times the largest Kelley skewness
``(q₉₀ + q₁₀ - 2q₅₀)/(q₉₀ - q₁₀)`` of the whitened data along the axes and ``8d`` fixed
directions exceeds ``SKEW_Z`` (``options["skewness"]``; Kelley 1947), and when the tail
ratio ``(q₉₇.₅ - q₂.₅)/(q₇₅ - q₂₅)`` along one of them falls short of a Gaussian's by more
than ``TAIL_Z`` of its sampling standard deviations (``options["tail_ratio"]``: a bounded
support or separated modes; ``benchmarks/bounded_nd.py``). Neither the size of
the Richardson step nor the disagreement of the two-bandwidth extrapolations from
``(h, √2 h)`` and ``(√2 h, 2h)`` tracked the bias that the two-bandwidth estimate left
(measured), so it is not added to the error.

Two things the jackknife could do are left undone (``docs/bias_jackknife_nd.md``, tuning
laws and seeds). Its own bias estimate ``(G - 1)(mean_g J_(-g) - J)`` is the Gaussian's
positive bias (the noise that step 5 leaves and the deconvolution's curvature: +8.1 %
estimated against +7.6 % measured at d = 10, n = 10³), but for a two-component mixture it
offsets a smoothing bias of the other sign, which removing it would expose (d = 10:
+0.4 % → -8.3 % at n = 10³, -2.4 % → -5.8 % at 10⁴), so the estimate is not corrected.
Re-running the bandwidth search in each replicate would put the search's variance in the
error, but that jackknife overstates the spread of log h 2.6-3 times (d = 2, n = 10³: the
choice is not a smooth function of the rows), so the search is not repeated.

``correction="none"`` returns the undeconvolved ``Ĵ_h`` (biased low), without steps 5-6.

References
----------
Hyvärinen (2005), JMLR 6, 695-709 (score matching).
Lyu & Simoncelli (2009), Neural Computation 21(6), 1485-1519 (radial Gaussianization).
Lange, Little & Taylor (1989), JASA 84, 881-896 (the multivariate t).
Kelley (1947), Fundamentals of Statistics, Harvard University Press (quantile skewness).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import linalg

from .._numerics import rank_message, robust_cov, single_threaded_blas, sm_bandwidth, whiten
from .._validation import check_int, check_method, check_scalar
from ..errors import AccuracyWarning, warn
from ._elliptic import (NU_MAX, SKEW_Z, TAIL_Z, RadialMap, fit_radial_t, shape_checks,
                        skewness)
from ._skewmap import SkewMap, finite_map, wanted

__all__ = ["fisher_matrix_kde", "CV_QUERIES", "NU_MAX", "N_GROUPS", "QUERY_SEED", "SKEW_Z",
           "fit_radial_t", "RadialMap", "skewness"]

#: groups of the delete-a-group jackknife
N_GROUPS = 20
#: query points of the bandwidth search for d <= 3 and for d > 3 (module docstring, step 3)
CV_QUERIES = (2000, 1000)
#: seed of the query subset and of the jackknife groups (results depend on the data only)
QUERY_SEED = 0xF15E
#: random ±1 draws per group that estimate the pairwise part
PAIRWISE_DRAWS = 2
#: the corrected jackknife variance keeps at least this fraction of the raw one
MIN_VAR_KEPT = 0.25


def degenerate_excess(groups: int) -> float:
    """How much too often the delete-a-group jackknife with `groups` groups counts the
    pairwise (degenerate second-order) part of the variance: ``(G² - G - 1) / (G - 1)²``
    (1.05 for 20 groups). Derivation: deleting group g of G changes a degenerate
    second-order statistic by the pairs that touch g; summed over the groups, with the
    ``(G - 1)/G`` jackknife factor and the ``(G/(G - 1))²`` of the smaller sample, the
    estimate's expectation is ``G (2G - 3)/(G - 1)²`` times the pairwise variance
    (Efron & Stein 1981 give 2 for the delete-one jackknife).

    Examples
    --------
    >>> round(degenerate_excess(20), 4)
    1.0499
    """
    G = float(check_int("groups", groups, minimum=2))
    return (G * G - G - 1.0) / (G - 1.0) ** 2


def _second_order_terms(sz, ct):
    """``Σ_k (s_Z)_k ∇²T_k`` for the radial or the skew map, per query (m, d, d)."""
    if "t2" in ct:   # z = T(R y) coordinatewise after a rotation: Rᵀ diag(s ⊙ T'') R
        R = ct["R"]
        return np.swapaxes(R, 1, 2) @ ((sz * ct["t2"])[:, :, None] * R)
    y = ct["y"]
    d = y.shape[1]
    sy = np.einsum("qa,qa->q", sz, y)
    sym = np.einsum("qa,qb->qab", sz, y)
    sym = sym + np.swapaxes(sym, 1, 2) + sy[:, None, None] * np.eye(d)[None]
    return (ct["c1"][:, None, None] * sym
            + (sy * ct["c2"])[:, None, None] * np.einsum("qa,qb->qab", y, y))


# ------------------------------------------------------------------------ skewness
# --------------------------------------------------------------------- the estimate
def _sym(A):
    return 0.5 * (A + np.swapaxes(A, -1, -2))


def _moments(W, S1, S2, zq, iu, d):
    """Per-query mean offset ``u`` and weighted covariance ``C`` from kernel sums."""
    m1 = S1 / W[:, None]
    full = np.empty((W.shape[0], d, d))
    full[:, iu[0], iu[1]] = S2 / W[:, None]
    full[:, iu[1], iu[0]] = full[:, iu[0], iu[1]]
    return m1 - zq, full - np.einsum("qa,qb->qab", m1, m1)


def _deconvolved(A, u, h, ct):
    """Deconvolved Fisher matrix (whitened coordinates) from per-query Hessians ``A``
    and offsets ``u`` of bandwidth ``h``; ``None`` when ``I - h² Ā`` is not positive."""
    d = A.shape[-1]
    eye = np.eye(d)
    Ab = _sym(A.mean(axis=0))
    if np.linalg.eigvalsh(eye - h * h * Ab).min() <= 1e-10:
        return None
    Jz = _sym(np.linalg.solve(eye - h * h * Ab, Ab))
    if ct is None:
        return Jz
    F = eye + h * h * Jz
    Hq = A @ F
    sz = (u / (h * h)) @ F.T
    D = ct["D"]
    Jq = np.swapaxes(D, 1, 2) @ Hq @ D - _second_order_terms(sz, ct) - ct["HL"]
    return _sym(Jq.mean(axis=0))


#: Richardson weights of the deconvolved estimates at h, √2 h, 2h: bias a h² + b h⁴ + ...
#: removed to O(h⁴) with two bandwidths, to O(h⁶) with three
RICHARDSON = {1: (1.0,), 2: (2.0, -1.0), 3: (8.0 / 3.0, -2.0, 1.0 / 3.0)}


def _estimates(mom, zq, hs, ct, correction, levels=3):
    """``(J, J without the noise correction, bandwidths combined)`` in whitened
    coordinates from the kernel sums ``mom`` of bandwidths ``hs = (h/√2, h, √2 h, 2h)``:
    the Richardson extrapolation (``RICHARDSON``) of the deconvolved estimates at
    ``h, √2 h, 2h``, at most `levels` of them. ``J`` is ``None`` when the deconvolution
    at ``h`` fails; where it fails at a larger bandwidth (saturation: separated
    clusters), the extrapolation uses the bandwidths below it."""
    d = zq.shape[1]
    iu = np.triu_indices(d)
    eye = np.eye(d)
    parts = [_moments(W, S1, S2, zq, iu, d) for W, S1, S2 in mom]
    if correction == "none":
        u, C = parts[1]
        h = hs[1]
        J = _sym((eye / h**2 - C / h**4).mean(axis=0))
        return J, J, 1
    out = []
    for k in range(1, levels + 1):
        h = hs[k]
        u, C = parts[k]
        u2, C2 = parts[k - 1]
        inv_neff = mom[k - 1][0] / mom[k][0] ** 2      # Σe²/W²
        du = u2 - u
        bias = inv_neff[:, None, None] * (C - 2.0 * C2 - 2.0 * np.einsum("qa,qb->qab", du, du))
        Jc = _deconvolved(eye / h**2 - (C - bias) / h**4, u, h, ct)
        Jr = _deconvolved(eye / h**2 - C / h**4, u, h, ct)
        if Jc is None or Jr is None:
            break
        out.append((Jc, Jr))
    if not out:
        return None, None, 0
    w = RICHARDSON[len(out)]
    return (sum(c * a for c, (a, _) in zip(w, out)),
            sum(c * r for c, (_, r) in zip(w, out)), len(out))


def _group_sums(mom, totals, g, qgroup):
    """Kernel sums with group ``g`` deleted, for the queries outside it (``totals``: the
    sums over all groups)."""
    keep = qgroup != g
    out = []
    for (W, S1, S2), (Wt, S1t, S2t) in zip(mom, totals):
        out.append(((Wt - W[:, g])[keep], (S1t - S1[:, g])[keep], (S2t - S2[:, g])[keep]))
    ok = np.all([o[0] > 1e-12 * t[0][keep] for o, t in zip(out, totals)], axis=0)
    return [(a[ok], b[ok], c[ok]) for a, b, c in out], np.flatnonzero(keep)[ok]


def _group_replaced(mom, totals, g, weight):
    """Kernel sums with reference group ``g`` replaced by an average group, by the
    per-query `weight` (m,): ``totals + weight (totals/G - group g)``."""
    G = mom[0][0].shape[1]
    return [(Wt + weight * (Wt / G - W[:, g]),
             S1t + weight[:, None] * (S1t / G - S1[:, g]),
             S2t + weight[:, None] * (S2t / G - S2[:, g]))
            for (W, S1, S2), (Wt, S1t, S2t) in zip(mom, totals)]


def _pairwise_variance(totals, mom, zq, hs, ct, correction, levels, to_x, J):
    """The pairwise (degenerate U-statistic) part of the variance of ``J``.

    Each query's term depends on the references through a kernel sum, whose noise is the
    pairwise part. Its size is ``Σ_q V_q / m²`` with ``V_q`` the variance of query
    ``q``'s term over the references. Replacing the sums of reference group g by those of
    an average group changes the term by ``δ_qg``; ``E Σ_g δ_qg² = (G - 1)/G V_q`` (the
    deviations are centred over the groups), so ``V_q`` is ``G/(G - 1) Σ_g δ_qg²``.
    ``Σ_q δ_qg²`` comes from random ±1 combinations of the per-query changes
    (``E[(Σ_q ξ_q δ_qg)²] = Σ_q δ_qg²``), each one evaluation of the estimate. (Until
    issue 11's stop 28 the factor was (G - 1)/G, a jackknife factor for deletion changes:
    P was ((G - 1)/G)² = 0.90 of its size.) A pair of sample points enters twice when both
    are queries (i's term through j, j's through i); the two changes were measured to be
    nearly uncorrelated (correlation -0.14 to +0.10 for the tuning laws at n = 1e3,
    d = 2 and 5: ``benchmarks/jackknife_nd.py``), so their variances add and no
    ``m/n`` term for the pairs' correlation is added (one was, assuming full
    correlation, until issue 11). Returns the (d, d) elementwise part and the trace's.
    """
    m = zq.shape[0]
    G = mom[0][0].shape[1]
    gen = np.random.default_rng(QUERY_SEED + 1)
    acc = np.zeros_like(J)
    acc_tr = 0.0
    count = 0
    for g in range(G):
        for _ in range(PAIRWISE_DRAWS):
            xi = gen.choice((-1.0, 1.0), size=m)
            Jp, _, lv = _estimates(_group_replaced(mom, totals, g, xi), zq, hs, ct,
                                   correction, levels)
            if Jp is None or lv != levels:
                continue
            dJ = m * (to_x(Jp) - J)
            acc += dJ**2
            acc_tr += float(np.trace(dJ)) ** 2
            count += 1
    if count == 0:
        return np.zeros_like(J), 0.0
    scale = G / (G - 1) * G / count / m**2
    return acc * scale, acc_tr * scale


@single_threaded_blas
def fisher_matrix_kde(X: np.ndarray, *, rng: np.random.Generator, unscale=None,
                      bandwidth_factor="auto", correction="gaussian", max_queries=2000,
                      cv_queries=None, bias_term=True, tails="auto", skew="auto"):
    """Fisher matrix of d-D samples `X` (see the module docstring).

    `unscale` (d,) maps the result to other units: ``J' = R J R`` with ``R = diag(unscale)``
    (the caller standardised the data). `rng` is not used: the query subset, the
    jackknife groups and the bandwidth search come from fixed seeds, so the result
    depends on the data only. Returns ``((J, se_matrix, se_trace), used, None)``, or
    ``(None, used, reason)`` when J is infinite.
    """
    from .._kernels.kde import kde_group_moments

    n, d = X.shape
    if isinstance(bandwidth_factor, str):
        check_method(bandwidth_factor, ("auto",), name="bandwidth_factor")
    else:
        bandwidth_factor = check_scalar("bandwidth_factor", bandwidth_factor, positive=True)
    check_method(correction, ("gaussian", "none"), name="correction")
    check_method(tails, ("auto", "none"), name="tails")
    check_method(skew, ("auto", "none"), name="skew")
    max_queries = check_int("max_queries", max_queries, minimum=2)
    cv_queries = (CV_QUERIES[0] if d <= 3 else CV_QUERIES[1]) if cv_queries is None else \
        check_int("cv_queries", cv_queries, minimum=10)
    if not isinstance(bias_term, (bool, np.bool_)):
        raise TypeError(f"`bias_term` must be a bool; got {bias_term!r}.")
    used = {"correction": correction, "max_queries": max_queries,
            "bias_term": bool(bias_term), "tails": tails, "skew": skew,
            "cv_queries": cv_queries}

    rcov = robust_cov(X)
    used["scatter"] = "sample" if rcov is None else "robust"
    Y, L, _ = whiten(X, scatter=rcov)
    if Y is None:
        return None, used, rank_message(X) + "; its Fisher information is infinite"

    ct_map: RadialMap | SkewMap | None = None
    sk, tail_ratio, short, rows_used = shape_checks(Y)
    nu = math.inf
    can_map = correction != "none" and n >= 4 * d + 8   # a map is fitted on enough rows
    if can_map and (tails == "auto" or skew == "auto"):
        s2, nu = fit_radial_t(np.einsum("ij,ij->i", Y, Y), d)
    if can_map and tails == "auto":
        # an elliptical t is symmetric: the map is for t-like tails, not for skewed laws
        # (a rotated Gumbel's radii fit ν ≈ 8-16, and the map made its bias worse)
        if nu < NU_MAX and sk * math.sqrt(rows_used) <= SKEW_Z:
            ct_map = RadialMap(d, s2, nu)
    used["tail_df"] = float(ct_map.nu) if isinstance(ct_map, RadialMap) else None
    # a measurably skewed law without the short tails of separated modes: the skew map
    skew_mapped = (can_map and skew == "auto" and ct_map is None
                   and wanted(sk * math.sqrt(rows_used), short, nu))
    Z = Y if ct_map is None else ct_map.apply(Y)
    if skew_mapped:
        fitted = finite_map(Y)     # None where the map overflows: estimate without it
        skew_mapped = fitted is not None
        if fitted is not None:
            ct_map, Z = fitted[0], fitted[1]
    used["skew_map"] = skew_mapped

    if isinstance(bandwidth_factor, str):
        search = sm_bandwidth(Z, None, cv_queries, one_se=True)
        h = search.h
        if search.problem is not None:
            warn(f"d-D Fisher information: {search.problem}; the bandwidth (h = {h:.3g}) "
                 "is uncertain and J may be off by more than its standard error. Check "
                 "the data, or pass bandwidth_factor.", AccuracyWarning)
    else:
        h = bandwidth_factor
    used["bandwidth_factor"] = h  # kernel covariance h² I in the (mapped) whitened space

    gen = np.random.default_rng(QUERY_SEED)
    m = min(n, max_queries)
    used["max_queries"] = m   # the number of query points used, as the kNN entropy reports
    q = np.sort(gen.choice(n, m, replace=False)) if m < n else np.arange(n)
    G = int(min(N_GROUPS, n))
    perm = gen.permutation(n)
    pos = np.empty(n, dtype=np.int64)
    pos[perm] = np.arange(n)
    bounds = np.linspace(0, n, G + 1).astype(np.int64)
    qpos = pos[q]
    qgroup = np.searchsorted(bounds, qpos, side="right") - 1
    Zp = np.ascontiguousarray(Z[perm])
    hs = (h / math.sqrt(2.0), h, h * math.sqrt(2.0), 2.0 * h)
    mom = kde_group_moments(Zp, qpos, h, bounds, levels=len(hs) if correction != "none" else 2)
    ct = None if ct_map is None else ct_map.chain_terms(Y[q])

    Linv = linalg.solve_triangular(L, np.eye(d), lower=True)
    if unscale is not None:   # J' = R L⁻ᵀ Ĵ L⁻¹ R
        Linv = Linv * np.asarray(unscale, dtype=float)[None, :]

    def to_x(Jw):
        return _sym(Linv.T @ Jw @ Linv)

    totals = [(W.sum(axis=1), S1.sum(axis=1), S2.sum(axis=1)) for W, S1, S2 in mom]
    Jw, Jw_raw, levels = _estimates(totals, Zp[qpos], hs, ct, correction)
    extrapolated = levels > 1
    used["extrapolated"] = extrapolated
    used["richardson_bandwidths"] = levels
    if Jw is None:
        return None, used, "the KDE Hessian saturates at 1/h² (separated clusters); J is infinite"
    J = to_x(Jw)

    reps = []
    for g in range(G):
        sums, rows = _group_sums(mom, totals, g, qgroup)
        if rows.size < 2:
            continue
        ctg = None if ct is None else {k: v[rows] for k, v in ct.items()}
        Jg, _, lv = _estimates(sums, Zp[qpos[rows]], hs, ctg, correction, levels)
        if Jg is not None and lv == levels:   # a replicate of the same extrapolation
            reps.append(to_x(Jg))
    if len(reps) >= 2:
        R = np.array(reps)
        g_eff = len(reps)
        var_mat = (g_eff - 1) / g_eff * np.sum((R - R.mean(axis=0)) ** 2, axis=0)
        # the jackknife counts the degenerate (pairwise) part of the variance about twice
        # (Efron & Stein 1981); remove the excess, estimated from the per-query spread
        # under deletion of reference groups (see _pairwise_variance)
        pair_mat, pair_tr = _pairwise_variance(
            totals, mom, Zp[qpos], hs, ct, correction, levels, to_x, J)
        excess = degenerate_excess(G)
        var_mat = np.maximum(var_mat - excess * pair_mat, MIN_VAR_KEPT * var_mat)
        se_mat = np.sqrt(var_mat)
        tr = np.trace(R, axis1=1, axis2=2)
        var_tr = (g_eff - 1) / g_eff * np.sum((tr - tr.mean()) ** 2)
        var_tr = max(var_tr - excess * pair_tr, MIN_VAR_KEPT * var_tr)
        se_tr = math.sqrt(var_tr)
    else:
        se_mat, se_tr = np.full((d, d), math.nan), math.nan
    if extrapolated:
        used["skewness"] = sk
        if skew_mapped:
            warn(f"d-D Fisher information: the data are skewed (Kelley skewness {sk:.2f} "
                 "along some direction). They were mapped towards a Gaussian before the "
                 "KDE (options['skew_map']), which removes much of the kernel smoothing "
                 "bias of skewed laws but not all of it, and what is left is not in the "
                 "standard error (mean bias at n = 1e4 over 20 seeds, d = 2 / 5: rotated "
                 "Gumbel -1.2 / -3.0%, skew-normal -3.3 / -0.7%, rotated log-normal "
                 "product -7.5 / -12%; docs/skewed_nd.md): J is "
                 "probably too low.", AccuracyWarning)
        elif sk * math.sqrt(rows_used) > SKEW_Z:
            warn(f"d-D Fisher information: the data are skewed (Kelley skewness {sk:.2f} "
                 "along some direction). The kernel smoothing bias that the extrapolation "
                 "in h removes for symmetric laws can remain for skewed or multimodal ones "
                 "(measured at n = 1e4: mixtures -2.7 to +1.5%; unimodal skewed laws, which "
                 "the skew map treats unless skew='none' or their tails are short, -7 to "
                 "-35% without it) and is not in the standard error: J is probably too "
                 "low.", AccuracyWarning)
        used["tail_ratio"] = tail_ratio
        if short > TAIL_Z:
            warn(f"d-D Fisher information: the data have shorter tails than a Gaussian "
                 "along some direction (tail ratio (q97.5 - q2.5)/(q75 - q25) = "
                 f"{tail_ratio:.2f}; "
                 "a Gaussian's is 2.91), as a bounded support or separated modes give. The "
                 "kernel smoothing bias that the extrapolation in h removes for "
                 "Gaussian-like laws remains there and is not in the standard error: J "
                 "may be low (docs/bounded_nd.md: a Beta(3, 3) column 19-27% low, a "
                 "two-component mixture within 1%).",
                 AccuracyWarning)
    if bias_term and correction != "none":
        bias = to_x(Jw_raw) - J
        bias_tr = float(np.trace(bias))
        used["bias"] = bias_tr
        se_tr = math.sqrt(se_tr**2 + bias_tr**2)
        se_mat = np.sqrt(se_mat**2 + bias**2)
    return (J, se_mat, se_tr), used, None
