"""Support edges of 1-D samples: a local power-law model, its fit and the J = ∞ test.

Near an end ``low`` of the support, a density that vanishes there behaves like
``f(x) ≈ C u^(a-1) e^(c u)`` with ``u = x - low``: the exponent ``a`` says how fast it
vanishes (Gamma(k) and Beta(k, ·) have a = k exactly and c ≠ 0; a density with a jump
at the end, as the uniform or the exponential law, has a = 1). The location Fisher
information of such an end is finite iff ``a > 2``: ``∫ f s²`` with ``s ≈ (a - 1)/u``
behaves like ``∫ u^(a - 3) du``. Samples resolve the end only down to their smallest
value, yet for ``2 < a ≲ 5`` a large part of J sits below it (a third of J for
Gamma(2.5) at n = 1e4), so no kernel estimate can reach J there: the law must be
extrapolated, and this module does it with the model above.

Model and fit
-------------
The ``m`` smallest samples (the *window*, below a threshold ``t``) are modelled by the
density ``v^(a-1) e^(c v) / M(a, c)`` of ``v = (x - low)/(t - low)`` on (0, 1]: an
exponential family in (a, c) with statistics (log v, v), so for a known ``low`` the
likelihood is concave and Newton's method with backtracking finds the maximum.
``M(a, c) = ∫_0^1 v^(a-1) e^(c v) dv`` and the moments are computed by Gauss-Legendre
quadrature in ``w = -log v`` on panels placed around the integrand's mode (closed-form
bounds on where ``e^(-a w + c (e^-w - 1))`` exceeds ``e^-40`` of its maximum; accurate to
~1e-9 from a = 1 to 1e8). An unknown ``low`` is profiled out on a grid of
``low = x_(1) - (t - x_(1)) e^η`` (η from -12 to 5), refined by parabolic steps.
``a`` is kept in [1, 1e8]: below 1 the likelihood is unbounded at ``low = x_(1)``. A
density that diverges at an unknown end (a < 1) fits no window; from n = 2000 on it is
told by its extreme order statistics instead (``inverse_exponent`` above 1.4, i.e.
a below about 0.7: J = ∞).

The window's share of J is ``J_w = (m/n) E[((a-1)/u + c/(t-low))²]`` under the fitted
model (infinite for a <= 2); its variance comes from the observed information of the fit
(delta method on log J_w) plus the binomial variance of the window's probability.

Tests
-----
*Is there an edge?* Without a given ``low``, the edge model is compared with its limit
``low → -∞`` (η = 5 on the grid), where ``(a-1) log(x - low)`` becomes a smooth quadratic
log-density: ``lrt = 2 (ℓ_max - ℓ_far)``. An edge is declared for ``lrt >= LRT_EDGE``
(``LRT_EDGE_INF`` where the fitted ``a <= 2``) with the maximum inside the grid, a window
the model fits (chi-squared goodness of fit; the window is halved otherwise) and, where
``a <= 2`` is not excluded, extreme spacings that trend like an end's
(``spacing_slope``: a Gaussian, a scale mixture or a narrow end mode can fit the
model with a small ``a`` on a window, but their extreme spacings shrink like a tail's).

*Is J finite?* ``lr2 = 2 (ℓ_max - ℓ(a = 2))`` (the constrained fit at a = 2, profiled
over low when it is unknown) is the likelihood-ratio statistic of ``a = 2``. With
``â > 2`` and ``lr2 >= LR2_CRIT`` the edge's J is declared finite; with ``â < 2`` and
``lr2 >= LR2_CRIT`` infinite; otherwise undetermined (the samples are consistent with
both). ``LR2_CRIT = 2.706`` is the one-sided 5% point of χ²₁, so a law with a = 2
exactly is declared finite in about 5% of samples; the measured error rates of the whole
rule are in ``docs/edges_1d.md``. No test can tell f(edge) = 0 from a small f(edge) > 0
below the resolution of the sample: a law with a jump of height ε at its end has J = ∞
but looks like a vanishing density until n ε (t - low) ≳ 1.

References
----------
Smith (1985), Biometrika 72, 67-90 (maximum likelihood for non-regular endpoints:
regular for a > 2).
Hall (1982), J. R. Statist. Soc. B 44, 37-42 (estimating the endpoint from the extreme
order statistics).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["EdgeFit", "fit_edge", "inverse_exponent", "window_size", "LRT_EDGE", "LR2_CRIT"]

#: an edge window holds min(WINDOW_FRACTION n, WINDOW_COEF n^WINDOW_POWER) samples ...
WINDOW_FRACTION = 0.45
WINDOW_COEF = 4.5
WINDOW_POWER = 0.7
#: ... at most this many (bounds the cost of profiling out an unknown end at large n; a
#: given end costs one pass per Newton step) and at least this many
WINDOW_MAX = 5000
WINDOW_MAX_KNOWN = 50_000
WINDOW_MIN = 5
#: edge declared when the edge model beats its smooth limit by this likelihood ratio ...
LRT_EDGE = 6.0
#: ... and by this one when the fitted exponent is a <= 2 (J = inf): a lone extreme sample
#: or a narrow mode at the end of a smooth law can mimic a small jump at weaker ratios
LRT_EDGE_INF = 12.0
#: a density diverging at an estimated end: 1/a from the order statistics k and 2k
#: (:func:`inverse_exponent`) above DIVERGE_INV_A, read from DIVERGE_MIN_N samples on
DIVERGE_K = 100
DIVERGE_MIN_N = 2000
DIVERGE_INV_A = 1.4
#: one-sided 5% point of chi-squared(1): the a = 2 test
LR2_CRIT = 2.705543454095404
#: detection of an unknown edge needs at least this many samples
MIN_SAMPLES_DETECT = 100
#: an unknown end whose a <= 2 is not excluded must show extreme spacings with a trend
#: above SPACING_TAIL (:func:`spacing_slope`: 0 for a jump, -1/2 at a = 2, about -0.9 for
#: Gaussian and scale-mixture tails), from min(max(m/4, 20), SPACINGS_MAX) spacings
SPACING_TAIL = -0.6
SPACINGS_MAX = 300
#: ... and above SPACING_JUMP to declare J = inf (a jump has trend 0, a = 1.5 -1/3; the
#: heavy-tail artefact of a = 1 at the extreme sample, with the density rising steeply
#: away from it, has about -0.55)
SPACING_JUMP = -0.45
#: the window is halved while the model's goodness of fit is below this level ...
GOF_LEVEL = 0.01
#: ... down to this many samples
GOF_MIN_WINDOW = 40

_A_MIN, _A_MAX = 1.0, 1e8
#: Newton stops when it can gain less than this mean log-likelihood per sample
_DECREMENT = 1e-10
_DROP = 40.0
_NQ = 24
_GX, _GW = np.polynomial.legendre.leggauss(_NQ)
_GX = 0.5 * (_GX + 1.0)
_GW = 0.5 * _GW
#: the profile grid over low = x_(1) - (t - x_(1)) e^eta
_ETA = np.linspace(-12.0, 5.0, 35)


def window_size(n: int, known: bool = False) -> int:
    """Number of samples in an edge window for `n` samples (`known`: the end is given).

    The window trades the variance of the fit (small windows) against the misfit of
    the two-term model where log f bends away from ``(a-1) log u + c u`` (large windows;
    Weibull and chi laws): it shrinks from 45% of the samples at n <= 1000 to 28% at
    n = 1e4 (chosen on the tuning laws of ``benchmarks/edges_1d.py``).
    """
    m = min(WINDOW_FRACTION * n, WINDOW_COEF * n**WINDOW_POWER,
            WINDOW_MAX_KNOWN if known else WINDOW_MAX)
    return int(min(max(round(m), WINDOW_MIN), n - 1))


# ------------------------------------------------------------------------ quadrature
def _panels(a: np.ndarray, c: np.ndarray) -> np.ndarray:
    """Edges (..., 5) of four Gauss-Legendre panels in w that hold the integrand
    ``e^phi``, ``phi(w) = -a w + c (e^-w - 1)``, to within ``e^-DROP`` of its maximum:
    one left of the mode ws, three right of it (at 4 and 16 local scales).

    phi is concave for c < 0 (phi'' = c e^-w) with its maximum at ws = log(-c/a) when
    c < -a; it decreases at rate >= a when c >= 0. Right of an inner mode
    ``phi(ws + r) = phi(ws) - a (r - 1 + e^-r)``, which falls by DROP for
    ``r = q + sqrt(2q)``, ``q = DROP/a``; left of it ``phi'' <= -a``.
    """
    inner = c < -a
    ws = np.where(inner, np.log(np.maximum(-c / a, 1.0)), 0.0)
    q = _DROP / a
    qc = _DROP / np.maximum(-c, 1e-300)
    slope = a + c
    r_in = q + np.sqrt(2 * q)
    r_neg = np.minimum(_DROP / np.maximum(slope, 1e-300), qc + np.sqrt(2 * qc))
    r = np.where(inner, r_in, np.where(c < 0, r_neg, q))
    ell = np.where(inner, 1.0 / np.sqrt(a),
                   1.0 / np.where(c < 0, np.maximum(slope, np.sqrt(np.maximum(-c, 1e-300))),
                                  np.maximum(slope, 1e-300)))
    w0 = np.where(inner, np.maximum(ws - np.sqrt(2 * _DROP / a), 0.0), 0.0)
    p1 = ws + np.minimum(r, 4 * ell)
    p2 = ws + np.minimum(r, 16 * ell)
    return np.stack([w0, ws, p1, p2, ws + r], axis=-1)


def _nodes(a: np.ndarray, c: np.ndarray):
    """Log-weights ``lg`` (integrand e^(c(v-1)) v^a dw included), v and w on the nodes."""
    e = _panels(a, c)
    lo, wid = e[..., :-1, None], (e[..., 1:] - e[..., :-1])[..., None]
    w = (lo + wid * _GX).reshape(e.shape[:-1] + (4 * _NQ,))
    q = (wid * _GW).reshape(w.shape)
    v = np.exp(-w)
    with np.errstate(divide="ignore"):
        lg = np.log(q) - a[..., None] * w + c[..., None] * (v - 1.0)
    return lg, v, w


def _lse(lg: np.ndarray) -> np.ndarray:
    mx = lg.max(-1, keepdims=True)
    return (mx + np.log(np.exp(lg - mx).sum(-1, keepdims=True)))[..., 0]


def log_m(a, c) -> np.ndarray:
    """``log ∫_0^1 v^(a-1) e^(c v) dv`` (a > 0), elementwise."""
    a = np.asarray(a, dtype=float)
    c = np.asarray(c, dtype=float)
    lg, _, _ = _nodes(a, c)
    return _lse(lg) + c


def _moments(a: np.ndarray, c: np.ndarray):
    """``log M``, the mean and covariance of the statistics (log v, v) under the model."""
    lg, v, w = _nodes(a, c)
    lse = _lse(lg)
    p = np.exp(lg - lse[..., None])
    e1, e2 = -(p * w).sum(-1), (p * v).sum(-1)
    d1, d2 = -w - e1[..., None], v - e2[..., None]
    return (lse + c, e1, e2, (p * d1 * d1).sum(-1), (p * d1 * d2).sum(-1),
            (p * d2 * d2).sum(-1))


def moment(a, c, p: float) -> np.ndarray:
    """``E[v^p]`` under the model; ``inf`` where ``a + p <= 0``."""
    a = np.asarray(a, dtype=float)
    c = np.asarray(c, dtype=float)
    ok = a + p > 0
    num = log_m(np.where(ok, a + p, 1.0), c)
    return np.where(ok, np.exp(num - log_m(a, c)), np.inf)


def score_square(a, c) -> np.ndarray:
    """``E[((a-1)/v + c)²]``, the mean squared score in units of v; ``inf`` for a <= 2."""
    a = np.asarray(a, dtype=float)
    c = np.asarray(c, dtype=float)
    ok = a > 2
    aa = np.where(ok, a, 3.0)
    out = (aa - 1) ** 2 * moment(aa, c, -2.0) + 2 * (aa - 1) * c * moment(aa, c, -1.0) + c * c
    return np.where(ok, out, np.inf)


# ------------------------------------------------------------------------ fits
def fit_ac(T1, T2, a_fixed=None, T3=None, iters: int = 80):
    """Maximum likelihood (a, c) from the mean statistics ``T1 = mean log v``,
    ``T2 = mean v`` (elementwise); ``a`` in [1, 1e8] or fixed. Returns ``a, c, l`` with
    ``l`` the mean log-likelihood per point (v units).

    Damped Newton steps on the concave log-likelihood: a trial point is accepted when
    it does not lower the likelihood, otherwise the step is halved. The start is the
    gamma law with the window's mean and variance (``T3 = mean v²``; ignoring the cut at
    v = 1), or the pure power law without `T3`.
    """
    T1 = np.atleast_1d(np.asarray(T1, dtype=float))
    T2 = np.atleast_1d(np.asarray(T2, dtype=float))
    if a_fixed is not None:
        a = np.full(T1.shape, float(a_fixed))
        c = np.zeros_like(a)
    else:
        a = np.clip(1.0 / np.maximum(-T1, 1e-300), _A_MIN, _A_MAX)
        c = np.zeros_like(a)
        if T3 is not None:
            var = np.maximum(np.asarray(T3, dtype=float) - T2 * T2, 1e-300)
            ag = T2 * T2 / var
            use = ag > 3.0                  # a concentrated window: far from any end
            a = np.where(use, np.clip(ag, _A_MIN, _A_MAX), a)
            c = np.where(use, -T2 / var, c)
    active = np.ones(a.shape, bool)
    lm, e1, e2, c11, c12, c22 = _moments(a, c)
    cur = (a - 1) * T1 + c * T2 - lm
    lam = np.ones_like(a)
    da = dc = np.zeros_like(a)
    for _ in range(iters):
        # Newton direction at the current point (for the elements that moved)
        g1, g2 = T1 - e1, T2 - e2
        det = c11 * c22 - c12 * c12
        if a_fixed is not None:
            only_c = np.ones(a.shape, bool)
        else:
            only_c = (((a <= _A_MIN * (1 + 1e-12)) & (g1 < 0))
                      | ((a >= _A_MAX * (1 - 1e-12)) & (g1 > 0))
                      | ~(det > 1e-14 * c11 * c22))
        sdet = np.where(only_c, 1.0, det)
        nda = np.where(only_c, 0.0, (c22 * g1 - c12 * g2) / sdet)
        ndc = np.where(only_c, g2 / np.maximum(c22, 1e-300), (-c12 * g1 + c11 * g2) / sdet)
        fresh = lam >= 1.0                # elements whose last trial was accepted
        # converged: the Newton decrement (the likelihood still to gain) is negligible
        active &= ~(fresh & (0.5 * (nda * g1 + ndc * g2) < _DECREMENT))
        if not active.any():
            break
        da, dc = np.where(fresh, nda, da), np.where(fresh, ndc, dc)
        ta = a if a_fixed is not None else np.clip(a + lam * da, _A_MIN, _A_MAX)
        tc = c + lam * dc
        tm = _moments(ta, tc)
        tl = (ta - 1) * T1 + tc * T2 - tm[0]
        good = active & (tl >= cur - 1e-12 * np.abs(cur))
        done = good & (np.abs(ta - a) <= 1e-10 * a) & (np.abs(tc - c) <= 1e-10 * (1 + np.abs(c)))
        a, c = np.where(good, ta, a), np.where(good, tc, c)
        cur = np.where(good, tl, cur)
        lm, e1, e2, c11, c12, c22 = (np.where(good, x, y) for x, y in
                                     zip(tm, (lm, e1, e2, c11, c12, c22)))
        lam = np.where(good, 1.0, 0.5 * lam)
        active &= ~done & (lam > 1e-12)
        if not active.any():
            break
    return a, c, cur


def _profile(xw: np.ndarray, t: float, lows: np.ndarray, a_fixed=None):
    """Window log-likelihood (x units, maximised over (a, c)) at each trial `low`."""
    tu = t - lows
    v = (xw[None, :] - lows[:, None]) / tu[:, None]
    a, c, ll = fit_ac(np.log(v).mean(axis=1), v.mean(axis=1), a_fixed=a_fixed,
                      T3=(v * v).mean(axis=1))
    return xw.size * (ll - np.log(tu)), a, c


def _profile_fit(xw: np.ndarray, t: float, a_fixed=None, refine_above: float = -math.inf):
    """Profile maximum over low: grid in eta, then up to three parabolic steps (only where
    the grid's likelihood ratio against the far end exceeds `refine_above`)."""
    x1 = float(xw[0])
    span = t - x1

    def low_of(eta):
        return x1 - span * np.exp(eta)

    P, A, C = _profile(xw, t, low_of(_ETA), a_fixed)
    i = int(np.argmax(P))
    best = (float(P[i]), float(A[i]), float(C[i]), float(_ETA[i]))
    if 0 < i < _ETA.size - 1 and 2 * (P[i] - P[-1]) > refine_above:
        e, f = _ETA[i - 1:i + 2].copy(), P[i - 1:i + 2].copy()
        for _ in range(3):
            den = (e[1] - e[0]) * (f[1] - f[2]) - (e[1] - e[2]) * (f[1] - f[0])
            if den == 0:
                break
            num = (e[1] - e[0]) ** 2 * (f[1] - f[2]) - (e[1] - e[2]) ** 2 * (f[1] - f[0])
            en = e[1] - 0.5 * num / den
            if not e[0] < en < e[2] or abs(en - e[1]) < 1e-4:
                break
            pn, an, cn = _profile(xw, t, np.array([low_of(en)]), a_fixed)
            if pn[0] > best[0]:
                best = (float(pn[0]), float(an[0]), float(cn[0]), float(en))
            pts = sorted(zip(list(e) + [en], list(f) + [float(pn[0])]))
            j = min(max(int(np.argmax([p[1] for p in pts])), 1), len(pts) - 2)
            e = np.array([p[0] for p in pts[j - 1:j + 2]])
            f = np.array([p[1] for p in pts[j - 1:j + 2]])
    ll, a, c, eta = best
    return ll, a, c, float(low_of(eta)), eta, float(P[-1]), i >= _ETA.size - 2


@dataclass(frozen=True)
class EdgeFit:
    """The fitted lower end of a sample (upper ends are fitted on ``-x``).

    Attributes
    ----------
    low : float
        The end (given, or the profile maximum likelihood estimate).
    a, c : float
        Exponent and linear coefficient of ``f ∝ u^(a-1) e^(c u/(t - low))``.
    t : float
        The window's upper threshold; the window holds the `m` smallest of `n` samples.
    m, n : int
    known : bool
        Whether `low` was given.
    lrt : float
        Edge versus no-edge likelihood ratio (``inf`` when `low` is given).
    lr2 : float
        Likelihood ratio of ``a = 2`` (0 when â = 2).
    is_edge : bool
        Given, or detected (``lrt >= LRT_EDGE`` and the profile maximum inside its grid).
    """

    low: float
    a: float
    c: float
    t: float
    m: int
    n: int
    known: bool
    lrt: float
    lr2: float
    is_edge: bool
    loglik: float
    spacing: float = math.nan
    diverges: bool = False

    @property
    def status(self) -> str:
        """``"finite"``, ``"infinite"`` or ``"undetermined"``: the a = 2 test, and for an
        estimated end the trend of the extreme spacings (``spacing``, see
        :func:`spacing_slope`), which must confirm an end with a <= 2; ``"infinite"`` for
        a density that diverges at the end (``diverges``, see :func:`inverse_exponent`)."""
        if self.diverges:
            return "infinite"
        if self.lr2 >= LR2_CRIT:
            if self.a > 2:
                return "finite"
            if self.known or self.spacing > SPACING_JUMP:
                return "infinite"
        return "undetermined"

    def fisher(self) -> float:
        """The window's share of J (``inf`` for a <= 2)."""
        return self.m / self.n * float(score_square(self.a, self.c)) / (self.t - self.low) ** 2

    def log_fisher_var(self, xw: np.ndarray) -> float:
        """Variance of ``log`` :meth:`fisher`: delta method with the observed information
        of the window likelihood (numerical Hessian), plus the binomial variance of the
        window's probability ``m/n``. `xw` are the window samples."""
        if not self.a > 2:
            return math.inf
        x1 = float(xw[0])
        span = self.t - x1
        if self.known:
            th0 = np.array([self.a, self.c])

            def unpack(th):
                return self.low, th[0], th[1]
        else:
            th0 = np.array([math.log((x1 - self.low) / span), self.a, self.c])

            def unpack(th):
                return x1 - span * math.exp(th[0]), th[1], th[2]

        def loglik(th):
            low, a, c = unpack(th)
            if not (a > _A_MIN and low < x1):
                return -math.inf
            tu = self.t - low
            v = (xw - low) / tu
            return xw.size * ((a - 1) * float(np.log(v).mean()) + c * float(v.mean())
                              - float(log_m(a, c)) - math.log(tu))

        def log_j(th):
            low, a, c = unpack(th)
            return math.log(float(score_square(a, c))) - 2 * math.log(self.t - low)

        k = th0.size
        step = 1e-3 * np.maximum(np.abs(th0), 0.1)
        step[-2] = min(step[-2], 0.25 * (self.a - 2))        # stay inside a > 2
        E = np.eye(k) * step
        f0 = loglik(th0)
        H = np.empty((k, k))
        for i in range(k):
            H[i, i] = (loglik(th0 + E[i]) - 2 * f0 + loglik(th0 - E[i])) / step[i] ** 2
            for j in range(i + 1, k):
                H[i, j] = H[j, i] = (loglik(th0 + E[i] + E[j]) - loglik(th0 + E[i] - E[j])
                                     - loglik(th0 - E[i] + E[j]) + loglik(th0 - E[i] - E[j])
                                     ) / (4 * step[i] * step[j])
        g = np.array([(log_j(th0 + E[i]) - log_j(th0 - E[i])) / (2 * step[i])
                      for i in range(k)])
        try:
            var = float(g @ np.linalg.solve(-H, g))
        except np.linalg.LinAlgError:
            var = math.inf
        if not (math.isfinite(var) and var >= 0):
            return math.inf
        p = self.m / self.n
        return var + (1 - p) / (self.n * p)


def gof_pvalue(xw: np.ndarray, t: float, low: float, a: float, c: float,
               n_par: int) -> float:
    """Chi-squared goodness of fit of the fitted model to the window samples `xw`:
    equal-count bins (5 to 20, about 50 samples each), expected counts from the model's
    distribution function ``F(v) = v^a M(a, c v) / M(a, c)``, ``K - 1 - n_par`` degrees
    of freedom."""
    from scipy import special

    m = xw.size
    k = int(min(max(m // 50, 5), 20))
    if m < 2 * k or k - 1 - n_par < 1:
        return 1.0
    idx = np.round(np.linspace(0, m, k + 1)).astype(int)
    inner = 0.5 * (xw[idx[1:-1] - 1] + xw[idx[1:-1]])
    v = (inner - low) / (t - low)
    F = np.exp(a * np.log(v) + log_m(np.full(v.shape, a), c * v) - float(log_m(a, c)))
    F = np.concatenate([[0.0], F, [1.0]])
    expected = m * np.maximum(np.diff(F), 1e-300)
    observed = np.diff(idx)
    x2 = float(np.sum((observed - expected) ** 2 / expected))
    return float(special.chdtrc(k - 1 - n_par, x2))


def spacing_slope(xs: np.ndarray, k: int) -> float:
    """Trend ``β`` of the ``k`` first spacings ``D_i = x_(i+1) - x_(i)`` of sorted `xs`:
    maximum likelihood for ``D_i ~ Exponential(mean C i^β)``.

    Rényi's representation gives ``x_(i) - low ∝ (i/n)^(1/a)`` near an end where
    ``f ∝ (x - low)^(a-1)``, so ``β ≈ 1/a - 1``: 0 for a jump (a = 1), -1/2 at a = 2;
    a tail without an end has ``β ≈ -1`` (exponential and Gaussian tails) or below
    (power tails). The estimate is location and scale invariant; its standard error is
    about ``1/sqrt(k)``.
    """
    d = np.diff(xs[:k + 1])
    li = np.log(np.arange(1, k + 1))
    if not np.any(d > 0):
        return 0.0
    beta = 0.0
    for _ in range(50):  # Newton on the convex profile -log-likelihood
        w = d * np.exp(-beta * li)
        s0, s1, s2 = w.sum(), (w * li).sum(), (w * li * li).sum()
        g = -k * s1 / s0 + li.sum()
        hess = k * (s2 / s0 - (s1 / s0) ** 2)
        step = g / hess if hess > 0 else math.copysign(0.5, -g)
        beta = min(max(beta - step, -4.0), 2.0)
        if abs(step) < 1e-10:
            break
    return float(beta)


def inverse_exponent(xs: np.ndarray, k: int = DIVERGE_K) -> float:
    """``1/a`` of the lower end of sorted samples `xs` from three order statistics:
    ``log2((x_(2k) - x_(1)) / (x_(k) - x_(1)))`` (F(x) ∝ (x - low)^a near the end, so
    the distance to the minimum doubles each time the rank grows by 2^(1/a) ... here by
    2). About 1 for a jump (a = 1), 2 for a density diverging like |x - end|^(-1/2),
    1/a for an end with a > 1 and less for tails without an end; its decisions on four
    diverging laws and eight controls are in ``docs/diverging_ends_1d.md``."""
    if xs.size <= 2 * k:
        return math.nan
    near, far = xs[k] - xs[0], xs[2 * k] - xs[0]
    return math.log2(far / near) if near > 0 else math.inf


def fit_edge(xs: np.ndarray, low: float | None = None, m: int | None = None) -> EdgeFit:
    """Fit the lower end of sorted samples `xs` (``low`` given or ``None``).

    The window is the ``m`` smallest samples (default :func:`window_size`), its threshold
    the midpoint between the m-th and (m+1)-th. With `low` given the fit is over (a, c);
    without, `low` is profiled out as well. Where the model does not fit the window
    (:func:`gof_pvalue` below ``GOF_LEVEL``: a second mode, or log f bending away from the
    two-term form) the window is halved and the fit repeated, down to ``GOF_MIN_WINDOW``
    samples; an unknown end that no window fits is reported as no edge.
    """
    with np.errstate(under="ignore"):     # exp of far tails: 0 is the right answer
        fit = _fit_edge(xs, low, m)
    if low is None and fit.status != "infinite" and xs.size >= DIVERGE_MIN_N:
        # a density that diverges at the end (a < 1) is outside the model (a >= 1): its
        # windows fail the goodness of fit and are halved until the edge is lost
        inv = inverse_exponent(xs)
        if inv > DIVERGE_INV_A:
            k2 = 2 * DIVERGE_K
            return EdgeFit(float(xs[0]), 1.0 / inv, 0.0, float(xs[k2]), k2, xs.size, False,
                           fit.lrt, math.inf, True, math.nan, fit.spacing, True)
    return fit


def _fit_edge(xs: np.ndarray, low: float | None, m: int | None) -> EdgeFit:
    n = xs.size
    m = window_size(n, low is not None) if m is None else m
    while True:
        fit = _fit_window(xs, low, m)
        if not fit.is_edge:
            return fit
        p = gof_pvalue(xs[:m], fit.t, fit.low, fit.a, fit.c, 2 if fit.known else 3)
        if p >= GOF_LEVEL:
            if not fit.known and fit.a <= 2 and fit.lrt < LRT_EDGE_INF:
                return _no_edge(fit)
            if not fit.known and fit.status != "finite":
                # a <= 2 not excluded: the extreme spacings must look like an end
                k = int(min(max(m // 4, 20), SPACINGS_MAX))
                beta = spacing_slope(xs, k)
                if beta <= SPACING_TAIL:
                    return _no_edge(fit)
                fit = EdgeFit(fit.low, fit.a, fit.c, fit.t, fit.m, fit.n, False, fit.lrt,
                              fit.lr2, True, fit.loglik, beta)
            return fit
        if m // 2 < GOF_MIN_WINDOW:
            return fit if fit.known else _no_edge(fit)
        m //= 2


def _no_edge(fit: EdgeFit) -> EdgeFit:
    return EdgeFit(fit.low, fit.a, fit.c, fit.t, fit.m, fit.n, False, fit.lrt, fit.lr2,
                   False, fit.loglik)


def _fit_window(xs: np.ndarray, low: float | None, m: int) -> EdgeFit:
    """:func:`fit_edge` for one window of ``m`` samples."""
    n = xs.size
    t = 0.5 * (float(xs[m - 1]) + float(xs[m]))
    xw = xs[:m]
    if low is not None:
        tu = t - low
        v = (xw - low) / tu
        T1, T2 = float(np.log(v).mean()), float(v.mean())
        a, c, ll = (float(q[0]) for q in fit_ac(T1, T2))
        _, _, ll2 = fit_ac(T1, T2, a_fixed=2.0)
        lr2 = max(0.0, 2 * m * (ll - float(ll2[0])))
        return EdgeFit(low, a, c, t, m, n, True, math.inf, lr2, True,
                       m * (ll - math.log(tu)))
    x1 = float(xw[0])
    if not math.isfinite(x1 - (t - x1) * math.exp(float(_ETA[-1]))):
        # the window spans nearly the float range (a far outlier among standardised
        # samples): the trial ends overflow, and a lone far sample is no end
        return EdgeFit(-math.inf, math.nan, math.nan, t, m, n, False, 0.0, 0.0, False,
                       math.nan)
    # the parabolic steps raise the maximum by a fraction of a nat: skip them where the
    # grid is far below the detection threshold
    ll, a, c, lo, eta, ll_far, at_far = _profile_fit(xw, t, refine_above=LRT_EDGE - 2.0)
    lrt = max(0.0, 2 * (ll - ll_far))
    is_edge = bool(lrt >= LRT_EDGE and not at_far)
    lr2 = 0.0
    if is_edge:
        ll2 = _profile_fit(xw, t, a_fixed=2.0)[0]
        lr2 = max(0.0, 2 * (ll - ll2))
    return EdgeFit(lo, a, c, t, m, n, False, lrt, lr2, is_edge, ll)
