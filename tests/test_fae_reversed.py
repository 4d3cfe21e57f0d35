"""The pseudo-labelled reversed-MNIST training set (examples/fae/pseudolabel.py) and the
FS-trajectory statement (examples/fae/trajectory.py).

Truths: exact binomial intervals in closed form (k = 0 and k = n), counts fixed by
construction, trajectories built exactly on (or across) N·J = const curves.
"""

import json
from pathlib import Path

import numpy as np
import pytest

from examples.fae import pseudolabel
from examples.fae.data import default_data_dir, reversed_mnist_from_index

ROOT = Path(__file__).resolve().parent.parent


# ----------------------------------------------------------------------------- selection
@pytest.mark.parametrize("n", [1, 7, 980])
def test_clopper_pearson_closed_forms(n):
    # k = 0: upper end solves (1 - p)^n = α/2; k = n: lower end solves p^n = α/2
    assert pseudolabel.clopper_pearson(0, n) == pytest.approx((0.0, 1 - 0.025 ** (1 / n)))
    assert pseudolabel.clopper_pearson(n, n) == pytest.approx((0.025 ** (1 / n), 1.0))
    with pytest.raises(ValueError, match="0 <= k <= n"):
        pseudolabel.clopper_pearson(n + 1, n)


def test_select_confident_takes_the_largest_above_the_floor():
    p = np.array([0.2, 0.95, 0.99, 0.95, 0.6, 0.91])
    assert pseudolabel.select_confident(p, 3, 0.9).tolist() == [2, 1, 3]   # ties by index
    assert pseudolabel.select_confident(p, 10, 0.9).tolist() == [2, 1, 3, 5]
    assert pseudolabel.select_confident(p, 0, 0.9).tolist() == []


def test_noise_at_threshold_counts_the_wrong_labels():
    p0 = np.array([0.99, 0.97, 0.95, 0.5, 0.96])
    y = np.array([0, 3, 0, 0, 0])
    r = pseudolabel.noise_at_threshold(p0, y, 0.95)
    assert (r["n"], r["wrong"], r["rate"]) == (4, 1, 0.25)
    assert r["ci95"] == pytest.approx(pseudolabel.clopper_pearson(1, 4))


def test_stratified_folds_spread_each_class_evenly(rng):
    y = rng.integers(0, 10, 503)
    fold = pseudolabel.stratified_folds(y, 5, 0)
    for c in range(10):
        counts = np.bincount(fold[y == c], minlength=5)
        assert counts.max() - counts.min() <= 1


def _fake_data(rng):
    # 40 unlabelled images, 60 labelled: 12 zeros and 6 of each other digit... (16 pixels)
    y = np.concatenate([np.zeros(12, int), np.repeat(np.arange(1, 10), 6)])
    return {"x_train": rng.integers(0, 2, (40, 16)).astype(np.uint8),
            "x_test": rng.integers(0, 2, (len(y), 16)).astype(np.uint8), "y_test": y}


def test_build_index_fills_the_majority_and_keeps_the_ratio(tmp_path, rng):
    d = _fake_data(rng)
    p0 = np.linspace(0.0, 1.0, 40)                  # 4 images reach 0.92..1.0
    idx = pseudolabel.build_index(d["x_train"], d["x_test"], d["y_test"], p0, n_zero=30,
                                  ratio=6.0, min_p0=0.9, seed=3)
    # 12 labelled zeros + the 4 unlabelled images with P(0) >= 0.9 = 16 zeros; 16/6 -> 3
    assert (idx["n_majority"], idx["n_majority_pseudo"], idx["n_other_each"]) == (16, 4, 3)
    assert len(idx["index"]) == 16 + 9 * 3
    pseudo = idx["pseudo"]
    assert sorted(idx["index"][pseudo].tolist()) == [36, 37, 38, 39]
    assert (idx["label"][pseudo] == 0).all() and (idx["source"][pseudo] == 0).all()
    lab = ~pseudo
    assert (idx["label"][lab] == d["y_test"][idx["index"][lab]]).all()
    assert np.bincount(idx["label"], minlength=10).tolist() == [16] + [3] * 9
    assert idx["threshold"] == pytest.approx(p0[36])
    # round trip through the index file, and a check that catches other data
    path = tmp_path / "i.npz"
    pseudolabel.save_index(path, idx)
    x, y = reversed_mnist_from_index(d, path)
    expect = np.where(pseudo[:, None], d["x_train"][np.where(pseudo, idx["index"], 0)],
                      d["x_test"][np.where(pseudo, 0, idx["index"])])
    assert (x == expect).all() and (y == idx["label"]).all()
    d2 = dict(d, x_train=1 - d["x_train"])
    with pytest.raises(ValueError, match="SHA-256"):
        reversed_mnist_from_index(d2, path)
    with pytest.raises(ValueError, match="does not exist"):
        reversed_mnist_from_index(d, tmp_path / "none.npz")


