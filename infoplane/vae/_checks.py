"""Input checks for tensors (the torch counterpart of :mod:`infoplane._validation`).

Kept inside :mod:`infoplane.vae` because nothing outside it may import torch. One rule for
every public function of :mod:`infoplane.vae`:

- tensors must be floating point (float16/bfloat16 are promoted to float32 where a
  computation is not differentiable); integer, bool and complex tensors raise TypeError;
- flags must be real booleans (``bool`` or ``numpy.bool_``), numbers real scalars (not
  bool, not tensors), integers real integers;
- ``rng`` is None, a non-negative int, a ``numpy.random.Generator`` or a
  ``torch.Generator``.
"""

from __future__ import annotations

import numbers
from typing import Optional, Union

import numpy as np
import torch

from .._validation import check_int

__all__ = [
    "RngLike",
    "LOGVAR_LIMIT",
    "check_tensor",
    "check_mu_logvar",
    "check_positive_int",
    "check_n_mc",
    "MIN_N_MC",
    "check_bool",
    "check_real",
    "check_floating",
    "check_rng",
    "make_generator",
    "seed_from",
]

RngLike = Optional[Union[int, np.integer, np.random.Generator, torch.Generator]]

#: Largest |logvar| accepted by the posterior functions. With |logvar| <= 300 every
#: intermediate of the closed forms and of the Monte Carlo kernels (1/σ², σ, (z - μ)²/σ²,
#: ‖score‖²) stays far inside the float64 range; beyond it σ² = exp(logvar) or its inverse
#: approaches float64 overflow (exp(709.8)) and no result could be represented.
LOGVAR_LIMIT = 300.0


#: Smallest `n_mc` accepted for an aggregate posterior. Below it the Monte Carlo standard
#: error is not trustworthy: the control-variate fit costs a degree of freedom and has an
#: O(1/n_mc) bias, and ‖score‖² is skewed (tests/test_vae_estimator.py measures the
#: coverage of the reported errors).
MIN_N_MC = 300


def _describe_nonfinite(t: torch.Tensor) -> str:
    bad = ~torch.isfinite(t)
    n_nan = int(torch.isnan(t).sum())
    n_inf = int(torch.isinf(t).sum())
    first = torch.nonzero(bad)[0].tolist()
    where = f"row {first[0]}" if t.ndim >= 1 else "the value"
    return f"found {n_nan} NaN and {n_inf} inf (first at {where})"


def check_floating(name: str, t: object) -> torch.Tensor:
    """A torch.Tensor with a floating dtype (TypeError naming `name` otherwise)."""
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"`{name}` must be a torch.Tensor; got {type(t).__name__}.")
    if not t.is_floating_point():
        raise TypeError(
            f"`{name}` must be a floating-point tensor; got dtype {t.dtype}. Convert it with "
            f"`{name}.float()` or `{name}.double()`."
        )
    return t


def check_tensor(name: str, t: object, *, ndim: int | None = None) -> torch.Tensor:
    """A finite, non-empty floating tensor (float16/bfloat16 promoted to float32)."""
    t = check_floating(name, t)
    if ndim is not None and t.ndim != ndim:
        shape = "(n, d)" if ndim == 2 else f"{ndim} dimensions"
        raise ValueError(f"`{name}` must have shape {shape}; got {tuple(t.shape)}.")
    if t.numel() == 0:
        raise ValueError(f"`{name}` must not be empty (empty batch); got shape {tuple(t.shape)}.")
    if not bool(torch.isfinite(t).all()):
        raise ValueError(f"`{name}` must be finite; {_describe_nonfinite(t)}.")
    if t.dtype in (torch.float16, torch.bfloat16):
        t = t.float()
    return t


def check_logvar_range(logvar: torch.Tensor, limit: float = LOGVAR_LIMIT) -> None:
    """ValueError naming `logvar` when some |logvar| exceeds `limit` (see LOGVAR_LIMIT)."""
    lo, hi = float(logvar.min()), float(logvar.max())
    if lo < -limit or hi > limit:
        worst = lo if -lo > hi else hi
        flat = int(torch.argmin(logvar)) if worst == lo else int(torch.argmax(logvar))
        row, col = divmod(flat, logvar.shape[1])
        raise ValueError(
            f"`logvar` must lie in [-{limit:g}, {limit:g}]; got {worst:.6g} (row {row}, column "
            f"{col}). σ² = exp(logvar) = exp({worst:.6g}) is outside the range where the "
            "Fisher information 1/σ² and the Monte Carlo terms are representable in float64: "
            "the encoder has diverged; clamp its log-variance."
        )


