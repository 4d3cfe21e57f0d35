r"""Skewed laws in whitened coordinates: a rotation to skewed independent directions and
a sinh-arcsinh map of each, which makes a skewed law closer to a standard Gaussian.

Used by :mod:`.kde_score_fisher` before its KDE (as :class:`._elliptic.RadialMap` is for
t-like tails): a global-bandwidth KDE with Gaussian deconvolution is exact for Gaussian
laws, and its smoothing bias grows with the distance from one; a skewed law's bias is
several standard errors (a rotated Gumbel: -7 % at d = 2, -16 % at d = 5, n = 1e4).

The map ``z = T(R y)`` is

1. a linear map ``R`` to the directions of largest skewness: the rows are whitened by
   their sample covariance ``C`` (a no-op where the caller whitened by it; not where it
   used a robust scatter), then rotated by the symmetric fixed-point ICA with the contrast
   ``G(u) = u³/3`` (Hyvärinen & Oja 2000), which for white data iterates
   ``W ← E[(W y)² yᵀ]`` followed by ``W ← (W Wᵀ)^(-1/2) W``; ``R = W C^(-1/2)``;
2. per direction the sinh-arcsinh map ``z = sinh(δ asinh((w - a)/b) - ε)`` (Jones &
   Pewsey 2009), whose four parameters maximise the Gaussian likelihood of ``z`` plus
   the log-Jacobian (a smooth bijection for any parameters, so the estimate stays
   consistent whatever the law; ``ε`` removes skewness, ``δ`` adjusts the tails).

The chain-rule terms returned by :meth:`SkewMap.chain_terms` are in closed form.

References
----------
Hyvärinen & Oja (2000), Neural Networks 13, 411-430 (FastICA).
Jones & Pewsey (2009), Biometrika 96, 761-780 (sinh-arcsinh transformations).
"""

from __future__ import annotations

import math

import numpy as np
from scipy import optimize

from ._elliptic import SKEW_Z

__all__ = ["SkewMap", "fit_skew_map", "finite_map", "wanted", "FIT_ROWS", "SHORT_MAX",
           "NU_MIN"]

#: the map is used for skewed data whose tail shortfall (``_elliptic.short_tails``) is at
#: most this: separated modes give short tails, and the map (made for unimodal skewed
#: laws) made a three-component mixture's Fisher estimates noisier. Tuning seeds
#: 3000..3009 (``python benchmarks/skewed_nd.py --gate``): rotated Gumbel at most 1.5
#: (d = 2, 5; n = 1e3, 1e4), the two- and three-component mixtures at least 5.0
SHORT_MAX = 3.0
#: nor where the radii fit a t with fewer degrees of freedom than this (Cauchy-like tails,
#: infinite variance): there the skewness test, calibrated on finite-variance laws, fires
#: on symmetric data (``--gate``: an elliptical t₁ and a product of Cauchys reach
#: √n·|Kelley| up to 7.7 > ``SKEW_Z``, with ν̂ = 0.9-1.1), and the covariance the map
#: rests on does not exist
NU_MIN = 2.0
#: the rotation and the per-direction fits use every (n // FIT_ROWS)-th row (all of them
#: below 2·FIT_ROWS rows, FIT_ROWS to 2·FIT_ROWS - 1 rows above)
FIT_ROWS = 20_000
#: seed of the starting rotation (results depend on the data only)
_ICA_SEED = 0xF15E + 3
_ICA_ITER = 200
_ICA_TOL = 1e-8
#: the fitted tail parameter δ is kept within [1/_DELTA_MAX, _DELTA_MAX]
_DELTA_MAX = 4.0


def _orthogonalise(W: np.ndarray) -> np.ndarray:
    """``(W Wᵀ)^(-1/2) W``: the orthogonal matrix nearest to `W`."""
    U, _, Vt = np.linalg.svd(W)
    return U @ Vt


def skew_rotation(Y: np.ndarray) -> np.ndarray:
    """Orthogonal ``R`` whose rows are the directions of the white rows `Y` with the
    largest third moments (symmetric fixed-point ICA, contrast u³/3); each row's sign
    makes the third moment along it non-negative."""
    n, d = Y.shape
    W = _orthogonalise(np.random.default_rng(_ICA_SEED).standard_normal((d, d)))
    for _ in range(_ICA_ITER):
        P = Y @ W.T
        Wn = _orthogonalise((P * P).T @ Y / n)
        done = float(np.max(np.abs(np.abs(np.einsum("ij,ij->i", Wn, W)) - 1.0))) < _ICA_TOL
        W = Wn
        if done:
            break
    third = np.mean((Y @ W.T) ** 3, axis=0)
    return W * np.where(third < 0, -1.0, 1.0)[:, None]


class _SinhArcsinh:
    """``z = sinh(δ asinh((w - a)/b) - ε)`` and its derivatives, vectorised over
    directions (parameters are arrays of length d)."""

    def __init__(self, a, b, delta, eps):
        self.a, self.b, self.delta, self.eps = (np.asarray(v, dtype=float)
                                                for v in (a, b, delta, eps))

    def _parts(self, w):
        u = (w - self.a) / self.b
        theta = self.delta * np.arcsinh(u) - self.eps
        return u, theta

    def __call__(self, w):
        return np.sinh(self._parts(w)[1])

    def derivatives(self, w):
        """``T'``, ``T''`` and ``(log T')''`` at `w` (per direction)."""
        u, theta = self._parts(w)
        q = 1.0 + u * u
        sq = np.sqrt(q)
        dl, b = self.delta, self.b
        t1 = dl * np.cosh(theta) / (sq * b)
        th = np.tanh(theta)
        l1 = (th * dl / sq - u / q) / b                        # (log T')'
        l2 = ((1.0 - th * th) * dl * dl / q - th * dl * u / (q * sq)
              - (1.0 - u * u) / (q * q)) / (b * b)             # (log T')''
        return t1, t1 * l1, l2


