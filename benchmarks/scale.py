"""Scale-out benchmarks (issue #14): accuracy of the mergeable estimators, out-of-core FS
points through a dask LocalCluster, per-series FS maps.

Regenerate the tables of docs/scaling.md (between its ``scale-bench`` markers) with::

    nice -n 10 python benchmarks/scale.py                    # everything (about an hour)
    nice -n 10 python benchmarks/scale.py --part big --n-big 1e8
    python benchmarks/scale.py --quick                       # small sizes, a smoke run

Parts (``--part``, repeatable; default all):

accuracy  binned entropy against closed forms and against the oracle -mean log f(X) of the
          same sample; Fisher ``binning="once"`` against ``"per-bandwidth"``.
inmemory  in-memory ``fs_point`` (default methods, and the binned ones) on 1e7 and 1e8
          samples: wall time and throughput (one core).
big       out-of-core ``fs_point`` of ``--n-big`` lazily generated N(0, 1) samples (dask
          random, chunks of 1e7) through ``LocalCluster(n_workers=2, threads_per_worker=1)``:
          wall time per pass, throughput per core, peak worker memory (ru_maxrss), error
          against the closed forms (N = J = 1).
map       ``fs_map`` of a (ny, nx, 5000) cube on the same cluster against a Python loop of
          ``fs_point`` over its series.

Raw results go to docs/results/scaling.json (merged with earlier parts' results).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np
from scipy import stats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import infoplane as ip  # noqa: E402

RESULTS = ROOT / "docs" / "results" / "scaling.json"
PAGE = ROOT / "docs" / "scaling.md"
START, END = "<!-- scale-bench:start -->", "<!-- scale-bench:end -->"

LAWS = {
    "gauss": stats.norm(),
    "laplace": stats.laplace(),
    "logistic": stats.logistic(),
    "t5": stats.t(5),
    "cauchy": stats.cauchy(),
    "gamma4": stats.gamma(4.0),
    "uniform": stats.uniform(),
}
FISHER = {"gauss": 1.0, "laplace": 1.0, "logistic": 1 / 3, "t5": 0.75, "cauchy": 0.5,
          "gamma4": 0.5}


def _load() -> dict:
    return json.loads(RESULTS.read_text()) if RESULTS.exists() else {}


def _save(res: dict) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(res, indent=1, default=float))


def _quick_paths() -> None:
    """--quick: results go to a scratch file and the page is left alone."""
    import tempfile

    global RESULTS, PAGE
    RESULTS = Path(tempfile.gettempdir()) / "infoplane_scaling_quick.json"
    PAGE = Path(tempfile.gettempdir()) / "infoplane_scaling_quick.md"


def _env() -> dict:
    return {"load_avg_1min": os.getloadavg()[0], "cpus": os.cpu_count(),
            "when": time.strftime("%Y-%m-%d %H:%M")}


# ---------------------------------------------------------------------------- accuracy
def part_accuracy(quick: bool) -> dict:
    sizes = {10**4: 20, 10**5: 10, 10**6: 5, 10**7: 2}
    if quick:
        sizes = {10**4: 4, 10**5: 2}
    out = {"entropy": {}, "fisher_once": {}}
    for n, seeds in sizes.items():
        for name, law in LAWS.items():
            rows = []
            for s in range(seeds):
                x = law.rvs(size=n, random_state=1000 + s)
                h = ip.entropy(x, method="binned", rng=s)
                oracle = -float(np.mean(law.logpdf(x)))
                rows.append((h.value - law.entropy(), h.value - oracle, h.stderr))
            r = np.array(rows)
            out["entropy"][f"{name}@{n}"] = {
                "seeds": seeds, "mean_err": float(r[:, 0].mean()),
                "rms_err": float(np.sqrt((r[:, 0] ** 2).mean())),
                "mean_err_vs_oracle": float(r[:, 1].mean()),
                "max_abs_err_vs_oracle": float(np.abs(r[:, 1]).max()),
                "mean_se": float(r[:, 2].mean())}
            print(f"H {name:8s} n={n:.0e}  err {r[:, 0].mean():+.2e}  vs oracle "
                  f"{np.abs(r[:, 1]).max():.1e}  se {r[:, 2].mean():.1e}", flush=True)
            if name not in FISHER or n > 10**6:
                continue
            rows = []
            for s in range(min(seeds, 10)):
                x = law.rvs(size=n, random_state=2000 + s)
                a = ip.fisher(x, binning="once", rng=s)
                b = ip.fisher(x, rng=s)
                rows.append(((a.value - b.value) / b.stderr, (a.value - FISHER[name])
                             / FISHER[name], (b.value - FISHER[name]) / FISHER[name]))
            r = np.array(rows)
            out["fisher_once"][f"{name}@{n}"] = {
                "seeds": len(rows), "median_abs_diff_se": float(np.median(np.abs(r[:, 0]))),
                "max_abs_diff_se": float(np.abs(r[:, 0]).max()),
                "mean_relerr_once": float(r[:, 1].mean()),
                "mean_relerr_per_bw": float(r[:, 2].mean())}
            print(f"J {name:8s} n={n:.0e}  |once-per|/se median {np.median(np.abs(r[:, 0])):.2f}"
                  f" max {np.abs(r[:, 0]).max():.2f}", flush=True)
    return out


# --------------------------------------------------------------- bandwidth iterations
def part_iterations() -> dict:
    """Bin once and aggregate, or one pass per bandwidth iteration? The iterations a
    separated mixture needs and what one re-aggregation of the merged counts costs."""
    from infoplane._numerics import pow2_standardize
    from infoplane.estimators import binned

    r = np.random.default_rng(3)
    n = 10**6
    x = np.where(r.random(n) < 0.5, -2.0, 2.0) + 0.25 * r.standard_normal(n)
    J = ip.fisher(x, binning="once", rng=0)
    Y, _ = pow2_standardize(x[:, None])
    xs = np.sort(Y[:, 0])
    plan = binned.plan_from_sorted(xs)
    counts = binned.bin_chunk(plan, xs)
    t = time.perf_counter()
    reps = 20
    for _ in range(reps):
        binned._coarse_grid(plan, counts, J.options["bandwidth_transformed"])
    agg = (time.perf_counter() - t) / reps
    t = time.perf_counter()
    binned.bin_chunk(plan, xs)
    bin_pass = time.perf_counter() - t
    out = {"law": "0.5 N(-2, 0.25²) + 0.5 N(2, 0.25²)", "n": n,
           "bandwidth_iterations": J.options["bandwidth_iterations"],
           "fisher_scale_factor": J.options["fisher_scale_factor"],
           "fine_nodes": plan.fine_m, "aggregate_s": agg, "bin_pass_s_per_1e6": bin_pass}
    print(out, flush=True)
    return out


# ---------------------------------------------------------------------------- in memory
def part_inmemory(quick: bool) -> dict:
    out = {}
    for n in ([10**6] if quick else [10**7, 10**8]):
        x = np.random.default_rng(5).standard_normal(n)
        for label, kw in (("default", {}),
                          ("binned", {"entropy_method": "binned",
                                      "fisher_options": {"binning": "once"}})):
            t = time.perf_counter()
            p = ip.fs_point(x, rng=0, **kw)
            wall = time.perf_counter() - t
            out[f"{label}@{n}"] = {"n": n, "wall_s": wall, "per_core_Msps": n / wall / 1e6,
                                   "N": p.entropy_power.value, "J": p.fisher.value,
                                   "N_se": p.entropy_power.stderr, "J_se": p.fisher.stderr}
            print(f"in-memory {label} n={n:.0e}: {wall:.1f} s, {n / wall / 1e6:.2f} M/s",
                  flush=True)
        del x
    return out


# ------------------------------------------------------------------------ out of core
def _cluster(malloc_trim: bool = True):
    """A 2-process LocalCluster. ``malloc_trim=False`` unsets the MALLOC_TRIM_THRESHOLD_
    that distributed gives its workers: it also fixes glibc's mmap threshold, so every
    temporary above 128 KiB is a fresh mmap (page faults), which makes many small
    estimates (fs_map's series) about 2x slower (docs/scaling.md)."""
    import dask
    import distributed

    key = "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_"
    with dask.config.set({key: 65536 if malloc_trim else None}):
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                           dashboard_address=None)
    return cluster, distributed.Client(cluster)