def check_mu_logvar(mu: object, logvar: object) -> tuple[torch.Tensor, torch.Tensor]:
    """Encoder outputs of shape (n, d), same shape and device, finite, common dtype.

    `logvar` must also lie in [-LOGVAR_LIMIT, LOGVAR_LIMIT].
    """
    mu = check_floating("mu", mu)
    logvar = check_floating("logvar", logvar)
    if mu.shape != logvar.shape:
        raise ValueError(
            f"`mu` and `logvar` must have the same shape (n, d); got {tuple(mu.shape)} "
            f"and {tuple(logvar.shape)}."
        )
    if mu.device != logvar.device:
        raise ValueError(
            f"`mu` and `logvar` must be on the same device; got {mu.device} and {logvar.device}."
        )
    mu = check_tensor("mu", mu, ndim=2)
    logvar = check_tensor("logvar", logvar, ndim=2)
    check_logvar_range(logvar.detach())
    dtype = torch.promote_types(mu.dtype, logvar.dtype)
    return mu.detach().to(dtype), logvar.detach().to(dtype)


def check_positive_int(name: str, value: object, *, minimum: int = 1) -> int:
    """An integer >= `minimum` (the core check: one message format everywhere)."""
    return check_int(name, value, minimum=minimum)


def check_n_mc(value: object) -> int:
    """The number of Monte Carlo points for an aggregate posterior, at least MIN_N_MC."""
    n = check_int("n_mc", value, minimum=-(2**63))  # the type; the bound below
    if n < MIN_N_MC:
        raise ValueError(
            f"`n_mc` must be >= {MIN_N_MC}; got {n}. With fewer draws the Monte Carlo "
            "estimates of the aggregate posterior and their standard errors are unreliable."
        )
    return n


def check_bool(name: str, value: object) -> bool:
    """A real boolean (``bool`` or ``numpy.bool_``); TypeError naming `name` otherwise."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"`{name}` must be a bool (True or False); got {value!r}.")
    return bool(value)


def check_real(name: str, value: object, *, nonnegative: bool = False) -> float:
    """A finite real scalar (Python or numpy number, not bool, not a tensor)."""
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        tensor = isinstance(value, torch.Tensor)
        hint = " (use `.item()` for a one-element tensor)" if tensor else ""
        raise TypeError(f"`{name}` must be a real number; got {type(value).__name__}{hint}.")
    v = float(value)
    if nonnegative and not (np.isfinite(v) and v >= 0):
        raise ValueError(f"`{name}` must be a finite number >= 0; got {v!r}.")
    if not np.isfinite(v):
        raise ValueError(f"`{name}` must be finite; got {v!r}.")
    return v


def check_rng(rng: object) -> RngLike:
    """Validate `rng`: None, an int >= 0, a numpy Generator or a torch.Generator."""
    if rng is None or isinstance(rng, (np.random.Generator, torch.Generator)):
        return rng
    if isinstance(rng, (bool, np.bool_)) or not isinstance(rng, numbers.Integral):
        raise TypeError(
            "`rng` must be None, a non-negative int seed, a numpy.random.Generator or a "
            f"torch.Generator; got {type(rng).__name__} {rng!r}."
        )
    if int(rng) < 0:
        raise ValueError(f"`rng` must be a non-negative int seed; got {int(rng)}.")
    return int(rng)


def seed_from(rng: object) -> int:
    """A 63-bit seed drawn from `rng` (validated by :func:`check_rng`)."""
    rng = check_rng(rng)
    if isinstance(rng, torch.Generator):
        return int(torch.randint(0, 2**62, (1,), generator=rng, device=rng.device))
    return int(np.random.default_rng(rng).integers(0, 2**63 - 1))


def make_generator(rng: object, device: torch.device) -> torch.Generator:
    """Normalise `rng` to a torch.Generator.

    None, an int or a numpy Generator seeds a new generator on `device`; a torch.Generator
    is used as is (samples are then drawn on its device and moved).
    """
    rng = check_rng(rng)
    if isinstance(rng, torch.Generator):
        return rng
    g = torch.Generator(device=device)
    g.manual_seed(seed_from(rng))
    return g
