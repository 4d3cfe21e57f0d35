"""Scale-out (issue #14) without dask: the mergeable binned estimators, the core staying
light, per-series FS maps of NumPy arrays. Dask: test_scale.py; a cluster:
test_scale_cluster.py.

Truths: closed forms (scipy), np.sort for order statistics, the in-memory estimators for
agreement, and the oracle -mean(log f(X)) of the same sample for the entropy estimator's
own error.
"""

import math
import subprocess
import warnings
import sys

import numpy as np
import pytest
from scipy import stats

import infoplane as ip
from infoplane.errors import AccuracyWarning
from infoplane._numerics import pow2_standardize
from infoplane.estimators import binned
from infoplane.estimators import fft_kde_fisher as fk

LAWS = {  # law, closed-form J
    "gauss": (stats.norm(0.0, 1.0), 1.0),
    "cauchy": (stats.cauchy(0.0, 1.0), 0.5),
    "laplace": (stats.laplace(0.0, 1.0), 1.0),
    "t5": (stats.t(5), 6.0 / 8.0),
}


def _std_sorted(x):
    Y, e, _ = pow2_standardize(np.asarray(x, float)[:, None])
    return np.sort(Y[:, 0]), float(e[0])


# ------------------------------------------------------------------ the core stays light
def test_import_infoplane_imports_no_dask_or_xarray():
    code = ("import sys, infoplane; bad = sorted(m for m in sys.modules "
            "if m.split('.')[0] in ('dask', 'distributed', 'xarray')); print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=str(__import__("pathlib").Path(__file__).parents[1]))
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_fs_map_is_exported():
    assert "fs_map" in ip.__all__ and ip.fs_map is ip.scale.fs_map


# -------------------------------------------------------------- binned entropy (numpy)
@pytest.mark.statistical
@pytest.mark.parametrize("name", ["gauss", "cauchy", "laplace", "t5", "uniform", "gamma3"])
def test_binned_entropy_against_closed_form_and_oracle(name):
    law = {"uniform": stats.uniform(-1.0, 2.0), "gamma3": stats.gamma(3.0)}.get(name)
    law = law if law is not None else LAWS[name][0]
    x = law.rvs(size=100_000, random_state=11)
    h = ip.entropy(x, method="binned", rng=0)
    assert h.method == "binned" and h.n_samples == x.size
    oracle = -np.mean(law.logpdf(x))                  # the sample's own -mean log f
    se_oracle = np.std(law.logpdf(x), ddof=1) / math.sqrt(x.size)
    assert abs(h.value - law.entropy()) < 4 * h.stderr
    if se_oracle > 1e-9:
        # the estimator's own error (beyond the sampling noise it shares with the oracle)
        # is a small fraction of the standard error (measured: < 0.1 SE; docs/scaling.md)
        assert abs(h.value - oracle) < 0.25 * h.stderr
        # the Poisson bootstrap error matches the influence-function error sd(log f)/√n
        assert h.stderr == pytest.approx(se_oracle, rel=0.25)
    else:
        # the uniform: log f is constant, the oracle exact; what is left is the
        # estimator's own noise, and its error bar is that noise
        assert abs(h.value - oracle) < 4 * h.stderr and h.stderr < 1e-3


def _mixture_entropy(w, mu, sd):
    """-∫ f log f of a Gaussian mixture by quadrature, piece by piece around each mode."""
    from scipy import integrate
    w, mu, sd = map(np.asarray, (w, mu, sd))

    def g(t):
        f = float(np.sum(w * stats.norm.pdf(t, mu, sd)))
        return -f * math.log(f) if f > 0 else 0.0

    cuts = np.unique(np.r_[mu - 8 * sd, mu + 8 * sd, (mu[1:] + mu[:-1]) / 2])
    cuts = np.r_[cuts.min() - 4, cuts, cuts.max() + 4]
    return sum(integrate.quad(g, a, b, limit=200)[0] for a, b in zip(cuts[:-1], cuts[1:]))


def test_binned_fisher_of_narrow_modes_with_empty_gaps():
    """Eleven modes one apart with SD 0.05: the counts between them are empty, and the
    comb check of full lattices called them "heavy ties ... a lattice of step ~0.1" and
    refused. Their occupied runs are wide (clumps, not lattice values, which occupy at
    most two nodes): the binned J now agrees with the quadrature value, as in memory."""
    from scipy import integrate

    rng = np.random.default_rng(42)
    x = rng.integers(-5, 6, 20_000) + 0.05 * rng.standard_normal(20_000)

    def f(t, k=0):
        z = (t - np.arange(-5, 6)) / 0.05
        return np.mean(stats.norm.pdf(z) / 0.05 * (1.0 if k == 0 else -z / 0.05))

    truth = sum(integrate.quad(lambda t: f(t, 1) ** 2 / f(t), a - 0.5, a + 0.5,
                               points=[a], limit=200)[0] for a in range(-5, 6))
    est = ip.fisher(x, binning="once", rng=0)
    assert abs(est.value - truth) < 4 * est.stderr


@pytest.mark.parametrize("step", [0.05, 0.6, 1.0])
def test_binned_partial_lattice_of_any_step_raises_with_that_step(step):
    """Half the rows rounded to 0.6 or 1 SD: the periodogram looks for periods up to
    half an SD, so it saw harmonics or nothing (binned J 8900, H 0.14 for truths 1 and
    1.419, with warnings naming other causes); the spikes each rounded value puts on the
    counts now give the step directly."""
    x = np.random.default_rng(40).standard_normal(200_000)
    x[::2] = np.round(x[::2] / step) * step
    pattern = rf"lattice of step ~{step:g}(\.0*)?,"
    with pytest.raises(ValueError, match=pattern):
        ip.fisher(x, binning="once")
    with pytest.raises(ValueError, match=pattern):
        ip.entropy(x, method="binned")


def test_binned_atom_is_no_density():
    """30% of the rows at one value amid a Gaussian: the binned entropy gave 0.90 ± 0.04
    with no word (the law has no density; the continuous part alone has H = 1.42). In
    memory it is -inf with the atom reason; from counts alone (out of core) it raises."""
    x = np.random.default_rng(41).standard_normal(20_000)
    x[:6000] = 0.37
    with pytest.warns(ip.DegenerateDataWarning, match="has an atom"):
        assert ip.entropy(x, method="binned").value == -math.inf
    xs, _ = _std_sorted(x)
    plan = binned.plan_from_sorted(xs)
    with pytest.raises(ValueError, match="has an atom or a very narrow peak: about 30"):
        binned.entropy_from_counts(plan, binned.bin_chunk(plan, xs),
                                   rng=np.random.default_rng(0))


@pytest.mark.parametrize("law", ["lognorm3", "chi2"])
def test_binned_pile_up_at_a_support_end_is_no_atom(law):
    """A density that diverges at its lower end piles counts on the first nodes, spread
    over several of them: no atom (the first spike check called it one and refused
    log-normal(0, 3) and chi2(1)); the binned entropy agrees with the closed form."""
    dist = {"lognorm3": stats.lognorm(3.0), "chi2": stats.chi2(1)}[law]
    x = dist.rvs(size=100_000, random_state=43)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", AccuracyWarning)   # the finest bins still move
        h = ip.entropy(x, method="binned", rng=0)
    assert abs(h.value - dist.entropy()) < 4 * h.stderr


def test_binned_entropy_resolves_narrow_modes_or_says_it_did_not():
    """Structure finer than the base width Δ: the Richardson value at Δ was 7-9 SEs high
    for 0.3 N(-3, 0.3²) + 0.5 N(0, 1) + 0.2 N(4, 0.5²) at n = 2e5 and 0.57 nats high for
    eleven modes of SD 0.1, with no word. The estimate now uses the coarsest of Δ ... Δ/8
    that agrees with the finer ones; where even Δ/8 moves, it warns and carries the
    difference in its standard error. The choice does not depend on `rng`."""
    rng = np.random.default_rng(39)
    k = rng.choice(3, 200_000, p=[0.3, 0.5, 0.2])
    x = np.array([-3.0, 0.0, 4.0])[k] + np.array([0.3, 1.0, 0.5])[k] * rng.standard_normal(
        k.size)
    truth = _mixture_entropy([0.3, 0.5, 0.2], [-3.0, 0.0, 4.0], [0.3, 1.0, 0.5])
    h = ip.entropy(x, method="binned", rng=0)
    assert abs(h.value - truth) < 4 * h.stderr and h.options["bin_refinement"] > 1
    assert ip.entropy(x, method="binned", rng=1, n_boot=10).value == h.value
    modes = rng.integers(-5, 6, 100_000) + 0.1 * rng.standard_normal(100_000)
    truth = _mixture_entropy(np.full(11, 1 / 11), np.arange(-5.0, 6.0), np.full(11, 0.1))
    with pytest.warns(AccuracyWarning, match="did not settle"):
        h = ip.entropy(modes, method="binned", rng=0)
    assert abs(h.value - truth) < 4 * h.stderr


def test_binned_entropy_is_scale_equivariant():
    x = np.random.default_rng(3).standard_normal(5000)
    a = ip.entropy(x, method="binned", rng=0)
    b = ip.entropy(x * 2.0**40 + 7.0 * 2.0**40, method="binned", rng=0)
    assert b.value == pytest.approx(a.value + 40 * math.log(2.0), abs=1e-12)
    assert b.stderr == pytest.approx(a.stderr, rel=1e-9)


def test_binned_entropy_of_quantised_data_raises():
    x = np.round(np.random.default_rng(4).standard_normal(100_000) * 20) / 20
    with pytest.raises(ValueError, match="lattice"):
        ip.entropy(x, method="binned")
    # dequantised, it is the entropy of the law smoothed by the jitter (~ the Gaussian's)
    h = ip.entropy(x, method="binned", jitter=0.05, rng=1)
    assert abs(h.value - stats.norm.entropy()) < 4 * h.stderr + 0.01


def test_binned_partial_lattice_raises_and_narrow_modes_do_not():
    """Half the rows rounded to 0.2 SD amid exact ones: every fine node stays occupied, so
    the comb check of full lattices saw nothing and the binned Fisher returned 6300
    (n = 2e5, truth 1 for the exact rows) and the binned entropy 1.33 (H = 1.419) with
    no word; the partial-comb check refuses both, naming the step. A smooth law with
    narrow modes one apart (SD 0.1, resolved by the kernel) is not a lattice: its binned
    J agrees with the quadrature value."""
    from scipy import integrate

    rng = np.random.default_rng(38)
    x = rng.standard_normal(200_000)
    x[:100_000] = np.round(x[:100_000] / 0.2) * 0.2
    with pytest.raises(ValueError, match=r"lattice of step ~0\.2.*kernel bandwidth"):
        ip.fisher(x, binning="once")
    with pytest.raises(ValueError, match=r"lattice of step ~0\.2.*entropy bins"):
        ip.entropy(x, method="binned")
    modes = rng.integers(-5, 6, 20_000) + 0.1 * rng.standard_normal(20_000)

    def f(t, k=0):   # the mixture density (k = 0) and its derivative (k = 1)
        z = (t - np.arange(-5, 6)[:, None]) / 0.1
        return np.mean(stats.norm.pdf(z) / 0.1 * (1.0 if k == 0 else -z / 0.1), axis=0)

    truth = sum(integrate.quad(lambda t: f(t, 1)[0] ** 2 / f(t)[0], a - 0.5, a + 0.5)[0]
                for a in range(-6, 7))
    est = ip.fisher(modes, binning="once", rng=0)
    assert abs(est.value - truth) < 4 * est.stderr


def test_binned_iqr_zero_raises():
    x = np.r_[np.zeros(600), np.random.default_rng(5).standard_normal(400)]
    with pytest.raises(ValueError, match="interquartile range 0"):
        ip.entropy(x, method="binned")


# -------------------------------------------------------------- binned Fisher (numpy)
@pytest.mark.statistical
@pytest.mark.parametrize("name", ["gauss", "cauchy", "t5"])
def test_binning_once_against_closed_form_and_per_bandwidth(name):
    law, truth = LAWS[name]
    x = law.rvs(size=100_000, random_state=21)
    once = ip.fisher(x, binning="once", rng=0)
    per = ip.fisher(x, rng=0)
    assert once.options["binning"] == "once"
    assert abs(once.value - truth) < 4 * once.stderr + 0.02 * truth   # KDE bias budget
    # the grids differ (anchor, 8-16 nodes per bandwidth); the residual-bias pre-test can
    # then decide differently (it did here for the Cauchy), which moves J by ~1 SE
    assert abs(once.value - per.value) < 2 * max(once.stderr, per.stderr)
    assert once.stderr == pytest.approx(per.stderr, rel=0.3)


def test_binning_once_carries_the_residual_bias_term():
    # Laplace (a score jump): where R(h, 2h) and R(2h, 4h) disagree short of the residual
    # step, the per-bandwidth estimator adds the difference to its error as a bias term;
    # binning='once' runs the same code on its grid, so it adds about the same, in x units
    x = np.random.default_rng(702).laplace(size=2000)
    per = ip.fisher(x, rng=2, n_boot=50)
    assert per.options["residual_bias"] > 0
    for k in (0, 3):
        once = ip.fisher(x * 2.0**k, rng=2, n_boot=50, binning="once")
        bias = once.options["residual_bias"] * 4.0**k
        assert bias == pytest.approx(per.options["residual_bias"], rel=0.02)
        assert once.stderr * 4.0**k >= bias


def test_binning_once_refuses_support():
    x = np.random.default_rng(9).gamma(3.0, size=2000)
    with pytest.raises(ValueError, match="`support` needs binning='per-bandwidth'"):
        ip.fisher(x, binning="once", support=(0.0, np.inf))


def test_from_counts_reproduces_the_grid():
    y = np.arcsinh(np.random.default_rng(6).standard_normal(3000))
    g = fk._FisherGrid(y, 0, 0.05, 0.0, 1.0)
    h = fk._FisherGrid.from_counts(g.counts, g.a, g.delta, g.n_out, g.h, g.center, g.scale,
                                   pad=False)
    assert h.m == g.m and h.P == g.P and h.n == g.n
    np.testing.assert_array_equal(h.fisher_terms(h.counts), g.fisher_terms(g.counts))
    # padding adds zero nodes only: the same J to rounding
    p = fk._FisherGrid.from_counts(g.counts, g.a, g.delta, g.n_out, g.h, g.center, g.scale)
    np.testing.assert_allclose(p.fisher_terms(p.counts), g.fisher_terms(g.counts),
                               rtol=1e-8)


def test_rebinning_fine_counts_equals_direct_linear_binning():
    from infoplane._kernels.binning import _linbin_counts

    xs, _ = _std_sorted(np.random.default_rng(7).standard_normal(20_000))
    plan = binned.plan_from_sorted(xs)
    counts = binned.bin_chunk(plan, xs)
    h = 0.07
    grid = binned._coarse_grid(plan, counts, h)
    k = int(round(grid.delta / plan.fine_step))
    assert k > 1
    y = np.arcsinh((xs - plan.center) / plan.scale)
    n_pad = int(math.ceil(fk._TRUNC * 4 * h / grid.delta))
    direct = _linbin_counts(y, plan.fine_lo, grid.delta, grid.m - 2 * n_pad)
    np.testing.assert_allclose(grid.counts[n_pad:grid.m - n_pad], direct, atol=1e-9)
    assert counts.fine.sum() == pytest.approx(xs.size, rel=1e-12)


def test_binning_option_is_validated():
    x = np.random.default_rng(8).standard_normal(500)
    with pytest.raises(ValueError, match="binning"):
        ip.fisher(x, binning="sometimes")
    with pytest.raises(TypeError, match="binning"):
        ip.fisher(np.c_[x, x[::-1]], binning="once")      # 1-D only


# ------------------------------------------------------------------------------ fs_map


@pytest.mark.filterwarnings("ignore::infoplane.errors.DegenerateDataWarning")
def test_fs_map_numpy_statuses_and_loop_agreement(cube):
    c = cube
    m = ip.fs_map(c, rng=5)
    assert isinstance(m, ip.FSMap) and m.shape == (4, 3) and m.method == "knn*kde"
    assert m.status[0, 0] == 1 and m.n_valid[0, 0] == 5 and np.isnan(m.product[0, 0])
    assert m.status[1, 1] == 0 and m.n_valid[1, 1] == 590
    assert m.status[2, 2] == 2 and m.fisher[2, 2] == np.inf and m.entropy_power[2, 2] == 0
    assert m.status[3, 0] == 3 and np.isnan(m.fisher[3, 0])
    assert set(np.unique(m.status)) == {0, 1, 2, 3}
    # every estimated pixel is fs_point of its finite values, seeded by its flat index
    for i, j in [(1, 1), (2, 0), (3, 2)]:
        s = c[i, j][np.isfinite(c[i, j])]
        p = ip.fs_point(s, rng=np.random.default_rng([5, i * 3 + j]))
        assert (m.fisher[i, j], m.fisher_stderr[i, j]) == (p.fisher.value, p.fisher.stderr)
        assert m.product[i, j] == p.product.value
    ok = m.status == 0
    z = (m.product[ok] - 1.0) / m.product_stderr[ok]         # Gaussian series: N·J = 1
    assert np.all(np.abs(z) < 4)
    # the series axis can be any axis
    m2 = ip.fs_map(np.moveaxis(c, -1, 0), axis=0, rng=5)
    np.testing.assert_array_equal(m2.fisher, m.fisher)


def test_fs_map_bad_arguments():
    c = np.zeros((2, 50))
    with pytest.raises(ValueError, match="axis"):
        ip.fs_map(c, axis=2)
    with pytest.raises(TypeError, match="nan_policy"):
        ip.fs_map(c, nan_policy="omit")
    with pytest.raises(ValueError, match="min_samples"):
        ip.fs_map(c, min_samples=3)
    with pytest.raises(ValueError, match="method"):
        ip.fs_map(c, method="magic")
    with pytest.raises(TypeError, match="dim"):
        ip.fs_map(c, dim="time")
    good = np.random.default_rng(0).standard_normal((2, 50))
    with pytest.raises(TypeError, match="unexpected option"):
        ip.fs_map(good, bogus=1)
    with pytest.raises(ValueError, match=r"refused all 2 series.*bandwidth"):
        ip.fs_map(good, fisher_options={"bandwidth": -1.0})