def test_committed_index_on_the_real_data():
    from examples.fae.data import load_binarized_mnist
    path = ROOT / "examples" / "fae" / "reversed_mnist_pl.npz"
    if not path.exists():
        pytest.skip("examples/fae/reversed_mnist_pl.npz not built")
    try:
        d = load_binarized_mnist(default_data_dir())
    except ValueError:
        pytest.skip("binarized MNIST not found")
    x, y = reversed_mnist_from_index(d, path)
    with np.load(path) as f:
        src, idx, pseudo, p0 = f["source"], f["index"], f["pseudo"], f["p_majority"]
    report = json.loads((ROOT / "docs" / "results" / "reversed_mnist_pl.json").read_text())
    sel = report["selection"]
    counts = np.bincount(y, minlength=10)
    # every labelled zero, the pseudo-labelled ones, round(zeros / 58) of each other digit
    n_lab0 = int((d["y_test"] == 0).sum())
    assert counts[0] == sel["n_zero"] == n_lab0 + pseudo.sum()
    assert (counts[1:] == round(counts[0] / 58)).all() and len(x) == sel["n_train"]
    assert (src[pseudo] == 0).all() and (src[~pseudo] == 1).all() and (y[pseudo] == 0).all()
    assert (d["y_test"][idx[~pseudo]] == y[~pseudo]).all()
    assert len(np.unique(idx[~pseudo & (y == 0)])) == n_lab0
    assert len(np.unique(idx[pseudo])) == pseudo.sum() == sel["n_zero_pseudo"]
    assert p0[pseudo].min() >= sel["min_p0"]
    assert report["sha256_of_training_pixels"] == str(np.load(path)["sha256"])


# ----------------------------------------------------------------------------- trajectory
def test_nj_stats_on_and_across_the_curves():
    from examples.fae.trajectory import ALONG, nj_stats
    n = np.geomspace(1.0, 0.01, 9)
    on = nj_stats(n, 40 * 3.0 / n, 40)              # N·J/d = 3 exactly
    assert on["sd_log_NJ"] == pytest.approx(0, abs=1e-12) and on["along"]
    assert on["slope_logJ_on_logN"] == pytest.approx(-1)
    assert on["NJ_over_d_first"] == pytest.approx(3) and not on["near_stam_bound"]
    flat = nj_stats(n, np.full(9, 500.0), 40)        # J fixed: log NJ moves with log N
    assert flat["ratio"] == pytest.approx(1) and flat["slope_logJ_on_logN"] == pytest.approx(0)
    assert not flat["along"]
    half = nj_stats(n, 40 / np.sqrt(n), 40)          # J ∝ N^(-1/2): ratio 1/2
    assert half["ratio"] == pytest.approx(0.5) and (half["ratio"] <= ALONG) is half["along"]
    assert nj_stats(n[:2], n[:2], 40) is None


def test_trajectory_script_on_tiny_runs(tmp_path, monkeypatch):
    pytest.importorskip("torch")
    pytest.importorskip("sklearn")
    from examples.fae import train, trajectory
    runs = tmp_path / "runs"
    base = ["--dataset", "digits", "--latent", "3", "--hidden", "16", "--layers", "1",
            "--epochs", "5", "--kl-warmup", "1", "--fs-subset", "60", "--no-progress"]
    train.main(base + ["--model", "vae", "--run-dir", str(runs / "a")])
    train.main(base + ["--model", "fae", "--run-dir", str(runs / "b")])
    doc = tmp_path / "R.md"
    doc.write_text("<!-- nj_statement:start -->\n<!-- nj_statement:end -->\n")
    args = ["--runs", str(runs), "--names", "a", "b", "--out", str(tmp_path / "res"),
            "--fig", str(tmp_path / "fig"), "--doc", str(doc), "--n-mc", "300"]
    assert trajectory.main(args) == 0
    res = json.loads((tmp_path / "res" / trajectory.JSON_NAME).read_text())
    assert [p["epoch"] for p in res["trajectories"]["a"]["points"]] == [1, 2, 3, 4, 5]
    st = res["statement"]["b"]["aggregate_after_warmup"]
    pts = [p for p in res["trajectories"]["b"]["points"] if p["epoch"] > 1]
    x = np.log([p["aggregate_entropy_power"] for p in pts])
    y = np.log([p["aggregate_fisher"] for p in pts])
    assert st["ratio"] == pytest.approx(np.std(x + y, ddof=1) / np.std(x, ddof=1))
    assert (tmp_path / "fig" / trajectory.PNG_NAME).stat().st_size > 0
    assert "| b | FAE" in doc.read_text()
    # rerun: nothing recomputed, nothing lost, even when an encodings file has gone
    calls = []
    monkeypatch.setattr(trajectory, "fs_points", lambda *a: calls.append(a))
    (runs / "a" / "encodings" / "epoch_0003.npz").unlink()
    assert trajectory.main(args) == 0 and calls == []
    again = json.loads((tmp_path / "res" / trajectory.JSON_NAME).read_text())
    assert again["trajectories"] == res["trajectories"]
