"""The :class:`Density` interface: log-density, score, sampling and closed-form hooks."""

from __future__ import annotations

import abc
import contextlib
import math
from typing import Callable, Sequence

import numpy as np

from .._validation import check_int, check_real_array, check_rng

#: Probabilities whose quantiles split the quadrature range of a skewed bounded density
#: (tails, shoulders and centre); subclasses map them through their inverse CDF.
BREAKPOINT_QUANTILES = np.array([1e-9, 1e-4, 0.01, 0.2, 0.5, 0.8, 0.99, 0.9999, 1 - 1e-9])

__all__ = ["Density", "register_product"]

#: Builds the product density of independent components; set by :mod:`.product` when it
#: is imported (always, via the package ``__init__``) so that this module imports nothing
#: from its subclasses.
_PRODUCT_FACTORY: list[Callable[[Sequence["Density"]], "Density"]] = []


def register_product(factory: Callable[[Sequence["Density"]], "Density"]) -> None:
    """Register the constructor that ``f * g`` calls (the :class:`Product` class)."""
    _PRODUCT_FACTORY[:] = [factory]


class Density(abc.ABC):
    """A probability density on R^d with an exact log-density and score.

    Subclasses implement the private hooks on canonical arrays of shape ``(n, d)``:

    ``_logpdf(X) -> (n,)``, ``_score(X) -> (n, d)``, ``_sample(n, rng) -> (n, d)``

    and may provide ``_logpdf_score(X)`` (both at once, when they share work),
    ``_evaluation()`` (a context the estimators hold once around all evaluations of one
    estimate), and closed forms through ``_entropy()``, ``_fisher_matrix()`` (or just
    ``_fisher()``), ``_log_fisher()`` (ln J, for densities whose J can over- or underflow
    float64 while ln J cannot), and ``_fisher_infinite()`` (a reason string when J is
    infinite).
    A hook returning ``None`` means "no closed form"; the estimators then fall back to
    quadrature (d = 1) or Monte Carlo with the exact score (d > 1).

    The public methods follow scipy's shape conventions: a 1-D density takes any array
    shape and returns the same shape; a d-D density takes ``(..., d)`` and returns
    ``(...)`` for :meth:`logpdf` and ``(..., d)`` for :meth:`score`.
    """

    #: lower and upper end of the support of a 1-D density
    support: tuple[float, float] = (-np.inf, np.inf)

    @property
    @abc.abstractmethod
    def dim(self) -> int:
        """Dimension d of the random vector."""

    # ------------------------------------------------------------------ hooks
    @abc.abstractmethod
    def _logpdf(self, X: np.ndarray) -> np.ndarray: ...

    @abc.abstractmethod
    def _score(self, X: np.ndarray) -> np.ndarray: ...

    @abc.abstractmethod
    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray: ...

    def _logpdf_score(self, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(_logpdf(X), _score(X))``; override when the two share work."""
        return self._logpdf(X), self._score(X)

    def _evaluation(self) -> contextlib.AbstractContextManager:
        """A context held once around every evaluation of one estimate (quadrature, Monte
        Carlo); e.g. the KDE limits BLAS to one thread there, once, not per call."""
        return contextlib.nullcontext()

    def _entropy(self) -> float | None:
        return None

    def _fisher_matrix(self) -> np.ndarray | None:
        return None

    def _fisher(self) -> float | None:
        m = self._fisher_matrix()
        return None if m is None else float(np.trace(m))

    def _log_fisher(self) -> float | None:
        """Natural log of the closed-form trace J, or ``None`` without a closed form.

        The default takes the log of :meth:`_fisher`; subclasses whose J can leave the
        float64 range (tiny or huge scales) override it with a log-space formula.
        """
        j = self._fisher()
        if j is None or math.isnan(j):
            return None
        return math.log(j) if j > 0 else -math.inf

    def _fisher_infinite(self) -> str | None:
        """A reason string when the Fisher information is infinite or undefined."""
        return None

    def _breakpoints(self) -> np.ndarray:
        """Points that split the real line for 1-D quadrature (modes, scale landmarks)."""
        rng = np.random.default_rng(20240601)
        xs = self._sample(8001, rng)[:, 0]
        return np.quantile(xs, [0.001, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999])

    def mean(self) -> np.ndarray | None:
        """Mean vector, or ``None`` when it is not available in closed form or infinite."""
        return None

    def cov(self) -> np.ndarray | None:
        """Covariance matrix, or ``None`` when not available in closed form or infinite."""
        return None

    # --------------------------------------------------------------- public API
    def _as_points(self, x: object) -> tuple[np.ndarray, tuple[int, ...]]:
        a = check_real_array("x", x, finite=False)
        d = self.dim
        if d == 1:
            if a.ndim >= 1 and a.shape[-1:] == (1,) and a.ndim == 2:
                # (n, 1) input: treat as points
                return np.ascontiguousarray(a), (a.shape[0], 1)
            return np.ascontiguousarray(a.reshape(-1, 1)), a.shape
        if a.ndim == 0 or a.shape[-1] != d:
            raise ValueError(
                f"`x` must have shape (..., {d}) for a {d}-dimensional density; got {a.shape}."
            )
        return np.ascontiguousarray(a.reshape(-1, d)), a.shape[:-1]

    def logpdf(self, x: object) -> np.ndarray:
        """Log-density at `x` (``-inf`` outside the support)."""
        X, shape = self._as_points(x)
        out = self._logpdf(X)
        if self.dim == 1 and len(shape) == 2 and shape[1] == 1:
            return out
        return out.reshape(shape)

    def pdf(self, x: object) -> np.ndarray:
        """Density at `x`."""
        return np.exp(self.logpdf(x))

    def score(self, x: object) -> np.ndarray:
        """Score ∇ₓ log f(x): the gradient of the log-density with respect to x.

        Outside the support the score is set to 0 (the density is 0 there).
        """
        X, shape = self._as_points(x)
        out = self._score(X)
        if self.dim == 1:
            return out.reshape(shape)
        return out.reshape(shape + (self.dim,))

    def sample(self, size: int, rng: object = None) -> np.ndarray:
        """Draw `size` samples: shape ``(size,)`` for d = 1, ``(size, d)`` otherwise."""
        n = check_int("size", size, minimum=0)
        X = self._sample(n, check_rng(rng))
        return X[:, 0].copy() if self.dim == 1 else X

    # ------------------------------------------------------------ composition
    def __mul__(self, other: object) -> "Density":
        """``f * g`` is the product density of independent components."""
        if not isinstance(other, Density):
            return NotImplemented
        return _PRODUCT_FACTORY[0]([self, other])

    def _repr_params(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._repr_params()})"
