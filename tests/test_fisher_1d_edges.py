"""1-D Fisher information at support ends: the edge model, J = inf, the `support` option.

Truths are closed forms from the literature (Johnson, Kotz & Balakrishnan 1994/95:
Gamma(k, θ): J = 1/(θ²(k - 2)); Beta(a, b): J = (a+b-1)(a+b-2)(1/(a-2) + 1/(b-2)); J = ∞
for a density with a jump or with exponent a <= 2 at an end), cross-checked by scipy
quadrature here, never this code's output. Everything is seeded.
"""

import math
import warnings

import numpy as np
import pytest
from scipy import integrate, special, stats

import infoplane as ip
from infoplane.errors import AccuracyWarning, DegenerateDataWarning
from infoplane.estimators import edge_model as em


def _beta_j(a, b):
    return (a + b - 1) * (a + b - 2) * (1 / (a - 2) + 1 / (b - 2))


def test_truths_by_quadrature():
    for a, b in ((3.0, 5.0), (4.0, 6.0)):
        d = stats.beta(a, b)
        q = integrate.quad(lambda x: ((a - 1) / x - (b - 1) / (1 - x)) ** 2 * d.pdf(x), 0, 1,
                           limit=200)[0]
        assert q == pytest.approx(_beta_j(a, b), rel=1e-8)
    g = stats.gamma(4.0, scale=2.0)
    q = integrate.quad(lambda x: (3 / x - 0.5) ** 2 * g.pdf(x), 0, np.inf, limit=200)[0]
    assert q == pytest.approx(1 / (4 * 2), rel=1e-8)


# ----------------------------------------------------------------------------- model
@pytest.mark.parametrize("a,c", [(1.0, 0.0), (2.5, -3.0), (4.0, 2.0), (30.0, -40.0),
                                 (1e4, -1.02e4)])
def test_log_m_against_quadrature(a, c):
    # M(a, c) = ∫_0^1 v^(a-1) e^(cv) dv = γ(a, -c)/(-c)^a for c < 0 (incomplete gamma)
    if c < 0:
        ref = special.gammaln(a) + math.log(special.gammainc(a, -c)) - a * math.log(-c)
    else:
        ref = math.log(integrate.quad(lambda v: v ** (a - 1) * math.exp(c * v), 0, 1,
                                      epsrel=1e-13)[0])
    assert float(em.log_m(a, c)) == pytest.approx(ref, abs=1e-8 * max(1.0, abs(ref)))


def test_score_square_against_quadrature():
    a, c = 3.5, -2.0
    dens = lambda v: v ** (a - 1) * math.exp(c * v)  # noqa: E731
    z = integrate.quad(dens, 0, 1)[0]
    ref = integrate.quad(lambda v: ((a - 1) / v + c) ** 2 * dens(v), 0, 1)[0] / z
    assert float(em.score_square(a, c)) == pytest.approx(ref, rel=1e-8)
    assert math.isinf(float(em.score_square(2.0, c)))  # a <= 2: ∫ v^(a-3) diverges


def test_fit_recovers_a_gamma_window():
    # Gamma(3, 1) below t: density ∝ v^2 e^(-t v) in v = x/t, i.e. a = 3, c = -t exactly
    x = np.sort(np.random.default_rng(7).gamma(3.0, 1.0, 40_000))
    fit = em.fit_edge(x, low=0.0)
    se_a = 3.0 / math.sqrt(fit.m) * 4          # a crude 4-SE band (c is fitted too)
    assert fit.known and fit.is_edge and fit.status == "finite"
    assert abs(fit.a - 3.0) < se_a and abs(fit.c + fit.t) < 4 * se_a * fit.t


def test_spacing_slope_separates_ends_from_tails():
    k = 200
    r = np.random.default_rng(3)
    # beta ≈ 1/a - 1: 0 for a jump, -1/3 at a = 1.5; about -1 for a Gaussian tail
    u = em.spacing_slope(np.sort(r.random(20_000)), k)
    b = em.spacing_slope(np.sort(r.beta(1.5, 3.0, 20_000)), k)
    g = em.spacing_slope(np.sort(r.standard_normal(20_000)), k)
    se = 1 / math.sqrt(k)
    assert abs(u) < 4 * se and abs(b + 1 / 3) < 4 * se and g < -0.7


# ----------------------------------------------------------------------------- J = inf
@pytest.mark.parametrize("name,sample", [
    ("uniform", lambda r, n: r.random(n)),
    ("exponential", lambda r, n: r.exponential(2.0, n)),
    ("beta(1.5, 3)", lambda r, n: r.beta(1.5, 3.0, n)),
])
def test_infinite_fisher_information_is_inf_with_a_reason(name, sample):
    x = sample(np.random.default_rng(11), 10_000)
    with pytest.warns(DegenerateDataWarning, match="a <= 2"):
        e = ip.fisher(x, rng=0)
    assert math.isinf(e.value) and "J = inf" in e.reason and "end" in e.reason
    assert "infinite" in e.options["edge_test"]


