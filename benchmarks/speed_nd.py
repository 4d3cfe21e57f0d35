"""d-D speed, before and after: median seconds of one call, old and new code interleaved.

    python benchmarks/speed_nd.py --before <tree of the old code> [--repeats 3] \
        10:10000:J 2:10000:J 10:100000:H

Each spec is ``d:n:J`` (``fisher``) or ``d:n:H`` (``entropy``) of a correlated Gaussian
sample; each timing is a fresh subprocess (after a warm-up call that compiles the kernels),
alternating old and new code so that the load of a shared machine hits both alike.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

CODE = r"""
import sys, time, json
sys.path.insert(0, sys.argv[1])
import numpy as np, infoplane as ip
d, n, what = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
A = np.random.default_rng(6).standard_normal((d, d))
X = np.random.default_rng(5).standard_normal((n, d)) @ A
f = (lambda: ip.fisher(X, rng=0)) if what == 'J' else (lambda: ip.entropy(X, rng=0))
ip.fisher(X[:1000], rng=0) if what == 'J' else ip.entropy(X[:1000])
t = time.perf_counter(); f(); print(json.dumps(time.perf_counter() - t))
"""


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--before", required=True)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("specs", nargs="+")
    args = p.parse_args(argv)
    for spec in args.specs:
        d, n, what = spec.split(":")
        res: dict[str, list[float]] = {"before": [], "after": []}
        for _ in range(args.repeats):
            for name, src in (("before", args.before), ("after", ROOT)):
                out = subprocess.run([sys.executable, "-c", CODE, src, d, n, what],
                                     capture_output=True, text=True, check=True)
                res[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
        b, a = statistics.median(res["before"]), statistics.median(res["after"])
        print(f"| {'fisher' if what == 'J' else 'entropy'} d={d} n={n} | {b:.2f} | {a:.2f} | "
              f"{a / b:.2f} |", flush=True)


if __name__ == "__main__":
    main()
