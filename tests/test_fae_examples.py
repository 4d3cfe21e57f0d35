"""Smoke and behaviour tests of examples/fae: data, objectives, training (seconds each)."""

import json
import math

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("sklearn")

from examples.fae import train as fae_train  # noqa: E402
from examples.fae.data import (check_binary_images, default_data_dir,  # noqa: E402
                               load_amat, load_binarized_digits, load_binarized_mnist,
                               reversed_mnist)
from examples.fae.evaluate import evaluate_run, iwae_nll  # noqa: E402
from examples.fae.models import VAE  # noqa: E402
from examples.fae.objectives import aggregate_entropy_mss  # noqa: E402

DATA = default_data_dir()
HAVE_MNIST = (DATA / "binarized_mnist.npz").is_file()
needs_mnist = pytest.mark.skipif(not HAVE_MNIST, reason=f"no binarized_mnist.npz in {DATA}")

SMALL = ["--dataset", "digits", "--latent", "4", "--hidden", "64", "--layers", "2",
         "--no-progress", "--fs-subset", "100"]


def _cfg(tmp_path, name, *extra):
    args = fae_train.build_parser().parse_args(SMALL + ["--run-dir", str(tmp_path / name),
                                                        *extra])
    return vars(args)


# ----------------------------------------------------------------------------- loaders
@pytest.mark.parametrize("bad, match", [
    (np.zeros((2, 3, 4)), "shape"),
    (np.zeros((0, 784)), "empty"),
    (np.full((2, 784), 0.5), "only 0 and 1"),
    (np.full((2, 784), np.nan), "only 0 and 1"),
    (np.zeros((2, 783)), "784 pixels"),
])
def test_check_binary_images_rejects(bad, match):
    with pytest.raises(ValueError, match=match):
        check_binary_images(bad, n_pixels=784)


def test_check_binary_images_rejects_strings():
    with pytest.raises(TypeError, match="numeric"):
        check_binary_images(np.array([["a", "b"]]))


def test_amat_round_trip(tmp_path, rng):
    x = (rng.random((5, 784)) < 0.3).astype(np.uint8)
    p = tmp_path / "binarized_mnist_test.amat"
    p.write_text("\n".join(" ".join(str(v) for v in row) for row in x) + "\n")
    np.testing.assert_array_equal(load_amat(p), x)
    p.write_text("0 1 2\n")
    with pytest.raises(ValueError):
        load_amat(p, n_pixels=3)


def test_mnist_dir_checks(tmp_path):
    with pytest.raises(ValueError, match="neither"):
        load_binarized_mnist(tmp_path)
    np.savez(tmp_path / "binarized_mnist.npz", x_train=np.zeros((10, 784), np.uint8),
             x_valid=np.zeros((10, 784), np.uint8), x_test=np.zeros((10, 784), np.uint8))
    with pytest.raises(ValueError, match="50000 images"):
        load_binarized_mnist(tmp_path)


@needs_mnist
def test_mnist_npz_matches_published_statistics():
    d = load_binarized_mnist(DATA)
    assert d["x_train"].shape == (50000, 784) and d["x_test"].shape == (10000, 784)
    # pixel means quoted in the data README (Larochelle & Murray binarization)
    assert abs(d["x_train"].mean() - 0.1306) < 5e-4
    assert abs(d["x_test"].mean() - 0.1325) < 5e-4
    xr, yr = reversed_mnist(d["x_test"], d["y_test"], ratio=58.0, rng=0)
    counts = np.bincount(yr, minlength=10)
    assert counts[0] == 980 and (counts[1:] == round(980 / 58)).all()


def test_digits_and_reversed_builder():
    d = load_binarized_digits()
    assert d["x_train"].shape == (1197, 64) and set(np.unique(d["x_train"])) == {0, 1}
    xr, yr = reversed_mnist(d["x_train"], d["y_train"], majority=3, ratio=10.0, rng=1)
    counts = np.bincount(yr, minlength=10)
    n3 = (d["y_train"] == 3).sum()
    assert counts[3] == n3 and (np.delete(counts, 3) == round(n3 / 10)).all()
    with pytest.raises(ValueError, match="ratio"):
        reversed_mnist(d["x_train"], d["y_train"], ratio=0.0)


