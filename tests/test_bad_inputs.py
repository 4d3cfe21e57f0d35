"""Bad and extreme inputs to the sample estimators and the public API (issue #10).

Each case either asserts the exception type and a message fragment that names the
argument, or a value within a stated tolerance of an independent truth (a closed form,
or the same estimator on exactly rescaled data). Densities, the CLI and ``infoplane.vae``
have their own bad-input modules.
"""

import math
import random
import threading
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy import stats

import infoplane as ip
from infoplane.errors import DegenerateDataWarning

X1 = np.random.default_rng(0).standard_normal(5000)
X2 = np.random.default_rng(1).standard_normal((3000, 2)) * [1.0, 3.0]

# ------------------------------------------------------------------ errors, table-driven
ERRORS = [
    # (id, call, exception, message fragment)
    ("rng float", lambda: ip.fisher(X1, rng=0.5), TypeError, "`rng`"),
    ("rng negative", lambda: ip.entropy(X1, rng=-1), ValueError,
     "`rng` must be an integer seed >= 0"),
    ("rng string", lambda: ip.fs_point(X1, rng="abc"), TypeError, "`rng`"),
    ("rng bool", lambda: ip.fisher(X1, rng=True), TypeError, "`rng`"),
    ("rng random.Random", lambda: ip.fisher(X1, rng=random.Random(0)), TypeError,
     "random.Random is not supported"),
    ("rng density MC", lambda: ip.entropy(ip.GaussianMixture([.5, .5], [-1, 1], [1, 1]),
                                          method="monte-carlo", rng=1.5), TypeError, "`rng`"),
    ("ragged list", lambda: ip.fisher([[1.0, 2.0], [3.0]]), ValueError,
     "rows of different lengths"),
    ("dict", lambda: ip.entropy({"a": 1}), TypeError, "`obj` must be a Density"),
    ("string", lambda: ip.fisher("1 2 3"), TypeError, "`obj` must be a Density"),
    ("None", lambda: ip.fs_point(None), TypeError, "`obj` must be a Density"),
    ("object array", lambda: ip.fisher(np.array([1, "a"], dtype=object)), TypeError,
     "`x` must be numeric"),
    ("complex", lambda: ip.entropy(X1 + 1j), TypeError, "`x` must be real"),
    ("3-D array", lambda: ip.fisher(np.zeros((4, 3, 2))), ValueError, "`x` must have shape"),
    ("NaN", lambda: ip.fisher(np.r_[X1, np.nan]), ValueError, "nan_policy='omit'"),
    ("inf", lambda: ip.entropy(np.r_[X1, np.inf]), ValueError, "1 inf"),
    ("nan_policy", lambda: ip.fisher(X1, nan_policy="drop"), ValueError, "`nan_policy`"),
    ("empty", lambda: ip.fisher(np.array([])), ValueError, "at least"),
    ("n = 1", lambda: ip.entropy(np.array([1.0])), ValueError, "at least 2"),
    ("n = 5 Fisher", lambda: ip.fisher(X1[:5]), ValueError, "at least 10"),
    ("n = 5 entropy", lambda: ip.entropy(X1[:5]), ValueError, "at least 10"),
    ("n <= d", lambda: ip.entropy(np.random.default_rng(2).standard_normal((50, 100))),
     ValueError, "n = 50 samples in d = 100 dimensions"),
    ("n < 2d+2 entropy", lambda: ip.entropy(np.random.default_rng(2).standard_normal((12, 10))),
     ValueError, "2d + 2 = 22"),
    ("n < 2d+2 Fisher", lambda: ip.fisher(X2[:5]), ValueError, "2d + 2 = 6"),
    ("tiny bandwidth", lambda: ip.fisher(X1, bandwidth=1e-12), ValueError,
     "`bandwidth` = 1e-12 is below the smallest bandwidth"),
    ("negative bandwidth", lambda: ip.fisher(X1, bandwidth=-1.0), ValueError, "`bandwidth`"),
    ("bad bandwidth string", lambda: ip.fisher(X1, bandwidth="isj"), ValueError, "`bandwidth`"),
    ("d-D bandwidth", lambda: ip.fisher(X2, bandwidth=0.5), TypeError,
     "accepted options: bandwidth_factor"),
    ("n_boot float", lambda: ip.fisher(X1, n_boot=2.5), TypeError, "`n_boot`"),
    ("n_boot negative", lambda: ip.fisher(X1, n_boot=-1), ValueError, "`n_boot`"),
    ("unknown option", lambda: ip.fisher(X1, foo=1), TypeError,
     "accepted options: bandwidth, binning, jitter, n_boot, nan_policy, rng"),
    ("option of the other method", lambda: ip.entropy(X1, window_length=5), TypeError,
     "by method 'knn'; accepted options: jitter, n_neighbors"),
    ("density option", lambda: ip.fisher(ip.Gaussian(), n_boot=3), TypeError,
     "by method 'closed-form'; accepted options: rng"),
    ("unknown method", lambda: ip.fisher(X1, method="isj"), ValueError,
     "`method` for the Fisher information of 1-D samples must be one of 'auto', 'kde'"),
    ("entropy method for J", lambda: ip.fisher(X1, method="knn"), ValueError,
     "'knn' is a method for the entropy of 1-D samples"),
    ("spacing in d-D", lambda: ip.entropy(X2, method="spacing"), ValueError,
     "`method` for the entropy of d-D samples"),
    ("fs_point one-sided method", lambda: ip.fs_point(X1, method="spacing"), ValueError,
     "Pass entropy_method='spacing'"),
    ("fs_point unknown option", lambda: ip.fs_point(X1, bandwith=1.0), TypeError,
     "Fisher information by 'kde' accepts bandwidth, binning, jitter, n_boot"),
    ("fs_point rng in one half", lambda: ip.fs_point(X1, entropy_options={"rng": 1}),
     TypeError, "pass rng=... to fs_point itself"),
    ("fs_point nan_policy in one half",
     lambda: ip.fs_point(X1, fisher_options={"nan_policy": "omit"}), TypeError,
     "'nan_policy' in `fisher_options`"),
    ("fs_point rng in one half, density",
     lambda: ip.fs_point(ip.Gaussian(0.0, 1.0), fisher_options={"rng": 1}), TypeError,
     "shared by both halves"),
    ("ties entropy", lambda: ip.entropy(np.round(X1, 1)), ValueError, "jitter='auto'"),
    ("ties d-D", lambda: ip.entropy(np.vstack([X2, X2[:3]])), ValueError,
     "6 duplicated rows"),
    ("jitter bad", lambda: ip.entropy(X1, jitter="lots"), ValueError, "`jitter`"),
    ("jitter negative", lambda: ip.fisher(X1, jitter=-0.1), ValueError, "`jitter`"),
]


