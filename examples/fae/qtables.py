"""Tables of a queue's runs: one row per run, paired differences, means over seeds.

Used by :mod:`.collect` for the runs of :mod:`.queue` (``recipe``: Table 1 under the
recipe of issue 13; ``table2``: the reversed-MNIST Table 2).

* :func:`queue_rows` gives one row per run of the queue, finished or not (a run not
  finished is listed with how far it got and no NLL), with the paired test-NLL
  difference against the same-seed reference VAE (same images, per-image NLLs; the
  standard error is over images).
* :func:`seed_means` averages the finished runs of each setting over seeds. Its standard
  errors are between seeds, sd/√n over the per-seed values: the image-level standard
  errors of the single runs are not carried into a seed mean, since a seed mean varies
  mostly with the seed. With one seed there is no such standard error (None).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np

from .runs import TABLE2_PAPER, read_metrics

#: the reference of the paired differences: the plain VAE of this architecture, same seed
REFERENCE = {"model": "vae", "arch": "5x300"}
#: the fields that make a setting (runs differing only in the seed are averaged)
SETTING = ("model", "reading", "F", "M", "lambda", "C", "arch", "latent", "dataset", "K",
           "n_test_planned")


# ----------------------------------------------------------------------------- settings
def job_config(job) -> dict:
    """The training options a job of :mod:`.queue` runs with (its arguments parsed by
    :func:`.train.build_parser`)."""
    from .train import build_parser
    return vars(build_parser().parse_args(list(job.args)))


def arch_of(cfg: dict) -> str:
    """``5x300``, ``2x300``, ``gated2x300`` (activation prefix unless ReLU)."""
    act = cfg.get("activation", "relu")
    return f"{'' if act == 'relu' else act}{cfg['layers']}x{cfg['hidden']}"


def describe(cfg: dict) -> dict:
    """Model, reading of F, F, M, λ, C, architecture, latent size, dataset and seed."""
    model = cfg["model"]
    fae, mae = model == "fae", model == "mae"
    return {"model": model,
            "reading": ({"per-dim": "per_dim", "trace": "trace"}[cfg["fisher_scale"]]
                        if fae else None),
            "F": cfg["f_z"] if fae else None, "M": cfg["m"] if mae else None,
            "lambda": cfg["lambda_z"] if fae else None, "C": cfg["c"] if mae else None,
            "arch": arch_of(cfg), "latent": cfg["latent"], "dataset": cfg["dataset"],
            "seed": cfg["seed"]}


def setting_label(r: dict) -> str:
    """A short name of a row's setting: ``FAE per-dim F=20 λ=40``, ``VAE (2x300)``."""
    arch = "" if r["arch"] == REFERENCE["arch"] else f" ({r['arch']})"
    if r["model"] == "fae":
        reading = {"per_dim": "per-dim", "trace": "trace"}[r["reading"]]
        return f"FAE {reading} F={r['F']:g} λ={r['lambda']:g}{arch}"
    if r["model"] == "mae":
        return f"MAE M={r['M']:g} C={r['C']:g}{arch}"
    return f"VAE{arch}"


# ----------------------------------------------------------------------------- rows
def _eval_dir(runs: Path, job) -> Path:
    return runs / job.name / job.eval["out"]


def _summary(nll: np.ndarray) -> dict:
    return {"mean": float(nll.mean()), "se": float(nll.std(ddof=1) / math.sqrt(len(nll))),
            "n_images": len(nll)}


def paired(a: Path, b: Path, k: int) -> dict | None:
    """Paired test-NLL difference a − b from the per-image files of two evaluation dirs;
    None unless both exist, at the same K, on the same images (same count, seed, subset)."""
    fa, fb = a / f"nll_test_k{k}.npy", b / f"nll_test_k{k}.npy"
    ea, eb = a / f"eval_k{k}.json", b / f"eval_k{k}.json"
    if not all(f.exists() for f in (fa, fb, ea, eb)):
        return None
    ja, jb = json.loads(ea.read_text()), json.loads(eb.read_text())
    same = (ja.get("seed") == jb.get("seed")
            and ja["test_nll"].get("subset") == jb["test_nll"].get("subset"))
    na, nb = np.load(fa), np.load(fb)
    if not same or na.shape != nb.shape:
        return None
    s = _summary(na - nb)
    return {"mean": s["mean"], "se": s["se"], "n_images": s["n_images"]}


def _selected_fs(run: Path, epoch: int | None):
    try:
        m = read_metrics(run)
    except (OSError, ValueError):
        return None
    row = next((r for r in m if r["epoch"] == epoch), None)
    if row is None:
        return None
    return {k: row["fs"][k] for k in ("fisher", "entropy_power", "nj_over_d")}