def _peak_rss_mib(client) -> list[float]:
    import resource

    def peak():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0

    return sorted(client.run(peak).values())


def part_big(n: int, chunk: int) -> dict:
    import dask.array as da

    from infoplane.scale import _reduce, dask1d, select

    passes = []
    real = _reduce.tree_reduce

    def timed(x, fn, *a, **k):
        t = time.perf_counter()
        r = real(x, fn, *a, **k)
        passes.append((fn.__name__, time.perf_counter() - t))
        return r

    select.tree_reduce = dask1d.tree_reduce = timed
    cluster, client = _cluster()
    try:
        # warm-up: load the compiled kernels in both workers (not part of the timing)
        ip.fs_point(da.random.default_rng(1).standard_normal(200_000, chunks=50_000))
        passes.clear()
        x = da.random.default_rng(20261130).standard_normal(n, chunks=chunk)
        t = time.perf_counter()
        x.sum().compute()                    # generation alone: the cost of one pass
        gen = time.perf_counter() - t
        t = time.perf_counter()
        p = ip.fs_point(x, rng=0)
        wall = time.perf_counter() - t
        rss = _peak_rss_mib(client)
    finally:
        select.tree_reduce = dask1d.tree_reduce = real
        client.close()
        cluster.close()
    h_true = 0.5 * math.log(2 * math.pi * math.e)
    out = {
        "n": n, "chunk": chunk, "workers": 2, "wall_s": wall, "generate_pass_s": gen,
        "passes": [{"pass": a, "s": b} for a, b in passes],
        "per_core_Msps": n / wall / 2 / 1e6, "peak_worker_rss_mib": rss,
        "H": p.entropy.value, "H_err": p.entropy.value - h_true, "H_se": p.entropy.stderr,
        "J": p.fisher.value, "J_err": p.fisher.value - 1.0, "J_se": p.fisher.stderr,
        "NJ": p.product.value, "NJ_se": p.product.stderr,
        "fisher_options": dict(p.fisher.options), "entropy_options": dict(p.entropy.options),
    }
    print(json.dumps(out, indent=1, default=float), flush=True)
    return out


