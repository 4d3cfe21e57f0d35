"""Training trajectories in the FS plane, aggregate posterior and I(X; Z), and whether a
model moves along an N·J = const curve.

    python -m examples.fae.trajectory --runs $INFOPLANE_RUNS          # the recipe queue
    python -m examples.fae.trajectory --runs /tmp/q --queue smoke --out /tmp/res \\
        --fig /tmp/fig --doc ''

For every VAE and FAE run of the queue, each saved ``encodings/epoch_XXXX.npz`` (μ and
log σ² of a fixed random 1000 validation images) gives, via
:func:`infoplane.vae.posterior_fs`, the aggregate posterior's tr J(Z) and entropy power
N(Z), the conditional point of Z|X, and I(X; Z) = H(Z) − H(Z|X) (of the empirical
1000-image mixture, so at most log 1000 ≈ 6.91 nats). The points go to
``trajectories_recipe.json`` (epochs already there are not recomputed, and none is ever
dropped), the figure to ``fig6_recipe_trajectories.png`` and a Markdown table to the
``nj_statement`` block of ``--doc``.

**The N·J = const test.** A trajectory along a curve N·J = c keeps log(N·J) fixed while
log N moves; one that crosses the curves moves log(N·J) as much as log N or more. For
each run and each of the aggregate and conditional points, over the saved epochs after
the KL warm-up (and over all saved epochs), the table gives the standard deviation of
log N, that of log(N·J/d), their ratio, and the least-squares slope of log J on log N
(−1 along the curves). The run is said to move along an N·J = const curve when the ratio
is at most :data:`ALONG` (log N·J varies at most a quarter as much as log N), and to cross
the curves otherwise; the numbers are printed either way.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path

import numpy as np

from .atomic import write_atomically

__all__ = ["fs_points", "collect_points", "nj_stats", "statement", "statement_lines", "draw",
           "queue_runs"]

#: largest sd(log NJ) / sd(log N) still called "along an N·J = const curve"
ALONG = 0.25
#: N·J/d below this all along: the trajectory hugs the Stam bound N·J/d = 1, on which every
#: isotropic Gaussian lies, so "along a curve" says nothing about the model
NEAR_STAM = 1.1
N_MC = 2000
JSON_NAME, PNG_NAME, BLOCK = "trajectories_recipe.json", "fig6_recipe_trajectories.png", \
    "nj_statement"


# ----------------------------------------------------------------------------- points
def fs_points(enc_file: Path, n_mc: int = N_MC) -> dict:
    """Aggregate and conditional FS points and I(X; Z) of one saved encodings file."""
    import torch
    from infoplane.vae import posterior_fs
    with np.load(enc_file) as d:
        mu = torch.as_tensor(d["mu"], dtype=torch.float64)
        lv = torch.as_tensor(d["logvar"], dtype=torch.float64)
    pf = posterior_fs(mu, lv, n_mc=n_mc, rng=0)
    return {"epoch": int(enc_file.stem.split("_")[1]), **pf.to_dict()}


def collect_points(runs: Path, names, old: dict, n_mc: int = N_MC, log=None) -> dict:
    """{run: {"label", "kl_warmup", "n_data", "points": [...]}} merging `old` (kept as it
    is) with the epochs of `names` not in it yet."""
    from .qtables import describe, setting_label
    out = {k: dict(v, points=list(v["points"])) for k, v in old.items()}
    for name in names:
        run = runs / name
        files = sorted((run / "encodings").glob("epoch_*.npz"))
        if not files or not (run / "config.json").exists():
            continue
        cfg = json.loads((run / "config.json").read_text())
        entry = out.setdefault(name, {"points": []})
        entry.update(label=f"{setting_label(describe(cfg))}, seed {cfg['seed']}",
                     model=cfg["model"], kl_warmup=float(cfg.get("kl_warmup") or 0.0),
                     n_mc=n_mc)
        have = {p["epoch"] for p in entry["points"]}
        new = [fs_points(f, n_mc) for f in files if int(f.stem.split("_")[1]) not in have]
        entry["points"] = sorted(entry["points"] + new, key=lambda p: p["epoch"])
        entry["n_data"] = int(entry["points"][-1]["n_data"])
        entry["dim"] = int(entry["points"][-1]["dim"])
        if log is not None:
            print(f"{name}: {len(new)} new epochs, {len(entry['points'])} in all", file=log,
                  flush=True)
    return out


# ----------------------------------------------------------------------------- statement
def nj_stats(n, j, d: int) -> dict | None:
    """Spread of log N and of log(N·J/d) along a trajectory, their ratio and the slope of
    log J on log N; None with fewer than three points or no spread in N."""
    n, j = np.asarray(n, dtype=np.float64), np.asarray(j, dtype=np.float64)
    ok = np.isfinite(n) & np.isfinite(j) & (n > 0) & (j > 0)
    n, j = n[ok], j[ok]
    if len(n) < 3:
        return None
    x, y = np.log(n), np.log(j)
    p = x + y - math.log(d)
    sx, sp = float(x.std(ddof=1)), float(p.std(ddof=1))
    if sx == 0:
        return None
    slope = float(np.polyfit(x, y, 1)[0])
    return {"n_points": int(len(n)), "sd_log_N": sx, "sd_log_NJ": sp, "ratio": sp / sx,
            "slope_logJ_on_logN": slope, "range_log_N": float(x.max() - x.min()),
            "range_log_NJ": float(p.max() - p.min()),
            "NJ_over_d_first": float(math.exp(p[0])), "NJ_over_d_last": float(math.exp(p[-1])),
            "N_first": float(n[0]), "N_last": float(n[-1]),
            "NJ_over_d_max": float(math.exp(p.max())),
            "along": bool(sp / sx <= ALONG), "near_stam_bound": bool(p.max() < math.log(NEAR_STAM))}


def statement(traj: dict) -> dict:
    """Per run, aggregate and conditional: :func:`nj_stats` after the warm-up and over all
    saved epochs, the last I(X; Z) and its cap log M."""
    out = {}
    for name, t in traj.items():
        pts, d = t["points"], t["dim"]
        res = {"label": t["label"], "model": t["model"], "n_data": t["n_data"],
               "mi_last": pts[-1]["mutual_information"] if pts else None,
               "mi_cap_log_M": math.log(t["n_data"]),
               "epochs": [pts[0]["epoch"], pts[-1]["epoch"]] if pts else None}
        for part in ("aggregate", "conditional"):
            for span, sel in (("after_warmup", [p for p in pts if p["epoch"] > t["kl_warmup"]]),
                              ("all", pts)):
                res[f"{part}_{span}"] = nj_stats([p[f"{part}_entropy_power"] for p in sel],
                                                 [p[f"{part}_fisher"] for p in sel], d)
        out[name] = res
    return out


def statement_lines(stm: dict, figure: str | None = None) -> list[str]:
    """Markdown: the figure (a path relative to the document), one row per run and kind
    of point (after the warm-up), then a sentence per run."""
    head = ["run", "model", "point", "epochs", "sd log N", "sd log(N·J/d)", "ratio",
            "slope of log J on log N", "N·J/d first → last", "I(X;Z) last (cap)", "verdict"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    sentences = []
    for name, r in stm.items():
        for part in ("aggregate", "conditional"):
            s = r[f"{part}_after_warmup"]
            if s is None:
                out.append(f"| {name} | {r['label']} | {part} | — | | | | | | | too few "
                           "epochs after the warm-up |")
                continue
            verdict = "along N·J = const" if s["along"] else "crosses the N·J = const curves"
            if s["near_stam_bound"]:
                verdict += f" (N·J/d < {NEAR_STAM:g}: on the Stam bound)"
            mi = (f"{r['mi_last']:.2f} ({r['mi_cap_log_M']:.2f})" if part == "aggregate"
                  else "")
            out.append(f"| {name} | {r['label']} | {part} | {s['n_points']} saved "
                       f"| {s['sd_log_N']:.3f} | {s['sd_log_NJ']:.3f} | {s['ratio']:.2f} "
                       f"| {s['slope_logJ_on_logN']:.2f} | {s['NJ_over_d_first']:.3g} → "
                       f"{s['NJ_over_d_last']:.3g} | {mi} | {verdict} |")
        s = r["aggregate_after_warmup"]
        if s is not None:
            capped = (r["mi_last"] is not None and r["mi_last"] > r["mi_cap_log_M"] - 0.1)
            sentences.append(
                f"* {r['label']} (`{name}`): after the warm-up the aggregate N goes from "
                f"{s['N_first']:.3g} to {s['N_last']:.3g} and N·J/d from "
                f"{s['NJ_over_d_first']:.3g} to {s['NJ_over_d_last']:.3g}; log(N·J) spreads "
                f"{s['ratio']:.2f} times as much as log N (slope of log J on log N "
                f"{s['slope_logJ_on_logN']:.2f}; −1 along the curves), so it "
                + ("moves along an N·J = const curve" if s["along"] else
                   "crosses the N·J = const curves rather than moving along one")
                + (f", but N·J/d stays below {NEAR_STAM:g}: it sits on the Stam bound, where "
                   "every isotropic Gaussian lies, so this says little." if s["near_stam_bound"]
                   else ".")
                + (f" I(X; Z) = {r['mi_last']:.2f} is at its cap log M = "
                   f"{r['mi_cap_log_M']:.2f}: the {r.get('n_data', 'M')} posteriors barely "
                   "overlap, so the aggregate point follows the conditional one and says "
                   "little about the population q(z)." if capped else ""))
    rule = (f"Rule: along a curve when sd log(N·J/d) ≤ {ALONG} · sd log N over the saved "
            "epochs after the KL warm-up. Aggregate points are of the mixture of the 1000 "
            "saved validation encodings (`infoplane.vae.posterior_fs`, Monte Carlo), "
            "conditional ones closed form; I(X; Z) of that mixture is at most log 1000.")
    fig = [f"![FS trajectories of the recipe runs]({figure})", ""] if figure else []
    return fig + out + ["", rule, ""] + sentences


# ----------------------------------------------------------------------------- figure
def draw(traj: dict, stm: dict, path: Path) -> Path:
    """Aggregate FS-plane trajectories, I(X; Z) and N·J/d over training, in three panels."""
    import matplotlib
    import matplotlib.ticker
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 3, figsize=(16, 4.8))
    for i, (name, t) in enumerate(traj.items()):
        pts, d = t["points"], t["dim"]
        ep = np.array([p["epoch"] for p in pts])
        n = np.array([p["aggregate_entropy_power"] for p in pts])
        j = np.array([p["aggregate_fisher"] for p in pts])
        col = f"C{i % 10}"
        ls = "-" if t["model"] == "vae" else "--"
        mk = "osD^v<>"[i % 7]          # runs that overlap stay apart by marker and line
        axes[0].scatter(n, j, c=ep, cmap="viridis", s=16, marker=mk, edgecolors=col,
                        linewidths=0.6, zorder=3)
        axes[0].plot(n, j, ls, color=col, lw=1.4, marker=mk, ms=4, mfc="none", mec=col,
                     mew=0.6, zorder=4, label=t["label"])
        axes[0].scatter(n[-1:], j[-1:], marker="*", s=90, color=col, zorder=5)
        axes[1].plot(ep, [p["mutual_information"] for p in pts], ls, color=col, lw=1,
                     label=t["label"])
        axes[2].plot(ep, n * j / d, ls, color=col, lw=1, label=f"{t['label']}, aggregate")
        axes[2].plot(ep, [p["conditional_entropy_power"] * p["conditional_fisher"] / d
                          for p in pts], ":", color=col, lw=1)
    if traj:
        ax = axes[0]
        ax.set(xscale="log", yscale="log")
        lo, hi = ax.get_xlim()
        ylim = ax.get_ylim()
        xs = np.geomspace(lo, hi, 100)
        d = next(iter(traj.values()))["dim"]
        ends = [s["aggregate_after_warmup"] for s in stm.values()
                if s["aggregate_after_warmup"] is not None]
        for c in sorted({1.0, *[round(e["NJ_over_d_last"], 2) for e in ends]}):
            ax.plot(xs, c * d / xs, "k--" if c == 1 else "k:", lw=0.7)
        ax.set_xlim(lo, hi)
        ax.set_ylim(*ylim)
        cap = math.log(next(iter(traj.values()))["n_data"])
        axes[1].axhline(cap, color="k", lw=0.7, ls=":")
        axes[1].annotate(f"log M = {cap:.2f}", (axes[1].get_xlim()[0], cap), fontsize=7,
                         va="bottom")
    axes[0].set(xscale="log", yscale="log", xlabel="entropy power N(Z) (aggregate)",
                ylabel="tr J(Z) (aggregate)")
    for ax in (axes[0].xaxis, axes[0].yaxis, axes[2].yaxis):
        ax.set_minor_formatter(matplotlib.ticker.NullFormatter())
    axes[0].set_title("Aggregate posterior in the FS plane (colour: epoch; ★ last;\n"
                      "dotted: N·J/d = const through the end points, dashed: Stam bound)",
                      fontsize=9)
    axes[1].set(xlabel="epoch", ylabel="I(X; Z) (nats)")
    axes[1].set_title("Mutual information of the 1000-image mixture", fontsize=9)
    axes[2].set(xlabel="epoch", ylabel="N·J/d", yscale="log")
    axes[2].set_title("N·J/d over training (solid/dashed: aggregate; dotted: conditional)",
                      fontsize=9)
    for ax in axes[:2]:
        ax.legend(fontsize=6)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, lambda tmp: fig.savefig(tmp, dpi=110, format="png"))
    plt.close(fig)
    return path


# ----------------------------------------------------------------------------- main
def queue_runs(queue: str, models=("vae", "fae")) -> list[str]:
    """Names of the runs of `queue` whose model is one of `models`."""
    from .qtables import job_config
    from .queue import QUEUES
    return [j.name for j in QUEUES[queue] if job_config(j)["model"] in models]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", default="runs")
    p.add_argument("--queue", default="recipe", help="queue whose VAE and FAE runs are read")
    p.add_argument("--names", nargs="+", default=None,
                   help="read these run directories instead of the queue's")
    p.add_argument("--out", default="docs/results")
    p.add_argument("--fig", default="docs/figures")
    p.add_argument("--doc", default="docs/RESULTS.md",
                   help=f"Markdown file whose <!-- {BLOCK}:start/end --> block is refreshed "
                        "('' for none)")
    p.add_argument("--n-mc", type=int, default=N_MC)
    a = p.parse_args(argv)
    from .collect import _update_doc, put_json
    from .queue import QUEUES
    runs, out = Path(a.runs), Path(a.out)
    if not runs.is_dir():
        p.error(f"--runs {str(runs)!r} is not a directory")
    if a.queue not in QUEUES:
        p.error(f"--queue must be one of {sorted(QUEUES)}; got {a.queue!r}")
    path = out / JSON_NAME
    old = json.loads(path.read_text())["trajectories"] if path.exists() else {}
    names = a.names or queue_runs(a.queue)
    traj = collect_points(runs, names, old, a.n_mc, log=sys.stdout)
    stm = statement(traj)
    data = {"trajectories": traj, "statement": stm, "rule": {"along_if_ratio_at_most": ALONG}}
    ok, line = put_json(path, data, lambda d: {(n, q["epoch"]): q for n, t in
                                               d["trajectories"].items() for q in t["points"]},
                        f"saved encodings of {', '.join(names)}", runs,
                        force=False)
    print(line)
    if not ok:
        return 1
    png = draw(traj, stm, Path(a.fig) / PNG_NAME)
    print(f"wrote {png}")
    doc = Path(a.doc) if a.doc else None
    rel = (Path(os.path.relpath(png.resolve(), doc.resolve().parent)).as_posix()
           if doc is not None else None)
    lines = statement_lines(stm, rel)
    print("\n".join(lines))
    if doc is not None:
        if not doc.is_file():
            print(f"skipped {doc}: no such file")
            return 1
        done, missing, changed = _update_doc(doc, {BLOCK: lines})
        if missing:
            print(f"skipped the {BLOCK} block of {doc}: no <!-- {BLOCK}:start --> and "
                  f"<!-- {BLOCK}:end --> markers")
            return 1
        print(f"{'wrote' if changed else 'unchanged'} {doc} (block {BLOCK})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
