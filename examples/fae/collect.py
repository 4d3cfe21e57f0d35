"""Collect finished runs into small JSON results and Markdown tables for docs/RESULTS.md.

    python -m examples.fae.collect --runs runs --out docs/results

Writes ``table1.json``, ``table2.json``, ``table1_long.json``, ``table1_final.json`` (one row
per run: NLLs with standard errors, epochs, selected epoch, wall times, FS point) and
``tables.md`` (the tables as Markdown).
With ``--trajectories`` it also computes the conditional and aggregate FS trajectories
from the saved per-epoch encodings with :func:`infoplane.vae.posterior_fs` and writes
``trajectories.json``.
"""

from __future__ import annotations

import argparse
import json
from math import nan
from pathlib import Path

T1 = [("t1_vae", "VAE", 85.56), ("t1_mae_m10", "MAE M=10", 80.86),
      ("t1_mae_m0", "MAE M=0", 81.58), ("t1_fae_f20_trace", "FAE F=20 (trace)", 79.30),
      ("t1_fae_f20_perdim", "FAE F=20 (per-dim)", 79.30), ("t1_fae_f0", "FAE F=0", 83.24),
      ("t1_fae_f100_perdim", "FAE F=100 (per-dim)", None),
      ("t1_fae_f20_trace_l0.01", "FAE F=20 (trace), λ_z=0.01", None)]
# longer continuations of two Table 1 runs (copies of runs/t1x_*), evaluated at their largest K
T1Y = [("t1y_vae", "VAE"), ("t1y_fae_f20_perdim", "FAE F=20 (per-dim)")]
# the same two models, every seed: seed 0 is runs/t1y_<name>, seed s > 0 is runs/s<s>_<name>;
# each evaluated on all 10 000 test images into runs/<run>/fulltest (reproduce.sh queue10/11)
FINAL = [("vae", "VAE"), ("fae_f20_perdim", "FAE F=20 (per-dim)")]
# paper Table 2: (train NLL, test NLL)
T2 = {"20": (94.48, 164.56), "10": (95.12, 134.94), "5": (95.89, 109.19), "0.1": (96.67, 108.37)}


CONFIG_KEYS = ("model", "dataset", "latent", "hidden", "layers", "activation", "lr",
               "batch_size", "seed", "lambda_z", "f_z", "fisher_scale", "c", "m", "select",
               "epochs", "max_steps")


def _metrics(run):
    return [json.loads(ln) for ln in (run / "metrics.jsonl").read_text().splitlines() if ln]


def run_row(run: Path, label: str, k: int | None = None):
    """One table row; `k` None picks the evaluation with the largest K in the run."""
    evs = sorted(run.glob("eval_k*.json"), key=lambda f: int(f.stem[6:]))
    ev = run / f"eval_k{k}.json" if k is not None else (evs[-1] if evs else run / "eval.json")
    if not (run / "metrics.jsonl").exists():
        return None
    m = _metrics(run)
    cfg = json.loads((run / "config.json").read_text())
    row = {"run": run.name, "label": label, "epochs_trained": m[-1]["epoch"],
           "steps": m[-1]["step"], "train_wall_s": round(sum(r["epoch_s"] for r in m), 1),
           "config": {k_: cfg[k_] for k_ in CONFIG_KEYS}}
    if ev.exists():
        e = json.loads(ev.read_text())
        sel = next((r for r in m if r["epoch"] == e["epoch"]), m[-1])
        row.update({"selected_epoch": e["epoch"], "k": e["k"],
                    "test_nll": e.get("test_nll"), "train_nll": e.get("train_nll"),
                    "valid_elbo_selected": sel["valid_elbo"], "train_elbo_selected":
                    sel["train_elbo"], "fs_selected": sel["fs"]})
    else:
        row["status"] = f"no {ev.name} (training unfinished or not evaluated)"
    return row


def _fmt(v):
    return "—" if v is None else f"{v['mean']:.2f} ± {v['se']:.2f}"


