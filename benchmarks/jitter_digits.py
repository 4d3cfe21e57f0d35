"""Values rounded to significant digits, dequantised by ``jitter='auto'``: one width for the
whole column (the step of its busiest decade, as before) against each value's own
decade's step (``_prepare.local_steps``); writes docs/jitter_digits.md.

    nice python benchmarks/jitter_digits.py

Rounding to k significant digits has a step of 10^(floor(log10|x|) - k + 1): 0.01, 0.1,
1, ... by decade. Laws: log-normal (scale 3) with log-SD 0.5, 1, 1.5 and a Gaussian
N(0, 1) (whose values near 0 have ever finer steps); k = 2, 3; n = 2·10³, 2·10⁴; seeds
0..9. For each sample: the 1-D entropy and Fisher estimates (defaults) of the exact
values, and of the rounded values with ``jitter='auto'`` one width (``before``,
``_prepare.LOCAL_STEP_SPREAD`` set to ∞) and per value (``after``). The rule (three gaps
on the side away from zero, spread factor 2) was set on two ad-hoc samples (log-normal,
seeds 200-201) before this script existed.
"""

from __future__ import annotations

import math
import sys
import warnings
from pathlib import Path

import numpy as np
from scipy import stats

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from _page import finish, header, run_and_write  # noqa: E402
import infoplane as ip  # noqa: E402
from infoplane.estimators import _prepare  # noqa: E402

OUT = HERE.parent / "docs" / "jitter_digits.md"
LAWS = {"lognormal 0.5": stats.lognorm(0.5, scale=3.0),
        "lognormal 1": stats.lognorm(1.0, scale=3.0),
        "lognormal 1.5": stats.lognorm(1.5, scale=3.0),
        "gauss": stats.norm()}
DIGITS = (2, 3)
NS = (2000, 20_000)
SEEDS = range(10)


def _round(x: np.ndarray, k: int) -> np.ndarray:
    e = np.floor(np.log10(np.abs(np.where(x == 0, 1.0, x)))) - (k - 1)
    return np.round(x / 10.0 ** e) * 10.0 ** e


def _estimates(x, jitter):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            h = ip.entropy(x, jitter=jitter, rng=0)
            j = ip.fisher(x, jitter=jitter, rng=0)
        except ValueError:                 # refused (still tied): no numbers
            return math.nan, math.nan, math.nan, math.nan
    return h.value, h.stderr, j.value, j.stderr


def _one_width(x):
    keep = _prepare.LOCAL_STEP_SPREAD
    _prepare.LOCAL_STEP_SPREAD = math.inf
    try:
        return _estimates(x, "auto")
    finally:
        _prepare.LOCAL_STEP_SPREAD = keep


def run() -> list[dict]:
    rows = []
    for name, law in LAWS.items():
        for k in DIGITS:
            for n in NS:
                cell = {"law": name, "digits": k, "n": n, "exact": [], "before": [],
                        "after": []}
                for seed in SEEDS:
                    x = law.rvs(size=n, random_state=seed)
                    r = _round(x, k)
                    cell["exact"].append(_estimates(x, None))
                    cell["before"].append(_one_width(r))
                    cell["after"].append(_estimates(r, "auto"))
                rows.append(cell)
                print(name, k, n, flush=True)
    return rows


def _cell(c, key):
    ex = np.array(c["exact"])
    v = np.array(c[key])
    if not np.isfinite(v[:, 0]).any():
        return "refused | refused"
    dh = v[:, 0] - ex[:, 0]
    fin = np.isfinite(v[:, 2]) & np.isfinite(ex[:, 2])
    jr = v[fin, 2] / ex[fin, 2]
    n_inf = int(np.sum(np.isinf(v[:, 2]) != np.isinf(ex[:, 2])))
    jtxt = f"{np.median(jr):.3f}" if jr.size else "–"
    return (f"{np.median(dh):+.4f} ({np.median(np.abs(dh) / v[:, 1]):.1f} SE) | {jtxt}"
            f"{f' ({n_inf} inf differ)' if n_inf else ''}")


def write(rows, elapsed: float) -> None:
    lines = [
        *header("Significant digits and jitter='auto'", "jitter_digits.py",
                "What it measures and how its rule was set: the script's docstring."),
        "Per cell (10 seeds): `ΔH` = median over seeds of H(rounded, jitter='auto') − H(exact "
        "values), nats (in brackets: the median of its absolute value in units of the "
        "estimate's standard error); `J ratio` = median of J(rounded, jitter='auto') / "
        "J(exact values), over the seeds where both are finite (`inf differ`: seeds where "
        "one is infinite and the other not). `before`: one width for the column; "
        "`after`: each value's decade's step.",
        "",
        "| law | digits | n | ΔH before | J ratio before | ΔH after | J ratio after |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in rows:
        lines.append(f"| {c['law']} | {c['digits']} | {c['n']} | {_cell(c, 'before')} | "
                     f"{_cell(c, 'after')} |")
    finish(OUT, lines, elapsed)


def main() -> None:
    run_and_write(run, write, OUT)


if __name__ == "__main__":
    main()
