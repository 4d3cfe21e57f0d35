"""Choice of k for the 1-D Kozachenko-Leonenko entropy: error and interval coverage.

Regenerate docs/knn_k_1d.md with::

    nice python benchmarks/knn_k_1d.py            # 200 seeds
    nice python benchmarks/knn_k_1d.py --quick    # 40 seeds

Cells: median |relative error| of N = exp(2H)/(2πe) in %, then the coverage (%) of the
95% interval. The library default is k = round(0.75 n^(1/3)) clipped to [2, 16]
(8 at n = 1e3, 16 at n = 1e4). Truths from benchmarks/accuracy_1d.py.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
import infoplane as ip  # noqa: E402
from accuracy_1d import _truths  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true")
    a = p.parse_args(argv)
    R = 40 if a.quick else 200
    truths = _truths()
    names = list(truths)
    ks = (3, 5, 8, 11, 16, 32)
    cmd = "nice python benchmarks/knn_k_1d.py" + (" --quick" if a.quick else "")
    L = ["# k for the 1-D k-NN entropy", "", f"Regenerate: `{cmd}`. {R} seeds per cell; "
         "cells: median |rel. error of N| % / coverage % of the 95% interval.", ""]
    for n in (1000, 10000):
        L += [f"## n = {n}", "", "| k | " + " | ".join(names) + " | mean error |",
              "|---" * (len(names) + 2) + "|"]
        samples = {d: [truths[d][2](np.random.default_rng(20_000 + s), n) for s in range(R)]
                   for d in names}
        for k in ks:
            cells, errs = [], []
            for d in names:
                H = truths[d][1]
                est = [ip.entropy(x, n_neighbors=k) for x in samples[d]]
                v = np.array([e.value for e in est])
                se = np.array([e.stderr for e in est])
                err = 100 * np.median(np.abs(np.expm1(2 * (v - H))))
                cov = 100 * np.mean(np.abs(v - H) <= 1.96 * se)
                errs.append(err)
                cells.append(f"{err:.2f} / {cov:.0f}")
            L.append(f"| {k} | " + " | ".join(cells) + f" | {np.mean(errs):.2f} |")
        L.append("")
    md = "\n".join(L)
    (ROOT / "docs" / "knn_k_1d.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
