"""IWAE-bound negative log-likelihood by importance sampling.

    -log p(x) ≈ -( logsumexp_k [log p(x|z_k) + log p(z_k) - log q(z_k|x)] - log K ),
    z_k ~ q(z|x), k = 1..K

This is an upper bound on the NLL (Burda et al. 2016) that tightens as K grows. It is
computed in batches of images × chunks of samples with a running log-sum-exp, and
reported as the mean over images with its standard error (std / sqrt(n)).

Usage::

    python -m examples.fae.evaluate runs/vae --k 1000 --n-test 2000 --seed 0
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import torch

from .atomic import write_text_atomically
from .models import gaussian_logpdf


@torch.no_grad()
def iwae_nll(model, x, *, k=1000, batch_images=50, sample_chunk=200, generator=None,
             progress=False):
    """Per-image IWAE bound on -log p(x) (nats), as a float64 NumPy array.

    Parameters
    ----------
    model : VAE
    x : Tensor (n, n_pixels), float
    k : int, importance samples per image
    batch_images, sample_chunk : ints, memory knobs (results do not depend on them
        except through the random draws)
    generator : torch.Generator or None
    """
    if k < 1:
        raise ValueError(f"`k` must be >= 1; got {k}.")
    model.eval()
    out = []
    starts = range(0, x.shape[0], batch_images)
    if progress:
        from tqdm.auto import tqdm
        starts = tqdm(starts, desc=f"IWAE K={k}", mininterval=5)
    for s in starts:
        xb = x[s:s + batch_images]
        mu, logvar = model.encode(xb)
        std = torch.exp(0.5 * logvar)
        acc = torch.full((xb.shape[0],), -math.inf, dtype=torch.float64)
        done = 0
        while done < k:
            c = min(sample_chunk, k - done)
            eps = torch.randn((c,) + mu.shape, generator=generator, dtype=mu.dtype)
            z = mu + std * eps                                      # (c, b, d)
            logw = (model.log_px_z(xb, z)
                    + gaussian_logpdf(z, torch.zeros_like(z), torch.zeros_like(z))
                    - gaussian_logpdf(z, mu, logvar))               # (c, b)
            acc = torch.logaddexp(acc, torch.logsumexp(logw.double(), dim=0))
            done += c
        out.append(-(acc - math.log(k)))
    return torch.cat(out).numpy()


def summarize(nll: np.ndarray) -> dict:
    n = len(nll)
    return {"mean": float(nll.mean()),
            "se": float(nll.std(ddof=1) / math.sqrt(n)) if n > 1 else float("nan"),
            "n_images": int(n)}


def random_subset(n_total: int, n: int | None, seed: int) -> np.ndarray:
    """Sorted random subset of size n (all when n is None or >= n_total)."""
    if n is None or n >= n_total:
        return np.arange(n_total)
    return np.sort(np.random.default_rng(seed).choice(n_total, size=n, replace=False))


def evaluate_run(run_dir, *, k=1000, n_test=None, n_train=None, seed=0, which="selected",
                 progress=True, out_dir=None):
    """Evaluate a run's selected (or last) checkpoint.

    Writes ``eval_k{K}.json`` and the per-image ``nll_{split}_k{K}.npy`` into ``out_dir``
    (default: the run directory; a subdirectory such as ``<run>/fulltest`` keeps a second
    evaluation of the same run from overwriting the first).
    """
    from .train import build_from_checkpoint
    run_dir = Path(run_dir)
    out_dir = run_dir if out_dir is None else Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ckpt_name = {"selected": "selected.pt", "last": "last.pt"}[which]
    model, data, cfg, ckpt = build_from_checkpoint(run_dir / ckpt_name)
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    result = {"run": run_dir.name, "checkpoint": ckpt_name, "epoch": ckpt["epoch"], "k": k,
              "seed": seed, "config": cfg}
    for split, n_sub in (("test", n_test), ("train", n_train)):
        x = data[f"x_{split}"]
        if n_sub == 0:
            continue
        idx = random_subset(len(x), n_sub, seed + (0 if split == "test" else 1))
        t0 = time.perf_counter()
        nll = iwae_nll(model, torch.as_tensor(x[idx], dtype=torch.float32), k=k,
                       generator=gen, progress=progress)
        np.save(out_dir / f"nll_{split}_k{k}.npy", nll)   # per image, for paired comparisons
        res = summarize(nll)
        res["subset"] = "all" if len(idx) == len(x) else f"random {len(idx)} of {len(x)}"
        res["wall_s"] = round(time.perf_counter() - t0, 1)
        result[f"{split}_nll"] = res
    write_text_atomically(out_dir / f"eval_k{k}.json", json.dumps(result, indent=1))
    return result


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("run_dir")
    p.add_argument("--k", type=int, default=5000, help="importance samples per image")
    p.add_argument("--n-test", type=int, default=None,
                   help="random test subset size (default: all); 0 skips")
    p.add_argument("--n-train", type=int, default=0,
                   help="random train subset size for train NLL (default 0: skip)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--which", choices=["selected", "last"], default="selected")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out-dir", default=None,
                   help="where to write eval_k<K>.json and nll_*.npy (default: run_dir)")
    p.add_argument("--no-progress", action="store_true")
    a = p.parse_args(argv)
    torch.set_num_threads(a.threads)
    res = evaluate_run(a.run_dir, k=a.k, n_test=a.n_test, n_train=a.n_train, seed=a.seed,
                       which=a.which, out_dir=a.out_dir, progress=not a.no_progress)
    print(json.dumps({k: v for k, v in res.items() if k != "config"}, indent=1))


if __name__ == "__main__":
    main()
