"""Standard error of the d-D KDE Fisher estimate: the delete-a-group jackknife and the
pairwise part it counts too often (the design study; tuning laws and seeds only).

Regenerate docs/jackknife_nd.md with::

    nice python benchmarks/jackknife_nd.py            # 200 tuning seeds per cell
    nice python benchmarks/jackknife_nd.py --quick    # 20 seeds, printed only (smoke run)
    python benchmarks/jackknife_nd.py --render        # the page from the stored rows

The d-D estimate (``infoplane.estimators.kde_score_fisher``) averages a per-query term
over m = min(n, 2000) query points, each term a function of kernel sums over all n
points. Its jackknife deletes each of G = 20 groups of rows in turn; it counts the
pairwise (degenerate second-order) part of the variance about twice, and the excess is
subtracted: a multiple ``e`` of an estimate ``P`` of that part (``_pairwise_variance``:
the per-query spread under deletion of reference groups). For every sample the library
estimate is run and ``raw`` (the jackknife variance of tr J), ``P`` and the bias term
are recorded; the rules are replayed on them:

- ``before``: ``e = 0.9`` times ``(1 + m/n) P_old`` (the rule until issue 11, stop 28:
  the ``m/n`` term assumed that the two changes a pair of query points makes, i's term
  through j and j's through i, are fully correlated, and ``P_old = ((G - 1)/G)² P`` was
  scaled by a jackknife factor that does not apply to ``P``'s centred changes);
- ``library``: ``e = degenerate_excess(20)`` = 1.05 times ``P`` (the group-jackknife
  expectation of a degenerate second-order statistic, derived in the function's
  docstring and checked by simulation in tests/test_multivariate.py);
- ``none``: no subtraction.

Section 1 holds the bandwidth fixed (so the jackknife's own assumptions hold): mean
variance by each rule / variance of tr J over the seeds (1 = calibrated). Section 2 runs
the default (bandwidth searched per sample, bias term added): SD over seeds / median
stderr and coverage of ±1.96 stderr. Section 3 measures the correlation of the two
changes of a pair directly: the group-pair matrix ``D[a, b]`` (the change of m·tr J when
the queries of group a lose reference group b) from G² evaluations, and
``ρ = Σ_{a≠b} D_ab D_ba / (1 - 1/G)² / (Σ_ab D_ab² · m/n)`` (0: uncorrelated, 1: the
``before`` rule's assumption; each D_ab carries the centring factor 1 - 1/G once, a
product of two of them twice, the sum of squares over all (a, b) none).

Laws: the tuning laws of ``cases_nd.TUNING`` (Gaussian, two-component mixture, t₅);
seeds 100-299, disjoint from the published seeds 0-19 of docs/benchmarks_nd.md.
"""

from __future__ import annotations

import argparse
import math
import sys
import warnings
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
from scipy import optimize

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from infoplane.estimators import kde_score_fisher as ks  # noqa: E402
import cases_nd  # noqa: E402
from _page import finish, header, stored_run  # noqa: E402

SEED0 = 100
RESULTS = ROOT / "benchmarks" / "results_jackknife_nd.json"
#: (law, d, n, bandwidth): fixed bandwidths near the searched ones (section 1)
FIXED = (("gauss", 2, 1000, 0.4), ("gauss", 2, 1000, 0.53), ("mixture", 2, 1000, 0.33),
         ("gauss", 5, 1000, 0.69), ("gauss", 2, 10000, 0.4))
#: the default call (section 2)
AUTO = (("gauss", 2, 1000, "auto"), ("mixture", 2, 1000, "auto"), ("t5", 2, 1000, "auto"),
        ("gauss", 5, 1000, "auto"), ("mixture", 5, 1000, "auto"),
        ("gauss", 2, 10000, "auto"), ("mixture", 2, 10000, "auto"),
        ("gauss", 5, 10000, "auto"))
#: cells of the pair-correlation measurement (section 3) and its seeds
RHO = (("gauss", 2, 1000), ("mixture", 2, 1000), ("gauss", 5, 1000))
RHO_SEEDS = 40
BEFORE_EXCESS = 0.9


def _fit(x, bw):
    """tr J, the raw jackknife variance, P (library definition), the bias term, h, m."""
    stash = {}
    inner = ks._pairwise_variance

    def spy(*a):
        out = inner(*a)
        stash["P"], stash["m"] = out[1], a[2].shape[0]
        return out

    ks._pairwise_variance = spy
    saved = ks.degenerate_excess
    ks.degenerate_excess = lambda groups: 0.0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            (J, _, se), used, _ = ks.fisher_matrix_kde(x, rng=None, bandwidth_factor=bw)
    finally:
        ks._pairwise_variance, ks.degenerate_excess = inner, saved
    bias = float(used.get("bias", 0.0))
    return [float(np.trace(J)), se**2 - bias**2, stash["P"], bias,
            float(used["bandwidth_factor"]), stash["m"]]