def _fit_direction(w: np.ndarray) -> tuple[float, float, float, float]:
    """Maximum-likelihood sinh-arcsinh parameters ``(a, b, δ, ε)`` making ``T(w)``
    standard Gaussian (L-BFGS-B with the analytic gradient, in ``(a, log b, log δ, ε)``)."""
    med = float(np.median(w))
    q25, q75 = np.quantile(w, [0.25, 0.75])
    s0 = max(float(q75 - q25) / 1.349, 1e-12)
    N = w.size

    def nll(p):
        a, lb, ld, eps = p
        b, dl = math.exp(lb), math.exp(ld)
        u = (w - a) / b
        ash = np.arcsinh(u)
        theta = dl * ash - eps
        z = np.sinh(theta)
        q = 1.0 + u * u
        # -log f_N(z) - log T'(w), up to constants, and its gradient
        val = float((0.5 * z * z - np.logaddexp(theta, -theta) + 0.5 * np.log(q)).sum()
                    + N * (lb - ld))
        g_th = z * np.cosh(theta) - np.tanh(theta)
        g_u = g_th * dl / np.sqrt(q) + u / q
        grad = np.array([-g_u.sum() / b, -(g_u * u).sum() + N,
                         (g_th * ash).sum() * dl - N, -g_th.sum()])
        return val, grad

    lim = math.log(_DELTA_MAX)
    res = optimize.minimize(nll, [med, math.log(s0), 0.0, 0.0], jac=True, method="L-BFGS-B",
                            bounds=[(None, None), (math.log(s0) - 30.0, math.log(s0) + 30.0),
                                    (-lim, lim), (-20.0, 20.0)])
    a, lb, ld, eps = res.x
    return float(a), math.exp(lb), math.exp(ld), float(eps)


class SkewMap:
    """``z = T(R y)``: the linear map `R` (a rotation after whitening) then a
    sinh-arcsinh map per direction."""

    def __init__(self, R: np.ndarray, sas: _SinhArcsinh):
        self.R, self.sas = R, sas

    def apply(self, Y: np.ndarray) -> np.ndarray:
        return self.sas(Y @ self.R.T)

    def log_jacobian(self, Y: np.ndarray) -> np.ndarray:
        """``log|det ∂z/∂y| = Σ_k log T_k'((R y)_k) + log|det R|`` per row."""
        return (np.log(self.sas.derivatives(Y @ self.R.T)[0]).sum(axis=1)
                + float(np.linalg.slogdet(self.R)[1]))

    def chain_terms(self, Yq: np.ndarray) -> dict:
        """Per-query ``D = ∂z/∂y`` (m, d, d), ``∇² log det D`` (m, d, d) and the pieces of
        ``Σ_k s_k ∇²z_k = Rᵀ diag(s ⊙ T'') R`` (``t2``: T'' per direction, ``R``); the
        formulas hold for any invertible `R`."""
        m, d = Yq.shape
        t1, t2, l2 = self.sas.derivatives(Yq @ self.R.T)
        R = self.R
        return {"D": t1[:, :, None] * R[None], "HL": np.einsum("ka,qk,kb->qab", R, l2, R),
                "t2": t2, "R": np.broadcast_to(R, (m, d, d))}


def wanted(skew_z: float, shortfall: float, nu: float) -> bool:
    """Whether to map: √n times the largest |Kelley skewness| (``_elliptic.shape_checks``)
    above ``SKEW_Z``, a tail shortfall of at most ``SHORT_MAX``, and radii whose fitted t
    has ``nu`` >= ``NU_MIN`` degrees of freedom (``_elliptic.fit_radial_t``)."""
    return skew_z > SKEW_Z and shortfall <= SHORT_MAX and nu >= NU_MIN


def fit_skew_map(Y: np.ndarray) -> SkewMap:
    """The :class:`SkewMap` of the whitened rows `Y` (every ``n // FIT_ROWS``-th row is
    used). The rows are whitened again by their sample covariance before the rotation
    (the d-D Fisher whitens heavy-tailed data by a robust scatter, under which independent
    directions are not orthogonal), so ``R`` of the map is that rotation times
    ``C^(-1/2)``."""
    Ys = Y[:: max(1, Y.shape[0] // FIT_ROWS)]
    C = np.cov(Ys, rowvar=False).reshape(Y.shape[1], Y.shape[1])
    ev, V = np.linalg.eigh(C)
    C_isqrt = (V / np.sqrt(np.maximum(ev, 1e-300 * ev.max()))) @ V.T
    R = skew_rotation((Ys - Ys.mean(axis=0)) @ C_isqrt) @ C_isqrt
    W = Ys @ R.T
    params = np.array([_fit_direction(W[:, k]) for k in range(Y.shape[1])])
    return SkewMap(R, _SinhArcsinh(*params.T))


def finite_map(Y: np.ndarray) -> tuple[SkewMap, np.ndarray, np.ndarray] | None:
    """``(map, Z, log|det ∂Z/∂Y| per row)`` of :func:`fit_skew_map` on the rows `Y`, or
    ``None`` where the mapped rows or the log-Jacobian are not finite (an overflow, not met
    on real data: the caller then estimates without the map)."""
    mp = fit_skew_map(Y)
    Z, jac = mp.apply(Y), mp.log_jacobian(Y)
    if not (np.all(np.isfinite(Z)) and np.all(np.isfinite(jac))):
        return None
    return mp, Z, jac
