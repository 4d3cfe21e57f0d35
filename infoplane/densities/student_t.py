"""Student's t densities: univariate (location-scale) and multivariate."""

from __future__ import annotations

import numpy as np
from scipy import special

from .._validation import check_scalar
from ._base import Density
from ._locscale import LocationScale
from .gaussian import parse_mean_cov

__all__ = ["StudentT", "MultivariateStudentT"]


def _t_entropy_shape(nu: float, d: int) -> float:
    """Entropy of the standard d-variate t with identity shape matrix."""
    a = 0.5 * (nu + d)
    return float(
        -special.gammaln(a) + special.gammaln(0.5 * nu) + 0.5 * d * np.log(nu * np.pi)
        + a * (special.digamma(a) - special.digamma(0.5 * nu))
    )


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

    Examples
    --------
    >>> import infoplane as ip
    >>> ip.fisher(ip.StudentT(5.0, 0.0, 1.0)).value   # 6/8
    0.75
    """

    def __init__(self, df, loc=0.0, scale=1.0):
        self.df = check_scalar("df", df, positive=True)
        super().__init__(loc, scale)

    def _std_logpdf(self, z):
        nu = self.df
        c = special.gammaln(0.5 * (nu + 1)) - special.gammaln(0.5 * nu) - 0.5 * np.log(nu * np.pi)
        return c - 0.5 * (nu + 1) * np.log1p(z * z / nu)

    def _std_score(self, z):
        return -(self.df + 1.0) * z / (self.df + z * z)

    def _std_sample(self, n, rng):
        return rng.standard_t(self.df, size=n)

    def _std_entropy(self):
        return _t_entropy_shape(self.df, 1)

    def _std_fisher(self):
        return (self.df + 1.0) / (self.df + 3.0)

    def _std_mean(self):
        return 0.0 if self.df > 1 else None

    def _std_var(self):
        return self.df / (self.df - 2.0) if self.df > 2 else None

    def _std_breakpoints(self):
        # quantile landmarks: heavy tails for small df need far-out cut points
        q = special.stdtrit(
            self.df, np.array([1e-6, 1e-3, 0.02, 0.2, 0.5, 0.8, 0.98, 0.999, 1 - 1e-6])
        )
        return np.concatenate([q, [0.0]])

    def _shape_repr(self):
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

    def __init__(self, df, loc=0.0, shape=1.0):
        self.df = check_scalar("df", df, positive=True)
        self._loc, self._shape, self._d = parse_mean_cov(loc, shape, "loc", "shape")
        self._chol = np.linalg.cholesky(self._shape)
        self._logdet = 2.0 * float(np.sum(np.log(np.diag(self._chol))))
        prec = np.linalg.inv(self._shape)
        self._prec = 0.5 * (prec + prec.T)
        nu, d = self.df, self._d
        self._lognorm = float(
            special.gammaln(0.5 * (nu + d)) - special.gammaln(0.5 * nu)
            - 0.5 * d * np.log(nu * np.pi) - 0.5 * self._logdet
        )

    @property
    def dim(self):
        return self._d

    def _maha(self, X):
        from scipy import linalg

        W = linalg.solve_triangular(self._chol, (X - self._loc).T, lower=True)
        return np.sum(W * W, axis=0)

    def _logpdf(self, X):
        return self._lognorm - 0.5 * (self.df + self._d) * np.log1p(self._maha(X) / self.df)

    def _score(self, X):
        q = self._maha(X)
        return -((self.df + self._d) / (self.df + q))[:, None] * ((X - self._loc) @ self._prec)

    def _sample(self, n, rng):
        z = rng.standard_normal((n, self._d)) @ self._chol.T
        w = np.sqrt(rng.chisquare(self.df, size=n) / self.df)
        return self._loc + z / w[:, None]

    def _entropy(self):
        return _t_entropy_shape(self.df, self._d) + 0.5 * self._logdet

    def _fisher_matrix(self):
        nu, d = self.df, self._d
        return (nu + d) / (nu + d + 2.0) * self._prec

    def _breakpoints(self):
        s = np.sqrt(self._shape[0, 0])
        return self._loc[0] + s * StudentT(self.df)._std_breakpoints()

    def mean(self):
        return self._loc.copy() if self.df > 1 else None

    def cov(self):
        return self.df / (self.df - 2.0) * self._shape if self.df > 2 else None

    def _repr_params(self):
        return f"df={self.df:g}, dim={self._d}"
