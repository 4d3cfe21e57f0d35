"""PNG figures from finished runs (paper Figs. 1-5).

    python -m examples.fae.figures --runs runs --out docs/figures

Each figure is skipped (with a message) when the runs it needs are missing.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

import numpy as np
import torch

from .data import load_binarized_mnist
from .train import build_model

T1 = [("t1_vae", "VAE"), ("t1_mae_m10", "MAE M=10"), ("t1_mae_m0", "MAE M=0"),
      ("t1_fae_f20_trace", "FAE F=20 (trace)"), ("t1_fae_f20_perdim", "FAE F=20 (per-dim)"),
      ("t1_fae_f0", "FAE F=0")]
F2 = [(f"f2_d10_f{f}", f"FAE F={f} (per-dim: target tr J={10 * f})") for f in (20, 5, 2, 0)]
T2 = [("t2_fae_f20_perdim", "F=20"), ("t2_fae_f10_perdim", "F=10"),
      ("t2_fae_f5_perdim", "F=5"), ("t2_fae_f0.1_perdim", "F=0.1")]


def _metrics(run: Path):
    return [json.loads(ln) for ln in (run / "metrics.jsonl").read_text().splitlines() if ln]


def _load(run: Path):
    ck = torch.load(run / "selected.pt", map_location="cpu", weights_only=False)
    model, _ = build_model(ck["config"], 784)
    model.load_state_dict(ck["model"])
    return model.eval(), ck


def _grid(ax, imgs, ncol, title=None):
    n = len(imgs)
    nrow = math.ceil(n / ncol)
    canvas = np.ones((nrow * 29, ncol * 29))
    for i, im in enumerate(imgs):
        r, c = divmod(i, ncol)
        canvas[r * 29:r * 29 + 28, c * 29:c * 29 + 28] = im.reshape(28, 28)
    ax.imshow(canvas, cmap="gray_r", vmin=0, vmax=1)
    ax.set_xticks([]), ax.set_yticks([])
    if title:
        ax.set_title(title, fontsize=9)


def fig1(runs: Path, out: Path, plt, results="docs/results"):
    have = [(r, lab) for r, lab in T1 if (runs / r / "metrics.jsonl").exists()]
    if not have:
        return print("fig1: no Table 1 runs")
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    ax = axes[0]
    d = 40
    pts = []
    for r, lab in have:
        m = _metrics(runs / r)
        ck = torch.load(runs / r / "selected.pt", map_location="cpu", weights_only=False)
        row = next(x for x in m if x["epoch"] == ck["epoch"])
        n, j = row["fs"]["entropy_power"], row["fs"]["fisher"]
        pts.append((n, j))
        ax.scatter(n, j, s=40, label=f"{lab}: N·J/d={n * j / d:.2f}")
    ns = np.array([p[0] for p in pts])
    xs = np.geomspace(ns.min() / 3, ns.max() * 3, 200)
    levels = []
    for k in sorted({1.0, *[p[0] * p[1] / d for p in pts]}):
        if not levels or k > levels[-1] * 1.25:   # skip curves too close to draw apart
            levels.append(k)
    for k in levels:
        ax.plot(xs, k * d / xs, lw=0.8, ls="--" if k == 1 else ":", color="k")
        ax.annotate(f"NJ/d={k:.3g}", (xs[-1], k * d / xs[-1]), fontsize=7)
    ax.set_xscale("log"), ax.set_yscale("log")
    ax.xaxis.set_minor_formatter(plt.NullFormatter())
    ax.set_xlabel("entropy power N(z|x) (conditional, closed form)")
    ax.set_ylabel("Fisher information tr J(z|x)")
    ax.set_title("Models in the FS plane (dashed: Stam bound NJ/d = 1)", fontsize=9)
    ax.legend(fontsize=7)
    ax = axes[1]
    tj_path = Path(results) / "trajectories.json"
    tj = json.loads(tj_path.read_text()) if tj_path.exists() else {}
    name = "t1_vae" if "t1_vae" in tj else next(iter(tj), None)
    if name is not None:
        pts = tj[name]["points"]
        ep = np.array([q["epoch"] for q in pts])
        for kind, marker in (("conditional", "o"), ("aggregate", "^")):
            n = np.array([q[f"{kind}_entropy_power"] for q in pts])
            j = np.array([q[f"{kind}_fisher"] for q in pts])
            ax.plot(n, j, color="0.7", lw=0.6, zorder=0)
            sc = ax.scatter(n, j, c=ep, cmap="viridis", s=22, marker=marker,
                            label={"conditional": "conditional q(z|x)",
                                   "aggregate": "aggregate q(z) (1000 valid images)"}[kind])
        title = f"Training trajectory of {tj[name]['label']} (posterior_fs)"
    else:  # closed-form conditional points logged during training
        m = _metrics(runs / have[0][0])
        n = np.array([x["fs"]["entropy_power"] for x in m])
        j = np.array([x["fs"]["fisher"] for x in m])
        ep = np.array([x["epoch"] for x in m])
        sc = ax.scatter(n, j, c=ep, cmap="viridis", s=18, label="conditional")
        title = f"Training trajectory of {have[0][1]}"
    lo, hi = ax.get_xlim()
    xs = np.geomspace(max(lo, 1e-3), hi, 100)
    ax.plot(xs, d / xs, "k--", lw=0.8, label="NJ/d = 1")
    ax.set_xscale("log"), ax.set_yscale("log")
    ax.set_xlabel("entropy power N"), ax.set_ylabel("tr J")
    ax.set_title(title, fontsize=9)
    fig.colorbar(sc, ax=ax, label="epoch")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(out / "fig1_fs_plane.png", dpi=110)
    plt.close(fig)


def _order_by_fisher(runs, table):
    out = []
    for r, lab in table:
        if (runs / r / "selected.pt").exists():
            model, ck = _load(runs / r)
            out.append((r, lab, model))
    return out


def _latent_panels(encs, y, rng, plt, embed, ylabel, title, path):
    """Top row: 2-D embedding of posterior means; bottom row: spread of q(z|x)."""
    encs = sorted(encs, key=lambda e: -np.exp(-e[2]).sum(1).mean())  # large J (left) -> small
    fig, axes = plt.subplots(2, len(encs), figsize=(2.6 * len(encs), 5.2), squeeze=False)
    hist_max = max(float(np.sqrt(np.exp(lv).sum(1)).max()) for _, _, lv in encs) * 1.6
    for i, (lab, mu, lv) in enumerate(encs):
        e = embed(mu)
        ax = axes[0, i]
        ax.scatter(e[:, 0], e[:, 1], c=y, cmap="tab10", s=3)
        ax.set_title(f"{lab}\ntr J(z|x)={np.exp(-lv).sum(1).mean():.3g}", fontsize=8)
        ax.set_xticks([]), ax.set_yticks([])
        # spread of q(z|x) itself: 20 draws for each of 200 images, distance to μ(x)
        sd = np.exp(0.5 * lv[:200])
        z = mu[:200] + sd * rng.standard_normal((20,) + sd.shape)
        norms = np.linalg.norm(z - mu[:200], axis=-1).ravel()
        axes[1, i].hist(norms, bins=40, color="C0", range=(0, hist_max))
        axes[1, i].set_xlabel("||z - μ(x)||, z ~ q(z|x)", fontsize=7)
    axes[0, 0].set_ylabel(ylabel, fontsize=8)
    fig.suptitle(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _encode_test(have, data, n=1000, seed=0):
    rng = np.random.default_rng(seed)
    idx = rng.choice(len(data["x_test"]), n, replace=False)
    x = torch.as_tensor(data["x_test"][idx], dtype=torch.float32)
    encs = []
    with torch.no_grad():
        for _, lab, model in have:
            mu, lv = model.encode(x)
            encs.append((lab, mu.numpy(), lv.numpy()))
    return encs, data["y_test"][idx], rng


def _pca2(mu):
    c = mu - mu.mean(0)
    return c @ np.linalg.svd(c, full_matrices=False)[2][:2].T


def fig2(runs: Path, out: Path, plt, data):
    """Table 1 models (latent 40): PCA of the posterior means."""
    have = _order_by_fisher(runs, T1)
    if not have:
        return print("fig2: no runs")
    encs, y, rng = _encode_test(have, data)
    _latent_panels(encs, y, rng, plt, _pca2, "PCA of posterior means\n(colour: digit)",
                   "Latent codes as the Fisher information decreases (left to right)",
                   out / "fig2_latent_spread.png")


def fig2_sweep(runs: Path, out: Path, plt, data):
    """The paper's Fig. 2 setting: latent 10, F from 0 to 20, t-SNE of the posterior means."""
    have = _order_by_fisher(runs, F2)
    if not have:
        return print("fig2_sweep: no runs/f2_d10_f* runs")
    from sklearn.manifold import TSNE
    encs, y, rng = _encode_test(have, data)

    def tsne(mu):
        return TSNE(2, init="pca", perplexity=30, random_state=0).fit_transform(mu)

    stats = []   # the numbers quoted next to the figure, on the whole test set
    x = torch.as_tensor(data["x_test"], dtype=torch.float32)
    from infoplane.vae import active_units
    with torch.no_grad():
        for r, lab, model in have:
            mu, lv = model.encode(x)
            stats.append({"run": r, "label": lab, "active_units": active_units(mu),
                          "trace_fisher": float(torch.exp(-lv).sum(1).mean()),
                          "mean_sq_spread": float(torch.exp(lv).sum(1).mean()),
                          "mean_var_per_unit_sorted": sorted(
                              round(float(v), 4) for v in torch.exp(lv).mean(0))})
    (out / "fig2_d10_sweep.json").write_text(json.dumps(stats, indent=1))
    _latent_panels(encs, y, rng, plt, tsne, "t-SNE of posterior means\n(colour: digit)",
                   "FAE, latent 10, F per dimension from 0 to 20; "
                   "models ordered by decreasing tr J(z|x)",
                   out / "fig2_d10_sweep.png")


