"""Collect finished runs into small JSON results and Markdown tables for docs/RESULTS.md.

    python -m examples.fae.collect --runs runs --out docs/results
    python -m examples.fae.collect --runs runs --out /tmp/res --doc '' --only table1 final

Each section is a JSON file under ``--out`` and a ``<!-- name:start -->``/``<!-- name:end -->``
block of ``--doc`` (default ``docs/RESULTS.md``):

============  =======================  ================================================
section       file                     rows
============  =======================  ================================================
table1        ``table1.json``          Table 1 runs and their 2x-epochs continuations
table2        ``table2.json``          reversed-MNIST runs (paper Table 2)
long          ``table1_long.json``     the longer continuations ``t1y_*``
ksens         ``k_sensitivity.json``   Table 1 runs evaluated at another K
final         ``table1_final.json``    whole-test-set NLL per seed, paired FAE − VAE
warmup        ``table1_warmup.json``   the same for the KL warm-up runs ``w<E>*``
paired        ``paired.json``          paired test-NLL differences
trajectories  ``trajectories.json``    conditional and aggregate FS points per saved
                                       epoch (:func:`infoplane.vae.posterior_fs`); only
                                       with ``--trajectories`` or ``--only trajectories``
============  =======================  ================================================

Sections for the runs of :mod:`.queue`, only with ``--only`` (their runs usually live
under ``$INFOPLANE_RUNS``, not beside the older ones):

===============  ============================  =============================================
section          file                          rows
===============  ============================  =============================================
recipe           ``table1_recipe.json``        every run of the ``recipe`` queue, finished
                                               or not; NLL ± image-level SE; paired
                                               difference to the same-seed VAE
recipe_means     ``table1_recipe_means.json``  each setting averaged over its finished
                                               seeds, ± between-seed SE
table2_pl        ``table2_pl.json``            every run of the ``table2`` queue
table2_pl_means  ``table2_pl_means.json``      its seed means
summary          ``summary.json``              no runs: seed-level standard errors and
                                               comparisons computed from the other JSON
                                               files of ``--out``
===============  ============================  =============================================

``tables.md`` holds the Markdown tables of all default sections but trajectories: those
produced now, or, when some were skipped, the blocks ``--doc`` holds for them.
``--from-json`` rebuilds ``final`` and ``warmup`` from their existing files instead of
from runs (their seed means are recomputed; nothing else changes).

Nothing is replaced by less than it holds. A section whose runs give no rows, or that
would drop rows of its existing file, the NLLs of a row (a field that had a value and
would have none) or seeds of a mean, is skipped: its file and its block of ``--doc`` are
kept (``--force`` overwrites them anyway). ``tables.md`` is written
only when every section was produced. Files are replaced atomically. The output ends with
what was written, what was kept and why; the exit status is 1 when something asked for
(by default: every section, ``tables.md`` and ``--doc``) was not produced.
"""

from __future__ import annotations

import argparse
import json
import sys
from math import nan
from pathlib import Path

from .atomic import write_text_atomically
from .qtables import (between_seeds, means_lines, queue_rows, rows_lines, seed_means,
                      table2_paper)
from .runs import (FINAL, PAIRS, TABLE1, TABLE1_LONG, TABLE2_PAPER, TABLE2_PERDIM, longer_run,
                   read_metrics, table2_run)


CONFIG_KEYS = ("model", "dataset", "latent", "hidden", "layers", "activation", "lr",
               "batch_size", "seed", "lambda_z", "f_z", "fisher_scale", "c", "m", "select",
               "epochs", "max_steps")


def run_row(run: Path, label: str, k: int | None = None):
    """One table row; `k` None picks the evaluation with the largest K in the run."""
    evs = sorted(run.glob("eval_k*.json"), key=lambda f: int(f.stem[6:]))
    ev = run / f"eval_k{k}.json" if k is not None else (evs[-1] if evs else run / "eval.json")
    if not ((run / "metrics.jsonl").exists() and (run / "config.json").exists()):
        return None
    m = read_metrics(run)
    if not m:
        return None
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
            m = read_metrics(run)
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
    mean = paired_seed_mean(diffs)
    return rows, diffs + ([mean] if mean is not None else [])