# ----------------------------------------------------------------------------- objectives
def test_mss_entropy_of_identical_posteriors(rng):
    # all q(z|x_j) = N(0, I): q(z) = N(0, I) and H(z) = d/2 log(2πe) exactly
    torch.manual_seed(0)
    b, d = 400, 3
    z = torch.randn(b, d, dtype=torch.float64)
    zeros = torch.zeros(b, d, dtype=torch.float64)
    h = float(aggregate_entropy_mss(z, zeros, zeros, n_data=10000))
    per = 0.5 * (z ** 2).sum(1) + 0.5 * d * math.log(2 * math.pi)
    se = float(per.std()) / math.sqrt(b)
    assert abs(h - 0.5 * d * math.log(2 * math.pi * math.e)) < 4 * se


def test_iwae_bound_matches_quadrature():
    # 1-D latent: log p(x) = log ∫ p(x|z) N(z; 0, 1) dz by dense trapezoid quadrature
    torch.manual_seed(3)
    x = torch.as_tensor(load_binarized_digits()["x_test"][:4], dtype=torch.float32)
    model = VAE(n_pixels=64, latent=1, hidden=32, n_layers=1).double()
    grid = torch.linspace(-9, 9, 6001, dtype=torch.float64)[:, None, None]
    with torch.no_grad():
        logj = model.log_px_z(x.double(), grid.expand(-1, 4, 1)) - 0.5 * grid[..., 0] ** 2 \
            - 0.5 * math.log(2 * math.pi)
        exact = -(torch.logsumexp(logj, 0) + math.log(float(grid[1, 0, 0] - grid[0, 0, 0])))
    nll = iwae_nll(model, x.double(), k=4000, generator=torch.Generator().manual_seed(0))
    nll1 = iwae_nll(model, x.double(), k=1, generator=torch.Generator().manual_seed(0))
    gap = nll - exact.numpy()
    assert (gap > -0.05).all() and (gap < 0.3).all(), gap
    assert nll.mean() <= nll1.mean() + 1e-9


# ----------------------------------------------------------------------------- training
def _closed_form_fs(logvar):
    """The metrics' ``fs`` entry in NumPy: J = mean_x Σ_j 1/σ_j², H = mean_x ½ Σ_j log(2πe σ_j²)."""
    lv = np.asarray(logvar, dtype=np.float64)
    d = lv.shape[1]
    j = np.exp(-lv).sum(1).mean()
    h = (0.5 * (lv + np.log(2 * np.pi * np.e))).sum(1).mean()
    n = np.exp(2 * h / d) / (2 * np.pi * np.e)
    return {"fisher": j, "entropy": h, "entropy_power": n, "nj_over_d": n * j / d}


class _FixedEncoder:
    """A stand-in model whose posteriors are set by hand, the same for every batch."""

    def __init__(self, var):
        self.logvar = torch.log(torch.as_tensor(var, dtype=torch.float64))

    def encode(self, x):
        return torch.zeros_like(self.logvar), self.logvar

    def eval(self):
        return self

    def train(self):
        return self


def test_logged_fs_point_of_hand_set_posteriors():
    # σ² rows (1, 4, 1/4) and (1/2, 2, 8): by hand J = mean(1 + 1/4 + 4, 2 + 1/2 + 1/8)
    # = 3.9375; H = 3/2 log(2πe) + 1/4 log 8; N = exp(2H/3)/(2πe) = 8^(1/6) = √2
    model = _FixedEncoder([[1.0, 4.0, 0.25], [0.5, 2.0, 8.0]])
    _, _, fs = fae_train.encoder_fs(model, torch.zeros(2, 5))
    h = 1.5 * math.log(2 * math.pi * math.e) + 0.25 * math.log(8)
    assert fs == pytest.approx({"fisher": 3.9375, "entropy": h, "entropy_power": math.sqrt(2),
                                "nj_over_d": math.sqrt(2) * 3.9375 / 3}, rel=1e-12)
    # random posteriors against the NumPy closed form
    var = np.random.default_rng(5).lognormal(0.0, 2.0, size=(50, 7))
    _, _, fs = fae_train.encoder_fs(_FixedEncoder(var), torch.zeros(50, 5))
    assert fs == pytest.approx(_closed_form_fs(np.log(var)), rel=1e-12)


