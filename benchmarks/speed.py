"""Speed of the issue-#12 tasks, before and after; writes docs/speed.md.

    python benchmarks/speed.py [--base 6c9796c] [--runs 3] [--slow-runs 1] [--quick]

"Before" is the code of commit ``--base`` (extracted with ``git archive`` into a temporary
directory), "after" is this checkout; each runs in its own fresh processes through
PYTHONPATH, alternating before/after so that a drift of the machine's load hits both.
Every time is a median, and every row also reports a ratio against a baseline timed in
the same process or the same round of processes, so rows stay comparable on a busy
machine:

1. ``fs_point`` of 10⁶ standard-normal samples (warm), against ``np.sort`` of the same
   array in the same process, with all CPUs and with the process held to one CPU (the
   wall-clock ratio, and the CPU-time ratio of all threads);
2. ``ip.fisher(ip.KDE(x[:2000]))`` for Cauchy ``x`` (the README snippet: bandwidth
   search plus quadrature), against ``np.sort`` of 10⁶ numbers in the same process;
3. ``import infoplane`` in a fresh interpreter (files cached), against ``import
   scipy.stats`` in the same round; which heavy modules it loads;
4. the first ``fs_point`` of 10⁶ samples in a fresh process, with an empty Numba cache
   and with a warm one, against the second call in the same process;
5. ``entropy`` of 10⁵ samples of a correlated 10-D Gaussian (all query points before,
   the ``max_queries="auto"`` subset after), against ``scipy.spatial.cKDTree(raw)
   .query(raw, k=2, workers=-1)`` on the same raw array in the same process (a k-d tree
   on the raw, anisotropic sample: the fast case for a tree), with the error against
   the closed form;
6. the cache collision of the mixture kernels: quadrature ``fisher`` + ``entropy`` of a
   1-D Gaussian mixture (warm, per call) in a process whose Numba cache was filled by a
   Monte Carlo estimate, against the same in a process whose cache holds only what the
   quadrature compiled itself.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "speed.md"

FS_POINT = r'''
import json, os, sys, time
if sys.argv[2] == "one-cpu":
    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
import numpy as np
import infoplane as ip
R = int(sys.argv[1])
x = np.random.default_rng(0).standard_normal(1_000_000)
ip.fs_point(x); np.sort(x)
fs, so, h, j, cfs, cso = [], [], [], [], [], []
for _ in range(R):
    t, c = time.perf_counter(), time.process_time(); ip.fs_point(x)
    fs.append(time.perf_counter() - t); cfs.append(time.process_time() - c)
    t, c = time.perf_counter(), time.process_time(); np.sort(x)
    so.append(time.perf_counter() - t); cso.append(time.process_time() - c)
    t = time.perf_counter(); ip.entropy(x); h.append(time.perf_counter() - t)
    t = time.perf_counter(); ip.fisher(x); j.append(time.perf_counter() - t)
m = lambda v: sorted(v)[len(v) // 2]
print(json.dumps({"t": m(fs), "ref": m(so), "h": m(h) / m(so), "j": m(j) / m(so),
                  "cpu": m(cfs) / m(cso)}))
'''

KDE = r'''
import json, time, warnings
import numpy as np
warnings.simplefilter("ignore")
import infoplane as ip
x = np.random.default_rng(0).standard_cauchy(1_000_000)
ip.fisher(ip.KDE(x[:100]))                      # compile the kernels first
so = []
for _ in range(3):
    t = time.perf_counter(); np.sort(x); so.append(time.perf_counter() - t)
t0 = time.perf_counter()
k = ip.KDE(x[:2000])
t1 = time.perf_counter()
j = ip.fisher(k)
t2 = time.perf_counter()
print(json.dumps({"t": t2 - t0, "build": t1 - t0, "fisher": t2 - t1, "value": j.value,
                  "stderr": j.stderr, "ref": sorted(so)[1]}))
'''

IMPORT = r'''
import json, sys, time
t = time.perf_counter()
import {module}
t = time.perf_counter() - t
heavy = ("numba", "llvmlite", "scipy.spatial", "scipy.integrate", "scipy.stats",
         "threadpoolctl", "tqdm")
print(json.dumps({{"t": t, "heavy": sorted(h for h in heavy if h in sys.modules)}}))
'''

FIRST = r'''
import json, time
t = time.perf_counter()
import numpy as np
import infoplane as ip
t_import = time.perf_counter() - t
x = np.random.default_rng(0).standard_normal(1_000_000)
t = time.perf_counter(); ip.fs_point(x); first = time.perf_counter() - t
t = time.perf_counter(); ip.fs_point(x); second = time.perf_counter() - t
print(json.dumps({"t": first, "ref": second, "import": t_import}))
'''

MIXTURE = r'''
import json, sys, time
import infoplane as ip
d = ip.GaussianMixture([0.5, 0.5], [-1.5, 1.5], [1.0, 1.0])
if sys.argv[1] == "fill":
    ip.fisher(d, method="monte-carlo", rng=0)
    print(json.dumps({}))
else:
    ip.fisher(d); ip.entropy(d)
    ts = []
    for _ in range(7):
        t = time.perf_counter(); ip.fisher(d); ip.entropy(d); ts.append(time.perf_counter() - t)
    print(json.dumps({"t": sorted(ts)[3]}))
'''


ENTROPY_10D = r'''
import json, time
import numpy as np
from scipy.spatial import cKDTree
import infoplane as ip
d, n = 10, 100_000
A = np.random.default_rng(6).standard_normal((d, d))
X = np.random.default_rng(5).standard_normal((n, d)) @ A
truth = 0.5 * d * np.log(2 * np.pi * np.e) + np.linalg.slogdet(A)[1]
ip.entropy(X[:1000], rng=0)
t = time.perf_counter(); cKDTree(X).query(X, k=2, workers=-1); ref = time.perf_counter() - t
t = time.perf_counter(); e = ip.entropy(X, rng=0); el = time.perf_counter() - t
print(json.dumps({"t": el, "ref": ref, "err": e.value - truth, "se": e.stderr}))
'''


def _child(code: str, src: Path, cache: Path, *args: str, timeout: float = 1800) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src), "NUMBA_CACHE_DIR": str(cache),
           "PYTHONWARNINGS": "ignore"}
    res = subprocess.run([sys.executable, "-c", code, *args], cwd=src, env=env,
                         capture_output=True, text=True, timeout=timeout)
    if res.returncode != 0:
        raise RuntimeError(f"child failed in {src}:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def _med(values):
    return statistics.median(values)


def _extract(rev: str, dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", rev], cwd=ROOT, check=True,
                             capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


class Bench:
    def __init__(self, base: Path, tmp: Path, runs: int, slow_runs: int, inner: int):
        self.src = {"before": base, "after": ROOT}
        self.tmp = tmp
        self.runs, self.slow_runs, self.inner = runs, slow_runs, inner
        self.cache = {}
        for side in self.src:     # one warm Numba cache per side, filled before timing
            self.cache[side] = tmp / f"numba-{side}"
            self.cache[side].mkdir()
        self.rows: list[dict] = []

    def _fresh_cache(self) -> Path:
        return Path(tempfile.mkdtemp(prefix="numba-empty-", dir=self.tmp))

    def _pairs(self, code, runs, *args, fresh_cache=False, sides=("before", "after")):
        out = {s: [] for s in sides}
        for _ in range(runs):
            for side in sides:
                cache = self._fresh_cache() if fresh_cache else self.cache[side]
                out[side].append(_child(code, self.src[side], cache, *args))
        return out

    def warm_up(self):
        for side in self.src:
            _child(FIRST, self.src[side], self.cache[side])
            _child(KDE.replace("x[:2000]", "x[:300]"), self.src[side], self.cache[side])

    def fs_point(self):
        for cpus, what in (("all", "all CPUs of the machine"),
                           ("one-cpu", "the process held to one CPU")):
            r = self._pairs(FS_POINT, self.runs, str(self.inner), cpus)
            self._add(f"`fs_point` on 10⁶ 1-D samples (warm), {what}", r,
                      "np.sort of the same array", "≤ 1.5× np.sort",
                      extra={s: (f"CPU time {_med([v.get('cpu', math.nan) for v in r[s]]):.2f}"
                                 f"× the sort's; alone, each with its own sort: entropy "
                                 f"{_med([v['h'] for v in r[s]]):.2f}×, Fisher information "
                                 f"{_med([v['j'] for v in r[s]]):.2f}×") for s in r})

    def kde(self):
        before = self._pairs(KDE, self.slow_runs, sides=("before",))["before"]
        after = self._pairs(KDE, self.runs, sides=("after",))["after"]
        r = {"before": before, "after": after}
        self._add("`ip.fisher(ip.KDE(x[:2000]))`, x Cauchy (bandwidth search + quadrature)",
                  r, "np.sort of 10⁶ numbers", "≤ 1 s",
                  extra={s: (f"KDE build {_med([v['build'] for v in r[s]]):.2f} s, "
                             f"fisher {_med([v['fisher'] for v in r[s]]):.3g} s, "
                             f"J = {r[s][0]['value']:.10g}") for s in r})

    def imports(self):
        out = {"before": [], "after": [], "scipy.stats": [], "numba": []}
        for _ in range(self.runs * 3):
            for side in ("before", "after"):
                out[side].append(_child(IMPORT.format(module="infoplane"), self.src[side],
                                        self.cache[side]))
            for mod in ("scipy.stats", "numba"):
                out[mod].append(_child(IMPORT.format(module=mod), ROOT, self.cache["after"]))
        self.numba_import = _med([v["t"] for v in out["numba"]])
        ref = _med([v["t"] for v in out["scipy.stats"]])
        r = {s: [dict(v, ref=ref) for v in out[s]] for s in ("before", "after")}
        self._add("`import infoplane` (fresh interpreter, files cached)", r,
                  "import scipy.stats, same rounds", "≤ import scipy.stats; numba and "
                  "scipy.spatial on first use",
                  extra={s: "loads " + (", ".join(out[s][0]["heavy"]) or "none of numba, "
                                        "scipy.spatial/.integrate/.stats, threadpoolctl, tqdm")
                         for s in ("before", "after")})

    def first_call(self):
        where = {"before": "at `import infoplane`", "after": "inside the first call"}

        def note(r):
            return {s: (f"import infoplane {_med([v['import'] for v in r[s]]):.2f} s, "
                        f"import + first call "
                        f"{_med([v['import'] + v['t'] for v in r[s]]):.2f} s; Numba "
                        f"(import alone {self.numba_import:.2f} s) loads {where[s]}")
                    for s in r}

        empty = self._pairs(FIRST, self.runs, fresh_cache=True)
        self._add("first `fs_point` (10⁶ samples) in a fresh process, empty Numba cache",
                  empty, "second call, same process", "report", extra=note(empty))
        warm = self._pairs(FIRST, self.runs)
        self._add("first `fs_point` (10⁶ samples) in a fresh process, warm Numba cache",
                  warm, "second call, same process", "≤ 1 s", extra=note(warm))

    def entropy_10d(self):
        r = self._pairs(ENTROPY_10D, self.runs)
        self._add("`entropy` of 10⁵ samples in d = 10 (correlated Gaussian)", r,
                  "cKDTree(raw).query(raw, k=2, workers=-1), same process",
                  "≤ 1.0× the tree query, error ≤ 0.05 nats",
                  extra={s: (f"error {_med([v['err'] for v in r[s]]):+.3f} ± "
                             f"{_med([v['se'] for v in r[s]]):.3f} nats on this one "
                             "sample, "
                             + ("within" if abs(_med([v['err'] for v in r[s]])) <= 0.05
                                else "outside") + " the 0.05-nat target; over seeds: "
                             "docs/entropy_10d.md")
                         for s in r})

    def mixture_cache(self):
        out = {"before": [], "after": []}
        for _ in range(self.runs):
            for side in out:
                filled, clean = self._fresh_cache(), self._fresh_cache()
                _child(MIXTURE, self.src[side], filled, "fill")
                t_filled = _child(MIXTURE, self.src[side], filled, "time")["t"]
                t_clean = _child(MIXTURE, self.src[side], clean, "time")["t"]
                out[side].append({"t": t_filled, "ref": t_clean})
        self._add("quadrature `fisher` + `entropy` of a 1-D GaussianMixture after a "
                  "Monte Carlo estimate filled the Numba cache (warm, per call)", out,
                  "same, cache holding only the quadrature's kernels", "ratio ≈ 1")

    def _add(self, task, r, baseline, target, extra=None):
        row = {"task": task, "baseline": baseline, "target": target}
        for side, vals in r.items():
            row[side] = {"t": _med([v["t"] for v in vals]),
                         "ref": _med([v["ref"] for v in vals]),
                         "ratio": _med([v["t"] / v["ref"] for v in vals]),
                         "n": len(vals),
                         "note": (extra or {}).get(side, "")}
        self.rows.append(row)
        print(_format_row(row), flush=True)


def _cell(side: dict) -> str:
    note = f"; {side['note']}" if side["note"] else ""
    return (f"{side['t']:.3g} s = {side['ratio']:.2f}× baseline "
            f"({side['ref']:.3g} s; {side['n']} run{'s' if side['n'] > 1 else ''}{note})")


def _format_row(row: dict) -> str:
    return (f"| {row['task']} | {row['baseline']} | {_cell(row['before'])} | "
            f"{_cell(row['after'])} | {row['target']} |")


def _machine() -> str:
    try:
        load = " / ".join(f"{v:.1f}" for v in os.getloadavg())
    except OSError:
        load = "n/a"
    import numba
    import numpy
    import scipy

    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, load "
            f"average {load}; Python {platform.python_version()}, NumPy {numpy.__version__}, "
            f"SciPy {scipy.__version__}, Numba {numba.__version__}")


def write_page(rows, base: str, head: str, machine: str, elapsed: float, path: Path):
    lines = [
        "# Speed (issue #12)",
        "",
        "Written by `python benchmarks/speed.py`; rerun it to regenerate this page.",
        "",
        f"Before: commit `{base}`; after: `{head}`. Each cell is a median over fresh "
        "processes that alternate before/after, and a ratio to the baseline named in the "
        "row, timed in the same process (or, for imports, the same rounds). The machine is "
        "shared with other jobs, so absolute times drift between runs: compare the ratios.",
        "",
        f"Machine: {machine}. Total run time {elapsed / 60:.1f} min.",
        "",
        "| task | baseline | before | after | target |",
        "| --- | --- | --- | --- | --- |",
        *[_format_row(r) for r in rows],
        "",
        "What changed:",
        "",
        "* 1-D samples are sorted once per FS point; the median and quartiles are read off "
        "the sorted array with NumPy's own interpolation (same bits as `np.percentile`), "
        "the sorted array is standardised in place, and the kNN entropy sums the log "
        "radii in one pass without storing them.",
        "* Quadrature of a density is a globally adaptive Gauss-Kronrod rule evaluated on "
        "vectors (one call of the density per round of bisection instead of one per "
        "point); QUADPACK's QAGS takes over only for segments with an endpoint singularity, "
        "where its extrapolation is needed. A density's evaluation context (the KDE's "
        "single-threaded BLAS) is entered once per estimate, and the 1-D KDE reads only "
        "the kernels that weigh more than e⁻⁶⁰ of the nearest one.",
        "* `import infoplane` loads NumPy, `scipy.linalg` and `scipy.special` only; Numba, "
        "`scipy.spatial`, `scipy.integrate`, `scipy.stats`, threadpoolctl and tqdm load "
        "on first use.",
        "* Each parallel/serial pair of mixture kernels is two Python functions: Numba keys "
        "its on-disk cache by function, not by the `parallel` flag, so one function "
        "compiled both ways loaded whichever variant was cached first for both.",
        "* The d-D kNN entropy from d = 8 on averages its terms over 20 000 random query "
        "points when n > 40 000 (`max_queries=\"auto\"`; every point is still a "
        "neighbour candidate, and the subset's variance is in the standard error): in "
        "d = 10 a k-d tree on whitened, isotropic data visits most of its leaves, so each "
        "query costs several times one on the raw, anisotropic sample. What the subset "
        "costs in error and coverage is on docs/entropy_10d.md.",
        "* A 1-D FS point uses a second CPU where the process has one: from 10⁵ samples "
        "on, the sort is split into two half sorts in two threads (NumPy's sort releases "
        "the GIL) and a merge, and the entropy half (which draws no random numbers) runs "
        "in the helper thread while the Fisher half runs in the caller's, with the same "
        "random draws and the same bits as one after the other (`infoplane/_threads.py`). "
        "Every Numba kernel is compiled `nogil` for that. The Fisher estimator's grid "
        "integral is one Numba pass per bootstrap row instead of NumPy temporaries, and "
        "the asinh transform works in place. Held to one CPU, nothing runs in a thread: "
        "that row shows what the serial work costs.",
        "* The KDE row's J differs between the sides because the KDE does: `ip.KDE`'s "
        "`\"auto\"` bandwidth is the score-matching search, which issue #11 changed "
        "(`infoplane._numerics.sm_bandwidth`: a fixed query subset, the minimum at the "
        "largest bandwidth when the held-out loss has several, a parabola refinement), and "
        "on these Cauchy data it lands on a wider kernel: the KDE is a smoother density. "
        "Each side's J is that of its own KDE (tests/test_kde_density.py and "
        "tests/test_speed_quadrature.py check J of a KDE against independent "
        "quadratures).",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--base", default="6c9796c", help="commit timed as 'before'")
    ap.add_argument("--runs", type=int, default=3, help="fresh processes per side and row")
    ap.add_argument("--slow-runs", type=int, default=1,
                    help="runs of the slow 'before' KDE row (tens of seconds each)")
    ap.add_argument("--inner", type=int, default=5, help="timed repeats inside a process")
    ap.add_argument("--quick", action="store_true", help="1 run each (a smoke test)")
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args(argv)
    if a.quick:
        a.runs, a.slow_runs, a.inner = 1, 1, 3
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                           cwd=ROOT, capture_output=True, text=True).stdout.strip()
    head += " + working-tree changes" if dirty else ""
    t0 = time.perf_counter()
    machine = _machine()
    with tempfile.TemporaryDirectory(prefix="infoplane-speed-") as tmp:
        tmp = Path(tmp)
        b = Bench(_extract(a.base, tmp / "base"), tmp, a.runs, a.slow_runs, a.inner)
        print("| task | baseline | before | after | target |\n| --- | --- | --- | --- | --- |")
        b.warm_up()
        b.fs_point()
        b.imports()
        b.first_call()
        b.mixture_cache()
        b.entropy_10d()
        b.kde()
    write_page(b.rows, a.base, head, machine, time.perf_counter() - t0, a.out)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
