"""Finite-mixture bias of posterior_fs on the linear-Gaussian encoder of tests/test_vae.py.

    python benchmarks/vae_mixture_bias.py [--reps 20]

x ~ N(0, I) whitened (sample covariance exactly I), q(z|x) = N(Ax, σ²I): the empirical
mixture has the covariance of the limit N(0, AAᵀ + σ²I), so any mean offset from the closed
form over replicate datasets is the finite-mixture bias (plus Monte Carlo noise, whose
standard error is printed). Used to justify the tolerance of
test_linear_gaussian_aggregate_matches_closed_form.
"""

import argparse
import math

import numpy as np
import torch

from infoplane.vae import posterior_fs


def dataset(m, seed, d=3, sigma=0.7):
    rng = np.random.default_rng(100)  # the test's A (seed 100)
    a = rng.normal(size=(d, d)) * 0.8
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(m, d))
    x -= x.mean(axis=0)
    x = np.linalg.solve(np.linalg.cholesky(np.cov(x.T, bias=True)), x.T).T
    mu = torch.as_tensor(x @ a.T)
    lv = torch.full((m, d), 2 * math.log(sigma), dtype=torch.float64)
    cov = a @ a.T + sigma**2 * np.eye(d)
    h = 0.5 * np.linalg.slogdet(2 * np.pi * np.e * cov)[1]
    j = np.trace(np.linalg.inv(cov))
    return mu, lv, h, j


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--n-mc", type=int, default=20_000)
    args = ap.parse_args()
    torch.set_num_threads(2)
    print(f"{'M':>6} {'bias H':>10} {'±':>8} {'bias J':>10} {'±':>8}  "
          f"(mean over {args.reps} datasets)")
    for m in (500, 1000, 2000):
        dh, dj = [], []
        for rep in range(args.reps):
            mu, lv, h, j = dataset(m, 1000 + rep)
            r = posterior_fs(mu, lv, n_mc=args.n_mc, rng=rep)
            dh.append(r.aggregate_entropy - h)
            dj.append(r.aggregate_fisher - j)
        se = lambda v: np.std(v, ddof=1) / math.sqrt(len(v))  # noqa: E731
        print(f"{m:>6} {np.mean(dh):>10.5f} {se(dh):>8.5f} {np.mean(dj):>10.5f} {se(dj):>8.5f}")


if __name__ == "__main__":
    main()
