"""Binary image data for the FAE examples: loaders and builders, never downloads.

* :func:`load_binarized_mnist` reads the statically binarized MNIST of Larochelle &
  Murray (2011), 50000/10000/10000, from a directory holding either
  ``binarized_mnist.npz`` or the canonical ``binarized_mnist_{train,valid,test}.amat``
  text files, and checks shapes and values.
* :func:`load_binarized_digits` is the embedded default: scikit-learn's 8×8 digits
  (shipped with the ``scikit-learn`` package, extra ``examples``), thresholded.
* :func:`reversed_mnist` builds the paper's skewed "reversed MNIST" training set from
  the labelled test split; :func:`reversed_mnist_from_index` the larger one of
  :mod:`.pseudolabel` (pseudo-labelled zeros of the training split), from its index file.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from infoplane.errors import import_optional

__all__ = [
    "load_amat",
    "check_binary_images",
    "load_binarized_mnist",
    "load_binarized_digits",
    "reversed_mnist",
    "reversed_mnist_from_index",
    "default_data_dir",
]

MNIST_SPLITS = {"train": 50000, "valid": 10000, "test": 10000}
MNIST_PIXELS = 784


def check_binary_images(x, *, name: str = "x", n_pixels: int | None = None,
                        n_images: int | None = None) -> np.ndarray:
    """Return `x` as a uint8 array of shape (n_images, n_pixels) after checking it.

    Raises
    ------
    TypeError
        If `x` is not numeric.
    ValueError
        If `x` is not 2-D, is empty, has the wrong number of images or pixels, or holds
        values other than 0 and 1 (NaN included).

    Examples
    --------
    >>> import numpy as np
    >>> check_binary_images(np.array([[0, 1], [1, 1]]), n_pixels=2).dtype
    dtype('uint8')
    """
    a = np.asarray(x)
    if a.dtype == object or not (np.issubdtype(a.dtype, np.number)
                                 or np.issubdtype(a.dtype, np.bool_)):
        raise TypeError(f"`{name}` must be numeric; got dtype {a.dtype}.")
    if a.ndim != 2:
        raise ValueError(f"`{name}` must have shape (n_images, n_pixels); got {a.shape}.")
    if a.shape[0] == 0 or a.shape[1] == 0:
        raise ValueError(f"`{name}` must not be empty; got shape {a.shape}.")
    if n_pixels is not None and a.shape[1] != n_pixels:
        raise ValueError(f"`{name}` must have {n_pixels} pixels per image; got shape {a.shape}.")
    if n_images is not None and a.shape[0] != n_images:
        raise ValueError(f"`{name}` must have {n_images} images; got shape {a.shape}.")
    binary = (a == 0) | (a == 1)
    if not binary.all():
        bad = np.argwhere(~binary)[0]
        raise ValueError(
            f"`{name}` must hold only 0 and 1; found {int((~binary).sum())} other values "
            f"(first {a[tuple(bad)]!r} at image {bad[0]}, pixel {bad[1]})."
        )
    return a.astype(np.uint8)


def load_amat(path, *, n_pixels: int = MNIST_PIXELS) -> np.ndarray:
    """Read a ``.amat`` text file (one image per line, space-separated 0/1 values).

    Examples
    --------
    >>> import tempfile, os
    >>> d = tempfile.mkdtemp(); p = os.path.join(d, "a.amat")
    >>> _ = open(p, "w").write("0 1 1\\n1 0 0\\n")
    >>> load_amat(p, n_pixels=3).tolist()
    [[0, 1, 1], [1, 0, 0]]
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"`path` must be an existing file; got {str(path)!r}.")
    try:
        a = np.loadtxt(path, dtype=np.float64, ndmin=2)
    except ValueError as exc:
        raise ValueError(f"`path` {str(path)!r} is not a whitespace-separated numeric table: "
                         f"{exc}") from exc
    return check_binary_images(a, name=path.name, n_pixels=n_pixels)


