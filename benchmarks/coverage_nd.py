"""Coverage of infoplane's 95% intervals for d-D J and H over many seeds.

Regenerate docs/coverage_nd.md with::

    nice python benchmarks/coverage_nd.py            # J: 100 seeds, H: 300 seeds per cell
    nice python benchmarks/coverage_nd.py --render   # the page from the stored rows
    nice python benchmarks/coverage_nd.py --quick    # 10 / 30 seeds, printed only

The cells of docs/benchmarks_nd.md (benchmarks/accuracy_nd.py ``CELLS``, n = 1e3 and 1e4)
on seeds 10000+, disjoint from the published seeds 0..19 of that page and from the
tuning seeds (100.., 1000.. of bounded_nd, 3000.. of skewed_nd). With 20 seeds a
calibrated interval covers 95% ± 9.6 points (binomial 95% range), so that page cannot
tell a 0.85 from a 0.95; with 100 seeds the range is ± 4.3 points, with 300 ± 2.5.

For each cell: the share of seeds whose interval ``value ± 1.96 √(stderr² + truth SE²)``
contains the truth (the truth's own Monte Carlo error added, as in accuracy_nd), with its
Wilson 95% interval; the same with the jackknife part of the J error alone
(``√(stderr² − bias²)``, ``options["bias"]`` the bias term); ``width/sd`` = median stderr
over the standard deviation of the estimates over the seeds; the mean relative error
with its standard error over the seeds (H: the mean error in nats); ``width/rmse`` = median
stderr over the root-mean-square error; seeds with a warning and with J = inf (a miss).
Progress is stored after every cell in benchmarks/results_coverage_nd.json, each cell with
the commit of the code that made it (the page lists them); a rerun skips the cells that
are there (``--fresh`` starts over; ``--redo N [--max-d D]`` runs the cells at n = N, with
d <= D, again, after a change that only acts there; ``--quick`` never writes it). The page
is not written while a cell is missing.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import time
import warnings
from multiprocessing import Pool
from pathlib import Path

os.environ.setdefault("NUMBA_NUM_THREADS", "1")   # one thread per worker process
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import _page  # noqa: E402
import cases_nd  # noqa: E402

import infoplane as ip  # noqa: E402

#: (d, case) of docs/benchmarks_nd.md
CELLS = cases_nd.CELLS
NS = (1000, 10_000)
SEED0 = 10_000
RESULTS = HERE / "results_coverage_nd.json"
OUT = HERE.parent / "docs" / "coverage_nd.md"


def _rev() -> str:
    """The commit of the code under test (``+`` when the tree has changes), or ``?``."""
    try:
        run = [subprocess.run(["git", *a], cwd=HERE, capture_output=True, text=True, check=True)
               for a in (["rev-parse", "--short", "HEAD"], ["status", "--porcelain", "--",
                                                            "infoplane"])]
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return run[0].stdout.strip() + ("+" if run[1].stdout.strip() else "")


def _cell(job):
    """Estimates of one (d, case, n) cell: J on `rj` seeds, H on `rh` seeds."""
    d, case, n, rj, rh, rev = job
    out = {"rev": rev, "j": [], "j_se": [], "j_bias": [], "j_warn": [], "h": [], "h_se": []}
    for k in range(max(rj, rh)):
        s = SEED0 + k
        X = cases_nd.sample(case, d, n, np.random.default_rng(s))
        if k < rh:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                e = ip.entropy(X)
            out["h"].append(e.value)
            out["h_se"].append(e.stderr)
        if k < rj:
            with warnings.catch_warnings(record=True) as wl:
                warnings.simplefilter("always")
                e = ip.fisher(X, rng=s)
            out["j"].append(e.value)
            out["j_se"].append(e.stderr)
            out["j_bias"].append(float(e.options.get("bias", 0.0)))
            out["j_warn"].append(len(wl))
    return f"{d}|{case}|{n}", out


def wilson(k: int, m: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a binomial share k/m."""
    p = k / m
    c = (p + z * z / (2 * m)) / (1 + z * z / m)
    h = z * math.sqrt(p * (1 - p) / m + z * z / (4 * m * m)) / (1 + z * z / m)
    return c - h, c + h


