"""Per-seed relative error, jackknife error and bias term of the d-D KDE Fisher estimator
on the tuning seeds (100..) and the tuning laws (``cases_nd.TUNING``), the measurement
behind the bias term of `infoplane.estimators.kde_score_fisher` (the change of the
estimate when its leave-one-out noise correction is left out).

    python benchmarks/bias_term_nd.py [--seeds 4]

All columns are relative to the truth of benchmarks/cases_nd.py. The published coverage
(benchmarks/accuracy_nd.py) uses the disjoint seeds 0..19.
"""

from __future__ import annotations

import argparse
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import cases_nd  # noqa: E402

import infoplane as ip  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=4)
    args = ap.parse_args(argv)
    print("| n | d | case | rel err | jackknife se / J | bias term / J |")
    print("|---|---|---|---|---|---|")
    for n in (1000, 10_000):
        for d in (2, 5, 10):
            for case in cases_nd.TUNING:
                J = cases_nd.truth(case, d)[1]
                rows = []
                for s in range(100, 100 + args.seeds):
                    X = cases_nd.sample(case, d, n, np.random.default_rng(s))
                    e = ip.fisher(X, rng=s)
                    b = e.options.get("bias", math.nan)   # absent where J = inf
                    rows.append((e.value / J - 1, math.sqrt(max(e.stderr**2 - b**2, 0)) / J,
                                 b / J))
                r = np.round(np.array(rows).T, 3)
                print(f"| {n} | {d} | {case} | {list(r[0])} | {list(r[1])} | {list(r[2])} |",
                      flush=True)


if __name__ == "__main__":
    main()
