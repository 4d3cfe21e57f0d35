"""Tables of the queue runs (issue 13): rows, paired differences, between-seed standard
errors, never less than before; the queue's view of runs still training; the summary of
the committed JSON.

Expected values are computed here from the synthetic per-image NLLs with the statistics
module and plain sums, not with the code under test. Every run directory is in tmp_path.
"""

import json
import math
import shutil
import statistics
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from examples.fae import collect, qtables, queue  # noqa: E402

DOCS = Path(__file__).resolve().parent.parent / "docs"
JOBS = {j.name: j for j in queue.QUEUES["recipe"]}
ALL_JOBS = {j.name: j for q in queue.QUEUES.values() for j in q}


def _status(epochs, best, stopped="early-stopped"):
    return {"epochs_run": epochs, "best_epoch": best, "best_valid_elbo": -90.0 - best / 100,
            "stopped": stopped, "epochs_since_best": epochs - best, "train_wall_s": 1.0}


def _metrics(run: Path, epochs: int, elbo=lambda e: -100.0 + e / 10, partial=False):
    fs = {"fisher": 500.0, "entropy": -10.0, "entropy_power": 0.3, "nj_over_d": 3.75}
    text = "".join(json.dumps({"epoch": e, "step": 10 * e, "valid_elbo": elbo(e), "fs": fs,
                               "epoch_s": 2.0}) + "\n" for e in range(1, epochs + 1))
    (run / "metrics.jsonl").write_text(text + ('{"epoch": ' if partial else ""))


def make_queue_run(runs: Path, name: str, nll=None, *, epochs=12, best=9, select="best",
                   status=True, k=None, out=None):
    """A run of the recipe queue as train/evaluate leave it. `nll`: per-image test NLLs
    (then it is evaluated: finished); `status` False: still training (no status.json)."""
    job = ALL_JOBS.get(name)
    run = runs / name
    run.mkdir(parents=True)
    cfg = dict(qtables.job_config(job), select=select) if job else {"select": select}
    (run / "config.json").write_text(json.dumps(cfg))
    _metrics(run, epochs)
    (run / "last.pt").write_bytes(b"")
    if status:
        (run / "status.json").write_text(json.dumps(_status(epochs, best)))
    if nll is not None:
        k = k or (job.eval["k"] if job else 5000)
        ev = run / (out or (job.eval["out"] if job else "fulltest"))
        ev.mkdir()
        n = len(nll)
        res = {"mean": float(np.mean(nll)), "se": float(np.std(nll, ddof=1) / math.sqrt(n)),
               "n_images": n, "subset": "all", "wall_s": 1.0}
        epoch = epochs if select == "last" else best
        (ev / f"eval_k{k}.json").write_text(json.dumps(
            {"run": name, "checkpoint": "selected.pt", "epoch": epoch, "k": k, "seed": 0,
             "test_nll": res}))
        np.save(ev / f"nll_test_k{k}.npy", np.asarray(nll, dtype=np.float64))
        (run / "selected.pt").write_bytes(b"")      # read only by active_units (replaced)
    return run


@pytest.fixture
def recipe_runs(tmp_path, rng):
    """VAE seeds 0-2 and FAE per-dim F=20 λ=40 seeds 0-1 finished, FAE seed 2 training,
    the 2x300 VAE finished; the other runs of the queue not started."""
    runs = tmp_path / "runs"
    nll = {}
    for s in range(3):
        nll[f"r_vae_s{s}"] = 95 + 3 * rng.standard_normal(50) + s
        nll[f"r_fae_pd_f20_l40_s{s}"] = nll[f"r_vae_s{s}"] - 1 + 0.5 * rng.standard_normal(50)
    nll["r_vae2x300_s0"] = nll["r_vae_s0"] + 2 + rng.standard_normal(50)
    for name, v in nll.items():
        if name == "r_fae_pd_f20_l40_s2":
            make_queue_run(runs, name, status=False, epochs=7)
        else:
            make_queue_run(runs, name, v)
    return runs, nll


def _units(run):
    return 7 if "fae" in run.name else 5


