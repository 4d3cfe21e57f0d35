"""Coverage of infoplane's 95% intervals for 1-D J and H over many seeds.

Regenerate docs/coverage_1d.md with::

    nice python benchmarks/coverage_1d.py            # J: 100 seeds, H: 300 seeds per cell
    nice python benchmarks/coverage_1d.py --quick    # 20 / 60 seeds

For each density and n it reports the fraction of seeds whose interval
``value ± 1.96 stderr`` contains the truth, and ``SD / mean(stderr)``: the spread of the
estimates over seeds divided by the average reported standard error (1 = calibrated,
< 1 = conservative). Truths come from benchmarks/accuracy_1d.py (closed forms and
quadrature, independent of infoplane).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
import infoplane as ip  # noqa: E402
from accuracy_1d import OLD, BASELINE_COMMIT, _truths  # noqa: E402

warnings.filterwarnings("ignore")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true")
    a = p.parse_args(argv)
    rj, rh = (20, 60) if a.quick else (100, 300)
    truths = _truths()
    methods = {
        "J kde": (rj, lambda x, s: ip.fisher(x, rng=s), 0),
        f"J kde ({BASELINE_COMMIT})": (rj, lambda x, s: OLD.fisher(x[:, None], rng=s), 0),
        "H knn": (rh, lambda x, s: ip.entropy(x), 1),
        "H spacing": (rh, lambda x, s: ip.entropy(x, method="spacing"), 1),
    }
    if OLD is None:
        del methods[f"J kde ({BASELINE_COMMIT})"]
    names = list(truths)
    cmd = "nice python benchmarks/coverage_1d.py" + (" --quick" if a.quick else "")
    L = ["# Coverage of the 95% intervals, 1-D estimators", "",
         f"Regenerate: `{cmd}`. Cells: coverage % (SD/mean stderr). Seeds: J {rj}, H {rh} "
         "per cell; with R seeds a calibrated interval covers 95% ± "
         f"{196 * np.sqrt(0.95 * 0.05 / rj):.1f} (J) / ± {196 * np.sqrt(0.95 * 0.05 / rh):.1f} (H) "
         "points (binomial 95% range). "
         f"`J kde ({BASELINE_COMMIT})`: the 1-D Fisher estimator as of commit "
         f"{BASELINE_COMMIT} (fixed bandwidth), same samples. Seeds 10000+ (disjoint from the "
         "tuning seeds of benchmarks/bandwidth_1d.py).", "",
         "| quantity | n | " + " | ".join(names) + " | all |", "|---" * (len(names) + 3) + "|"]
    for lab, (R, f, k) in methods.items():
        for n in (1000, 10000):
            cells, tot = [], []
            for d in names:
                truth, sample = truths[d][k], truths[d][2]
                v, se = [], []
                for seed in range(R):
                    e = f(sample(np.random.default_rng(10_000 + seed), n), seed)
                    v.append(e.value)
                    se.append(e.stderr)
                v, se = np.array(v), np.array(se)
                cov = np.abs(v - truth) <= 1.96 * se
                tot.append(cov)
                cells.append(f"{100 * cov.mean():.0f} ({np.std(v) / np.mean(se):.2f})")
                print(lab, n, d, cells[-1], file=sys.stderr, flush=True)
            L.append(f"| {lab} | {n} | " + " | ".join(cells)
                     + f" | {100 * np.concatenate(tot).mean():.1f} |")
    md = "\n".join(L) + "\n"
    (ROOT / "docs" / "coverage_1d.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
