"""infoplane.KDE: a Gaussian KDE as an exact density, checked against scipy and quadrature."""

import math

import numpy as np
import pytest
from scipy import integrate, stats
from scipy.special import logsumexp

import infoplane as ip
from infoplane.densities import Density


@pytest.fixture
def x1():
    return np.random.default_rng(3).standard_normal(40) * 1.5 + 2.0


@pytest.fixture
def x2():
    return np.random.default_rng(4).standard_normal((30, 2)) @ np.array([[1.0, 0.3], [0.0, 0.5]])


def _scipy_logpdf(x, H, pts):
    """log of (1/n) Σ_j N(p; x_j, H) from scipy.stats.multivariate_normal."""
    x = np.asarray(x, dtype=float).reshape(len(x), -1)
    pts = np.asarray(pts, dtype=float).reshape(len(pts), -1)
    lp = np.array([stats.multivariate_normal(c, H).logpdf(pts) for c in x]).reshape(len(x), -1)
    return logsumexp(lp, axis=0) - math.log(len(x))


def test_is_density_and_exported():
    assert issubclass(ip.KDE, Density)
    assert ip.densities.KDE is ip.KDE
    assert "KDE" in ip.__all__


def test_logpdf_matches_scipy_1d(x1):
    kde = ip.KDE(x1, bandwidth=0.7)
    pts = np.linspace(-4, 8, 13)
    np.testing.assert_allclose(kde.logpdf(pts), _scipy_logpdf(x1, [[0.49]], pts), rtol=1e-12)


def test_logpdf_matches_scipy_2d_matrix_bandwidth(x2):
    H = np.array([[0.3, 0.1], [0.1, 0.2]])
    kde = ip.KDE(x2, bandwidth=H)
    pts = np.random.default_rng(0).standard_normal((9, 2)) * 2
    np.testing.assert_allclose(kde.logpdf(pts), _scipy_logpdf(x2, H, pts), rtol=1e-12)
    np.testing.assert_allclose(kde.bandwidth_matrix, H)


def test_logpdf_finite_far_in_the_tails(x1):
    kde = ip.KDE(x1, bandwidth=0.2)
    lp = kde.logpdf([200.0])
    # a single kernel dominates far away: log N(200; x_max, 0.04) - log n
    xm = x1.max()
    ref = -0.5 * (200 - xm) ** 2 / 0.04 - 0.5 * math.log(2 * math.pi * 0.04) - math.log(x1.size)
    np.testing.assert_allclose(lp, ref, rtol=1e-12)


def test_score_matches_numpy_reference(x2):
    H = np.array([[0.3, 0.1], [0.1, 0.2]])
    kde = ip.KDE(x2, bandwidth=H)
    pts = np.random.default_rng(1).standard_normal((7, 2))
    Hi = np.linalg.inv(H)
    ref = []
    for p in pts:
        d = x2 - p
        lw = -0.5 * np.einsum("ij,jk,ik->i", d, Hi, d)
        w = np.exp(lw - lw.max())
        w /= w.sum()
        ref.append(Hi @ (w @ d))
    np.testing.assert_allclose(kde.score(pts), np.array(ref), rtol=1e-10, atol=1e-13)


def test_score_is_gradient_of_logpdf(x1):
    kde = ip.KDE(x1, bandwidth=0.5)
    pts = np.linspace(-1, 5, 7)
    eps = 1e-5
    num = (kde.logpdf(pts + eps) - kde.logpdf(pts - eps)) / (2 * eps)
    np.testing.assert_allclose(kde.score(pts), num, rtol=1e-6, atol=1e-8)


def test_sample_moments(x2):
    kde = ip.KDE(x2, bandwidth=0.4)
    s = kde.sample(40_000, rng=5)
    assert s.shape == (40_000, 2)
    se = np.sqrt(np.diag(kde.cov()) / s.shape[0])
    assert np.all(np.abs(s.mean(axis=0) - kde.mean()) < 4 * se)
    np.testing.assert_allclose(np.cov(s.T), kde.cov(), atol=0.05)