def _tail(r):
    fs = r.get("fs_selected", {})
    return (f"| {fs.get('fisher', nan):.3g} | {fs.get('entropy_power', nan):.3g} "
            f"| {r['train_wall_s']:.0f} |")


PAIRS = [("t1x_fae_f20_perdim", "t1x_vae"), ("t1y_fae_f20_perdim", "t1y_vae"),
         ("t1_mae_m10", "t1_mae_m0"),
         ("t2_fae_f0.1_perdim", "t2_fae_f20_perdim"), ("t2_fae_f5_perdim", "t2_fae_f20_perdim")]


def paired(runs: Path):
    """Paired test-NLL differences (same images, per-image NLLs saved by evaluate)."""
    import numpy as np
    out = []
    for a, b in PAIRS:
        fa = sorted((runs / a).glob("nll_test_k*.npy"))
        fb = sorted((runs / b).glob("nll_test_k*.npy"))
        if not fa or not fb or fa[-1].name != fb[-1].name:
            continue
        d = np.load(fa[-1]) - np.load(fb[-1])
        out.append({"a": a, "b": b, "file": fa[-1].name, "mean_a_minus_b": float(d.mean()),
                    "se": float(d.std(ddof=1) / np.sqrt(len(d))), "n_images": len(d)})
    return out


def _fulltest_eval(run: Path, k: int | None):
    """The run's whole-test-set evaluation at K = `k` (None: the largest K present)."""
    evs = sorted((run / "fulltest").glob("eval_k*.json"), key=lambda f: int(f.stem[6:]))
    if k is not None:
        evs = [f for f in evs if f.stem == f"eval_k{k}"]
    return evs[-1] if evs else None


def _seed_runs(runs: Path, name: str, variant: str | None, k: int | None):
    # variant None: seed 0 is runs/t1y_<name>, seed s runs/s<s>_<name>;
    # variant "w10": seed 0 is runs/w10_<name>, seed s runs/w10s<s>_<name>
    first, prefix = (f"t1y_{name}", "s") if variant is None else (f"{variant}_{name}",
                                                                  f"{variant}s")
    found = [(0, runs / first)] + sorted(
        (int(r.name.split("_", 1)[0][len(prefix):]), r)
        for r in runs.glob(f"{prefix}*_{name}")
        if r.name.split("_", 1)[0][len(prefix):].isdigit())
    return [(s, r, ev) for s, r in found if (ev := _fulltest_eval(r, k)) is not None]


def active_units(run: Path, threshold: float = 0.01):
    """Active latent units (Burda et al. 2016) of the selected model on the test images."""
    import torch
    from infoplane.vae import active_units as au
    from .train import build_from_checkpoint
    model, data, _, _ = build_from_checkpoint(run / "selected.pt")
    with torch.no_grad():
        mu, _ = model.encode(torch.as_tensor(data["x_test"], dtype=torch.float32))
    return au(mu, threshold)


