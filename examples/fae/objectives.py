"""Training objectives: VAE (ELBO), FAE (ELBO - λ|J - F|) and MAE (ELBO - C|Î - M|).

Every function returns ``(loss, stats)``: the scalar to minimise and a dict of floats.

MAE (Phuong et al. 2018; the paper's Eq. 14). The mutual information is replaced by the
variational lower bound  Î = H(z) + E_{x, z~q(z|x)} log r_ω(z|x).  Here:

* H(z) of the aggregate posterior q(z) = (1/N) Σ_n q(z|x_n) is estimated on each
  minibatch by minibatch stratified sampling (Chen et al. 2018, "Isolating sources of
  disentanglement", Eq. S6): for z_i ~ q(z|x_i),
  log q(z_i) ≈ logsumexp( log q(z_i|x_i) - log N,
                          log Σ_{j≠i} q(z_i|x_j) + log((N-1) / (N (B-1))) ),
  and H(z) ≈ -mean_i log q(z_i). Unlike the plain minibatch mixture (which caps Î at
  log B ≈ 4.6 nats for B = 100, below the paper's M = 10), this can reach log N.
* r_ω is trained to maximise E log r_ω(z|x) (z detached from the encoder); in the
  penalty the encoder sees r_ω with its parameters frozen, so the penalty moves φ only.
"""

from __future__ import annotations

import math

import torch
from torch.func import functional_call

from infoplane.vae import fisher_penalty, gaussian_fisher

from .models import gaussian_logpdf

LOG_2PI_E = math.log(2 * math.pi * math.e)


def _elbo_terms(model, x, generator=None):
    mu, logvar = model.encode(x)
    eps = torch.randn(mu.shape, generator=generator, device=mu.device, dtype=mu.dtype)
    z = mu + torch.exp(0.5 * logvar) * eps
    rec = model.log_px_z(x, z)
    kl = 0.5 * (mu.pow(2) + logvar.exp() - 1.0 - logvar).sum(-1)
    return mu, logvar, z, rec, kl


def _stats(rec, kl, logvar, **extra):
    rec, kl, logvar = rec.detach(), kl.detach(), logvar.detach()
    j = gaussian_fisher(logvar)
    out = {
        "elbo": float((rec - kl).mean()),
        "rec": float(rec.mean()),
        "kl": float(kl.mean()),
        "fisher_trace": float(j.mean()),
        "mean_var": float(logvar.exp().mean()),
    }
    out.update({k: float(v.detach()) if torch.is_tensor(v) else float(v)
                for k, v in extra.items()})
    return out


def vae_loss(model, x, *, beta=1.0, generator=None, **_):
    """-ELBO with the KL term weighted by `beta` (1 except during a KL warm-up)."""
    mu, logvar, z, rec, kl = _elbo_terms(model, x, generator)
    return -(rec - beta * kl).mean(), _stats(rec, kl, logvar)


def fae_loss(model, x, *, lambda_z=1.0, f_z=20.0, lambda_x=0.0, f_x=0.0,
             per_dim=False, beta=1.0, generator=None, **_):
    """-(ELBO - λ_z |J(z|x) - F_z| - λ_x |J(x|z) - F_x|), averaged over the batch (Eq. 7)."""
    mu, logvar, z, rec, kl = _elbo_terms(model, x, generator)
    pen_z = fisher_penalty(logvar, f_z, weight=lambda_z, per_dim=per_dim)
    loss = -(rec - beta * kl).mean() + pen_z
    extra = {"penalty_z": pen_z}
    if lambda_x > 0:
        pen_x = fisher_penalty(model.decoder_logvar(z), f_x, weight=lambda_x, per_dim=per_dim)
        loss = loss + pen_x
        extra["penalty_x"] = pen_x
    return loss, _stats(rec, kl, logvar, **extra)


def aggregate_entropy_mss(z, mu, logvar, n_data):
    """Minibatch-stratified-sampling estimate of H(z) of the aggregate posterior.

    Parameters: z (B, d) with z_i ~ q(z|x_i); mu, logvar (B, d); n_data = N, the
    training-set size. Returns a scalar tensor (differentiable).
    """
    b = z.shape[0]
    if b < 2:
        raise ValueError(f"the MAE entropy estimate needs a batch of at least 2; got {b}.")
    logq = gaussian_logpdf(z[:, None, :], mu[None, :, :], logvar[None, :, :])  # (B, B)
    diag = torch.diagonal(logq)
    off = logq.masked_fill(torch.eye(b, dtype=torch.bool, device=z.device), float("-inf"))
    n = float(max(n_data, b))
    log_self = diag - math.log(n)
    log_other = torch.logsumexp(off, dim=1) + math.log((n - 1) / (n * (b - 1)))
    log_qz = torch.logaddexp(log_self, log_other)
    return -log_qz.mean()


def mae_loss(model, x, *, aux, c=1.0, m=10.0, n_data=50000, beta=1.0, generator=None, **_):
    """-(ELBO - C |Î(x,z) - M|) plus the r_ω fitting loss -E log r_ω(z|x)."""
    mu, logvar, z, rec, kl = _elbo_terms(model, x, generator)
    h_z = aggregate_entropy_mss(z, mu, logvar, n_data)
    # r_ω as seen by the encoder: parameters frozen
    frozen = {k: v.detach() for k, v in aux.named_parameters()}
    r_mu, r_lv = functional_call(aux, frozen, (x,))
    mi = h_z + gaussian_logpdf(z, r_mu, r_lv).mean()
    # r_ω's own maximum-likelihood fit on detached codes
    a_mu, a_lv = aux(x)
    aux_nll = -gaussian_logpdf(z.detach(), a_mu, a_lv).mean()
    pen = c * (mi - m).abs()
    loss = -(rec - beta * kl).mean() + pen + aux_nll
    h_zx = 0.5 * (logvar + LOG_2PI_E).sum(-1).mean()
    return loss, _stats(rec, kl, logvar, mi_bound=mi, h_z=h_z, h_z_given_x=h_zx,
                        aux_nll=aux_nll, penalty_mi=pen)


OBJECTIVES = {"vae": vae_loss, "fae": fae_loss, "mae": mae_loss}
