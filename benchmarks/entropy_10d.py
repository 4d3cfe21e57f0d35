"""Error, standard error and coverage of the d = 10 kNN entropy at large n, with every
point queried and with the ``max_queries="auto"`` subset; writes docs/entropy_10d.md.

    python benchmarks/entropy_10d.py [--seeds 10] [--n 10000 100000]

The main law is the correlated Gaussian of ``benchmarks/speed.py`` (``X = Z A``, A a
fixed 10 x 10 normal matrix), whose entropy is ``(d/2) log(2 pi e) + log|det A|``. Seeds
1000.. draw the samples (disjoint from every tuning seed, which were 100..199, and from
the seeds 40000.. of the Gaussian-reference table, benchmarks/knn_gauss_bias.py); the
query subset uses ``rng = seed``. No constant of the estimator was tuned on this script.
The error's Gaussian-reference allowance is the estimator's bias on a Gaussian, so the
Gaussian rows check that table; the non-Gaussian laws of benchmarks/cases_nd.py at
d = 10 (the two-component mixture, Monte Carlo truth; the multivariate t with ν = 5 and
the rotated Gumbel, closed forms) check it on laws it was not measured on. `before`
coverage: the same estimates with the k ± 1 allowance alone (``options["bias_spread"]``),
the standard error before the Gaussian reference was added.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import math
import sys

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import cases_nd  # noqa: E402

import infoplane as ip  # noqa: E402
from infoplane.estimators.knn_entropy import default_queries  # noqa: E402

OUT = Path(__file__).resolve().parents[1] / "docs" / "entropy_10d.md"
D = 10


def _law():
    A = np.random.default_rng(6).standard_normal((D, D))
    return A, 0.5 * D * np.log(2 * np.pi * np.e) + np.linalg.slogdet(A)[1]


def _sampler(law: str):
    """``(draw(rng, n), truth)`` of one law at d = 10."""
    if law == "gauss":
        A, truth = _law()
        return (lambda rng, n: rng.standard_normal((n, D)) @ A), float(truth)
    return (lambda rng, n: cases_nd.sample(law, D, n, rng)), float(cases_nd.truth(law, D)[0])


def cell(n: int, seeds: int, max_queries, label: str, law: str = "gauss") -> dict:
    draw, truth = _sampler(law)
    err, se, se0, t = [], [], [], []
    for s in range(seeds):
        X = draw(np.random.default_rng(1000 + s), n)
        t0 = time.perf_counter()
        e = ip.entropy(X, rng=s, max_queries=max_queries)
        t.append(time.perf_counter() - t0)
        err.append(e.value - truth)
        se.append(e.stderr)
        o = e.options
        spread = o.get("bias_spread", o["bias"])
        se0.append(math.sqrt(max(e.stderr**2 - o["bias"] ** 2, 0.0) + spread**2))
        print(f"{law} n={n} max_queries={max_queries} seed={s}: error {err[-1]:+.4f}, "
              f"stderr {se[-1]:.4f}, {t[-1]:.1f} s", flush=True)
    e, s_, s0 = np.array(err), np.array(se), np.array(se0)
    return {"law": law, "n": n, "queries": label, "seeds": seeds,
            "median_abs": float(np.median(np.abs(e))), "bias": float(e.mean()),
            "bias_se": float(e.std(ddof=1) / np.sqrt(seeds)),
            "sd": float(e.std(ddof=1)), "median_se": float(np.median(s_)),
            "coverage": float(np.mean(np.abs(e) <= 1.96 * s_)),
            "coverage_before": float(np.mean(np.abs(e) <= 1.96 * s0)),
            "time": statistics.median(t)}


def _trend(rows) -> str:
    """One sentence on how the bias with every point queried changes with n."""
    full = sorted((r for r in rows if r["law"] == "gauss"
                   and r["queries"] in ("all", "auto (all)")),
                  key=lambda r: r["n"])
    if len(full) < 2:
        return ""
    a, b = full[0], full[-1]
    how = "grew" if abs(b["bias"]) > abs(a["bias"]) else "shrank"
    theory = ("the leading term of the theory decays like n^(-2/d); the measured bias "
              "does not follow it at these n" if how == "grew" else
              "the leading term of the theory decays like n^(-2/d), slowly")
    return (f"With every point queried the k = 2 Kozachenko-Leonenko bias {how} from "
            f"{a['bias']:+.3f} at n = {a['n']} to {b['bias']:+.3f} at n = {b['n']} on this "
            f"law ({theory}).")


LABEL = {"gauss": "Gaussian (correlated)", "mixture": "2-component mixture",
         "t5": "multivariate t, ν = 5", "gumbel": "rotated Gumbel"}


def write(rows, path: Path, elapsed: float) -> None:
    lines = [
        "# d = 10 kNN entropy at large n",
        "",
        "Written by `python benchmarks/entropy_10d.py`; rerun it to regenerate this page.",
        "",
        "Correlated 10-D Gaussian (`X = Z A`), truth in closed form, and three non-Gaussian "
        "laws of benchmarks/cases_nd.py at d = 10 (mixture: Monte Carlo truth, 2e6 samples; "
        "t and Gumbel: closed forms); samples from seeds 1000.. (never used for tuning). "
        "`queries`: `all` queries every point, `auto` is the default "
        "(`max_queries=\"auto\"`: 20 000 random query points when n > 40 000 in d ≥ 8). Bias "
        "is the mean error ± its seed-level standard error; sd the spread of the estimates "
        "over seeds; coverage that of the 95% interval (value ± 1.96 stderr); `before` the "
        "coverage with the k ± 1 bias allowance alone (the standard error before the "
        "Gaussian-reference allowance). Times are medians of one call on a shared 2-core "
        "machine.",
        "",
        "| law | n | queries | seeds | median abs. error | bias | sd over seeds "
        "| median stderr | coverage | before | time (s) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        lines.append(f"| {LABEL[r['law']]} | {r['n']} | {r['queries']} | {r['seeds']} | "
                     f"{r['median_abs']:.4f} | {r['bias']:+.4f} ± {r['bias_se']:.4f} | "
                     f"{r['sd']:.4f} | {r['median_se']:.4f} | {r['coverage']:.2f} | "
                     f"{r['coverage_before']:.2f} | {r['time']:.1f} |")
    low = [r for r in rows if r["coverage"] < 0.9]
    verdict = ("Every row covers at least 90%." if not low else
               "Rows below 90%: " + "; ".join(
                   f"{LABEL[r['law']]} at n = {r['n']} ({r['queries']}): {r['coverage']:.2f}"
                   for r in low) + " (open cells of issue #11).")
    lines += [
        "",
        "Reading: querying a subset widens the spread of the estimate over seeds (sd "
        "column) and its standard error; the bias is the estimator's own and is there "
        "with every point queried as well. " + _trend(rows) + " The k ± 1 allowance alone "
        "is smaller than that bias at n = 100000 (`before` column); the standard error now "
        "carries the larger of that allowance and the estimator's bias on a Gaussian of "
        "the same n and d (the table of benchmarks/knn_gauss_bias.py, seeds 40000..). On "
        "the Gaussian rows this checks the table (and the intervals are wide there: "
        "median stderr against sd over seeds); the other laws were not used to make it. "
        "The allowance is the Gaussian's bias, not a bound: a law whose own bias is "
        "larger still misses. The t rows are mapped to a near-Gaussian first "
        "(`tails=\"auto\"`, the default from d = 8 on); that map, with and without, is "
        "measured on docs/entropy_tails_nd.md. " + verdict,
        "",
        f"Total run time {elapsed / 60:.1f} min.",
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=10)
    ap.add_argument("--n", type=int, nargs="+", default=[10_000, 100_000])
    ap.add_argument("--laws", nargs="+", default=["gauss", "mixture", "t5", "gumbel"],
                    choices=sorted(LABEL))
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    ip.entropy(np.random.default_rng(0).standard_normal((1000, D)), rng=0)  # compile
    rows = []
    for law in a.laws:
        for n in a.n:
            m = default_queries(n, D)
            rows.append(cell(n, a.seeds, "auto", f"auto ({'all' if m == n else m})", law))
            if m < n and law == "gauss":
                rows.append(cell(n, a.seeds, n, "all", law))
    write(rows, a.out, time.perf_counter() - t0)
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
