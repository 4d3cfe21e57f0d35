"""PNG figures from finished runs (paper Figs. 1-5).

    python -m examples.fae.figures --runs runs --out docs/figures
    python -m examples.fae.figures --runs runs --out /tmp/fig --only fig1

Only the figures that show images (all but fig1) load binarized MNIST. A figure is
skipped, with the reason, when none of its runs is there, when it needs MNIST and that is
not found, or when it exists and some of its runs are missing (drawing it again would
leave them out; ``--force`` does). A figure drawn for the first time without some of its
runs is written and the missing runs are named. Files are replaced atomically; the output
names every file written and every figure skipped, and the exit status is 1 when a figure
asked for was not written.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch

from .atomic import write_atomically, write_text_atomically
from .data import load_binarized_mnist
from .runs import SWEEP_F2, TABLE1_PAPER, TABLE2_PERDIM, read_metrics
from .train import build_model


class Skip(Exception):
    """A figure that is not drawn, with the reason."""


@dataclass
class Context:
    """Where a figure finds its runs and data and where it goes."""

    runs: Path
    out: Path
    plt: object
    results: Path
    data_dir: str | None = None
    force: bool = False
    _data: dict | None = field(default=None, repr=False)

    @property
    def data(self) -> dict:
        """Binarized MNIST, loaded on first use (:class:`Skip` when it is not found)."""
        if self._data is None:
            try:
                self._data = load_binarized_mnist(self.data_dir)
            except ValueError as exc:
                raise Skip(f"needs binarized MNIST: {exc}") from exc
        return self._data

    def runs_of(self, table, files=("selected.pt",), names=()):
        """The runs of `table` that have `files`; :class:`Skip` when there are none, or
        when some are missing and a file of `names` exists (unless ``force``).

        Returns the present (run, label) pairs and the names of the missing runs.
        """
        have = [(r, lab) for r, lab in table
                if all((self.runs / r / f).exists() for f in files)]
        if not have:
            raise Skip(f"no runs: none of {', '.join(r for r, _ in table)} under {self.runs} "
                       f"has {' and '.join(files)}")
        present = {r for r, _ in have}
        missing = [r for r, _ in table if r not in present]
        existing = [n for n in names if (self.out / n).exists()]
        if missing and existing and not self.force:
            raise Skip(f"{', '.join(existing)} exists and would lose {', '.join(missing)} "
                       f"(not under {self.runs} with {' and '.join(files)}); kept it "
                       "(--force draws it without them)")
        return have, missing

    def save(self, fig, name: str) -> Path:
        """Write `fig` to ``out/name`` atomically and close it."""
        self.out.mkdir(parents=True, exist_ok=True)
        path = self.out / name
        write_atomically(path, lambda tmp: fig.savefig(tmp, dpi=110, format=path.suffix[1:]))
        self.plt.close(fig)
        return path


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


def fig1(ctx: Context):
    """The models of Table 1 in the FS plane, and one training trajectory."""
    png = "fig1_fs_plane.png"
    have, missing = ctx.runs_of(TABLE1_PAPER, ("metrics.jsonl", "selected.pt"), [png])
    runs, plt = ctx.runs, ctx.plt
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.5))
    ax = axes[0]
    d = 40
    pts = []
    for r, lab in have:
        m = read_metrics(runs / r)
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
    tj_path = ctx.results / "trajectories.json"
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
        m = read_metrics(runs / have[0][0])
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
    return [(ctx.save(fig, png), missing)]


def _models(runs, have):
    return [(r, lab, _load(runs / r)[0]) for r, lab in have]


def _latent_panels(encs, y, rng, plt, embed, ylabel, title):
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
    return fig


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


def fig2(ctx: Context):
    """Table 1 models (latent 40): PCA of the posterior means."""
    png = "fig2_latent_spread.png"
    have, missing = ctx.runs_of(TABLE1_PAPER, names=[png])
    data = ctx.data
    encs, y, rng = _encode_test(_models(ctx.runs, have), data)
    fig = _latent_panels(encs, y, rng, ctx.plt, _pca2, "PCA of posterior means\n(colour: digit)",
                         "Latent codes as the Fisher information decreases (left to right)")
    return [(ctx.save(fig, png), missing)]


def fig2_sweep(ctx: Context):
    """The paper's Fig. 2 setting: latent 10, F from 0 to 20, t-SNE of the posterior means."""
    png, table = "fig2_d10_sweep.png", "fig2_d10_sweep.json"
    have, missing = ctx.runs_of(SWEEP_F2, names=[png, table])
    data = ctx.data
    from sklearn.manifold import TSNE
    have = _models(ctx.runs, have)
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
    fig = _latent_panels(encs, y, rng, ctx.plt, tsne,
                         "t-SNE of posterior means\n(colour: digit)",
                         "FAE, latent 10, F per dimension from 0 to 20; "
                         "models ordered by decreasing tr J(z|x)")
    path = ctx.save(fig, png)
    write_text_atomically(ctx.out / table, json.dumps(stats, indent=1))
    return [(path, missing), (ctx.out / table, missing)]


