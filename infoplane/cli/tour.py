"""``infoplane tour``: FS points of well-known densities and samples, and the plane as a figure.

The table lists N, J and N·J/d of ten densities (closed forms; quadrature for the mixture)
and of ``--n-samples`` samples drawn from three of them (sample estimators, with standard
errors). The figure adds a trajectory: two Gaussians pulled apart.

The figure goes to ``--out``; by default ``fs_plane.png`` in the current working directory
(an existing file of that name is overwritten). The command prints the absolute path it
wrote. ``--no-plot`` prints the table only and writes no file.
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
from pathlib import Path

import numpy as np

from ._common import UsageError, int_at_least

__all__ = [
    "add_arguments", "run", "tour_densities", "tour_points", "tour_trajectory",
    "format_table", "draw", "check_out", "DEFAULT_OUT", "FORMATS", "MIN_SAMPLES",
]

#: Where the figure goes without ``--out`` (relative to the working directory).
DEFAULT_OUT = "fs_plane.png"
#: Figure formats ``--out`` accepts, by file extension.
FORMATS = (".png", ".pdf", ".svg")
#: Smallest ``--n-samples``: the KDE Fisher-information estimator needs 10 samples.
MIN_SAMPLES = 10


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Add the ``tour`` options to `p` and set ``run`` as its handler."""
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--out", default=None, metavar="FILE",
        help=f"figure to write, {', '.join(FORMATS)} (default: {DEFAULT_OUT} in the current "
             "directory; the command prints the absolute path it wrote)",
    )
    where.add_argument("--no-plot", action="store_true",
                       help="print the table only; write no file")
    p.add_argument("--n-samples", type=int_at_least(MIN_SAMPLES), default=5000,
                   help=f"sample size of the sample-based points, >= {MIN_SAMPLES} "
                        "(default: 5000)")
    p.add_argument("--seed", type=int_at_least(0), default=0,
                   help="seed of the samples and of Monte Carlo, an integer >= 0 (default 0)")
    p.set_defaults(run=run)


def tour_densities() -> dict:
    """The densities of the tour, by label."""
    import infoplane as ip

    return {
        "Gaussian": ip.Gaussian(0.0, 1.0),
        "Laplace": ip.Laplace(0.0, 1.0),
        "Logistic": ip.Logistic(0.0, 1.0),
        "Student-t ν=3": ip.StudentT(3.0),
        "Cauchy": ip.Cauchy(0.0, 1.0),
        "GenGauss β=4": ip.GeneralizedGaussian(4.0, 0.0, 2.0),
        "GenGauss β=0.7": ip.GeneralizedGaussian(0.7, 0.0, 0.5),
        "Gamma k=4": ip.Gamma(4.0, 1.0),
        "mixture ±2": ip.GaussianMixture([0.5, 0.5], [-2.0, 2.0], [0.5, 0.5]),
        "3-D Gaussian σ²=(0.25,1,4)": ip.Gaussian(np.zeros(3), [0.25, 1.0, 4.0]),
    }


def tour_points(n_samples: int = 5000, seed: int = 0) -> dict:
    """FS points of the tour densities, and of `n_samples` samples of three of them.

    Parameters
    ----------
    n_samples : int
        Sample size of the sample-based points, at least ``MIN_SAMPLES``.
    seed : int
        Seed of the samples and of any Monte Carlo.

    Returns
    -------
    dict
        Label -> :class:`~infoplane.FSPoint`; sample-based labels end in
        ``", <n> samples"``.
    """
    import infoplane as ip

    if not (isinstance(n_samples, (int, np.integer)) and n_samples >= MIN_SAMPLES):
        raise ValueError(f"`n_samples` must be an integer >= {MIN_SAMPLES}; got {n_samples!r}.")
    rng = np.random.default_rng(seed)
    dens = tour_densities()
    points = {label: ip.fs_point(d, rng=rng) for label, d in dens.items()}
    for label in ("Gaussian", "Laplace", "mixture ±2"):
        x = dens[label].sample(n_samples, rng=rng)
        points[f"{label}, {n_samples} samples"] = ip.fs_point(x, rng=rng)
    return points


def tour_trajectory(num: int = 25):
    """A path across the plane: two unit-variance Gaussians pulled apart (separation 0 → 6).

    At separation 0 the mixture is Gaussian (on the bound); as the modes part, N grows,
    J first falls and then recovers, and the path swings away from the bound.

    Returns
    -------
    FSTrajectory
    """
    import infoplane as ip

    seps = np.linspace(0.0, 6.0, num)
    pts = [ip.fs_point(ip.GaussianMixture([0.5, 0.5], [-s / 2, s / 2], [1.0, 1.0]))
           for s in seps]
    return ip.FSTrajectory(tuple(pts), seps, label="mixture, separation 0→6")


