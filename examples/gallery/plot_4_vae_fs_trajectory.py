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
root (``python examples/gallery/plot_4_vae_fs_trajectory.py``).
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
planes, elbo, mi = {}, {}, {}
with tempfile.TemporaryDirectory() as tmp:
    for name, args in models.items():
        run = Path(tmp) / args[1]
        with contextlib.redirect_stdout(io.StringIO()):  # one line per epoch: not shown
            train.main([*common, *args, "--run-dir", str(run)])
        metrics = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
        elbo[name] = [m["valid_elbo"] for m in metrics]
        cond, agg, epochs, mi[name] = [], [], [], []
        for f in sorted((run / "encodings").glob("epoch_*.npz")):
            z = np.load(f)
            res = posterior_fs(torch.from_numpy(z["mu"]).double(),
                               torch.from_numpy(z["logvar"]).double(), n_mc=4000, rng=0)
            cond.append(res.conditional)
            agg.append(res.aggregate)
            mi[name].append(res.mi)
            epochs.append(int(f.stem.split("_")[1]))
        planes[name] = {"Z|X": ip.FSTrajectory(cond, epochs),
                        "q(z)": ip.FSTrajectory(agg, epochs)}
        print(f"{name}: validation ELBO {elbo[name][0]:.1f} -> {elbo[name][-1]:.1f} nats\n"
              f"    last epoch: J(Z|X) = {cond[-1].fisher.value:.1f}, "
              f"J(Z) = {agg[-1].fisher.value:.1f}, I(X; Z) = {res.mi:.2f} nats")

# %%
# Top: each encoder on the plane (J against N; in d = 8 the Gaussian bound is J = 8/N),
# coloured by epoch. The conditional Z|X sits on or just above the bound: each q(z|x) is
# Gaussian, and Z|X is exactly on it only when every variance σⱼ²(x) is the same. The
# aggregate q(z) is a mixture of 300 Gaussians. In the first epochs both sit near the
# prior N(0, I) (N = 1, J = 8): the posteriors have collapsed onto the prior. Then they
# separate, and on the log-N axis their gap is exactly 2 I(X; Z)/d, since
# I(X; Z) = H(Z) − H(Z|X) = (d/2) log(N(Z)/N(Z|X)). Bottom: the validation ELBO and
# I(X; Z) per epoch.

fig = plt.figure(figsize=(10, 8.5), layout="constrained")
top, bottom = fig.subfigures(2, 1, height_ratios=[1.35, 1])
for ax, (name, trajs) in zip(top.subplots(1, 2), planes.items()):
    fs_plane(trajs, ax=ax, curves=(1, 1.5), colorbar=name == "VAE",
             colorbar_label="epoch", title=name)
    handles, labels = ax.get_legend_handles_labels()  # keep the bound; paths are labelled
    ax.legend([h for h, lab in zip(handles, labels) if "bound" in lab],
              [lab for lab in labels if "bound" in lab], loc="upper right", fontsize=8)
ax_elbo, ax_mi = bottom.subplots(1, 2)
for name in models:
    epochs = range(1, len(elbo[name]) + 1)
    ax_elbo.plot(epochs, elbo[name], "o-", ms=3, label=name)
    ax_mi.plot(epochs, mi[name], "o-", ms=3, label=name)
ax_elbo.set(xlabel="epoch", ylabel="validation ELBO (nats)")
ax_mi.set(xlabel="epoch", ylabel="I(X; Z) (nats)")
ax_elbo.legend()
plt.show()
