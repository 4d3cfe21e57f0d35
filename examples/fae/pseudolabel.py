"""A larger reversed-MNIST training set: pseudo-labelled zeros from the unlabelled split.

    python -m examples.fae.pseudolabel                      # writes the two files below
    python -m examples.fae.pseudolabel --report /tmp/r.json --index /tmp/i.npz

The paper's reversed MNIST (Section 5.1) has 5800 zeros and 100 images of each other
digit (6700 images, a 58:1 skew). Of binarized MNIST only the 10 000 test images carry
labels (980 of them zeros), so the labelled split alone gives 980 + 9·17 images. This
module builds a set of (up to) the paper's size by pseudo-labelling:

1. a small CNN (:func:`make_cnn`) is trained on the labelled test split, in `n_folds`
   cross-validation folds; the out-of-fold predictions give its held-out accuracy and the
   precision of its "zero" decisions;
2. the folds' models, averaged, score the 50 000 unlabelled training images; the most
   confident zeros (largest P(0)) are taken, as many as are needed to reach `n_zero`
   zeros together with the 980 labelled zeros (fewer, and the others scaled down to keep
   the ratio, when not enough images have P(0) >= `min_p0`);
3. the other digits come from the labelled split with their true labels,
   round(n_zero / ratio) of each, drawn at random.

So label noise can only enter through the pseudo-labelled zeros. It is estimated two
ways: the fraction of non-zeros among the labelled images whose out-of-fold P(0) reaches
the selection threshold (with a Clopper-Pearson 95% interval), and the classifier's own
expectation, the mean of 1 - P(0) over the selected images.

Outputs: the index file (``examples/fae/reversed_mnist_pl.npz``: for each training image
in its fixed order, its split, index, label and whether the label is a pseudo-label, and a
SHA-256 of the selected pixels), read by :func:`.data.reversed_mnist_from_index`; and a
JSON report (``docs/results/reversed_mnist_pl.json``). Existing files are kept unless
``--force``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path

import numpy as np

from .atomic import write_atomically, write_text_atomically

HERE = Path(__file__).resolve().parent
DEFAULT_INDEX = HERE / "reversed_mnist_pl.npz"
DEFAULT_REPORT = HERE.parents[1] / "docs" / "results" / "reversed_mnist_pl.json"
SPLIT_CODES = {"train": 0, "test": 1}     # `source` in the index file


# ----------------------------------------------------------------------------- classifier
def _torch():
    import torch
    return torch


def make_cnn(side: int, n_classes: int = 10, width: int = 16):
    """A two-block CNN for `side` x `side` binary images (LeNet-like, ReLU, max-pooling)."""
    torch = _torch()
    nn = torch.nn
    if side % 4:
        raise ValueError(f"`side` must be a multiple of 4 (two 2x2 poolings); got {side}.")
    return nn.Sequential(
        nn.Unflatten(1, (1, side, side)),
        nn.Conv2d(1, width, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(width, 2 * width, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(2 * width * (side // 4) ** 2, 128), nn.ReLU(),
        nn.Dropout(0.25), nn.Linear(128, n_classes))


def fit_classifier(x: np.ndarray, y: np.ndarray, *, side: int, seed: int = 0,
                   epochs: int = 12, batch: int = 100, lr: float = 1e-3):
    """Train :func:`make_cnn` on binary images `x` (n, side²) with labels `y` (Adam)."""
    torch = _torch()
    torch.manual_seed(seed)
    model = make_cnn(side)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    xt = torch.as_tensor(x, dtype=torch.float32)
    yt = torch.as_tensor(np.asarray(y), dtype=torch.long)
    gen = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(epochs):
        perm = torch.randperm(len(xt), generator=gen)
        for s in range(0, len(xt), batch):
            idx = perm[s:s + batch]
            loss = torch.nn.functional.cross_entropy(model(xt[idx]), yt[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return model.eval()


def predict_proba(model, x: np.ndarray, batch: int = 2000) -> np.ndarray:
    """Softmax class probabilities of `model` on `x`, float64 (n, n_classes)."""
    torch = _torch()
    out = []
    with torch.no_grad():
        for s in range(0, len(x), batch):
            xb = torch.as_tensor(x[s:s + batch], dtype=torch.float32)
            out.append(torch.softmax(model(xb).double(), dim=1).numpy())
    return np.concatenate(out)


def stratified_folds(y: np.ndarray, n_folds: int, seed: int) -> np.ndarray:
    """Fold number of each example, each class spread evenly over the folds at random."""
    y = np.asarray(y)
    if n_folds < 2:
        raise ValueError(f"`n_folds` must be >= 2; got {n_folds}.")
    rng = np.random.default_rng(seed)
    fold = np.empty(len(y), dtype=np.int64)
    for label in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == label))
        fold[idx] = np.arange(len(idx)) % n_folds
    return fold


def cross_validate(x, y, *, side: int, n_folds: int = 5, seed: int = 0, epochs: int = 12,
                   log=None):
    """Out-of-fold probabilities on (x, y) and the `n_folds` fitted models."""
    fold = stratified_folds(y, n_folds, seed)
    oof = np.full((len(x), 10), np.nan)
    models = []
    for f in range(n_folds):
        t0 = time.perf_counter()
        tr, te = fold != f, fold == f
        m = fit_classifier(x[tr], y[tr], side=side, seed=seed + 1000 * (f + 1), epochs=epochs)
        oof[te] = predict_proba(m, x[te])
        models.append(m)
        if log is not None:
            acc = float((oof[te].argmax(1) == y[te]).mean())
            print(f"fold {f}: held-out accuracy {acc:.4f} ({time.perf_counter() - t0:.0f} s)",
                  file=log, flush=True)
    return oof, models


# ----------------------------------------------------------------------------- selection
def clopper_pearson(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Exact two-sided binomial confidence interval for k successes in n trials."""
    from scipy.stats import beta
    if n < 1 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n and n >= 1; got k={k}, n={n}.")
    a = 1 - level
    lo = 0.0 if k == 0 else float(beta.ppf(a / 2, k, n - k + 1))
    hi = 1.0 if k == n else float(beta.ppf(1 - a / 2, k + 1, n - k))
    return lo, hi


