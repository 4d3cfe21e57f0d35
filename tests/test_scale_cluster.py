"""Scale-out on a real dask.distributed cluster (2 worker processes, 1 thread each).

The same code paths as test_scale.py, but every block task runs in another process: the
out-of-core FS point and an FS map computed on the cluster must equal the in-memory
answers. One module-scoped LocalCluster (started once, shut down at the end).
"""

import warnings

import numpy as np
import pytest

import infoplane as ip

dask = pytest.importorskip("dask", reason="the dask extra is not installed")
da = pytest.importorskip("dask.array", reason="the dask extra is not installed")
distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed")
xr = pytest.importorskip("xarray", reason="xarray is not installed")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def client():
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                       dashboard_address=None, memory_limit="2GiB")
    c = distributed.Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


def test_workers_run_this_checkout(client):
    here = ip.__file__
    assert set(client.run(lambda: __import__("infoplane").__file__).values()) == {here}


def test_out_of_core_fs_point_on_the_cluster(client):
    rng = da.random.default_rng(20261130)
    x = rng.standard_t(5, size=300_000, chunks=75_000) * 0.01 + 3.0
    p = ip.fs_point(x, rng=4)                     # every pass runs on the two workers
    xs = x.compute()
    q = ip.fs_point(xs, entropy_method="binned", fisher_options={"binning": "once"}, rng=4)
    for a, b in ((p.entropy, q.entropy), (p.fisher, q.fisher), (p.product, q.product)):
        assert a.value == pytest.approx(b.value, rel=1e-10, abs=0)
        assert a.stderr == pytest.approx(b.stderr, rel=1e-10, abs=0)
    # and the default in-memory estimators, within the joint standard error
    r = ip.fs_point(xs, rng=4)
    for a, b in ((p.entropy, r.entropy), (p.fisher, r.fisher)):
        assert abs(a.value - b.value) < 3 * np.hypot(a.stderr, b.stderr)
    # t5 with scale 0.01: J = (ν+1)/((ν+3) σ²) = 7500
    assert abs(p.fisher.value - 7500.0) < 4 * p.fisher.stderr + 0.01 * 7500


def test_fs_map_on_the_cluster(client):
    r = np.random.default_rng(3)
    cube = r.standard_normal((300, 4, 5)) * np.linspace(1, 3, 5)
    cube[:, 0, 0] = np.nan
    arr = xr.DataArray(cube, dims=("time", "y", "x"),
                       coords={"y": np.arange(4), "x": np.arange(5) * 0.5})
    ds = ip.fs_map(arr.chunk({"y": 2, "x": 3}), dim="time", rng=9).compute()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = ip.fs_map(np.moveaxis(cube, 0, -1), rng=9)
    assert ds["status"].values[0, 0] == 1
    for name in ("entropy_power", "fisher", "product", "fisher_stderr", "status"):
        np.testing.assert_array_equal(ds[name].values, getattr(m, name), err_msg=name)