@pytest.mark.parametrize("name,sample", [
    ("chi2(1)", lambda r, n: r.chisquare(1.0, n)),
    ("weibull(0.5)", lambda r, n: r.weibull(0.5, n)),
])
def test_density_diverging_at_its_end_is_inf(name, sample):
    """f ∝ u^(-1/2) at the end (a = 1/2): the edge model keeps a >= 1, its windows fail
    the goodness of fit until the edge is lost, and from n ≈ 1e4 on J came out finite
    (chi2(1): 9964 ± 392 at n = 1e5) for a law whose J is infinite. The extreme order
    statistics give 1/a ≈ 2 (a jump gives 1, ends with a > 2 less than 0.8)."""
    x = sample(np.random.default_rng(12), 100_000)
    assert em.inverse_exponent(np.sort(x)) > 1.4
    with pytest.warns(DegenerateDataWarning, match="diverges there"):
        e = ip.fisher(x, rng=0)
    assert e.value == math.inf and "lower end" in e.reason
    g = np.sort(np.random.default_rng(13).gamma(3.0, size=100_000))   # a = 3: finite J
    assert em.inverse_exponent(g) < 1.0 and math.isfinite(ip.fisher(g, rng=0).value)


def test_issue_10_reproducer_uniform():
    x = np.random.default_rng(0).random(10_000)
    with pytest.warns(DegenerateDataWarning):
        e = ip.fisher(x)
    assert e.value == math.inf and e.reason
    with pytest.warns(DegenerateDataWarning):
        p = ip.fs_point(x, rng=0)
    assert math.isinf(p.fisher.value) and p.fisher.reason


def test_undecidable_exponent_gives_an_unbounded_error():
    # Gamma(2) has a = 2 at 0 (J = ∞, log-divergent): with the end given, the a = 2 test
    # should reject neither side (it does in 5% of samples), so J is not bounded: an inf
    # value or an inf stderr, with a reason
    x = np.random.default_rng(5).gamma(2.0, 1.0, 2000)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        e = ip.fisher(x, support=(0.0, np.inf), rng=0)
    assert math.isinf(e.value) or math.isinf(e.stderr)
    assert e.reason and "infinite" in e.reason
    assert any(issubclass(q.category, (AccuracyWarning, DegenerateDataWarning)) for q in w)


# ----------------------------------------------------------------------------- finite J
@pytest.mark.parametrize("a,b,n", [(3.0, 5.0, 4000), (5.0, 3.0, 4000)])
def test_beta_with_known_support(a, b, n):
    J = _beta_j(a, b)
    x = np.random.default_rng(21).beta(a, b, n)
    e = ip.fisher(x, support=(0, 1), rng=1)
    assert e.options["transform"] == "logit" and e.options["support"] == (0.0, 1.0)
    assert e.options["edge_test"] == ("finite", "finite")
    assert 0 < e.stderr < 0.1 * J
    assert abs(e.value - J) < 4 * e.stderr + 0.02 * J, (e, J)


def test_gamma_with_known_support_half_line():
    k, th = 3.0, 2.0
    J = 1 / (th**2 * (k - 2))
    x = np.random.default_rng(22).gamma(k, th, 5000)
    e = ip.fisher(x, support=(0.0, np.inf), rng=2)
    assert e.options["transform"] == "log" and e.options["edge_test"] == ("finite", None)
    assert abs(e.value - J) < 4 * e.stderr + 0.02 * J, (e, J)


def test_beta_with_detected_support():
    J = _beta_j(4.0, 6.0)
    x = np.random.default_rng(23).beta(4.0, 6.0, 20_000)
    e = ip.fisher(x, rng=3)
    # the lower end (a = 4) is found; the upper one (a = 6, a small part of J) may be
    # left to the kernel estimate
    assert e.options["edge_test"][0] == "finite"
    assert e.options["edge_test"][1] in ("finite", "no edge")
    assert -0.05 < e.options["support"][0] < x.min()
    assert abs(e.value - J) < 4 * e.stderr + 0.02 * J, (e, J)


def test_support_maps_with_the_data():
    # translation and scaling: J(s x + c) = J(x)/s², with the support mapped alike
    x = np.random.default_rng(24).gamma(4.0, 1.0, 3000)
    e1 = ip.fisher(x, support=(0.0, np.inf), n_boot=0)
    s, c = 1e-3, 5.0
    e2 = ip.fisher(s * x + c, support=(c, np.inf), n_boot=0)
    assert e2.value * s**2 == pytest.approx(e1.value, rel=1e-6)
    assert e2.options["support"][0] == c


