"""d-D Fisher information: the Richardson extrapolation in h from two bandwidths
(``2 Ĵ(h) - Ĵ(√2 h)``, before) and from three (``(8 Ĵ(h) - 6 Ĵ(√2 h) + Ĵ(2h)) / 3``, after),
on the same samples; writes docs/richardson_nd.md.

    nice python benchmarks/richardson_nd.py             # 20 seeds, ~15 min on 2 cores
    python benchmarks/richardson_nd.py --seeds 2        # smoke run, page to $TMPDIR
    python benchmarks/richardson_nd.py --render         # the page from the saved results
    python benchmarks/richardson_nd.py --design         # the tuning numbers below (~6 min)

The deconvolved KDE estimate ``Ĵ(h)`` of `infoplane.estimators.kde_score_fisher` is exact
for Gaussian laws; for others its smoothing bias is ``a h² + b h⁴ + ...``. Two bandwidths
remove the ``h²`` term and leave ``-2 b h⁴``, which for multimodal laws was several
standard errors (mixtures -1.5 to -5 % at n = 10⁴, coverage 0.65-0.85 in
docs/benchmarks_nd.md). A third bandwidth removes the ``h⁴`` term too. `before` is the
two-bandwidth estimate, computed in the same call structure (same queries, kernel sums,
jackknife groups) by setting the weights of the third bandwidth to those of two
(``kde_score_fisher.RICHARDSON``).

Design (``--design`` reprints it): on the tuning laws of ``cases_nd.TUNING`` and tuning
seeds 100..105 (n = 10³) and 100..103 (n = 10⁴) the three-bandwidth estimate cut the
two-component mixture's mean bias (-4.4 / -5.1 / -2.6 % at d = 2 / 5 / 10, n = 10³;
-3.2 / -3.0 / -4.3 % at n = 10⁴) to -1.7 / -2.7 / +0.2 % and -1.6 / -0.5 / -2.1 %, with
about the same spread over seeds, and
moved the Gaussian's (positive: the leave-one-out noise that the first-order correction
leaves, which the extrapolation amplifies) by up to +1.2 points; the t laws (mapped to a
near-Gaussian) moved by at most 0.4 points. Reported here: seeds 0..19 (disjoint), with
``mix3`` and ``skewnormal`` held out (not run for this change before this page).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from multiprocessing import Pool
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import cases_nd  # noqa: E402
from _page import header  # noqa: E402

OUT = HERE.parent / "docs" / "richardson_nd.md"
RESULTS = HERE / "results_richardson_nd.json"
LAWS = ("mixture", "mix3", "gauss", "t5", "skewnormal")
CELLS = [(case, d, n) for case in LAWS for d in (2, 5, 10) for n in (1000, 10000)]
#: the weights of the three bandwidths that give the two-bandwidth estimate
TWO = (2.0, -1.0, 0.0)


def cell(args) -> dict:
    """Both variants of one (law, d, n) cell over `seeds` seeds (from seed 0, or from the
    optional fifth item)."""
    case, d, n, seeds = args[:4]
    first = args[4] if len(args) > 4 else 0
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    import infoplane as ip
    from infoplane.errors import AccuracyWarning
    from infoplane.estimators import kde_score_fisher as ksf

    _, J, _, seJ = cases_nd.truth(case, d)
    out: dict = {"case": case, "d": d, "n": n, "truth": J, "se_truth": seJ}
    three = ksf.RICHARDSON[3]
    for name, weights in (("before", TWO), ("after", three)):
        v, se, used, warned, secs = [], [], [], [], []
        ksf.RICHARDSON[3] = weights
        try:
            for s in range(first, first + seeds):
                X = cases_nd.sample(case, d, n, np.random.default_rng(s))
                with warnings.catch_warnings(record=True) as w:
                    warnings.simplefilter("always")
                    t0 = time.perf_counter()
                    e = ip.fisher(X, rng=s)
                    secs.append(time.perf_counter() - t0)
                v.append(e.value)
                se.append(e.stderr)
                used.append(int(e.options.get("richardson_bandwidths", 0)))
                warned.append(any(issubclass(x.category, AccuracyWarning) for x in w))
        finally:
            ksf.RICHARDSON[3] = three
        out[name] = {"v": v, "se": se, "levels": used, "warned": warned, "secs": secs}
    print(case, d, n, "done", flush=True)
    return out


def _stats(rec: dict, name: str) -> dict:
    r = rec[name]
    J = rec["truth"]
    v = (np.array(r["v"]) - J) / J
    se = np.array(r["se"]) / J
    tol = 1.96 * np.sqrt(se**2 + (rec["se_truth"] / J) ** 2)
    fin = np.isfinite(v) & np.isfinite(se)
    with np.errstate(invalid="ignore"):
        cov = float(np.mean(np.abs(v) <= tol))
    return {"med": float(np.median(np.abs(v))), "bias": float(np.mean(v[np.isfinite(v)])),
            "cov": cov, "wsd": float(np.median(se[fin]) / np.std(v[fin], ddof=1)),
            "noinf": int(np.sum(~np.isfinite(se))),
            "three": int(np.sum(np.array(r["levels"]) == 3)),
            "secs": float(np.median(r["secs"]))}


_HEAD = ("| law | d | n | before med | before bias | before cov | before w/sd | after med "
         "| after bias | after cov | after w/sd | se = inf | three bandwidths | s before "
         "| s after |")


def _table(rows: list) -> list[str]:
    L = [_HEAD, "|---" * 15 + "|"]
    for rec in rows:
        b, a = _stats(rec, "before"), _stats(rec, "after")
        L.append(f"| {rec['case']} | {rec['d']} | {rec['n']} | {b['med']:.3f} | "
                 f"{b['bias']:+.3f} | {b['cov']:.2f} | {b['wsd']:.2f} | {a['med']:.3f} | "
                 f"{a['bias']:+.3f} | {a['cov']:.2f} | {a['wsd']:.2f} | "
                 f"{b['noinf']} / {a['noinf']} | {a['three']} | {b['secs']:.2f} | "
                 f"{a['secs']:.2f} |")
    return L


def _misses(rows: list) -> list[str]:
    out = []
    for rec in rows:
        a = _stats(rec, "after")
        why = []
        if rec["n"] == 10000 and a["med"] > 0.05:
            why.append(f"median error {a['med']:.3f}")
        if a["cov"] < 0.9 or (a["cov"] > 0.99 and a["wsd"] > 1.5):
            # with 20 seeds all covering is 95% intervals' likely outcome (36%); it is a
            # miss where the bands are also wider than 1.5 times the spread
            why.append(f"coverage {a['cov']:.2f}")
        if a["wsd"] > 2.0:
            why.append(f"bands {a['wsd']:.1f}× the spread")
        if why:
            out.append(f"- {rec['case']}, d = {rec['d']}, n = {rec['n']}: " + "; ".join(why))
    return out or ["- none"]


def write(res: dict, out: Path = OUT) -> None:
    L = header("d-D Fisher information: Richardson extrapolation from two and three "
               "bandwidths", "richardson_nd.py",
               "Method: the script's docstring and the Notes of "
               "`infoplane.estimators.kde_score_fisher` (step 6).")
    L += [f"J = tr J(f), relative errors; {res['seeds']} seeds per cell "
          f"(0..{res['seeds'] - 1}; the design used tuning seeds 100.. of the tuning laws "
          "only). `med` = median |error|, `bias` = mean error, `cov` = share of value ± "
          "1.96·stderr (the truth's Monte Carlo error added; an infinite stderr covers) "
          "containing the truth, `w/sd` = median finite stderr / SD of the estimates "
          "(1 = the honest width), `se = inf` = seeds whose stderr is inf (a flagged "
          "sample), `three bandwidths` = seeds where the deconvolution held at 2h too "
          "(otherwise the two-bandwidth estimate is used), `s` = median seconds per call "
          "(two worker processes, one thread each, on a shared 2-core machine). "
          "`mix3` and `skewnormal` are held out (a one-seed smoke run, seed 0, of every "
          "cell was seen before this run; nothing was changed after it). Run time "
          f"{res['elapsed'] / 60:.1f} min.", ""]
    L += _table(res["rows"])
    L += ["", "## Cells outside the targets of issue 11 (after)", "",
          "Median |error| ≤ 5 % at n = 10⁴, coverage 90-99 % (with 20 seeds a cell at "
          "1.00 is listed when its bands are also more than 1.5 times the spread), bands "
          "at most twice the spread.", ""] + _misses(res["rows"])
    out.write_text("\n".join(L) + "\n", encoding="utf-8")


def design_cell(args) -> str:
    """One line of the design table: mean and SD over tuning seeds of the relative error
    of both estimates."""
    case, d, n, seeds = args
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    _, J, _, _ = cases_nd.truth(case, d)
    res = cell((case, d, n, seeds, 100))
    err = {k: (np.array(res[k]["v"]) - J) / J for k in ("before", "after")}
    return (f"| {case} | {d} | {n} | {err['before'].mean():+.4f} | {err['before'].std(ddof=1):.4f}"
            f" | {err['after'].mean():+.4f} | {err['after'].std(ddof=1):.4f} |")


def design(workers: int) -> None:
    """The numbers the three-bandwidth extrapolation was chosen on (tuning laws, tuning
    seeds 100..105 at n = 1e3 and 100..103 at 1e4)."""
    jobs = [(case, d, n, 6 if n == 1000 else 4) for n in (1000, 10000) for d in (2, 5, 10)
            for case in cases_nd.TUNING]
    print("| law | d | n | two: mean err | SD | three: mean err | SD |")
    print("|---|---|---|---|---|---|---|")
    with Pool(workers) as pool:
        for line in pool.imap(design_cell, jobs):
            print(line, flush=True)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=20)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--render", action="store_true",
                   help="rewrite the page from benchmarks/results_richardson_nd.json")
    p.add_argument("--design", action="store_true",
                   help="print the tuning-seed numbers the change was designed on")
    a = p.parse_args(argv)
    if a.design:
        design(a.workers)
        return
    if a.render:
        write(json.loads(RESULTS.read_text()))
        return
    for case, d in sorted({(c, d) for c, d, _ in CELLS}):   # Monte Carlo truths, once
        cases_nd.truth(case, d)
    t0 = time.time()
    with Pool(a.workers) as pool:
        rows = pool.map(cell, [(c, d, n, a.seeds) for c, d, n in CELLS], chunksize=1)
    res = {"rows": rows, "elapsed": time.time() - t0, "seeds": a.seeds}
    if a.seeds < 20:   # a smoke run never replaces the published page and results
        out = Path(os.environ.get("TMPDIR", "/tmp")) / "richardson_nd.md"
        write(res, out)
        print("smoke run: wrote", out)
        return
    RESULTS.write_text(json.dumps(res))
    write(res)
    print("wrote", OUT)


if __name__ == "__main__":
    main()
