"""Numba's on-disk cache must not hand one kernel variant's machine code to another.

Numba keys a cache entry by the Python function (file, name, line) and the signature,
not by the ``parallel`` flag: a function compiled both ways shares one entry, and the
variant cached first is loaded for both (the serial quadrature kernels then woke the
thread pool on every one-point call). Each variant must be its own function.
"""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

_CHILD = r"""
import json, sys
import numpy as np
import infoplane as ip
from infoplane._kernels import mixture as k

mix = ip.GaussianMixture([0.3, 0.7], [-1.0, 2.0], [1.0, 0.5])
X = np.linspace(-3.0, 3.0, 1000)[:, None]
out = {}
for name in sys.argv[1].split(","):
    fn = getattr(k, name)
    fn(X, mix.means, mix._chols, mix._log_norm)
    out[name] = {"hits": sum(fn.stats.cache_hits.values()),
                 "misses": sum(fn.stats.cache_misses.values())}
try:
    from numba.np.ufunc.parallel import threading_layer
    out["threading_layer"] = threading_layer()
except ValueError:      # raised while no parallel code has run in this process
    out["threading_layer"] = None
print(json.dumps(out))
"""


def _child(names: list[str], cache_dir: Path) -> dict:
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache_dir),
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    env.pop("NUMBA_DISABLE_JIT", None)
    res = subprocess.run([sys.executable, "-c", _CHILD, ",".join(names)], env=env,
                         capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.strip().splitlines()[-1])


@pytest.mark.slow
def test_serial_mixture_kernels_do_not_load_the_parallel_cache_entry(tmp_path):
    """A fresh cache filled by the parallel kernels (as Monte Carlo does) must not serve
    the serial ones: in a second process they compile (a cache miss) and never start
    Numba's thread pool. Before the fix both were cache hits and the pool started."""
    parallel = ["_mixture_logpdf", "_mixture_logpdf_score"]
    serial = ["_mixture_logpdf_serial", "_mixture_logpdf_score_serial"]
    first = _child(parallel, tmp_path)
    assert all(first[n]["misses"] == 1 for n in parallel), first  # the cache was empty
    second = _child(serial, tmp_path)
    assert all(second[n] == {"hits": 0, "misses": 1} for n in serial), second
    assert second["threading_layer"] is None, second
    third = _child(parallel + serial, tmp_path)     # every variant now has its own entry
    assert all(third[n] == {"hits": 1, "misses": 0} for n in parallel + serial), third


def test_no_two_kernels_share_a_python_function():
    """The rule behind the test above, for every cached kernel in infoplane._kernels."""
    from numba.core.registry import CPUDispatcher

    import infoplane._kernels as pkg

    seen: dict[int, str] = {}
    for info in pkgutil.iter_modules(pkg.__path__):
        mod = importlib.import_module(f"infoplane._kernels.{info.name}")
        for name, obj in vars(mod).items():
            if isinstance(obj, CPUDispatcher) and obj.__module__ == mod.__name__:
                key = id(obj.py_func)
                where = f"{mod.__name__}.{name}"
                assert key not in seen, f"{where} and {seen[key]} compile one function"
                seen[key] = where
    assert len(seen) >= 10  # the scan found the kernels