def final_table(runs: Path, k: int | None = 5000, variant: str | None = None):
    """Test NLL on the whole test set, per seed, and the paired FAE − VAE difference.

    `variant` None: seed 0 is runs/t1y_<name>, seed s > 0 runs/s<s>_<name>; a variant such
    as "w10": runs/w10_<name> and runs/w10s<s>_<name>. `k` None takes each run's largest K.
    """
    import numpy as np
    rows, nll = [], {}
    for name, label in FINAL:
        for seed, run, ev in _seed_runs(runs, name, variant, k):
            e = json.loads(ev.read_text())
            m = _metrics(run)
            sel = next(r for r in m if r["epoch"] == e["epoch"])
            rows.append({"model": label, "run": run.name, "seed": seed, "k": e["k"],
                         "epochs_trained": m[-1]["epoch"], "selected_epoch": e["epoch"],
                         "valid_elbo_selected": sel["valid_elbo"], "test_nll": e["test_nll"],
                         "fs_selected": sel["fs"],
                         "active_units": (active_units(run) if (run / "selected.pt").exists()
                                          else None),
                         "train_wall_s": round(sum(r["epoch_s"] for r in m), 1)})
            nll[(name, seed)] = np.load(run / "fulltest" / f"nll_test_k{e['k']}.npy")
    diffs = []
    (a, _), (b, _) = FINAL[1], FINAL[0]
    for seed in sorted({s for _, s in nll}):
        if (a, seed) in nll and (b, seed) in nll:
            d = nll[(a, seed)] - nll[(b, seed)]
            diffs.append({"seed": seed, "a": a, "b": b, "mean_a_minus_b": float(d.mean()),
                          "se": float(d.std(ddof=1) / np.sqrt(len(d))), "n_images": len(d)})
    if len(diffs) > 1:   # seeds are independent: the test-image noise averages, seed noise shows
        m = np.array([q["mean_a_minus_b"] for q in diffs])
        diffs.append({"seed": "mean", "a": a, "b": b, "mean_a_minus_b": float(m.mean()),
                      "se": float(np.sqrt(sum(q["se"] ** 2 for q in diffs)) / len(m)),
                      "sd_between_seeds": float(m.std(ddof=1)), "n_seeds": len(m)})
    return rows, diffs


def _final_lines(rows, diffs):
    out = ["| model | run | seed | test NLL (all 10 000) | K | valid ELBO | epochs (selected) "
           "| tr J(z\\|x) | N(z\\|x) | active units | train wall s |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    out += [f"| {r['model']} | {r['run']} | {r['seed']} | {_fmt(r['test_nll'])} | {r['k']} "
            f"| {r['valid_elbo_selected']:.2f} | {r['epochs_trained']} ({r['selected_epoch']}) "
            f"| {r['fs_selected']['fisher']:.3g} | {r['fs_selected']['entropy_power']:.3g} "
            f"| {r['active_units']} | {r['train_wall_s']:.0f} |" for r in rows]
    out += [f"| FAE − VAE, paired | | {q['seed']} | {q['mean_a_minus_b']:+.2f} ± {q['se']:.2f}"
            + (f" (sd over seeds {q['sd_between_seeds']:.2f})" if "n_seeds" in q else "")
            + " | | | | | | | |" for q in diffs]
    return out


def subset_check(runs: Path, k: int = 5000):
    """Seed-0 pair: the paired difference on the 2000-image subset against the other 8000
    images, and how much a second IWAE run on the same images moves the VAE's NLL."""
    import numpy as np
    from .evaluate import random_subset
    (a, _), (b, _) = FINAL[1], FINAL[0]
    f = {n: runs / f"t1y_{n}" / "fulltest" / f"nll_test_k{k}.npy" for n in (a, b)}
    sub = runs / f"t1y_{b}" / f"nll_test_k{k}.npy"
    if not all(x.exists() for x in (*f.values(), sub)):
        return None
    full = {n: np.load(x) for n, x in f.items()}
    idx = random_subset(len(full[a]), len(np.load(sub)), 0)
    rest = np.setdiff1d(np.arange(len(full[a])), idx)

    def ms(d):
        return {"mean": float(d.mean()), "se": float(d.std(ddof=1) / np.sqrt(len(d))),
                "n_images": len(d)}
    d = full[a] - full[b]
    return {"a_minus_b_on_subset": ms(d[idx]), "a_minus_b_on_rest": ms(d[rest]),
            "vae_second_iwae_run_minus_first": ms(full[b][idx] - np.load(sub))}


