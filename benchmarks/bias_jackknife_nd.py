"""Two things the d-D KDE Fisher estimate's jackknife could do and does not: remove the
estimate's bias, and see the bandwidth search's variance (a design study on tuning laws
and seeds; it explains two choices of ``infoplane.estimators.kde_score_fisher``).

Regenerate docs/bias_jackknife_nd.md with::

    nice python benchmarks/bias_jackknife_nd.py            # 60 / 30 / 100 tuning seeds
    nice python benchmarks/bias_jackknife_nd.py --quick    # 6 / 3 / 10 seeds, printed only
    python benchmarks/bias_jackknife_nd.py --render        # the page from the stored rows

Section 1, *bias*. The delete-a-group jackknife (G = 20) that gives the standard error
also estimates the bias of a smooth statistic of n rows: ``b = (G - 1)(mean_g J_(-g) - J)``
(Quenouille), which removes its O(1/n) part. For every sample the library estimate is
run and recorded with ``b`` (trace, relative to the truth), its bias term and the last
step of its Richardson extrapolation, ``|R3 - R2|`` (the three-bandwidth value against the
two-bandwidth one from the same kernel sums). Two rules are compared on the same samples:
``library`` (the estimate and stderr as returned) and ``corrected`` (``J - b``, with the
bias term replaced by ``2 |R3 - R2|``, the extrapolation trusted to twice its last step;
its stderr leaves out the variance of ``b`` itself, and its width / SD is measured against
the spread of ``J - b``).

Section 2, *the bandwidth search*. The jackknife holds the searched bandwidth h fixed, so
the search's own variance is not in the error. Re-running the search with each group
deleted would put it there if that jackknife measured the spread of h: here the SD of
log h over seeds is compared with the root-mean-square jackknife SD of log h (groups: a
random equal partition of the rows; every row is a query of the search at n = 1000, so
the replicates do not redraw its query subset).

Laws: three of the tuning laws of ``cases_nd.TUNING`` (Gaussian, two-component mixture,
t₅); seeds
100+, disjoint from the published seeds 0-19 of docs/benchmarks_nd.md.
"""

from __future__ import annotations

import argparse
import math
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from infoplane.estimators import kde_score_fisher as ks  # noqa: E402
import cases_nd  # noqa: E402
from _page import finish, stored_run  # noqa: E402

SEED0 = 100
RESULTS = ROOT / "benchmarks" / "results_bias_jackknife_nd.json"
#: section 1: (law, d, n, seeds)
BIAS = (("gauss", 2, 1000, 60), ("gauss", 5, 1000, 60), ("gauss", 10, 1000, 60),
        ("mixture", 2, 1000, 60), ("mixture", 5, 1000, 60), ("mixture", 10, 1000, 60),
        ("t5", 2, 1000, 60), ("t5", 3, 1000, 60),
        ("gauss", 2, 10000, 30), ("gauss", 5, 10000, 30), ("gauss", 10, 10000, 30),
        ("mixture", 2, 10000, 30), ("mixture", 5, 10000, 30), ("mixture", 10, 10000, 30),
        ("t5", 2, 10000, 30))
#: section 2: (law, d, n, seeds)
SEARCH = (("gauss", 2, 1000, 100), ("mixture", 2, 1000, 100))
#: the corrected rule's bias term: this many times the last Richardson step
STEP_MULT = 2.0