def test_queue_rows_list_every_run_with_image_level_and_paired_errors(recipe_runs):
    runs, nll = recipe_runs
    rows = {r["run"]: r for r in qtables.queue_rows(runs, "recipe", active_units=_units)}
    assert list(rows) == list(JOBS)                  # every run, in queue order
    r = rows["r_fae_pd_f20_l40_s1"]
    v = nll["r_fae_pd_f20_l40_s1"]
    assert (r["model"], r["reading"], r["F"], r["lambda"], r["M"], r["arch"], r["seed"]) == \
        ("fae", "per_dim", 20.0, 40.0, None, "5x300", 1)
    assert (r["state"], r["epochs_run"], r["best_epoch"], r["stopped"], r["converged"]) == \
        ("finished", 12, 9, "early-stopped", True)
    assert (r["K"], r["n_test"], r["active_units"]) == (5000, 50, 7)
    assert r["nll"] == pytest.approx(statistics.fmean(v))
    assert r["nll_se"] == pytest.approx(statistics.stdev(v) / math.sqrt(50))
    d = [a - b for a, b in zip(v, nll["r_vae_s1"])]
    assert r["paired_vs"]["run"] == "r_vae_s1"
    assert r["paired_vs"]["mean"] == pytest.approx(statistics.fmean(d))
    assert r["paired_vs"]["se"] == pytest.approx(statistics.stdev(d) / math.sqrt(50))
    # the 2x300 VAE is compared with the 5x300 VAE of its seed; that VAE is the reference
    assert rows["r_vae2x300_s0"]["paired_vs"]["run"] == "r_vae_s0"
    assert rows["r_vae_s0"]["reference"] is None and rows["r_vae_s0"]["paired_vs"] is None
    # a run still training: listed with its progress, no NLL; a run not started: listed
    t = rows["r_fae_pd_f20_l40_s2"]
    assert (t["state"], t["epochs_run"], t["best_epoch"], t["nll"], t["stopped"]) == \
        ("training", 7, 7, None, None)
    n = rows["r_mae_m10_s0"]
    assert (n["state"], n["epochs_run"], n["nll"], n["model"], n["M"], n["C"]) == \
        ("new", None, None, "mae", 10.0, 1.0)
    assert rows["r_vae_gated2x300_s0"]["arch"] == "gated2x300"
    assert rows["r_fae_tr_f20_l1_s0"]["reading"] == "trace"


def test_seed_means_use_the_between_seed_standard_error(recipe_runs):
    runs, nll = recipe_runs
    rows = qtables.queue_rows(runs, "recipe", active_units=_units)
    means = {m["setting"]: m for m in qtables.seed_means(rows)}
    vae = means["VAE"]
    per_seed = [statistics.fmean(nll[f"r_vae_s{s}"]) for s in range(3)]
    assert vae["seeds"] == [0, 1, 2] and vae["nll"]["n_seeds"] == 3
    assert vae["nll"]["mean"] == pytest.approx(statistics.fmean(per_seed))
    se = statistics.stdev(per_seed) / math.sqrt(3)
    assert vae["nll"]["se_between_seeds"] == pytest.approx(se)
    fae = means["FAE per-dim F=20 λ=40"]
    assert fae["seeds"] == [0, 1] and fae["seeds_unfinished"] == [2]
    diffs = [statistics.fmean(nll[f"r_fae_pd_f20_l40_s{s}"] - nll[f"r_vae_s{s}"])
             for s in range(2)]
    p = fae["paired_vs_reference"]
    assert p["mean"] == pytest.approx(statistics.fmean(diffs))
    assert p["se_between_seeds"] == pytest.approx(statistics.stdev(diffs) / math.sqrt(2))
    # the between-seed SE is not the image-level one (which would be ~0.07 here)
    image_level = math.sqrt(sum(np.var(nll[f"r_fae_pd_f20_l40_s{s}"] - nll[f"r_vae_s{s}"],
                                       ddof=1) / 50 for s in range(2))) / 2
    assert p["se_between_seeds"] != pytest.approx(image_level, rel=0.05)
    one = means["VAE (2x300)"]
    assert one["nll"]["n_seeds"] == 1 and one["nll"]["se_between_seeds"] is None
    lines = "\n".join(qtables.means_lines(list(means.values())))
    assert "one seed: no between-seed SE" in lines