@pytest.mark.parametrize("case", ERRORS, ids=[c[0] for c in ERRORS])
def test_clear_error(case):
    _, call, exc, fragment = case
    with pytest.raises(exc) as info:
        call()
    assert fragment in str(info.value), str(info.value)


# ------------------------------------------------------------------ right answers
def test_masked_values_are_dropped():
    x = X1.copy()
    x[:50] = 1e6                                      # outliers, masked away
    m = np.ma.array(x, mask=np.r_[np.ones(50, bool), np.zeros(x.size - 50, bool)])
    ref = ip.fs_point(X1[50:], rng=0)
    got = ip.fs_point(m, rng=0)
    assert got.entropy.value == ref.entropy.value and got.fisher.value == ref.fisher.value
    assert got.fisher.n_samples == X1.size - 50
    M = np.ma.array(X2, mask=np.zeros(X2.shape, bool))
    M.mask[:10, 1] = True                             # a masked value drops its row
    assert ip.entropy(M).value == ip.entropy(X2[10:]).value


def test_lists_pandas_readonly_and_torch_give_the_ndarray_answer():
    ref = ip.entropy(X1[:500]).value
    ro = X1[:500].copy()
    ro.setflags(write=False)
    assert ip.entropy(list(X1[:500])).value == ref
    assert ip.entropy(ro).value == ref
    pd = pytest.importorskip("pandas")
    assert ip.entropy(pd.Series(X1[:500])).value == ref


