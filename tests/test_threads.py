"""The helper thread (issue #12): work beside the caller's gives the same bits.

No timings (``benchmarks/speed.py`` times the two-thread FS point): these tests check
that the two-thread sort is NumPy's sort, that an FS point whose halves run side by side
equals the two estimates run alone (same random draws), that errors come in the serial
order, that the helper is used only when idle and a second CPU is there, and that every
Numba kernel releases the GIL (without it the threads only take turns).
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
import time

import numpy as np
import pytest
from hypothesis import given, strategies as st

import infoplane as ip
from infoplane import _threads
from infoplane._kernels.merge import _merge_sorted
from infoplane.estimators._prepare import PARALLEL_SORT_MIN, sorted_1d

floats = st.floats(allow_nan=False, width=64)


@pytest.fixture
def two_cpus(monkeypatch):
    """The helper on, whatever this machine has: the two-thread paths run (and are
    checked) on a one-CPU runner too."""
    monkeypatch.setattr(_threads, "_cpus", lambda: 2)


@given(st.lists(floats, max_size=60), st.lists(floats, max_size=60))
def test_merge_of_sorted_runs_is_the_sort_of_their_union(a, b):
    a, b = np.sort(np.array(a, dtype=float)), np.sort(np.array(b, dtype=float))
    out = _merge_sorted(a, b)
    np.testing.assert_array_equal(out, np.sort(np.concatenate([a, b])))


@pytest.mark.parametrize("n", [PARALLEL_SORT_MIN, PARALLEL_SORT_MIN + 1, 300_001])
def test_two_thread_sort_is_numpys_sort(n, two_cpus):
    rng = np.random.default_rng(n)
    for x in (rng.standard_normal(n),
              np.round(rng.standard_normal(n), 2),                  # many ties
              np.where(rng.random(n) < 0.5, -0.0, 0.0),              # signed zeros
              np.concatenate([np.sort(rng.random(n // 2))[::-1], rng.random(n - n // 2)])):
        s = sorted_1d(x)
        assert s is not x and not np.shares_memory(s, x)
        np.testing.assert_array_equal(s, np.sort(x))


def test_fs_point_halves_side_by_side_equal_the_estimates_alone(two_cpus):
    n = PARALLEL_SORT_MIN + 7
    rng = np.random.default_rng(11)
    for x in (rng.standard_normal(n) * 3e-7 + 5.0, rng.gamma(3.0, size=n),
              rng.standard_t(3, size=n)):
        p = ip.fs_point(x, rng=123)
        j, h = ip.fisher(x, rng=123), ip.entropy(x, rng=123)
        assert (p.fisher.value, p.fisher.stderr) == (j.value, j.stderr)
        assert (p.entropy.value, p.entropy.stderr) == (h.value, h.stderr)
        assert p.fisher.options == j.options


def test_fs_point_side_by_side_raises_the_entropys_error_first(two_cpus):
    n = PARALLEL_SORT_MIN
    x = np.round(np.random.default_rng(3).standard_normal(n), 1)   # ties: both halves fail
    with pytest.raises(ValueError) as h_alone:
        ip.entropy(x)
    with pytest.raises(ValueError) as j_alone:
        ip.fisher(x)
    assert str(h_alone.value) != str(j_alone.value)
    with pytest.raises(ValueError) as both:
        ip.fs_point(x)
    assert str(both.value) == str(h_alone.value)
    # and alone, as in series: not shown as raised while handling the Fisher half's error
    assert both.value.__context__ is None and h_alone.value.__context__ is None


def test_helper_runs_work_inline_when_busy_or_on_one_cpu(monkeypatch, two_cpus):
    main = threading.get_ident()
    gate = threading.Event()
    where = []
    first = _threads.beside(lambda: (gate.wait(10), where.append(threading.get_ident())))
    second = _threads.beside(lambda: threading.get_ident())    # helper busy: inline
    assert second.result() == main
    assert _threads.in_helper(threading.get_ident) is None       # ... or not at all
    x = np.random.default_rng(4).standard_normal(PARALLEL_SORT_MIN + 1)
    np.testing.assert_array_equal(sorted_1d(x), np.sort(x))       # one sort, no merge
    gate.set()
    first.result()
    assert where[0] != main
    for t in threading.enumerate():              # it ends with its job (no pool lingers);
        if t.name == "infoplane-helper":         # .result() may come a moment before
            t.join(10)
    assert not [t for t in threading.enumerate() if t.name == "infoplane-helper"]
    monkeypatch.setattr(_threads, "_cpus", lambda: 1)
    assert _threads.beside(threading.get_ident).result() == main


def test_a_jobs_slot_is_free_once_its_result_is(monkeypatch, two_cpus):
    """A caller holding one job's result can hand the helper the next at once (an FS
    point's entropy half right after its sort's half), so that job does not run inline."""

    class SlowRelease(threading.Semaphore):
        def release(self, n=1):
            time.sleep(0.2)                # widens the gap a descheduled helper could leave
            super().release(n)

    monkeypatch.setattr(_threads, "_free", SlowRelease(1))
    main = threading.get_ident()
    for _ in range(2):
        assert _threads.beside(threading.get_ident).result() != main


def test_helper_hands_errors_to_result():
    def boom():
        raise KeyError("x")

    for _ in range(2):                       # on the helper, then (if busy) inline
        with pytest.raises(KeyError):
            _threads.beside(boom).result()


def test_every_numba_kernel_releases_the_gil():
    import infoplane._kernels as pkg

    kernels = []
    for info in pkgutil.iter_modules(pkg.__path__):
        mod = importlib.import_module(f"{pkg.__name__}.{info.name}")
        kernels += [(f"{info.name}.{k}", v) for k, v in vars(mod).items()
                    if hasattr(v, "targetoptions") and v.__module__ == mod.__name__]
    assert len(kernels) > 10
    held = [name for name, k in kernels if not k.targetoptions.get("nogil")]
    assert not held, f"kernels compiled without nogil: {held}"


def _child_env() -> dict:
    """The environment of a child Python that imports this checkout's infoplane."""
    import os
    from pathlib import Path

    root = str(Path(__file__).resolve().parents[1])
    return dict(os.environ, PYTHONPATH=os.pathsep.join([root, os.environ.get("PYTHONPATH", "")]))