def paired_seed_mean(diffs):
    """The mean over seeds of per-seed paired differences, with its standard error between
    seeds (sd/√n): seeds are independent, so their spread is what the mean is uncertain
    by; the image-level SEs of the single seeds are much smaller and are not used. None
    with fewer than two seeds."""
    per = [q for q in diffs if q["seed"] != "mean"]
    if len(per) < 2:
        return None
    b = between_seeds(q["mean_a_minus_b"] for q in per)
    return {"seed": "mean", "a": per[0]["a"], "b": per[0]["b"], "mean_a_minus_b": b["mean"],
            "se": b["se_between_seeds"], "se_kind": "between seeds: sd / sqrt(n_seeds)",
            "sd_between_seeds": b["sd_between_seeds"], "n_seeds": b["n_seeds"]}


def model_seed_means(rows):
    """Test NLL of each model averaged over its seeds, ± the between-seed SE."""
    out = []
    for model in dict.fromkeys(r["model"] for r in rows):
        rs = [r for r in rows if r["model"] == model]
        b = between_seeds(r["test_nll"]["mean"] for r in rs)
        out.append({"model": model, "seeds": [r["seed"] for r in rs],
                    "k": sorted({r["k"] for r in rs}), **b})
    return out


def _final_lines(rows, diffs):
    out = ["| model | run | seed | test NLL (all 10 000) | K | valid ELBO | epochs (selected) "
           "| tr J(z\\|x) | N(z\\|x) | active units | train wall s |",
           "|---|---|---|---|---|---|---|---|---|---|---|"]
    out += [f"| {r['model']} | {r['run']} | {r['seed']} | {_fmt(r['test_nll'])} | {r['k']} "
            f"| {r['valid_elbo_selected']:.2f} | {r['epochs_trained']} ({r['selected_epoch']}) "
            f"| {r['fs_selected']['fisher']:.3g} | {r['fs_selected']['entropy_power']:.3g} "
            f"| {r['active_units']} | {r['train_wall_s']:.0f} |" for r in rows]
    per = [q for q in diffs if q["seed"] != "mean"]
    out += [f"| FAE − VAE, paired | | {q['seed']} | {q['mean_a_minus_b']:+.2f} ± {q['se']:.2f}"
            " | | | | | | | |" for q in per]
    mean = paired_seed_mean(per)      # recomputed: older files carry an image-level SE here
    if mean is not None:
        out.append(f"| FAE − VAE, paired | | mean of {mean['n_seeds']} | "
                   f"{mean['mean_a_minus_b']:+.2f} ± {mean['se']:.2f} (SE between seeds; "
                   f"sd {mean['sd_between_seeds']:.2f}) | | | | | | | |")
    for m in model_seed_means(rows):
        if m["n_seeds"] > 1:
            out.append(f"| {m['model']}, mean over seeds | | {m['n_seeds']} seeds | "
                       f"{m['mean']:.2f} ± {m['se_between_seeds']:.2f} (SE between seeds; "
                       f"sd {m['sd_between_seeds']:.2f}) | | | | | | | |")
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


# ----------------------------------------------------------------------------- sections
def table1_rows(runs: Path, k: int):
    out = []
    for name, label, paper in TABLE1 + [(longer_run(n), f"{lab}, 2x epochs", paper)
                                        for n, lab, paper in TABLE1]:
        r = run_row(runs / name, label, k)
        if r is not None:
            out.append(dict(r, paper_test_nll=paper))
    return out