def test_torch_tensor_with_grad_is_read_as_its_values():
    torch = pytest.importorskip("torch")
    t = torch.tensor(X1[:500], requires_grad=True)
    assert ip.entropy(t).value == ip.entropy(X1[:500]).value


@pytest.mark.parametrize("dim", [1, 2])
def test_constant_data_are_a_point_mass(dim):
    x = np.full(100, 3.0) if dim == 1 else np.column_stack([X1[:100], np.full(100, 2.0)])
    with pytest.warns(DegenerateDataWarning, match="constant"):
        h = ip.entropy(x)
    with pytest.warns(DegenerateDataWarning, match="constant"):
        j = ip.fisher(x)
    assert h.value == -math.inf and j.value == math.inf and h.reason and j.reason


def test_near_collinear_data_keep_a_finite_entropy():
    # y = x + 1e-9 ε: H = H(x) + H(1e-9 ε) = log(2πe) + log(1e-9) exactly (Gaussian)
    r = np.random.default_rng(5)
    x = r.standard_normal(5000)
    e = ip.entropy(np.column_stack([x, x + 1e-9 * r.standard_normal(5000)]))
    truth = math.log(2 * math.pi * math.e) + math.log(1e-9)
    assert abs(e.value - truth) < 4 * e.stderr + 0.02


def test_extreme_points_do_not_overflow_or_claim_ties():
    with np.errstate(all="raise"):
        p = ip.fs_point(np.r_[X1, -1e308, 1e308], rng=0)
    assert np.isfinite(p.entropy.value) and np.isfinite(p.fisher.value)
    # the two far points inflate the kNN entropy's error bar, honestly
    assert p.entropy.stderr > 1.0


@settings(max_examples=25, deadline=None)
@given(st.integers(-996, 996))
def test_power_of_two_scales_are_exact(k):
    # x · 2**k: H shifts by k log 2, J scales by 2**-2k, N·J/d is unchanged, exactly
    base = ip.fs_point(X1[:2000], rng=3)
    p = ip.fs_point(X1[:2000] * 2.0**k, rng=3)
    assert p.entropy.value == pytest.approx(base.entropy.value + k * math.log(2), rel=1e-13,
                                            abs=1e-12)
    assert p.product.value == base.product.value
    with np.errstate(over="ignore", under="ignore"):
        j = float(np.ldexp(base.fisher.value, -2 * k))
    if np.isfinite(j) and j > np.finfo(float).tiny:
        assert p.fisher.value == pytest.approx(j, rel=1e-13)
    else:
        assert p.fisher.reason and "float64 range" in p.fisher.reason


@settings(max_examples=25, deadline=None)
@given(st.floats(-300, 300))
def test_any_scale_gives_the_same_relative_answer(log10s):
    # any scale 1e-300..1e300: N·J/d of a Gaussian is 1 within its error, never inf/nan
    s = 10.0**log10s
    p = ip.fs_point(X1 * s, rng=0)
    assert abs(p.product.value - 1.0) < 4 * p.product.stderr
    assert p.entropy.value == pytest.approx(ip.entropy(X1).value + math.log(s), abs=1e-9)


def test_two_dimensional_data_at_extreme_scales():
    ref = ip.fs_point(X2, rng=0)
    for s in (1e160, 1e-160):
        p = ip.fs_point(X2 * s, rng=0)
        assert p.product.value == pytest.approx(ref.product.value, rel=1e-9)
        assert p.entropy.value == pytest.approx(ref.entropy.value + 2 * math.log(s), rel=1e-12)


def test_fs_point_routes_shared_options_to_the_half_that_takes_them():
    p = ip.fs_point(X1, n_boot=7, n_neighbors=4, rng=0)
    assert p.fisher.options["n_boot"] == 7 and p.entropy.options["n_neighbors"] == 4


