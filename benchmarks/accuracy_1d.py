"""Accuracy, interval coverage and speed of infoplane's 1-D sample estimators vs anchors.

Regenerate docs/benchmarks_1d.md with::

    nice python benchmarks/accuracy_1d.py            # 20 seeds, n = 1e3 and 1e4, speed at n = 1e6
    nice python benchmarks/accuracy_1d.py --quick    # 5 seeds, speed at n = 1e5 (smoke run)

Truths are independent of infoplane: closed forms (Gaussian, Laplace, logistic, Student t5,
Cauchy, Gamma(4), Beta(4, 6)) cross-checked by scipy.integrate.quad, and quad alone for the
mixtures (0.5 N(-1.5, 1) + 0.5 N(1.5, 1); the separated 0.5 N(-2, 0.5) + 0.5 N(2, 0.5),
variances; 0.3 N(-3, 0.3²) + 0.5 N(0, 1) + 0.2 N(4, 0.5²)) and the Cauchy-tailed scale
mixture 0.8 N(0, 1) + 0.2 Cauchy(0, 5). Every method sees the same samples (seeds 0-19;
the bandwidth constants were tuned on seeds 1000+ in benchmarks/bandwidth_1d.py).
The baseline "infoplane kde (4a404a8)" is the 1-D Fisher estimator as it was at commit
4a404a8 (fixed bandwidth rule), loaded from git, so old and new run on the same samples.
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
from infoplane.estimators import fft_kde_fisher as _fft  # noqa: E402

BASELINE_COMMIT = "4a404a8"


def _baseline_univariate():
    """infoplane/estimators/univariate.py as of BASELINE_COMMIT, imported beside the
    current one (None when git or the commit is unavailable)."""
    import importlib.util
    import types

    try:
        src = subprocess.run(
            ["git", "show", f"{BASELINE_COMMIT}:infoplane/estimators/univariate.py"],
            cwd=ROOT, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    name = "infoplane.estimators._univariate_baseline"
    mod = types.ModuleType(name)
    mod.__package__ = "infoplane.estimators"
    mod.__spec__ = importlib.util.spec_from_loader(name, loader=None)
    exec(compile(src, f"<{BASELINE_COMMIT}:univariate.py>", "exec"), mod.__dict__)
    return mod


OLD = _baseline_univariate()
OLD_LAB = f"infoplane kde ({BASELINE_COMMIT})"

warnings.filterwarnings("ignore")

# --------------------------------------------------------------------------- truths
NU = 5
_PHI = stats.norm.pdf


def _gmix(w, mu, sd):
    """pdf, pdf', pdf'' and sampler of a 1-D Gaussian mixture (sd = standard deviations)."""
    w, mu, sd = map(np.asarray, (w, mu, sd))

    def parts(x):
        z = (np.asarray(x, dtype=float)[..., None] - mu) / sd
        g = w * _PHI(z) / sd
        return g, z

    def pdf(x):
        return parts(x)[0].sum(-1)

    def d1(x):
        g, z = parts(x)
        return (-z / sd * g).sum(-1)

    def d2(x):
        g, z = parts(x)
        return ((z * z - 1) / sd**2 * g).sum(-1)

    def sample(r, n):
        k = np.searchsorted(np.cumsum(w), r.random(n), side="right").clip(0, w.size - 1)
        return mu[k] + sd[k] * r.standard_normal(n)

    return pdf, d1, d2, sample


def _scalemix():
    """0.8 N(0, 1) + 0.2 Cauchy(0, 5): a Gaussian scale mixture with a Cauchy tail."""
    c = stats.cauchy(scale=5.0)
    pdf = lambda x: 0.8 * _PHI(x) + 0.2 * c.pdf(x)  # noqa: E731
    d1 = lambda x: -0.8 * x * _PHI(x) + 0.2 * c.pdf(x) * (-2 * x / (25 + x * x))  # noqa: E731

    def d2(x):
        q = 25 + x * x
        return 0.8 * (x * x - 1) * _PHI(x) + 0.2 * c.pdf(x) * (6 * x * x - 50) / q**2

    def sample(r, n):
        return np.where(r.random(n) < 0.8, r.standard_normal(n), 5.0 * r.standard_cauchy(n))

    return pdf, d1, d2, sample


