"""Core API: results objects, dispatch, Gaussian closed forms against independent numerics."""

import math

import numpy as np
import pytest
from scipy import integrate, stats

import infoplane as ip


def test_estimate_is_frozen_and_floatable():
    e = ip.Estimate(1.5, 0.1, "monte-carlo", n_samples=10)
    assert float(e) == 1.5
    with pytest.raises(AttributeError):
        e.value = 2.0  # type: ignore[misc]
    lo, hi = e.interval(0.95)
    assert lo == pytest.approx(1.5 - 1.959964 * 0.1, rel=1e-6)
    assert hi == pytest.approx(1.5 + 1.959964 * 0.1, rel=1e-6)


def test_gaussian_1d_closed_forms_match_scipy_and_quadrature():
    g = ip.Gaussian(1.0, 2.5)
    # entropy: scipy's own closed form is an independent implementation
    assert ip.entropy(g).value == pytest.approx(
        stats.norm(1.0, math.sqrt(2.5)).entropy(), rel=1e-13
    )
    # Fisher information by direct quadrature of f'^2/f with scipy's pdf
    ref, _ = integrate.quad(
        lambda x: stats.norm.pdf(x, 1, math.sqrt(2.5)) * ((x - 1) / 2.5) ** 2, -np.inf, np.inf
    )
    assert ip.fisher(g).value == pytest.approx(ref, rel=1e-10)
    q = ip.fisher(g, method="quadrature")
    assert q.method == "quadrature" and abs(q.value - 0.4) <= max(10 * q.stderr, 1e-9)


@pytest.mark.statistical
def test_gaussian_full_cov_monte_carlo_within_stderr():
    cov = np.array([[2.0, 0.6, 0.0], [0.6, 1.0, -0.3], [0.0, -0.3, 3.0]])
    g = ip.Gaussian([0.0, 1.0, -2.0], cov)
    truth_j = np.trace(np.linalg.inv(cov))
    truth_h = stats.multivariate_normal(np.zeros(3), cov).entropy()
    jm = ip.fisher(g, method="monte-carlo", rng=1, n_samples=100_000)
    hm = ip.entropy(g, method="monte-carlo", rng=2, n_samples=100_000)
    assert abs(jm.value - truth_j) < 4 * jm.stderr
    assert abs(hm.value - truth_h) < 4 * hm.stderr
    assert ip.fisher(g).value == pytest.approx(truth_j, rel=1e-12)
    assert ip.entropy(g).value == pytest.approx(truth_h, rel=1e-12)
    fm = ip.fisher_matrix(g, method="monte-carlo", rng=3, n_samples=100_000)
    z = (fm.value - np.linalg.inv(cov)) / fm.stderr
    assert np.all(np.abs(z) < 4.5)
    assert abs(fm.trace.value - truth_j) < 4 * fm.trace.stderr


def test_stam_equality_for_isotropic_and_amgm_for_anisotropic():
    p = ip.fs_point(ip.Gaussian(np.zeros(4), 3.0))
    assert p.product.value == pytest.approx(1.0, rel=1e-12)
    var = np.array([0.5, 1.0, 2.0, 8.0])
    p = ip.fs_point(ip.Gaussian(np.zeros(4), var))
    amgm = np.exp(np.mean(np.log(var))) * np.mean(1 / var)
    assert p.product.value == pytest.approx(amgm, rel=1e-12)
    assert p.product.value > 1


def test_monte_carlo_target_rse_stops_early():
    g = ip.Gaussian(np.zeros(2), 1.0)
    e = ip.fisher(g, method="monte-carlo", rng=0, target_rse=0.01, n_samples=10**6, batch_size=1000)
    assert e.n_samples < 10**6
    assert e.stderr / e.value <= 0.0101


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(mean=0.0, cov=-1.0), "cov"),
        (dict(mean=[0, 0], cov=[[1, 2], [2, 1]]), "positive definite"),
        (dict(mean=[0, 0, 0], cov=[1.0, 1.0]), "mean"),
        (dict(mean=np.nan, cov=1.0), "mean"),
        (dict(mean=[0, 0], cov=[[1, 0.1], [0.2, 1]]), "symmetric"),
    ],
)
def test_gaussian_bad_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ip.Gaussian(**kwargs)


def test_bad_method_and_options():
    with pytest.raises(ValueError, match="method"):
        ip.fisher(ip.Gaussian(), method="kl")
    with pytest.raises(ValueError, match="quadrature"):
        ip.fisher(ip.Gaussian([0, 0], 1.0), method="quadrature")
    with pytest.raises(TypeError, match="unexpected option"):
        ip.fisher(ip.Gaussian(), method="monte-carlo", n_sample=10)
    with pytest.raises(TypeError):
        ip.fisher("not data")


def test_fs_point_N_and_J_are_the_names_in_its_repr():
    """Issue #9: the repr says N=… J=…, so p.N and p.J exist (read-only aliases)."""
    p = ip.fs_point(ip.Laplace(0.0, 2.0))
    assert p.N is p.entropy_power and p.J is p.fisher
    # Laplace(b=2): H = 1 + ln 4, N = exp(2H)/(2πe) = 8e/π, J = 1/b² = 1/4
    assert p.N.value == pytest.approx(8 * math.e / math.pi, rel=1e-14)
    assert p.J.value == 0.25
    r = repr(p)
    assert f"N={p.N.value:.6g}" in r and f"J={p.J.value:.6g}" in r
    n, j = p
    assert (n, j) == (p.N.value, p.J.value)
    # read-only: a frozen slots dataclass refuses the assignment (CPython raises TypeError
    # rather than AttributeError for a non-field name there), and nothing changes
    with pytest.raises((AttributeError, TypeError)):
        p.N = p.J  # type: ignore[misc]
    assert p.N is p.entropy_power
