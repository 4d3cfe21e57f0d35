"""VAE adapter: closed forms, the aggregate posterior against the linear-Gaussian truth,
gradients of the FAE penalty, properties, bad input, and import without torch."""

import math
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays
from scipy import special, stats

torch = pytest.importorskip("torch")

from torch import distributions as D  # noqa: E402

from infoplane import AccuracyWarning  # noqa: E402
from infoplane.vae import (  # noqa: E402
    conditional_fs,
    fisher_penalty,
    gaussian_fisher,
    posterior_fs,
)
from infoplane.vae.posterior import _MixtureTable, _mixture_logq_score  # noqa: E402

Z = 4.0  # two-sided z for statistical checks (alpha ~ 6e-5 per check)


def _t(a, dtype=torch.float64):
    return torch.as_tensor(np.asarray(a), dtype=dtype)


# --------------------------------------------------------------------------- conditional


def _gaussian_fisher_by_hessian(mu_row, logvar_row):
    """tr J of N(μ, diag σ²) as -tr ∇² log q (exact for a Gaussian: the Hessian is constant).

    Independent of the library: torch's full-covariance MultivariateNormal (Cholesky
    based) log density, differentiated twice by autograd at an arbitrary point.
    """
    cov = torch.diag(torch.exp(torch.as_tensor(logvar_row, dtype=torch.float64)))
    mvn = D.MultivariateNormal(torch.as_tensor(mu_row, dtype=torch.float64), cov)
    z0 = torch.as_tensor(mu_row, dtype=torch.float64) + 0.3
    hess = torch.autograd.functional.hessian(mvn.log_prob, z0)
    return -float(torch.diagonal(hess).sum())


def test_conditional_matches_scipy_entropy_and_autograd_fisher(rng):
    m, d = 50, 4
    mu = rng.normal(size=(m, d))
    logvar = rng.normal(size=(m, d))
    p = conditional_fs(_t(mu), _t(logvar))
    hs = [stats.multivariate_normal(mu[i], np.diag(np.exp(logvar[i]))).entropy() for i in range(m)]
    js = [_gaussian_fisher_by_hessian(mu[i], logvar[i]) for i in range(m)]
    assert p.entropy.value == pytest.approx(np.mean(hs), rel=1e-12)
    assert p.fisher.value == pytest.approx(np.mean(js), rel=1e-10)
    assert p.entropy.stderr == pytest.approx(np.std(hs, ddof=1) / math.sqrt(m), rel=1e-10)
    assert p.fisher.stderr == pytest.approx(np.std(js, ddof=1) / math.sqrt(m), rel=1e-8)
    assert p.dim == d
    # the same point from posterior_fs without the Monte Carlo part
    r = posterior_fs(_t(mu), _t(logvar), aggregate=False)
    assert r.aggregate is None and math.isnan(r.mi)
    assert r.conditional_fisher == p.fisher.value


@pytest.mark.statistical
def test_conditional_fisher_is_the_mean_squared_score(rng):
    # J = E‖∇_z log q(z)‖², the definition, by Monte Carlo with autograd on torch's
    # Normal.log_prob: a check that does not share a line with the closed form
    m, d, n = 6, 3, 20_000
    mu = rng.normal(size=(m, d))
    logvar = rng.normal(size=(m, d))
    dist = D.Independent(D.Normal(_t(mu), torch.exp(0.5 * _t(logvar))), 1)
    with torch.random.fork_rng():
        torch.manual_seed(1)
        z = dist.sample((n,)).requires_grad_(True)
    (g,) = torch.autograd.grad(dist.log_prob(z).sum(), z)
    sq = (g * g).sum(-1).mean(1).numpy()  # per draw, mean over the m posteriors
    p = conditional_fs(_t(mu), _t(logvar))
    se = sq.std(ddof=1) / math.sqrt(n)
    assert abs(p.fisher.value - sq.mean()) < Z * se


@given(
    arrays(np.float64, (6, 3), elements=st.floats(-4, 4, allow_nan=False, allow_infinity=False))
)
def test_conditional_stam_product_at_least_one(logvar):
    p = conditional_fs(torch.zeros(6, 3, dtype=torch.float64), _t(logvar))
    # N·J/d = GM(σ²)·AM(1/σ²) over all rows and dims >= 1
    assert p.product.value >= 1.0 - 1e-12


@given(st.floats(-6, 6, allow_nan=False), st.integers(1, 5), st.integers(1, 8))
def test_conditional_stam_equality_when_all_sigmas_equal(lv, d, m):
    p = conditional_fs(torch.zeros(m, d, dtype=torch.float64),
                       torch.full((m, d), lv, dtype=torch.float64))
    assert p.product.value == pytest.approx(1.0, rel=1e-12)


