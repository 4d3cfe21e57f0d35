"""Peaks narrower than the kernel: what the 1-D Fisher estimator says before and after its
resolution check; writes docs/narrow_peaks_1d.md.

    nice python benchmarks/narrow_peaks_1d.py
    python benchmarks/narrow_peaks_1d.py --tuning    # the d-D window's tuning samples (1 min)

One global bandwidth cannot resolve a component much narrower than itself: for
``(1 - w) N(0, 1) + w N(1, s²)`` with ``s`` far below the bandwidth the KDE smooths the
peak away, and J came out orders of magnitude low with a finite standard error and no
warning. The check (``fft_kde_fisher._unresolved_peak``: runs of k + 1 consecutive
samples, k = 10 ... 160, at least twice as dense as the samples within ± one bandwidth
around them (d-D: ± half the kernel's standard deviation along the column), at a binomial
tail probability below 1e-3 over the number of runs tested)
sets the standard error to inf with a reason.

How the constants came about: a first version (runs of 21 samples, a fixed density
ratio of 5) was run on this script's laws with seeds 50000+ (false alarms) and 60000+
(peaks); it flagged the peaks of width 10⁻³ but none of width 0.05 and few of width 0.01,
whose values were 1-75% of the truth with intervals that never covered. The present
multi-scale test (its ratio and level set by the Poisson model of a locally smooth
density, not fitted to those numbers) was written after that run, so this page reports
other seeds: 52000+ and 62000+. The d-D part first ran (seeds 82000+, 84000+) with the
level 1e-3 for each column; it flagged one of 140 samples of the d-D laws (a chance
cluster of 11 samples in one column of a rotated Gumbel, d = 5), and the level is now
1e-3 / d per column, so 1e-3 per call; this page reports seeds 83000+ and 85000+.
The d-D check compared a run with the samples within ± one kernel standard deviation
along the column, as in 1-D; on the two-component ``mixture`` at d = 10, n = 10⁴ (tuning
seeds 100..107 of ``cases_nd``) a Gaussian component a little narrower than the wide
d = 10 kernel (its mode about 1.5 times as dense as that window) was flagged on 2 of 8
samples, the estimates 3-5% low with the standard error set to inf (``--tuning``
reprints it). Tried first: testing
against a run twice as dense (0 of 8 flagged, but it lost the n = 10³ column peaks of
width 0.01 of part 3 at d = 2 and 5: seen on this page's seeds). Now the window is
± half the kernel's standard deviation (``samples.PEAK_WINDOW_ND``): 0 of 8 flagged, and
on this page's d-D peak samples (seeds 85000+, seen before this run) the same flags as
the full window. d = 10 joins the d-D rows (its first run flags one of 35 samples at
n = 10³: 11 samples of the two-component mixture within 0.0144 in one column where 0.8
are expected, binomial p = 3e-8 against a threshold of about 2.5e-7; the full window
flags that sample too); the 1-D test is unchanged.

Part 1, false alarms: every law of the 1-D benchmark (``laws_1d.cases()``) at n = 10³
(40 seeds), 10⁴ (20), 10⁵ (5) and 10⁶ (2), default and ``binning="once"`` (whose check
runs on the binned counts, as for dask arrays). Part 3: d-D samples (the check on each
column with the d-D kernel's standard deviation along it), false alarms on the d-D
benchmark laws and a column with a narrow peak. Part 2, narrow components:
w ∈ {0.02, 0.1}, s ∈ {10⁻³, 10⁻², 0.05}, n ∈ {2·10³, 2·10⁴, 2·10⁵}, 10 seeds each; truth
by ``scipy.integrate.quad`` with breakpoints at the peak; `before` is the same call with
the check switched off.
"""

from __future__ import annotations

import math
import sys
import warnings
from pathlib import Path

import numpy as np
from scipy import integrate, stats

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from _page import finish, header, quiet_with, run_and_write  # noqa: E402
import cases_nd  # noqa: E402
import laws_1d  # noqa: E402
import infoplane as ip  # noqa: E402
from infoplane.estimators import fft_kde_fisher  # noqa: E402

OUT = HERE.parent / "docs" / "narrow_peaks_1d.md"
FALSE_ALARM = ((1000, 40), (10_000, 20), (100_000, 5), (1_000_000, 2))
WEIGHTS = (0.02, 0.1)
WIDTHS = (1e-3, 1e-2, 0.05)
NS = (2000, 20_000, 200_000)
SEEDS = 10
#: d-D: the laws of benchmarks/cases_nd.py (false alarms) and a column with a peak
ND_LAWS = ("gauss", "mixture", "t3", "t5", "t10", "gumbel", "mix3")
ND_DIMS = (2, 5, 10)
ND_NS = (1000, 10_000)
ND_SEEDS = 5
FLAG = "J may be much larger"