def _cell(args):
    case, d, n, bw, seeds = args
    return [_fit(cases_nd.sample(case, d, n, np.random.default_rng(s)), bw) for s in seeds]


def _rho(args):
    """ρ of one sample from the group-pair matrix (section 3)."""
    case, d, n, seed = args
    x = cases_nd.sample(case, d, n, np.random.default_rng(seed))
    stash = {}
    inner_gs, inner_pv = ks._group_sums, ks._pairwise_variance

    def gs(mom, totals, g, qgroup):
        stash["qgroup"] = qgroup
        return inner_gs(mom, totals, g, qgroup)

    def pv(totals, mom, zq, hs, ct, correction, levels, to_x, J):
        m, G, qg = zq.shape[0], mom[0][0].shape[1], stash["qgroup"]
        D = np.zeros((G, G))
        for a in range(G):
            sel = (qg == a).astype(float)
            for b in range(G):
                Jp, _, lv = ks._estimates(ks._group_replaced(mom, totals, b, sel), zq, hs,
                                          ct, correction, levels)
                D[a, b] = m * np.trace(to_x(Jp) - J) if Jp is not None else np.nan
        off = ~np.eye(G, dtype=bool)
        stash.update(C=float(np.nansum((D * D.T)[off])) / (1 - 1 / G) ** 2,
                     S=float(np.nansum(D**2)) * m / n)
        return inner_pv(totals, mom, zq, hs, ct, correction, levels, to_x, J)

    ks._group_sums, ks._pairwise_variance = gs, pv
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ks.fisher_matrix_kde(x, rng=None)
    finally:
        ks._group_sums, ks._pairwise_variance = inner_gs, inner_pv
    return stash["C"], stash["S"]


def run(n_seeds):
    seeds = list(range(SEED0, SEED0 + n_seeds))
    jobs = [(c, d, n, bw, seeds) for c, d, n, bw in FIXED + AUTO]
    rho_jobs = [(c, d, n, s) for c, d, n in RHO
                for s in range(SEED0, SEED0 + min(RHO_SEEDS, n_seeds))]
    with ProcessPoolExecutor(2) as ex:
        cells = list(ex.map(_cell, jobs))
        rho = list(ex.map(_rho, rho_jobs))
    out = {"cells": [{"case": c, "d": d, "n": n, "bw": bw, "rows": r}
                     for (c, d, n, bw, _), r in zip(jobs, cells)],
           "rho": {}}
    for (c, d, n, _), val in zip(rho_jobs, rho):
        out["rho"].setdefault(f"{c} {d} {n}", []).append(val)
    return out


def _rules(r, n):
    """Jackknife variance of tr J by each rule, per seed (no bias term)."""
    raw, P, m = r[:, 1], r[:, 2], r[:, 5]
    keep = ks.MIN_VAR_KEPT * raw
    p_old = ((ks.N_GROUPS - 1) / ks.N_GROUPS) ** 2 * P
    return {"before": np.maximum(raw - BEFORE_EXCESS * (1 + m / n) * p_old, keep),
            "library": np.maximum(raw - ks.degenerate_excess(ks.N_GROUPS) * P, keep),
            "none": raw}


def _calibrating_excess(r, V):
    """The e in [0, 20] with mean(max(raw - e P, MIN_VAR_KEPT raw)) = V (nan if none)."""
    raw, P = r[:, 1], r[:, 2]

    def f(e):
        return np.mean(np.maximum(raw - e * P, ks.MIN_VAR_KEPT * raw)) - V

    if f(0.0) < 0 or f(20.0) > 0:
        return math.nan
    return optimize.brentq(f, 0.0, 20.0, xtol=1e-12)


def _boot_sd(r, reps=200):
    """SD of the calibrating excess over bootstrap resamples of the seeds (seeded)."""
    gen = np.random.default_rng(0)
    vals = []
    for _ in range(reps):
        rb = r[gen.integers(0, len(r), len(r))]
        vals.append(_calibrating_excess(rb, np.var(rb[:, 0], ddof=1)))
    return float(np.nanstd(vals, ddof=1))