def test_thread_limits_are_restored_after_concurrent_calls():
    threadpoolctl = pytest.importorskip("threadpoolctl")
    before = [(i["user_api"], i["num_threads"]) for i in threadpoolctl.threadpool_info()]
    X = np.random.default_rng(3).standard_normal((400, 3))
    errors = []

    def work(seed):
        try:
            for _ in range(3):
                ip.fisher_matrix(X, rng=seed)
                ip.KDE(X[:50], bandwidth=0.5).logpdf(X[:200])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(s,)) for s in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    after = [(i["user_api"], i["num_threads"]) for i in threadpoolctl.threadpool_info()]
    assert after == before


# ------------------------------------------------------------------ d-D lattices
def _rounded_column(n, d, step, seed):
    """Standard Gaussian samples (J = d, H = d/2 log 2πe) with column 0 rounded to `step`."""
    X = np.random.default_rng(seed).standard_normal((n, d))
    X[:, 0] = np.round(X[:, 0] / step) * step
    return X


def test_dd_lattice_column_is_refused_with_the_jitter_remedy(monkeypatch):
    """Data rounded in one coordinate (0.4 standard deviations): the score-matching search
    settles on the lattice and, unchecked, the d-D Fisher estimate is off by orders of
    magnitude; the kNN entropy is nats low. Both now refuse, naming the column and jitter;
    Poisson counts too."""
    from infoplane.estimators import samples

    X = _rounded_column(2000, 2, 0.4, 21)
    for f in (ip.fisher, ip.entropy):
        with pytest.raises(ValueError, match=r"column 0 has heavy ties.*jitter='auto'"):
            f(X)
    counts = np.random.default_rng(22).poisson(3.0, (2000, 2)).astype(float)
    for f in (ip.fisher, ip.entropy):
        with pytest.raises(ValueError, match="lattice of step ~1,"):
            f(counts)
    # what the checks prevent
    monkeypatch.setattr(samples, "LATTICE_H_RATIO", math.inf)
    monkeypatch.setattr(samples, "LATTICE_KNN_RATIO", math.inf)
    with pytest.warns(Warning):
        assert ip.fisher(X).value > 10 * 2.0
    assert ip.entropy(X).value < math.log(2 * math.pi * math.e) - 0.5


def test_dd_fine_lattice_is_estimated_and_jitter_is_accepted():
    """A lattice finer than the kernel and the kNN distances (step 0.02 at n = 2000) is
    estimated as the law itself; jitter='auto' is an option of the d-D Fisher estimator
    too (it was refused before), recorded in the options."""
    X = _rounded_column(2000, 2, 0.02, 23)
    f = ip.fisher(X)
    h = ip.entropy(X)
    assert abs(f.value - 2.0) < 4 * f.stderr
    assert abs(h.value - math.log(2 * math.pi * math.e)) < 4 * h.stderr
    fj = ip.fisher(_rounded_column(2000, 2, 0.4, 21), jitter="auto", rng=0)
    assert fj.options["jitter"][0] == pytest.approx(0.4)
    assert math.isfinite(fj.value) and fj.value > 0


# ------------------------------------------------------------------ d-D support ends
def test_dd_column_with_a_jump_at_its_end_has_infinite_fisher():
    """A density that jumps at an end along an axis has J = inf (a jump of f across the
    face x_c = end). Before, the d-D KDE returned a finite number silently (uniform square:
    J ≈ 190; an exponential column: ≈ 10). Now inf, with the column in the reason; laws
    without ends keep a finite J."""
    rng = np.random.default_rng(31)
    U = rng.uniform(size=(3000, 2))
    E = np.c_[rng.standard_normal(3000), 5.0 + 1e-3 * rng.exponential(size=3000)]
    for X, col in ((U, 0), (E, 1)):
        with pytest.warns(DegenerateDataWarning, match=f"along column {col} of `x`"):
            est = ip.fisher(X)
        assert est.value == math.inf and "a = 1" in est.reason
    for seed in range(3):
        G = np.random.default_rng(40 + seed).standard_normal((3000, 3)) * [1.0, 2.0, 0.5]
        T = ip.MultivariateStudentT(3.0, np.zeros(3), np.eye(3)).sample(3000, rng=seed)
        for X in (G, T):
            est = ip.fisher(X)
            assert math.isfinite(est.value) and est.reason is None


