"""Latent-space metrics VAE users expect next to the FS point: KL per dimension, active units."""

from __future__ import annotations

import torch

from ._checks import check_bool, check_mu_logvar, check_real, check_tensor

__all__ = ["kl_per_dim", "active_units"]


def kl_per_dim(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    r"""Mean over data of KL(q(z_j|x) || N(0, 1)) for each latent dimension j.

    KL = ½ (μ² + σ² - log σ² - 1) per dimension, averaged over the rows. Their sum is the
    ELBO's KL term. Differentiable, on the input's device.

    Parameters
    ----------
    mu, logvar : Tensor, shape (n, d)
        Floating point, finite, ``|logvar| <= 300``.

    Returns
    -------
    Tensor, shape (d,)

    Raises
    ------
    TypeError
        Non-tensor or non-floating inputs.
    ValueError
        Mismatched shapes or devices, NaN/inf, an empty batch, ``|logvar| > 300``.

    Examples
    --------
    >>> import torch
    >>> from infoplane.vae import kl_per_dim
    >>> kl_per_dim(torch.tensor([[0.0, 2.0]]), torch.zeros(1, 2))   # ½μ²
    tensor([0., 2.])
    """
    check_mu_logvar(mu, logvar)  # validates; keep the originals for autograd
    return (0.5 * (mu * mu + torch.exp(logvar) - logvar - 1.0)).mean(dim=0)


def active_units(
    mu: torch.Tensor, threshold: float = 1e-2, *, return_variance: bool = False
) -> int | tuple[int, torch.Tensor]:
    r"""Number of active latent units (Burda et al., 2016).

    Unit j is active when A_j = Cov_x(E_{q(z|x)}[z_j]) = Var_x(μ_j) > `threshold`.

    Parameters
    ----------
    mu : Tensor, shape (n, d)
        Posterior means over a data set (n >= 2).
    threshold : float
        Activity threshold; Burda et al. use 0.01.
    return_variance : bool
        Also return the activities A_j (tensor of shape (d,)).

    Returns
    -------
    int, or (int, Tensor)

    Raises
    ------
    TypeError
        `mu` not a floating-point tensor, `threshold` not a real number,
        `return_variance` not a bool.
    ValueError
        `mu` not of shape (n, d) with n >= 2, non-finite `mu`, negative `threshold`.

    References
    ----------
    Y. Burda, R. Grosse, R. Salakhutdinov, "Importance Weighted Autoencoders", ICLR 2016,
    Section 5.2.

    Examples
    --------
    >>> import torch
    >>> from infoplane.vae import active_units
    >>> mu = torch.stack([torch.linspace(-1, 1, 50), torch.full((50,), 3.0)], dim=1)
    >>> active_units(mu)           # the constant second unit is inactive
    1
    """
    mu = check_tensor("mu", mu, ndim=2)
    if mu.shape[0] < 2:
        raise ValueError(f"`mu` has {mu.shape[0]} rows; at least 2 are needed for a variance.")
    threshold = check_real("threshold", threshold, nonnegative=True)
    return_variance = check_bool("return_variance", return_variance)
    act = mu.detach().var(dim=0, correction=1)
    n = int((act > threshold).sum())
    return (n, act) if return_variance else n
