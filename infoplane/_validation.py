"""Every input check and every bad-input message of infoplane.

Validation happens once, at the public boundary; kernels assume clean float64 input.
"""

from __future__ import annotations

import numbers
import reprlib
from typing import Iterable, Mapping

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
    "check_options",
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
    a = _as_numeric_array(x, name)
    mask = None
    if isinstance(a, np.ma.MaskedArray):
        mask = np.ma.getmaskarray(a)
        a = np.ma.getdata(a)
    if a.ndim == 1:
        a = a[:, None]
    elif a.ndim != 2:
        raise ValueError(
            f"`{name}` must have shape (n_samples,) or (n_samples, n_dims); got {np.shape(x)}."
        )
    a = np.ascontiguousarray(a, dtype=np.float64)
    if mask is not None:  # masked values are missing: their rows are dropped
        keep = ~mask.reshape(a.shape).any(axis=1)
        a = np.ascontiguousarray(a[keep])
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


def _as_numeric_array(x, name: str) -> np.ndarray:
    """`x` as a numeric ndarray (a masked array stays masked), or a TypeError naming it."""
    mod = type(x).__module__ or ""
    if mod.startswith("torch"):
        # tensors (also with requires_grad, or on a GPU): the values, detached
        try:
            x = x.detach().cpu().numpy()
        except Exception as exc:
            raise TypeError(f"`{name}` is a {type(x).__name__} that could not be turned "
                            f"into a NumPy array: {exc}") from exc
    elif hasattr(x, "to_numpy") and not isinstance(x, np.ndarray):  # pandas, polars
        x = x.to_numpy()
    if isinstance(x, (str, bytes, dict)) or x is None:
        raise TypeError(f"`{name}` must be an array of numbers; got {type(x).__name__}.")
    try:
        a = x if isinstance(x, np.ma.MaskedArray) else np.asarray(x)
    except ValueError as exc:  # ragged nested sequences
        raise ValueError(
            f"`{name}` must be a rectangular array of shape (n_samples,) or "
            f"(n_samples, n_dims); it has rows of different lengths ({exc})."
        ) from None
    except Exception as exc:  # pragma: no cover - exotic objects
        raise TypeError(f"`{name}` must be array-like; got {type(x).__name__}.") from exc
    if a.dtype == object or not (
        np.issubdtype(a.dtype, np.number) or np.issubdtype(a.dtype, np.bool_)
    ):
        raise TypeError(f"`{name}` must be numeric; got dtype {a.dtype}.")
    if np.iscomplexobj(a):
        raise TypeError(f"`{name}` must be real; got dtype {a.dtype}.")
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
    """`method` if it is one of `allowed`, else a ValueError listing them."""
    allowed = tuple(allowed)
    if not isinstance(method, str) or method not in allowed:
        raise ValueError(f"`{name}` must be one of {', '.join(map(repr, allowed))}; "
                         f"got {method!r}.")
    return method


def check_options(func: str, options: Mapping[str, object], accepted: Iterable[str],
                  what: str = "") -> None:
    """The one options contract: a TypeError naming the function, what it was asked for,
    every unexpected option and every accepted one.

    Examples
    --------
    >>> check_options("fisher", {"foo": 1}, ("bandwidth", "n_boot"),
    ...               " for the Fisher information of 1-D samples by method 'kde'")
    Traceback (most recent call last):
    ...
    TypeError: fisher() got unexpected option 'foo' for ...; accepted options: bandwidth, n_boot.
    """
    accepted = tuple(sorted(accepted))
    bad = sorted(set(options) - set(accepted))
    if bad:
        s = "s" if len(bad) > 1 else ""
        raise TypeError(
            f"{func}() got unexpected option{s} {', '.join(map(repr, bad))}{what}; "
            f"accepted options: {', '.join(accepted) if accepted else 'none'}."
        )


def check_rng(rng, name: str = "rng") -> np.random.Generator:
    """A :class:`numpy.random.Generator` from `rng` (SPEC 7), or an error naming `rng`.

    Accepted: ``None`` (fresh entropy), an integer seed >= 0, a sequence of such
    integers, a :class:`numpy.random.SeedSequence`, a bit generator or a Generator
    (returned as is, so one stream can be shared by several calls).
    """
    if rng is None or isinstance(rng, (np.random.Generator, np.random.BitGenerator,
                                       np.random.SeedSequence)):
        return np.random.default_rng(rng)
    if isinstance(rng, (bool, np.bool_)):
        raise TypeError(f"`{name}` must be None, an integer seed >= 0 or a "
                        f"numpy.random.Generator; got {rng!r}.")
    if isinstance(rng, numbers.Integral):
        if rng < 0:
            raise ValueError(f"`{name}` must be an integer seed >= 0; got {rng}.")
        return np.random.default_rng(int(rng))
    if isinstance(rng, (list, tuple)) and rng and all(
            isinstance(v, numbers.Integral) and not isinstance(v, (bool, np.bool_))
            and int(v) >= 0 for v in rng):
        return np.random.default_rng(list(rng))
    kind = type(rng).__module__ + "." + type(rng).__name__
    hint = ""
    if "torch" in kind:
        hint = " (a torch.Generator seeds torch, not NumPy; pass an integer seed)"
    elif kind == "random.Random":
        hint = " (Python's random.Random is not supported; pass an integer seed)"
    raise TypeError(f"`{name}` must be None, an integer seed >= 0 or a "
                    f"numpy.random.Generator; got {type(rng).__name__} {rng!r}{hint}.")