_FORK_CHILD = """
import multiprocessing as mp, numpy as np, infoplane as ip

def work(q):
    q.put(ip.fs_point(np.random.default_rng(2).standard_normal(150_000), rng=1).fisher.value)

if __name__ == "__main__":
    x = np.random.default_rng(2).standard_normal(150_000)
    here = ip.fs_point(x, rng=1).fisher.value
    q = mp.get_context("fork").Queue()
    p = mp.get_context("fork").Process(target=work, args=(q,))
    p.start()
    print(q.get(timeout=60) == here)
    p.join(60)
"""


def test_a_forked_child_can_use_a_helper(tmp_path):
    import subprocess
    import sys

    script = tmp_path / "fork_child.py"
    script.write_text(_FORK_CHILD)
    res = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=150, env=_child_env())
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "True"


_POOL_AFTER_PARALLEL = """
import multiprocessing as mp, warnings, numpy as np, infoplane as ip
warnings.simplefilter("ignore")

def work(seed):
    x = np.random.default_rng(seed).standard_normal((1500, 2))
    return ip.fisher(x).value, ip.entropy(np.random.default_rng(seed).standard_normal(
        120_000), method="spacing").value

if __name__ == "__main__":
    here = work(1)                     # the parent runs the parallel kernels first
    with mp.get_context("fork").Pool(2) as pool:
        res = pool.map_async(work, [1, 2]).get(timeout=240)
    print(res[0] == here and res[1] != here)
"""


def test_a_forked_pool_after_parallel_kernels_finishes(tmp_path):
    """Numba's GNU-OpenMP pool kills a forked child that starts a parallel region, and
    the pool then hangs: forked children must use the serial kernels (same results)."""
    import subprocess
    import sys

    script = tmp_path / "pool.py"
    script.write_text(_POOL_AFTER_PARALLEL)
    res = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                         timeout=300, env=_child_env())
    assert res.returncode == 0, res.stderr[-2000:]
    assert res.stdout.strip().splitlines()[-1] == "True"


def test_serial_kernels_of_a_forked_child_match_the_parallel_ones(monkeypatch):
    x = np.random.default_rng(5).standard_normal((800, 3))
    xs = np.random.default_rng(6).standard_normal(PARALLEL_SORT_MIN)
    mix = ip.GaussianMixture([0.4, 0.6], [[0.0, 0.0], [2.0, 1.0]],
                             [np.eye(2), [[1.0, 0.3], [0.3, 0.5]]])
    pts = np.random.default_rng(7).standard_normal((60_000, 2))

    def run():
        k = ip.KDE(x[:300])
        return (ip.fisher(x), ip.entropy(xs, method="spacing").value,
                k.logpdf(x[:40]), k.score(x[:40]), mix.logpdf(pts), mix.score(pts))

    par = run()
    monkeypatch.setattr(_threads, "_forked", True)
    assert not _threads.parallel_allowed()
    ser = run()
    assert (par[0].value, par[0].stderr) == (ser[0].value, ser[0].stderr)
    assert par[1] == ser[1]
    for a, b in zip(par[2:], ser[2:]):
        np.testing.assert_array_equal(a, b)


def test_above_the_size_cap_the_sort_is_one_np_sort(monkeypatch, two_cpus):
    from infoplane.estimators import _prepare

    handed = []
    monkeypatch.setattr(_prepare, "in_helper", lambda *a: handed.append(a) or None)
    x = np.random.default_rng(8).standard_normal(PARALLEL_SORT_MIN + 2)
    sorted_1d(x)
    assert len(handed) == 1                                  # in the range: offered
    monkeypatch.setattr(_prepare, "PARALLEL_SORT_MAX", PARALLEL_SORT_MIN + 1)
    np.testing.assert_array_equal(sorted_1d(x), np.sort(x))
    assert len(handed) == 1                                  # above the cap: not offered
