"""Accuracy, interval coverage and speed of infoplane's 1-D sample estimators vs anchors.

Regenerate docs/benchmarks_1d.md with::

    nice python benchmarks/accuracy_1d.py            # 20 seeds, n = 1e3 and 1e4, speed at n = 1e6
    nice python benchmarks/accuracy_1d.py --quick    # 5 seeds, speed at n = 1e5 (smoke run)

Truths are independent of infoplane: closed forms (Gaussian, Laplace, logistic, Student t5,
Cauchy) cross-checked by scipy.integrate.quad, and quad alone for the mixture
0.5 N(-1.5, 1) + 0.5 N(1.5, 1). Every method sees the same samples (same seeds).
Anchors (the ``bench`` extra; each is skipped when not installed): FiShPy (with a
``scipy.integrate.simps`` shim, since SciPy >= 1.14 removed it), KDEpy (ISJ and
Silverman bandwidths, plug-in J = ∫ f'^2/f on its grid), scipy.stats.differential_entropy,
infomeasure (kNN "metric" entropy, k = 4), NeuroKit2 (``fisher_information``).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from scipy import integrate, special, stats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import infoplane as ip  # noqa: E402

warnings.filterwarnings("ignore")

# --------------------------------------------------------------------------- truths
NU = 5


def _quad_truth(pdf, score, lo=-np.inf, hi=np.inf, points=None):
    kw = dict(limit=400, epsabs=1e-12, epsrel=1e-10)
    if points is not None:
        kw["points"] = points
    J = integrate.quad(lambda x: score(x) ** 2 * pdf(x), lo, hi, **kw)[0]
    H = integrate.quad(lambda x: -pdf(x) * np.log(pdf(x)) if pdf(x) > 0 else 0.0, lo, hi, **kw)[0]
    return J, H


def _truths():
    mix_pdf = lambda x: 0.5 * stats.norm.pdf(x, -1.5) + 0.5 * stats.norm.pdf(x, 1.5)  # noqa: E731
    mix_d = lambda x: (-0.5 * (x + 1.5) * stats.norm.pdf(x, -1.5)  # noqa: E731
                       - 0.5 * (x - 1.5) * stats.norm.pdf(x, 1.5))
    mix_J, mix_H = _quad_truth(mix_pdf, lambda x: mix_d(x) / mix_pdf(x), -40, 40,
                               points=[-1.5, 0.0, 1.5])
    t_H = ((NU + 1) / 2 * (special.digamma((NU + 1) / 2) - special.digamma(NU / 2))
           + np.log(np.sqrt(NU) * special.beta(NU / 2, 0.5)))
    table = {
        "gauss": (1.0, 0.5 * np.log(2 * np.pi * np.e),
                  lambda r, n: r.standard_normal(n),
                  (stats.norm.pdf, lambda x: -x)),
        "laplace": (1.0, 1 + np.log(2.0), lambda r, n: r.laplace(size=n),
                    (stats.laplace.pdf, lambda x: -np.sign(x))),
        "logistic": (1 / 3, 2.0, lambda r, n: r.logistic(size=n),
                     (stats.logistic.pdf, lambda x: -np.tanh(x / 2))),
        "t5": ((NU + 1) / (NU + 3), t_H, lambda r, n: r.standard_t(NU, n),
               (stats.t(NU).pdf, lambda x: -(NU + 1) * x / (NU + x * x))),
        "mixture": (mix_J, mix_H,
                    lambda r, n: r.standard_normal(n) + np.where(r.random(n) < 0.5, -1.5, 1.5),
                    None),
        "cauchy": (0.5, np.log(4 * np.pi), lambda r, n: r.standard_cauchy(n),
                   (stats.cauchy.pdf, lambda x: -2 * x / (1 + x * x))),
    }
    # cross-check every closed form by quadrature (fails loudly if a row is wrong)
    for name, (J, H, _, fs) in table.items():
        if fs is None:
            continue
        qJ, qH = _quad_truth(*fs, points=None)
        assert abs(qJ - J) < 1e-6 * J and abs(qH - H) < 1e-6, (name, qJ, J, qH, H)
    return {k: v[:3] for k, v in table.items()}


def _efficiency_floors():
    """Asymptotic floors of the median |relative error| at sample size n (multiply by
    n^-1/2): 0.6745 * sd(influence function) of an efficient estimator.

    N: the influence function of H is -log f(X) - H, and N's relative error is 2 dH;
    J: the influence function of J = E s^2 is -2 s'(X) - s(X)^2 - J (infinite variance for
    Laplace, whose score jumps). Computed by quadrature, independent of infoplane.
    """
    q = stats.norm.ppf(0.75)
    phi = stats.norm.pdf
    mix = (lambda x: 0.5 * phi(x + 1.5) + 0.5 * phi(x - 1.5),
           lambda x: (-0.5 * (x + 1.5) * phi(x + 1.5) - 0.5 * (x - 1.5) * phi(x - 1.5)),
           lambda x: 0.5 * ((x + 1.5) ** 2 - 1) * phi(x + 1.5)
           + 0.5 * ((x - 1.5) ** 2 - 1) * phi(x - 1.5))

    def t_family(nu):
        return (stats.t(nu).pdf, lambda x: -(nu + 1) * x / (nu + x * x),
                lambda x: -(nu + 1) * (nu - x * x) / (nu + x * x) ** 2)

    fams = {
        "gauss": (phi, lambda x: -x, lambda x: -np.ones_like(x)),
        "laplace": (stats.laplace.pdf, None, None),
        "logistic": (stats.logistic.pdf, lambda x: -np.tanh(x / 2),
                     lambda x: -0.5 / np.cosh(x / 2) ** 2),
        "t5": t_family(NU),
        "mixture": (mix[0], lambda x: mix[1](x) / mix[0](x),
                    lambda x: mix[2](x) / mix[0](x) - (mix[1](x) / mix[0](x)) ** 2),
        "cauchy": t_family(1),
    }
    kw = dict(limit=400, epsabs=1e-12)
    out = {}
    for name, (pdf, s, ds) in fams.items():
        # heavy tails: the whole line; light tails: stop before the pdf underflows
        lim = {"t5": np.inf, "cauchy": np.inf, "mixture": 25.0}.get(name, 60.0)

        def moment(g):
            return sum(integrate.quad(lambda x: g(x) * pdf(x), a, b, **kw)[0]
                       for a, b in ((-lim, 0.0), (0.0, lim)))

        lf = lambda x: np.log(np.maximum(pdf(x), 1e-300))  # noqa: E731
        var_lf = moment(lambda x: lf(x) ** 2) - moment(lf) ** 2
        fN = 2 * q * math.sqrt(var_lf)
        if s is None:
            fJ = math.inf
        else:
            infl = lambda x: -2 * ds(x) - s(x) ** 2  # noqa: E731
            J = moment(lambda x: s(x) ** 2)
            fJ = q * math.sqrt(moment(lambda x: infl(x) ** 2) - J**2) / J
        out[name] = (fJ, fN)
    return out


# --------------------------------------------------------------------------- anchors
def _fishpy():
    import scipy.integrate as si

    if not hasattr(si, "simps"):  # SciPy >= 1.14 removed simps; FiShPy still calls it
        si.simps = si.simpson
    import FiShPy.FiSh as FS

    def run(x):
        h = FS.dpik(x)
        sep, fim, _ = FS.SEP_FIM(x, h)
        return sep, fim

    return run


def _kdepy_J(bw):
    from KDEpy import FFTKDE

    def run(x):
        g, f = FFTKDE(bw=bw).fit(x).evaluate(2**14)
        d = np.gradient(f, g)
        ok = f > 1e-12 * f.max()
        return float(np.trapezoid(np.where(ok, d * d / np.where(ok, f, 1), 0.0), g))

    return run


def _anchors():
    J_methods, H_methods = {}, {}
    try:
        fp = _fishpy()
        J_methods["FiShPy (dpik)"] = lambda x: fp(x)[1]
        H_methods["FiShPy (dpik)"] = lambda x: 0.5 * math.log(2 * math.pi * math.e * fp(x)[0])
    except ImportError:
        pass
    try:
        import KDEpy  # noqa: F401

        J_methods["KDEpy ISJ plug-in"] = _kdepy_J("ISJ")
        J_methods["KDEpy Silverman plug-in"] = _kdepy_J("silverman")
    except ImportError:
        pass
    try:
        import neurokit2 as nk

        J_methods["NeuroKit2 fisher_information"] = lambda x: float(nk.fisher_information(x)[0])
    except ImportError:
        pass
    H_methods["scipy differential_entropy"] = lambda x: float(stats.differential_entropy(x))
    try:
        import infomeasure as im

        H_methods["infomeasure kNN (k=4)"] = lambda x: float(
            im.entropy(x, approach="metric", k=4))
    except ImportError:
        pass
    return J_methods, H_methods


# --------------------------------------------------------------------------- runs
def _timed(f, x):
    t0 = time.perf_counter()
    try:
        v = f(x)
    except Exception as exc:  # anchors may crash on heavy tails; record it
        v = exc
    return v, time.perf_counter() - t0


def accuracy(truths, ns, seeds, anchors_J, anchors_H):
    ours_J = {"infoplane kde": lambda x, s: ip.fisher(x, rng=s)}
    ours_H = {
        "infoplane knn (auto)": lambda x, s: ip.entropy(x),
        "infoplane spacing": lambda x, s: ip.entropy(x, method="spacing"),
    }
    res = {}
    for n in ns:
        for name, (J, H, sample) in truths.items():
            cell = {}
            for seed in range(seeds):
                x = sample(np.random.default_rng(seed), n)
                for lab, f in ours_J.items():
                    e, t = _timed(lambda x: f(x, seed), x)
                    cell.setdefault(("J", lab), []).append(
                        (e.value, e.stderr, t))
                for lab, f in ours_H.items():
                    e, t = _timed(lambda x: f(x, seed), x)
                    cell.setdefault(("H", lab), []).append((e.value, e.stderr, t))
                for lab, f in anchors_J.items():
                    v, t = _timed(f, x)
                    cell.setdefault(("J", lab), []).append(
                        (v if isinstance(v, float) else math.nan, math.nan, t))
                for lab, f in anchors_H.items():
                    v, t = _timed(f, x)
                    cell.setdefault(("H", lab), []).append(
                        (v if isinstance(v, float) else math.nan, math.nan, t))
            for (q, lab), rows in cell.items():
                a = np.array(rows, dtype=float)
                truth = J if q == "J" else H
                if q == "J":
                    rel = a[:, 0] / truth - 1.0
                else:  # entropy power N = exp(2H)/(2πe): relative error exp(2ΔH) - 1
                    rel = np.expm1(2.0 * (a[:, 0] - truth))
                cover = np.abs(a[:, 0] - truth) <= 1.96 * a[:, 1]
                res[(q, lab, name, n)] = {
                    "med_abs_rel": float(np.nanmedian(np.abs(rel))) if np.isfinite(rel).any()
                    else math.nan,
                    "mean_rel": float(np.nanmean(rel)) if np.isfinite(rel).any() else math.nan,
                    "n_fail": int((~np.isfinite(rel)).sum()),
                    "coverage": float(cover.mean()) if np.isfinite(a[:, 1]).all() else math.nan,
                    "n_cover": int(cover.sum()),
                    "n_rep": len(rows),
                    "med_time": float(np.median(a[:, 2])),
                }
            print(f"n={n} {name} done", file=sys.stderr, flush=True)
    return res


def speed(n, anchors_J, anchors_H, reps=5):
    x = np.random.default_rng(0).standard_normal(n)
    xc = np.random.default_rng(0).standard_cauchy(n)
    ip.fs_point(x, rng=0)  # warm: compiled or loaded from cache, parallel variants too
    load0 = os.getloadavg()[0]

    def med(f, r=reps):
        ts = []
        for _ in range(r):
            t0 = time.perf_counter()
            f()
            ts.append(time.perf_counter() - t0)
        return float(np.median(ts))

    out = {
        "infoplane fs_point (gauss, with SEs)": med(lambda: ip.fs_point(x, rng=0)),
        "infoplane fs_point (cauchy, with SEs)": med(lambda: ip.fs_point(xc, rng=0)),
        "infoplane fs_point (gauss, fisher n_boot=0)": med(
            lambda: ip.fs_point(x, rng=0, fisher_options={"n_boot": 0})),
        "infoplane fisher (gauss, n_boot=100)": med(lambda: ip.fisher(x, rng=0)),
        "infoplane fisher (gauss, n_boot=0)": med(lambda: ip.fisher(x, n_boot=0)),
        "infoplane entropy knn (gauss)": med(lambda: ip.entropy(x)),
    }
    for lab, f in {**{f"J: {k}": v for k, v in anchors_J.items()},
                   **{f"H: {k}": v for k, v in anchors_H.items()}}.items():
        if "FiShPy" in lab and lab.startswith("H:"):
            continue  # FiShPy computes N and J in the same call: timed once under J
        r = 1 if ("FiShPy" in lab or "infomeasure" in lab or "NeuroKit2" in lab) else 3
        out[lab] = med(lambda: f(x), r)
        print(f"speed {lab}: {out[lab]:.3g} s", file=sys.stderr, flush=True)
    out["_load"] = f"{load0:.1f} / {os.getloadavg()[0]:.1f}"
    return out


def compile_times():
    code = ("import time; t0 = time.perf_counter(); import numpy as np, infoplane as ip; "
            "t1 = time.perf_counter(); ip.fs_point(np.random.default_rng(0).standard_normal(1000));"
            " t2 = time.perf_counter(); ip.fs_point(np.random.default_rng(0).standard_normal(200000));"
            " print(t1 - t0, t2 - t1, time.perf_counter() - t2)")
    with tempfile.TemporaryDirectory() as d:
        env = {**os.environ, "NUMBA_CACHE_DIR": d, "PYTHONPATH": str(ROOT)}
        runs = []
        for _ in range(2):
            out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                                 text=True, check=True).stdout.split()
            runs.append(tuple(float(v) for v in out))
    return {"cold (compile + write cache)": runs[0], "warm cache (new process)": runs[1]}


# --------------------------------------------------------------------------- report
def _fmt_pct(v, fails=0):
    if not np.isfinite(v):
        return "fail"
    s = f"{100 * v:.1f}" if v < 10 else f"{v:.3g}×"
    return s + (f" ({fails} fail)" if fails else "")


def report(res, sp, ct, truths, ns, seeds, quick, cmd):
    names = list(truths)
    floors = _efficiency_floors()
    L = [
        "# 1-D sample estimators: accuracy, coverage and speed",
        "",
        f"Regenerate: `{cmd}` (≈ minutes on 2 shared cores; `--quick` for a smoke run).",
        "",
        f"{seeds} seeds per cell; every method sees the same samples. Truths: closed forms "
        "(checked by `scipy.integrate.quad`) and quadrature for the mixture "
        "0.5 N(-1.5,1) + 0.5 N(1.5,1). Densities: gauss N(0,1), Laplace(0,1), logistic(0,1), "
        "Student t5, mixture, Cauchy(0,1). Timings are medians on a machine shared by "
        "several jobs: compare ratios within this run only.",
        "",
        "Targets (issue 3): median |rel err| of J ≤ 2% at n = 1e4, ≤ 5% at n = 1e3 (all but "
        "Cauchy), Cauchy J ≤ 10% at n = 1e4, N ≤ 1% at n = 1e4; 95% intervals cover 90-99%; "
        "fs_point at n = 1e6 ≤ 0.1 s warm.",
        "",
        "*Efficiency floor*: 0.6745·sd(influence function)/√n, the median |error| of an "
        "asymptotically efficient estimator (N: sd(log f(X)); J: sd(2s'(X) + s(X)²)), by "
        "quadrature. No regular estimator beats it on average; with 20 seeds a cell "
        "scatters about ±25% around its own median.",
        "",
    ]
    for q, title in (("J", "Fisher information J"), ("H", "Entropy power N = exp(2H)/(2πe)")):
        labs = sorted({k[1] for k in res if k[0] == q}, key=lambda s: (not s.startswith("infoplane"), s))
        for n in ns:
            L += [f"## {title}: median |relative error| (%), n = {n}", "",
                  "| method | " + " | ".join(names) + " | time/call (ms, median) |",
                  "|---" * (len(names) + 2) + "|"]
            for lab in labs:
                cells = [res[(q, lab, d, n)] for d in names]
                t = np.median([c["med_time"] for c in cells]) * 1e3
                L.append(f"| {lab} | " + " | ".join(
                    _fmt_pct(c["med_abs_rel"], c["n_fail"]) for c in cells) + f" | {t:.3g} |")
            k = 0 if q == "J" else 1
            L.append("| *efficiency floor (asymptotic)* | " + " | ".join(
                "∞ (cusp)" if not np.isfinite(floors[d][k]) else f"{100 * floors[d][k] / math.sqrt(n):.1f}"
                for d in names) + " | |")
            L.append("")
    L += ["Signed mean relative error of infoplane (bias, %):", "",
          "| quantity | n | " + " | ".join(names) + " |", "|---" * (len(names) + 2) + "|"]
    for q, lab in (("J", "infoplane kde"), ("H", "infoplane knn (auto)")):
        for n in ns:
            L.append(f"| {'J' if q == 'J' else 'N'} | {n} | " + " | ".join(
                f"{100 * res[(q, lab, d, n)]['mean_rel']:+.2f}" for d in names) + " |")
    L += ["", "## Coverage of the 95% intervals (value ± 1.96·stderr)", "",
          "| quantity | n | " + " | ".join(names) + " | all |", "|---" * (len(names) + 3) + "|"]
    tot = {}
    for q, lab in (("J", "infoplane kde"), ("H", "infoplane knn (auto)"),
                   ("H", "infoplane spacing")):
        for n in ns:
            cells = [res[(q, lab, d, n)] for d in names]
            k = sum(c["n_cover"] for c in cells)
            m = sum(c["n_rep"] for c in cells)
            tot.setdefault((q, lab), [0, 0])
            tot[(q, lab)][0] += k
            tot[(q, lab)][1] += m
            L.append(f"| {q} {lab.split()[1]} | {n} | " + " | ".join(
                f"{100 * c['coverage']:.0f}" for c in cells) + f" | {100 * k / m:.1f} |")
    L += [""] + [f"Overall coverage {q} ({lab}): {k}/{m} = {100 * k / m:.1f}%"
                 for (q, lab), (k, m) in tot.items()]
    kj = sum(res[("J", "infoplane kde", d, n)]["n_cover"] for d in names if d != "laplace"
             for n in ns)
    mj = sum(res[("J", "infoplane kde", d, n)]["n_rep"] for d in names if d != "laplace"
             for n in ns)
    L += [f"J coverage without Laplace (known cusp bias): {kj}/{mj} = {100 * kj / mj:.1f}%", ""]
    nspeed = 10**5 if quick else 10**6
    base = sp["infoplane fs_point (gauss, with SEs)"]
    L += [f"## Speed at n = {nspeed} (median seconds; ratio = time / infoplane fs_point gauss)",
          "", f"1-minute load average before / after the speed runs: {sp.pop('_load')} "
          f"on {os.cpu_count()} cores (above the core count, every timing is inflated).", "",
          "| call | seconds | ratio |", "|---|---|---|"]
    for k, v in sp.items():
        L.append(f"| {k} | {v:.4g} | {v / base:.3g} |")
    L += ["", "## First call (fresh process, empty NUMBA_CACHE_DIR, then the same cache again)",
          "", "| run | import (s) | first fs_point, n = 1000 (s) | then n = 2e5 (s) |",
          "|---|---|---|---|"]
    for k, (a, b, c) in ct.items():
        L.append(f"| {k} | {a:.3g} | {b:.3g} | {c:.3g} |")
    L += ["", "Below 1e5 points the kernels run serially (thread start-up costs milliseconds "
          "on a busy machine); the parallel variants compile on the first larger call.", ""]
    L.append("")
    return "\n".join(L)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true", help="5 seeds, speed at n = 1e5")
    p.add_argument("--out", default=str(ROOT / "docs" / "benchmarks_1d.md"))
    a = p.parse_args(argv)
    seeds = 5 if a.quick else 20
    ns = (1000, 10000)
    truths = _truths()
    aJ, aH = _anchors()
    ip.fs_point(np.random.default_rng(0).standard_normal(500), rng=0)  # compile/load first
    res = accuracy(truths, ns, seeds, aJ, aH)
    sp = speed(10**5 if a.quick else 10**6, aJ, aH)
    ct = compile_times()
    cmd = "nice python benchmarks/accuracy_1d.py" + (" --quick" if a.quick else "")
    md = report(res, sp, ct, truths, ns, seeds, a.quick, cmd)
    Path(a.out).write_text(md)
    (ROOT / "benchmarks" / "results_1d.json").write_text(json.dumps(
        {"accuracy": {"|".join(map(str, k)): v for k, v in res.items()}, "speed": sp,
         "compile": ct}, indent=1))  # sp lost its "_load" entry to the report
    print(md)


if __name__ == "__main__":
    main()