def queue_rows(runs: Path, queue: str, active_units=None) -> list[dict]:
    """One row per run of `queue` under `runs`; [] when none of its runs has a directory.

    `active_units(run_dir) -> int` counts the active units of a finished run's selected
    model (default :func:`.collect.active_units`).
    """
    from .queue import QUEUES, job_state, read_progress
    if active_units is None:
        from .collect import active_units
    jobs = QUEUES[queue]
    if not any((runs / j.name).is_dir() for j in jobs):
        return []
    rows = []
    for job in jobs:
        run = runs / job.name
        cfg_path = run / "config.json"
        cfg = json.loads(cfg_path.read_text()) if cfg_path.exists() else job_config(job)
        st = job_state(runs, job)
        status, ev = st["status"], st["eval"]
        row = {"run": job.name, "queue": queue, **describe(cfg), "state": st["state"],
               "K": job.eval["k"], "n_test_planned": job.eval.get("n_test")}
        if status is not None and status["stopped"] != "running":
            row.update(epochs_run=status["epochs_run"], best_epoch=status["best_epoch"],
                       best_valid_elbo=status["best_valid_elbo"], stopped=status["stopped"],
                       converged=status["stopped"] == "early-stopped",
                       train_wall_s=status.get("train_wall_s"))
        else:
            pr = read_progress(run)
            row.update(epochs_run=pr and pr["epochs_run"], best_epoch=pr and pr["best_epoch"],
                       best_valid_elbo=pr and pr["best_valid_elbo"], stopped=None,
                       converged=None, train_wall_s=None)
        finished = st["state"] == "finished"
        row.update(selected_epoch=ev["epoch"] if finished else None,
                   n_test=ev["test_nll"]["n_images"] if finished else None,
                   nll=ev["test_nll"]["mean"] if finished else None,
                   nll_se=ev["test_nll"]["se"] if finished else None,
                   train_nll=(ev.get("train_nll") or {}).get("mean") if finished else None,
                   train_nll_se=(ev.get("train_nll") or {}).get("se") if finished else None,
                   active_units=(int(active_units(run)) if finished
                                 and (run / "selected.pt").exists() else None),
                   fs_selected=_selected_fs(run, ev["epoch"]) if finished else None,
                   paired_vs=None)
        rows.append(row)
    by_name = {j.name: j for j in jobs}
    for r in rows:
        ref = next((q for q in rows if q["model"] == REFERENCE["model"]
                    and q["arch"] == REFERENCE["arch"] and q["seed"] == r["seed"]
                    and q["dataset"] == r["dataset"] and q["run"] != r["run"]
                    and q["K"] == r["K"]), None)
        r["reference"] = None if ref is None or r["run"] == ref["run"] else ref["run"]
        if ref is not None and r["nll"] is not None and ref["nll"] is not None:
            d = paired(_eval_dir(runs, by_name[r["run"]]), _eval_dir(runs, by_name[ref["run"]]),
                       r["K"])
            r["paired_vs"] = None if d is None else {"run": ref["run"], **d}
    return rows


# ----------------------------------------------------------------------------- seeds
def between_seeds(values) -> dict:
    """Mean of per-seed values, their sd and the standard error of the mean between seeds
    (sd/√n); sd and se are None with fewer than two seeds."""
    v = np.asarray(list(values), dtype=np.float64)
    n = len(v)
    sd = float(v.std(ddof=1)) if n > 1 else None
    return {"mean": float(v.mean()) if n else None, "sd_between_seeds": sd,
            "se_between_seeds": sd / math.sqrt(n) if sd is not None else None, "n_seeds": n}


def seed_means(rows: list[dict]) -> list[dict]:
    """For each setting with a finished run: the test NLL (and the paired difference to
    the reference VAE, where every finished seed has one) averaged over seeds, with
    between-seed standard errors, and the seeds still to finish."""
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault(tuple(r[k] for k in SETTING), []).append(r)
    out = []
    for key, rs in groups.items():
        done = [r for r in rs if r["nll"] is not None]
        if not done:
            continue
        entry = {**dict(zip(SETTING, key)), "setting": setting_label(rs[0]),
                 "seeds": [r["seed"] for r in done], "runs": [r["run"] for r in done],
                 "seeds_unfinished": [r["seed"] for r in rs if r["nll"] is None],
                 "nll": between_seeds(r["nll"] for r in done),
                 "train_nll": (between_seeds(r["train_nll"] for r in done)
                               if all(r["train_nll"] is not None for r in done) else None),
                 "paired_vs_reference": None}
        if all(r["paired_vs"] is not None for r in done):
            entry["paired_vs_reference"] = dict(
                between_seeds(r["paired_vs"]["mean"] for r in done),
                reference=REFERENCE["model"] + " " + REFERENCE["arch"] + ", same seed")
        out.append(entry)
    return out


