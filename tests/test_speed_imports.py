"""`import infoplane` stays light: heavy dependencies load on first use (issue #12).

No timings here (the suite must not fail on a busy machine): the test checks which modules
a fresh interpreter has loaded, which is what the import time follows. Whole-process
timings are in ``benchmarks/speed.py`` (``docs/speed.md``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: loaded only by the features that need them (Numba kernels, kd-trees, QAGS fallback,
#: scipy adapters, the BLAS guard, progress bars)
LAZY = ("numba", "llvmlite", "scipy.spatial", "scipy.integrate", "scipy.stats",
        "scipy.optimize", "threadpoolctl", "tqdm", "torch", "matplotlib")


def _loaded_after(code: str) -> list[str]:
    env = dict(os.environ,
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    prog = (f"import sys\n{code}\nimport json\n"
            "print(json.dumps(sorted(m for m in sys.modules if m)))")
    res = subprocess.run([sys.executable, "-c", prog], env=env, capture_output=True,
                         text=True, timeout=300, cwd=ROOT)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout.strip().splitlines()[-1])


def _heavy(mods: list[str]) -> list[str]:
    return sorted(m for m in mods if any(m == p or m.startswith(p + ".") for p in LAZY))


def test_import_loads_no_heavy_dependency():
    mods = _loaded_after("import infoplane")
    assert "infoplane" in mods
    assert _heavy(mods) == []


def test_closed_forms_and_quadrature_stay_light():
    """Closed forms and (vectorised) quadrature of a 1-D density need none of them."""
    mods = _loaded_after(
        "import infoplane as ip\n"
        "ip.fs_point(ip.Gaussian(0.0, 2.0))\n"
        "ip.fisher(ip.Logistic(), method='quadrature')\n"
        "ip.entropy(ip.StudentT(3.0), method='quadrature')\n")
    assert _heavy(mods) == []


def test_first_use_loads_what_it_needs():
    """The lazy imports are real imports: the kNN entropy of 1-D samples loads Numba."""
    mods = _loaded_after(
        "import numpy as np, infoplane as ip\n"
        "ip.entropy(np.random.default_rng(0).standard_normal(200))\n")
    assert "numba" in mods


def test_1d_sample_fs_point_loads_no_scipy_stats_or_optimize():
    """A 1-D FS point of samples needs Numba, not scipy.stats / scipy.optimize (the d-D
    kNN entropy's radial t fit lives in the same module as the 1-D kNN entropy and loads
    them only when it runs; importing them at the first 1-D call cost about 0.4 s of the
    first call in docs/speed.md)."""
    mods = _loaded_after(
        "import numpy as np, infoplane as ip\n"
        "ip.fs_point(np.random.default_rng(0).standard_normal(2000))\n")
    assert "numba" in mods
    assert [m for m in _heavy(mods) if m.startswith(("scipy.stats", "scipy.optimize"))] == []