def _cases():
    """name -> dict(pdf, d1, d2 (None: score jumps), sample, J, H (closed form or None),
    support (lo, hi), points (breakpoints for quad), label)."""
    t_H = ((NU + 1) / 2 * (special.digamma((NU + 1) / 2) - special.digamma(NU / 2))
           + np.log(np.sqrt(NU) * special.beta(NU / 2, 0.5)))
    tp = stats.t(NU)
    inf = np.inf
    C = {}
    C["gauss"] = dict(pdf=_PHI, d1=lambda x: -x * _PHI(x), d2=lambda x: (x * x - 1) * _PHI(x),
                      sample=lambda r, n: r.standard_normal(n), J=1.0,
                      H=0.5 * np.log(2 * np.pi * np.e), label="N(0,1)")
    C["laplace"] = dict(pdf=stats.laplace.pdf,
                        d1=lambda x: -np.sign(x) * stats.laplace.pdf(x), d2=None,
                        sample=lambda r, n: r.laplace(size=n), J=1.0, H=1 + np.log(2.0),
                        points=[0.0], label="Laplace(0,1)")
    C["logistic"] = dict(pdf=stats.logistic.pdf,
                         d1=lambda x: -np.tanh(x / 2) * stats.logistic.pdf(x),
                         d2=lambda x: (np.tanh(x / 2) ** 2 - 0.5 / np.cosh(x / 2) ** 2)
                         * stats.logistic.pdf(x),
                         sample=lambda r, n: r.logistic(size=n), J=1 / 3, H=2.0,
                         label="logistic(0,1)")
    C["t5"] = dict(pdf=tp.pdf, d1=lambda x: -(NU + 1) * x / (NU + x * x) * tp.pdf(x),
                   d2=lambda x: (((NU + 1) * x / (NU + x * x)) ** 2
                                 - (NU + 1) * (NU - x * x) / (NU + x * x) ** 2) * tp.pdf(x),
                   sample=lambda r, n: r.standard_t(NU, n), J=(NU + 1) / (NU + 3), H=t_H,
                   heavy=True, label="Student t5")
    pdf, d1, d2, smp = _gmix([0.5, 0.5], [-1.5, 1.5], [1.0, 1.0])
    C["mixture"] = dict(pdf=pdf, d1=d1, d2=d2, sample=smp, points=[-1.5, 0.0, 1.5],
                        label="½N(-1.5,1)+½N(1.5,1)")
    C["cauchy"] = dict(pdf=stats.cauchy.pdf,
                       d1=lambda x: -2 * x / (1 + x * x) * stats.cauchy.pdf(x),
                       d2=lambda x: (6 * x * x - 2) / (1 + x * x) ** 2 * stats.cauchy.pdf(x),
                       sample=lambda r, n: r.standard_cauchy(n), J=0.5, H=np.log(4 * np.pi),
                       heavy=True, label="Cauchy(0,1)")
    # harder cases: separated / unequal-width modes, skew, bounded support, heavy scale mix
    pdf, d1, d2, smp = _gmix([0.5, 0.5], [-2.0, 2.0], [0.5**0.5, 0.5**0.5])
    C["mix-sep"] = dict(pdf=pdf, d1=d1, d2=d2, sample=smp, points=[-2.0, 0.0, 2.0],
                        label="½N(-2,0.5)+½N(2,0.5) (variances)")
    pdf, d1, d2, smp = _gmix([0.3, 0.5, 0.2], [-3.0, 0.0, 4.0], [0.3, 1.0, 0.5])
    C["mix3"] = dict(pdf=pdf, d1=d1, d2=d2, sample=smp, points=[-3.0, -1.5, 0.0, 2.0, 4.0],
                     label="0.3N(-3,0.3²)+0.5N(0,1)+0.2N(4,0.5²)")
    k = 4.0
    g = stats.gamma(k)
    C["gamma4"] = dict(pdf=g.pdf, d1=lambda x: ((k - 1) / x - 1) * g.pdf(x),
                       d2=lambda x: (((k - 1) / x - 1) ** 2 - (k - 1) / x**2) * g.pdf(x),
                       sample=lambda r, n: r.gamma(k, 1.0, n), J=1 / (k - 2),
                       H=k + special.gammaln(k) + (1 - k) * special.digamma(k),
                       support=(0.0, inf), points=[k - 1], jinf=True, label="Gamma(4,1)")
    a, b = 4.0, 6.0
    be = stats.beta(a, b)
    sc = lambda x: (a - 1) / x - (b - 1) / (1 - x)  # noqa: E731
    C["beta46"] = dict(pdf=be.pdf, d1=lambda x: sc(x) * be.pdf(x),
                       d2=lambda x: (sc(x) ** 2 - (a - 1) / x**2 - (b - 1) / (1 - x) ** 2)
                       * be.pdf(x),
                       sample=lambda r, n: r.beta(a, b, n),
                       J=(a + b - 1) * (a + b - 2) * (1 / (a - 2) + 1 / (b - 2)),
                       H=float(be.entropy()), support=(0.0, 1.0), points=[0.375], jinf=True,
                       label="Beta(4,6)")
    pdf, d1, d2, smp = _scalemix()
    C["scalemix"] = dict(pdf=pdf, d1=d1, d2=d2, sample=smp, heavy=True, points=[0.0],
                         label="0.8N(0,1)+0.2Cauchy(0,5)")
    return C


