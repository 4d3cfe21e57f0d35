"""
A VAE's FS trajectory during training
=====================================

Train a small VAE and a Fisher Auto-Encoder on scikit-learn's 8×8 digits with the
training script of ``examples/fae`` (a few seconds on a CPU), then place the encoder on
the Fisher–Shannon plane after every epoch: the conditional posterior Z|X (closed form)
and the aggregate posterior q(z) (Monte Carlo), with :func:`infoplane.vae.posterior_fs`.

The FAE penalty ``λ·|J(z|x)/d − F|`` (read per dimension, ``--fisher-scale per-dim``) with
F = 4 asks for posterior variances near 1/4; the VAE's KL term pulls them towards the
prior's variance 1 instead. Needs torch and scikit-learn; run it from the repository
root (``python examples/gallery/plot_vae_fs_trajectory.py``).
"""

import contextlib
import io
import json
import sys
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import torch

import infoplane as ip
from infoplane.plot import fs_plane
from infoplane.vae import posterior_fs

try:
    from examples.fae import train
except ImportError:  # run as a file: the repository root holds the `examples` package
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from examples.fae import train

# %%
# Two short runs: latent dimension 8, two hidden layers of 128, 15 epochs. The script
# saves the encodings (μ, log σ²) of a fixed validation subset (the 300 validation
# digits) after every epoch.

models = {
    "VAE": ["--model", "vae"],
    "FAE, F=4 per dim": ["--model", "fae", "--f-z", "4", "--fisher-scale", "per-dim"],
}
common = ["--dataset", "digits", "--latent", "8", "--hidden", "128", "--layers", "2",
          "--epochs", "15", "--seed", "0", "--no-progress"]
trajectories, elbo = {}, {}
with tempfile.TemporaryDirectory() as tmp:
    for name, args in models.items():
        run = Path(tmp) / args[1]
        with contextlib.redirect_stdout(io.StringIO()):  # one line per epoch: not shown
            train.main([*common, *args, "--run-dir", str(run)])
        metrics = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
        elbo[name] = [m["valid_elbo"] for m in metrics]
        cond, agg, epochs = [], [], []
        for f in sorted((run / "encodings").glob("epoch_*.npz")):
            z = np.load(f)
            res = posterior_fs(torch.from_numpy(z["mu"]).double(),
                               torch.from_numpy(z["logvar"]).double(), n_mc=4000, rng=0)
            cond.append(res.conditional)
            agg.append(res.aggregate)
            epochs.append(int(f.stem.split("_")[1]))
        trajectories[f"{name}: Z|X"] = ip.FSTrajectory(cond, epochs)
        trajectories[f"{name}: q(z)"] = ip.FSTrajectory(agg, epochs)
        print(f"{name}: validation ELBO {elbo[name][0]:.1f} -> {elbo[name][-1]:.1f} nats; "
              f"last epoch J(Z|X) = {cond[-1].fisher.value:.1f}, J(Z) = "
              f"{agg[-1].fisher.value:.1f}, I(X;Z) = {res.mi:.2f} nats")

# %%
# The plane (J against N; in d = 8 the Gaussian bound is J = 8/N). The conditional points
# sit on or just above the bound: each q(z|x) is Gaussian, and Z|X is exactly on it only
# when every variance σⱼ²(x) is the same. The aggregate q(z), a mixture of 300 Gaussians,
# lies further above. Colour: epoch.

fig, (ax, ax2) = plt.subplots(1, 2, figsize=(11, 4.8), width_ratios=[1.6, 1],
                              layout="constrained")
fs_plane(trajectories, ax=ax, curves=(1, 1.5), colorbar_label="epoch",
         title="Encoders on the FS plane during training")
for name, values in elbo.items():
    ax2.plot(range(1, len(values) + 1), values, "o-", ms=3, label=name)
ax2.set(xlabel="epoch", ylabel="validation ELBO (nats)", title="Training")
ax2.legend()
plt.show()