# ----------------------------------------------------------------------------- markdown
def _num(v, fmt=".2f", none="—"):
    return none if v is None else format(v, fmt)


def _pm(mean, se, fmt=".2f"):
    if mean is None:
        return "—"
    return f"{mean:{fmt}} ± {se:{fmt}}" if se is not None else f"{mean:{fmt}}"


def _f(v):
    return "—" if v is None else f"{v:g}"


def _progress(r):
    if r["nll"] is not None:
        return None
    if r["epochs_run"] is None:
        return "not started"
    return (f"{r['state']}: epoch {r['epochs_run']}, best {r['best_epoch']} "
            f"({r['best_valid_elbo']:.2f})")


def _paired_cell(r):
    p = r["paired_vs"]
    if r["reference"] is None:
        return "(reference)" if r["model"] == REFERENCE["model"] and r["arch"] == \
            REFERENCE["arch"] else "—"
    return "—" if p is None else f"{p['mean']:+.2f} ± {p['se']:.2f}"


def rows_lines(rows: list[dict], train_column: bool = False,
               paper: dict | None = None) -> list[str]:
    """Markdown table of :func:`queue_rows` (test NLL ± image-level SE; unfinished runs
    say how far they got). `paper`: F -> (train, test) NLL printed by the paper."""
    head = ["run", "model", "reading", "F", "λ", "M", "arch", "seed", "epochs (best)",
            "stopped", "K", "images"]
    if paper is not None:
        head += ["paper train NLL", "paper test NLL"]
    head += ["test NLL ± SE (images)"] + (["train NLL"] if train_column else []) + [
        "− VAE same seed, paired", "active units", "tr J(z\\|x)", "N(z\\|x)"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        prog = _progress(r)
        cells = [r["run"], r["model"].upper(), {"per_dim": "per-dim", "trace": "trace",
                                                None: "—"}[r["reading"]],
                 _f(r["F"]), _f(r["lambda"]), _f(r["M"]), r["arch"], str(r["seed"])]
        if prog is not None:
            ep = "—" if r["epochs_run"] is None else f"{r['epochs_run']} ({r['best_epoch']})"
            cells += [ep, "—", str(r["K"]), "—"]
        else:
            cells += [f"{r['epochs_run']} ({r['best_epoch']})", r["stopped"], str(r["K"]),
                      str(r["n_test"])]
        if paper is not None:
            p = paper.get(_f(r["F"])) if r["model"] == "fae" else None
            cells += [_num(p and p[0]), _num(p and p[1])]
        if prog is not None:
            cells += [f"not finished ({prog})"] + (["—"] if train_column else []) + [
                "—", "—", "—", "—"]
        else:
            fs = r["fs_selected"] or {}
            cells += [_pm(r["nll"], r["nll_se"])]
            if train_column:
                cells += [_pm(r["train_nll"], r["train_nll_se"])]
            cells += [_paired_cell(r), _num(r["active_units"], "d"),
                      _num(fs.get("fisher"), ".3g"), _num(fs.get("entropy_power"), ".3g")]
        out.append("| " + " | ".join(cells) + " |")
    return out


def means_lines(means: list[dict], train_column: bool = False) -> list[str]:
    """Markdown table of :func:`seed_means`: every ± is a between-seed standard error."""
    head = ["setting", "seeds", "test NLL, mean ± SE between seeds", "SD between seeds"]
    head += (["train NLL, mean ± SE between seeds"] if train_column else []) + [
        "− VAE same seed, paired: mean ± SE between seeds"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for m in means:
        n = m["nll"]
        seeds = ", ".join(map(str, m["seeds"]))
        if m["seeds_unfinished"]:
            seeds += f" (unfinished: {', '.join(map(str, m['seeds_unfinished']))})"
        one = " (one seed: no between-seed SE)" if n["n_seeds"] < 2 else ""
        cells = [m["setting"], seeds, _pm(n["mean"], n["se_between_seeds"]) + one,
                 _num(n["sd_between_seeds"])]
        if train_column:
            t = m["train_nll"]
            cells += ["—" if t is None else _pm(t["mean"], t["se_between_seeds"])]
        p = m["paired_vs_reference"]
        is_ref = m["model"] == REFERENCE["model"] and m["arch"] == REFERENCE["arch"]
        cells += ["(reference)" if is_ref else "—" if p is None
                  else (f"{p['mean']:+.2f} ± {p['se_between_seeds']:.2f}"
                        if p["se_between_seeds"] is not None
                        else f"{p['mean']:+.2f} (one seed)")]
        out.append("| " + " | ".join(cells) + " |")
    return out


def table2_paper() -> dict:
    """The paper's Table 2 NLLs, F -> (train, test)."""
    return dict(TABLE2_PAPER)