def test_fisher_of_kde_1d_is_exact_functional(x1):
    kde = ip.KDE(x1, bandwidth=0.6)
    h2 = 0.36

    def f(t):
        return np.mean(np.exp(-0.5 * (t - x1) ** 2 / h2)) / math.sqrt(2 * math.pi * h2)

    def fp(t):
        return np.mean(-(t - x1) / h2 * np.exp(-0.5 * (t - x1) ** 2 / h2)) / math.sqrt(
            2 * math.pi * h2
        )

    lo, hi = x1.min() - 12, x1.max() + 12
    ref_j = integrate.quad(lambda t: fp(t) ** 2 / f(t), lo, hi, limit=400, points=sorted(x1))[0]
    ref_h = integrate.quad(lambda t: -f(t) * math.log(f(t)), lo, hi, limit=400,
                           points=sorted(x1))[0]
    est_j = ip.fisher(kde)
    est_h = ip.entropy(kde)
    assert est_j.method == "quadrature"
    np.testing.assert_allclose(est_j.value, ref_j, rtol=1e-7)
    np.testing.assert_allclose(est_h.value, ref_h, rtol=1e-7)


def test_fisher_of_kde_2d_monte_carlo_vs_grid():
    x = np.array([[0.0, 0.0], [1.0, 0.5], [-0.5, 1.0]])
    kde = ip.KDE(x, bandwidth=0.5)
    # independent 2-D grid quadrature of |∇f|²/f
    g = np.linspace(-4.5, 5.5, 801)
    X, Y = np.meshgrid(g, g, indexing="ij")
    f = np.zeros_like(X)
    fx = np.zeros_like(X)
    fy = np.zeros_like(X)
    for cx, cy in x:
        k = np.exp(-0.5 * ((X - cx) ** 2 + (Y - cy) ** 2) / 0.25) / (2 * math.pi * 0.25) / 3
        f += k
        fx += -(X - cx) / 0.25 * k
        fy += -(Y - cy) / 0.25 * k
    dx = g[1] - g[0]
    ref = np.sum((fx**2 + fy**2) / f) * dx * dx
    est = ip.fisher(kde, n_samples=100_000, rng=2)
    assert est.method == "monte-carlo"
    assert abs(est.value - ref) < 4 * est.stderr


def test_auto_bandwidth_is_the_score_matching_choice():
    from infoplane._numerics import cv_factor, sm_bandwidth

    x = np.random.default_rng(8).standard_normal((500, 2))
    kde = ip.KDE(x, rng=0)
    cov = np.cov(x.T)
    Y = np.linalg.solve(np.linalg.cholesky(cov), (x - x.mean(axis=0)).T).T
    h = sm_bandwidth(Y, np.random.default_rng(0), 1000).h * cv_factor(2)
    np.testing.assert_allclose(kde.bandwidth_matrix, h * h * cov, rtol=1e-10)
    sil = ip.KDE(x, bandwidth="silverman").bandwidth_matrix
    fac = (4 / 4) ** (1 / 6) * 500 ** (-1 / 6)
    np.testing.assert_allclose(sil, fac**2 * cov, rtol=1e-10)


@pytest.mark.parametrize(
    "bw, err",
    [("scott", ValueError), (-1.0, ValueError), (np.nan, ValueError),
     ([[1.0, 2.0], [2.0, 1.0]], ValueError), (np.eye(3), ValueError), (True, TypeError)],
)
def test_bad_bandwidth(x2, bw, err):
    with pytest.raises(err, match="bandwidth"):
        ip.KDE(x2, bandwidth=bw)


def test_bad_data():
    with pytest.raises(ValueError, match="`x`"):
        ip.KDE(np.array([1.0, np.nan, 2.0]))
    with pytest.raises(ValueError, match="`x`"):
        ip.KDE(np.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="singular"):
        ip.KDE(np.ones((10, 2)))