def fig3(ctx: Context):
    """Reconstructions of test images by FAE models with large and small F."""
    png = "fig3_reconstructions.png"
    pairs, missing = ctx.runs_of((("t1_fae_f20_perdim", "FAE F=20 per-dim (large F)"),
                                  ("t1_fae_f20_trace", "FAE F=20 trace"),
                                  ("t1_fae_f0", "FAE F=0 (small F)")), names=[png])
    data, runs, plt = ctx.data, ctx.runs, ctx.plt
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
    return [(ctx.save(fig, png), missing)]


def fig4(ctx: Context, span=3.0):
    """Latent traversals of the 10 dimensions with the largest KL."""
    png = "fig4_traversals.png"
    pairs, missing = ctx.runs_of((("t1_fae_f20_perdim", "FAE F=20 per-dim"),
                                  ("t1_fae_f0", "FAE F=0")), names=[png])
    data, runs, plt = ctx.data, ctx.runs, ctx.plt
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
    return [(ctx.save(fig, png), missing)]


def fig5(ctx: Context):
    """Reconstructions of balanced images by the reversed-MNIST FAE models."""
    png = "fig5_reversed_reconstructions.png"
    have, missing = ctx.runs_of(TABLE2_PERDIM, names=[png])
    data, runs, plt = ctx.data, ctx.runs, ctx.plt
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
    return [(ctx.save(fig, png), missing)]


FIGURES = {"fig1": fig1, "fig2": fig2, "fig2_sweep": fig2_sweep, "fig3": fig3, "fig4": fig4,
           "fig5": fig5}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description="Figures from finished runs.")
    p.add_argument("--runs", default="runs")
    p.add_argument("--out", default="docs/figures")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--results", default="docs/results", help="where trajectories.json is")
    p.add_argument("--only", nargs="+", choices=list(FIGURES), default=None,
                   help="e.g. fig1 fig3")
    p.add_argument("--force", action="store_true",
                   help="redraw an existing figure even when some of its runs are missing")
    a = p.parse_args(argv)
    runs = Path(a.runs)
    if not runs.is_dir():
        p.error(f"--runs {str(runs)!r} is not a directory")
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    torch.set_num_threads(1)
    ctx = Context(runs, Path(a.out), plt, Path(a.results), a.data_dir, a.force)
    failed = False
    for name in a.only or FIGURES:
        try:
            written = FIGURES[name](ctx)
        except Skip as exc:
            print(f"skipped {name}: {exc}", flush=True)
            failed = True
            continue
        for path, missing in written:
            print(f"wrote {path}" + (f" (without {', '.join(missing)}: not under {runs})"
                                     if missing else ""), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