def fig3(runs: Path, out: Path, plt, data):
    pairs = [(r, lab) for r, lab in (("t1_fae_f20_perdim", "FAE F=20 per-dim (large F)"),
                                     ("t1_fae_f20_trace", "FAE F=20 trace"),
                                     ("t1_fae_f0", "FAE F=0 (small F)"))
             if (runs / r / "selected.pt").exists()]
    if not pairs:
        return print("fig3: no runs")
    idx = np.random.default_rng(1).choice(10000, 30, replace=False)
    x = torch.as_tensor(data["x_test"][idx], dtype=torch.float32)
    fig, axes = plt.subplots(1, 1 + len(pairs), figsize=(3.2 * (1 + len(pairs)), 3.4))
    _grid(axes[0], x.numpy(), 6, "test images")
    with torch.no_grad():
        for ax, (r, lab) in zip(axes[1:], pairs):
            model, _ = _load(runs / r)
            rec = model.decode_mean(model.encode(x)[0]).numpy()
            _grid(ax, rec, 6, f"{lab}\n(decoder mean at z = μ(x))")
    fig.tight_layout()
    fig.savefig(out / "fig3_reconstructions.png", dpi=110)
    plt.close(fig)


def fig4(runs: Path, out: Path, plt, data, span=3.0):
    pairs = [(r, lab) for r, lab in (("t1_fae_f20_perdim", "FAE F=20 per-dim"),
                                     ("t1_fae_f0", "FAE F=0"))
             if (runs / r / "selected.pt").exists()]
    if not pairs:
        return print("fig4: no runs")
    x0 = torch.as_tensor(data["x_test"][[7]], dtype=torch.float32)
    xv = torch.as_tensor(data["x_valid"][:2000], dtype=torch.float32)
    fig, axes = plt.subplots(1, len(pairs), figsize=(5 * len(pairs), 5.6))
    axes = np.atleast_1d(axes)
    vals = np.linspace(-span, span, 9)
    with torch.no_grad():
        for ax, (r, lab) in zip(axes, pairs):
            model, _ = _load(runs / r)
            mu_v, lv_v = model.encode(xv)
            kl = 0.5 * (mu_v ** 2 + lv_v.exp() - 1 - lv_v).mean(0)
            dims = torch.argsort(kl, descending=True)[:10]
            base = model.encode(x0)[0][0]
            imgs = []
            for dim in dims:
                for v in vals:
                    z = base.clone()
                    z[dim] = float(v)
                    imgs.append(model.decode_mean(z[None])[0].numpy())
            _grid(ax, np.array(imgs), len(vals),
                  f"{lab}: 10 dims with largest KL,\nvalue {-span:g}..{span:g}")
    fig.tight_layout()
    fig.savefig(out / "fig4_traversals.png", dpi=110)
    plt.close(fig)


