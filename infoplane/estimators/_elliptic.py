"""Elliptical (t-like) laws in whitened coordinates: the radial t fit, the radial map
that makes an elliptical t standard Gaussian, and checks of symmetry and of short tails.

Shared by the d-D estimators (:mod:`.kde_score_fisher` maps t-like tails before its KDE,
:mod:`.knn_entropy` before its kNN distances); whitening is theirs.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize, special, stats

__all__ = ["NU_MAX", "FIT_ROWS", "SKEW_Z", "TAIL_Z", "fit_radial_t", "RadialMap", "skewness",
           "short_tails", "shape_checks", "symmetric"]

#: the radial map is used when the fitted degrees of freedom are below this
NU_MAX = 40.0
#: radii used by the t fit (an evenly strided subsample)
FIT_ROWS = 20_000
#: warn of an unremoved smoothing bias when √n times the largest |Kelley skewness| over
#: the directions of :func:`skewness` exceeds this (symmetric laws: at most 5.0 in 40
#: tuning seeds at n = 1e3 and 1e4, d = 2-10, Gaussian and t; the skewed and
#: multimodal benchmark laws: 10-38 at n = 1e4, 2.6-13 at 1e3)
SKEW_Z = 6.0
#: warn of an unremoved smoothing bias when √n times the largest shortfall of the tail
#: ratio ``(q₉₇.₅ - q₂.₅)/(q₇₅ - q₂₅)`` below the Gaussian's (2.906), over the directions
#: of :func:`skewness`, exceeds this many standard deviations of √n times that ratio for
#: Gaussian samples (3.85): shorter tails than a Gaussian's, as a bounded support or
#: separated modes give. Tuning (seeds 0..199, not those of the benchmarks): Gaussian and
#: t₅ samples reached at most 4.0 (d = 2, 5, 10; n = 10³, 10⁴, 10⁵); a Beta(3, 3) column
#: 10-12 at n = 10⁴ (3.4 at 10³), Beta(5, 5) 6.6, a two-component mixture 21
TAIL_Z = 5.0
#: √n times the tail ratio of Gaussian samples: its mean and standard deviation
_TAIL_RATIO_GAUSS = 2.905847
_TAIL_RATIO_SD = 3.85
#: seed of the fixed projection directions of :func:`skewness` (0xF15E + 2, the value
#: it had as an offset of the d-D Fisher's query seed)
_DIRS_SEED = 0xF15E + 2


def fit_radial_t(r2: np.ndarray, d: int) -> tuple[float, float]:
    """Maximum-likelihood ``(s², ν)`` of ``r²/(s² d) ~ F(d, ν)`` (radii of a d-D t law)."""
    r2 = r2[:: max(1, r2.size // FIT_ROWS)]
    r2 = r2[r2 > 0]
    lr = np.log(r2)

    N = r2.size
    slr = float(lr.sum())
    a = 0.5 * d

    def nll(p):
        # -Σ log f_F(r²/(s² d); d, ν) + N log s², the F log-density written out
        if not (-700.0 < p[0] < 700.0 and -5.0 < p[1] < 30.0):
            return math.inf
        ls2, nu = p[0], math.exp(p[1])
        b = 0.5 * nu
        ll = (N * (a * math.log(d / nu) - special.betaln(a, b))
              + (a - 1.0) * (slr - N * (ls2 + math.log(d)))
              - (a + b) * float(np.sum(np.log1p(r2 * (math.exp(-ls2) / nu)))))
        return -ll + N * ls2

    s0 = float(np.exp(np.median(lr))) / d
    fits = [optimize.minimize(nll, [math.log(s0), math.log(nu0)], method="Nelder-Mead",
                              options={"xatol": 1e-4, "fatol": 1e-6, "maxiter": 1000})
            for nu0 in (4.0, 30.0)]
    best = min(fits, key=lambda res: res.fun)
    return math.exp(best.x[0]), math.exp(best.x[1])


class RadialMap:
    """``z = g(r) y / r`` with ``g(r)² = F_{χ²_d}⁻¹(F_{F(d,ν)}(r²/(s² d)))``.

    Maps an elliptical t with ν degrees of freedom and scatter ``s² I`` to N(0, I).
    :meth:`parts` returns ``g``, ``g'`` and ``(log g')'`` in closed form.
    """

    def __init__(self, d: int, s2: float, nu: float):
        self.d, self.s2, self.nu = d, s2, nu

    def parts(self, r):
        d, s2, nu = self.d, self.s2, self.nu
        t = r * r / (s2 * d)
        lcdf = stats.f.logcdf(t, d, nu)
        lsf = stats.f.logsf(t, d, nu)
        lower = lcdf < math.log(0.5)
        g2 = np.where(lower,
                      stats.chi2.ppf(np.exp(np.maximum(lcdf, -745.0)), d),
                      stats.chi2.isf(np.exp(np.maximum(lsf, -745.0)), d))
        g2 = np.maximum(g2, 1e-300)
        g = np.sqrt(g2)
        # log g' = log f_F(t) + log r - log(s² d) - log g - log f_χ²(g²)
        lgp = (stats.f.logpdf(t, d, nu) + np.log(r) - math.log(s2 * d) - np.log(g)
               - stats.chi2.logpdf(g2, d))
        gp = np.exp(lgp)
        # (log g')' by the chain rule of each log-density
        dlf = (0.5 * d - 1.0) / t - 0.5 * (d + nu) * (d / nu) / (1.0 + d * t / nu)
        dlc = (0.5 * d - 1.0) / g2 - 0.5
        l1 = dlf * (2.0 * r / (s2 * d)) + 1.0 / r - gp / g - dlc * 2.0 * g * gp
        return g, gp, l1

    def log_jacobian(self, r):
        """``g(r)`` and ``ψ(r) = log|det ∂z/∂y| = log g' + (d-1) log(g/r)`` at radii `r`
        (``-inf`` where ``g'`` underflows)."""
        g, gp, _ = self.parts(r)
        with np.errstate(divide="ignore", invalid="ignore"):
            return g, np.log(gp) + (self.d - 1) * np.log(g / r)

    def psi1(self, r):
        """d/dr of ``ψ(r) = log|det ∂z/∂y| = log g' + (d-1) log(g/r)``."""
        g, gp, l1 = self.parts(r)
        return l1 + (self.d - 1) * (gp / g - 1.0 / r)

    def apply(self, Y: np.ndarray) -> np.ndarray:
        r = np.maximum(np.sqrt(np.einsum("ij,ij->i", Y, Y)), 1e-300)
        g, _, _ = self.parts(r)
        return Y * (g / r)[:, None]

    def chain_terms(self, Yq: np.ndarray):
        """Per-query ``D`` (m, d, d), the coefficients of ``Σ_k s_k ∇²T_k`` and
        ``∇² log det D`` (m, d, d) at the queries ``Yq``."""
        m, d = Yq.shape
        r = np.maximum(np.sqrt(np.einsum("ij,ij->i", Yq, Yq)), 1e-300)
        g, gp, l1 = self.parts(r)
        gpp = gp * l1
        phi = g / r
        phi1 = (gp - phi) / r
        phi2 = (gpp - 2.0 * phi1) / r
        yh = Yq / r[:, None]
        P = np.einsum("qa,qb->qab", yh, yh)
        eye = np.eye(d)[None]
        D = gp[:, None, None] * P + phi[:, None, None] * (eye - P)
        eps = 1e-5 * r
        p1 = self.psi1(r)
        p2 = (self.psi1(r + eps) - self.psi1(r - eps)) / (2.0 * eps)
        HL = p2[:, None, None] * P + (p1 / r)[:, None, None] * (eye - P)
        return {"D": D, "y": Yq, "c1": phi1 / r, "c2": phi2 / r**2 - phi1 / r**3, "HL": HL}


def _projection_quantiles(Y: np.ndarray, probs) -> tuple[np.ndarray, int]:
    """Quantiles `probs` of the projections of the whitened rows `Y` (at most
    ``FIT_ROWS`` evenly strided rows) on the coordinate axes and ``8d`` fixed random
    directions, and the number of rows used."""
    n, d = Y.shape
    Y = Y[:: max(1, n // FIT_ROWS)]
    dirs = np.vstack([np.eye(d), np.random.default_rng(_DIRS_SEED).standard_normal((8 * d, d))])
    dirs /= np.linalg.norm(dirs, axis=1)[:, None]
    return np.quantile(Y @ dirs.T, probs, axis=0), Y.shape[0]


def _skew(q: np.ndarray) -> float:
    """Largest |Kelley skewness| from the quantiles 0.1, 0.5, 0.9 (rows of `q`)."""
    k = (q[2] + q[0] - 2.0 * q[1]) / np.maximum(q[2] - q[0], 1e-300)
    return float(np.abs(k).max())


def _short(q: np.ndarray, rows: int) -> tuple[float, float]:
    """Smallest tail ratio from the quantiles 0.025, 0.25, 0.75, 0.975 (rows of `q`) and
    its shortfall below a Gaussian's in sampling standard deviations."""
    t = (q[3] - q[0]) / np.maximum(q[2] - q[1], 1e-300)
    low = float(t.min())
    return low, math.sqrt(rows) * (_TAIL_RATIO_GAUSS - low) / _TAIL_RATIO_SD


def skewness(Y: np.ndarray) -> tuple[float, int]:
    """Largest |Kelley skewness| ``(q₉₀ + q₁₀ - 2q₅₀)/(q₉₀ - q₁₀)`` of the projections of
    the whitened rows `Y` on the coordinate axes and ``8d`` fixed random directions
    (at most ``FIT_ROWS`` evenly strided rows); returns it and the number of rows used."""
    q, rows = _projection_quantiles(Y, [0.1, 0.5, 0.9])
    return _skew(q), rows


def shape_checks(Y: np.ndarray) -> tuple[float, float, float, int]:
    """:func:`skewness` and :func:`short_tails` from one pass over the projections:
    ``(skewness, tail ratio, shortfall, rows used)``."""
    q, rows = _projection_quantiles(Y, [0.1, 0.5, 0.9, 0.025, 0.25, 0.75, 0.975])
    return (_skew(q[:3]), *_short(q[3:], rows), rows)


def short_tails(Y: np.ndarray) -> tuple[float, float]:
    """Whether the whitened rows `Y` have shorter tails than a Gaussian along some
    direction of :func:`skewness`: the smallest tail ratio ``(q₉₇.₅ - q₂.₅)/(q₇₅ - q₂₅)``
    (a Gaussian's is 2.906, a uniform's 1.9) and its shortfall in standard deviations of
    the Gaussian's sampling spread (above ``TAIL_Z``: short tails).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> Y = np.c_[rng.standard_normal(10_000), rng.standard_normal(10_000)]
    >>> short_tails(Y)[1] < TAIL_Z
    True
    >>> B = rng.beta(3.0, 3.0, 10_000)
    >>> Y[:, 0] = (B - B.mean()) / B.std()          # a bounded coordinate
    >>> short_tails(Y)[1] > TAIL_Z
    True
    """
    q, rows = _projection_quantiles(Y, [0.025, 0.25, 0.75, 0.975])
    return _short(q, rows)


def symmetric(Y: np.ndarray) -> bool:
    """Whether the whitened rows `Y` show no measurable asymmetry: √n times the largest
    |Kelley skewness| of :func:`skewness` is at most ``SKEW_Z``."""
    sk, rows = skewness(Y)
    return math.sqrt(rows) * sk <= SKEW_Z
