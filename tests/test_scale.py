"""Scale-out (issue #14) on dask: exact out-of-core order statistics and standardisation,
dask arrays through ip.fisher / entropy / fs_point against the in-memory estimates,
fs_trajectory of dask series, fs_map of dask and xarray arrays (threaded scheduler; a
distributed cluster: test_scale_cluster.py).
"""

import math

import numpy as np
import pytest

import infoplane as ip
from infoplane._numerics import pow2_standardize, sorted_quantile
from infoplane.estimators import binned

dask = pytest.importorskip("dask", reason="the dask extra is not installed")
da = pytest.importorskip("dask.array", reason="the dask extra is not installed")


# ------------------------------------------------------------ dask: exact statistics
@pytest.fixture(autouse=True)
def _threads():
    with dask.config.set(scheduler="threads"):
        yield


@pytest.mark.parametrize("case", ["normal", "ties", "signed-zeros", "wide", "tiny-n"])
def test_order_statistics_are_exact(case):
    from infoplane.scale import select

    r = np.random.default_rng(9)
    x = {"normal": lambda: r.standard_normal(100_001),
         "ties": lambda: np.round(r.standard_normal(50_000), 1),
         "signed-zeros": lambda: np.r_[np.zeros(50) * -1.0, np.zeros(50), r.random(20) - 0.5],
         "wide": lambda: r.standard_cauchy(30_000) ** 3 * 1e250,
         "tiny-n": lambda: r.standard_normal(11)}[case]()
    xd = da.from_array(x, chunks=max(3, x.size // 7))
    first = select.first_pass(xd)
    ranks = sorted({0, x.size // 4, x.size // 2, x.size - 1, (3 * x.size) // 4})
    got = select.order_statistics(xd, first, ranks)
    srt = np.sort(x)
    assert [got[k] for k in ranks] == [srt[k] for k in ranks]
    assert first["n"] == x.size and first["min"] == srt[0] and first["max"] == srt[-1]


def test_gather_threshold_forces_a_second_radix_level(monkeypatch):
    from infoplane.scale import select

    monkeypatch.setattr(select, "_GATHER_MAX", 50)
    x = np.random.default_rng(10).standard_normal(40_000)
    xd = da.from_array(x, chunks=9_000)
    got = select.order_statistics(xd, select.first_pass(xd), [123, 20_000, 39_999])
    srt = np.sort(x)
    assert [got[123], got[20_000], got[39_999]] == [srt[123], srt[20_000], srt[39_999]]


@pytest.mark.parametrize("n", [10, 11, 1000, 1001])
def test_out_of_core_standardisation_is_bitwise_the_in_memory_one(n):
    from infoplane.scale import dask1d

    x = np.random.default_rng(n).lognormal(3.0, 2.0, n)
    P = dask1d.prepare(da.from_array(x, chunks=max(3, n // 3)))
    Y, e, _ = pow2_standardize(x[:, None])
    ys = np.sort(Y[:, 0])
    assert P.e == e[0] and P.median == np.median(x)
    assert P.center == sorted_quantile(ys, 0.5)
    assert P.sigma == (sorted_quantile(ys, .75) - sorted_quantile(ys, .25)) / binned.IQR_FACTOR
    assert (P.ymin, P.ymax) == (ys[0], ys[-1])


# ----------------------------------------------------- dask: agreement with in memory
@pytest.fixture(scope="module")
def cauchy():
    return np.random.default_rng(12).standard_cauchy(150_007) * 3e-5 + 40.0


def _same(a, b, rtol=1e-10):
    assert a.value == pytest.approx(b.value, rel=rtol, abs=0)
    assert a.stderr == pytest.approx(b.stderr, rel=rtol, abs=0)


def test_dask_fs_point_equals_in_memory_binned(cauchy):
    xd = da.from_array(cauchy, chunks=20_000)
    p = ip.fs_point(xd, rng=3)
    q = ip.fs_point(cauchy, entropy_method="binned", fisher_options={"binning": "once"},
                    rng=3)
    assert (p.entropy.method, p.fisher.method) == ("binned", "kde")
    for a, b in ((p.entropy, q.entropy), (p.fisher, q.fisher), (p.product, q.product),
                 (p.entropy_power, q.entropy_power)):
        _same(a, b)
    assert p.fisher.options == q.fisher.options and p.entropy.options == q.entropy.options
    # and the default in-memory estimates (kNN entropy, per-bandwidth KDE) within errors
    r = ip.fs_point(cauchy, rng=3)
    for a, b in ((p.entropy, r.entropy), (p.fisher, r.fisher)):
        assert abs(a.value - b.value) < 3 * math.hypot(a.stderr, b.stderr)
    # Cauchy(40, 3e-5): J = 1/(2γ²), N = 8πγ²/e: the product is 4π/e
    assert abs(p.product.value - 4 * math.pi / math.e) < 4 * p.product.stderr


def test_dask_single_quantities_equal_in_memory(cauchy):
    xd = da.from_array(cauchy, chunks=35_000)
    _same(ip.entropy(xd, rng=1), ip.entropy(cauchy, method="binned", rng=1))
    _same(ip.entropy_power(xd, rng=1), ip.entropy_power(cauchy, method="binned", rng=1))
    _same(ip.fisher(xd, rng=1, n_boot=20),
          ip.fisher(cauchy, binning="once", rng=1, n_boot=20))
    bw = 2e-6
    _same(ip.fisher(xd, bandwidth=bw, rng=1),
          ip.fisher(cauchy, binning="once", bandwidth=bw, rng=1))
    m = ip.fisher_matrix(xd[:, None], rng=1)
    assert m.value.shape == (1, 1)
    assert m.value[0, 0] == pytest.approx(ip.fisher(xd, rng=1).value, rel=1e-12)


def test_dask_xarray_series_and_chunking_invariance():
    xr = pytest.importorskip("xarray", reason="xarray is not installed")
    x = np.random.default_rng(13).logistic(size=60_000)
    a = ip.fs_point(da.from_array(x, chunks=7_000), rng=0)
    b = ip.fs_point(xr.DataArray(da.from_array(x, chunks=25_000), dims="t"), rng=0)
    _same(a.product, b.product, 1e-9)
    assert abs(a.fisher.value - 1 / 3) < 4 * a.fisher.stderr      # logistic: J = 1/3


def test_dask_nan_policy():
    x = np.random.default_rng(14).standard_normal(20_000)
    x[[5, 17_000]] = [np.nan, np.inf]
    xd = da.from_array(x, chunks=3_000)
    with pytest.raises(ValueError, match=r"1 NaN and 1 inf \(first at row 5\)"):
        ip.entropy(xd)
    _same(ip.entropy(xd, nan_policy="omit", rng=0),
          ip.entropy(x, method="binned", nan_policy="omit", rng=0))


def test_dask_refuses_what_needs_memory():
    x = np.random.default_rng(15).standard_normal(5_000)
    xd = da.from_array(x, chunks=1_000)
    with pytest.raises(ValueError, match="needs all samples in memory"):
        ip.entropy(xd, method="knn")
    with pytest.raises(ValueError, match="needs all samples in memory"):
        ip.fs_point(xd, entropy_method="spacing")
    with pytest.raises(ValueError, match="jitter"):
        ip.fisher(xd, jitter="auto")
    with pytest.raises(ValueError, match="binning"):
        ip.fisher(xd, binning="per-bandwidth")
    with pytest.raises(ValueError, match="`support` needs the in-memory estimator"):
        ip.fisher(xd, support=(-np.inf, np.inf))
    with pytest.raises(ValueError, match="1-D samples only"):
        ip.fs_point(da.from_array(np.c_[x, x], chunks=(1_000, 2)))
    with pytest.raises(TypeError, match="window_length"):
        ip.entropy(xd, window_length=3)
    with pytest.raises(ValueError, match="at least 10"):
        ip.fisher(xd[:9])


def test_dask_degenerate_and_quantised_data():
    xd = da.full(1_000, 2.5, chunks=100)
    with pytest.warns(ip.DegenerateDataWarning, match="constant"):
        p = ip.fs_point(xd)
    assert p.entropy.value == -math.inf and p.fisher.value == math.inf and p.fisher.reason
    q = da.from_array(np.round(np.random.default_rng(16).standard_normal(200_000)), 50_000)
    with pytest.raises(ValueError, match="lattice"):
        ip.fisher(q)
    with pytest.raises(ValueError, match="lattice"):
        ip.entropy(q)
    half = np.random.default_rng(17).standard_normal(200_000)     # half the rows rounded
    half[::2] = np.round(half[::2] / 0.2) * 0.2
    with pytest.raises(ValueError, match=r"lattice of step ~0\.2"):
        ip.fisher(da.from_array(half, 50_000))
    atom = np.random.default_rng(18).standard_normal(200_000)
    atom[:20_000] = 1.5
    with pytest.raises(ValueError, match="has an atom"):
        ip.entropy(da.from_array(atom, 50_000))
    # censored at the sample minimum (31% at -0.5): the spike sits on the first node
    with pytest.raises(ValueError, match=r"has an atom or a very narrow peak: about 3[01]\."):
        ip.fisher(da.from_array(np.maximum(atom[20_000:], -0.5), 45_000))


def test_dask_flags_a_peak_narrower_than_the_kernel():
    # 2% of the mass at SD 0.001 on N(0, 1) (J ≈ 1.7e4, see test_univariate): the binned
    # KDE gives ~1.3; the counts show the peak, so stderr = inf with a reason that places it
    r = np.random.default_rng(19)
    x = 5.0 + 2.0 * np.where(r.random(20_000) < 0.02, 1.0 + 1e-3 * r.standard_normal(20_000),
                             r.standard_normal(20_000))
    with pytest.warns(ip.AccuracyWarning, match="narrower than the kernel"):
        e = ip.fisher(da.from_array(x, 5_000), rng=0)
    assert e.stderr == math.inf and e.value < 10
    assert abs(float(e.reason.split("near x = ")[1].split()[0]) - 7.0) < 0.01
    g = ip.fisher(da.from_array(r.standard_normal(20_000), 5_000), rng=0)
    assert g.reason is None and math.isfinite(g.stderr)


@pytest.mark.parametrize("case", ["gauss", "uniform", "cauchy", "signed-zeros", "constant",
                                  "one-off", "short"])
def test_first_pass_tails_are_the_sorted_extremes(case):
    from infoplane.scale import select
    rng = np.random.default_rng(19)
    x = {"gauss": lambda: rng.standard_normal(60_000),
         "uniform": lambda: rng.random(60_000) + 1.0,
         "cauchy": lambda: rng.standard_cauchy(60_000),
         "signed-zeros": lambda: np.r_[np.zeros(7_000), -np.zeros(7_000),
                                       rng.standard_normal(9_000)],
         "constant": lambda: np.full(20_000, 3.0),
         "one-off": lambda: np.r_[np.full(20_000, -2.0), 5.0],
         "short": lambda: rng.standard_normal(3_000)}[case]()
    x[rng.permutation(x.size)[:5]] = [np.nan, np.inf, -np.inf, np.nan, np.nan] \
        if x.size > 10_000 else x[:5]
    first = select.first_pass(da.from_array(x, chunks=9_000))
    s = np.sort(x[np.isfinite(x)])
    k = min(select.TAIL_SIZE, s.size)
    assert np.array_equal(first["low"], s[:k]) and np.array_equal(first["high"], s[-k:])


@pytest.mark.parametrize("law, infinite", [("uniform", True), ("exponential", True),
                                           ("gamma5", False)])
def test_dask_support_ends_are_screened(law, infinite):
    # the binned counts cannot model an end: a density with a jump there has J = inf
    # (closed form), one that vanishes like x^4 (Gamma(5), J = 1/3) gets a biased value
    # whose error is unbounded; the screen reads the extreme values gathered out of core
    rng = np.random.default_rng(17)
    x = {"uniform": lambda: rng.random(100_000) * 3.0 + 1.0,
         "exponential": lambda: rng.exponential(size=100_000),
         "gamma5": lambda: rng.gamma(5.0, size=100_000)}[law]()
    xd = da.from_array(x, chunks=7_000)        # unequal last chunk, NaN-free
    warning = ip.DegenerateDataWarning if infinite else ip.AccuracyWarning
    with pytest.warns(warning, match="J = inf" if infinite else "support end"):
        j = ip.fisher(xd, rng=0)
    with pytest.warns(warning):
        mem = ip.fisher(x, binning="once", rng=0)
    assert j.reason == mem.reason and "end x = " in j.reason
    if infinite:
        assert j.value == mem.value == math.inf
    else:
        _same(j, mem)
        assert j.stderr == math.inf and 0.25 < j.value < 0.45
    with pytest.warns(warning):
        p = ip.fs_point(xd, rng=0)
    assert p.fisher.reason == j.reason


def test_dask_screen_finds_no_end_in_smooth_laws():
    import warnings
    x = np.random.default_rng(18).logistic(size=100_000)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        j = ip.fisher(da.from_array(x, chunks=10_000), rng=0)
    assert j.reason is None and abs(j.value - 1 / 3) < 4 * j.stderr


# ------------------------------------------------------------------------- fs_trajectory
def test_fs_trajectory_of_a_dask_series_equals_in_memory():
    x = np.random.default_rng(17).standard_normal(40_000).cumsum()
    x = np.diff(x)
    a = ip.fs_trajectory(x, 4000, step=3000, rng=0)
    b = ip.fs_trajectory(da.from_array(x, chunks=9_000), 4000, step=3000, rng=0)
    np.testing.assert_array_equal(a.steps, b.steps)
    np.testing.assert_array_equal(a.fisher, b.fisher)
    np.testing.assert_array_equal(a.entropy_power, b.entropy_power)
    y = da.from_array(np.r_[x[:100], np.nan, x[101:]], chunks=9_000)
    with pytest.raises(ValueError, match="finite.*row 100"):
        ip.fs_trajectory(y, 4000)


# ------------------------------------------------------------------------------ fs_map


@pytest.mark.filterwarnings("ignore::infoplane.errors.DegenerateDataWarning")
def test_fs_map_dask_is_chunking_invariant(cube):
    c = cube
    m = ip.fs_map(c, rng=7)
    for chunks in [(1, 3, 200), (3, 2, 600)]:
        md = ip.fs_map(da.from_array(c, chunks=chunks), rng=7)
        for k, v in m.to_dict().items():
            np.testing.assert_array_equal(getattr(md, k), v, err_msg=k)


@pytest.mark.filterwarnings("ignore::infoplane.errors.DegenerateDataWarning")
def test_fs_map_xarray_dataset(cube):
    xr = pytest.importorskip("xarray", reason="xarray is not installed")
    c = cube
    arr = xr.DataArray(np.moveaxis(c, -1, 0), dims=("time", "lat", "lon"),
                       coords={"time": np.arange(600), "lat": [10.0, 20.0, 30.0, 40.0],
                               "lon": [1.0, 2.0, 3.0], "label": "test"})
    ds = ip.fs_map(arr, dim="time", rng=7)
    lazy = ip.fs_map(arr.chunk({"lat": 2}), dim="time", rng=7)
    assert isinstance(lazy["product"].data, da.Array)
    lazy = lazy.compute()
    m = ip.fs_map(c, rng=7)
    assert ds["product"].dims == ("lat", "lon")
    np.testing.assert_array_equal(ds["lat"], [10.0, 20.0, 30.0, 40.0])
    assert "time" not in ds.coords and ds.attrs["series_dim"] == "time"
    for name in ("entropy_power", "fisher", "product", "entropy_power_stderr",
                 "fisher_stderr", "product_stderr", "n_valid", "status"):
        np.testing.assert_array_equal(ds[name].values, getattr(m, name), err_msg=name)
        np.testing.assert_array_equal(lazy[name].values, getattr(m, name), err_msg=name)
    with pytest.raises(ValueError, match="dim"):
        ip.fs_map(arr, dim="depth")