def test_no_ends_detected_in_smooth_laws():
    r = np.random.default_rng(25)
    for sample in (r.standard_normal, r.standard_cauchy, lambda n: r.standard_t(5, n),
                   lambda n: r.standard_normal(n) * np.where(r.random(n) < 0.5, 1, 3)):
        for _ in range(4):
            e = ip.fisher(sample(2000), n_boot=0)
            assert e.options["edge_test"] == ("no edge", "no edge") and e.reason is None


def test_a_light_tail_taken_for_an_end_names_the_remedy():
    # the Gumbel's lower tail (log f falls like -e^(-x)) fits the end model on some
    # samples (about 4% "J may be infinite" at n = 1000, docs/edges_1d.md): the reason
    # must name support=(-inf, inf), and that must give a finite J and error (truth 1)
    x = np.random.default_rng(20111).gumbel(size=1000)
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        e = ip.fisher(x, rng=0)
    assert math.isinf(e.stderr), "this sample is no longer flagged: pick another seed"
    assert "support=(-inf, inf)" in e.reason
    f = ip.fisher(x, support=(-np.inf, np.inf), rng=0)
    assert f.reason is None and math.isfinite(f.stderr)
    assert abs(f.value - 1.0) < 3 * f.stderr


def test_support_minus_inf_to_inf_turns_detection_off():
    x = np.random.default_rng(26).random(3000)
    e = ip.fisher(x, support=(-np.inf, np.inf), n_boot=0)
    assert math.isfinite(e.value) and e.options["edge_test"] == (None, None)


def test_fs_point_routes_support_to_the_fisher_half():
    x = np.random.default_rng(27).beta(3.0, 5.0, 3000)
    p = ip.fs_point(x, support=(0, 1), rng=0)
    assert p.fisher.options["support"] == (0.0, 1.0)


@pytest.mark.parametrize("bad,match", [
    ((0.0,), "pair"),
    ("ab", "pair"),
    ((1.0, 0.0), "low < high"),
    ((np.nan, 1.0), "low"),
    ((np.inf, 2.0), "low"),
    ((0.0, -np.inf), "high"),
    ((0.0, "1"), "high"),
    ((0.5, 1.0), "does not contain"),
    ((0.0, 0.5), "does not contain"),
])
def test_bad_support_names_the_option(bad, match):
    x = np.random.default_rng(28).beta(3.0, 5.0, 500)
    with pytest.raises(ValueError, match="`support`") as exc:
        ip.fisher(x, support=bad)
    assert match in str(exc.value)


def test_support_is_a_1d_option_only():
    with pytest.raises(TypeError, match="support"):
        ip.fisher(np.random.default_rng(0).normal(size=(500, 2)), support=(0, 1))


# ----------------------------------------------------------------------------- cusp
@pytest.mark.statistical
def test_laplace_within_its_bias_aware_interval():
    # Laplace's score jumps at 0: the smoothing bias is O(h), and the interval carries the
    # part that the residual checks detect. 12 seeded samples at n = 10000: at least 9
    # intervals (value ± 1.96 stderr) must hold J = 1 (Bin(12, 0.9) puts 89% mass on >= 10)
    hits = 0
    for seed in range(12):
        x = np.random.default_rng(500 + seed).laplace(size=10_000)
        e = ip.fisher(x, rng=seed, n_boot=50)
        hits += abs(e.value - 1.0) <= 1.96 * e.stderr
    assert hits >= 9, hits


def test_a_lattice_is_not_a_support_end():
    # integers 0..19: the heavy ties are reported (pass jitter), not read as jumps at ends
    x = np.random.default_rng(29).integers(0, 20, 3000).astype(float)
    with pytest.raises(ValueError, match="heavy ties"):
        ip.fisher(x)
    with pytest.warns(DegenerateDataWarning):   # dequantised: the uniform law, J = inf
        assert math.isinf(ip.fisher(x, jitter="auto", rng=0).value)


def test_a_far_outlier_is_no_end_and_does_not_overflow():
    # a sample at -1e308 among standard normals: the trial ends of the profile fit would
    # overflow; the end is reported as absent and J is that of the normal bulk (J = 1)
    x = np.r_[np.random.default_rng(30).standard_normal(5000), -1e308]
    with np.errstate(all="raise"):
        fit = em.fit_edge(np.sort(x))
        e = ip.fisher(x, rng=0)
    assert not fit.is_edge
    assert e.options["edge_test"][0] == "no edge" and e.reason is None
    assert abs(e.value - 1.0) < 5 * e.stderr
