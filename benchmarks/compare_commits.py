"""Same samples, two commits: how far apart are the estimates? (refactoring check)

    python benchmarks/compare_commits.py 6c9796c            # that commit against the tree
    python benchmarks/compare_commits.py 6c9796c HEAD~3     # two commits

Each side runs in its own process from a temporary git worktree (the working tree for the
second side when it is omitted), on the same seeded samples: 1-D J (with its bootstrap
error), kNN and spacing H, the FS product, and d-D J and H. Prints the relative
difference of every number. A pure refactoring shows differences at rounding level
(about 1e-10 or less) except for bootstrap errors, whose replicates may flip between
branches of the Richardson step on rounding-level changes.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

BATTERY = r'''
import json, sys, warnings
import numpy as np
warnings.simplefilter("ignore")
import infoplane as ip
out = {}
r = np.random.default_rng(123)
cases = {"gauss": r.standard_normal(4000), "cauchy": r.standard_cauchy(4000),
         "laplace": r.laplace(size=4000), "gamma4": r.gamma(4, 1, 4000),
         "mix": np.r_[r.normal(-2, .7, 2000), r.normal(2, .7, 2000)]}
for k, x in cases.items():
    j = ip.fisher(x, rng=0)
    out[k + "/J"], out[k + "/J se"] = j.value, j.stderr
    out[k + "/H knn"] = ip.entropy(x).value
    out[k + "/H spacing"] = ip.entropy(x, method="spacing").value
    out[k + "/NJ"] = ip.fs_point(x, rng=0).product.value
for d in (2, 5):
    X = r.standard_normal((2000, d)) @ r.standard_normal((d, d))
    j, h = ip.fisher(X, rng=0), ip.entropy(X)
    out[f"gauss{d}d/J"], out[f"gauss{d}d/J se"] = j.value, j.stderr
    out[f"gauss{d}d/H"], out[f"gauss{d}d/H se"] = h.value, h.stderr
    out[f"t3 {d}d/J"] = ip.fisher(r.standard_t(3, (2000, d)), rng=0).value
json.dump(out, sys.stdout)
'''


def _run(src: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src)}
    res = subprocess.run([sys.executable, "-c", BATTERY], cwd=src, env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout)


def _side(rev, tmp):
    if rev is None:
        return ROOT, None
    path = Path(tmp) / rev.replace("/", "_")
    subprocess.run(["git", "worktree", "add", "-q", "--detach", str(path), rev], cwd=ROOT,
                   check=True)
    return path, path


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("old")
    ap.add_argument("new", nargs="?", default=None, help="default: the working tree")
    a = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        made = []
        try:
            (p_old, w1), (p_new, w2) = _side(a.old, tmp), _side(a.new, tmp)
            made = [w for w in (w1, w2) if w is not None]
            old, new = _run(p_old), _run(p_new)
        finally:
            for w in made:
                subprocess.run(["git", "worktree", "remove", "--force", str(w)], cwd=ROOT)
    print(f"| quantity | {a.old} | {a.new or 'working tree'} | relative difference |")
    print("|---|---|---|---|")
    for k, v in old.items():
        w = new[k]
        rel = abs(v - w) / abs(v) if v else abs(w)
        print(f"| {k} | {v:.10g} | {w:.10g} | {rel:.1e} |")


if __name__ == "__main__":
    main()
