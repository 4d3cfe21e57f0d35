"""The Fisher-Shannon plane as a matplotlib figure (needs the ``plot`` extra).

matplotlib is imported when a function here is called, never by ``import infoplane``.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ._results import FSPoint, FSTrajectory
from .errors import InfoplaneWarning, import_optional

__all__ = ["fs_plane", "point_style"]

# tab10 with the pale yellow and cyan darkened, so labels stay readable on white
_PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
            "#0e8a9a", "#7f7f7f", "#a08a00"]
_MARKERS = "osD^v<>hPX"


def point_style(index: int) -> dict[str, str]:
    """Colour and marker :func:`fs_plane` gives the `index`-th point it draws.

    Use it to draw something in the style of a given point, e.g. a hollow marker of the
    same colour through the ``styles`` argument of :func:`fs_plane`. The styles cycle
    through ten colours and ten markers.

    Parameters
    ----------
    index : int
        Position of the point among the points (not trajectories) passed to
        :func:`fs_plane`, from 0.

    Returns
    -------
    dict
        ``{"color": <hex colour>, "fmt": <marker>}``, keyword arguments of
        :meth:`matplotlib.axes.Axes.errorbar`.

    Examples
    --------
    >>> from infoplane.plot import point_style
    >>> point_style(0)
    {'color': '#1f77b4', 'fmt': 'o'}
    >>> point_style(10) == point_style(0)
    True
    """
    return {"color": _PALETTE[index % len(_PALETTE)], "fmt": _MARKERS[index % len(_MARKERS)]}


_OFFSETS = [(6, 4, "left"), (6, -12, "left"), (-6, 4, "right"), (-6, -12, "right"),
            (0, 9, "center"), (0, -17, "center"), (10, -4, "left"), (-10, -4, "right")]


def _place_labels(ax, labels, fontsize, obstacles=()):
    """Greedy label placement: per point, the first offset whose box overlaps nothing yet.

    `labels` holds (text, x, y, color). Boxes are estimated in display pixels from the
    font size (0.6 em per character), which is enough to keep neighbours apart.
    """
    fig = ax.figure
    px = fig.dpi / 72.0
    to_disp = ax.transData.transform
    taken = []  # boxes (x0, y0, x1, y1) in pixels
    pts = [(x, y) for _, x, y, _ in labels] + list(obstacles)
    for x, y in pts:  # markers and trajectory points are obstacles too
        cx, cy = to_disp((x, y))
        taken.append((cx - 5 * px, cy - 5 * px, cx + 5 * px, cy + 5 * px))
    w_ax = ax.get_window_extent()

    def overlap(b):
        area = 0.0
        for t in taken:
            dx = min(b[2], t[2]) - max(b[0], t[0])
            dy = min(b[3], t[3]) - max(b[1], t[1])
            if dx > 0 and dy > 0:
                area += dx * dy
        # leaving the axes counts as overlap
        out = max(0.0, w_ax.x0 - b[0]) + max(0.0, b[2] - w_ax.x1)
        out += max(0.0, w_ax.y0 - b[1]) + max(0.0, b[3] - w_ax.y1)
        return area + 1e3 * out

    for text, x, y, color in labels:
        cx, cy = to_disp((x, y))
        w = 0.6 * fontsize * len(text) * px
        h = fontsize * 1.1 * px
        best = None
        for dx, dy, ha in _OFFSETS:
            x0 = cx + dx * px - (w if ha == "right" else (w / 2 if ha == "center" else 0.0))
            y0 = cy + dy * px
            box = (x0, y0, x0 + w, y0 + h)
            score = overlap(box)
            if best is None or score < best[0]:
                best = (score, box, dx, dy, ha)
            if score == 0.0:
                break
        _, box, dx, dy, ha = best
        taken.append(box)
        ax.annotate(text, (x, y), xytext=(dx, dy), textcoords="offset points", ha=ha,
                    fontsize=fontsize, color=color, zorder=5)


def _as_items(points):
    """Normalise the accepted inputs to a list of (label, object)."""
    if points is None:
        return []
    if isinstance(points, (FSPoint, FSTrajectory)):
        return [(None, points)]
    if isinstance(points, Mapping):
        return [(str(k), v) for k, v in points.items()]
    if isinstance(points, (list, tuple)):
        return [(None, p) for p in points]
    raise TypeError(
        "`points` must be an FSPoint, an FSTrajectory, a sequence of them or a mapping "
        f"label -> point/trajectory/(N, J[, steps]) arrays; got {type(points).__name__}."
    )


def _trajectory_arrays(label, obj):
    """(N, J, steps, dim) of a trajectory given as FSTrajectory or arrays."""
    if isinstance(obj, FSTrajectory):
        dims = {p.dim for p in obj.points}
        return obj.entropy_power, obj.fisher, obj.steps, (dims.pop() if len(dims) == 1 else None)
    arrs = [np.asarray(a, dtype=float) for a in obj]
    if (len(arrs) not in (2, 3) or any(a.ndim != 1 for a in arrs)
            or len({a.size for a in arrs}) != 1):
        raise ValueError(
            f"trajectory {label!r} must be (N, J) or (N, J, steps) 1-D arrays of equal length."
        )
    steps = arrs[2] if len(arrs) == 3 else np.arange(arrs[0].size, dtype=float)
    return arrs[0], arrs[1], steps, None


def fs_plane(
    points: Any = None,
    *,
    ax: Any = None,
    curves: Sequence[float] = (1, 2, 5),
    dim: int | None = None,
    errorbars: bool = True,
    annotate: bool = True,
    cmap: str = "viridis",
    colorbar: bool = True,
    colorbar_label: str = "step",
    title: str | None = None,
    styles: Mapping | None = None,
) -> Any:
    """Draw FS-plane points, trajectories and the N·J/d = K curves on log axes.

    Parameters
    ----------
    points : FSPoint, FSTrajectory, sequence, or mapping
        What to draw. A mapping ``label -> item`` labels each item; an item is an
        :class:`~infoplane.FSPoint` (a marker with error bars), an
        :class:`~infoplane.FSTrajectory` or a tuple of arrays ``(N, J)`` /
        ``(N, J, steps)`` (a path whose markers are coloured by step, with a colorbar).
    ax : matplotlib.axes.Axes, optional
        Axes to draw into; a new figure is made when omitted.
    curves : sequence of float
        Levels K of the curves N·J/d = K. K = 1 is drawn bold and labelled as the
        Gaussian (Stam) bound; the region below it is unreachable and shaded.
    dim : int, optional
        Dimension for the curves J = K·d/N. Default: the common dimension of the points.
        With points of different dimensions the vertical axis shows J/d instead.
    errorbars : bool
        Draw ±1 standard error bars (from ``stderr``) where they are non-zero.
    annotate : bool
        Write each point's label next to it.
    cmap : str
        Colormap for trajectory steps.
    colorbar : bool
        Add a colorbar for the steps when a trajectory is drawn.
    colorbar_label : str
    title : str, optional
    styles : mapping label -> dict, optional
        Per-point matplotlib keyword arguments for :meth:`~matplotlib.axes.Axes.errorbar`
        (e.g. ``{"color": "C1", "fmt": "o", "mfc": "white"}``), plus two switches:
        ``"annotate"`` (write the label next to the point) and ``"legend"`` (list it in
        the legend; by default a point is in the legend only when it is not annotated).

    Returns
    -------
    matplotlib.axes.Axes

    Warns
    -----
    InfoplaneWarning
        For points with an infinite or undefined N or J (they cannot be drawn).

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import infoplane as ip
    >>> from infoplane.plot import fs_plane
    >>> pts = {"Gaussian": ip.fs_point(ip.Gaussian()), "Laplace": ip.fs_point(ip.Laplace())}
    >>> ax = fs_plane(pts)
    >>> ax.get_xscale(), ax.get_yscale()
    ('log', 'log')
    """
    plt = import_optional("matplotlib.pyplot", "plot")
    from matplotlib import colors as mcolors

    items = _as_items(points)
    if ax is None:
        _, ax = plt.subplots(figsize=(7.0, 5.2), layout="constrained")

    dims = set()
    for _, obj in items:
        if isinstance(obj, FSPoint):
            dims.add(obj.dim)
        elif isinstance(obj, FSTrajectory):
            dims.update(p.dim for p in obj.points)
    per_dim = dim is None and len(dims) > 1
    d_curve = 1 if per_dim else (dim or (dims.pop() if dims else 1))

    def y_of(j, d):
        return j / d if per_dim else j

    xs, ys = [], []
    n_pt = 0
    trajectories = []
    to_label = []
    for label, obj in items:
        if isinstance(obj, FSPoint):
            n, j = obj.entropy_power.value, obj.fisher.value
            if not (math.isfinite(n) and math.isfinite(j) and n > 0 and j > 0):
                warnings.warn(
                    f"point {label or n_pt!r} not drawn: N={n:g}, J={j:g}"
                    + (f" ({obj.fisher.reason})" if obj.fisher.reason else ""),
                    InfoplaneWarning, stacklevel=2,
                )
                continue
            y = y_of(j, obj.dim)
            style = dict((styles or {}).get(label, {}))
            ann = bool(style.pop("annotate", annotate))
            in_legend = bool(style.pop("legend", not ann))
            kw = dict(**point_style(n_pt), ms=7, mec="white", mew=0.8, capsize=2.5,
                      elinewidth=1.0, zorder=4)
            kw.update(style)
            xerr = obj.entropy_power.stderr if errorbars else 0.0
            yerr = y_of(obj.fisher.stderr, obj.dim) if errorbars else 0.0
            has_err = (np.isfinite(xerr) and xerr > 0) or (np.isfinite(yerr) and yerr > 0)
            ax.errorbar(
                [n], [y],
                xerr=[[xerr]] if has_err and np.isfinite(xerr) else None,
                yerr=[[yerr]] if has_err and np.isfinite(yerr) else None,
                label=label if in_legend else None, **kw,
            )
            if ann and label:
                to_label.append((label, n, y, kw["color"]))
            xs.append(n)
            ys.append(y)
            n_pt += 1
        else:
            if not (isinstance(obj, FSTrajectory) or isinstance(obj, (tuple, list))):
                raise TypeError(
                    f"item {label!r} must be an FSPoint, an FSTrajectory or (N, J[, steps]) "
                    f"arrays; got {type(obj).__name__}."
                )
            N, J, steps, tdim = _trajectory_arrays(label, obj)
            ok = np.isfinite(N) & np.isfinite(J) & (N > 0) & (J > 0)
            if not ok.all():
                warnings.warn(f"trajectory {label!r}: {int((~ok).sum())} non-finite points "
                              "not drawn", InfoplaneWarning, stacklevel=2)
            Y = J / tdim if (per_dim and tdim) else J
            trajectories.append((label, N[ok], Y[ok], steps[ok]))
            xs.extend(N[ok])
            ys.extend(Y[ok])

    if trajectories:
        all_steps = np.concatenate([t[3] for t in trajectories])
        norm = mcolors.Normalize(float(all_steps.min()), float(all_steps.max()))
        sc = None
        for label, N, Y, steps in trajectories:
            ax.plot(N, Y, color="0.55", lw=0.9, zorder=2)
            sc = ax.scatter(N, Y, c=steps, cmap=cmap, norm=norm, s=22, zorder=3,
                            edgecolors="none", label=label)
            if annotate and label and len(N):
                to_label.append((label, N[-1], Y[-1], "0.25"))
        if colorbar and sc is not None:
            ax.figure.colorbar(sc, ax=ax, label=colorbar_label, pad=0.01)

    # axis limits: data with margins (a default decade around 1 when empty)
    if xs:
        x_lo, x_hi = min(xs) / 2.5, max(xs) * 2.5
        y_lo, y_hi = min(ys) / 2.5, max(ys) * 2.5
    else:
        x_lo, x_hi, y_lo, y_hi = 0.1, 10.0, 0.1, 10.0
    ax.set_xscale("log")
    ax.set_yscale("log")

    # N·J/d = K curves, J = K·d/N (or J/d = K/N per dimension)
    Ngrid = np.geomspace(x_lo, x_hi, 200)
    kk = d_curve if not per_dim else 1
    for K in sorted(curves):
        if not K > 0:
            raise ValueError(f"`curves` levels must be > 0; got {K!r}.")
        Jc = K * kk / Ngrid
        if K == 1:
            ax.plot(Ngrid, Jc, color="k", lw=1.8, zorder=1,
                    label="N·J/d = 1 (Gaussian bound)")
            ax.fill_between(Ngrid, min(y_lo, Jc.min()) / 10, Jc, color="0.92", zorder=0,
                            lw=0)
        else:
            ax.plot(Ngrid, Jc, color="0.45", lw=0.9, ls="--", zorder=1)
            # label the curve near where it leaves the axes (right edge or bottom)
            xl = min(x_hi / 1.15, K * kk / (y_lo * 1.15))
            if xl > x_lo:
                ax.annotate(f"K = {K:g}", (xl, K * kk / xl), xytext=(-2, 2),
                            textcoords="offset points", ha="right", fontsize=8, color="0.35")
    ax.set_xlim(x_lo, x_hi)
    ax.set_ylim(y_lo, y_hi)
    from matplotlib import ticker

    for axis in (ax.xaxis, ax.yaxis):
        axis.set_major_locator(ticker.LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        axis.set_major_formatter(ticker.FuncFormatter(lambda v, _: f"{v:g}"))
        axis.set_minor_locator(ticker.LogLocator(base=10, subs=[float(k) for k in range(2, 10)]))
        axis.set_minor_formatter(ticker.NullFormatter())
    if to_label:
        ax.figure.canvas.draw_idle()
        obstacles = [(x, y) for t in trajectories for x, y in zip(t[1], t[2])]
        _place_labels(ax, to_label, 8.5, obstacles)
    ax.set_xlabel("entropy power N = exp(2H/d) / (2πe)")
    ax.set_ylabel("Fisher information per dimension J / d" if per_dim
                  else ("Fisher information J = tr $\\mathcal{J}$" if d_curve > 1
                        else "Fisher information J"))
    ax.grid(True, which="major", color="0.85", lw=0.6)
    ax.legend(loc="upper right", fontsize=8, framealpha=0.9)
    if title:
        ax.set_title(title)
    return ax