def _bias_row(case, d, n, seed, truth):
    """[tr J, stderr, bias term, jackknife bias b, |R3 - R2|], relative to `truth`."""
    x = cases_nd.sample(case, d, n, np.random.default_rng(seed))
    calls, stash = [], {}
    inner_est, inner_pv = ks._estimates, ks._pairwise_variance

    def est(*a, **k):
        out = inner_est(*a, **k)
        if not calls:
            stash["two"] = inner_est(*a[:5], levels=2)[0]
        calls.append(out)
        return out

    def pv(*a):
        stash["to_x"], stash["k"] = a[7], len(calls)   # the calls so far: J, then replicates
        return inner_pv(*a)

    ks._estimates, ks._pairwise_variance = est, pv
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (J, _, se), used, _ = ks.fisher_matrix_kde(x, rng=None)
    finally:
        ks._estimates, ks._pairwise_variance = inner_est, inner_pv
    to_x = stash["to_x"]
    levels = calls[0][2]
    reps = [np.trace(to_x(Jg)) for Jg, _, lv in calls[1:stash["k"]]
            if Jg is not None and lv == levels]
    tr = float(np.trace(J))
    b = (len(reps) - 1) * (float(np.mean(reps)) - tr)
    step = abs(tr - float(np.trace(to_x(stash["two"])))) if levels == 3 else math.nan
    return [tr / truth, se / truth, float(used.get("bias", 0.0)) / truth, b / truth,
            step / truth]


def _search_row(case, d, n, seed):
    """[log h, jackknife variance of log h over G group deletions]."""
    x = cases_nd.sample(case, d, n, np.random.default_rng(seed))
    stash = {}
    inner = ks.sm_bandwidth

    def spy(Z, rng, m, one_se=False):
        out = inner(Z, rng, m, one_se=one_se)
        stash.update(Z=Z, m=m, h=out.h)
        return out

    ks.sm_bandwidth = spy
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ks.fisher_matrix_kde(x, rng=None)
    finally:
        ks.sm_bandwidth = inner
    Z, G = stash["Z"], ks.N_GROUPS
    group = np.random.default_rng(ks.QUERY_SEED).permutation(n) % G
    logs = np.array([math.log(inner(Z[group != g], None, stash["m"], one_se=True).h)
                     for g in range(G)])
    return [math.log(stash["h"]), (G - 1) / G * float(np.sum((logs - logs.mean()) ** 2))]


def _cell(args):
    kind, case, d, n, seeds = args
    if kind == "search":
        return [_search_row(case, d, n, s) for s in seeds]
    truth = cases_nd.truth(case, d)[1]
    return [_bias_row(case, d, n, s, truth) for s in seeds]