def test_collect_recipe_never_replaces_a_finished_row_with_less(recipe_runs, tmp_path,
                                                                capsys, monkeypatch):
    runs, _ = recipe_runs
    monkeypatch.setattr(collect, "active_units", _units)
    out = tmp_path / "res"
    doc = tmp_path / "RESULTS.md"
    doc.write_text("x\n<!-- recipe:start -->\n<!-- recipe:end -->\n"
                   "<!-- recipe_means:start -->\n<!-- recipe_means:end -->\n")
    args = ["--runs", str(runs), "--out", str(out), "--doc", str(doc), "--only", "recipe",
            "recipe_means"]
    assert collect.main(args) == 0
    rows = json.loads((out / "table1_recipe.json").read_text())
    assert isinstance(rows, list) and len(rows) == len(JOBS)
    for key in ("model", "reading", "F", "M", "lambda", "arch", "seed", "epochs_run",
                "best_epoch", "stopped", "converged", "K", "n_test", "nll", "nll_se",
                "active_units", "paired_vs"):
        assert all(key in r for r in rows), key
    text = doc.read_text()
    assert "not finished (training: epoch 7" in text and "(not started)" in text
    before = {p: p.read_bytes() for p in out.iterdir()}
    # an evaluation goes missing: the row would lose its NLL, the mean a seed
    shutil.rmtree(runs / "r_vae_s1" / "fulltest")
    capsys.readouterr()
    assert collect.main(args) == 1
    msg = capsys.readouterr().out
    assert "table1_recipe.json: the runs under" in msg and "r_vae_s1" in msg
    assert "table1_recipe_means.json: the runs under" in msg
    assert {p: p.read_bytes() for p in out.iterdir()} == before
    assert collect.main(args + ["--force"]) == 0
    rows = {r["run"]: r for r in json.loads((out / "table1_recipe.json").read_text())}
    assert rows["r_vae_s1"]["nll"] is None


def test_runs_of_another_queue_give_nothing_to_write(tmp_path, capsys):
    runs = tmp_path / "runs"
    runs.mkdir()
    assert collect.main(["--runs", str(runs), "--out", str(tmp_path / "res"), "--doc", "",
                         "--only", "recipe", "table2_pl"]) == 1
    assert capsys.readouterr().out.count("nothing to write") == 2
    assert not (tmp_path / "res").exists()


# ----------------------------------------------------------------------------- queue
def test_select_last_runs_are_finished_at_their_last_epoch(tmp_path, rng):
    runs = tmp_path / "runs"
    job = queue.QUEUES["table2"][0]
    assert "--select" in job.args and job.eval["k"] == 1000 and job.eval["n_train"] == 1000
    run = make_queue_run(runs, job.name, rng.standard_normal(5), epochs=10, best=7,
                         select="last", k=1000, out=job.eval["out"])
    assert queue.job_state(runs, job)["state"] == "finished"
    ev = run / job.eval["out"] / "eval_k1000.json"
    ev.write_text(json.dumps(dict(json.loads(ev.read_text()), epoch=7)))
    assert queue.job_state(runs, job)["state"] == "stale-eval"


def test_status_shows_the_progress_of_a_run_still_training(tmp_path):
    runs = tmp_path / "runs"
    run = runs / "r_vae_s0"
    run.mkdir(parents=True)
    (run / "config.json").write_text(json.dumps({"kl_warmup": 2}))
    # valid ELBO rises to epoch 4, then falls: 3 epochs since the best, all after warm-up
    _metrics(run, 7, elbo=lambda e: -100.0 + e if e <= 4 else -100.0 + 8 - e, partial=True)
    (run / "last.pt").write_bytes(b"")
    pr = queue.read_progress(run)
    assert (pr["epochs_run"], pr["best_epoch"], pr["best_valid_elbo"],
            pr["last_valid_elbo"], pr["epochs_since_best"]) == (7, 4, -96.0, -99.0, 3)
    line = next(ln for ln in queue.status_table("recipe", runs).splitlines()
                if ln.startswith("r_vae_s0 "))
    assert "training" in line and " 7 " in line and "-96.00" in line
    assert "interrupted" in line and "3 since best" in line


# ----------------------------------------------------------------------------- summary
def test_summary_of_the_committed_json_uses_seed_level_errors(tmp_path):
    out = tmp_path / "results"
    shutil.copytree(DOCS / "results", out)
    data, lines = collect.summary_section(out)
    fin = json.loads((out / "table1_final.json").read_text())
    per = [q["mean_a_minus_b"] for q in fin["paired"] if q["seed"] != "mean"]
    assert len(per) == 3
    m = data["final"]["paired_mean"]
    assert m["mean"] == pytest.approx(statistics.fmean(per))
    assert m["se_between_seeds"] == pytest.approx(statistics.stdev(per) / math.sqrt(3))
    warm = json.loads((out / "table1_warmup.json").read_text())
    vae = [r["test_nll"]["mean"] for t in warm.values() for r in t["rows"]
           if r["model"] == "VAE"]
    lo, hi = data["warmup_vae_minus_89.78_range"]
    assert (lo, hi) == pytest.approx((min(vae) - 89.78, max(vae) - 89.78))
    assert any("SE between 3 seeds" in ln for ln in lines)
    rep = json.loads((out / "reversed_mnist_pl.json").read_text())
    noise = data["reversed_mnist_pl"]
    n_p = rep["selection"]["n_zero_pseudo"]
    k, n = (rep["label_noise"]["cv_at_threshold"][x] for x in ("wrong", "n"))
    assert noise["expected_wrong_pseudo_cv"] == pytest.approx(k / n * n_p)
    assert noise["expected_wrong_fraction_of_train_cv"] == pytest.approx(
        k / n * n_p / rep["selection"]["n_train"])