def select_confident(p: np.ndarray, n: int, min_p: float = 0.5) -> np.ndarray:
    """Indices of the `n` largest `p` (largest first) among those >= `min_p` (fewer when
    fewer reach it); ties are broken by index, so the choice is deterministic."""
    p = np.asarray(p, dtype=np.float64)
    order = np.lexsort((np.arange(len(p)), -p))
    order = order[p[order] >= min_p]
    return order[:max(0, int(n))]


def noise_at_threshold(p0_oof: np.ndarray, y: np.ndarray, threshold: float,
                       majority: int = 0) -> dict:
    """Among labelled images with out-of-fold P(majority) >= `threshold`: how many, how many
    carry another label, that fraction and its Clopper-Pearson 95% interval."""
    sel = np.asarray(p0_oof) >= threshold
    n, k = int(sel.sum()), int((np.asarray(y)[sel] != majority).sum())
    if n == 0:
        return {"n": 0, "wrong": 0, "rate": None, "ci95": None}
    return {"n": n, "wrong": k, "rate": k / n, "ci95": list(clopper_pearson(k, n))}


def build_index(x_unl, x_lab, y_lab, p0_unl, *, n_zero: int = 5800, ratio: float = 58.0,
                majority: int = 0, min_p0: float = 0.5, seed: int = 0) -> dict:
    """The reversed training set as arrays ``source``, ``index``, ``label``, ``pseudo``,
    ``p_majority`` in a fixed random order, plus the counts used.

    Every labelled `majority` image is used; the most confident unlabelled ones (by
    `p0_unl`, at least `min_p0`) fill up to `n_zero`; round(zeros / ratio) of each other
    label are drawn from the labelled images.
    """
    y_lab = np.asarray(y_lab)
    lab_major = np.flatnonzero(y_lab == majority)
    n_pseudo_wanted = max(0, n_zero - len(lab_major))
    pick = select_confident(p0_unl, n_pseudo_wanted, min_p0)
    zeros = len(lab_major) + len(pick)
    n_other = int(round(zeros / ratio))
    rng = np.random.default_rng(seed)
    src, idx, lab = [np.full(len(pick), SPLIT_CODES["train"])], [pick], [np.full(len(pick),
                                                                                 majority)]
    src.append(np.full(len(lab_major), SPLIT_CODES["test"]))
    idx.append(lab_major)
    lab.append(y_lab[lab_major])
    for label in np.unique(y_lab):
        if label == majority:
            continue
        pool = np.flatnonzero(y_lab == label)
        if len(pool) < n_other:
            raise ValueError(f"label {label} has {len(pool)} labelled images; {n_other} needed.")
        take = np.sort(rng.choice(pool, n_other, replace=False))
        src.append(np.full(n_other, SPLIT_CODES["test"]))
        idx.append(take)
        lab.append(y_lab[take])
    src, idx, lab = (np.concatenate(a) for a in (src, idx, lab))
    pseudo = src == SPLIT_CODES["train"]
    p_major = np.where(pseudo, 0.0, np.nan)
    p_major[:len(pick)] = np.asarray(p0_unl)[pick]
    order = rng.permutation(len(src))
    x = np.where(pseudo[order, None], x_unl[np.where(pseudo, idx, 0)[order]],
                 x_lab[np.where(pseudo, 0, idx)[order]])
    return {"source": src[order].astype(np.uint8), "index": idx[order].astype(np.int32),
            "label": lab[order].astype(np.uint8), "pseudo": pseudo[order],
            "p_majority": p_major[order].astype(np.float64),
            "sha256": pixels_sha256(x), "n_majority": zeros,
            "n_majority_labelled": len(lab_major), "n_majority_pseudo": len(pick),
            "n_other_each": n_other,
            "threshold": float(np.asarray(p0_unl)[pick[-1]]) if len(pick) else None}


