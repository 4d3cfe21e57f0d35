"""Gaussian-mixture kernels against a slow scipy reference (rtol 1e-12)."""

import numpy as np
import pytest
from scipy import special, stats

import infoplane as ip
from infoplane._kernels import mixture as k


def _ref_logpdf_score(X, w, means, covs):
    """Slow reference: scipy's multivariate_normal, logsumexp, explicit precision solves."""
    comps = np.stack([np.log(wk) + stats.multivariate_normal(m, c).logpdf(X)
                      for wk, m, c in zip(w, means, covs)], axis=-1).reshape(len(X), -1)
    lp = special.logsumexp(comps, axis=1)
    r = np.exp(comps - lp[:, None])
    grads = np.stack([-np.linalg.solve(c, (X - m).T).T for m, c in zip(means, covs)], axis=1)
    return lp, np.einsum("nk,nkd->nd", r, grads)


def _random_mixture(rng, K, d):
    w = rng.dirichlet(np.ones(K))
    means = rng.normal(0, 3, size=(K, d))
    A = rng.normal(size=(K, d, d))
    covs = A @ A.transpose(0, 2, 1) + 0.3 * np.eye(d)
    return w, means, covs


@pytest.mark.parametrize("K, d", [(1, 1), (3, 1), (4, 2), (5, 3), (2, 6)])
@pytest.mark.parametrize("n", [7, 2000])  # serial and parallel kernels
def test_mixture_kernels_match_reference(K, d, n):
    rng = np.random.default_rng(100 * K + d)
    w, means, covs = _random_mixture(rng, K, d)
    mix = ip.GaussianMixture(w, means if d > 1 else means[:, 0], covs)
    X = rng.normal(0, 4, size=(n, d))
    lp_ref, s_ref = _ref_logpdf_score(X, w, means, covs)
    np.testing.assert_allclose(mix._logpdf(X), lp_ref, rtol=1e-12)
    np.testing.assert_allclose(mix._score(X), s_ref, rtol=1e-12, atol=1e-12 * np.abs(s_ref).max())
    for fn in (k._mixture_logpdf_score, k._mixture_logpdf_score_serial):
        lp, s = fn(X, mix.means, mix._chols, mix._log_norm)
        np.testing.assert_allclose(lp, lp_ref, rtol=1e-12)
        np.testing.assert_allclose(s, s_ref, rtol=1e-12, atol=1e-12 * np.abs(s_ref).max())


def test_log_sum_exp_is_stable_far_in_the_tails():
    mix = ip.GaussianMixture([0.5, 0.5], [-1.0, 1.0], [1.0, 1.0])
    x = np.array([-60.0, 60.0])  # densities underflow to 0; logs stay finite
    lp = mix.logpdf(x)
    ref = special.logsumexp([stats.norm.logpdf(x, -1, 1), stats.norm.logpdf(x, 1, 1)], axis=0)
    ref -= np.log(2)
    np.testing.assert_allclose(lp, ref, rtol=1e-12)
    np.testing.assert_allclose(mix.score(x), [59.0, -59.0], rtol=1e-12)  # -(x - nearest mean)


def test_zero_weight_component_is_ignored():
    a = ip.GaussianMixture([0.0, 1.0], [5.0, 0.0], [1.0, 2.0])
    g = ip.Gaussian(0.0, 2.0)
    x = np.linspace(-5, 5, 11)
    np.testing.assert_allclose(a.logpdf(x), g.logpdf(x), rtol=1e-12)
    np.testing.assert_allclose(a.score(x), g.score(x), rtol=1e-12, atol=1e-15)