def table1_lines(t1):
    lines = ["| model | paper test NLL | test NLL (ours) | train NLL (ours) | valid ELBO | "
             "epochs (selected) | K | tr J(z\\|x) | N(z\\|x) | train wall s |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in t1:
        paper = "—" if r["paper_test_nll"] is None else f"{r['paper_test_nll']:.2f}"
        lines.append(f"| {r['label']} | {paper} | {_fmt(r.get('test_nll'))} "
                     f"| {_fmt(r.get('train_nll'))} | {r.get('valid_elbo_selected', nan):.2f} "
                     f"| {r['epochs_trained']} ({r.get('selected_epoch', '—')}) "
                     f"| {r.get('k', '—')} {_tail(r)}")
    return lines


def table2_section(runs: Path, k_rev: int):
    t2 = []
    for scale in ("perdim", "trace"):
        for f, (ptr, pte) in TABLE2_PAPER.items():
            r = run_row(runs / table2_run(f, scale), f"FAE F={f} ({scale})", k_rev)
            if r is not None:
                t2.append(dict(r, paper_train_nll=ptr, paper_test_nll=pte))
    lines = ["| model | paper train NLL | train NLL (ours) | paper test NLL | "
             "test NLL (ours, balanced valid) | steps | K | tr J(z\\|x) | N(z\\|x) "
             "| train wall s |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in t2:
        lines.append(f"| {r['label']} | {r['paper_train_nll']:.2f} | {_fmt(r.get('train_nll'))} "
                     f"| {r['paper_test_nll']:.2f} | {_fmt(r.get('test_nll'))} | {r['steps']} "
                     f"| {r.get('k', '—')} {_tail(r)}")
    return t2, lines


def long_section(runs: Path):
    long = [r for name, label in TABLE1_LONG if (r := run_row(runs / name, label)) is not None]
    lines = ["| model | test NLL | train NLL | valid ELBO | epochs (selected) | K "
             "| test / train images | train wall s | median epoch s after t1x | eval wall s "
             "| test NLL − VAE's, paired |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    vs_vae = {q["a"]: q for q in paired(runs) if q["b"] == TABLE1_LONG[0][0]}
    for r in long:
        q = vs_vae.get(r["run"])
        dq = "—" if q is None else f"{q['mean_a_minus_b']:.2f} ± {q['se']:.2f}"
        x = runs / r["run"].replace("t1y_", "t1x_", 1)
        n0 = len(read_metrics(x)) if (x / "metrics.jsonl").exists() else 0
        ep = sorted(m["epoch_s"] for m in read_metrics(runs / r["run"])[n0:]) or [nan]
        te, tr = r.get("test_nll") or {}, r.get("train_nll") or {}
        lines.append(f"| {r['label']} | {_fmt(r.get('test_nll'))} | {_fmt(r.get('train_nll'))} "
                     f"| {r.get('valid_elbo_selected', nan):.2f} "
                     f"| {r['epochs_trained']} ({r.get('selected_epoch', '—')}) "
                     f"| {r.get('k', '—')} | {te.get('subset', '—')} / {tr.get('subset', '—')} "
                     f"| {r['train_wall_s']:.0f} "
                     f"| {ep[len(ep) // 2]:.1f} "
                     f"| {te.get('wall_s', 0) + tr.get('wall_s', 0):.0f} | {dq} |")
    return long, lines


def ksens_section(runs: Path, t1, k: int):
    ksens = []
    for r in t1:
        for f in sorted((runs / r["run"]).glob("eval_k*.json")):
            e = json.loads(f.read_text())
            if e["k"] != k and r.get("k") == k and "test_nll" in e:
                base = r.get("test_nll") or {}
                ksens.append({"run": r["run"], "k": e["k"], "test_nll": e["test_nll"],
                              f"test_nll_k{k}": base})
    lines = [f"| model | K | test NLL | test NLL at K={k} (same images) |", "|---|---|---|---|"]
    lines += [f"| {q['run']} | {q['k']} | {_fmt(q['test_nll'])} | {_fmt(q[f'test_nll_k{k}'])} |"
              for q in ksens]
    return ksens, lines


def _final_data(rows, diffs, subset=None):
    per = [q for q in diffs if q["seed"] != "mean"]
    mean = paired_seed_mean(per)
    return {"rows": rows, "paired": per + ([mean] if mean is not None else []),
            "seed_means": model_seed_means(rows), "subset_check": subset}


def final_section(runs: Path, from_json: Path | None = None):
    if from_json is not None:
        old = (json.loads(from_json.read_text()) if from_json.exists()
               else {"rows": [], "paired": []})
        data = _final_data(old["rows"], old["paired"], old.get("subset_check"))
    else:
        fin, fdiff = final_table(runs)
        data = _final_data(fin, fdiff, subset_check(runs))
    return data, _final_lines(data["rows"], data["paired"])


def warmup_section(runs: Path, from_json: Path | None = None):
    warm = {}
    if from_json is not None:
        old = json.loads(from_json.read_text()) if from_json.exists() else {}
        warm = {v: _final_data(t["rows"], t["paired"], t.get("subset_check"))
                for v, t in old.items()}
    else:
        for v in sorted({r.name.split("_", 1)[0] for r in runs.glob("w*_*")
                         if r.name.split("_", 1)[0][1:].isdigit()}):
            wr, wd = final_table(runs, k=None, variant=v)
            if wr:
                warm[v] = _final_data(wr, wd)
                warm[v].pop("subset_check")
    return warm, sum((_final_lines(w["rows"], w["paired"]) for w in warm.values()), [])


# published NLLs of MLP VAEs on statically binarized MNIST (nats), for the comparisons of
# the summary section
PUBLISHED = {
    "rm_reproduction": {
        "nll": 89.78, "what": "VAE with one hidden layer of 400 units, no KL warm-up, ~1000+ "
        "epochs with step decay: a reproduction of Rezende & Mohamed (2015), who reported "
        "89.9 (attribution as given in issue 13)"},
    "vampprior_standard": {
        "nll": 88.56, "what": "standard-prior VAE of the VampPrior paper (Tomczak & Welling "
        "2018): gated MLP, two hidden layers of 300, lr 5e-4, batch 100, KL warm-up over 100 "
        "epochs, early stopping with patience 50, up to 2000 epochs"},
    "iwae_k50": {"nll": 86.82, "what": "IWAE, k = 50 (Burda et al. 2016)"},
}


def summary_section(out: Path):
    """Seed-level standard errors and comparisons computed from the JSON files in `out`
    (``table1_final.json``, ``table1_warmup.json``, ``table2.json``,
    ``reversed_mnist_pl.json``); no runs are read."""
    res, lines = {}, ["| quantity | value | source |", "|---|---|---|"]
    fin, warm, t2 = (out / f for f in ("table1_final.json", "table1_warmup.json",
                                       "table2.json"))

    def pm(b):
        return (f"{b['mean']:+.2f} ± {b['se_between_seeds']:.2f} (SE between "
                f"{b['n_seeds']} seeds; sd {b['sd_between_seeds']:.2f})")

    def block(name, t, src):
        per = [q for q in t["paired"] if q["seed"] != "mean"]
        entry = {"k": sorted({r["k"] for r in t["rows"]}),
                 "n_images": sorted({r["test_nll"]["n_images"] for r in t["rows"]}),
                 "per_model": model_seed_means(t["rows"]),
                 "paired_per_seed": [{k: q[k] for k in ("seed", "mean_a_minus_b", "se",
                                                        "n_images")} for q in per],
                 "paired_mean": between_seeds(q["mean_a_minus_b"] for q in per)}
        for m in entry["per_model"]:
            if m["n_seeds"] > 1:
                lines.append(f"| {name}: {m['model']} test NLL, mean over seeds "
                             f"| {pm(m).lstrip('+')} | {src} |")
        if entry["paired_mean"]["n_seeds"] > 1:
            lines.append(f"| {name}: FAE − VAE paired, mean over seeds "
                         f"| {pm(entry['paired_mean'])} | {src} |")
        return entry

    if fin.exists():
        res["final"] = block("no warm-up (K = 5000, all 10 000)", json.loads(fin.read_text()),
                             fin.name)
    if warm.exists():
        w = json.loads(warm.read_text())
        res["warmup"] = {v: block(f"warm-up {v} (K = 1000, all 10 000)", t, warm.name)
                         for v, t in w.items()}
        vae = [r for t in w.values() for r in t["rows"] if r["model"] == "VAE"]
        gaps = [{"run": r["run"], "seed": r["seed"], "k": r["k"], "nll": r["test_nll"]["mean"],
                 **{f"minus_{key}": r["test_nll"]["mean"] - p["nll"]
                    for key, p in PUBLISHED.items()}} for r in vae]
        res["warmup_vae_vs_published"] = gaps
        if gaps:
            lo = min(g["minus_rm_reproduction"] for g in gaps)
            hi = max(g["minus_rm_reproduction"] for g in gaps)
            res["warmup_vae_minus_89.78_range"] = [lo, hi]
            lines.append(f"| warm-up VAEs minus 89.78 (K = {gaps[0]['k']}) | {lo:.2f} to "
                         f"{hi:.2f} nats | {warm.name} |")
    if t2.exists():
        rows = json.loads(t2.read_text())
        best = {}
        for scale in ("perdim", "trace"):
            rs = [r for r in rows if r["run"].endswith(f"_{scale}") and r.get("test_nll")]
            if rs:
                b = min(rs, key=lambda r: r["test_nll"]["mean"])
                rest = sorted({round(r["test_nll"]["mean"], 2) for r in rs if r is not b})
                best[scale] = {"run": b["run"], "F": b["config"]["f_z"],
                               "test_nll": b["test_nll"]["mean"], "others": rest,
                               "k": b["k"], "n_images": b["test_nll"]["n_images"],
                               "train_images": b.get("train_nll", {}).get("subset")}
                lines.append(f"| old Table 2, F {scale}: best on test | F = {best[scale]['F']:g}"
                             f", {b['test_nll']['mean']:.2f} (others: "
                             f"{', '.join(f'{v:.2f}' for v in rest)}; one seed, K = {b['k']}, "
                             f"{b['test_nll']['n_images']} images) | {t2.name} |")
        res["table2_best_on_test"] = best
    pl = out / "reversed_mnist_pl.json"
    if pl.exists():
        rep = json.loads(pl.read_text())
        sel, cv = rep["selection"], rep["label_noise"]["cv_at_threshold"]
        n_p, n_tr = sel["n_zero_pseudo"], sel["n_train"]
        noise = {"n_train": n_tr, "n_zero": sel["n_zero"], "n_zero_pseudo": n_p,
                 "n_other_each": sel["n_other_each"],
                 "ratio": sel["n_zero"] / sel["n_other_each"],
                 "cv_accuracy": rep["classifier"]["cv_accuracy"],
                 "cv_accuracy_se": rep["classifier"]["cv_accuracy_se"],
                 "wrong_rate_cv": cv["rate"], "wrong_rate_cv_ci95": cv["ci95"],
                 "expected_wrong_pseudo_cv": cv["rate"] * n_p,
                 "expected_wrong_pseudo_cv_ci95": [c * n_p for c in cv["ci95"]],
                 "expected_wrong_fraction_of_train_cv": cv["rate"] * n_p / n_tr,
                 "expected_wrong_fraction_of_train_cv_ci95": [c * n_p / n_tr
                                                              for c in cv["ci95"]],
                 "expected_wrong_pseudo_classifier":
                     rep["label_noise"]["expected_wrong_by_classifier"]}
        res["reversed_mnist_pl"] = noise
        lines.append(f"| reversed MNIST (pseudo-labelled): training images, zeros "
                     f"(pseudo-labelled), each other digit | {n_tr}, {sel['n_zero']} ({n_p}), "
                     f"{sel['n_other_each']} | {pl.name} |")
        lines.append(f"| reversed MNIST (pseudo-labelled): expected wrong labels | "
                     f"{noise['expected_wrong_pseudo_cv']:.0f} (95% CI "
                     f"{noise['expected_wrong_pseudo_cv_ci95'][0]:.0f}–"
                     f"{noise['expected_wrong_pseudo_cv_ci95'][1]:.0f}), "
                     f"{100 * noise['expected_wrong_fraction_of_train_cv']:.2f}% of the "
                     f"training set | {pl.name} |")
    res["published"] = PUBLISHED
    res["sources"] = [f.name for f in (fin, warm, t2, pl) if f.exists()]
    return res, lines


def queue_section(runs: Path, queue: str, means: bool):
    """Rows of a :mod:`.queue` queue (or their seed means) and their Markdown table."""
    rows = queue_rows(runs, queue)
    t2 = queue == "table2"
    if means:
        m = seed_means(rows)
        return m, means_lines(m, train_column=t2)
    return rows, rows_lines(rows, train_column=t2, paper=table2_paper() if t2 else None)


def paired_section(runs: Path):
    pairs = paired(runs)
    lines = ["| paired test-NLL difference | a − b (nats) | images |", "|---|---|---|"]
    lines += [f"| {q['a']} − {q['b']} | {q['mean_a_minus_b']:.2f} ± {q['se']:.2f} "
              f"| {q['n_images']} |" for q in pairs]
    return pairs, lines


def trajectories(runs: Path, n_mc: int = 2000):
    """Conditional and aggregate FS points per saved epoch, via infoplane.vae.posterior_fs."""
    import numpy as np
    import torch
    from infoplane.vae import posterior_fs
    res = {}
    rev = [(run, f"reversed FAE {label}", None) for run, label in TABLE2_PERDIM]
    for name, label, _ in TABLE1 + rev:
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
    return res


SECTIONS = ("table1", "table2", "long", "ksens", "final", "warmup", "paired")
# asked for only by name (--only): runs of examples.fae.queue, and the summary of the JSON
EXTRA = ("recipe", "recipe_means", "table2_pl", "table2_pl_means", "summary")
FILES = {"recipe": "table1_recipe.json", "recipe_means": "table1_recipe_means.json",
         "table2_pl": "table2_pl.json", "table2_pl_means": "table2_pl_means.json",
         "summary": "summary.json",
         "table1": "table1.json", "table2": "table2.json", "long": "table1_long.json",
         "ksens": "k_sensitivity.json", "final": "table1_final.json",
         "warmup": "table1_warmup.json", "paired": "paired.json",
         "trajectories": "trajectories.json"}
# what a section reads, for the message when it finds nothing
WANTS = {
    "table1": "Table 1 runs (t1_*, t1x_*) with metrics.jsonl and config.json",
    "table2": "reversed-MNIST runs (t2_fae_f*) with metrics.jsonl and config.json",
    "long": "runs " + ", ".join(n for n, _ in TABLE1_LONG) + " with metrics.jsonl",
    "ksens": "Table 1 run evaluated both at --k and at another K",
    "final": "whole-test-set evaluation (<run>/fulltest/eval_k5000.json of t1y_*, s<seed>_*)",
    "warmup": "warm-up run (w<E>_*, w<E>s<seed>_*) with a fulltest evaluation",
    "paired": "pair of runs with per-image NLLs at the same K (nll_test_k*.npy)",
    "trajectories": "saved encodings (<run>/encodings/epoch_*.npz) of Table 1 or t2 runs",
    "recipe": "run directory of the recipe queue (r_*)",
    "recipe_means": "finished run of the recipe queue (r_*, <run>/fulltest/eval_k5000.json)",
    "table2_pl": "run directory of the table2 queue (t2pl_*)",
    "table2_pl_means": "finished run of the table2 queue (t2pl_*, <run>/final/eval_k1000.json)",
    "summary": "table1_final.json, table1_warmup.json, table2.json or reversed_mnist_pl.json "
               "in --out",
}


def _final_ids(t):
    out = {("row", r["run"]): r for r in t["rows"]}
    out.update({("paired", q["seed"]): q for q in t["paired"]})
    if t.get("subset_check") is not None:
        out[("subset_check",)] = t["subset_check"]
    return out


def _by_run(rows):
    return {r["run"]: r for r in rows}


def _by_setting(means):
    from .qtables import SETTING
    return {tuple(m[k] for k in SETTING): m for m in means}


def _summary_ids(res):
    out = {(k,): v for k, v in res.items() if k not in ("published", "sources", "warmup")}
    out.update({("warmup", v): t for v, t in res.get("warmup", {}).items()})
    return out


# identity -> row of a section's JSON: what a rewrite must keep
ROW_IDS = {
    "table1": _by_run, "table2": _by_run, "long": _by_run,
    "ksens": lambda rows: {(q["run"], q["k"]): q for q in rows},
    "final": _final_ids,
    "warmup": lambda w: {(v, *key): r for v, t in w.items() for key, r in _final_ids(t).items()},
    "paired": lambda rows: {(q["a"], q["b"]): q for q in rows},
    "trajectories": lambda t: {(n, p["epoch"]): p for n, v in t.items() for p in v["points"]},
    "recipe": _by_run, "table2_pl": _by_run,
    "recipe_means": _by_setting, "table2_pl_means": _by_setting,
    "summary": _summary_ids,
}


# ----------------------------------------------------------------------------- writing
def _names(keys, most: int = 4) -> str:
    s = [k if isinstance(k, str) else "/".join(map(str, k)) for k in keys]
    return ", ".join(s[:most]) + (f" and {len(s) - most} more" if len(s) > most else "")


#: counts that a rewrite may not lower (seeds of a mean, images of an evaluation)
COUNTS = ("n_seeds", "n_images")


def _thinner(old, new) -> bool:
    """`new` has less than `old`: a field of `old` is missing (``status`` may go) or has no
    value any more (an NLL of a finished run), or a count of seeds or images is lower,
    at any depth of nested objects."""
    if not isinstance(old, dict):
        return False
    if not isinstance(new, dict) or set(old) - set(new) - {"status"}:
        return True
    for key, v in old.items():
        if key == "status" or key not in new:
            continue
        w = new[key]
        if v is not None and w is None:
            return True
        if key in COUNTS and isinstance(v, (int, float)) and isinstance(w, (int, float)) \
                and w < v:
            return True
        if isinstance(v, dict) and _thinner(v, w):
            return True
    return False


def put_json(path: Path, data, ids, wants: str, runs: Path, force: bool) -> tuple[bool, str]:
    """Write `data` to `path` unless that would lose rows; (produced, what happened)."""
    text = json.dumps(data, indent=1)
    new = ids(json.loads(text))
    kept = "kept the existing file" if path.exists() else "wrote nothing"
    if not new and not force:
        return False, (f"skipped {path}: nothing to write (no {wants} under {runs}); {kept}")
    if path.exists() and not force:
        try:
            old = ids(json.loads(path.read_text()))
        except (ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
            return False, (f"skipped {path}: the existing file is not a table this version "
                           f"reads ({type(exc).__name__}: {exc}); kept it (--force overwrites)")
        lost = [k for k in old if k not in new]
        thin = [k for k in old if k in new and _thinner(old[k], new[k])]
        if lost or thin:
            why = []
            if lost:
                why.append(f"drop {len(lost)} of its {len(old)} rows ({_names(lost)})")
            if thin:
                why.append(f"remove results from {len(thin)} rows ({_names(thin)})")
            return False, (f"skipped {path}: the runs under {runs} would {' and '.join(why)}; "
                           "kept the existing file (--force overwrites)")
    if path.exists() and path.read_text() == text:
        return True, f"unchanged {path} ({len(new)} rows)"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(path, text)
    return True, f"wrote {path} ({len(new)} rows)"


def _blocks(doc: Path, names) -> list[list[str]] | None:
    """The lines inside the ``<!-- name:start/end -->`` blocks of `doc`, in the order of
    `names`; None when one of them is missing."""
    text, out = doc.read_text(), []
    for name in names:
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        if start not in text or end not in text:
            return None
        out.append(text[text.index(start) + len(start):text.index(end)].strip("\n")
                   .split("\n"))
    return out


def _update_doc(doc: Path, blocks: dict) -> tuple[list[str], list[str], bool]:
    """Refresh the ``<!-- name:start/end -->`` blocks of `doc`; (refreshed, no markers, changed)."""
    text = original = doc.read_text()
    done, missing = [], []
    for name, rows in blocks.items():
        start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
        if start in text and end in text:
            i, j = text.index(start) + len(start), text.index(end)
            text = text[:i] + "\n" + "\n".join(rows) + "\n" + text[j:]
            done.append(name)
        else:
            missing.append(name)
    if text != original:
        write_text_atomically(doc, text)
    return done, missing, text != original


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--runs", default="runs")
    p.add_argument("--out", default="docs/results")
    p.add_argument("--k", type=int, default=1000, help="K of the Table 1 evaluations")
    p.add_argument("--k-rev", type=int, default=500, help="K of the Table 2 evaluations")
    p.add_argument("--trajectories", action="store_true", help="also the trajectories section")
    p.add_argument("--only", nargs="+", choices=[*SECTIONS, "trajectories", *EXTRA],
                   default=None,
                   help="produce only these sections (tables.md needs all default ones); "
                        "the queue sections and summary are produced only when named here")
    p.add_argument("--from-json", action="store_true",
                   help="final and warmup: rebuild from their existing files in --out "
                        "(recomputing the seed means) instead of from runs")
    p.add_argument("--doc", default="docs/RESULTS.md",
                   help="Markdown file whose <!-- name:start/end --> blocks are refreshed "
                        "('' for none)")
    p.add_argument("--force", action="store_true",
                   help="overwrite files and blocks even with empty or partial tables")
    a = p.parse_args(argv)
    runs, out = Path(a.runs), Path(a.out)
    if not runs.is_dir():
        p.error(f"--runs {str(runs)!r} is not a directory")
    asked = set(a.only or SECTIONS) | ({"trajectories"} if a.trajectories else set())
    fj = (lambda name: out / FILES[name]) if a.from_json else (lambda name: None)
    report, failed = [], False

    def note(ok: bool, line: str):
        nonlocal failed
        failed |= not ok
        report.append(line)

    produced = {}
    t1 = table1_rows(runs, a.k) if asked & {"table1", "ksens"} else None
    builders = {"table1": lambda: (t1, table1_lines(t1)),
                "table2": lambda: table2_section(runs, a.k_rev),
                "long": lambda: long_section(runs),
                "ksens": lambda: ksens_section(runs, t1, a.k),
                "final": lambda: final_section(runs, fj("final")),
                "warmup": lambda: warmup_section(runs, fj("warmup")),
                "paired": lambda: paired_section(runs),
                "recipe": lambda: queue_section(runs, "recipe", False),
                "recipe_means": lambda: queue_section(runs, "recipe", True),
                "table2_pl": lambda: queue_section(runs, "table2", False),
                "table2_pl_means": lambda: queue_section(runs, "table2", True),
                "summary": lambda: summary_section(out)}
    for name in (*SECTIONS, *EXTRA):
        if name in asked:
            data, lines = builders[name]()
            ok, line = put_json(out / FILES[name], data, ROW_IDS[name], WANTS[name], runs,
                                a.force)
            note(ok, line)
            if ok:
                produced[name] = lines

    if a.doc:
        doc = Path(a.doc)
        blocks = {n: produced[n] for n in (*SECTIONS, *EXTRA) if n in produced}
        if not doc.is_file():
            note(False, f"skipped {doc}: no such file (--doc '' refreshes no document)")
        elif blocks:
            done, missing, changed = _update_doc(doc, blocks)
            note(True, f"{'wrote' if changed else 'unchanged'} {doc} (blocks {', '.join(done)})"
                 if done else f"unchanged {doc}")
            if missing:
                note(False, f"skipped blocks {', '.join(missing)} of {doc}: no "
                            "<!-- name:start --> and <!-- name:end --> markers")
        kept = [n for n in (*SECTIONS, *EXTRA) if n in asked and n not in produced]
        if kept and doc.is_file():
            note(False, f"kept blocks {', '.join(kept)} of {doc}: their sections were skipped")

    # tables.md holds the tables of every default section, as the document's blocks do
    md = out / "tables.md"
    doc_blocks = _blocks(Path(a.doc), SECTIONS) if a.doc and Path(a.doc).is_file() else None
    if asked >= set(SECTIONS) or (md.exists() and doc_blocks is not None):
        if set(produced) >= set(SECTIONS):
            parts, how = [produced[n] for n in SECTIONS], ""
        elif doc_blocks is not None:
            parts, how = doc_blocks, f" (the blocks of {a.doc})"
        else:
            parts = None
            note(False, f"skipped {md}: it holds every section and "
                 f"{', '.join(n for n in SECTIONS if n not in produced)} were not produced; "
                 + ("kept the existing file" if md.exists() else "wrote nothing"))
        if parts is not None:
            text = "\n".join(sum(([""] * bool(i) + p for i, p in enumerate(parts)), [])) + "\n"
            if md.exists() and md.read_text() == text:
                note(True, f"unchanged {md}{how}")
            else:
                write_text_atomically(md, text)
                note(True, f"wrote {md}{how}")

    for name in (*SECTIONS, *EXTRA):
        if name in produced:
            print("\n".join(produced[name]) + "\n")
    if "trajectories" in asked:
        ok, line = put_json(out / FILES["trajectories"], trajectories(runs), ROW_IDS[
            "trajectories"], WANTS["trajectories"], runs, a.force)
        note(ok, line)
    print("\n".join(report))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