def render(res, elapsed, quick):
    lines = header("d-D Fisher information: the jackknife's pairwise excess",
                   "jackknife_nd.py", "Method: the script's docstring.")
    n_seeds = len(res["cells"][0]["rows"])
    lines += [f"Tuning laws and seeds only ({n_seeds} seeds per cell, {SEED0}.."
              f"{SEED0 + n_seeds - 1}; the published seeds 0-19 of docs/benchmarks_nd.md "
              "were not looked at).", ""]
    if quick:
        lines += ["**Smoke run (--quick): too few seeds to read.**", ""]
    rules = ("before", "library", "none")
    lines += ["## 1. Fixed bandwidth: mean jackknife variance / variance over the seeds", "",
              "The bandwidth is not searched, so the jackknife (which keeps it fixed) "
              "describes the whole estimate. 1 = calibrated; the ratio's own relative "
              f"standard error is about {math.sqrt(2 / (n_seeds - 1)):.2f} (more for "
              "heavy-tailed estimates). `P / raw`: the pairwise part's share of the raw "
              "jackknife variance; `e*`: the multiple of P whose subtraction would make "
              "the ratio 1, ± its SD over 200 bootstrap resamples of the seeds (the library "
              f"uses {ks.degenerate_excess(ks.N_GROUPS):.2f}, the group jackknife's excess "
              "for a second-order part; larger: the jackknife counts more than that part "
              "too often, or P is short of it).", "",
              "| law | d | n | h | " + " | ".join(rules) + " | P / raw | e* |",
              "|---|---|---|---|" + "---|" * (len(rules) + 2)]
    for cell in res["cells"]:
        if cell["bw"] == "auto":
            continue
        r = np.array(cell["rows"])
        V = np.var(r[:, 0], ddof=1)
        v = _rules(r, cell["n"])
        lines.append(f"| {cell['case']} | {cell['d']} | {cell['n']} | {cell['bw']} | "
                     + " | ".join(f"{np.mean(v[k]) / V:.2f}" for k in rules)
                     + f" | {np.mean(r[:, 2]) / np.mean(r[:, 1]):.2f} | "
                     f"{_calibrating_excess(r, V):.2f} ± {_boot_sd(r):.2f} |")
    lines += ["", "## 2. The default call: SD over seeds / median stderr, and coverage", "",
              "Bandwidth searched per sample, bias term added in quadrature (as "
              "`ip.fisher` does). `SD/se` 1 = the honest width; coverage of "
              "tr J ± 1.96 stderr (the truth's Monte Carlo error added). `h`: median "
              "searched bandwidth (IQR).", "",
              "| law | d | n | h | " + " | ".join(f"{k} SD/se | {k} cov" for k in rules)
              + " |", "|---|---|---|---|" + "---|---|" * len(rules)]
    for cell in res["cells"]:
        if cell["bw"] != "auto":
            continue
        r = np.array(cell["rows"])
        _, J, _, seJ = cases_nd.truth(cell["case"], cell["d"])
        sd = np.std(r[:, 0], ddof=1)
        v = _rules(r, cell["n"])
        h = np.percentile(r[:, 4], [25, 50, 75])
        cols = []
        for k in rules:
            se = np.sqrt(v[k] + r[:, 3] ** 2)
            cov = np.mean(np.abs(r[:, 0] - J) <= 1.96 * np.sqrt(se**2 + seJ**2))
            cols.append(f"{sd / np.median(se):.2f} | {cov:.3f}")
        lines.append(f"| {cell['case']} | {cell['d']} | {cell['n']} | {h[1]:.2f} "
                     f"({h[0]:.2f}-{h[2]:.2f}) | " + " | ".join(cols) + " |")
    lines += ["", "## 3. Correlation of the two changes a pair of query points makes", "",
              f"From the G² = {ks.N_GROUPS ** 2} evaluations of the group-pair matrix on "
              "the first seeds of the range (`seeds`; bandwidth searched); ρ pooled over "
              "them (ratio of sums). The `before` rule assumed ρ = 1; ρ = 0 means the "
              "pairwise variance is P.", "",
              "| law | d | n | ρ | seeds |", "|---|---|---|---|---|"]
    for key, vals in res["rho"].items():
        a = np.array(vals)
        c, d, n = key.split()
        lines.append(f"| {c} | {d} | {n} | {a[:, 0].sum() / a[:, 1].sum():+.2f} | "
                     f"{len(a)} |")
    return lines, elapsed


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="20 seeds, printed only")
    p.add_argument("--render", action="store_true",
                   help="rewrite the page from benchmarks/results_jackknife_nd.json")
    p.add_argument("--out", default=None,
                   help="page to write (default docs/jackknife_nd.md; --quick: none)")
    a = p.parse_args(argv)
    out = a.out or (None if a.quick else str(ROOT / "docs" / "jackknife_nd.md"))
    quick = a.quick and not a.render
    res, el = stored_run(RESULTS, a.render, lambda: run(20 if quick else 200), not quick)
    lines, _ = render(res, el, quick)
    if out is None:
        print("\n".join(lines))
        return
    finish(Path(out), lines, el)
    print("wrote", out)


if __name__ == "__main__":
    main()