# --------------------------------------------------------------------------- mixture kernel


def test_mixture_logq_and_score_match_bruteforce_with_chunking(rng):
    m, d, r = 7, 3, 5
    mu = rng.normal(size=(m, d)) * 2
    logvar = rng.normal(size=(m, d)) * 0.5
    z = rng.normal(size=(r, d)) * 2
    var = np.exp(logvar)
    # brute force: log N per pair with scipy, then logsumexp; score by responsibilities
    logn = np.array([[stats.multivariate_normal(mu[k], np.diag(var[k])).logpdf(z[i])
                      for k in range(m)] for i in range(r)])
    ref_logq = special.logsumexp(logn, axis=1)
    w = np.exp(logn - ref_logq[:, None])
    ref_score = np.einsum("ik,ikj->ij", w, (mu[None] - z[:, None]) / var[None])
    tab = _MixtureTable(_t(mu), _t(logvar))
    for cols in (1, 2, 3, 7):
        lq, s = _mixture_logq_score(_t(z), tab, cols, -354.0)
        np.testing.assert_allclose(lq.numpy(), ref_logq, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(s.numpy(), ref_score, rtol=1e-10, atol=1e-12)


def test_chunk_size_does_not_change_the_result(rng):
    mu = _t(rng.normal(size=(40, 3)))
    lv = _t(rng.normal(size=(40, 3)) * 0.3)
    ref = posterior_fs(mu, lv, n_mc=300, rng=7)
    for cs in (1000, 2048, 10**7):  # (rows, cols) = (300, 3), (256, 8), one block
        r = posterior_fs(mu, lv, n_mc=300, rng=7, chunk_size=cs)
        assert r.mi == pytest.approx(ref.mi, rel=1e-11)
        assert r.aggregate_fisher == pytest.approx(ref.aggregate_fisher, rel=1e-11)


def test_far_apart_components_give_log_m_and_mean_fisher(rng):
    # components 1e3 standard deviations apart: q(z) is M disjoint bumps, so
    # H(Z) = H(Z|X) + log M and J(Z) = J(Z|X) (log-sum-exp must not underflow)
    m, d = 30, 5
    mu = _t(rng.normal(size=(m, d)) * 1e3)
    lv = _t(rng.normal(size=(m, d)) * 0.2)
    r = posterior_fs(mu, lv, n_mc=600, rng=1)
    assert r.mi == pytest.approx(math.log(m), rel=1e-9)
    # a Monte Carlo estimate is never reported as exact; here only rounding is left
    assert 0 < r.mutual_information.stderr < 1e-8
    assert 0 < r.aggregate.fisher.stderr < 1e-8 * r.aggregate_fisher
    assert r.aggregate_fisher == pytest.approx(r.conditional_fisher, rel=1e-9)
    assert r.aggregate_entropy == pytest.approx(r.conditional_entropy + math.log(m), rel=1e-9)


# --------------------------------------------------------------------------- linear-Gaussian truth


@pytest.mark.statistical
@pytest.mark.parametrize("seed", [0])
def test_linear_gaussian_aggregate_matches_closed_form(seed):
    """x ~ N(0, I), q(z|x) = N(Ax, σ²I): q(z) -> N(0, AAᵀ + σ²I), I(X;Z) = ½ log det(I + AAᵀ/σ²).

    The data are whitened (sample mean 0, sample covariance exactly I), so the empirical
    mixture has exactly the target covariance; what remains is its non-Gaussianity, which
    only lowers H(Z) and raises J(Z). Measured by benchmarks/vae_mixture_bias.py (this A
    and σ, 20 datasets per M, n_mc = 20 000): bias in H -0.018 ± 0.0015, -0.0089 ± 0.0012,
    -0.0041 ± 0.0012 for M = 500, 1000, 2000 (∝ 1/M); in J +0.108 ± 0.003, +0.059 ± 0.002,
    +0.035 ± 0.002 (between 1/M and 1/√M). Extrapolated to M = 10 000: ~-0.001 in H and
    +0.007 to +0.016 in J, against Monte Carlo standard errors of ~0.010 and ~0.025 here,
    so z = 4 on the reported error is an honest tolerance.
    """
    rng = np.random.default_rng(100 + seed)
    d, m, sigma = 3, 10_000, 0.7
    a = rng.normal(size=(d, d)) * 0.8
    x = rng.normal(size=(m, d))
    x -= x.mean(axis=0)
    x = np.linalg.solve(np.linalg.cholesky(np.cov(x.T, bias=True)), x.T).T
    mu = _t(x @ a.T)
    lv = torch.full((m, d), 2 * math.log(sigma), dtype=torch.float64)
    cov = a @ a.T + sigma**2 * np.eye(d)
    h_true = stats.multivariate_normal(np.zeros(d), cov).entropy()
    j_true = np.trace(np.linalg.inv(cov))
    mi_true = 0.5 * np.linalg.slogdet(np.eye(d) + a @ a.T / sigma**2)[1]

    r = posterior_fs(mu, lv, n_mc=10_000, rng=seed)
    agg = r.aggregate
    assert agg.entropy.method == "monte-carlo" and agg.entropy.n_samples == 10_000
    assert abs(agg.entropy.value - h_true) < Z * agg.entropy.stderr
    assert abs(agg.fisher.value - j_true) < Z * agg.fisher.stderr
    assert abs(r.mi - mi_true) < Z * r.mutual_information.stderr
    # the standard errors are not inflated: the control variate can only reduce the plain
    # Monte Carlo error, which is known in closed form for a Gaussian q = N(0, Σ):
    # -log q(Z) = const + ½ χ²_d has SD √(d/2), and ‖s(Z)‖² = ZᵀΣ⁻²Z has variance
    # 2 tr Σ⁻²; 10% slack covers the estimated SE's own noise (relative SD ~1/√(2n) = 0.7%)
    # and the finite mixture's non-Gaussianity
    n_mc = 10_000
    assert agg.entropy.stderr < 1.1 * math.sqrt(d / 2) / math.sqrt(n_mc)
    assert agg.fisher.stderr < 1.1 * math.sqrt(2 * np.trace(np.linalg.matrix_power(
        np.linalg.inv(cov), 2))) / math.sqrt(n_mc)
    # ... and not vanishing: |error| < Z·stderr above already fails a too small one
    assert agg.entropy.stderr > 0 and agg.fisher.stderr > 0
    # the conditional part is exact: H(Z|X) = ½ log det(2πe σ² I)
    assert r.conditional_entropy == pytest.approx(
        0.5 * d * math.log(2 * math.pi * math.e * sigma**2), rel=1e-12
    )
    assert r.mi == pytest.approx(r.aggregate_entropy - r.conditional_entropy, rel=1e-12)


def _mixture_truth_by_quadrature(mu, var, n_grid=700):
    """H and J of the 2-D mixture (1/M) Σ N(μₘ, diag σₘ²) on a fine grid (trapezoid rule,
    exponentially accurate for smooth, fast-decaying integrands), written independently in
    NumPy with the direct (z - μ)²/σ² form."""
    sd = np.sqrt(var.max())
    axes = [np.linspace(mu[:, j].min() - 9 * sd, mu[:, j].max() + 9 * sd, n_grid) for j in range(2)]
    gx, gy = np.meshgrid(*axes, indexing="ij")
    pts = np.stack([gx.ravel(), gy.ravel()], axis=1)
    q = np.zeros(len(pts))
    grad = np.zeros_like(pts)
    for m_, v_ in zip(mu, var):
        dens = np.exp(-0.5 * (((pts - m_) ** 2) / v_).sum(1)) / (2 * np.pi * np.sqrt(v_.prod()))
        q += dens
        grad += dens[:, None] * (m_ - pts) / v_
    q /= len(mu)
    grad /= len(mu)
    cell = (axes[0][1] - axes[0][0]) * (axes[1][1] - axes[1][0])
    pos = q > 1e-300
    h = -np.sum(q[pos] * np.log(q[pos])) * cell
    j = np.sum((grad[pos] ** 2).sum(1) / q[pos]) * cell
    return h, j


@pytest.mark.statistical
def test_aggregate_is_exact_for_the_finite_mixture_and_stderr_is_calibrated(rng):
    # a lumpy 2-D mixture of 12 components: quadrature gives its H and J with no
    # finite-mixture bias at all, so every replicate's z-score must look standard normal
    m = 12
    mu = rng.normal(size=(m, 2)) * 1.5
    var = np.exp(rng.normal(size=(m, 2)) * 0.4) * 0.3
    h_true, j_true = _mixture_truth_by_quadrature(mu, var)
    r = posterior_fs(_t(mu), _t(np.log(var)), n_mc=50_000, rng=0)
    assert abs(r.aggregate_entropy - h_true) < Z * r.aggregate.entropy.stderr
    assert abs(r.aggregate_fisher - j_true) < Z * r.aggregate.fisher.stderr
    h_cond = np.mean(0.5 * np.log(2 * np.pi * np.e * var).sum(1))
    assert abs(r.mi - (h_true - h_cond)) < Z * r.mutual_information.stderr
    # calibration: 60 replicates of n_mc = 400; P(|z| < 1.96) = 0.95, and 60 Bernoulli(0.95)
    # trials give >= 49 hits with probability 1 - 2e-4
    zh, zj = [], []
    for rep in range(60):
        rr = posterior_fs(_t(mu), _t(np.log(var)), n_mc=400, rng=1000 + rep)
        zh.append((rr.aggregate_entropy - h_true) / rr.aggregate.entropy.stderr)
        zj.append((rr.aggregate_fisher - j_true) / rr.aggregate.fisher.stderr)
    assert sum(abs(z) < 1.96 for z in zh) >= 49
    assert sum(abs(z) < 1.96 for z in zj) >= 49
    # and not grossly inflated: the balanced rounds make it ~20% conservative (z SD 0.81
    # over 200 replicates with this mixture); the SD of 60 z's has a relative error ~9%
    assert 0.55 < np.std(zh) < 1.3 and 0.55 < np.std(zj) < 1.3


# --------------------------------------------------------------------------- properties


@settings(max_examples=15)
@given(
    arrays(np.float64, (12, 2), elements=st.floats(-3, 3, allow_nan=False, allow_infinity=False)),
    st.floats(0.2, 1.0),
)
def test_aggregate_moves_toward_the_bound_as_sigma_grows(mu, s1):
    # q(z) is the law of U + σG (U uniform on the rows of mu): by de Bruijn dN/dt = N·J/d
    # with t = σ², and Costa's concavity of N(U + √t G) makes N·J/d non-increasing in σ.
    # Each point is also checked against quadrature of the same mixture, unless the
    # library itself warns that its standard errors are unreliable (rare overlaps).
    mu_t = _t(mu)
    prods = []
    for s in (s1, 3 * s1, 30 * s1):
        lv = torch.full_like(mu_t, 2 * math.log(s))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            agg = posterior_fs(mu_t, lv, n_mc=1000, rng=3).aggregate
        prods.append(agg.product)
        if not any(issubclass(w.category, AccuracyWarning) for w in caught):
            # grid step <= σ/5: the trapezoid rule is exact to ~1e-12 relative here
            h_true, j_true = _mixture_truth_by_quadrature(mu, np.full_like(mu, s * s), 300)
            assert abs(agg.entropy.value - h_true) < Z * agg.entropy.stderr + 1e-10
            assert abs(agg.fisher.value - j_true) < Z * agg.fisher.stderr + 1e-10 * j_true
    for lo, hi in zip(prods[1:], prods[:-1]):
        assert lo.value <= hi.value + Z * math.hypot(lo.stderr, hi.stderr) + 1e-12
    assert all(p.value >= 1.0 - Z * p.stderr - 1e-12 for p in prods)


# --------------------------------------------------------------------------- precision


def test_float32_on_narrow_posteriors_warns():
    g = torch.Generator().manual_seed(0)
    mu = torch.randn(500, 40, generator=g, dtype=torch.float64) * 3 + 5
    lv = torch.full((500, 40), 2 * math.log(0.01), dtype=torch.float64)
    with pytest.warns(AccuracyWarning, match="float64"):
        posterior_fs(mu, lv, n_mc=500, rng=0, dtype=torch.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = posterior_fs(mu, lv, n_mc=500, rng=0)  # float64 default
    assert r.mi == pytest.approx(math.log(500), rel=1e-9)


def test_float32_inputs_and_dtype_option(rng):
    mu = rng.normal(size=(200, 2))
    lv = np.zeros((200, 2))
    r64 = posterior_fs(_t(mu), _t(lv), n_mc=2000, rng=5)
    r32 = posterior_fs(_t(mu, torch.float32), _t(lv, torch.float32), n_mc=2000, rng=5,
                       dtype=torch.float32)
    # different draws in each dtype: agree within the Monte Carlo error
    assert abs(r32.mi - r64.mi) < Z * math.hypot(r32.mutual_information.stderr,
                                                 r64.mutual_information.stderr)
    assert r32.mutual_information.options["dtype"] == "float32"
    with pytest.raises(TypeError, match="dtype"):
        posterior_fs(_t(mu), _t(lv), dtype=torch.int64)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "mu, logvar, exc, match",
    [
        (torch.zeros(4, 3), torch.zeros(4, 2), ValueError, r"same shape.*\(4, 3\).*\(4, 2\)"),
        (torch.zeros(0, 3), torch.zeros(0, 3), ValueError, "empty"),
        (torch.zeros(4, 0), torch.zeros(4, 0), ValueError, "empty"),
        (torch.zeros(3), torch.zeros(3), ValueError, r"shape \(n, d\)"),
        (torch.zeros(2, 3, 4), torch.zeros(2, 3, 4), ValueError, r"shape \(n, d\)"),
        (torch.tensor([[0.0, float("nan")]]), torch.zeros(1, 2), ValueError,
         "`mu` must be finite; found 1 NaN"),
        (torch.zeros(2, 2), torch.tensor([[0.0, 0.0], [float("inf"), 0.0]]), ValueError,
         r"`logvar` must be finite; found 0 NaN and 1 inf \(first at row 1\)"),
        (np.zeros((2, 2)), torch.zeros(2, 2), TypeError, "`mu` must be a torch.Tensor"),
        (torch.zeros(2, 2, dtype=torch.int64), torch.zeros(2, 2), TypeError, "floating"),
    ],
)
def test_bad_encoder_outputs(mu, logvar, exc, match):
    with pytest.raises(exc, match=match):
        posterior_fs(mu, logvar)
    with pytest.raises(exc, match=match):
        conditional_fs(mu, logvar)


@pytest.mark.parametrize(
    "kw, exc, match",
    [
        ({"n_mc": 0}, ValueError, "`n_mc` must be >= 300"),
        ({"n_mc": 10.5}, TypeError, "`n_mc` must be an integer"),
        ({"chunk_size": 0}, ValueError, "`chunk_size`"),
        ({"rng": "seed"}, TypeError, "`rng`"),
        ({"aggregate": 1}, TypeError, "`aggregate`"),
    ],
)
def test_bad_options(kw, exc, match):
    with pytest.raises(exc, match=match):
        posterior_fs(torch.zeros(3, 2), torch.zeros(3, 2), **kw)


def test_rng_kinds_are_reproducible():
    mu = torch.randn(30, 2, generator=torch.Generator().manual_seed(1), dtype=torch.float64)
    lv = torch.zeros(30, 2, dtype=torch.float64)
    a = posterior_fs(mu, lv, n_mc=300, rng=3).mi
    assert posterior_fs(mu, lv, n_mc=300, rng=3).mi == a
    assert posterior_fs(mu, lv, n_mc=300, rng=np.random.default_rng(3)).mi == a
    g1, g2 = torch.Generator().manual_seed(9), torch.Generator().manual_seed(9)
    assert posterior_fs(mu, lv, n_mc=300, rng=g1).mi == posterior_fs(mu, lv, n_mc=300, rng=g2).mi


# --------------------------------------------------------------------------- import without torch


def test_import_infoplane_without_torch():
    code = textwrap.dedent(
        """
        import sys
        sys.modules["torch"] = None          # makes `import torch` raise ImportError
        import infoplane
        assert "torch" not in [m for m in sys.modules if sys.modules[m] is not None]
        infoplane.fs_point(infoplane.Gaussian(0.0, 1.0))
        try:
            import infoplane.vae
        except ImportError as exc:
            assert "Missing optional dependency 'torch'" in str(exc), exc
            print("OK")
        """
    )
    import os

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=root,
                         env={**os.environ, "PYTHONPATH": root}, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "OK"
    # with torch installed, `import infoplane` still does not import it
    out = subprocess.run([sys.executable, "-c",
                          "import sys, infoplane; print('torch' in sys.modules)"],
                         capture_output=True, text=True, cwd=root,
                         env={**os.environ, "PYTHONPATH": root}, timeout=120)
    assert out.stdout.strip() == "False", out.stderr


# --------------------------------------------------------------------------- general distributions

from infoplane.vae import active_units, distribution_fs, fs_point, kl_per_dim  # noqa: E402


def _diag_normal_batch(rng, n=20, d=3):
    loc = _t(rng.normal(size=(n, d)))
    scale = _t(np.exp(rng.normal(size=(n, d)) * 0.4))
    return loc, scale


@pytest.mark.statistical
def test_distribution_fs_normal_agrees_with_closed_form(rng):
    loc, scale = _diag_normal_batch(rng)
    lv = 2 * torch.log(scale)
    exact = conditional_fs(loc, lv)
    for dist in (D.Independent(D.Normal(loc, scale), 1), D.Normal(loc, scale)):
        p = distribution_fs(dist, n_samples=4000, rng=1).conditional
        assert p.entropy.value == pytest.approx(exact.entropy.value, rel=1e-12)  # .entropy()
        assert p.entropy.method == "closed-form"
        assert abs(p.fisher.value - exact.fisher.value) < Z * p.fisher.stderr
        assert p.fisher.method == "autograd-monte-carlo"


@pytest.mark.statistical
def test_distribution_fs_full_covariance_gaussian(rng):
    n, d = 8, 3
    covs = []
    for _ in range(n):
        b = rng.normal(size=(d, d))
        covs.append(b @ b.T + 0.5 * np.eye(d))
    covs = np.array(covs)
    p = distribution_fs(D.MultivariateNormal(_t(np.zeros((n, d))), _t(covs)), n_samples=4000, rng=2)
    j_true = np.mean([np.trace(np.linalg.inv(c)) for c in covs])
    h_true = np.mean([stats.multivariate_normal(np.zeros(d), c).entropy() for c in covs])
    assert p.conditional.entropy.value == pytest.approx(h_true, rel=1e-12)
    assert abs(p.conditional.fisher.value - j_true) < Z * p.conditional.fisher.stderr
    # a single posterior: the error is the Monte Carlo error alone
    one = distribution_fs(D.MultivariateNormal(_t(np.zeros(d)), _t(covs[0])), n_samples=20000,
                          rng=3)
    jt = np.trace(np.linalg.inv(covs[0]))
    assert one.n_data == 1 and one.conditional.fisher.stderr > 0
    assert abs(one.conditional.fisher.value - jt) < Z * one.conditional.fisher.stderr


@pytest.mark.statistical
def test_distribution_fs_flow_without_entropy_and_laplace(rng):
    # an affine flow on N(0, I): .entropy() is not implemented, so H comes from -E log q
    loc, scale = _diag_normal_batch(rng, n=10, d=2)
    base = D.Independent(D.Normal(torch.zeros_like(loc), torch.ones_like(loc)), 1)
    flow = D.TransformedDistribution(base, [D.AffineTransform(loc, scale, event_dim=1)])
    p = distribution_fs(flow, n_samples=4000, rng=4).conditional
    assert p.entropy.method == "monte-carlo"
    h_true = np.mean(np.sum(0.5 * np.log(2 * np.pi * np.e * scale.numpy() ** 2), axis=1))
    j_true = np.mean(np.sum(scale.numpy() ** -2.0, axis=1))
    assert abs(p.entropy.value - h_true) < Z * p.entropy.stderr
    assert abs(p.fisher.value - j_true) < Z * p.fisher.stderr
    # non-Gaussian posterior: Laplace(b) has J = 1/b² per dimension, H = 1 + log 2b
    b = scale
    lap = distribution_fs(D.Independent(D.Laplace(loc, b), 1), n_samples=4000, rng=5).conditional
    assert lap.entropy.value == pytest.approx(np.mean(np.sum(1 + np.log(2 * b.numpy()), 1)),
                                              rel=1e-12)
    assert abs(lap.fisher.value - np.mean(np.sum(b.numpy() ** -2.0, 1))) < Z * lap.fisher.stderr


@pytest.mark.statistical
def test_generic_aggregate_agrees_with_gaussian_path(rng):
    loc, scale = _diag_normal_batch(rng, n=100, d=2)
    exact = posterior_fs(loc, 2 * torch.log(scale), n_mc=4000, rng=0)
    mvn = D.MultivariateNormal(loc, torch.diag_embed(scale**2))  # forces the generic path
    gen = distribution_fs(mvn, aggregate=True, n_mc=2000, n_samples=100, rng=1, chunk_size=50_000)
    for q in ("entropy", "fisher"):
        a, b = getattr(exact.aggregate, q), getattr(gen.aggregate, q)
        assert abs(a.value - b.value) < Z * math.hypot(a.stderr, b.stderr)
    e, g = exact.mutual_information, gen.mutual_information
    assert abs(e.value - g.value) < Z * math.hypot(e.stderr, g.stderr)


def test_distribution_fs_bad_input():
    with pytest.raises(TypeError, match="`dist` must be a torch.distributions"):
        distribution_fs(torch.zeros(3))
    with pytest.raises(ValueError, match="batch_shape"):
        distribution_fs(D.Normal(torch.zeros(2, 3, 4), 1.0))
    with pytest.raises(ValueError, match="empty"):
        distribution_fs(D.Normal(torch.zeros(0, 3), 1.0))
    with pytest.raises(ValueError, match="`n_samples` must be >= 2"):
        distribution_fs(D.Normal(torch.zeros(2, 3), 1.0), n_samples=1)
    nan_dist = D.Normal(torch.tensor([[0.0, float("nan")]]), 1.0, validate_args=False)
    with pytest.raises(ValueError, match="non-finite"):
        distribution_fs(nan_dist, n_samples=10)


# --------------------------------------------------------------------------- fs_point over data


class _LinearEncoder(torch.nn.Module):
    def __init__(self, kind="tuple"):
        super().__init__()
        torch.manual_seed(0)
        self.net = torch.nn.Linear(4, 6).double()
        self.kind = kind

    def forward(self, x):
        h = self.net(x)
        mu, lv = h[:, :3], h[:, 3:]
        if self.kind == "tuple":
            return mu, lv
        if self.kind == "normal":
            return D.Independent(D.Normal(mu, torch.exp(0.5 * lv)), 1)
        return D.MultivariateNormal(mu, torch.diag_embed(torch.exp(lv)))


def test_fs_point_over_tensor_and_dataloader_matches_posterior_fs(rng):
    x = _t(rng.normal(size=(100, 4)))
    enc = _LinearEncoder()
    with torch.no_grad():
        mu, lv = enc(x)
    ref = posterior_fs(mu, lv, n_mc=500, rng=3)
    r1 = fs_point(enc, x, batch_size=32, progress=False, n_mc=500, rng=3)
    ds = torch.utils.data.TensorDataset(x, torch.zeros(100))
    r2 = fs_point(enc, torch.utils.data.DataLoader(ds, batch_size=7), progress=False, n_mc=500,
                  rng=3)
    r3 = fs_point(_LinearEncoder("normal"), ds, batch_size=50, progress=False, n_mc=500, rng=3)
    for r in (r1, r2, r3):
        assert r.n_data == 100
        assert r.conditional_fisher == pytest.approx(ref.conditional_fisher, rel=1e-12)
        assert r.mi == pytest.approx(ref.mi, rel=1e-9)
    # non-diagonal distributions go through the autograd path
    r4 = fs_point(_LinearEncoder("mvn"), x, batch_size=50, progress=False, n_mc=500,
                  n_samples=200, rng=3)
    assert abs(r4.conditional_fisher - ref.conditional_fisher) < Z * r4.conditional.fisher.stderr
    assert abs(r4.mi - ref.mi) < Z * math.hypot(r4.mutual_information.stderr,
                                                ref.mutual_information.stderr)


def test_fs_point_bad_encoder_and_data():
    x = torch.zeros(10, 4, dtype=torch.float64)
    with pytest.raises(TypeError, match="must return"):
        fs_point(lambda x: x, x, progress=False)
    with pytest.raises(TypeError, match="callable"):
        fs_point(3, x, progress=False)
    with pytest.raises(ValueError, match="non-empty"):
        fs_point(_LinearEncoder(), torch.zeros(0, 4), progress=False)
    with pytest.raises(ValueError, match="no batches"):
        fs_point(_LinearEncoder(), [], progress=False)
    with pytest.raises(TypeError, match="`data`"):
        fs_point(_LinearEncoder(), 5, progress=False)
    with pytest.raises(ValueError, match="`logvar` must be finite"):
        fs_point(lambda x: (x[:, :2], torch.full_like(x[:, :2], float("inf"))), x, progress=False)


# --------------------------------------------------------------------------- metrics


def test_kl_per_dim_matches_torch_kl(rng):
    mu = _t(rng.normal(size=(30, 4)))
    lv = _t(rng.normal(size=(30, 4)))
    ref = D.kl_divergence(D.Normal(mu, torch.exp(0.5 * lv)), D.Normal(0.0, 1.0)).mean(0)
    torch.testing.assert_close(kl_per_dim(mu, lv), ref, rtol=1e-12, atol=1e-12)
    with pytest.raises(ValueError, match="same shape"):
        kl_per_dim(mu, lv[:, :2])


def test_active_units_burda_definition(rng):
    mu = rng.normal(size=(200, 5)) * np.array([1.0, 0.2, 0.05, 0.0, 3.0])
    n, act = active_units(_t(mu), return_variance=True)
    np.testing.assert_allclose(act.numpy(), mu.var(axis=0, ddof=1), rtol=1e-12)
    assert n == int((mu.var(axis=0, ddof=1) > 0.01).sum()) == 3
    assert active_units(_t(mu), threshold=0.0) == 4
    with pytest.raises(ValueError, match="at least 2"):
        active_units(torch.zeros(1, 3))
    with pytest.raises(ValueError, match="`threshold`"):
        active_units(_t(mu), threshold=-1.0)
    with pytest.raises(ValueError, match="`mu` must be finite"):
        active_units(torch.tensor([[0.0], [float("nan")]]))


# --------------------------------------------------------------------------- FAE penalty


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("per_dim", [False, True])
def test_fisher_penalty_gradcheck(reduction, per_dim):
    g = torch.Generator().manual_seed(0)
    lv = torch.randn(5, 4, generator=g, dtype=torch.float64, requires_grad=True)
    # a target away from every row's J so |J - F| is differentiable at the test point
    assert torch.autograd.gradcheck(
        lambda t: fisher_penalty(t, 0.01, weight=0.7, reduction=reduction, per_dim=per_dim), (lv,)
    )
    assert torch.autograd.gradcheck(
        lambda t: fisher_penalty(t, 1e3, weight=0.7, reduction=reduction, per_dim=per_dim), (lv,)
    )
    assert torch.autograd.gradcheck(lambda t: gaussian_fisher(t, per_dim=per_dim), (lv,))


def test_fisher_penalty_values_and_gradient_closed_form():
    lv = torch.log(torch.tensor([[1.0, 0.25], [4.0, 1.0]], dtype=torch.float64)).requires_grad_()
    # J = [1 + 4, 0.25 + 1] = [5, 1.25]; |J - 2| = [3, 0.75]
    pen = fisher_penalty(lv, 2.0, weight=2.0, reduction="none")
    torch.testing.assert_close(pen, torch.tensor([6.0, 1.5], dtype=torch.float64))
    fisher_penalty(lv, 2.0, weight=2.0, reduction="sum").backward()
    # d/dlv λ|Σ e^{-lv} - F| = -λ sign(J - F) e^{-lv}
    expected = -2.0 * torch.tensor([[1.0], [-1.0]], dtype=torch.float64) * torch.exp(-lv.detach())
    torch.testing.assert_close(lv.grad, expected)
    by_dim = fisher_penalty(lv, 2.0, per_dim=True, reduction="none")
    assert by_dim.tolist() == pytest.approx([0.5, 1.375])


@pytest.mark.parametrize(
    "kw, match",
    [({"target": -1.0}, "`target`"), ({"target": math.inf}, "`target`"),
     ({"target": 1.0, "weight": -1.0}, "`weight`"),
     ({"target": 1.0, "reduction": "max"}, "`reduction`")],
)
def test_fisher_penalty_bad_input(kw, match):
    with pytest.raises(ValueError, match=match):
        fisher_penalty(torch.zeros(2, 3), **kw)


@pytest.mark.parametrize(
    "bad", [torch.zeros(0, 3), torch.tensor([[0.0, float("nan")]]), torch.tensor(1.0)]
)
def test_gaussian_fisher_bad_input(bad):
    with pytest.raises(ValueError, match="`logvar`"):
        gaussian_fisher(bad)


# --------------------------------------------------------------------------- devices, progress


def test_progress_bars_are_written_only_when_asked(rng, capsys):
    # tqdm writes its bars to stderr: "<desc>: 100%|...| n/n [...]" when a loop finishes
    x = _t(rng.normal(size=(20, 4)))
    capsys.readouterr()
    r = fs_point(_LinearEncoder(), x, batch_size=8, progress=True, n_mc=300, rng=0)
    err = capsys.readouterr().err
    assert r.n_data == 20
    assert "encoding: 100%" in err and "3/3" in err            # 20 rows in batches of 8
    assert "aggregate posterior: 100%" in err
    r = distribution_fs(D.Normal(torch.zeros(5, 2), 1.0), aggregate=True, n_mc=300, n_samples=10,
                        progress=True, rng=0)
    assert r.aggregate is not None
    assert "aggregate posterior: 100%" in capsys.readouterr().err
    posterior_fs(x[:, :2], x[:, 2:], n_mc=300, rng=0, progress=True)
    assert "aggregate posterior: 100%" in capsys.readouterr().err
    # and nothing at all without them
    fs_point(_LinearEncoder(), x, batch_size=8, progress=False, n_mc=300, rng=0)
    distribution_fs(D.Normal(torch.zeros(5, 2), 1.0), aggregate=True, n_mc=300, n_samples=10,
                    progress=False, rng=0)
    posterior_fs(x[:, :2], x[:, 2:], n_mc=300, rng=0)
    out = capsys.readouterr()
    assert out.err == "" and out.out == ""


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_cuda_paths_agree_with_cpu(rng):
    mu = _t(rng.normal(size=(300, 3)))
    lv = _t(rng.normal(size=(300, 3)) * 0.3)
    cpu = posterior_fs(mu, lv, n_mc=3000, rng=0)
    gpu = posterior_fs(mu.cuda(), lv.cuda(), n_mc=3000, rng=0)
    assert gpu.conditional_fisher == pytest.approx(cpu.conditional_fisher, rel=1e-12)
    for a, b in ((cpu.mutual_information, gpu.mutual_information),
                 (cpu.aggregate.fisher, gpu.aggregate.fisher)):
        assert abs(a.value - b.value) < Z * math.hypot(a.stderr, b.stderr)
    g32 = posterior_fs(mu.float().cuda(), lv.float().cuda(), n_mc=3000, rng=0, dtype=torch.float32)
    assert abs(g32.mi - cpu.mi) < Z * math.hypot(g32.mutual_information.stderr,
                                                 cpu.mutual_information.stderr)
    enc = _LinearEncoder().cuda()
    r = fs_point(enc, mu.new_zeros(50, 4).normal_(), batch_size=16, progress=False, n_mc=300, rng=0)
    assert r.n_data == 50
    eye = torch.eye(3, device="cuda", dtype=torch.float64)
    d = distribution_fs(D.MultivariateNormal(mu[:20].cuda(), eye),
                        aggregate=True, n_mc=300, n_samples=50, rng=0)
    assert abs(d.conditional_fisher - 3.0) < Z * d.conditional.fisher.stderr
    lvg = lv.cuda().requires_grad_()
    fisher_penalty(lvg, 1.0).backward()
    assert lvg.grad.device.type == "cuda"