def _truth(w: float, s: float) -> float:
    """J of (1 - w) N(0, 1) + w N(1, s²) by quadrature, split around the narrow peak."""
    def f(x):
        return (1 - w) * stats.norm.pdf(x) + w * stats.norm.pdf(x, 1.0, s)

    def g(x):
        d = -(1 - w) * x * stats.norm.pdf(x) - w * (x - 1.0) / s**2 * stats.norm.pdf(x, 1.0, s)
        p = f(x)
        return d * d / p if p > 1e-300 else 0.0

    pts = [-40.0] + [1.0 + k * s for k in (-10, -3, 0, 3, 10)] + [40.0]
    return sum(integrate.quad(g, a, b, limit=500, epsabs=1e-12)[0]
               for a, b in zip(pts[:-1], pts[1:]))


def _fisher(x, seed: int, check: bool, **kw):
    ratio = fft_kde_fisher._PEAK_RATIO if check else math.inf
    with quiet_with(fft_kde_fisher, "_PEAK_RATIO", ratio):
        return ip.fisher(x, rng=seed, **kw)


def run() -> dict:
    alarms = []
    cases = laws_1d.cases()
    for n, reps in FALSE_ALARM:
        for name, c in cases.items():
            flagged = {"per-bandwidth": 0, "once": 0}
            for s in range(52000, 52000 + reps):
                x = c["sample"](np.random.default_rng(s), n)
                for binning in flagged:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        e = ip.fisher(x, n_boot=0, binning=binning)
                    flagged[binning] += (e.reason or "").startswith(FLAG)
            alarms.append({"law": name, "n": n, "seeds": reps, "flagged": flagged})
        print("false alarms", n, flush=True)
    peaks = []
    for w in WEIGHTS:
        for s in WIDTHS:
            J = _truth(w, s)
            for n in NS:
                cell = {"w": w, "s": s, "n": n, "J": J, "before": [], "after": [], "once": []}
                for seed in range(62000, 62000 + SEEDS):
                    r = np.random.default_rng(seed)
                    x = np.where(r.random(n) < w, 1.0 + s * r.standard_normal(n),
                                 r.standard_normal(n))
                    for tag, check, kw in (("before", False, {}), ("after", True, {}),
                                           ("once", True, {"binning": "once"})):
                        e = _fisher(x, seed, check, **kw)
                        cell[tag].append((e.value, e.stderr,
                                          (e.reason or "").startswith(FLAG)))
                peaks.append(cell)
                print("peak", w, s, n, flush=True)
    nd_alarms = []
    for d in ND_DIMS:
        for n in ND_NS:
            flagged = 0
            for case in ND_LAWS:
                for seed in range(83000, 83000 + ND_SEEDS):
                    X = cases_nd.sample(case, d, n, np.random.default_rng(seed))
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        e = ip.fisher(X, rng=seed)
                    flagged += (e.reason or "").startswith(FLAG)
            nd_alarms.append({"d": d, "n": n, "samples": len(ND_LAWS) * ND_SEEDS,
                              "flagged": flagged})
            print("d-D false alarms", d, n, flush=True)
    nd_peaks = []
    for d in ND_DIMS:
        for s in (1e-3, 1e-2):
            for n in ND_NS:
                cell = {"d": d, "s": s, "n": n, "before": [], "after": []}
                for seed in range(85000, 85000 + ND_SEEDS):
                    r = np.random.default_rng(seed)
                    X = r.standard_normal((n, d))
                    X[:, 0] = np.where(r.random(n) < 0.02, 1.0 + s * r.standard_normal(n),
                                       X[:, 0])
                    for tag, check in (("before", False), ("after", True)):
                        e = _fisher(X, seed, check)
                        cell[tag].append((e.value, e.stderr,
                                          (e.reason or "").startswith(FLAG)))
                nd_peaks.append(cell)
                print("d-D peak", d, s, n, flush=True)
    return {"alarms": alarms, "peaks": peaks, "nd_alarms": nd_alarms, "nd_peaks": nd_peaks}


def _summary(rows, J) -> str:
    v = np.array([r[0] for r in rows])
    se = np.array([r[1] for r in rows])
    cover = np.mean(np.abs(v - J) <= 1.96 * se)
    flagged = sum(r[2] for r in rows)
    return (f"{np.median(v) / J:.3g} | {100 * cover:.0f}% | "
            f"{flagged}/{len(rows)}")


