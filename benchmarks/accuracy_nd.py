"""d-D accuracy, coverage and speed of infoplane's sample estimators; writes docs/benchmarks_nd.md.

    python benchmarks/accuracy_nd.py            # 20 seeds (the published tables)
    python benchmarks/accuracy_nd.py --quick    # 5 seeds, fewer timing repeats

Cases (benchmarks/cases_nd.py, truths independent of infoplane): an anisotropic Gaussian
(closed forms) and a two-component Gaussian mixture (scipy Monte Carlo, 2e6 samples) in
d = 2, 5, 10, at n = 1e3 and 1e4. Anchors on the same samples: infomeasure's and ennemi's
kNN entropy (NPEET-style Kozachenko-Leonenko, raw coordinates); for J no sample anchor
exists in d > 1, so the Gaussian plug-in tr Σ̂⁻¹ (exact for Gaussians, the Cramér-Rao
lower bound otherwise) is shown. Timings are medians of repeated runs on a shared machine;
ratios are against anchors timed in the same run, and the Fisher estimator of the baseline
commit (BASELINE, extracted with `git archive`, timed in a subprocess in the same run).

J intervals: `cov` uses the reported stderr (jackknife plus the bias term, see
`infoplane.fisher_matrix` Notes); `cov jk` uses the jackknife part alone (the baseline's
interval; its bias term is ``Estimate.options["bias"]``). Seeds 0..19 were not used to
choose the bias term (tuning seeds 100..103).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)
sys.path.insert(0, HERE)

import cases_nd  # noqa: E402

#: commit before the bias term and the faster bandwidth search (speed baseline)
BASELINE = "c61f135"

import infoplane as ip  # noqa: E402


def _anchors():
    out = {}
    try:
        import infomeasure

        out["infomeasure"] = lambda X: float(infomeasure.entropy(X, approach="metric", k=4))
    except ImportError:  # pragma: no cover
        pass
    try:
        import ennemi

        out["ennemi"] = lambda X: float(ennemi.estimate_entropy(X, k=3, multidim=True))
    except ImportError:  # pragma: no cover
        pass
    return out


def _timed(f, *a, **k):
    t = time.perf_counter()
    r = f(*a, **k)
    return r, time.perf_counter() - t


def accuracy(seeds, dims, ns, anchors, log):
    rows = []
    for d in dims:
        for case in ("gauss", "mixture"):
            H, J, seH, seJ = cases_nd.truth(case, d)
            for n in ns:
                rec = {"d": d, "case": case, "n": n, "H": H, "J": J, "seH": seH, "seJ": seJ,
                       "h": [], "h_se": [], "j": [], "j_se": [], "j_bias": [], "j_gauss": [],
                       "t_h": [], "t_j": [], **{a: [] for a in anchors},
                       **{"t_" + a: [] for a in anchors}}
                for s in range(seeds):
                    X = cases_nd.sample(case, d, n, np.random.default_rng(s))
                    eh, th = _timed(ip.entropy, X)
                    ej, tj = _timed(ip.fisher, X, rng=s)
                    rec["h"].append(eh.value)
                    rec["h_se"].append(eh.stderr)
                    rec["j"].append(ej.value)
                    rec["j_se"].append(ej.stderr)
                    rec["j_bias"].append(float(ej.options.get("bias", 0.0)))
                    rec["t_h"].append(th)
                    rec["t_j"].append(tj)
                    rec["j_gauss"].append(float(np.trace(np.linalg.inv(np.cov(X.T)))))
                    for a, f in anchors.items():
                        v, ta = _timed(f, X)
                        rec[a].append(v)
                        rec["t_" + a].append(ta)
                rows.append(rec)
                log(f"d={d} {case} n={n}: H err med {np.median(np.abs(np.array(rec['h']) - H)):.4f}"
                    f" J rel err med {np.median(np.abs(np.array(rec['j']) / J - 1)):.4f}")
    return rows


def _cov(vals, ses, truth, tsd):
    v, s = np.asarray(vals), np.asarray(ses)
    return float(np.mean(np.abs(v - truth) <= 1.96 * np.sqrt(s**2 + tsd**2)))


def speed(repeats, anchors, log):
    rng = np.random.default_rng(0)
    res = {}
    X5 = cases_nd.sample("gauss", 10, 100_000, rng)
    X4 = X5[:10_000]
    ip.entropy(X5[:2000])
    ip.fisher(X4[:2000], rng=0)
    t = [_timed(ip.entropy, X5)[1] for _ in range(repeats)]
    res["entropy d=10 n=1e5 (all queries)"] = t
    t = [_timed(ip.entropy, X5, max_queries=10_000, rng=0)[1] for _ in range(repeats)]
    res["entropy d=10 n=1e5 (max_queries=1e4)"] = t
    t = [_timed(ip.fisher, X4, rng=0)[1] for _ in range(repeats)]
    res["fisher d=10 n=1e4 (default)"] = t
    base = _baseline_fisher_times(X4, repeats)
    if base:
        res[f"fisher d=10 n=1e4 (baseline {BASELINE})"] = base
        res["fisher d=10 n=1e4 (default, again after baseline)"] = [
            _timed(ip.fisher, X4, rng=0)[1] for _ in range(repeats)]
    for a, f in anchors.items():
        res[f"{a} entropy d=10 n=1e5"] = [_timed(f, X5)[1]]
    log(json.dumps({k: float(np.median(v)) for k, v in res.items()}))
    return res


BASELINE_SNIPPET = """
import sys, time, json, numpy as np
sys.path.insert(0, sys.argv[1])
import infoplane as ip
X = np.load(sys.argv[2])
ip.fisher(X[:2000], rng=0)
print(json.dumps([(lambda t: (ip.fisher(X, rng=0), time.perf_counter() - t)[1])(
    time.perf_counter()) for _ in range(int(sys.argv[3]))]))