def fig5(runs: Path, out: Path, plt, data):
    have = [(r, lab) for r, lab in T2 if (runs / r / "selected.pt").exists()]
    if not have:
        return print("fig5: no reversed-MNIST runs")
    idx = np.random.default_rng(2).choice(10000, 12, replace=False)
    x = torch.as_tensor(data["x_valid"][idx], dtype=torch.float32)
    fig, axes = plt.subplots(1 + len(have), 1, figsize=(7, 1.0 * (1 + len(have)) + 0.5))
    _grid(axes[0], x.numpy(), 12, "balanced validation images")
    with torch.no_grad():
        for ax, (r, lab) in zip(axes[1:], have):
            model, _ = _load(runs / r)
            _grid(ax, model.decode_mean(model.encode(x)[0]).numpy(), 12,
                  f"reversed-MNIST FAE {lab} (per-dim)")
    fig.tight_layout()
    fig.savefig(out / "fig5_reversed_reconstructions.png", dpi=110)
    plt.close(fig)


def main(argv=None):
    p = argparse.ArgumentParser(description="Figures from finished runs.")
    p.add_argument("--runs", default="runs")
    p.add_argument("--out", default="docs/figures")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--results", default="docs/results", help="where trajectories.json is")
    p.add_argument("--only", nargs="*", default=None, help="e.g. fig1 fig3")
    a = p.parse_args(argv)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    torch.set_num_threads(1)
    runs, out = Path(a.runs), Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    data = load_binarized_mnist(a.data_dir)
    todo = a.only or ["fig1", "fig2", "fig2_sweep", "fig3", "fig4", "fig5"]
    for name in todo:
        fn = globals()[name]
        fn(runs, out, plt, a.results) if name == "fig1" else fn(runs, out, plt, data)
        print("wrote", name)


if __name__ == "__main__":
    main()
