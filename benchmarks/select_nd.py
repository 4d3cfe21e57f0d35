"""Measurements behind the d-D defaults (k and weights of the kNN entropy; bandwidth factor
and deconvolution of the KDE Fisher estimator).

    python benchmarks/select_nd.py [--seeds 10] [--what entropy|fisher|both]

Prints bias, standard deviation and median |error| over seeds for each variant on the
cases of benchmarks/cases_nd.py (d = 2, 5, 10; n = 1e3, 1e4). Entropy variants: k in
{1, 2, 3, 5, d, 2d}, with L = 0 (plain), 1 or ⌊d/4⌋ Berrett-Samworth-Yuan constraints.
Fisher variants: bandwidth factor f·h_cv (f in 0.5, 0.7, 0.85, 1, 1.4) with and without the
Gaussian deconvolution, on 3000 random query points.
"""

from __future__ import annotations

import argparse
import math
import os
import sys

import numpy as np
from scipy import linalg, special
from scipy.spatial import cKDTree

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, HERE)

import cases_nd as C  # noqa: E402

from infoplane._kernels.kde import kde_moments  # noqa: E402
from infoplane._numerics import CV_GRID  # noqa: E402,F401
from infoplane._numerics import sm_bandwidth as _sm_bandwidth  # noqa: E402
from infoplane._numerics import whiten as _whiten  # noqa: E402
from infoplane.estimators.knn_entropy import _log_unit_ball  # noqa: E402


def _weights(k, d, L):
    w = np.zeros(k)
    if L == 0:
        w[-1] = 1.0
        return w
    sup = sorted({(j * k) // d for j in range(1, d + 1)} - {0})
    j = np.array(sup, float)
    A = np.array([np.ones_like(j)]
                 + [np.exp(special.gammaln(j + 2 * order / d) - special.gammaln(j))
                    for order in range(1, L + 1)])
    b = np.zeros(L + 1)
    b[0] = 1.0
    w[np.array(sup) - 1] = A.T @ np.linalg.solve(A @ A.T, b)
    return w


def _report(res, prefix):
    for key in sorted(res):
        e = np.array(res[key])
        print(prefix, key, f"bias {e.mean():+.4f} sd {e.std():.4f} med|e| {np.median(abs(e)):.4f}",
              flush=True)


def entropy(seeds):
    for d in (2, 5, 10):
        for case in ("gauss", "mixture"):
            H = C.truth(case, d)[0]
            for n in (1000, 10_000):
                ks = sorted({1, 2, 3, 5, d, 2 * d})
                res = {}
                for s in range(seeds):
                    X = C.sample(case, d, n, np.random.default_rng(s))
                    Y, _, logdet = _whiten(X)
                    dist, _ = cKDTree(Y).query(Y, max(ks) + 1, workers=-1)
                    lr = np.log(dist[:, 1:])
                    const = math.log(n - 1) + _log_unit_ball(d)
                    psi = special.digamma(np.arange(1, max(ks) + 1))
                    for k in ks:
                        for L in sorted({0, 1, d // 4}):
                            if L > 0 and k < d:
                                continue
                            w = _weights(k, d, L)
                            h = np.mean(d * (lr[:, :k] @ w)) + const - w @ psi[:k] + logdet
                            res.setdefault((k, L), []).append(h - H)
                _report(res, f"H d={d} {case} n={n} (k, L)")


def fisher(seeds):
    for n in (1000, 10_000):
        for d in (2, 5, 10):
            for case in ("gauss", "mixture"):
                Jt = C.truth(case, d)[1]
                res = {}
                for s in range(seeds):
                    rng = np.random.default_rng(s)
                    X = C.sample(case, d, n, rng)
                    Y, L, _ = _whiten(X)
                    Li = linalg.solve_triangular(L, np.eye(d), lower=True)
                    h0 = _sm_bandwidth(Y, rng, 1000, CV_GRID)[0]
                    m = min(n, 3000)
                    q = np.sort(rng.choice(n, m, replace=False))
                    for f in (0.5, 0.7, 0.85, 1.0, 1.4):
                        h = h0 * f
                        _, _, _, Cm = kde_moments(Y, Y[q], q.astype(np.int64), h, 2)
                        Jh = (np.eye(d) / h**2 - Cm / h**4).mean(0)
                        Jh = (Jh + Jh.T) / 2
                        Jc = Jh @ np.linalg.inv(np.eye(d) - h * h * Jh)
                        for name, Jw in (("none", Jh), ("gauss", Jc)):
                            res.setdefault((f, name), []).append(np.trace(Li.T @ Jw @ Li) / Jt - 1)
                _report(res, f"J d={d} {case} n={n} (factor, correction)")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--what", default="both", choices=["entropy", "fisher", "both"])
    a = p.parse_args()
    if a.what in ("entropy", "both"):
        entropy(a.seeds)
    if a.what in ("fisher", "both"):
        fisher(a.seeds)


if __name__ == "__main__":
    main()
