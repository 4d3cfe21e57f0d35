"""Input checks for tensors (the torch counterpart of :mod:`infoplane._validation`).

Kept inside :mod:`infoplane.vae` because nothing outside it may import torch.
"""

from __future__ import annotations

import numbers

import numpy as np
import torch

from .._validation import check_int

__all__ = ["check_tensor", "check_mu_logvar", "check_positive_int", "make_generator"]


def _describe_nonfinite(t: torch.Tensor) -> str:
    bad = ~torch.isfinite(t)
    n_nan = int(torch.isnan(t).sum())
    n_inf = int(torch.isinf(t).sum())
    first = torch.nonzero(bad)[0].tolist()
    where = f"row {first[0]}" if t.ndim >= 1 else "the value"
    return f"found {n_nan} NaN and {n_inf} inf (first at {where})"


def check_tensor(name: str, t, *, ndim: int | None = None) -> torch.Tensor:
    """A finite, non-empty floating tensor (float16/bfloat16 promoted to float32)."""
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"`{name}` must be a torch.Tensor; got {type(t).__name__}.")
    if not t.is_floating_point():
        raise TypeError(f"`{name}` must be a floating-point tensor; got dtype {t.dtype}.")
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


def check_mu_logvar(mu, logvar) -> tuple[torch.Tensor, torch.Tensor]:
    """Encoder outputs of shape (n, d), same shape and device, finite, common dtype."""
    if not isinstance(mu, torch.Tensor):
        raise TypeError(f"`mu` must be a torch.Tensor; got {type(mu).__name__}.")
    if not isinstance(logvar, torch.Tensor):
        raise TypeError(f"`logvar` must be a torch.Tensor; got {type(logvar).__name__}.")
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
    dtype = torch.promote_types(mu.dtype, logvar.dtype)
    return mu.detach().to(dtype), logvar.detach().to(dtype)


# integer options share the core check (one message format everywhere)
check_positive_int = check_int


def make_generator(rng, device: torch.device) -> torch.Generator:
    """Normalise `rng` (None, int, numpy Generator or torch.Generator) to a torch.Generator.

    An int or numpy Generator seeds a new generator on `device`; a torch.Generator is used
    as is (samples are then drawn on its device and moved).
    """
    if isinstance(rng, torch.Generator):
        return rng
    if rng is None or isinstance(rng, (numbers.Integral, np.random.Generator)):
        if isinstance(rng, (bool, np.bool_)):
            raise TypeError(f"`rng` must be None, an int, a numpy or torch Generator; got {rng!r}.")
        seed = int(np.random.default_rng(rng).integers(0, 2**63 - 1))
        g = torch.Generator(device=device)
        g.manual_seed(seed)
        return g
    raise TypeError(
        f"`rng` must be None, an int, a numpy Generator or a torch.Generator; got "
        f"{type(rng).__name__}."
    )
