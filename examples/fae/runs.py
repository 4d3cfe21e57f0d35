"""Run directories: the runs that make up each table and figure, and their metrics.

One place for the run names written by ``reproduce.sh`` and read by :mod:`.collect` and
:mod:`.figures`; the paper's numbers stand beside the runs they are compared with.
"""

from __future__ import annotations

import json
from pathlib import Path

# paper Table 1: (run, label, paper test NLL or None when the paper has no such model)
TABLE1 = [("t1_vae", "VAE", 85.56), ("t1_mae_m10", "MAE M=10", 80.86),
          ("t1_mae_m0", "MAE M=0", 81.58), ("t1_fae_f20_trace", "FAE F=20 (trace)", 79.30),
          ("t1_fae_f20_perdim", "FAE F=20 (per-dim)", 79.30), ("t1_fae_f0", "FAE F=0", 83.24),
          ("t1_fae_f100_perdim", "FAE F=100 (per-dim)", None),
          ("t1_fae_f20_trace_l0.01", "FAE F=20 (trace), λ_z=0.01", None)]
# the models of Table 1 that the paper reports (those drawn in the figures)
TABLE1_PAPER = [(run, label) for run, label, paper in TABLE1 if paper is not None]
# longer continuations of two Table 1 runs (copies of runs/t1x_*), evaluated at their largest K
TABLE1_LONG = [("t1y_vae", "VAE"), ("t1y_fae_f20_perdim", "FAE F=20 (per-dim)")]
# the same two models, every seed: seed 0 is runs/t1y_<name>, seed s > 0 is runs/s<s>_<name>;
# each evaluated on all 10 000 test images into runs/<run>/fulltest (reproduce.sh queue10/11)
FINAL = [("vae", "VAE"), ("fae_f20_perdim", "FAE F=20 (per-dim)")]
# paper Table 2 (reversed MNIST), F -> (paper train NLL, paper test NLL)
TABLE2_PAPER = {"20": (94.48, 164.56), "10": (95.12, 134.94), "5": (95.89, 109.19),
                "0.1": (96.67, 108.37)}


def table2_run(f: str, scale: str) -> str:
    """Run name of the reversed-MNIST FAE with target `f` on the scale ``perdim``/``trace``."""
    return f"t2_fae_f{f}_{scale}"


# the reversed-MNIST runs with F per dimension (those drawn in the figures)
TABLE2_PERDIM = [(table2_run(f, "perdim"), f"F={f}") for f in TABLE2_PAPER]
# paired test-NLL differences (a, b): the same test images, a − b
PAIRS = [("t1x_fae_f20_perdim", "t1x_vae"), ("t1y_fae_f20_perdim", "t1y_vae"),
         ("t1_mae_m10", "t1_mae_m0"),
         ("t2_fae_f0.1_perdim", "t2_fae_f20_perdim"), ("t2_fae_f5_perdim", "t2_fae_f20_perdim")]
# the paper's Fig. 2 setting: latent 10, F per dimension from 20 down to 0
SWEEP_F2 = [(f"f2_d10_f{f}", f"FAE F={f} (per-dim: target tr J={10 * f})")
            for f in (20, 5, 2, 0)]


def longer_run(run: str) -> str:
    """Name of the 2x-epochs continuation of a Table 1 run: ``t1_x`` -> ``t1x_x``."""
    return f"t1x_{run[3:]}"


def read_metrics(run: Path) -> list[dict]:
    """The per-epoch rows of ``<run>/metrics.jsonl`` written by :mod:`.train`."""
    text = (Path(run) / "metrics.jsonl").read_text()
    return [json.loads(ln) for ln in text.splitlines() if ln]