def _update_doc(doc: Path, blocks: dict):
    if not doc.exists():
        return
    text = doc.read_text()
    for name, rows in blocks.items():
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        if start in text and end in text:
            i, j = text.index(start) + len(start), text.index(end)
            text = text[:i] + "\n" + "\n".join(rows) + "\n" + text[j:]
    doc.write_text(text)


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("--runs", default="runs")
    p.add_argument("--out", default="docs/results")
    p.add_argument("--k", type=int, default=1000, help="K of the Table 1 evaluations")
    p.add_argument("--k-rev", type=int, default=500, help="K of the Table 2 evaluations")
    p.add_argument("--trajectories", action="store_true")
    p.add_argument("--doc", default="docs/RESULTS.md",
                   help="Markdown file whose <!-- tableN:start/end --> blocks are refreshed")
    a = p.parse_args(argv)
    runs, out = Path(a.runs), Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    t1 = []
    for name, label, paper in T1 + [(f"t1x_{n[3:]}", f"{lab}, 2x epochs", paper)
                                    for n, lab, paper in T1]:
        r = run_row(runs / name, label, a.k)
        if r is not None:
            t1.append(dict(r, paper_test_nll=paper))
    t2 = []
    for scale in ("perdim", "trace"):
        for f, (ptr, pte) in T2.items():
            r = run_row(runs / f"t2_fae_f{f}_{scale}", f"FAE F={f} ({scale})", a.k_rev)
            if r is not None:
                t2.append(dict(r, paper_train_nll=ptr, paper_test_nll=pte))
    (out / "table1.json").write_text(json.dumps(t1, indent=1))
    (out / "table2.json").write_text(json.dumps(t2, indent=1))
    lines = ["| model | paper test NLL | test NLL (ours) | train NLL (ours) | valid ELBO | "
             "epochs (selected) | K | tr J(z\\|x) | N(z\\|x) | train wall s |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in t1:
        paper = "—" if r["paper_test_nll"] is None else f"{r['paper_test_nll']:.2f}"
        lines.append(f"| {r['label']} | {paper} | {_fmt(r.get('test_nll'))} "
                     f"| {_fmt(r.get('train_nll'))} | {r.get('valid_elbo_selected', nan):.2f} "
                     f"| {r['epochs_trained']} ({r.get('selected_epoch', '—')}) "
                     f"| {r.get('k', '—')} {_tail(r)}")
    lines += ["", "| model | paper train NLL | train NLL (ours) | paper test NLL | "
              "test NLL (ours, balanced valid) | steps | K | tr J(z\\|x) | N(z\\|x) "
              "| train wall s |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for r in t2:
        lines.append(f"| {r['label']} | {r['paper_train_nll']:.2f} | {_fmt(r.get('train_nll'))} "
                     f"| {r['paper_test_nll']:.2f} | {_fmt(r.get('test_nll'))} | {r['steps']} "
                     f"| {r.get('k', '—')} {_tail(r)}")
    long = [r for name, label in T1Y if (r := run_row(runs / name, label)) is not None]
    (out / "table1_long.json").write_text(json.dumps(long, indent=1))
    lines += ["", "| model | test NLL | train NLL | valid ELBO | epochs (selected) | K "
              "| test / train images | train wall s | median epoch s after t1x | eval wall s "
              "| test NLL − VAE's, paired |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    vs_vae = {q["a"]: q for q in paired(runs) if q["b"] == T1Y[0][0]}
    for r in long:
        q = vs_vae.get(r["run"])
        dq = "—" if q is None else f"{q['mean_a_minus_b']:.2f} ± {q['se']:.2f}"
        x = runs / r["run"].replace("t1y_", "t1x_", 1)
        n0 = len(_metrics(x)) if (x / "metrics.jsonl").exists() else 0
        ep = sorted(m["epoch_s"] for m in _metrics(runs / r["run"])[n0:]) or [nan]
        te, tr = r.get("test_nll") or {}, r.get("train_nll") or {}
        lines.append(f"| {r['label']} | {_fmt(r.get('test_nll'))} | {_fmt(r.get('train_nll'))} "
                     f"| {r.get('valid_elbo_selected', nan):.2f} "
                     f"| {r['epochs_trained']} ({r.get('selected_epoch', '—')}) "
                     f"| {r.get('k', '—')} | {te.get('subset', '—')} / {tr.get('subset', '—')} "
                     f"| {r['train_wall_s']:.0f} "
                     f"| {ep[len(ep) // 2]:.1f} "
                     f"| {te.get('wall_s', 0) + tr.get('wall_s', 0):.0f} | {dq} |")
    ksens = []
    for r in t1:
        for f in sorted((runs / r["run"]).glob("eval_k*.json")):
            e = json.loads(f.read_text())
            if e["k"] != a.k and r.get("k") == a.k and "test_nll" in e:
                base = r.get("test_nll") or {}
                ksens.append({"run": r["run"], "k": e["k"], "test_nll": e["test_nll"],
                              f"test_nll_k{a.k}": base})
    (out / "k_sensitivity.json").write_text(json.dumps(ksens, indent=1))
    lines += ["", f"| model | K | test NLL | test NLL at K={a.k} (same images) |",
              "|---|---|---|---|"]
    lines += [f"| {q['run']} | {q['k']} | {_fmt(q['test_nll'])} | {_fmt(q[f'test_nll_k{a.k}'])} |"
              for q in ksens]
    fin, fdiff = final_table(runs)
    (out / "table1_final.json").write_text(json.dumps(
        {"rows": fin, "paired": fdiff, "subset_check": subset_check(runs)}, indent=1))
    lines += [""] + _final_lines(fin, fdiff)
    warm = {}
    for v in sorted({r.name.split("_", 1)[0] for r in runs.glob("w*_*")
                     if r.name.split("_", 1)[0][1:].isdigit()}):
        wr, wd = final_table(runs, k=None, variant=v)
        if wr:
            warm[v] = {"rows": wr, "paired": wd}
    (out / "table1_warmup.json").write_text(json.dumps(warm, indent=1))
    lines += [""] + sum((_final_lines(w["rows"], w["paired"]) for w in warm.values()), [])
    pairs = paired(runs)
    (out / "paired.json").write_text(json.dumps(pairs, indent=1))
    lines += ["", "| paired test-NLL difference | a − b (nats) | images |", "|---|---|---|"]
    lines += [f"| {q['a']} − {q['b']} | {q['mean_a_minus_b']:.2f} ± {q['se']:.2f} "
              f"| {q['n_images']} |" for q in pairs]
    (out / "tables.md").write_text("\n".join(lines) + "\n")
    split = lines.index("")
    split2 = lines.index("", split + 1)
    split3 = lines.index("", split2 + 1)
    split4 = lines.index("", split3 + 1)
    split5 = lines.index("", split4 + 1)
    split6 = lines.index("", split5 + 1)
    _update_doc(Path(a.doc), {"table1": lines[:split], "table2": lines[split + 1:split2],
                              "long": lines[split2 + 1:split3], "ksens": lines[split3 + 1:split4],
                              "final": lines[split4 + 1:split5],
                              "warmup": lines[split5 + 1:split6], "paired": lines[split6 + 1:]})
    print("\n".join(lines))
    if a.trajectories:
        trajectories(runs, out)


def trajectories(runs: Path, out: Path, n_mc: int = 2000):
    """Conditional and aggregate FS points per saved epoch, via infoplane.vae.posterior_fs."""
    import numpy as np
    import torch
    from infoplane.vae import posterior_fs
    res = {}
    rev = [(f"t2_fae_f{f}_perdim", f"reversed FAE F={f}", None) for f in T2]
    for name, label, _ in T1 + rev:
        enc = sorted((runs / name / "encodings").glob("epoch_*.npz"))
        if not enc:
            continue
        rows = []
        for f in enc:
            d = np.load(f)
            pf = posterior_fs(torch.as_tensor(d["mu"], dtype=torch.float64),
                              torch.as_tensor(d["logvar"], dtype=torch.float64),
                              n_mc=n_mc, rng=0)
            rows.append({"epoch": int(f.stem.split("_")[1]), **pf.to_dict()})
        res[name] = {"label": label, "n_data": int(d["mu"].shape[0]), "n_mc": n_mc,
                     "points": rows}
        print(name, "trajectory", len(rows), "epochs")
    (out / "trajectories.json").write_text(json.dumps(res, indent=1))


if __name__ == "__main__":
    main()