def test_dd_biased_bounded_and_short_tailed_columns_warn():
    """A column whose density vanishes at an end (Beta(5, 2.5): a = 2.5 at 1) or a
    bounded symmetric one (Beta(3, 3), where the skewness warning is silent) leaves the
    d-D KDE 19-48% low with intervals that rarely cover (docs/bounded_nd.md); before, no
    warning said so. Now an AccuracyWarning names the end, or the short tails; Gaussian
    and t samples get neither."""
    from infoplane.errors import AccuracyWarning

    r = np.random.default_rng(37)
    X = np.c_[r.beta(5.0, 2.5, 5000), r.standard_normal(5000)]
    with pytest.warns(AccuracyWarning, match=r"along column 0 of `x`, near an estimated "
                      r"upper end x = 0\.99.*a > 2: J is finite"):
        assert math.isfinite(ip.fisher(X).value)
    r = np.random.default_rng(38)
    X = np.c_[r.beta(3.0, 3.0, 5000), r.standard_normal(5000)]
    with pytest.warns(AccuracyWarning, match=r"shorter tails than a Gaussian"):
        est = ip.fisher(X)
    assert est.options["tail_ratio"] < 2.6        # a Gaussian's: 2.91
    for seed in range(3):
        G = np.random.default_rng(50 + seed).standard_normal((5000, 3)) * [1.0, 2.0, 0.5]
        T = ip.MultivariateStudentT(3.0, np.zeros(2), np.eye(2)).sample(5000, rng=seed)
        for Z in (G, T):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                ip.fisher(Z)
            text = " ".join(str(w.message) for w in caught)
            assert "shorter tails" not in text and "such an end" not in text


def test_dd_lattice_jitter_width_and_subspace():
    """jitter='auto' takes a lattice column's step even when one value is off the lattice
    (the smallest gap would be 1e-3 and leave the lattice in place); a given width far
    below the step warns; rounded data in a lower-dimensional subspace keep their
    entropy of -inf with its reason rather than the lattice error."""
    from infoplane.errors import AccuracyWarning

    X = _rounded_column(2000, 2, 0.4, 21)
    X[0, 0] += 1e-3
    est = ip.fisher(X, jitter="auto", rng=0)
    assert est.options["jitter"][0] == pytest.approx(0.4)
    assert abs(est.value - 2.0) < 0.5          # the lattice unchecked gives about 1.6e4
    with pytest.warns(AccuracyWarning, match="narrower than half the lattice step"):
        ip.entropy(_rounded_column(2000, 2, 0.4, 21), jitter=1e-4, rng=0)
    a = np.round(np.random.default_rng(24).standard_normal(2000) / 0.4) * 0.4
    R = np.c_[a, 2.0 * a, np.random.default_rng(25).standard_normal(2000)]
    with pytest.warns(DegenerateDataWarning):
        h = ip.entropy(R)
    assert h.value == -math.inf and "affine subspace" in h.reason


def test_atoms_have_no_density():
    """Zero-inflated samples (5% of the values exactly 0, the rest Gaussian) have no
    density: J = inf and (d-D) H = -inf, with the column and the value in the reason.
    Before, 1-D J was 2.5 (a Gaussian's is 1) and the 2-D H 0.1 nats low, silently. A
    single coincidence and a lattice are not atoms."""
    rng = np.random.default_rng(33)
    x = rng.standard_normal(5000)
    x[:250] = 0.0
    X = rng.standard_normal((5000, 2))
    X[:250, 1] = 0.0
    with pytest.warns(DegenerateDataWarning, match="has an atom: the value 0 is taken by 250"):
        f1 = ip.fisher(x)
    with pytest.warns(DegenerateDataWarning, match="column 1 of `x` has an atom"):
        f2 = ip.fisher(X)
    with pytest.warns(DegenerateDataWarning, match="column 1 of `x` has an atom"):
        h2 = ip.entropy(X)
    assert f1.value == math.inf and f2.value == math.inf and h2.value == -math.inf
    y = rng.standard_normal(5000)
    y[1] = y[0]                                         # one coincidence: not an atom
    assert math.isfinite(ip.fisher(y).value)
    with pytest.raises(ValueError, match="heavy ties"):   # a lattice: still the tie error
        ip.fisher(np.round(rng.standard_normal(5000), 1))