def run(scale):
    jobs = [("bias", c, d, n, range(SEED0, SEED0 + max(1, k // scale))) for c, d, n, k in BIAS]
    jobs += [("search", c, d, n, range(SEED0, SEED0 + max(2, k // scale)))
             for c, d, n, k in SEARCH]
    order = sorted(range(len(jobs)), key=lambda i: -jobs[i][3] * jobs[i][2])  # slow first
    with ProcessPoolExecutor(2) as ex:
        done = dict(zip(order, ex.map(_cell, [jobs[i] for i in order])))
    return [{"kind": k, "case": c, "d": d, "n": n, "rows": done[i]}
            for i, (k, c, d, n, _) in enumerate(jobs)]


def _summary(rows):
    """Per-rule (coverage, width / SD, median |error|) and the cell's mean quantities."""
    v, se, bt, b, step = np.array(rows, dtype=float).T
    jk = np.sqrt(np.maximum(se**2 - bt**2, 0.0))
    out = {}
    for rule, val, s in (("library", v, se),
                         ("corrected", v - b, np.hypot(jk, STEP_MULT * step))):
        e = val - 1.0
        sd = float(np.std(e, ddof=1))
        out[rule] = (float(np.mean(np.abs(e) <= 1.96 * s)), float(np.median(s)) / sd,
                     float(np.median(np.abs(e))), float(np.mean(e)), sd)
    return out, float(np.mean(b)), float(np.std(b, ddof=1)), float(np.mean(step))


def render(res, elapsed, quick):
    L = ["# The d-D Fisher jackknife: its bias estimate and the bandwidth search", "",
         "Written by `nice python benchmarks/bias_jackknife_nd.py"
         + (" --quick" if quick else "") + "`; rerun it to regenerate this page (`--render` "
         "rewrites it from benchmarks/results_bias_jackknife_nd.json). Tuning laws and "
         "seeds only (seeds 100+); the published cells are on "
         "[benchmarks_nd](benchmarks_nd.md). Method: the script's docstring.", "",
         "## 1. Removing the jackknife's bias estimate", "",
         "Relative to the truth, in %: `bias` = mean error of the library estimate; `b` = "
         "mean jackknife bias estimate (SD over seeds); `bias − b` = mean error after "
         "removing it; `|R3 − R2|` = mean last Richardson step. Then coverage of ±1.96 "
         "stderr / median stderr ÷ SD of the estimates over seeds / median |error| %, for "
         "the library and for the corrected rule (J − b; bias term "
         f"{STEP_MULT:g}·|R3 − R2|).", "",
         "| law | d | n | seeds | bias | b | bias − b | \\|R3 − R2\\| | library | corrected |",
         "|---|---|---|---|---|---|---|---|---|---|"]
    for cell in (c for c in res if c["kind"] == "bias"):
        s, mb, sb, ms = _summary(cell["rows"])
        lib, cor = s["library"], s["corrected"]

        def show(r):
            return f"{r[0]:.2f} / {r[1]:.2f} / {100 * r[2]:.1f}"

        L.append(f"| {cell['case']} | {cell['d']} | {cell['n']} | {len(cell['rows'])} | "
                 f"{100 * lib[3]:+.2f} | {100 * mb:+.2f} ({100 * sb:.2f}) | "
                 f"{100 * cor[3]:+.2f} | {100 * ms:.2f} | {show(lib)} | {show(cor)} |")
    L += ["", "Reading: for the Gaussian the jackknife's estimate is the bias (the noise that "
          "the leave-one-out correction leaves and the deconvolution's curvature, both "
          "O(1/n) at a fixed bandwidth), and removing it, with the smaller bias term, "
          "narrows the Gaussian's bands at d = 5 and 10 to about the spread (at d = 5, "
          "n = 10⁴ below it: coverage 0.87). For the "
          "two-component mixture the same noise bias offsets a smoothing bias of the other "
          "sign that the extrapolation in h leaves; removed, the mixture's median error "
          "grows 1.7- to 3-fold at d = 5 and 10 and its intervals cover less. "
          "Mixtures are closer to the data the library is for (aggregate posteriors, "
          "clustered representations) than a Gaussian is, so the library keeps the "
          "uncorrected estimate and its bias term (the size of the noise correction), "
          "with the wide Gaussian bands at d = 10 that come with it.", "",
          "## 2. The jackknife of the bandwidth search", "",
          "| law | d | n | seeds | SD of log h over seeds | RMS jackknife SD of log h | ratio |",
          "|---|---|---|---|---|---|---|"]
    for cell in (c for c in res if c["kind"] == "search"):
        lh, v = np.array(cell["rows"], dtype=float).T
        sd, rms = float(np.std(lh, ddof=1)), math.sqrt(float(np.mean(v)))
        L.append(f"| {cell['case']} | {cell['d']} | {cell['n']} | {len(lh)} | {sd:.3f} | "
                 f"{rms:.3f} | {rms / sd:.1f} |")
    L += ["", "Reading: the search's choice is a minimum over a grid refined by a parabola "
          "and moved by the one-standard-error rule, not a smooth function of the rows, and "
          "the delete-a-group jackknife overstates its spread several times here (d = 2, "
          "n = 10³), as it does for a median. Re-running the search in each replicate "
          "would add that overstated spread to every interval (and cost G = 20 searches), "
          "so the search's variance stays out of the error "
          "([jackknife_nd](jackknife_nd.md), section 2, measures what that costs in "
          "coverage).", ""]
    return L


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="a tenth of the seeds, printed only")
    p.add_argument("--render", action="store_true",
                   help="rewrite the page from benchmarks/results_bias_jackknife_nd.json")
    a = p.parse_args(argv)
    res, el = stored_run(RESULTS, a.render, lambda: run(10 if a.quick else 1), not a.quick)
    lines = render(res, el, a.quick)
    if a.quick:
        print("\n".join(lines))
        return
    out = ROOT / "docs" / "bias_jackknife_nd.md"
    finish(out, lines, el)
    print("wrote", out)


if __name__ == "__main__":
    main()
