"""Result objects: :class:`Estimate`, :class:`MatrixEstimate` and :class:`FSPoint`."""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Iterator, Mapping

import numpy as np
from scipy import special

__all__ = ["Estimate", "MatrixEstimate", "FSPoint", "FSTrajectory"]

_LOG_MAX = math.log(sys.float_info.max)  # 709.78: exp() overflows above
_LOG_MIN_NORMAL = math.log(sys.float_info.min)  # -708.40: exp() is subnormal below
_LOG_2PIE = math.log(2.0 * math.pi * math.e)


def _exp_with_reason(log_v: float, what: str) -> tuple[float, str | None]:
    """``exp(log_v)`` and, when float64 cannot hold it, a reason saying so.

    Overflow gives ``inf``; underflow gives the subnormal (or 0) that ``exp`` returns.
    Exactly infinite or NaN logarithms pass through without a reason (the reason for those
    belongs to whatever made them infinite).
    """
    if not math.isfinite(log_v):
        return (math.exp(log_v) if not math.isnan(log_v) else math.nan), None
    if log_v > _LOG_MAX:
        return math.inf, (
            f"{what} = exp({log_v:.10g}) overflows float64 (largest 1.8e308); "
            "its natural log is in `log_value`"
        )
    v = math.exp(log_v)
    if log_v < _LOG_MIN_NORMAL:
        return v, (
            f"{what} = exp({log_v:.10g}) underflows float64 (smallest normal 2.2e-308; "
            f"got {v!r}); its natural log is in `log_value`"
        )
    return v, None


def _log_of(e: "Estimate") -> float:
    """ln of an estimate's value, preferring its exact `log_value` when it has one."""
    if e.log_value is not None:
        return e.log_value
    v = e.value
    if math.isnan(v) or v < 0:
        return math.nan
    return math.log(v) if v > 0 else -math.inf


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
        Why the value is infinite or undefined, when it is; also why it is ``inf``/``0``
        (or a subnormal) when the true value merely leaves the float64 range.
    log_value : float or None
        Natural logarithm of the quantity, when it is known exactly even where `value`
        itself over- or underflows float64 (closed-form Fisher informations, entropy
        powers, Stam products); ``None`` when not tracked. For example a Laplace density
        of scale 1e-200 has ``J = 1e400``: `value` is ``inf`` with a `reason` and
        ``log_value`` is ``921.03...``.

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
    log_value: float | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", float(self.value))
        object.__setattr__(self, "stderr", float(self.stderr))
        if not isinstance(self.options, MappingProxyType):
            object.__setattr__(self, "options", _frozen_options(self.options))
        if self.log_value is not None:
            lv = float(self.log_value)
            object.__setattr__(self, "log_value", lv)
            if self.reason is None and math.isfinite(lv):
                # a value that left the float64 range says so
                _, why = _exp_with_reason(lv, "value")
                object.__setattr__(self, "reason", why)

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
        The matrix; ``inf`` entries with a `reason` when J is infinite.
    stderr : ndarray, shape (d, d)
        Elementwise standard errors (zeros when exact).
    method : str
        The method actually used (see :class:`Estimate`).
    n_samples : int or None
        Sample size behind the estimate; ``None`` for closed forms and quadrature.
    options : Mapping
        The options the method ran with (read-only).
    reason : str or None
        Why the value is infinite or undefined, when it is.
    trace_stderr : float or None
        Standard error of the trace, accounting for the correlation of the diagonal
        errors when the method knows it; ``None``: from the diagonal errors alone.

    Examples
    --------
    >>> import infoplane as ip
    >>> m = ip.fisher_matrix(ip.Gaussian([0, 0], [1.0, 4.0]))
    >>> m.trace
    Estimate(value=1.25, stderr=0, method='closed-form')
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

    def __array__(self, dtype: Any = None, copy: bool | None = None) -> np.ndarray:
        return np.array(self.value, dtype=dtype)


