"""Fisher-Shannon analysis of signals: FS points over sliding windows of a 1-D series."""

from __future__ import annotations

from typing import Any

import numpy as np

from ._results import FSTrajectory
from ._validation import check_int, check_samples

__all__ = ["fs_trajectory"]


def fs_trajectory(series: Any, window: int, step: int | None = None, *, rng: Any = None,
                  label: str | None = None, **fs_options: Any) -> FSTrajectory:
    """FS-plane points of a 1-D series over sliding windows.

    Parameters
    ----------
    series : array_like, shape (n,)
        The signal (finite values; NaN/inf raise). A 1-D ``dask.array.Array`` (or a
        dask-backed DataArray) is processed block-parallel on the active dask scheduler
        without materialising it: the points equal the in-memory ones, and the bootstrap
        errors use one seed per window derived from `rng` instead of one shared stream.
    window : int
        Samples per window (>= 10; at most ``len(series)``).
    step : int, optional
        Shift between consecutive windows; default `window` (non-overlapping windows,
        so that the points are independent).
    rng : None, int or numpy.random.Generator
        One generator, shared by all windows (bootstrap errors), so a seed makes the
        whole trajectory reproducible.
    label : str, optional
        Stored on the trajectory (legend text in plots).
    **fs_options
        Passed to :func:`infoplane.fs_point` for every window (``method``,
        ``entropy_options``, ``fisher_options``, ...).

    Returns
    -------
    FSTrajectory
        ``steps`` holds each window's centre index, ``(start + stop - 1) / 2``.

    Raises
    ------
    ValueError
        If `series` is not 1-D or not finite, or `window`/`step` are out of range.

    Examples
    --------
    >>> import numpy as np
    >>> from infoplane.signals import fs_trajectory
    >>> rng = np.random.default_rng(0)
    >>> x = np.concatenate([rng.normal(0, 1, 4000), rng.laplace(0, 1, 4000)])
    >>> traj = fs_trajectory(x, 4000, rng=0)
    >>> traj.steps
    array([1999.5, 5999.5])
    >>> p = traj.product   # N·J: 1 for Gaussian, 2e/π ≈ 1.73 for Laplace
    >>> bool(abs(p[0] - 1) < 0.1), bool(p[1] > 1.3)
    (True, True)
    """
    from ._api import _lazy_array, fs_point

    if _lazy_array(series) is not None:   # a dask-backed long series: block-parallel
        from .scale.windows import fs_trajectory_dask

        window = check_int("window", window, minimum=10)
        step = window if step is None else check_int("step", step, minimum=1)
        return fs_trajectory_dask(series, window, step, rng=rng, label=label, **fs_options)
    arr = np.asarray(series)
    if arr.ndim != 1:
        raise ValueError(f"`series` must be 1-D; got shape {arr.shape}.")
    x = check_samples(arr, name="series")[:, 0]
    n = x.size
    window = check_int("window", window, minimum=10)
    if window > n:
        raise ValueError(f"`window` must be <= len(series) = {n}; got {window}.")
    step = window if step is None else check_int("step", step, minimum=1)
    rng = np.random.default_rng(rng)
    starts = range(0, n - window + 1, step)
    points = tuple(fs_point(x[s:s + window], rng=rng, **fs_options) for s in starts)
    centres = np.array([s + (window - 1) / 2.0 for s in starts])
    return FSTrajectory(points, centres, label)
