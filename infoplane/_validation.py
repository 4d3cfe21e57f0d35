"""Every input check and every bad-input message of infoplane.

Validation happens once, at the public boundary; kernels assume clean float64 input.
"""

from __future__ import annotations

import numbers
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
            and v >= 0 for v in rng):
        return np.random.default_rng(list(rng))
    kind = type(rng).__module__ + "." + type(rng).__name__
    hint = ""
    if "torch" in kind:
        hint = " (a torch.Generator seeds torch, not NumPy; pass an integer seed)"
    elif kind == "random.Random":
        hint = " (Python's random.Random is not supported; pass an integer seed)"
    raise TypeError(f"`{name}` must be None, an integer seed >= 0 or a "
                    f"numpy.random.Generator; got {type(rng).__name__} {rng!r}{hint}.")