def test_final_from_json_changes_only_the_seed_mean(tmp_path, capsys):
    out = tmp_path / "results"
    shutil.copytree(DOCS / "results", out)
    old = json.loads((out / "table1_final.json").read_text())
    empty = tmp_path / "runs"
    empty.mkdir()
    assert collect.main(["--runs", str(empty), "--out", str(out), "--doc", "", "--only",
                         "final", "warmup", "--from-json"]) == 0
    new = json.loads((out / "table1_final.json").read_text())
    assert new["rows"] == old["rows"] and new["subset_check"] == old["subset_check"]
    per_old = [q for q in old["paired"] if q["seed"] != "mean"]
    assert [q for q in new["paired"] if q["seed"] != "mean"] == per_old
    mean = next(q for q in new["paired"] if q["seed"] == "mean")
    vals = [q["mean_a_minus_b"] for q in per_old]
    assert mean["se"] == pytest.approx(statistics.stdev(vals) / math.sqrt(len(vals)))
    assert "(SE between seeds; sd 2.59)" in capsys.readouterr().out
    # a second pass is a no-op
    before = (out / "table1_final.json").read_bytes()
    assert collect.main(["--runs", str(empty), "--out", str(out), "--doc", "", "--only",
                         "final", "--from-json"]) == 0
    assert (out / "table1_final.json").read_bytes() == before


def test_thinner_sees_lost_values_and_lost_seeds():
    assert collect._thinner({"nll": 90.0, "state": "finished"}, {"nll": None, "state": "new"})
    assert collect._thinner({"nll": {"n_seeds": 3}}, {"nll": {"n_seeds": 2}})
    assert not collect._thinner({"nll": None}, {"nll": 90.0})
    assert not collect._thinner({"nll": {"n_seeds": 2}}, {"nll": {"n_seeds": 3}})
    assert not collect._thinner({"status": "x", "a": 1}, {"a": 2})


def test_table2_queue_and_its_rows(tmp_path, rng):
    jobs = queue.QUEUES["table2"]
    cfgs = {j.name: qtables.job_config(j) for j in jobs}
    assert all(c["dataset"] == "reversed-mnist-pl" and c["select"] == "last"
               and c["patience"] is None and c["epochs"] == 400 for c in cfgs.values())
    fae = [c for c in cfgs.values() if c["model"] == "fae"]
    for scale, lam in (("per-dim", 40.0), ("trace", 1.0)):
        got = [(c["f_z"], c["seed"]) for c in fae if c["fisher_scale"] == scale]
        assert sorted(got) == sorted((f, s) for f in (20.0, 10.0, 5.0, 0.1) for s in (0, 1))
        assert {c["lambda_z"] for c in fae if c["fisher_scale"] == scale} == {lam}
    # one finished FAE run and its same-seed VAE: paired difference, train NLL, paper's NLLs
    runs = tmp_path / "runs"
    first, vae = jobs[0], next(j for j in jobs if cfgs[j.name]["model"] == "vae")
    a, b = 150 + rng.standard_normal(30), 160 + rng.standard_normal(30)
    for job, v in ((first, a), (vae, b)):
        run = make_queue_run(runs, job.name, v, epochs=400, best=120, select="last", k=1000,
                             out=job.eval["out"])
        ev = run / job.eval["out"] / "eval_k1000.json"
        e = json.loads(ev.read_text())
        e["train_nll"] = {"mean": 100.0, "se": 1.0, "n_images": 1000}
        ev.write_text(json.dumps(e))
    rows = {r["run"]: r for r in qtables.queue_rows(runs, "table2", active_units=_units)}
    r = rows[first.name]
    assert r["state"] == "finished" and r["selected_epoch"] == 400 and r["train_nll"] == 100.0
    assert r["paired_vs"]["mean"] == pytest.approx(statistics.fmean(a - b))
    lines = qtables.rows_lines(list(rows.values()), train_column=True,
                               paper=qtables.table2_paper())
    assert "| 94.48 | 164.56 |" in next(ln for ln in lines if ln.startswith(f"| {first.name} "))