"""


def _baseline_fisher_times(X, repeats):
    """Times of ``fisher(X)`` with the code of commit BASELINE (empty if git fails)."""
    with tempfile.TemporaryDirectory() as tmp:
        try:
            arc = subprocess.run(["git", "-C", ROOT, "archive", BASELINE, "infoplane"],
                                 capture_output=True, check=True).stdout
            subprocess.run(["tar", "-x", "-C", tmp], input=arc, check=True)
        except (OSError, subprocess.CalledProcessError):  # pragma: no cover
            return []
        np.save(os.path.join(tmp, "x.npy"), X)
        env = dict(os.environ, NUMBA_CACHE_DIR=os.path.join(tmp, "cache"))
        r = subprocess.run([sys.executable, "-c", BASELINE_SNIPPET, tmp,
                            os.path.join(tmp, "x.npy"), str(repeats)],
                           env=env, capture_output=True, text=True, check=True)
        return json.loads(r.stdout.strip().splitlines()[-1])


COMPILE_SNIPPET = """
import time, numpy as np
t0 = time.perf_counter()
import infoplane as ip
t1 = time.perf_counter()
X = np.random.default_rng(0).standard_normal((500, 3))
ip.entropy(X); ip.fisher(X, rng=0); ip.KDE(X, bandwidth=0.5).logpdf(X)
t2 = time.perf_counter()
print(t1 - t0, t2 - t1)
"""


def compile_times():
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, NUMBA_CACHE_DIR=tmp, PYTHONPATH=ROOT)
        out = []
        for _ in range(2):
            r = subprocess.run([sys.executable, "-c", COMPILE_SNIPPET], env=env,
                               capture_output=True, text=True, check=True)
            out.append([float(v) for v in r.stdout.split()])
    return out  # [[import, first call] cold cache, [import, first call] warm cache]


def write_md(path, cmd, rows, sp, comp, anchors, seeds):
    L = ["# d-D sample estimators: accuracy, coverage, speed", "",
         f"Generated by `{cmd}` ({seeds} seeds per cell; truths in benchmarks/cases_nd.py: "
         "closed forms for `gauss`, scipy Monte Carlo with 2e6 samples for `mixture`).", "",
         "Entropy H (nats): median |error| over seeds; bias = mean error; cov = share of 95% "
         "intervals (±1.96 stderr, truth's own MC error added) that contain the truth.", ""]
    an = list(anchors)
    L.append("| d | case | n | infoplane med\\|err\\| | bias | cov | " +
             " | ".join(f"{a} med\\|err\\|" for a in an) + " |")
    L.append("|---" * (6 + len(an)) + "|")
    for r in rows:
        e = np.array(r["h"]) - r["H"]
        cells = [f"{np.median(np.abs(np.array(r[a]) - r['H'])):.4f}" for a in an]
        L.append(f"| {r['d']} | {r['case']} | {r['n']} | {np.median(np.abs(e)):.4f} | "
                 f"{e.mean():+.4f} | {_cov(r['h'], r['h_se'], r['H'], r['seH']):.2f} | "
                 + " | ".join(cells) + " |")
    L += ["", "Fisher information J = tr J(f): median |relative error|; bias = mean relative "
          "error; cov as above with the reported stderr (jackknife and bias term); `cov jk` "
          "with the jackknife stderr alone (the baseline's interval); `width` = mean "
          "interval width 2·1.96·stderr / J (`width jk` likewise). `gauss plug-in` is "
          "tr Σ̂⁻¹ (exact only for Gaussians).", "",
          "| d | case | n | infoplane med\\|rel err\\| | bias | cov | width | cov jk | "
          "width jk | gauss plug-in med\\|rel err\\| |",
          "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        e = np.array(r["j"]) / r["J"] - 1
        g = np.array(r["j_gauss"]) / r["J"] - 1
        se = np.array(r["j_se"])
        jk = np.sqrt(np.maximum(se**2 - np.array(r["j_bias"]) ** 2, 0.0))
        L.append(f"| {r['d']} | {r['case']} | {r['n']} | {np.median(np.abs(e)):.4f} | "
                 f"{e.mean():+.4f} | {_cov(r['j'], se, r['J'], r['seJ']):.2f} | "
                 f"{np.mean(3.92 * se / r['J']):.3f} | "
                 f"{_cov(r['j'], jk, r['J'], r['seJ']):.2f} | "
                 f"{np.mean(3.92 * jk / r['J']):.3f} | {np.median(np.abs(g)):.4f} |")
    allcov = [_cov(r["h"], r["h_se"], r["H"], r["seH"]) for r in rows] + \
             [_cov(r["j"], r["j_se"], r["J"], r["seJ"]) for r in rows]
    L += ["", f"Coverage over all {len(allcov)} cells: median {np.median(allcov):.2f}, "
          f"min {min(allcov):.2f}, max {max(allcov):.2f}.", "",
          "## Time per call in the accuracy runs (median seconds)", "",
          "| d | case | n | infoplane H | infoplane J | " + " | ".join(an) + " |",
          "|---" * (5 + len(an)) + "|"]
    for r in rows:
        L.append(f"| {r['d']} | {r['case']} | {r['n']} | {np.median(r['t_h']):.3f} | "
                 f"{np.median(r['t_j']):.3f} | " +
                 " | ".join(f"{np.median(r['t_' + a]):.3f}" for a in an) + " |")
    L += ["", "## Speed targets (median seconds over repeats, same run)", "",
          "| task | median s | repeats |", "|---|---|---|"]
    for k, v in sp.items():
        L.append(f"| {k} | {np.median(v):.2f} | {len(v)} |")
    base = np.median(sp["entropy d=10 n=1e5 (all queries)"])
    for a in an:
        ta = np.median(sp[f"{a} entropy d=10 n=1e5"])
        L.append(f"\nRatio {a} / infoplane (entropy, d=10, n=1e5, all queries): {ta / base:.2f}")
    kb = f"fisher d=10 n=1e4 (baseline {BASELINE})"
    if kb in sp:
        tn = np.median(sp["fisher d=10 n=1e4 (default)"] +
                       sp["fisher d=10 n=1e4 (default, again after baseline)"])
        L.append(f"\nRatio baseline {BASELINE} / infoplane (Fisher, d=10, n=1e4; both "
                 f"timings of the current code pooled): {np.median(sp[kb]) / tn:.2f}")
    L += ["", "Numba compile (fresh cache dir, subprocess): import "
          f"{comp[0][0]:.2f} s, first calls {comp[0][1]:.2f} s; second process with the cache "
          f"filled: import {comp[1][0]:.2f} s, first calls {comp[1][1]:.2f} s (cached).", "",
          f"Machine: {os.cpu_count()} CPU cores shared with other jobs; timings are noisy.", ""]
    with open(path, "w") as fh:
        fh.write("\n".join(L))


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true")
    p.add_argument("--seeds", type=int, default=None)
    p.add_argument("--out", default=os.path.join(ROOT, "docs", "benchmarks_nd.md"))
    args = p.parse_args(argv)
    seeds = args.seeds or (5 if args.quick else 20)
    repeats = 2 if args.quick else 3
    cmd = "python benchmarks/accuracy_nd.py" + (" --quick" if args.quick else "") + (
        f" --seeds {args.seeds}" if args.seeds else "")
    anchors = _anchors()

    def log(msg):
        print(msg, flush=True)

    comp = compile_times()
    log(f"compile {comp}")
    rows = accuracy(seeds, (2, 5, 10), (1000, 10_000), anchors, log)
    sp = speed(repeats, anchors, log)
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    write_md(args.out, cmd, rows, sp, comp, anchors, seeds)
    log(f"wrote {args.out}")


if __name__ == "__main__":
    main()