def test_partial_lattice_is_a_lattice_with_its_own_step():
    """Part of the rows rounded (to 0.2 sd): the median gap between all distinct values is
    set by the unrounded rows (about 0.005 here), so the lattice checks saw no lattice;
    half the rows rounded read as atoms (J = inf), 75% or more gave a 2-D J of 230-2000
    (truth 2) and a 2-D H 0.7-1.5 nats low silently. The step is now the one of the
    repeated values, so both estimators refuse with the jitter remedy, and jitter='auto'
    dequantises with that step."""
    from infoplane.estimators._prepare import lattice_columns

    rng = np.random.default_rng(34)
    for share in (0.5, 0.9):
        X = rng.standard_normal((5000, 2))
        k = int(share * 5000)
        X[:k, 0] = np.round(X[:k, 0] / 0.2) * 0.2
        [(col, _, step)] = lattice_columns(X)
        assert col == 0 and step == pytest.approx(0.2)
        with pytest.raises(ValueError, match=r"step ~0\.2,.*jitter='auto'"):
            ip.fisher(X[:, 0])
        with pytest.raises(ValueError, match=r"column 0 has heavy ties.*step ~0\.2,"):
            ip.entropy(X)
        if share == 0.9:
            with pytest.raises(ValueError, match=r"column 0 has heavy ties.*step ~0\.2,"):
                ip.fisher(X)
        est = ip.fisher(X, jitter="auto", rng=0)
        assert est.options["jitter"][0] == pytest.approx(0.2)
        # U(-0.1, 0.1) noise on column 0: variance 1 + 0.2²/12, and J of the unrounded law
        # with that noise is close to 1/(1 + 0.2²/12) + 1 (the dequantised density of the
        # rounded rows is piecewise constant, strictly of infinite J; the kernel, several
        # steps wide, sees the smooth law)
        assert abs(est.value - (1 / (1 + 0.04 / 12) + 1)) < 4 * est.stderr


def test_partial_lattice_with_far_repeats_or_heavy_tails_keeps_its_step():
    """The lattice of repeated values is read inside the 1%-99% range: two rows at -8
    and two at +8 (each value twice) or the repeats of a t2 tail stretched its span, and
    a close pair in a tail (3.01 and 3.02, twice each) set its smallest gap, so half the
    rows rounded to 0.2 were no lattice (a 2-D J of 306-328 with no reason, H 0.9 nats
    low, jitter='auto' 2.6e-4 wide)."""
    from infoplane.estimators._prepare import lattice_columns

    rng = np.random.default_rng(37)
    X = rng.standard_normal((20_000, 2))
    X[:10_000, 0] = np.round(X[:10_000, 0] / 0.2) * 0.2
    X[-4:, 0] = [-8.0, -8.0, 8.0, 8.0]
    P = X.copy()
    P[-4:, 0] = [3.01, 3.01, 3.02, 3.02]             # a close pair in the tail
    T = X.copy()
    T[:, 0] = rng.standard_t(2, 20_000)
    T[:10_000, 0] = np.round(T[:10_000, 0] / 0.2) * 0.2
    R = X.copy()                                     # one value off the lattice, 300 rows
    R[10_000:10_300, 0] = 0.0371
    for Y in (X, P, T, R):
        [(col, _, step)] = lattice_columns(Y)
        assert col == 0 and step == pytest.approx(0.2)
        with pytest.raises(ValueError, match=r"column 0 has heavy ties.*step ~0\.2,"):
            ip.entropy(Y)
    assert ip.fisher(X, jitter="auto", rng=0).options["jitter"][0] == pytest.approx(0.2)


