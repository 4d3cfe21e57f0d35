"""1-D samples: one sort per FS point, and the shortcuts it takes are exact (issue #12).

No timings (``benchmarks/speed.py`` times it): the tests check that the sorted path gives
the same bits as the general one, that the fused kNN kernel matches a brute-force
reference, and that an FS point sorts once and runs no other order-statistic pass.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import special

import infoplane as ip
from infoplane._kernels.spacing import _knn_log_radii_sum, _knn_logsum_ser
from infoplane._numerics import pow2_standardize, robust_scales
from infoplane.estimators.knn_entropy import entropy_knn_1d


def _samples(rng, t):
    n = int(rng.integers(1, 80))
    kind = t % 6
    if kind == 0:
        return rng.standard_normal(n) * 10.0 ** rng.uniform(-300, 300)
    if kind == 1:
        return np.round(rng.standard_normal(n), 1)                   # ties
    if kind == 2:
        return np.where(rng.random(n) < 0.8, 3.0, rng.standard_normal(n))  # IQR = 0: MAD
    if kind == 3:
        return np.full(n, rng.standard_normal())                       # constant
    if kind == 4:
        return np.where(rng.random(n) < 0.6, 1.0, 2.0)                # MAD = 0: max dev
    return rng.standard_cauchy(n) * 1e5 + 1e7


def test_sorted_standardisation_has_the_bits_of_the_general_one():
    rng = np.random.default_rng(20260612)
    for t in range(1200):
        x = _samples(rng, t)
        Y, e, med = pow2_standardize(x[:, None])
        xs = np.sort(x)[:, None]
        Ys, es, meds = pow2_standardize(xs, presorted=True, overwrite=True)
        assert Ys is xs or np.shares_memory(Ys, xs)      # written in place
        np.testing.assert_array_equal(np.sort(Y[:, 0]), Ys[:, 0])
        np.testing.assert_array_equal(e, es)
        np.testing.assert_array_equal(med, meds)


def test_robust_scales_quartiles_are_numpys_percentiles():
    rng = np.random.default_rng(5)
    for n in (1, 2, 3, 4, 10, 11, 1000, 1001):
        X = rng.standard_normal((n, 3))
        med, s = robust_scales(X)
        q25, q50, q75 = (np.percentile(X, q, axis=0) for q in (25, 50, 75))
        np.testing.assert_array_equal(med, q50)
        np.testing.assert_array_equal(s, (q75 - q25) / 1.3489795003921634)
        for j in range(3):
            ms, ss = robust_scales(np.sort(X[:, j])[:, None], presorted=True)
            assert ms[0] == q50[j] and ss[0] == s[j]


def _brute_radii(x, k):
    d = np.abs(x[:, None] - x[None, :])
    return np.sort(d, axis=1)[:, k]          # column 0 is the point itself


@pytest.mark.parametrize("k", [1, 2, 5, 16])
def test_fused_knn_log_sum_matches_brute_force(k):
    rng = np.random.default_rng(k)
    x = np.sort(rng.standard_cauchy(700))
    ref = np.log(_brute_radii(x, k)).sum()
    for got in (_knn_log_radii_sum(x, k)[0], _knn_logsum_ser(x, k)[0]):
        assert got == pytest.approx(ref, rel=1e-13, abs=1e-10)
    n = x.size
    v, _, used = entropy_knn_1d(x, n_neighbors=k)
    truth = special.digamma(n) - special.digamma(k) + math.log(2.0) + ref / n
    assert used == {"n_neighbors": k} and v == pytest.approx(truth, rel=1e-13)


def test_fused_knn_counts_zero_radii():
    x = np.sort(np.repeat(np.arange(50.0), 3))         # every value three times
    for k in (1, 2, 3):
        _, n_zero = _knn_log_radii_sum(x, k)
        assert n_zero == int((_brute_radii(x, k) == 0).sum())
    with pytest.raises(ValueError, match="jitter"):
        ip.entropy(np.repeat(np.arange(50.0), 3), n_neighbors=2)


def test_fs_point_sorts_once_and_takes_no_other_order_statistics(monkeypatch):
    """The entropy and Fisher halves share one sort; the median and quartiles are read off
    it (no np.median / np.percentile / np.quantile / np.partition pass)."""
    calls = {"sort": 0, "other": []}
    real_sort = np.sort

    def sort(a, *args, **kwargs):
        calls["sort"] += 1
        return real_sort(a, *args, **kwargs)

    def forbid(name):
        real = getattr(np, name)

        def f(*args, **kwargs):
            calls["other"].append(name)
            return real(*args, **kwargs)
        return f

    x = np.random.default_rng(2).standard_normal(20_000)
    ip.fs_point(x)                                      # compile before counting
    monkeypatch.setattr(np, "sort", sort)
    for name in ("median", "percentile", "quantile", "partition"):
        monkeypatch.setattr(np, name, forbid(name))
    p = ip.fs_point(x)
    assert calls == {"sort": 1, "other": []}
    assert p.entropy.method == "knn" and p.fisher.method == "kde"


def test_fs_point_halves_equal_the_separate_estimates():
    """Sharing the sort changes nothing: the halves equal ip.entropy and ip.fisher."""
    x = np.random.default_rng(4).standard_t(3, 5000) * 1e-7 + 3.0
    p = ip.fs_point(x, rng=1)
    assert p.entropy.value == ip.entropy(x).value
    assert p.fisher.value == ip.fisher(x, rng=1).value


def test_1d_fs_point_does_not_start_a_thread_pool():
    """Every kernel of a 1-D FS point is serial: no thread pool to start or wake (on a
    shared 2-core machine a parallel kNN walk took 1.7x the serial one)."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    code = ("import json, numpy as np, infoplane as ip\n"
            "ip.fs_point(np.random.default_rng(0).standard_normal(300_000))\n"
            "from numba.np.ufunc.parallel import threading_layer\n"
            "try:\n    tl = threading_layer()\nexcept ValueError:\n    tl = None\n"
            "print(json.dumps(tl))\n")
    path = os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])
    env = dict(os.environ, PYTHONPATH=path)
    res = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                         text=True, timeout=600, cwd=root)
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout.strip().splitlines()[-1]) is None
