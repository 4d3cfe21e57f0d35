"""``python -m infoplane tour``: FS points of well-known densities (and samples); a PNG."""

from __future__ import annotations

import math

import numpy as np

__all__ = ["add_arguments", "run", "tour_points", "tour_trajectory", "format_table"]


def add_arguments(p):
    p.add_argument("--out", default="fs_plane.png", help="PNG to write (default: fs_plane.png)")
    p.add_argument("--no-plot", action="store_true", help="print the table only")
    p.add_argument("--n-samples", type=int, default=5000,
                   help="sample size for the sample-based points (default: 5000)")
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=run)


def tour_densities():
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


def tour_points(n_samples: int = 5000, seed: int = 0):
    """FS points of the tour densities and, when the sample estimators exist, of samples.

    Returns
    -------
    points : dict label -> FSPoint
    notes : list of str
    """
    import infoplane as ip

    rng = np.random.default_rng(seed)
    dens = tour_densities()
    points = {label: ip.fs_point(d, rng=rng) for label, d in dens.items()}
    notes = []
    for label in ("Gaussian", "Laplace", "mixture ±2"):
        x = dens[label].sample(n_samples, rng=rng)
        try:
            points[f"{label}, {n_samples} samples"] = ip.fs_point(x, rng=rng)
        except TypeError as exc:  # sample estimators not installed in this build
            notes.append(f"samples skipped: {exc}")
            break
    return points, notes


def tour_trajectory(num: int = 25):
    """A path across the plane: two unit-variance Gaussians pulled apart (separation 0 → 6).

    At separation 0 the mixture is Gaussian (on the bound); as the modes part, N grows,
    J first falls and then recovers, and the path swings away from the bound.
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


def draw(points, trajectory, out):
    """Write the FS-plane PNG to `out`; returns the path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .plot import _MARKERS, _PALETTE, fs_plane

    fig, ax = plt.subplots(figsize=(8.0, 5.6), layout="constrained")
    items = dict(points)
    items[trajectory.label] = trajectory
    # sample-based points: hollow markers in the colour of their density, in the legend
    styles, names = {}, list(points)
    for i, label in enumerate(names):
        if ", " in label and label.endswith(" samples"):
            base = names.index(label.split(", ")[0])
            styles[label] = {"color": _PALETTE[base % len(_PALETTE)],
                             "fmt": _MARKERS[base % len(_MARKERS)], "mfc": "white",
                             "mew": 1.4, "annotate": False, "legend": True,
                             "mec": _PALETTE[base % len(_PALETTE)]}
    fs_plane(items, ax=ax, curves=(1, 2, 5, 10), colorbar_label="separation of the modes",
             styles=styles,
             title="The Fisher–Shannon plane: N·J/d ≥ 1, with equality only for Gaussians")
    fig.savefig(out, dpi=130)
    plt.close(fig)
    return out


def run(args):
    points, notes = tour_points(args.n_samples, args.seed)
    print("Fisher–Shannon points (nats; N = exp(2H/d)/(2πe), J = E‖∇ log f‖²; "
          "N·J/d ≥ 1, = 1 only for isotropic Gaussians)\n")
    print(format_table(points))
    for n in notes:
        print(f"\nnote: {n}")
    if not args.no_plot:
        out = draw(points, tour_trajectory(), args.out)
        print(f"\nwrote {out}")
    return 0
