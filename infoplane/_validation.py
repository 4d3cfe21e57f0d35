"""Every input check and every bad-input message of infoplane.

Validation happens once, at the public boundary; kernels assume clean float64 input.
"""

from __future__ import annotations

import numbers
import reprlib
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
    "check_real_array",
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


def _kind(value: object) -> str:
    """Short description of the type of `value` for error messages."""
    if isinstance(value, np.ndarray):
        return f"an ndarray of dtype {value.dtype}"
    return type(value).__name__


def _first_non_real(value: object) -> tuple[bool, object]:
    """``(True, item)`` for the first item of a nested list/tuple that is not a real number.

    Booleans (Python or NumPy) do not count as real numbers; ndarrays inside the sequence
    are judged by their dtype.
    """
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, (list, tuple)):
            stack.extend(reversed(v))
        elif isinstance(v, np.ndarray):
            if v.dtype.kind not in _REAL_KINDS:
                return True, v
        elif isinstance(v, (bool, np.bool_)) or not isinstance(v, numbers.Real):
            return True, v
    return False, None


_REAL_KINDS = "iuf"  # signed and unsigned integers, floats: no bool, complex, str, object


def check_real_array(name: str, value: object, *, finite: bool = True) -> np.ndarray:
    """Return `value` as a new float64 array after a strict type check.

    Accepted: real numbers (Python or NumPy integers and floats, but not ``bool``),
    nested lists/tuples of them, and arrays or array-likes of integer or float dtype.

    Raises
    ------
    TypeError
        For ``None``, booleans, strings (numeric or not), complex numbers, object arrays
        or sequences holding any of these; the message names `name` and the type found.
    ValueError
        For ragged sequences, and for NaN or inf when `finite` is true.
    """
    if value is None or isinstance(value, (bool, np.bool_, str, bytes)):
        raise TypeError(
            f"`{name}` must be a real number or an array of real numbers; got {_kind(value)}"
            + (f" {value!r}." if isinstance(value, (str, bytes, bool, np.bool_)) else ".")
        )
    if isinstance(value, (list, tuple)):
        bad, item = _first_non_real(value)
        if bad:
            raise TypeError(
                f"`{name}` must contain only real numbers; found {_kind(item)} "
                f"{reprlib.repr(item)} in the {type(value).__name__}."
            )
    if isinstance(value, numbers.Real) and not isinstance(value, np.generic):
        a = np.array(float(value))
    else:
        try:
            a = np.asarray(value)
        except (ValueError, TypeError) as exc:
            raise ValueError(
                f"`{name}` must be a rectangular array of real numbers; got a ragged "
                f"{type(value).__name__} ({exc})."
            ) from None
        if a.dtype == object and isinstance(value, (list, tuple)):
            a = a.astype(float)  # e.g. fractions.Fraction items, already checked above
        if a.dtype.kind not in _REAL_KINDS:
            raise TypeError(
                f"`{name}` must be real-valued; got {type(value).__name__} of dtype {a.dtype}."
            )
    a = np.array(a, dtype=np.float64)
    if finite and not np.isfinite(a).all():
        if a.ndim == 0:
            raise ValueError(f"`{name}` must be finite; got {float(a)!r}.")
        raise ValueError(f"`{name}` must be finite; {_describe_nonfinite(a)}.")
    return a


def check_scalar(
    name: str,
    value: object,
    *,
    positive: bool = False,
    nonnegative: bool = False,
    lower: float | None = None,
    upper: float | None = None,
) -> float:
    """Validate a finite real scalar parameter and return it as ``float``.

    Python and NumPy integers and floats (and 0-d arrays of those) are accepted; ``bool``,
    strings (numeric or not), ``None``, complex numbers and sequences are not.

    Raises
    ------
    TypeError
        Wrong type; the message names `name` and the type received.
    ValueError
        NaN, inf or a value out of range; the message names `name`, the bound and the value.
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.ndarray)):
        raise TypeError(
            f"`{name}` must be a real number; got {_kind(value)}"
            + (f" {value!r}." if isinstance(value, (str, bytes, bool, np.bool_)) else ".")
        )
    arr = check_real_array(name, value, finite=False)
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
        raise ValueError(f"`{name}` must be > {lower!r}; got {v!r}.")
    if upper is not None and not v < upper:
        raise ValueError(f"`{name}` must be < {upper!r}; got {v!r}.")
    return v


def check_int(name: str, value: object, *, minimum: int = 1) -> int:
    """Validate an integer parameter ``>= minimum`` (``bool`` and floats are rejected)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"`{name}` must be an integer; got {_kind(value)} {value!r}.")
    v = int(value)
    if v < minimum:
        raise ValueError(f"`{name}` must be >= {minimum}; got {v}.")
    return v


def check_vector(
    name: str, value: object, *, dim: int | None = None, positive: bool = False
) -> np.ndarray:
    """Validate a finite 1-D float vector (a scalar becomes length 1); types as
    :func:`check_real_array`."""
    a = check_real_array(name, value, finite=False)
    if a.ndim == 0:
        a = a.reshape(1)
    if a.ndim != 1:
        raise ValueError(f"`{name}` must be 1-D; got shape {a.shape}.")
    if a.size == 0:
        raise ValueError(f"`{name}` must not be empty.")
    if dim is not None and a.shape[0] != dim:
        raise ValueError(f"`{name}` must have length {dim}; got {a.shape[0]}.")
    if not np.isfinite(a).all():
        i = int(np.argmin(np.isfinite(a)))
        raise ValueError(f"`{name}` must be finite; got {a[i]!r} at index {i}.")
    if positive and not (a > 0).all():
        i = int(np.argmin(a > 0))
        raise ValueError(f"`{name}` must be > 0 elementwise; got {a[i]!r} at index {i}.")
    return a


def check_cov(name: str, cov: object, dim: int) -> np.ndarray:
    """Validate a symmetric positive-definite (dim, dim) matrix; return it as float64.

    Types as :func:`check_real_array`.
    """
    c = check_real_array(name, cov, finite=False)
    if c.shape != (dim, dim):
        raise ValueError(f"`{name}` must have shape ({dim}, {dim}); got {c.shape}.")
    if not np.isfinite(c).all():
        raise ValueError(f"`{name}` must be finite; {_describe_nonfinite(c)}.")
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


def check_weights(
    name: str, weights: object, k: int | None = None, *, rtol: float = 1e-8
) -> np.ndarray:
    """Validate mixture weights: finite, >= 0, summing to 1 (within `rtol`)."""
    w = check_vector(name, weights, dim=k)
    if (w < 0).any():
        i = int(np.argmax(w < 0))
        raise ValueError(f"`{name}` must be >= 0; got {w[i]!r} at index {i}.")
    s = w.sum()
    if not abs(s - 1.0) <= rtol:
        raise ValueError(f"`{name}` must sum to 1; got sum {float(s)!r} (tolerance {rtol:g}).")
    return w / s


def check_method(method: str, allowed: Iterable[str], *, name: str = "method") -> str:
    allowed = tuple(allowed)
    if not isinstance(method, str) or method not in allowed:
        raise ValueError(f"`{name}` must be one of {set(allowed)}; got {method!r}.")
    return method


def check_rng(rng) -> np.random.Generator:
    """Normalise `rng` with :func:`numpy.random.default_rng` (SPEC 7)."""
    return np.random.default_rng(rng)
