"""Train a VAE, Fisher Auto-Encoder (FAE) or Mutual Auto-Encoder (MAE).

Examples::

    python -m examples.fae.train --dataset digits --epochs 2            # anywhere, seconds
    python -m examples.fae.train --dataset mnist --model fae --f-z 20 --fisher-scale per-dim \\
        --epochs 40 --run-dir runs/fae_f20_pd --eval-k 1000 --eval-n-test 2000

Per epoch, ``<run-dir>/metrics.jsonl`` gets one JSON line (training means, validation
ELBO, the closed-form conditional FS point of q(z|x) on a fixed random validation subset,
wall time), ``<run-dir>/encodings/epoch_XXXX.npz`` the float32 ``mu`` and ``logvar`` of that
subset, ``last.pt`` the full training state (written atomically; rerunning the same
command resumes from it) and ``selected.pt`` the model chosen by validation ELBO
(``--select best``) or the last epoch (``--select last``).
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import numpy as np
import torch

from infoplane.vae import conditional_fs

from .atomic import write_atomically, write_text_atomically
from .data import (load_binarized_digits, load_binarized_mnist, reversed_mnist,
                   reversed_mnist_from_index)
from .models import LAYER_KINDS, VAE, AuxiliaryPosterior
from .objectives import OBJECTIVES, _elbo_terms
from .runs import read_metrics


# ----------------------------------------------------------------------------- data
DATASETS = ("digits", "mnist", "reversed-mnist", "reversed-mnist-pl")
# datasets whose validation images are (part of) the test images: no selection on them
SELECT_LAST = ("reversed-mnist", "reversed-mnist-pl")
REVERSED_PL_INDEX = Path(__file__).resolve().parent / "reversed_mnist_pl.npz"


def load_data(dataset: str, data_dir=None, seed: int = 0) -> dict[str, np.ndarray]:
    """Splits ``x_train``, ``x_valid``, ``x_test`` (uint8) for a dataset name.

    ``reversed-mnist``: training images are the paper's 58:1 skewed set built from the
    labelled binarized MNIST test split (all 980 zeros, 17 of each other digit);
    ``reversed-mnist-pl``: nearly the paper's size, all 980 labelled zeros, the zeros of
    the training split pseudo-labelled with P(0) >= 0.9 and round(zeros / 58) labelled
    images of each other digit, listed in ``reversed_mnist_pl.npz`` (:mod:`.pseudolabel`;
    6625 images, the same for every seed). For
    both, the balanced MNIST validation split serves as validation (a fixed random 1000,
    for monitoring) and as test set.
    """
    if dataset not in DATASETS:
        raise ValueError(f"`dataset` must be one of {set(DATASETS)}; got {dataset!r}.")
    if dataset == "digits":
        d = load_binarized_digits(rng=seed)
        return {k: d[k] for k in ("x_train", "x_valid", "x_test")}
    d = load_binarized_mnist(data_dir)
    if dataset == "mnist":
        return {k: d[k] for k in ("x_train", "x_valid", "x_test")}
    if dataset in ("reversed-mnist", "reversed-mnist-pl"):
        if "y_test" not in d:
            raise ValueError(f"{dataset} needs the labels `y_test` in binarized_mnist.npz.")
        if dataset == "reversed-mnist":
            x_tr, y_tr = reversed_mnist(d["x_test"], d["y_test"], majority=0, ratio=58.0,
                                        rng=seed)
        else:
            x_tr, y_tr = reversed_mnist_from_index(d, REVERSED_PL_INDEX)
        # monitoring uses a fixed random 1000 of the balanced validation split; the
        # reported "test" NLL uses the whole balanced validation split (or a subset of it)
        rng = np.random.default_rng(seed + 11)
        mon = np.sort(rng.choice(len(d["x_valid"]), 1000, replace=False))
        return {"x_train": x_tr, "y_train": y_tr, "x_valid": d["x_valid"][mon],
                "x_test": d["x_valid"]}


# ----------------------------------------------------------------------------- config
def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description="Train VAE / FAE / MAE.",
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--dataset", choices=list(DATASETS), default="digits")
    p.add_argument("--data-dir", default=None, help="directory with binarized_mnist.npz or "
                   "the .amat files (default: $INFOPLANE_DATA_DIR or ../shared/data)")
    p.add_argument("--model", choices=sorted(OBJECTIVES), default="fae")
    p.add_argument("--run-dir", default=None, help="default runs/<dataset>_<model>")
    p.add_argument("--overwrite", action="store_true", help="start afresh, ignore last.pt")
    # architecture
    p.add_argument("--latent", type=int, default=40)
    p.add_argument("--hidden", type=int, default=300)
    p.add_argument("--layers", type=int, default=5, help="hidden layers per network")
    p.add_argument("--activation", choices=list(LAYER_KINDS), default="relu",
                   help="hidden units; 'gated': h(x)·sigmoid(g(x)) as in the VampPrior MLPs")
    p.add_argument("--decoder", choices=["bernoulli", "gaussian"], default="bernoulli")
    # optimisation
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--max-steps", type=int, default=None, help="stop after this many steps")
    p.add_argument("--batch-size", type=int, default=100)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1, help="torch.set_num_threads")
    p.add_argument("--select", choices=["best", "last"], default=None,
                   help="model selection: best validation ELBO or last epoch "
                   "(default: best; last for the reversed-mnist sets, whose validation "
                   "images are test images)")
    p.add_argument("--kl-warmup", type=float, default=0.0,
                   help="epochs over which the KL weight rises linearly from 0 to 1 "
                        "(Sønderby et al. 2016; default 0: no warm-up)")
    p.add_argument("--patience", type=int, default=None,
                   help="stop after this many epochs without a better validation ELBO, "
                        "counted only after the KL warm-up has ended")
    # FAE
    p.add_argument("--lambda-z", type=float, default=1.0)
    p.add_argument("--f-z", type=float, default=20.0)
    p.add_argument("--lambda-x", type=float, default=0.0, help="> 0 needs --decoder gaussian")
    p.add_argument("--f-x", type=float, default=0.0)
    p.add_argument("--fisher-scale", choices=["trace", "per-dim"], default="trace",
                   help="F compared with trace J = Σ 1/σ² (paper Eq. 10) or with J/d")
    # MAE
    p.add_argument("--c", type=float, default=1.0, help="MAE weight C")
    p.add_argument("--m", type=float, default=10.0, help="MAE target mutual information M")
    p.add_argument("--aux-layers", type=int, default=2, help="hidden layers of r_ω(z|x)")
    # monitoring and evaluation
    p.add_argument("--fs-subset", type=int, default=1000,
                   help="fixed random validation images whose encodings are saved per epoch")
    p.add_argument("--encodings-every", type=int, default=1,
                   help="save the subset's encodings every this many epochs (and the last)")
    p.add_argument("--eval-k", type=int, default=0, help="IWAE K after training (0: skip)")
    p.add_argument("--eval-n-test", type=int, default=None)
    p.add_argument("--eval-n-train", type=int, default=0)
    p.add_argument("--no-progress", action="store_true")
    return p


def build_model(cfg: dict, n_pixels: int):
    model = VAE(n_pixels=n_pixels, latent=cfg["latent"], hidden=cfg["hidden"],
                n_layers=cfg["layers"], activation=cfg["activation"], decoder=cfg["decoder"])
    aux = None
    if cfg["model"] == "mae":
        aux = AuxiliaryPosterior(n_pixels, cfg["latent"], cfg["hidden"], cfg["aux_layers"],
                                 cfg["activation"])
    return model, aux


def objective_kwargs(cfg: dict, aux, n_data: int) -> dict:
    return {"lambda_z": cfg["lambda_z"], "f_z": cfg["f_z"], "lambda_x": cfg["lambda_x"],
            "f_x": cfg["f_x"], "per_dim": cfg["fisher_scale"] == "per-dim",
            "aux": aux, "c": cfg["c"], "m": cfg["m"], "n_data": n_data}


def build_from_checkpoint(path):
    """(model, data, cfg, checkpoint) from a checkpoint written by :func:`train`."""
    ckpt = torch.load(path, map_location="cpu", weights_only=False)
    cfg = ckpt["config"]
    data = load_data(cfg["dataset"], cfg["data_dir"], cfg["seed"])
    model, _ = build_model(cfg, data["x_train"].shape[1])
    model.load_state_dict(ckpt["model"])
    model.eval()
    return model, data, cfg, ckpt


def _atomic_save(obj, path: Path):
    write_atomically(path, lambda tmp: torch.save(obj, tmp))


def _write_status(run: Path, cfg: dict, since_best: int, step: int):
    """``status.json``: how far training got and why it stopped (or that it has not)."""
    rows = read_metrics(run)
    if not rows:
        return
    best = max(rows, key=lambda r: r["valid_elbo"])
    last_epoch = rows[-1]["epoch"]
    if cfg["patience"] and since_best >= cfg["patience"]:
        stopped = "early-stopped"
    elif cfg["max_steps"] is not None and step >= cfg["max_steps"]:
        stopped = "max-steps"
    elif last_epoch >= cfg["epochs"]:
        stopped = "max-epochs"
    else:
        stopped = "running"
    status = {"epochs_run": last_epoch, "best_epoch": best["epoch"],
              "best_valid_elbo": best["valid_elbo"], "stopped": stopped,
              "epochs_since_best": since_best, "train_wall_s":
              round(sum(r["epoch_s"] for r in rows), 1)}
    write_text_atomically(run / "status.json", json.dumps(status, indent=1))


# ----------------------------------------------------------------------------- loop
@torch.no_grad()
def validation_elbo(model, x, seed, batch=1000):
    """Mean single-sample ELBO on `x` with a fixed noise seed (comparable across epochs)."""
    model.eval()
    gen = torch.Generator().manual_seed(seed)
    tot = 0.0
    for s in range(0, x.shape[0], batch):
        _, _, _, rec, kl = _elbo_terms(model, x[s:s + batch], gen)
        tot += float((rec - kl).sum())
    model.train()
    return tot / x.shape[0]


@torch.no_grad()
def encoder_fs(model, x):
    """mu, logvar on `x` and the closed-form conditional FS point of q(z|x) as plain floats.

    The ``fs`` entry of ``metrics.jsonl``: ``fisher`` J = mean_x Σ_j exp(-logvar_j) (trace),
    ``entropy`` H = mean_x ½ Σ_j log(2πe σ_j²), ``entropy_power`` N = exp(2H/d)/(2πe) and
    ``nj_over_d`` N·J/d, from :func:`infoplane.vae.conditional_fs`.
    """
    model.eval()
    mu, logvar = model.encode(x)
    model.train()
    p = conditional_fs(mu, logvar)
    return mu, logvar, {"fisher": p.fisher.value, "entropy": p.entropy.value,
                        "entropy_power": p.entropy_power.value, "nj_over_d": p.product.value}


def train(cfg: dict) -> Path:
    torch.set_num_threads(cfg["threads"])
    select = cfg["select"] or ("last" if cfg["dataset"] in SELECT_LAST else "best")
    cfg = dict(cfg, select=select)
    if not 0 <= cfg.get("kl_warmup", 0.0) < math.inf:
        raise ValueError(f"`--kl-warmup` must be a finite number of epochs >= 0; got "
                         f"{cfg['kl_warmup']!r}.")
    if cfg["lambda_x"] > 0 and cfg["decoder"] != "gaussian":
        raise ValueError("`--lambda-x` > 0 needs `--decoder gaussian` (J(x|z) of a "
                         "Bernoulli decoder is not defined).")
    run = Path(cfg["run_dir"] or f"runs/{cfg['dataset']}_{cfg['model']}")
    run.mkdir(parents=True, exist_ok=True)
    (run / "encodings").mkdir(exist_ok=True)
    data = load_data(cfg["dataset"], cfg["data_dir"], cfg["seed"])
    xs = {k: torch.as_tensor(v, dtype=torch.float32) for k, v in data.items()
          if k.startswith("x_")}
    x_train, x_valid = xs["x_train"], xs["x_valid"]
    n_train = x_train.shape[0]
    fs_idx = np.sort(np.random.default_rng(cfg["seed"] + 7).choice(
        x_valid.shape[0], size=min(cfg["fs_subset"], x_valid.shape[0]), replace=False))
    x_fs = x_valid[torch.as_tensor(fs_idx)]

    torch.manual_seed(cfg["seed"])
    model, aux = build_model(cfg, x_train.shape[1])
    params = list(model.parameters()) + (list(aux.parameters()) if aux is not None else [])
    opt = torch.optim.Adam(params, lr=cfg["lr"])
    loss_fn = OBJECTIVES[cfg["model"]]
    kwargs = objective_kwargs(cfg, aux, n_train)

    start_epoch, step, best, since_best = 1, 0, -math.inf, 0
    last = run / "last.pt"
    metrics_path = run / "metrics.jsonl"
    if last.exists() and not cfg["overwrite"]:
        ck = torch.load(last, map_location="cpu", weights_only=False)
        model.load_state_dict(ck["model"])
        if aux is not None:
            aux.load_state_dict(ck["aux"])
        opt.load_state_dict(ck["optimizer"])
        torch.set_rng_state(ck["torch_rng"])
        start_epoch, step = ck["epoch"] + 1, ck["step"]
        best, since_best = ck["best_valid_elbo"], ck["since_best"]
        if metrics_path.exists():  # drop lines written after the checkpoint
            lines = [ln for ln in metrics_path.read_text().splitlines()
                     if ln and json.loads(ln)["epoch"] <= ck["epoch"]]
            metrics_path.write_text("".join(ln + "\n" for ln in lines))
    else:
        metrics_path.write_text("")
        for f in run.glob("encodings/*.npz"):
            f.unlink()
    (run / "config.json").write_text(json.dumps(cfg, indent=1))

    from tqdm.auto import tqdm
    model.train()
    n_batches = math.ceil(n_train / cfg["batch_size"])
    warm_steps = cfg.get("kl_warmup", 0.0) * n_batches   # 0: no KL warm-up
    for epoch in range(start_epoch, cfg["epochs"] + 1):
        if since_best >= (cfg["patience"] or math.inf) or (
                cfg["max_steps"] is not None and step >= cfg["max_steps"]):
            break
        t0 = time.perf_counter()
        perm = torch.randperm(n_train, generator=torch.Generator().manual_seed(
            cfg["seed"] * 100003 + epoch))
        sums: dict[str, float] = {}
        seen = 0
        bar = tqdm(range(n_batches), desc=f"epoch {epoch}", leave=False, mininterval=2,
                   disable=True if cfg["no_progress"] else None)
        for b in bar:
            idx = perm[b * cfg["batch_size"]:(b + 1) * cfg["batch_size"]]
            kwargs["beta"] = min(1.0, step / warm_steps) if warm_steps > 0 else 1.0
            loss, st = loss_fn(model, x_train[idx], **kwargs)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            for k, v in st.items():
                sums[k] = sums.get(k, 0.0) + v * len(idx)
            seen += len(idx)
            if b % 50 == 0:
                bar.set_postfix(elbo=f"{st['elbo']:.2f}", J=f"{st['fisher_trace']:.3g}")
            if cfg["max_steps"] is not None and step >= cfg["max_steps"]:
                break
        train_s = time.perf_counter() - t0
        val = validation_elbo(model, x_valid, seed=cfg["seed"] + 1)
        mu, logvar, fs = encoder_fs(model, x_fs)
        if (epoch % cfg["encodings_every"] == 0 or epoch == cfg["epochs"]
                or (cfg["max_steps"] is not None and step >= cfg["max_steps"])):
            np.savez(run / "encodings" / f"epoch_{epoch:04d}.npz",
                     mu=mu.numpy().astype(np.float32),
                     logvar=logvar.numpy().astype(np.float32), valid_index=fs_idx)
        improved = val > best
        if improved:
            best, since_best = val, 0
        elif epoch > cfg.get("kl_warmup", 0.0):   # patience counts after the warm-up
            since_best += 1
        row = {"epoch": epoch, "step": step, **{f"train_{k}": v / seen for k, v in sums.items()},
               "valid_elbo": val, "fs": fs, "kl_weight": kwargs.get("beta", 1.0),
               "train_s": round(train_s, 2),
               "epoch_s": round(time.perf_counter() - t0, 2)}
        state = {"model": model.state_dict(), "config": cfg, "epoch": epoch, "step": step,
                 "valid_elbo": val}
        if select == "last" or improved:
            _atomic_save(state, run / "selected.pt")
        full = dict(state, optimizer=opt.state_dict(), torch_rng=torch.get_rng_state(),
                    best_valid_elbo=best, since_best=since_best,
                    aux=aux.state_dict() if aux is not None else None)
        _atomic_save(full, last)
        with open(metrics_path, "a") as f:
            f.write(json.dumps(row) + "\n")
        print(f"[{run.name}] epoch {epoch} step {step} train_elbo "
              f"{row['train_elbo']:.2f} valid_elbo {val:.2f} J {fs['fisher']:.3g} "
              f"N {fs['entropy_power']:.3g} ({row['epoch_s']:.1f}s)", flush=True)
    _write_status(run, cfg, since_best, step)
    done = run / f"eval_k{cfg['eval_k']}.json"
    if cfg["eval_k"] and done.exists() and json.loads(done.read_text())["epoch"] == torch.load(
            run / "selected.pt", map_location="cpu", weights_only=False)["epoch"]:
        print(f"[{run.name}] {done.name} is up to date", flush=True)
    elif cfg["eval_k"]:
        from .evaluate import evaluate_run
        res = evaluate_run(run, k=cfg["eval_k"], n_test=cfg["eval_n_test"],
                           n_train=cfg["eval_n_train"], seed=cfg["seed"],
                           progress=not cfg["no_progress"])
        print(json.dumps({k: v for k, v in res.items() if k != "config"}), flush=True)
    return run


def main(argv=None):
    args = build_parser().parse_args(argv)
    train(vars(args))


if __name__ == "__main__":
    main()
