"""Encoder, decoder and the MAE auxiliary network r_ω(z|x): plain MLPs."""

from __future__ import annotations

import math

import torch
from torch import nn

ACTIVATIONS = {"relu": nn.ReLU, "tanh": nn.Tanh, "softplus": nn.Softplus}
#: hidden-layer kinds: the activations above, or "gated" (GatedDense units)
LAYER_KINDS = (*ACTIVATIONS, "gated")


class GatedDense(nn.Module):
    """A gated linear unit ``h(x) * sigmoid(g(x))`` (Dauphin et al. 2017), the hidden layer
    of the VampPrior paper's MLP VAEs (Tomczak & Welling 2018); He-initialised."""

    def __init__(self, n_in: int, n_out: int):
        super().__init__()
        self.h = nn.Linear(n_in, n_out)
        self.g = nn.Linear(n_in, n_out)
        for lin in (self.h, self.g):
            nn.init.kaiming_normal_(lin.weight)
            nn.init.zeros_(lin.bias)

    def forward(self, x):
        return self.h(x) * torch.sigmoid(self.g(x))


def mlp(n_in: int, hidden: int, n_layers: int, n_out: int, activation: str) -> nn.Sequential:
    """`n_layers` hidden layers of width `hidden`, then a linear output layer.

    ReLU layers get He (Kaiming-normal, fan-in) initialisation and zero biases;
    ``"gated"`` uses :class:`GatedDense` layers; other activations keep torch's default
    initialisation.
    """
    layers: list[nn.Module] = []
    width = n_in
    for _ in range(n_layers):
        if activation == "gated":
            layers.append(GatedDense(width, hidden))
            width = hidden
            continue
        lin = nn.Linear(width, hidden)
        if activation == "relu":
            nn.init.kaiming_normal_(lin.weight, nonlinearity="relu")
            nn.init.zeros_(lin.bias)
        layers += [lin, ACTIVATIONS[activation]()]
        width = hidden
    layers.append(nn.Linear(width, n_out))
    return nn.Sequential(*layers)


class GaussianHead(nn.Module):
    """x -> (mu, logvar) of a diagonal Gaussian over `n_out` dimensions."""

    def __init__(self, n_in, n_out, hidden, n_layers, activation, logvar_min=-12.0,
                 logvar_max=8.0):
        super().__init__()
        self.net = mlp(n_in, hidden, n_layers, 2 * n_out, activation)
        self.n_out = n_out
        self.logvar_min, self.logvar_max = logvar_min, logvar_max

    def forward(self, x):
        out = self.net(x)
        mu, logvar = out[..., : self.n_out], out[..., self.n_out:]
        # soft clamp keeps exp(-logvar) finite without killing gradients inside the range
        logvar = self.logvar_min + nn.functional.softplus(logvar - self.logvar_min)
        logvar = self.logvar_max - nn.functional.softplus(self.logvar_max - logvar)
        return mu, logvar


class VAE(nn.Module):
    """Diagonal-Gaussian encoder q(z|x), N(0, I) prior, Bernoulli or Gaussian decoder.

    ``decoder="bernoulli"``: the decoder returns pixel logits.
    ``decoder="gaussian"``: it returns (mean, logvar) per pixel (needed for the
    decoder-side Fisher term λ_x |J(x|z) - F_x|).
    """

    def __init__(self, n_pixels=784, latent=40, hidden=300, n_layers=5, activation="relu",
                 decoder="bernoulli"):
        super().__init__()
        if decoder not in ("bernoulli", "gaussian"):
            raise ValueError(f"`decoder` must be 'bernoulli' or 'gaussian'; got {decoder!r}.")
        self.n_pixels, self.latent, self.decoder_kind = n_pixels, latent, decoder
        self.encoder = GaussianHead(n_pixels, latent, hidden, n_layers, activation)
        if decoder == "bernoulli":
            self.decoder = mlp(latent, hidden, n_layers, n_pixels, activation)
        else:
            self.decoder = GaussianHead(latent, n_pixels, hidden, n_layers, activation,
                                        logvar_min=-9.0, logvar_max=4.0)

    def encode(self, x):
        return self.encoder(x)

    def log_px_z(self, x, z):
        """log p(x|z) summed over pixels; broadcasts x of shape (b, P) against z (..., b, d)."""
        if self.decoder_kind == "bernoulli":
            logits = self.decoder(z)
            x = x.expand_as(logits)
            return -nn.functional.binary_cross_entropy_with_logits(
                logits, x, reduction="none").sum(-1)
        mean, logvar = self.decoder(z)
        return -0.5 * (((x - mean) ** 2) * torch.exp(-logvar) + logvar
                       + math.log(2 * math.pi)).sum(-1)

    def decode_mean(self, z):
        if self.decoder_kind == "bernoulli":
            return torch.sigmoid(self.decoder(z))
        return self.decoder(z)[0]

    def decoder_logvar(self, z):
        if self.decoder_kind != "gaussian":
            raise ValueError("the decoder Fisher term needs `decoder='gaussian'`.")
        return self.decoder(z)[1]


class AuxiliaryPosterior(nn.Module):
    """r_ω(z|x) of the Mutual Auto-Encoder: a diagonal Gaussian network."""

    def __init__(self, n_pixels=784, latent=40, hidden=300, n_layers=2, activation="relu"):
        super().__init__()
        self.head = GaussianHead(n_pixels, latent, hidden, n_layers, activation)

    def forward(self, x):
        return self.head(x)


def gaussian_logpdf(z, mu, logvar):
    """log N(z; mu, diag(exp(logvar))) summed over the last axis."""
    return -0.5 * (((z - mu) ** 2) * torch.exp(-logvar) + logvar
                   + math.log(2 * math.pi)).sum(-1)
