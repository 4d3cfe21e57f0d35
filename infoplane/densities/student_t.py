"""Student's t densities: univariate (location-scale) and multivariate."""

from __future__ import annotations

import math

import numpy as np
from scipy import linalg, special

from .._validation import check_scalar
from ._base import Density
from ._locscale import LocationScale
from ._special import lgamma_diff, t_entropy
from .gaussian import log_trace_inverse, parse_mean_cov

__all__ = ["StudentT", "MultivariateStudentT"]


def _t_lognorm(nu: float, d: int) -> float:
    """ln Γ((ν+d)/2) − ln Γ(ν/2) − (d/2) ln(νπ), accurate for any ν > 0."""
    return lgamma_diff(0.5 * nu, 0.5 * d) - 0.5 * d * math.log(nu * math.pi)


class StudentT(LocationScale):
    r"""Student's t density with `df` degrees of freedom, location and scale.

    Parameters
    ----------
    df : float
        Degrees of freedom ν > 0 (ν = 1 is the Cauchy density; ν → ∞ the Gaussian).
    loc, scale : float
        Location and scale σ > 0.

    Notes
    -----
    Score :math:`-(\nu+1) z / (\sigma(\nu + z^2))`, :math:`z = (x-\mathrm{loc})/\sigma`.
    Closed forms (Lange, Little & Taylor 1989):
    :math:`J = (\nu+1)/((\nu+3)\sigma^2)` and
    :math:`H = \tfrac{\nu+1}{2}[\psi(\tfrac{\nu+1}{2}) - \psi(\tfrac{\nu}{2})]
    + \ln(\sqrt{\nu} B(\tfrac{\nu}{2}, \tfrac12)) + \ln\sigma`.
    The mean exists for ν > 1 and the variance ν σ²/(ν-2) for ν > 2.
    The Γ and ψ terms of H and of the normalising constant are combined through the
    remainders of Stirling's series (:mod:`infoplane.densities._special`), so both stay
    accurate up to the Gaussian limit (ν ~ 1e15 and beyond), where N·J → 1 from above.

    Examples
    --------
    >>> import infoplane as ip
    >>> ip.fisher(ip.StudentT(5.0, 0.0, 1.0)).value   # 6/8
    0.75
    """

    def __init__(self, df: float, loc: float = 0.0, scale: float = 1.0) -> None:
        self.df = check_scalar("df", df, positive=True)
        super().__init__(loc, scale)
        self._lognorm = _t_lognorm(self.df, 1)

    def _std_logpdf(self, z: np.ndarray) -> np.ndarray:
        nu = self.df
        return self._lognorm - 0.5 * (nu + 1) * np.log1p(z * z / nu)

    def _std_score(self, z: np.ndarray) -> np.ndarray:
        return -(self.df + 1.0) * z / (self.df + z * z)

    def _std_sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return rng.standard_t(self.df, size=n)

    def _std_entropy(self) -> float:
        return t_entropy(self.df, 1)

    def _std_fisher(self) -> float:
        return (self.df + 1.0) / (self.df + 3.0)

    def _std_mean(self) -> float | None:
        return 0.0 if self.df > 1 else None

    def _std_var(self) -> float | None:
        return self.df / (self.df - 2.0) if self.df > 2 else None

    def _std_breakpoints(self) -> np.ndarray:
        # quantile landmarks: heavy tails for small df need far-out cut points
        q = special.stdtrit(
            self.df, np.array([1e-6, 1e-3, 0.02, 0.2, 0.5, 0.8, 0.98, 0.999, 1 - 1e-6])
        )
        return np.concatenate([q, [0.0]])

    def _shape_repr(self) -> str:
        return f"df={self.df:g}, "