def _quad(g, lo, hi, points=()):
    """∫ g over (lo, hi), split at the breakpoints (and at ±40 for infinite ends)."""
    kw = dict(limit=400, epsabs=1e-13, epsrel=1e-11)
    inner = sorted(p for p in points if lo < p < hi)
    lo_f = lo if np.isfinite(lo) else min([-40.0] + inner)
    hi_f = hi if np.isfinite(hi) else max([40.0] + inner)
    edges = [lo_f] + [p for p in inner if lo_f < p < hi_f] + [hi_f]
    tot = sum(integrate.quad(g, u, v, **kw)[0] for u, v in zip(edges[:-1], edges[1:]))
    if not np.isfinite(lo):
        tot += integrate.quad(g, -np.inf, lo_f, **kw)[0]
    if not np.isfinite(hi):
        tot += integrate.quad(g, hi_f, np.inf, **kw)[0]
    return tot


def _case_quad(c, g):
    lo, hi = c.get("support", (-np.inf, np.inf))
    pdf = c["pdf"]

    def gg(x):
        p = pdf(x)
        return g(x, p) if p > 1e-300 else 0.0

    return _quad(gg, lo, hi, c.get("points", ()))


def _truths():
    """name -> (J, H, sampler). J = ∫ f'²/f and H = -∫ f log f by scipy.integrate.quad;
    where a closed form exists (literature) the two must agree (checked here)."""
    out = {}
    for name, c in _cases().items():
        qJ = _case_quad(c, lambda x, p: c["d1"](x) ** 2 / p)
        qH = _case_quad(c, lambda x, p: -p * np.log(p))
        if "J" in c:
            assert abs(qJ - c["J"]) < 1e-6 * c["J"], (name, qJ, c["J"])
        if "H" in c:
            assert abs(qH - c["H"]) < 1e-6, (name, qH, c["H"])
        out[name] = (c.get("J", qJ), c.get("H", qH), c["sample"])
    return out