def test_larger_fisher_target_gives_smaller_posterior_variance(tmp_path):
    mean_var = {}
    for f in (0.5, 20.0):
        cfg = _cfg(tmp_path, f"f{f}", "--model", "fae", "--f-z", str(f), "--fisher-scale",
                   "per-dim", "--lambda-z", "5", "--epochs", "6", "--lr", "3e-3")
        run = fae_train.train(cfg)
        rows = [json.loads(ln) for ln in (run / "metrics.jsonl").read_text().splitlines()]
        enc = np.load(run / "encodings" / "epoch_0006.npz")
        mean_var[f] = float(np.exp(enc["logvar"]).mean())
        # the per-dimension Fisher target is met on validation data to within 25 %
        assert abs(rows[-1]["fs"]["fisher"] / 4 - f) < 0.25 * f
        # the logged FS point is the closed form of the encodings saved at that epoch
        assert rows[-1]["fs"] == pytest.approx(_closed_form_fs(enc["logvar"]), rel=1e-5,
                                               abs=1e-5)
    assert mean_var[20.0] < 0.2 < 1.0 < mean_var[0.5]


def test_resume_reproduces_uninterrupted_training(tmp_path):
    a = fae_train.train(_cfg(tmp_path, "a", "--model", "mae", "--epochs", "2"))
    fae_train.train(_cfg(tmp_path, "b", "--model", "mae", "--epochs", "1"))
    b = fae_train.train(_cfg(tmp_path, "b", "--model", "mae", "--epochs", "2"))
    sa = torch.load(a / "last.pt", weights_only=False)
    sb = torch.load(b / "last.pt", weights_only=False)
    for k in sa["model"]:
        assert torch.equal(sa["model"][k], sb["model"][k]), k
    for k in sa["aux"]:
        assert torch.equal(sa["aux"][k], sb["aux"][k]), k
    la = (a / "metrics.jsonl").read_text().splitlines()
    lb = (b / "metrics.jsonl").read_text().splitlines()
    assert len(la) == len(lb) == 2
    assert json.loads(la[1])["valid_elbo"] == json.loads(lb[1])["valid_elbo"]


def test_evaluate_and_bad_options(tmp_path):
    run = fae_train.train(_cfg(tmp_path, "v", "--model", "vae", "--epochs", "1",
                               "--eval-k", "20", "--eval-n-train", "50"))
    res = json.loads((run / "eval_k20.json").read_text())
    assert res["test_nll"]["n_images"] == 300 and res["train_nll"]["n_images"] == 50
    # NLL of 64 binary pixels lies between 0 and 64 log 2 for any sensible model
    assert 0 < res["test_nll"]["mean"] < 64 * math.log(2) + 5
    # a second evaluation into another directory leaves the first alone and, with the same
    # seed and K, reproduces it image by image
    before = (run / "eval_k20.json").read_bytes()
    again = evaluate_run(run, k=20, n_test=None, n_train=50, seed=0, progress=False,
                         out_dir=run / "fulltest")
    assert (run / "eval_k20.json").read_bytes() == before
    assert again["test_nll"] == res["test_nll"] | {"wall_s": again["test_nll"]["wall_s"]}
    np.testing.assert_array_equal(np.load(run / "fulltest" / "nll_test_k20.npy"),
                                  np.load(run / "nll_test_k20.npy"))
    with pytest.raises(ValueError, match="gaussian"):
        fae_train.train(_cfg(tmp_path, "x", "--lambda-x", "1", "--epochs", "1"))
    with pytest.raises(ValueError, match="dataset"):
        fae_train.load_data("cifar")