def write(res, elapsed: float) -> None:
    lines = [
        *header("Peaks narrower than the kernel (Fisher information)", "narrow_peaks_1d.py",
                "What it measures and where its constants come from: the script's "
                "docstring."),
        "## 1. False alarms on the laws of the 1-D benchmark",
        "",
        "Samples flagged (`J may be much larger: ...`, stderr = inf) of the seeds run.",
        "",
        "| n | seeds | laws | flagged (all laws), default | flagged, binning='once' |",
        "|---|---|---|---|---|",
    ]
    for n, reps in FALSE_ALARM:
        rows = [a for a in res["alarms"] if a["n"] == n]
        per = sum(a["flagged"]["per-bandwidth"] for a in rows)
        once = sum(a["flagged"]["once"] for a in rows)
        lines.append(f"| {n} | {reps} | {len(rows)} | {per} | {once} |")
    hit = [a for a in res["alarms"] if sum(a["flagged"].values())]
    listed = ", ".join(f"{a['law']} n = {a['n']} ({a['flagged']})" for a in hit)
    lines += ["", f"Flagged cells: {listed or 'none'}."]
    lines += [
        "",
        "## 2. (1 - w) N(0, 1) + w N(1, s²)",
        "",
        "Per cell, of 10 seeds: median value / truth | coverage of value ± 1.96 stderr "
        "(an inf stderr covers) | samples flagged. `before`: the check switched off; "
        "`binning='once'`: the binned estimator (every dask array's), whose check runs on "
        "the fine counts.",
        "",
        "| w | s | J (quadrature) | n | before | after | after, binning='once' |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in res["peaks"]:
        lines.append(f"| {c['w']:g} | {c['s']:g} | {c['J']:.4g} | {c['n']} | "
                     f"{_summary(c['before'], c['J'])} | {_summary(c['after'], c['J'])} | "
                     f"{_summary(c['once'], c['J'])} |")
    lines += [
        "",
        "## 3. d-D samples: the same check on each column, with the d-D kernel's width",
        "",
        "False alarms on the laws of `benchmarks/cases_nd.py` (" + ", ".join(ND_LAWS)
        + f"; {ND_SEEDS} seeds each, 83000+):",
        "",
        "| d | n | samples | flagged |",
        "|---|---|---|---|",
    ]
    for a in res["nd_alarms"]:
        lines.append(f"| {a['d']} | {a['n']} | {a['samples']} | {a['flagged']} |")
    lines += [
        "",
        "Column 0 = 0.98 N(0, 1) + 0.02 N(1, s²), the other columns N(0, 1) "
        f"({ND_SEEDS} seeds, 85000+); J = J₀ + (d - 1) with J₀ of part 2: "
        "median value / truth | coverage | flagged.",
        "",
        "| d | s | J | n | before | after |",
        "|---|---|---|---|---|---|",
    ]
    for c in res["nd_peaks"]:
        J = _truth(0.02, c["s"]) + c["d"] - 1
        lines.append(f"| {c['d']} | {c['s']:g} | {J:.4g} | {c['n']} | "
                     f"{_summary(c['before'], J)} | {_summary(c['after'], J)} |")
    lines += ["", "Reading the table: the check flags a peak that is narrower than the "
              "kernel and at least twice as dense as the law around it. A cell with "
              "neither flags nor coverage is a miss that remains: there the peak is a bump "
              "that less than doubles the density around it (w = 0.02, s = 0.05 adds +66% "
              "to the density at x = 1) or is about as wide as the kernel, the KDE "
              "resolves it only in part, and the standard error does not carry the bias."]
    finish(OUT, lines, elapsed)


def tuning() -> None:
    """Reprint the d-D window choice: the two-component mixture at d = 10, n = 1e4
    (``cases_nd`` tuning seeds 100..107), flagged or not with the full window (the old
    check) and the half window, and its J error."""
    from infoplane.estimators import samples

    J = cases_nd.truth("mixture", 10)[1]
    print("| seed | J / truth - 1 | flagged, full window | flagged, half window |")
    print("|---|---|---|---|")
    for seed in range(100, 108):
        X = cases_nd.sample("mixture", 10, 10_000, np.random.default_rng(seed))
        flags = []
        for frac in (1.0, samples.PEAK_WINDOW_ND):
            with quiet_with(samples, "PEAK_WINDOW_ND", frac):
                e = ip.fisher(X, rng=seed)
            flags.append((e.reason or "").startswith(FLAG))
        print(f"| {seed} | {e.value / J - 1:+.4f} | {flags[0]} | {flags[1]} |", flush=True)


def main() -> None:
    if "--tuning" in sys.argv[1:]:   # never writes the page
        tuning()
        return
    run_and_write(run, write, OUT)


if __name__ == "__main__":
    main()
