"""The query count of the d-D Fisher estimator's bandwidth search: 1000 against 2000 on
tuning seeds, the measurement behind ``CV_QUERIES`` of
`infoplane.estimators.kde_score_fisher` (its module docstring, step 3).

    nice python benchmarks/search_queries_nd.py            # 60 seeds (100..159), 6 cells
    nice python benchmarks/search_queries_nd.py --timing   # one call at d = 2, 3, n = 1e4

Prints, per cell (n = 1e4, tuning laws of ``cases_nd.TUNING``) and query count, the median
|relative error| of J, the mean error, the SD over seeds, a robust SD (1.4826 MAD), the
largest |error|, coverage of value ± 1.96 stderr, the median stderr and the smallest and
median chosen h. ``--timing``: median of 5 interleaved calls with 1000 and the default
queries. Seeds 100.., disjoint from the published 0..19 and 10000+.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import cases_nd  # noqa: E402

import infoplane as ip  # noqa: E402

CELLS = ((2, "gauss"), (2, "t5"), (5, "gauss"), (2, "mixture"), (5, "mixture"), (3, "t3"))


def compare(seeds: int) -> None:
    warnings.filterwarnings("ignore")
    for d, case in CELLS:
        J = cases_nd.truth(case, d)[1]
        res: dict[int, list] = {1000: [], 2000: []}
        for s in range(100, 100 + seeds):
            X = cases_nd.sample(case, d, 10_000, np.random.default_rng(s))
            for q in res:
                e = ip.fisher(X, rng=s, cv_queries=q)
                res[q].append((e.value / J - 1, e.stderr / J, e.options["bandwidth_factor"]))
        for q, v in res.items():
            err, se, h = np.array(v).T
            print(f"d={d} {case} q={q}: med {100 * np.median(np.abs(err)):.2f} "
                  f"bias {100 * err.mean():+.2f} sd {100 * err.std(ddof=1):.2f} robust sd "
                  f"{100 * 1.4826 * np.median(np.abs(err - np.median(err))):.2f} "
                  f"max|err| {100 * np.abs(err).max():.1f} "
                  f"cov {np.mean(np.abs(err) <= 1.96 * se):.2f} med se {100 * np.median(se):.2f} "
                  f"h min/med {h.min():.3f}/{np.median(h):.3f}", flush=True)


def timing() -> None:
    warnings.filterwarnings("ignore")
    rng = np.random.default_rng(1)
    for d in (2, 3):
        X = rng.standard_normal((10_000, d))
        ip.fisher(X)
        t: dict = {1000: [], None: []}
        for _ in range(5):
            for q in t:
                t0 = time.perf_counter()
                ip.fisher(X, cv_queries=q)
                t[q].append(time.perf_counter() - t0)
        a, b = np.median(t[1000]), np.median(t[None])
        print(f"d={d} n=1e4: cv_queries=1000 {a:.2f} s, default {b:.2f} s, ratio {b / a:.2f}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=60)
    ap.add_argument("--timing", action="store_true")
    a = ap.parse_args(argv)
    timing() if a.timing else compare(a.seeds)


if __name__ == "__main__":
    main()
