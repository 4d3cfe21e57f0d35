"""Closed-form Fisher information of diagonal-Gaussian posteriors and the FAE penalty."""

from __future__ import annotations

import torch

from ._checks import _describe_nonfinite, check_bool, check_floating, check_real

__all__ = ["gaussian_fisher", "fisher_penalty"]

_REDUCTIONS = ("mean", "sum", "none")


def _check_logvar(logvar: object) -> torch.Tensor:
    logvar = check_floating("logvar", logvar)
    if logvar.ndim < 1:
        raise ValueError(f"`logvar` must have shape (..., d); got {tuple(logvar.shape)}.")
    if logvar.shape[-1] == 0 or logvar.numel() == 0:
        raise ValueError(f"`logvar` must not be empty; got shape {tuple(logvar.shape)}.")
    return logvar


def _check_fisher(j: torch.Tensor, logvar: torch.Tensor) -> None:
    """One device sync: J is finite iff logvar is finite and exp(-logvar) does not overflow."""
    if bool(torch.isfinite(j).all()):
        return
    lv = logvar.detach()
    if not bool(torch.isfinite(lv).all()):
        raise ValueError(f"`logvar` must be finite; {_describe_nonfinite(lv)}.")
    raise ValueError(
        f"`logvar` gives a Fisher information Σ exp(-logvar) that overflows {lv.dtype} "
        f"(smallest logvar {float(lv.min()):.6g}): the encoder's variances collapsed. Clamp "
        "its log-variance from below or compute in float64."
    )


def gaussian_fisher(logvar: torch.Tensor, *, per_dim: bool = False) -> torch.Tensor:
    r"""Trace of the Fisher information of N(μ, diag(exp(logvar))), per example.

    J(z|x) = Σⱼ exp(-logvarⱼ) (the paper's Eq. 10, summed over latent dimensions).

    Parameters
    ----------
    logvar : Tensor, shape (..., d)
        Log-variances of a diagonal Gaussian posterior.
    per_dim : bool
        Return the mean over dimensions, J/d, instead of the trace.

    Returns
    -------
    Tensor, shape (...)
        Differentiable with respect to `logvar`, in its dtype.

    Raises
    ------
    TypeError
        `logvar` not a floating-point tensor, `per_dim` not a bool.
    ValueError
        Empty or non-finite `logvar`, or exp(-logvar) overflowing its dtype (logvar below
        about -88 in float32, -709 in float64).

    Notes
    -----
    The finiteness check runs on the result (one device synchronisation per call).

    Examples
    --------
    >>> import torch
    >>> from infoplane.vae import gaussian_fisher
    >>> gaussian_fisher(torch.log(torch.tensor([[1.0, 0.25]])))
    tensor([5.])
    """
    logvar = _check_logvar(logvar)
    per_dim = check_bool("per_dim", per_dim)
    e = torch.exp(-logvar)
    j = e.mean(dim=-1) if per_dim else e.sum(dim=-1)
    _check_fisher(j, logvar)
    return j


def fisher_penalty(
    logvar: torch.Tensor,
    target: float,
    *,
    weight: float = 1.0,
    reduction: str = "mean",
    per_dim: bool = False,
) -> torch.Tensor:
    r"""The Fisher Auto-Encoder penalty ``λ·|J(z|x) - F|`` (the paper's Eq. 7 and 11).

    Parameters
    ----------
    logvar : Tensor, shape (batch, d)
        Log-variances of the diagonal-Gaussian encoder (or of a Gaussian decoder, for
        the J(x|z) term).
    target : float
        The desired Fisher information F >= 0.
    weight : float
        λ >= 0.
    reduction : {"mean", "sum", "none"}
        Reduction over the batch.
    per_dim : bool
        Which scale F lives on. ``False`` (the paper's Eq. 10): F is compared with the
        trace Σⱼ 1/σⱼ². ``True``: with the mean over dimensions, Σⱼ 1/σⱼ² / d, which is
        what the authors' released code effectively does. With d = 40 latent dimensions,
        F = 20 on the trace asks for mean σ² ≈ 2 (wider than the prior), while F = 20
        per dimension asks for σ² ≈ 0.05.

    Returns
    -------
    Tensor
        Scalar for ``"mean"``/``"sum"``, shape (batch,) for ``"none"``; subtract it from
        the ELBO (add it to the loss).

    Raises
    ------
    TypeError
        `logvar` not a floating-point tensor; `target`/`weight` not real numbers;
        `per_dim` not a bool.
    ValueError
        Empty or non-finite `logvar`, a J that overflows the dtype, negative or
        non-finite `target`/`weight`, unknown `reduction`.

    Notes
    -----
    For q(z|x) = N(μ, diag σ²) the Fisher information of z is J(z|x) = Σⱼ 1/σⱼ², so the
    penalty is a function of the encoder's log-variances only; its gradient is
    -λ·sign(J - F)·exp(-logvarⱼ) (times 1/d with ``per_dim=True``). For a Gaussian
    decoder pass its log-variances to penalise J(x|z) the same way. The two readings of F
    differ by the factor d: the paper's Eq. 10 sums over dimensions, the authors' code
    averages, so a published F must be used with the reading it was tuned for. The
    finiteness check of J synchronises with the device once per call. The overhead
    on a training step of the paper's MLP VAE is measured in docs/vae_benchmarks.md.

    Examples
    --------
    >>> import torch
    >>> from infoplane.vae import fisher_penalty
    >>> lv = torch.zeros(4, 40)                       # σ² = 1: trace J = 40
    >>> fisher_penalty(lv, 20.0, weight=0.5)
    tensor(10.)
    >>> fisher_penalty(lv, 20.0, weight=0.5, per_dim=True)   # J/d = 1
    tensor(9.5000)
    """
    if not isinstance(reduction, str) or reduction not in _REDUCTIONS:
        raise ValueError(f"`reduction` must be one of {set(_REDUCTIONS)}; got {reduction!r}.")
    target = check_real("target", target, nonnegative=True)
    weight = check_real("weight", weight, nonnegative=True)
    j = gaussian_fisher(logvar, per_dim=per_dim)
    pen = weight * (j - target).abs()
    if reduction == "mean":
        return pen.mean()
    if reduction == "sum":
        return pen.sum()
    return pen