# -------------------------------------------------------------------------------- maps
def _cpu_s() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def part_map(shape: tuple) -> dict:
    """fs_map of a cube held by the workers against a loop over the same cube in this
    process (neither times the data generation); wall and CPU seconds of both."""
    import dask.array as da
    import distributed
    import warnings

    ny, nx, nt = shape
    arr = np.random.default_rng(7).standard_normal((ny, nx, nt))
    t, c = time.perf_counter(), _cpu_s()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loop = np.array([[ip.fs_point(arr[i, j], rng=np.random.default_rng([1, i * nx + j]))
                          .product.value for j in range(nx)] for i in range(ny)])
    t_loop, c_loop = time.perf_counter() - t, _cpu_s() - c
    cluster, client = _cluster(malloc_trim=False)
    try:
        client.run(lambda: ip.fs_point(np.random.default_rng(0).standard_normal(500)))  # JIT
        cube = client.persist(da.from_array(arr, chunks=(max(1, ny // 8), nx, nt)))
        distributed.wait(cube)
        w0 = client.run(_cpu_s)
        t = time.perf_counter()
        m = ip.fs_map(cube, rng=1)
        t_map = time.perf_counter() - t
        w1 = client.run(_cpu_s)
    finally:
        client.close()
        cluster.close()
    c_map = sum(w1[k] - w0[k] for k in w0)
    same = bool(np.array_equal(m.product, loop))
    out = {"shape": list(shape), "series": ny * nx, "loop_s": t_loop, "loop_cpu_s": c_loop,
           "fs_map_2workers_s": t_map, "fs_map_worker_cpu_s": c_map,
           "speedup": t_loop / t_map, "identical_to_loop": same,
           "cpu_share_loop": c_loop / t_loop, "cpu_share_workers": c_map / t_map,
           "malloc_trim_threshold": "unset"}
    print(out, flush=True)
    return out


# ------------------------------------------------------------------------------- page
def _fmt(x, d=2):
    return f"{x:.{d}f}"


def render(res: dict) -> str:
    L = [START, "", "_Written by `benchmarks/scale.py` from `docs/results/scaling.json`._", ""]
    acc = res.get("accuracy")
    if acc:
        L += ["### Binned entropy against closed forms", "",
              "Error of H (nats) against the closed form (mean over seeds; the seeds are "
              "shared by the laws, so their sampling errors are correlated), the mean and "
              "largest error against the oracle −mean log f(X) of the same sample (the "
              "estimator's own error: the sampling noise both share cancels), and the mean "
              "standard error.", "",
              "| law | n | seeds | mean error | mean error vs oracle | max vs oracle | mean SE |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
        for k, v in acc["entropy"].items():
            name, n = k.split("@")
            L.append(f"| {name} | {int(n):.0e} | {v['seeds']} | {v['mean_err']:+.1e} | "
                     f"{v['mean_err_vs_oracle']:+.1e} | {v['max_abs_err_vs_oracle']:.1e} | "
                     f"{v['mean_se']:.1e} |")
        L += ["", "### Fisher information binned once vs per bandwidth", "",
              "|J(once) − J(per-bandwidth)| in units of the per-bandwidth standard error "
              "(median and max over seeds) and the mean relative error of each against the "
              "closed form.", "",
              "| law | n | seeds | median | max | rel. error once | rel. error per-bandwidth |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
        for k, v in acc["fisher_once"].items():
            name, n = k.split("@")
            L.append(f"| {name} | {int(n):.0e} | {v['seeds']} | {_fmt(v['median_abs_diff_se'])}"
                     f" | {_fmt(v['max_abs_diff_se'])} | {v['mean_relerr_once']:+.2%} | "
                     f"{v['mean_relerr_per_bw']:+.2%} |")
        L.append("")
    it = res.get("iterations")
    if it:
        L += ["### Bin once, or one pass per bandwidth iteration?", "",
              f"{it['law']}, n = {it['n']:.0e}: the Fisher-scale bandwidth took "
              f"{it['bandwidth_iterations']} iterations (ρ = {it['fisher_scale_factor']:.3f})."
              f" Re-aggregating the merged fine counts ({it['fine_nodes']} nodes) for one "
              f"iteration takes {it['aggregate_s'] * 1e3:.1f} ms; one binning pass over the "
              f"data takes {it['bin_pass_s_per_1e6']:.2f} s per 10⁶ samples on one core "
              "(out of core, each pass also re-reads or re-generates the data).", ""]
    inm, big = res.get("inmemory"), res.get("big")
    if inm or big:
        L += ["### Throughput: out of core against in memory", "",
              "| path | n | workers × threads | wall (s) | throughput per core (M samples/s) "
              "| peak memory |", "| --- | --- | --- | --- | --- | --- |"]
        for k, v in (inm or {}).items():
            label = k.split("@")[0]
            L.append(f"| in memory, {label} methods | {v['n']:.0e} | 1 × 1 | "
                     f"{_fmt(v['wall_s'], 1)} | {_fmt(v['per_core_Msps'])} | — |")
        for v in [big] if big else []:
            L.append(f"| out of core (dask, LocalCluster) | {v['n']:.0e} | 2 × 1 | "
                     f"{_fmt(v['wall_s'], 1)} | {_fmt(v['per_core_Msps'])} | "
                     f"{max(v['peak_worker_rss_mib']):.0f} MiB per worker |")
        L.append("")
        for v in [big] if big else []:
            ps = ", ".join(f"{p['pass']} {p['s']:.0f} s" for p in v["passes"])
            L += [f"Out of core at n = {v['n']:.0e} (chunks of {v['chunk']:.0e}): passes "
                  f"{ps}; generating the data alone takes {v['generate_pass_s']:.0f} s per "
                  "pass. Against the closed forms of N(0, 1): "
                  f"H − H_true = {v['H_err']:+.2e} (SE {v['H_se']:.1e}, "
                  f"{v['H_err'] / v['H_se']:+.1f} SE), J − 1 = {v['J_err']:+.2e} "
                  f"(SE {v['J_se']:.1e}, {v['J_err'] / v['J_se']:+.1f} SE), "
                  f"N·J = {v['NJ']:.5f} ± {v['NJ_se']:.5f}; the Fisher grid had "
                  f"{v['fisher_options']['grid_size']} nodes after "
                  f"{v['fisher_options']['bandwidth_iterations']} bandwidth iterations.", ""]
    mp = res.get("map")
    if mp:
        L += ["### fs_map against a loop", "",
              "Wall time, and the CPU seconds actually received (the loop's process; the sum "
              "over both workers): on a shared machine the wall-time speed-up is bounded by "
              "the CPU share the other jobs leave to the workers.", "",
              "| cube | series | loop: wall (s) / CPU (s) | fs_map, 2 workers: wall (s) / CPU "
              "(s) | wall speed-up | CPU received: loop / workers (cores) | identical |",
              "| --- | --- | --- | --- | --- | --- | --- |",
              f"| {' × '.join(map(str, mp['shape']))} | {mp['series']} | "
              f"{_fmt(mp['loop_s'], 1)} / {_fmt(mp.get('loop_cpu_s', math.nan), 1)} | "
              f"{_fmt(mp['fs_map_2workers_s'], 1)} / "
              f"{_fmt(mp.get('fs_map_worker_cpu_s', math.nan), 1)} | {_fmt(mp['speedup'])}× | "
              f"{_fmt(mp.get('cpu_share_loop', math.nan))} / "
              f"{_fmt(mp.get('cpu_share_workers', math.nan))} | {mp['identical_to_loop']} |",
              ""]
    env = res.get("env", {})
    if env:
        L += [f"Machine: {env.get('cpus')} cores shared with other jobs (1-minute load "
              f"average {env.get('load_avg_1min', float('nan')):.1f} when the last part ran, "
              f"{env.get('when')}).", ""]
    L.append(END)
    return "\n".join(L)


def write_page(res: dict) -> None:
    text = PAGE.read_text() if PAGE.exists() else START + END
    if START in text and END in text:
        a, b = text.index(START), text.index(END) + len(END)
        PAGE.write_text(text[:a] + render(res) + text[b:])


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--part", action="append",
                   choices=["accuracy", "iterations", "inmemory", "big", "map", "page"])
    p.add_argument("--n-big", type=float, default=1e9)
    p.add_argument("--chunk", type=float, default=1e7)
    p.add_argument("--map-shape", type=int, nargs=3, default=(40, 50, 5000))
    p.add_argument("--quick", action="store_true")
    a = p.parse_args(argv)
    parts = a.part or ["accuracy", "iterations", "inmemory", "big", "map"]
    if a.quick:
        _quick_paths()
        a.n_big, a.chunk, a.map_shape = 1e6, 2.5e5, (4, 5, 2000)
    res = _load()
    if "accuracy" in parts:
        res["accuracy"] = part_accuracy(a.quick)
        _save(res)
    if "iterations" in parts:
        res["iterations"] = part_iterations()
        _save(res)
    if "inmemory" in parts:
        res["inmemory"] = part_inmemory(a.quick)
        _save(res)
    if "big" in parts:
        res["big"] = part_big(int(a.n_big), int(a.chunk))
        _save(res)
    if "map" in parts:
        res["map"] = part_map(tuple(a.map_shape))
        _save(res)
    res["env"] = _env()
    _save(res)
    write_page(res)
    if a.quick:
        print(render(res))


if __name__ == "__main__":
    main()