def pixels_sha256(x: np.ndarray) -> str:
    """SHA-256 of a uint8 image array's bytes (C order), shape included."""
    a = np.ascontiguousarray(np.asarray(x, dtype=np.uint8))
    return hashlib.sha256(str(a.shape).encode() + a.tobytes()).hexdigest()


# ----------------------------------------------------------------------------- main
def run(data_dir=None, *, n_folds: int = 5, epochs: int = 15, seed: int = 0,
        n_zero: int = 5800, ratio: float = 58.0, min_p0: float = 0.9, log=sys.stdout):
    """Cross-validate, score the unlabelled split, select; (index dict, report dict)."""
    from .data import load_binarized_mnist
    torch = _torch()
    torch.set_num_threads(1)
    d = load_binarized_mnist(data_dir)
    if "y_test" not in d:
        raise ValueError("pseudo-labelling needs the labels `y_test` in binarized_mnist.npz.")
    x_lab, y_lab, x_unl = d["x_test"], d["y_test"].astype(np.int64), d["x_train"]
    t0 = time.perf_counter()
    oof, models = cross_validate(x_lab, y_lab, side=28, n_folds=n_folds, seed=seed,
                                 epochs=epochs, log=log)
    p_unl = np.mean([predict_proba(m, x_unl) for m in models], axis=0)
    idx = build_index(x_unl, x_lab, y_lab, p_unl[:, 0], n_zero=n_zero, ratio=ratio,
                      min_p0=min_p0, seed=seed)
    pred = oof.argmax(1)
    per_fold = [float((pred[f] == y_lab[f]).mean())
                for f in (stratified_folds(y_lab, n_folds, seed) == k for k in range(n_folds))]
    thr = idx["threshold"]
    chosen = idx["p_majority"][idx["pseudo"]]
    report = {
        "what": "reversed-MNIST training set (paper Section 5.1) with pseudo-labelled zeros",
        "classifier": {
            "model": "CNN: conv5x5(16)-relu-maxpool2, conv5x5(32)-relu-maxpool2, fc128-relu-"
                     "dropout0.25, fc10; Adam lr 1e-3, batch 100",
            "epochs": epochs, "trained_on": "the labelled binarized MNIST test split "
            "(10000 images)", "n_folds": n_folds, "seed": seed,
            "cv_accuracy": float((pred == y_lab).mean()),
            "cv_accuracy_se": float(np.sqrt((pred == y_lab).mean()
                                            * (1 - (pred == y_lab).mean()) / len(y_lab))),
            "cv_accuracy_per_fold": per_fold,
            "cv_recall_per_digit": [float((pred[y_lab == c] == c).mean()) for c in range(10)],
            "cv_zero_precision_argmax": float((y_lab[pred == 0] == 0).mean()),
            "cv_zero_recall_argmax": float((pred[y_lab == 0] == 0).mean()),
            "scoring": f"mean of the {n_folds} fold models' softmax on the 50000 unlabelled "
                       "binarized training images"},
        "unlabelled_split": {
            "n_images": len(x_unl),
            "n_predicted_zero_argmax": int((p_unl.argmax(1) == 0).sum()),
            "n_p0_at_least_0.5": int((p_unl[:, 0] >= 0.5).sum()),
            "n_p0_at_least_0.99": int((p_unl[:, 0] >= 0.99).sum())},
        "selection": {
            "n_zero_target": n_zero, "ratio": ratio, "min_p0": min_p0,
            "n_zero": idx["n_majority"], "n_zero_labelled": idx["n_majority_labelled"],
            "n_zero_pseudo": idx["n_majority_pseudo"], "n_other_each": idx["n_other_each"],
            "n_train": len(idx["index"]), "p0_threshold": thr,
            "p0_of_selected_min": float(chosen.min()) if len(chosen) else None,
            "others": "true labels, drawn at random from the labelled test split"},
        "label_noise": {
            "cv_at_threshold": noise_at_threshold(oof[:, 0], y_lab, thr) if thr is not None
            else None,
            "expected_wrong_by_classifier": float((1 - chosen).sum()),
            "expected_rate_among_pseudo": float((1 - chosen).mean()) if len(chosen) else None,
            "note": "only the pseudo-labelled zeros can be wrong; the out-of-fold estimate "
                    "uses single fold models, the selection their average, so it is on the "
                    "cautious side"},
        "sha256_of_training_pixels": idx["sha256"],
        "wall_s": round(time.perf_counter() - t0, 1),
    }
    return idx, report


