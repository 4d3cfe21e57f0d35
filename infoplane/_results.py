"""Result objects: :class:`Estimate`, :class:`MatrixEstimate` and :class:`FSPoint`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping

import numpy as np
from scipy import special

__all__ = ["Estimate", "MatrixEstimate", "FSPoint", "FSTrajectory"]


def _frozen_options(options: Mapping[str, object] | None) -> Mapping[str, object]:
    return MappingProxyType(dict(options or {}))


def _z(level: float) -> float:
    if not 0.0 < level < 1.0:
        raise ValueError(f"`level` must lie in (0, 1); got {level!r}.")
    return float(special.ndtri(0.5 + level / 2.0))


@dataclass(frozen=True, slots=True)
class Estimate:
    """A scalar information quantity with its standard error.

    Parameters
    ----------
    value : float
        The estimate (nats for entropies). May be ``inf`` when the quantity is infinite
        (see `reason`).
    stderr : float
        Standard error of `value`: ``0.0`` when exact up to floating point (closed form),
        the integrator's error bound for quadrature, ``nan`` when no honest error exists.
    method : str
        The method actually used, e.g. ``"closed-form"``, ``"quadrature"``,
        ``"monte-carlo"``, ``"kde"``, ``"knn"``; never ``"auto"``.
    n_samples : int or None
        Sample size behind a sample-based or Monte Carlo estimate; ``None`` otherwise.
    n_dims : int
        Dimension of the random vector.
    options : Mapping
        The options the method ran with (read-only).
    reason : str or None
        Why the value is infinite or undefined, when it is.

    Examples
    --------
    >>> from infoplane import Estimate
    >>> e = Estimate(2.0, 0.1, "monte-carlo", n_samples=1000)
    >>> float(e)
    2.0
    >>> e.interval()
    (1.804..., 2.195...)
    """

    value: float
    stderr: float = 0.0
    method: str = "closed-form"
    n_samples: int | None = None
    n_dims: int = 1
    options: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    reason: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", float(self.value))
        object.__setattr__(self, "stderr", float(self.stderr))
        if not isinstance(self.options, MappingProxyType):
            object.__setattr__(self, "options", _frozen_options(self.options))

    def __float__(self) -> float:
        return self.value

    @property
    def is_exact(self) -> bool:
        """True when the value carries no estimation error (closed form)."""
        return self.stderr == 0.0

    @property
    def rel_stderr(self) -> float:
        """``stderr / |value|`` (``nan`` for a zero or non-finite value)."""
        if self.value == 0.0 or not math.isfinite(self.value):
            return math.nan
        return self.stderr / abs(self.value)

    def interval(self, level: float = 0.95) -> tuple[float, float]:
        """Normal-theory confidence interval ``value ± z·stderr``."""
        h = _z(level) * self.stderr
        return (self.value - h, self.value + h)

    def __repr__(self) -> str:
        extra = f", reason={self.reason!r}" if self.reason else ""
        n = f", n_samples={self.n_samples}" if self.n_samples is not None else ""
        return (
            f"Estimate(value={self.value:.6g}, stderr={self.stderr:.3g}, "
            f"method={self.method!r}{n}{extra})"
        )


@dataclass(frozen=True, slots=True)
class MatrixEstimate:
    """A matrix-valued estimate (the Fisher information matrix) with elementwise errors.

    Attributes
    ----------
    value : ndarray, shape (d, d)
    stderr : ndarray, shape (d, d)
        Elementwise standard errors (zeros when exact).
    method : str
    n_samples : int or None
    options : Mapping
    reason : str or None
    """

    value: np.ndarray
    stderr: np.ndarray
    method: str = "closed-form"
    n_samples: int | None = None
    options: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    reason: str | None = None
    trace_stderr: float | None = None

    def __post_init__(self) -> None:
        v = np.array(self.value, dtype=float, ndmin=2)
        s = np.broadcast_to(np.asarray(self.stderr, dtype=float), v.shape).copy()
        v.setflags(write=False)
        s.setflags(write=False)
        object.__setattr__(self, "value", v)
        object.__setattr__(self, "stderr", s)
        if not isinstance(self.options, MappingProxyType):
            object.__setattr__(self, "options", _frozen_options(self.options))

    @property
    def n_dims(self) -> int:
        return self.value.shape[0]

    @property
    def trace(self) -> Estimate:
        """The trace as an :class:`Estimate` (its error accounts for correlations when known)."""
        se = self.trace_stderr
        if se is None:
            se = float(np.sqrt(np.sum(np.diag(self.stderr) ** 2)))
        return Estimate(
            float(np.trace(self.value)), se, self.method, self.n_samples, self.n_dims,
            self.options, self.reason,
        )

    def __array__(self, dtype=None, copy=None):
        return np.array(self.value, dtype=dtype)


@dataclass(frozen=True, slots=True)
class FSPoint:
    """A point of the Fisher-Shannon plane.

    Attributes
    ----------
    entropy : Estimate
        Differential entropy H in nats.
    entropy_power : Estimate
        N = exp(2H/d) / (2πe).
    fisher : Estimate
        Trace of the Fisher information matrix, J.
    dim : int
        Dimension d.
    product : Estimate
        N·J/d, which is >= 1 (Stam's inequality) with equality exactly for isotropic
        Gaussians.

    Notes
    -----
    The error of the product is propagated to first order assuming independent errors of
    N and J; for estimates computed from the same sample this ignores their correlation.
    """

    entropy: Estimate
    entropy_power: Estimate
    fisher: Estimate
    dim: int
    product: Estimate

    @classmethod
    def from_estimates(cls, entropy: Estimate, fisher: Estimate, dim: int) -> "FSPoint":
        """Assemble a point from an entropy and a Fisher-information estimate."""
        n_est = entropy_power_from_entropy(entropy, dim)
        nv, jv = n_est.value, fisher.value
        prod = nv * jv / dim
        if np.isfinite(prod) and prod != 0.0:
            rel = math.hypot(
                n_est.stderr / nv if nv else 0.0, fisher.stderr / jv if jv else 0.0
            )
            se = abs(prod) * rel
        else:
            se = math.nan if not np.isinf(prod) else 0.0
        methods = n_est.method if n_est.method == fisher.method else (
            f"{n_est.method}*{fisher.method}"
        )
        product = Estimate(
            prod, se, methods, fisher.n_samples, dim, reason=fisher.reason or entropy.reason
        )
        return cls(entropy, n_est, fisher, dim, product)

    def __iter__(self):
        """Unpack as ``(N, J)``."""
        yield self.entropy_power.value
        yield self.fisher.value

    def __repr__(self) -> str:
        return (
            f"FSPoint(N={self.entropy_power.value:.6g}±{self.entropy_power.stderr:.2g}, "
            f"J={self.fisher.value:.6g}±{self.fisher.stderr:.2g}, dim={self.dim}, "
            f"NJ/d={self.product.value:.6g}±{self.product.stderr:.2g})"
        )


def entropy_power_from_entropy(entropy: Estimate, dim: int) -> Estimate:
    """N = exp(2H/d)/(2πe) with a delta-method standard error (dN = 2N/d · dH)."""
    h = entropy.value
    if math.isnan(h):
        n = math.nan
    else:
        n = math.exp(2.0 * h / dim) / (2.0 * math.pi * math.e) if h < 350 * dim else math.inf
    if np.isfinite(n):
        se = 2.0 * n / dim * entropy.stderr
    else:
        se = 0.0 if entropy.stderr == 0 else math.nan
    return Estimate(n, se, entropy.method, entropy.n_samples, dim, entropy.options, entropy.reason)


@dataclass(frozen=True, slots=True)
class FSTrajectory:
    """A sequence of FS-plane points indexed by a step (window position, epoch, ...).

    Attributes
    ----------
    points : tuple of FSPoint
    steps : ndarray
        Index of each point (e.g. window centre or training epoch).
    label : str or None
    """

    points: tuple
    steps: np.ndarray
    label: str | None = None

    def __post_init__(self) -> None:
        pts = tuple(self.points)
        steps = np.asarray(self.steps, dtype=float)
        if steps.shape != (len(pts),):
            raise ValueError(f"`steps` must have shape ({len(pts)},); got {steps.shape}.")
        object.__setattr__(self, "points", pts)
        object.__setattr__(self, "steps", steps)

    def __len__(self) -> int:
        return len(self.points)

    @property
    def entropy_power(self) -> np.ndarray:
        return np.array([p.entropy_power.value for p in self.points])

    @property
    def fisher(self) -> np.ndarray:
        return np.array([p.fisher.value for p in self.points])

    @property
    def product(self) -> np.ndarray:
        return np.array([p.product.value for p in self.points])