def _stats(v, se, truth, tsd, rel):
    v, se = np.asarray(v, float), np.asarray(se, float)
    with np.errstate(invalid="ignore"):
        hit = np.abs(v - truth) <= 1.96 * np.sqrt(se**2 + tsd**2)
    fin = np.isfinite(v) & np.isfinite(se)
    err = (v[fin] / truth - 1) if rel else (v[fin] - truth)
    k, m = int(hit.sum()), v.size
    sd = float(np.std(v[fin], ddof=1)) if fin.sum() > 2 else math.nan
    rmse = float(np.sqrt(np.mean(err**2))) * (abs(truth) if rel else 1.0)
    return {"cov": k / m, "lo": wilson(k, m)[0], "hi": wilson(k, m)[1], "m": m,
            "width": float(np.median(se[fin])) / sd if sd > 0 else math.nan,
            "width_rmse": float(np.median(se[fin])) / rmse if rmse > 0 else math.nan,
            "bias": float(np.mean(err)) if err.size else math.nan,
            "bias_se": float(np.std(err, ddof=1) / math.sqrt(err.size)) if err.size > 2
            else math.nan,
            "inf": int((~np.isfinite(v)).sum())}


def _twenty(d, case, n, kind):
    """Coverage of the same cell on the 20 published seeds of docs/benchmarks_nd.md."""
    path = HERE / "results_nd_after.json"
    if not path.exists():
        return None
    for r in json.loads(path.read_text()):
        if (r["d"], r["case"], r["n"]) == (d, case, n):
            t, tsd = (r["J"], r["seJ"]) if kind == "j" else (r["H"], r["seH"])
            return _stats(r[kind], r[kind + "_se"], t, tsd, kind == "j")["cov"]
    return None


def _fmt_cov(s):
    return f"{s['cov']:.2f} [{s['lo']:.2f}, {s['hi']:.2f}]"


def _outside(where: str, s: dict) -> list[str]:
    """The line of the page's list for a cell outside the targets (none when inside):
    coverage under 0.90, or above 0.99 with bands over 1.5 times the RMSE."""
    if s["cov"] < 0.9:
        reach = " (its 95% interval reaches 0.90)" if s["hi"] >= 0.9 else ""
        return [f"{where} coverage {_fmt_cov(s)}{reach}"]
    if s["cov"] > 0.99 and s["width_rmse"] > 1.5:
        return [f"{where} bands {s['width_rmse']:.1f}× the root-mean-square error "
                f"(coverage {s['cov']:.2f})"]
    return []


