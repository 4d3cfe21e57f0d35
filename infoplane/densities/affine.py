"""Affine image Y = A X + b of a density."""

from __future__ import annotations

import math

import numpy as np

from .._validation import check_real_array, check_scalar, check_vector
from ._base import Density

__all__ = ["Affine"]


class Affine(Density):
    r"""Density of Y = A X + b for X with density `base` and an invertible A.

    Parameters
    ----------
    base : Density
        Density of X (dimension d).
    A : float or array_like, shape (d, d)
        Invertible linear map; a scalar means a·I.
    b : float or array_like, shape (d,)
        Shift.

    Notes
    -----
    Exact change of variables: :math:`\log f_Y(y) = \log f_X(A^{-1}(y-b)) - \ln|\det A|`,
    score :math:`A^{-\top} s_X(A^{-1}(y-b))`, :math:`H(Y) = H(X) + \ln|\det A|`, Fisher
    matrix :math:`A^{-\top} J_X A^{-1}`. In 1-D, :math:`J(aX+b) = J(X)/a^2` and
    :math:`N(aX+b) = a^2 N(X)`: the Stam product N·J is invariant.

    Examples
    --------
    >>> import infoplane as ip
    >>> y = ip.Affine(ip.Laplace(0.0, 1.0), 2.0, 3.0)
    >>> ip.fisher(y).value     # 1 / 2**2
    0.25
    >>> y.mean()
    array([3.])
    """

    def __init__(self, base: Density, A: object = 1.0, b: object = 0.0) -> None:
        if not isinstance(base, Density):
            raise TypeError(f"`base` must be a Density; got {type(base).__name__}.")
        d = base.dim
        a = check_real_array("A", A, finite=False)
        if a.ndim == 0:
            s = check_scalar("A", a)
            if s == 0.0:
                raise ValueError("`A` must be invertible; got 0.0.")
            a = np.eye(d) * s
        elif a.shape != (d, d):
            raise ValueError(f"`A` must be a scalar or have shape ({d}, {d}); got {a.shape}.")
        elif not np.isfinite(a).all():
            raise ValueError(f"`A` must be finite; got {a!r}.")
        sign, logdet = np.linalg.slogdet(a)
        if sign == 0 or np.linalg.cond(a) > 1e12:
            raise ValueError(
                f"`A` must be invertible; its condition number is {np.linalg.cond(a):.3g}."
            )
        bb = check_real_array("b", b, finite=False)
        if bb.ndim == 0:
            bb = np.full(d, check_scalar("b", bb))
        self.b = check_vector("b", bb, dim=d)
        self.base = base
        self.A = a
        self._Ainv = np.linalg.inv(a)
        self._logabsdet = float(logdet)
        if d == 1:
            lo, hi = sorted((a[0, 0] * base.support[0] + self.b[0],
                             a[0, 0] * base.support[1] + self.b[0]))
            self.support = (lo, hi)

    @property
    def dim(self) -> int:
        return self.base.dim

    def _pullback(self, Y: np.ndarray) -> np.ndarray:
        return np.ascontiguousarray((Y - self.b) @ self._Ainv.T)

    def _logpdf(self, X: np.ndarray) -> np.ndarray:
        return self.base._logpdf(self._pullback(X)) - self._logabsdet

    def _score(self, X: np.ndarray) -> np.ndarray:
        return self.base._score(self._pullback(X)) @ self._Ainv

    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return self.base._sample(n, rng) @ self.A.T + self.b

    def _entropy(self) -> float | None:
        h = self.base._entropy()
        return None if h is None else h + self._logabsdet

    def _fisher_matrix(self) -> np.ndarray | None:
        m = self.base._fisher_matrix()
        if m is None:
            return None
        with np.errstate(over="ignore", invalid="ignore"):
            out = self._Ainv.T @ m @ self._Ainv
        return 0.5 * (out + out.T)

    def _log_fisher(self) -> float | None:
        if self.dim == 1:
            lj = self.base._log_fisher()
            return None if lj is None else lj - 2.0 * math.log(abs(float(self.A[0, 0])))
        return super()._log_fisher()

    def _fisher_infinite(self) -> str | None:
        return self.base._fisher_infinite()

    def _breakpoints(self) -> np.ndarray:
        return self.A[0, 0] * np.asarray(self.base._breakpoints(), dtype=float) + self.b[0]

    def mean(self) -> np.ndarray | None:
        m = self.base.mean()
        return None if m is None else self.A @ m + self.b

    def cov(self) -> np.ndarray | None:
        c = self.base.cov()
        return None if c is None else self.A @ c @ self.A.T

    def _repr_params(self) -> str:
        return f"{self.base!r}, dim={self.dim}"