def default_data_dir() -> Path:
    """``$INFOPLANE_DATA_DIR`` if set, else ``../shared/data`` beside the repository root."""
    env = os.environ.get("INFOPLANE_DATA_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "data"


def load_binarized_mnist(data_dir=None) -> dict[str, np.ndarray]:
    """Load statically binarized MNIST (Larochelle & Murray 2011) from `data_dir`.

    Looks for ``binarized_mnist.npz`` (keys ``x_train``, ``x_valid``, ``x_test`` and
    optionally ``y_test``), else for ``binarized_mnist_{train,valid,test}.amat``.

    Returns
    -------
    dict
        ``x_train`` (50000, 784), ``x_valid`` (10000, 784), ``x_test`` (10000, 784), uint8
        in {0, 1}; ``y_test`` (10000,) uint8 labels when the ``.npz`` carries them.

    Raises
    ------
    ValueError
        If neither form is found, or a split has the wrong shape or non-binary values.
    """
    data_dir = Path(default_data_dir() if data_dir is None else data_dir)
    npz = data_dir / "binarized_mnist.npz"
    out: dict[str, np.ndarray] = {}
    if npz.is_file():
        with np.load(npz) as f:
            for split, n in MNIST_SPLITS.items():
                key = f"x_{split}"
                if key not in f:
                    raise ValueError(f"`data_dir` file {str(npz)!r} lacks the key {key!r}.")
                out[key] = check_binary_images(f[key], name=key, n_pixels=MNIST_PIXELS,
                                               n_images=n)
            if "y_test" in f:
                y = np.asarray(f["y_test"])
                if y.shape != (MNIST_SPLITS["test"],) or not np.isin(y, np.arange(10)).all():
                    raise ValueError(f"`y_test` must be 10000 labels in 0..9; got shape {y.shape}.")
                out["y_test"] = y.astype(np.uint8)
        return out
    amats = {s: data_dir / f"binarized_mnist_{s}.amat" for s in MNIST_SPLITS}
    if all(p.is_file() for p in amats.values()):
        for split, n in MNIST_SPLITS.items():
            x = load_amat(amats[split])
            out[f"x_{split}"] = check_binary_images(x, name=f"x_{split}",
                                                    n_pixels=MNIST_PIXELS, n_images=n)
        return out
    raise ValueError(
        f"`data_dir` {str(data_dir)!r} holds neither binarized_mnist.npz nor "
        "binarized_mnist_{train,valid,test}.amat."
    )


def load_binarized_digits(*, threshold: float = 8.0, rng=0) -> dict[str, np.ndarray]:
    """scikit-learn's 8×8 digits, binarized at `threshold` (grey levels 0..16).

    1797 images split at random (seeded by `rng`) into 1197 train, 300 valid and 300
    test. Needs scikit-learn (``pip install infoplane[examples]``); nothing is downloaded.

    Returns
    -------
    dict
        ``x_train``, ``x_valid``, ``x_test`` uint8 of 64 pixels and ``y_train``,
        ``y_valid``, ``y_test`` labels.

    Examples
    --------
    >>> d = load_binarized_digits()
    >>> d["x_train"].shape, d["x_valid"].shape, d["x_test"].shape
    ((1197, 64), (300, 64), (300, 64))
    """
    datasets = import_optional("sklearn.datasets", "examples")
    bunch = datasets.load_digits()
    x = (bunch.data > threshold).astype(np.uint8)
    y = bunch.target.astype(np.uint8)
    perm = np.random.default_rng(rng).permutation(len(x))
    parts = {"train": perm[:1197], "valid": perm[1197:1497], "test": perm[1497:]}
    out = {}
    for split, idx in parts.items():
        out[f"x_{split}"] = x[idx]
        out[f"y_{split}"] = y[idx]
    return out


def reversed_mnist(x, y, *, majority: int = 0, ratio: float = 58.0, rng=0):
    """Skewed training set of the paper's Section 5.1: one digit `ratio` times each other.

    The paper used 5800 images of "0" and 100 of each other digit from MNIST's training
    set. Only the test split is labelled here, so this keeps every image of `majority`
    and draws ``round(n_majority / ratio)`` images of each other digit at random.

    Parameters
    ----------
    x : array, shape (n, n_pixels)
        Binary images.
    y : array, shape (n,)
        Integer labels 0..9.
    majority : int
        The over-represented digit.
    ratio : float
        Images of `majority` per image of each other digit (> 0).
    rng : seed or Generator

    Returns
    -------
    x_sub, y_sub : arrays
        The skewed subset, shuffled.

    Examples
    --------
    >>> import numpy as np
    >>> y = np.repeat(np.arange(10), 116)
    >>> x = np.zeros((len(y), 4), dtype=np.uint8)
    >>> xs, ys = reversed_mnist(x, y)
    >>> np.bincount(ys).tolist()
    [116, 2, 2, 2, 2, 2, 2, 2, 2, 2]
    """
    x = check_binary_images(x)
    y = np.asarray(y)
    if y.shape != (x.shape[0],):
        raise ValueError(f"`y` must have shape ({x.shape[0]},); got {y.shape}.")
    if not (np.isfinite(ratio) and ratio > 0):
        raise ValueError(f"`ratio` must be a finite number > 0; got {ratio!r}.")
    if majority not in set(np.unique(y).tolist()):
        raise ValueError(f"`majority` must be one of the labels in `y`; got {majority!r}.")
    gen = np.random.default_rng(rng)
    idx_major = np.flatnonzero(y == majority)
    n_other = max(1, int(round(len(idx_major) / ratio)))
    keep = [idx_major]
    for label in np.unique(y):
        if label == majority:
            continue
        pool = np.flatnonzero(y == label)
        if len(pool) < n_other:
            raise ValueError(f"label {label} has {len(pool)} images; `ratio` needs {n_other}.")
        keep.append(gen.choice(pool, size=n_other, replace=False))
    keep = gen.permutation(np.concatenate(keep))
    return x[keep], y[keep]


def reversed_mnist_from_index(d: dict, index_file) -> tuple[np.ndarray, np.ndarray]:
    """The training images and labels listed in an index file of :mod:`.pseudolabel`.

    Parameters
    ----------
    d : dict
        Binarized MNIST as returned by :func:`load_binarized_mnist` (``x_train``,
        ``x_test``).
    index_file : path
        ``.npz`` with ``source`` (0: ``x_train``, 1: ``x_test``), ``index``, ``label``
        and ``sha256`` (of the selected pixels, as :func:`.pseudolabel.pixels_sha256`).

    Returns
    -------
    x, y : arrays
        The images in the file's order (uint8) and their labels (pseudo-labels for
        images from ``x_train``).

    Raises
    ------
    ValueError
        If the file is missing or malformed, or the selected pixels do not hash to the
        recorded SHA-256 (a different copy of the data).
    """
    from .pseudolabel import pixels_sha256
    path = Path(index_file)
    if not path.is_file():
        raise ValueError(f"`index_file` {str(path)!r} does not exist; build it with "
                         "`python -m examples.fae.pseudolabel`.")
    with np.load(path) as f:
        missing = {"source", "index", "label", "sha256"} - set(f.files)
        if missing:
            raise ValueError(f"`index_file` {str(path)!r} lacks {sorted(missing)}.")
        src, idx, lab, sha = f["source"], f["index"], f["label"], str(f["sha256"])
    splits = {0: d["x_train"], 1: d["x_test"]}
    if not (src.shape == idx.shape == lab.shape and src.ndim == 1
            and set(np.unique(src).tolist()) <= set(splits)):
        raise ValueError(f"`index_file` {str(path)!r}: `source`, `index`, `label` must be "
                         "equal-length 1-D arrays with `source` in {0, 1}.")
    x = np.empty((len(src), d["x_train"].shape[1]), dtype=np.uint8)
    for code, xs in splits.items():
        m = src == code
        if m.any() and (idx[m].min() < 0 or idx[m].max() >= len(xs)):
            raise ValueError(f"`index_file` {str(path)!r}: an index is out of range.")
        x[m] = xs[idx[m]]
    if pixels_sha256(x) != sha:
        raise ValueError(f"the images selected by {str(path)!r} do not match its SHA-256: "
                         "the binarized MNIST files differ from those it was built from.")
    return x, lab.astype(np.uint8)