@dataclass(frozen=True, slots=True)
class FSPoint:
    """A point of the Fisher-Shannon plane.

    Attributes
    ----------
    entropy : Estimate
        Differential entropy H in nats.
    entropy_power : Estimate
        N = exp(2H/d) / (2πe); also available as :attr:`N`.
    fisher : Estimate
        Trace of the Fisher information matrix, J; also available as :attr:`J`.
    dim : int
        Dimension d.
    product : Estimate
        N·J/d, which is >= 1 (Stam's inequality) with equality exactly for isotropic
        Gaussians.

    Notes
    -----
    ``N`` and ``J`` are read-only aliases of ``entropy_power`` and ``fisher`` (the names
    the repr uses); ``N, J = point`` unpacks their values.

    The product is evaluated in log space, ``exp(2H/d - ln(2πe) + ln J - ln d)`` (with
    ``ln J`` from ``fisher.log_value`` when known): it is scale-free, so it is right even
    where N or J alone over- or underflows float64 (e.g. a Laplace density of scale
    1e-200 has J = 1e400, N = 4e-400 and N·J = 2e/π). Such an N or J is reported as
    ``inf``/``0`` with a `reason` and its logarithm in ``log_value``.

    The error of the product is propagated to first order assuming independent errors of
    N and J; for estimates computed from the same sample this ignores their correlation.

    Examples
    --------
    >>> import infoplane as ip
    >>> p = ip.fs_point(ip.Laplace(0.0, 2.0))
    >>> p.N is p.entropy_power, p.J.value
    (True, 0.25)
    """

    entropy: Estimate
    entropy_power: Estimate
    fisher: Estimate
    dim: int
    product: Estimate

    @property
    def N(self) -> Estimate:
        """The entropy power N (the same object as :attr:`entropy_power`)."""
        return self.entropy_power

    @property
    def J(self) -> Estimate:
        """The Fisher information J (the same object as :attr:`fisher`)."""
        return self.fisher

    @classmethod
    def from_estimates(cls, entropy: Estimate, fisher: Estimate, dim: int) -> "FSPoint":
        """Assemble a point from an entropy and a Fisher-information estimate."""
        n_est = entropy_power_from_entropy(entropy, dim)
        log_n = _log_of(n_est)
        log_j = _log_of(fisher)
        with np.errstate(invalid="ignore"):
            log_p = log_n + log_j - math.log(dim)
        prod, why = _exp_with_reason(log_p, "N·J/d")
        if math.isfinite(prod) and prod != 0.0:
            jv = fisher.value
            if math.isfinite(jv) and jv != 0.0:
                rel_j = fisher.stderr / abs(jv)
            else:  # J out of float64 range: only an exact J (stderr 0) keeps an error bar
                rel_j = 0.0 if fisher.stderr == 0.0 else math.nan
            rel = math.hypot(2.0 * entropy.stderr / dim, rel_j)
            se = abs(prod) * rel
            reason = why
            if reason is None and math.isinf(se):   # an unbounded error says why
                reason = (fisher.reason if math.isinf(fisher.stderr) else None) or (
                    n_est.reason if math.isinf(n_est.stderr) else None)
        else:
            se = math.nan if not math.isinf(prod) else 0.0
            reason = why or fisher.reason or entropy.reason or n_est.reason
        methods = n_est.method if n_est.method == fisher.method else (
            f"{n_est.method}*{fisher.method}"
        )
        product = Estimate(
            prod, se, methods, fisher.n_samples, dim, reason=reason,
            log_value=log_p if not math.isnan(log_p) else None,
        )
        return cls(entropy, n_est, fisher, dim, product)

    def __iter__(self) -> Iterator[float]:
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
    """N = exp(2H/d)/(2πe) with a delta-method standard error (dN = 2N/d · dH).

    ``log_value`` carries ln N = 2H/d − ln(2πe); where N leaves the float64 range the
    value is ``inf`` (overflow) or the subnormal/0 that ``exp`` gives, with a `reason`.
    """
    h = entropy.value
    log_n = 2.0 * h / dim - _LOG_2PIE if not math.isnan(h) else math.nan
    n, why = _exp_with_reason(log_n, "N = exp(2H/d)/(2πe)")
    if math.isfinite(n):
        se = 2.0 * n / dim * entropy.stderr
    else:
        se = 0.0 if entropy.stderr == 0 else math.nan
    return Estimate(
        n, se, entropy.method, entropy.n_samples, dim, entropy.options,
        entropy.reason or why, log_value=log_n if not math.isnan(log_n) else None,
    )


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

    points: tuple[FSPoint, ...]
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