def test_chance_repeats_codes_and_uneven_steps_are_no_lattice():
    """Values that repeat by chance (float32 data at n = 10⁶: 0.7%) sit on float32's own
    grid and leave most of its points empty; codes amid continuous values (0, 1, 2 or
    -999, 0, 1) span a sliver of the column; rounding to two significant digits has a
    step per decade: none is the lattice of partly rounded rows. So codes stay atoms
    (J = inf with the atom reason) and float32 ReLU activations too (7% exact zeros at
    n = 10⁶: J was 1531 with no reason while the chance repeats counted as a lattice);
    significant digits keep the tie error with the median gap (0.1 here)."""
    from infoplane.estimators._prepare import repeat_lattice_step

    v = np.sort(np.random.default_rng(35).standard_normal(10**6).astype(np.float32))
    v = v.astype(np.float64)
    same = v[1:] == v[:-1]
    assert np.count_nonzero(same) > 1000
    assert repeat_lattice_step(v, same) is None
    w = np.sort(np.round(v[::100] / 0.25) * 0.25)     # a lattice: its step
    assert repeat_lattice_step(w, w[1:] == w[:-1]) == pytest.approx(0.25)
    relu = np.maximum(v + 1.5, 0.0)                      # float32 values, 7% zeros
    with pytest.warns(DegenerateDataWarning, match="has an atom: the value 0 is taken"):
        assert ip.fisher(relu).value == math.inf
    rng = np.random.default_rng(36)
    for codes in ([0.0, 1.0, 2.0], [-999.0, 0.0, 1.0]):
        y = 10.0 * rng.standard_normal(6000)
        y[:900] = np.repeat(codes, 300)
        with pytest.warns(DegenerateDataWarning, match="has an atom"):
            assert ip.fisher(np.c_[y, rng.standard_normal(6000)]).value == math.inf
    x = np.exp(0.5 * rng.standard_normal(20_000)) * 3.0
    x = np.array([float(f"{t:.2g}") for t in x])          # steps 0.01, 0.1, 1
    with pytest.raises(ValueError, match=r"lattice of step ~0\.1,"):
        ip.fisher(x)


def test_auto_jitter_follows_the_step_of_each_decade():
    """Values rounded to two significant digits have steps 0.01, 0.1, 1, 10 by decade.
    jitter='auto' used one width (the median gap) for all of them, so the upper decades
    stayed clumped and the lower ones were smeared: H 0.2-0.3 nats low (log-normal, SD 1
    on the log scale). Each value now gets its decade's step, and H and J agree with the
    law's within their standard errors."""
    from scipy import integrate

    from infoplane.estimators._prepare import local_steps

    law = stats.lognorm(1.0, scale=3.0)
    x = law.rvs(size=20_000, random_state=210)
    x2 = np.array([float(f"{t:.2g}") for t in x])
    step = 10.0 ** (np.floor(np.log10(x2)) - 1)
    assert np.mean(np.isclose(local_steps(x2), step)) > 0.99
    h = ip.entropy(x2, jitter="auto", rng=0)
    assert abs(h.value - law.entropy()) < 4 * h.stderr
    score = integrate.quad(lambda t: law.pdf(t) * ((1 + np.log(t / 3.0)) / t) ** 2, 0, np.inf)
    j = ip.fisher(x2, jitter="auto", rng=0)
    assert abs(j.value - score[0]) < 4 * j.stderr


def test_fs_point_names_jitter_given_to_one_half_only():
    """jitter in entropy_options only: the Fisher half's lattice error says the jitter
    went to the other half and that fs_point(jitter=...) dequantises both."""
    X = _rounded_column(3000, 2, 1.0, 36)
    with pytest.raises(ValueError, match=r"given in entropy_options only.*both halves"):
        ip.fs_point(X, entropy_options={"jitter": "auto"})
    with pytest.raises(ValueError, match=r"given in fisher_options only.*both halves"):
        ip.fs_point(X, fisher_options={"jitter": "auto"})
    assert math.isfinite(ip.fs_point(X, jitter="auto", rng=0).product.value)