class MultivariateStudentT(Density):
    r"""Multivariate Student's t density with `df` degrees of freedom.

    .. math:: f(x) \propto \left(1 + (x-\mu)^\top \Sigma^{-1} (x-\mu)/\nu\right)^{-(\nu+d)/2}

    Parameters
    ----------
    df : float
        Degrees of freedom ν > 0.
    loc : float or array_like, shape (d,)
        Location μ.
    shape : float or array_like, shape (d,) or (d, d)
        Shape (scatter) matrix Σ, given like :class:`Gaussian`'s `cov`: a scalar (isotropic),
        a vector (diagonal) or a symmetric positive-definite matrix. The covariance is
        ν Σ / (ν - 2) for ν > 2.

    Notes
    -----
    Score :math:`-(\nu+d)\,\Sigma^{-1}(x-\mu) / (\nu + (x-\mu)^\top\Sigma^{-1}(x-\mu))`.
    Fisher matrix of the location (Lange, Little & Taylor 1989):
    :math:`\frac{\nu+d}{\nu+d+2}\Sigma^{-1}`. Entropy (Kotz & Nadarajah 2004, ch. 1):
    :math:`H = \ln\frac{\Gamma(\nu/2)(\nu\pi)^{d/2}}{\Gamma((\nu+d)/2)} + \tfrac12\ln\det\Sigma
    + \tfrac{\nu+d}{2}[\psi(\tfrac{\nu+d}{2}) - \psi(\tfrac{\nu}{2})]`.

    Examples
    --------
    >>> import infoplane as ip
    >>> t = ip.MultivariateStudentT(4.0, [0.0, 0.0], 1.0)
    >>> ip.fisher(t).value     # 2 * (4+2)/(4+4)
    1.5
    """

    def __init__(self, df: float, loc: object = 0.0, shape: object = 1.0) -> None:
        self.df = check_scalar("df", df, positive=True)
        self._loc, self._shape, self._d = parse_mean_cov(loc, shape, "loc", "shape")
        self._chol = linalg.cholesky(self._shape, lower=True)
        self._logdet = 2.0 * float(np.sum(np.log(np.diag(self._chol))))
        with np.errstate(over="ignore"):
            prec = linalg.cho_solve((self._chol, True), np.eye(self._d))
        self._prec = 0.5 * (prec + prec.T)
        self._lognorm = _t_lognorm(self.df, self._d) - 0.5 * self._logdet

    @property
    def dim(self) -> int:
        return self._d

    def _maha(self, X: np.ndarray) -> np.ndarray:
        W = linalg.solve_triangular(self._chol, (X - self._loc).T, lower=True)
        return np.sum(W * W, axis=0)

    def _logpdf(self, X: np.ndarray) -> np.ndarray:
        return self._lognorm - 0.5 * (self.df + self._d) * np.log1p(self._maha(X) / self.df)

    def _score(self, X: np.ndarray) -> np.ndarray:
        q = self._maha(X)
        return -((self.df + self._d) / (self.df + q))[:, None] * ((X - self._loc) @ self._prec)

    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        z = rng.standard_normal((n, self._d)) @ self._chol.T
        w = np.sqrt(rng.chisquare(self.df, size=n) / self.df)
        return self._loc + z / w[:, None]

    def _entropy(self) -> float:
        return t_entropy(self.df, self._d) + 0.5 * self._logdet

    def _fisher_matrix(self) -> np.ndarray:
        nu, d = self.df, self._d
        return (nu + d) / (nu + d + 2.0) * self._prec

    def _log_fisher(self) -> float:
        nu, d = self.df, self._d
        return -math.log1p(2.0 / (nu + d)) + log_trace_inverse(self._shape)

    def _breakpoints(self) -> np.ndarray:
        s = np.sqrt(self._shape[0, 0])
        return self._loc[0] + s * StudentT(self.df)._std_breakpoints()

    def mean(self) -> np.ndarray | None:
        return self._loc.copy() if self.df > 1 else None

    def cov(self) -> np.ndarray | None:
        return self.df / (self.df - 2.0) * self._shape if self.df > 2 else None

    def _repr_params(self) -> str:
        return f"df={self.df:g}, dim={self._d}"
