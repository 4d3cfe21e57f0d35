"""d-D benchmark cases and their independent truths (closed forms; scipy Monte Carlo).

Nothing here imports infoplane: the truths must not come from the code under test.

- ``gauss``: anisotropic Gaussian N(0, Σ) with eigenvalues log-spaced in [1/4, 4] and a
  seeded random rotation; H = ½ log det(2πeΣ), J = tr Σ⁻¹ (closed forms).
- ``mixture``: two-component Gaussian mixture (weights 0.4, 0.6; means ∓1.5 e₁ + (0, 0.5 e₂);
  diagonal covariances with anisotropic entries); H and J by Monte Carlo over 2·10⁶ exact
  samples with ``scipy.stats.multivariate_normal`` densities (the score of the mixture is
  Σₖ πₖ φₖ(x)(-Σₖ⁻¹(x-μₖ)) / f(x)), standard errors reported.
"""

from __future__ import annotations

import json
import math
import os

import numpy as np
from scipy import stats
from scipy.special import logsumexp

HERE = os.path.dirname(os.path.abspath(__file__))
TRUTH_FILE = os.path.join(HERE, "truth_nd.json")


def _rotation(d, seed):
    q, r = np.linalg.qr(np.random.default_rng(seed).standard_normal((d, d)))
    return q * np.sign(np.diag(r))


def gauss_cov(d):
    ev = np.exp(np.linspace(np.log(0.25), np.log(4.0), d))
    Q = _rotation(d, 1000 + d)
    return (Q * ev) @ Q.T


def mixture_params(d):
    w = np.array([0.4, 0.6])
    m1 = np.zeros(d)
    m1[0] = -1.5
    m2 = np.zeros(d)
    m2[0] = 1.5
    m2[1] = 0.5
    v1 = np.exp(np.linspace(np.log(0.5), np.log(2.0), d))
    v2 = v1[::-1].copy()
    return w, [m1, m2], [np.diag(v1), np.diag(v2)]


def sample(case, d, n, rng):
    if case == "gauss":
        return rng.multivariate_normal(np.zeros(d), gauss_cov(d), size=n, method="cholesky")
    w, ms, cs = mixture_params(d)
    z = rng.random(n) < w[0]
    x = np.empty((n, d))
    for comp, mask in ((0, z), (1, ~z)):
        x[mask] = rng.multivariate_normal(ms[comp], cs[comp], size=int(mask.sum()))
    return x


def _mixture_terms(x, d):
    w, ms, cs = mixture_params(d)
    logp = np.stack([np.log(w[c]) + stats.multivariate_normal(ms[c], cs[c]).logpdf(x)
                     for c in range(2)])
    logf = logsumexp(logp, axis=0)
    resp = np.exp(logp - logf)
    score = np.zeros_like(x)
    for c in range(2):
        score -= resp[c][:, None] * np.linalg.solve(cs[c], (x - ms[c]).T).T
    return -logf, np.sum(score**2, axis=1)


def truth(case, d, n_mc=2_000_000):
    """(H, J, se_H, se_J) for one case."""
    if case == "gauss":
        c = gauss_cov(d)
        return (0.5 * np.linalg.slogdet(2 * np.pi * np.e * c)[1],
                float(np.trace(np.linalg.inv(c))), 0.0, 0.0)
    key = f"{case}-{d}-{n_mc}"
    cache = {}
    if os.path.exists(TRUTH_FILE):
        with open(TRUTH_FILE) as fh:
            cache = json.load(fh)
    if key not in cache:
        rng = np.random.default_rng(777 + d)
        hs, js = [], []
        for _ in range(n_mc // 200_000):
            h, j = _mixture_terms(sample(case, d, 200_000, rng), d)
            hs.append(h)
            js.append(j)
        h, j = np.concatenate(hs), np.concatenate(js)
        cache[key] = [float(h.mean()), float(j.mean()), float(h.std() / math.sqrt(h.size)),
                      float(j.std() / math.sqrt(j.size))]
        with open(TRUTH_FILE, "w") as fh:
            json.dump(cache, fh, indent=1, sort_keys=True)
    return tuple(cache[key])
