"""The m-spacing entropy's bias at m = √n against its half-window change |Ĥ(m) - Ĥ(m/2)|,
the allowance that ``method="spacing"`` adds to its error (``bias_term``).

    python benchmarks/spacing_bias_1d.py [--seeds 100]

Prints, per law and n, the mean error of the estimate at m, m/2 and m/4, the spread of the
estimate over seeds, the median noise-only error (the influence-function error), the mean
half-window change, and the coverage of value ± 1.96·error without and with the allowance.
Seeds 30000+ (the seeds the allowance was chosen on; docs/coverage_1d.md reports coverage
on seeds 10000+, docs/benchmarks_1d.md on seeds 0-19). Truths from ``laws_1d.py``.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from infoplane.estimators.spacing_entropy import (  # noqa: E402
    default_window, entropy_spacing, influence_stderr)
from laws_1d import truths  # noqa: E402

LAWS = ("gauss", "logistic", "t5", "mixture", "cauchy", "mix-sep", "mix3", "scalemix",
        "laplace", "gamma3", "beta3,5")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=100)
    a = ap.parse_args(argv)
    tr = truths(LAWS)
    print("| n | law | bias at m | at m/2 | at m/4 | sd | median error | mean change "
          "| coverage without / with |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n in (1000, 10000):
        m = default_window(n)
        for law in LAWS:
            _, H, sample = tr[law]
            rows = []
            for s in range(30000, 30000 + a.seeds):
                x = np.sort(sample(np.random.default_rng(s), n))
                sd = float(np.std(x))
                y = (x - np.median(x)) / sd      # standardised; H(x) = H(y) + log sd
                h = [entropy_spacing(y, window_length=w, bias_term=False)[0] + math.log(sd)
                     for w in (m, m // 2, m // 4)]
                rows.append((h[0] - H, h[1] - H, h[2] - H, influence_stderr(y),
                             h[0] - h[1]))
            r = np.array(rows)
            plain = np.mean(np.abs(r[:, 0]) <= 1.96 * r[:, 3])
            wide = np.mean(np.abs(r[:, 0]) <= 1.96 * np.hypot(r[:, 3], r[:, 4]))
            print(f"| {n} | {law} | {r[:, 0].mean():+.4f} | {r[:, 1].mean():+.4f} | "
                  f"{r[:, 2].mean():+.4f} | {r[:, 0].std(ddof=1):.4f} | "
                  f"{np.median(r[:, 3]):.4f} | {r[:, 4].mean():+.4f} | "
                  f"{plain:.2f} / {wide:.2f} |", flush=True)


if __name__ == "__main__":
    main()