def save_index(path: Path, idx: dict) -> None:
    """Write the arrays of :func:`build_index` (and its SHA-256) to an ``.npz``."""
    arrays = {k: idx[k] for k in ("source", "index", "label", "pseudo", "p_majority")}
    arrays["sha256"] = np.array(idx["sha256"])

    def write(tmp):
        with open(tmp, "wb") as f:        # a file object: np.savez adds no ".npz"
            np.savez(f, **arrays)
    write_atomically(Path(path), write)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", default=None)
    p.add_argument("--index", default=str(DEFAULT_INDEX))
    p.add_argument("--report", default=str(DEFAULT_REPORT))
    p.add_argument("--folds", type=int, default=5)
    p.add_argument("--epochs", type=int, default=15)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--force", action="store_true", help="replace existing files")
    a = p.parse_args(argv)
    index, report = Path(a.index), Path(a.report)
    existing = [str(f) for f in (index, report) if f.exists()]
    if existing and not a.force:
        print(f"kept {', '.join(existing)} (--force replaces them)")
        return 1
    idx, rep = run(a.data_dir, n_folds=a.folds, epochs=a.epochs, seed=a.seed)
    save_index(index, idx)
    report.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(report, json.dumps(rep, indent=1))
    print(json.dumps(rep, indent=1))
    print(f"wrote {index} and {report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