def _efficiency_floors():
    """Asymptotic floors of the median |relative error| at sample size n (multiply by
    n^-1/2): 0.6745 * sd(influence function) of an efficient estimator.

    N: the influence function of H is -log f(X) - H, and N's relative error is 2 dH;
    J: the influence function of J = E s^2 is -2 s'(X) - s(X)^2 - J (infinite variance for
    Laplace, whose score jumps, and for Gamma(4) and Beta(4,6), whose E s'^2 diverges at
    the support ends). Computed by quadrature, independent of infoplane.
    """
    q = stats.norm.ppf(0.75)
    out = {}
    for name, c in _cases().items():
        J = _case_quad(c, lambda x, p: c["d1"](x) ** 2 / p)
        H = _case_quad(c, lambda x, p: -p * np.log(p))
        var_lf = _case_quad(c, lambda x, p: p * np.log(p) ** 2) - H**2
        fN = 2 * q * math.sqrt(var_lf)
        if c["d2"] is None or c.get("jinf"):
            fJ = math.inf
        else:
            def infl(x, p):
                s = c["d1"](x) / p
                ds = c["d2"](x) / p - s * s
                return (-2 * ds - s * s) ** 2 * p

            fJ = q * math.sqrt(_case_quad(c, infl) - J**2) / J
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
    if OLD is not None:
        ours_J[OLD_LAB] = lambda x, s: OLD.fisher(x[:, None], rng=s)
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
    xm = _cases()["mix-sep"]["sample"](np.random.default_rng(0), n)
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
        "infoplane fisher (mix-sep, n_boot=100)": med(lambda: ip.fisher(xm, rng=0)),
    }
    if OLD is not None:  # the baseline estimator, timed in the same run
        new_fisher = _fft.fisher_kde

        def old_kde(x, *, rng, bandwidth="auto", n_boot=100, x_unit=1.0):
            return OLD._fisher_kde(x, bandwidth=bandwidth, n_boot=n_boot, rng=rng)

        try:
            _fft.fisher_kde = old_kde  # fs_point looks the kernel up at call time
            out[f"{BASELINE_COMMIT}: fs_point (gauss, with SEs)"] = med(
                lambda: ip.fs_point(x, rng=0))
        finally:
            _fft.fisher_kde = new_fisher
        out[f"{BASELINE_COMMIT}: fisher (gauss, n_boot=100)"] = med(
            lambda: OLD.fisher(x[:, None], rng=0))
        out[f"{BASELINE_COMMIT}: fisher (mix-sep, n_boot=100)"] = med(
            lambda: OLD.fisher(xm[:, None], rng=0))
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
            "t1 = time.perf_counter(); "
            "ip.fs_point(np.random.default_rng(0).standard_normal(1000));"
            " t2 = time.perf_counter(); "
            "ip.fs_point(np.random.default_rng(0).standard_normal(200000));"
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
        f"{seeds} seeds per cell (seeds 0-{seeds - 1}; the bandwidth constants were tuned "
        "on the disjoint seeds 1000+ of `benchmarks/bandwidth_1d.py`); every method sees the "
        "same samples. Truths: closed forms (checked by `scipy.integrate.quad`) and "
        "quadrature for the mixtures. Densities: "
        + "; ".join(f"{k} {c['label']}" for k, c in _cases().items())
        + f". `{OLD_LAB}` is the 1-D Fisher estimator as of commit {BASELINE_COMMIT} "
        "(fixed bandwidth rule, loaded from git) on the same samples. Timings are medians "
        "on a machine shared by several jobs: compare ratios within this run only.",
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
        labs = sorted({k[1] for k in res if k[0] == q},
                      key=lambda s: (not s.startswith("infoplane"), s))
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
                "∞ (cusp)" if not np.isfinite(floors[d][k])
                else f"{100 * floors[d][k] / math.sqrt(n):.1f}"
                for d in names) + " | |")
            L.append("")
    L += ["Signed mean relative error of infoplane (bias, %):", "",
          "| quantity | n | " + " | ".join(names) + " |", "|---" * (len(names) + 2) + "|"]
    for q, lab in (("J", "infoplane kde"), ("J", OLD_LAB), ("H", "infoplane knn (auto)")):
        if (q, lab, names[0], ns[0]) not in res:
            continue
        for n in ns:
            L.append(f"| {'J' if q == 'J' else 'N'} {lab.split(' ', 1)[1]} | {n} | " + " | ".join(
                f"{100 * res[(q, lab, d, n)]['mean_rel']:+.2f}" for d in names) + " |")
    L += ["", "## Coverage of the 95% intervals (value ± 1.96·stderr)", "",
          "| quantity | n | " + " | ".join(names) + " | all |", "|---" * (len(names) + 3) + "|"]
    tot = {}
    for q, lab in (("J", "infoplane kde"), ("J", OLD_LAB), ("H", "infoplane knn (auto)"),
                   ("H", "infoplane spacing")):
        if (q, lab, names[0], ns[0]) not in res:
            continue
        for n in ns:
            cells = [res[(q, lab, d, n)] for d in names]
            k = sum(c["n_cover"] for c in cells)
            m = sum(c["n_rep"] for c in cells)
            tot.setdefault((q, lab), [0, 0])
            tot[(q, lab)][0] += k
            tot[(q, lab)][1] += m
            L.append(f"| {q} {lab.split(' ', 1)[1]} | {n} | " + " | ".join(
                f"{100 * c['coverage']:.0f}" for c in cells) + f" | {100 * k / m:.1f} |")
    L += [""] + [f"Overall coverage {q} ({lab}): {k}/{m} = {100 * k / m:.1f}%"
                 for (q, lab), (k, m) in tot.items()]
    kj = sum(res[("J", "infoplane kde", d, n)]["n_cover"] for d in names if d != "laplace"
             for n in ns)
    mj = sum(res[("J", "infoplane kde", d, n)]["n_rep"] for d in names if d != "laplace"
             for n in ns)
    L += [f"J coverage without Laplace (known cusp bias): {kj}/{mj} = {100 * kj / mj:.1f}%", ""]
    if ("J", OLD_LAB, names[0], ns[0]) in res:
        L += [f"## J: new vs {BASELINE_COMMIT}, median |relative error| (%)", "",
              "| n | " + " | ".join(names) + " | mean |", "|---" * (len(names) + 2) + "|"]
        for n in ns:
            for lab in (OLD_LAB, "infoplane kde"):
                v = [100 * res[("J", lab, d, n)]["med_abs_rel"] for d in names]
                L.append(f"| {n} {lab.split(' ', 1)[1]} | " + " | ".join(f"{u:.1f}" for u in v)
                         + f" | {np.mean(v):.1f} |")
        L.append("")
    nspeed = 10**5 if quick else 10**6
    base = sp["infoplane fs_point (gauss, with SEs)"]
    ratios = [(k, f"{BASELINE_COMMIT}: " + k.split(" ", 1)[1]) for k in sp
              if k.startswith("infoplane f")]
    ratios = [(a, b) for a, b in ratios if b in sp]
    L += [f"## Speed at n = {nspeed} (median seconds; ratio = time / infoplane fs_point gauss)",
          "", f"1-minute load average before / after the speed runs: {sp.pop('_load')} "
          f"on {os.cpu_count()} cores (above the core count, every timing is inflated).", "",
          "| call | seconds | ratio |", "|---|---|---|"]
    for k, v in sp.items():
        L.append(f"| {k} | {v:.4g} | {v / base:.3g} |")
    if ratios:
        L += ["", f"New / {BASELINE_COMMIT} time ratios (same run): " + "; ".join(
            f"{a.split(' ', 1)[1]}: {sp[a] / sp[b]:.2f}" for a, b in ratios)]
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