def render(res: dict, elapsed: float, rj: int, rh: int) -> list[str]:
    L = _page.header(
        "Coverage of the 95% intervals, d-D estimators", "coverage_nd.py",
        f"J on {rj} seeds, H on {rh} seeds per cell (seeds {SEED0}+, disjoint from the "
        "published seeds 0..19 of docs/benchmarks_nd.md and from every tuning seed); the "
        "cells and truths of that page (benchmarks/cases_nd.py). `cov [95% CI]`: share of "
        "seeds whose interval value ± 1.96 stderr (the truth's Monte Carlo error added) "
        "contains the truth, with its Wilson 95% interval; a calibrated interval covers "
        f"95% ± {196 * math.sqrt(0.95 * 0.05 / rj):.1f} points on {rj} seeds (± "
        f"{196 * math.sqrt(0.95 * 0.05 / rh):.1f} on {rh}; ± "
        f"{196 * math.sqrt(0.95 * 0.05 / 20):.1f} on the 20 of `cov, 20 seeds`, the "
        "published figure). `cov jk`: J with the jackknife part of the error alone (the "
        "bias term, options['bias'], removed). `width/sd`: median stderr / SD of the "
        "estimates over the seeds; `width/rmse`: median stderr / root-mean-square error "
        "(the spread and the bias together: about 1 for the narrowest interval that "
        "covers a biased estimate, while `width/sd` is then above 1). `bias ± se`: mean "
        "relative error of J (H: mean error in nats) and its standard error over the seeds "
        "(finite estimates). `warn`: seeds with a warning; `inf`: seeds with J = inf (a "
        "miss). Target (issue 11): coverage 90-99% in every cell; a cell is listed below "
        "when its coverage is under 0.90 (with a note where its Wilson interval still "
        "reaches 0.90) or, at coverage above 0.99, its bands are more than 1.5 times its "
        "root-mean-square error.")
    tj = ["## Fisher information J = tr J(f)", "",
          "| d | case | n | cov [95% CI] | cov jk | width/sd | width/rmse | bias ± se | warn "
          "| inf | cov, 20 seeds |", "|---" * 11 + "|"]
    th = ["", "## Entropy H (nats)", "",
          "| d | case | n | cov [95% CI] | width/sd | width/rmse | bias ± se | cov, 20 seeds |",
          "|---" * 8 + "|"]
    out_j, out_h = [], []
    for d, case in CELLS:
        H, J, seH, seJ = cases_nd.truth(case, d)
        for n in NS:
            r = res.get(f"{d}|{case}|{n}")
            if r is None:
                continue
            where = f"- d = {d}, {case}, n = {n}:"
            s = _stats(r["j"], r["j_se"], J, seJ, True)
            jk = np.sqrt(np.maximum(np.square(r["j_se"]) - np.square(r["j_bias"]), 0.0))
            tw = _twenty(d, case, n, "j")
            tj.append(f"| {d} | {case} | {n} | {_fmt_cov(s)} | "
                      f"{_stats(r['j'], jk, J, seJ, True)['cov']:.2f} | "
                      f"{s['width']:.2f} | {s['width_rmse']:.2f} | "
                      f"{100 * s['bias']:+.1f} ± {100 * s['bias_se']:.1f}% "
                      f"| {sum(w > 0 for w in r['j_warn'])} | {s['inf']} | "
                      + ("–" if tw is None else f"{tw:.2f}") + " |")
            out_j += _outside(f"{where} J", s)
            s = _stats(r["h"], r["h_se"], H, seH, False)
            tw = _twenty(d, case, n, "h")
            th.append(f"| {d} | {case} | {n} | {_fmt_cov(s)} | {s['width']:.2f} | "
                      f"{s['width_rmse']:.2f} | {s['bias']:+.4f} ± {s['bias_se']:.4f} | "
                      + ("–" if tw is None else f"{tw:.2f}") + " |")
            out_h += _outside(f"{where} H", s)
    L += tj + th
    revs: dict[str, int] = {}
    for r in res.values():
        revs[r.get("rev", "?")] = revs.get(r.get("rev", "?"), 0) + 1
    L += ["", "Code that made the cells (commit: cells): "
          + ", ".join(f"{k}: {v}" for k, v in sorted(revs.items())) + "."]
    L += ["", "## Cells outside the targets of issue 11", ""]
    L += (out_j + out_h) or ["None."]
    return L


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="10 / 30 seeds, printed only")
    p.add_argument("--render", action="store_true", help="the page from the stored rows")
    p.add_argument("--fresh", action="store_true", help="ignore the stored rows")
    p.add_argument("--redo", type=int, default=None, metavar="N",
                   help="run the cells at n = N again (after a change that only acts there)")
    p.add_argument("--max-d", type=int, default=None, metavar="D",
                   help="with --redo: only the cells with d <= D")
    p.add_argument("--workers", type=int, default=2)
    a = p.parse_args(argv)
    rj, rh = (10, 30) if a.quick else (100, 300)
    stored = {} if a.quick or a.fresh or not RESULTS.exists() else json.loads(
        RESULTS.read_text())
    res, elapsed = stored.get("res", {}), stored.get("elapsed", 0.0)
    if a.redo is not None and not a.render:
        top = math.inf if a.max_d is None else a.max_d
        res = {k: v for k, v in res.items()
               if not (int(k.split("|")[2]) == a.redo and int(k.split("|")[0]) <= top)}
    if not a.render:
        rev = _rev()
        jobs = [(d, c, n, rj, rh, rev) for d, c in CELLS for n in NS
                if f"{d}|{c}|{n}" not in res]
        jobs.sort(key=lambda j: -j[2] * j[0])   # the long cells first
        t0 = time.time()
        with Pool(a.workers) as pool:
            for i, (key, out) in enumerate(pool.imap_unordered(_cell, jobs), 1):
                res[key] = out
                print(f"[{i}/{len(jobs)}] {key} ({(time.time() - t0) / 60:.1f} min)",
                      flush=True)
                if not a.quick:   # progress survives an interrupted run
                    tmp = RESULTS.with_suffix(".tmp")
                    tmp.write_text(json.dumps(
                        {"res": res, "elapsed": elapsed + time.time() - t0}))
                    tmp.replace(RESULTS)
        elapsed += time.time() - t0
    L = render(res, elapsed, rj, rh)
    if a.quick:
        print("\n".join(L))
        return
    missing = [f"{d}|{c}|{n}" for d, c in CELLS for n in NS if f"{d}|{c}|{n}" not in res]
    if missing:
        raise SystemExit(f"{len(missing)} cells have no stored rows ({', '.join(missing[:4])}"
                         "...): run without --render first; the page was not written.")
    L += ["", "The run time below is that of every run that wrote stored cells, including "
          "cells run again later."]
    _page.finish(OUT, L, elapsed)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