def format_table(points) -> str:
    """A plain-text table: label, d, N, J, N·J/d, method."""
    rows = [("density", "d", "N", "J", "N·J/d", "method")]
    for label, p in points.items():
        def fmt(e):
            v = e.value
            if not math.isfinite(v):
                return f"{v}"
            s = f"{v:.4g}"
            if e.stderr and math.isfinite(e.stderr) and e.stderr > 1e-9 * abs(v):
                s += f" ± {e.stderr:.1g}"
            return s

        method = p.entropy.method if p.entropy.method == p.fisher.method else (
            f"H: {p.entropy.method}, J: {p.fisher.method}")
        rows.append((label, str(p.dim), fmt(p.entropy_power), fmt(p.fisher), fmt(p.product),
                     method))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for k, r in enumerate(rows):
        lines.append("  ".join(c.ljust(w) if i in (0, 5) else c.rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths))).rstrip())
        if k == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def check_out(out) -> Path:
    """Check, before any computation, that the figure can be written to `out`.

    Parameters
    ----------
    out : str or path-like or None
        The ``--out`` argument; None means ``DEFAULT_OUT`` in the working directory.

    Returns
    -------
    pathlib.Path
        The absolute path to write.

    Raises
    ------
    UsageError
        Unsupported extension, missing or unwritable folder, a directory as `out`, or
        matplotlib not installed.
    """
    path = Path(DEFAULT_OUT if out is None else out).expanduser().absolute()
    shown = repr(str(out if out is not None else DEFAULT_OUT))
    if path.is_dir():
        raise UsageError(f"argument --out: {shown} is a directory; give a file name such as "
                         f"{str(Path(out or '.') / DEFAULT_OUT)!r}.")
    if path.suffix.lower() not in FORMATS:
        ext = f"extension {path.suffix!r}" if path.suffix else "no extension"
        raise UsageError(f"argument --out: {shown} has {ext}, which is not a supported "
                         f"figure format; give a file name ending in {', '.join(FORMATS)}.")
    if not path.parent.is_dir():
        raise UsageError(f"argument --out: the folder {str(path.parent)!r} does not exist; "
                         "create it first or choose another path.")
    if not os.access(path.parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise UsageError(f"argument --out: {str(path)!r} is not writable; choose another "
                         "path.")
    if importlib.util.find_spec("matplotlib") is None:
        raise UsageError("the figure needs matplotlib: pip install 'infoplane[plot]', or pass "
                         "--no-plot to print the table only.")
    return path


def draw(points, trajectory, out) -> Path:
    """Write the FS-plane figure of `points` and `trajectory` to `out`.

    Sample-based points (labels ending in ``" samples"``) are drawn as hollow markers in
    the colour of their density and listed in the legend.

    Returns
    -------
    pathlib.Path
        `out`.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from ..plot import fs_plane, point_style

    fig = Figure(figsize=(8.0, 5.6), layout="constrained")
    FigureCanvasAgg(fig)  # draws without pyplot, so no global backend is switched
    ax = fig.add_subplot()
    items = dict(points)
    items[trajectory.label] = trajectory
    styles, names = {}, list(points)
    for label in names:
        if ", " in label and label.endswith(" samples"):
            base = point_style(names.index(label.split(", ")[0]))
            styles[label] = {**base, "mfc": "white", "mec": base["color"], "mew": 1.4,
                             "annotate": False, "legend": True}
    fs_plane(items, ax=ax, curves=(1, 2, 5, 10), colorbar_label="separation of the modes",
             styles=styles,
             title="The Fisher–Shannon plane: N·J/d ≥ 1, with equality only for Gaussians")
    fig.savefig(out, dpi=130)
    return Path(out)


def run(args: argparse.Namespace) -> int:
    """Run ``infoplane tour``: check ``--out``, compute, print the table, draw.

    Returns
    -------
    int
        0; a bad ``--out`` raises :class:`UsageError` before anything is computed.
    """
    out = None if args.no_plot else check_out(args.out)
    points = tour_points(args.n_samples, args.seed)
    print("Fisher–Shannon points (nats; N = exp(2H/d)/(2πe), J = E‖∇ log f‖²; "
          "N·J/d ≥ 1, = 1 only for isotropic Gaussians)\n")
    print(format_table(points))
    if out is not None:
        draw(points, tour_trajectory(), out)
        print(f"\nwrote {out}")
    return 0
