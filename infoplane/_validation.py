"""Every input check and every bad-input message of infoplane.

Validation happens once, at the public boundary; kernels assume clean float64 input.
"""

from __future__ import annotations

import numbers
from typing import Iterable

import numpy as np

__all__ = [
    "check_samples",
    "check_scalar",
    "check_vector",
    "check_cov",
    "check_weights",
    "check_method",
    "check_rng",
    "check_int",
]

NAN_POLICIES = ("raise", "omit")


def _describe_nonfinite(a: np.ndarray) -> str:
    n_nan = int(np.isnan(a).sum())
    n_inf = int(np.isinf(a).sum())
    bad = ~np.isfinite(a)
    first = np.argwhere(bad)[0]
    where = f"row {first[0]}" if a.ndim >= 1 else "the value"
    return f"found {n_nan} NaN and {n_inf} inf (first at {where})"


def check_samples(
    x,
    *,
    name: str = "x",
    min_samples: int = 2,
    nan_policy: str = "raise",
    max_dims: int | None = None,
) -> np.ndarray:
    """Return samples as a C-contiguous float64 array of shape (n_samples, n_dims).

    A 1-D input means ``n_dims = 1``.

    Raises
    ------
    TypeError
        If `x` is not numeric.
    ValueError
        Wrong number of dimensions, too few samples, NaN/inf (unless
        ``nan_policy="omit"``), or an unknown `nan_policy`.
    """
    if nan_policy not in NAN_POLICIES:
        raise ValueError(f"`nan_policy` must be one of {set(NAN_POLICIES)}; got {nan_policy!r}.")
    try:
        a = np.asarray(x)
    except Exception as exc:  # pragma: no cover - exotic objects
        raise TypeError(f"`{name}` must be array-like; got {type(x).__name__}.") from exc
    if a.dtype == object or not (
        np.issubdtype(a.dtype, np.number) or np.issubdtype(a.dtype, np.bool_)
    ):
        raise TypeError(f"`{name}` must be numeric; got dtype {a.dtype}.")
    if np.iscomplexobj(a):
        raise TypeError(f"`{name}` must be real; got dtype {a.dtype}.")
    if a.ndim == 1:
        a = a[:, None]
    elif a.ndim != 2:
        raise ValueError(
            f"`{name}` must have shape (n_samples,) or (n_samples, n_dims); got {np.shape(x)}."
        )
    a = np.ascontiguousarray(a, dtype=np.float64)
    if a.shape[1] == 0:
        raise ValueError(f"`{name}` has 0 dimensions (shape {a.shape}).")
    if max_dims is not None and a.shape[1] > max_dims:
        raise ValueError(f"`{name}` has {a.shape[1]} dimensions; at most {max_dims} supported.")
    finite = np.isfinite(a)
    if not finite.all():
        if nan_policy == "raise":
            raise ValueError(
                f"`{name}` must be finite; {_describe_nonfinite(a)}. "
                "Pass nan_policy='omit' to drop such rows."
            )
        a = np.ascontiguousarray(a[finite.all(axis=1)])
    if a.shape[0] < min_samples:
        raise ValueError(
            f"`{name}` has {a.shape[0]} samples; at least {min_samples} are needed."
        )
    return a


def check_scalar(
    name: str,
    value,
    *,
    positive: bool = False,
    nonnegative: bool = False,
    lower: float | None = None,
    upper: float | None = None,
) -> float:
    """Validate a finite real scalar parameter and return it as ``float``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.ndarray)):
        raise TypeError(f"`{name}` must be a real number; got {type(value).__name__}.")
    arr = np.asarray(value, dtype=float)
    if arr.ndim != 0:
        raise ValueError(f"`{name}` must be a scalar; got shape {arr.shape}.")
    v = float(arr)
    if not np.isfinite(v):
        raise ValueError(f"`{name}` must be finite; got {v!r}.")
    if positive and not v > 0:
        raise ValueError(f"`{name}` must be > 0; got {v!r}.")
    if nonnegative and not v >= 0:
        raise ValueError(f"`{name}` must be >= 0; got {v!r}.")
    if lower is not None and not v > lower:
        raise ValueError(f"`{name}` must be > {lower}; got {v!r}.")
    if upper is not None and not v < upper:
        raise ValueError(f"`{name}` must be < {upper}; got {v!r}.")
    return v


def check_int(name: str, value, *, minimum: int = 1) -> int:
    """Validate an integer parameter ``>= minimum``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"`{name}` must be an integer; got {value!r}.")
    v = int(value)
    if v < minimum:
        raise ValueError(f"`{name}` must be >= {minimum}; got {v}.")
    return v


def check_vector(name: str, value, *, dim: int | None = None, positive: bool = False) -> np.ndarray:
    """Validate a finite 1-D float vector (a scalar becomes length 1)."""
    a = np.array(value, dtype=float, ndmin=1)
    if a.ndim != 1:
        raise ValueError(f"`{name}` must be 1-D; got shape {a.shape}.")
    if a.size == 0:
        raise ValueError(f"`{name}` must not be empty.")
    if dim is not None and a.shape[0] != dim:
        raise ValueError(f"`{name}` must have length {dim}; got {a.shape[0]}.")
    if not np.isfinite(a).all():
        raise ValueError(f"`{name}` must be finite; got {a!r}.")
    if positive and not (a > 0).all():
        raise ValueError(f"`{name}` must be > 0 elementwise; got {a!r}.")
    return a


def check_cov(name: str, cov, dim: int) -> np.ndarray:
    """Validate a symmetric positive-definite (dim, dim) matrix; return it as float64."""
    c = np.array(cov, dtype=float)
    if c.shape != (dim, dim):
        raise ValueError(f"`{name}` must have shape ({dim}, {dim}); got {c.shape}.")
    if not np.isfinite(c).all():
        raise ValueError(f"`{name}` must be finite; got {c!r}.")
    if not np.allclose(c, c.T, rtol=1e-10, atol=1e-12 * max(1.0, np.abs(c).max())):
        raise ValueError(f"`{name}` must be symmetric; got {c!r}.")
    c = 0.5 * (c + c.T)
    try:
        np.linalg.cholesky(c)
    except np.linalg.LinAlgError:
        ev = np.linalg.eigvalsh(c)
        raise ValueError(
            f"`{name}` must be positive definite; its smallest eigenvalue is {ev.min():.6g}."
        ) from None
    return c


def check_weights(name: str, weights, k: int | None = None, *, rtol: float = 1e-8) -> np.ndarray:
    """Validate mixture weights: finite, >= 0, summing to 1 (within `rtol`)."""
    w = check_vector(name, weights, dim=k)
    if (w < 0).any():
        raise ValueError(f"`{name}` must be >= 0; got {w!r}.")
    s = w.sum()
    if not abs(s - 1.0) <= rtol:
        raise ValueError(f"`{name}` must sum to 1; got sum {float(s)!r}.")
    return w / s


def check_method(method: str, allowed: Iterable[str], *, name: str = "method") -> str:
    allowed = tuple(allowed)
    if not isinstance(method, str) or method not in allowed:
        raise ValueError(f"`{name}` must be one of {set(allowed)}; got {method!r}.")
    return method


def check_rng(rng) -> np.random.Generator:
    """Normalise `rng` with :func:`numpy.random.default_rng` (SPEC 7)."""
    return np.random.default_rng(rng)