def test_collect_final_table_pairs_seeds(tmp_path, rng):
    from examples.fae.collect import final_table
    nll = {}
    for run, seed in (("t1y_vae", 0), ("t1y_fae_f20_perdim", 0), ("s1_vae", 1),
                      ("s1x_vae", None), ("w10_vae", None), ("w10s1_vae", None)):
        d = tmp_path / run / "fulltest"
        d.mkdir(parents=True)
        nll[run] = 90 + rng.standard_normal(40)
        np.save(d / "nll_test_k5000.npy", nll[run])
        (d / "eval_k5000.json").write_text(json.dumps(
            {"epoch": 2, "k": 5000, "test_nll": {"mean": float(nll[run].mean()), "se": 0.1}}))
        fs = {"fisher": 10.0, "entropy_power": 0.5}
        (tmp_path / run / "metrics.jsonl").write_text("\n".join(
            json.dumps({"epoch": e, "valid_elbo": -100.0 - e, "fs": fs, "epoch_s": 1.0})
            for e in (1, 2, 3)))
    rows, diffs = final_table(tmp_path)
    assert [(r["run"], r["seed"]) for r in rows] == [("t1y_vae", 0), ("s1_vae", 1),
                                                     ("t1y_fae_f20_perdim", 0)]
    assert rows[0]["valid_elbo_selected"] == -102.0 and rows[0]["epochs_trained"] == 3
    d = nll["t1y_fae_f20_perdim"] - nll["t1y_vae"]
    assert len(diffs) == 1 and diffs[0]["seed"] == 0
    assert math.isclose(diffs[0]["mean_a_minus_b"], d.mean(), rel_tol=1e-12)
    assert math.isclose(diffs[0]["se"], d.std(ddof=1) / math.sqrt(40), rel_tol=1e-12)
    rows, diffs = final_table(tmp_path, k=None, variant="w10")
    assert [(r["run"], r["seed"]) for r in rows] == [("w10_vae", 0), ("w10s1_vae", 1)]
    assert diffs == []


def test_kl_warmup_weights_the_kl_term(tmp_path):
    base = fae_train.train(_cfg(tmp_path, "b", "--model", "vae", "--epochs", "2"))
    warm = fae_train.train(_cfg(tmp_path, "w", "--model", "vae", "--epochs", "2",
                                "--kl-warmup", "100"))
    mb = [json.loads(ln) for ln in (base / "metrics.jsonl").read_text().splitlines()]
    mw = [json.loads(ln) for ln in (warm / "metrics.jsonl").read_text().splitlines()]
    assert [r["kl_weight"] for r in mb] == [1.0, 1.0]
    assert 0 < mw[0]["kl_weight"] < mw[1]["kl_weight"] < 0.03
    # with the KL term nearly switched off the codes spend far more nats
    assert mw[1]["train_kl"] > 2 * mb[1]["train_kl"]
    with pytest.raises(ValueError, match="kl-warmup"):
        fae_train.train(_cfg(tmp_path, "x", "--kl-warmup", "-1"))


@pytest.mark.parametrize("warmup, patience, epochs, epochs_run, stopped", [
    ("0", 2, 10, 3, "early-stopped"),      # epoch 1 is the best; epochs 2 and 3 count
    ("2", 2, 10, 4, "early-stopped"),      # epoch 2 is still warm-up: epochs 3 and 4 count
    ("1.5", 2, 10, 3, "early-stopped"),    # the warm-up ends inside epoch 2, which counts
    ("2", 2, 3, 3, "max-epochs"),          # one epoch counted when the epochs run out
])
def test_patience_counts_only_epochs_after_the_kl_warmup(tmp_path, warmup, patience, epochs,
                                                         epochs_run, stopped):
    # lr 0: the model never changes, so the validation ELBO (fixed noise) is the same every
    # epoch and no epoch after the first is better
    run = fae_train.train(_cfg(tmp_path, "p", "--model", "vae", "--lr", "0", "--kl-warmup",
                               warmup, "--patience", str(patience), "--epochs", str(epochs)))
    rows = [json.loads(ln) for ln in (run / "metrics.jsonl").read_text().splitlines()]
    assert len({r["valid_elbo"] for r in rows}) == 1
    status = json.loads((run / "status.json").read_text())
    assert len(rows) == status["epochs_run"] == epochs_run
    assert status["stopped"] == stopped and status["best_epoch"] == 1
    assert status["epochs_since_best"] == (patience if stopped == "early-stopped" else 1)


def test_data_docstring_examples_run():
    import doctest

    from examples.fae import data
    res = doctest.testmod(data, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert res.attempted >= 3 and res.failed == 0
