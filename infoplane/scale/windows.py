"""Sliding-window FS trajectories of long dask-backed series.

:func:`infoplane.fs_trajectory` sends a dask array here. Consecutive windows are grouped
into tasks of a few million samples; each task materialises only its slice and runs
:func:`infoplane.fs_point` on its windows, so the points equal those of the in-memory
trajectory (values exactly; bootstrap errors use per-window seeds instead of one shared
stream). Windows longer than 2²⁴ samples are themselves estimated out of core.
"""

from __future__ import annotations

import numpy as np

from .._api import _lazy_array, fs_point
from .._results import FSTrajectory
from .maps import _root_seed

__all__ = ["fs_trajectory_dask"]

#: samples per task (several windows share one task up to this span)
_TASK_SAMPLES = 1 << 22
#: windows longer than this are estimated out of core, one after the other
_IN_MEMORY_WINDOW = 1 << 24


def _points(seg, first_row: int, starts, window: int, seeds, fs_options):
    x = np.asarray(seg, dtype=np.float64)
    bad = ~np.isfinite(x)
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"`series` must be finite; found a non-finite value at row "
                         f"{first_row + i}.")
    return [fs_point(x[s:s + window], rng=np.random.default_rng(seed), **fs_options)
            for s, seed in zip(starts, seeds)]


def fs_trajectory_dask(series, window: int, step: int, *, rng=None, label=None,
                       **fs_options) -> FSTrajectory:
    """:func:`infoplane.fs_trajectory` of a 1-D dask array (`window`, `step` checked)."""
    import dask

    x = _lazy_array(series)
    if x.ndim != 1:
        raise ValueError(f"`series` must be 1-D; got shape {x.shape}.")
    if any(np.isnan(c) for c in x.chunks[0]):
        x = x.compute_chunk_sizes()
    n = int(x.shape[0])
    if window > n:
        raise ValueError(f"`window` must be <= len(series) = {n}; got {window}.")
    starts = list(range(0, n - window + 1, step))
    root = _root_seed(rng)
    seeds = [[root, i] for i in range(len(starts))]
    if window > _IN_MEMORY_WINDOW:
        points = [fs_point(x[s:s + window], rng=np.random.default_rng(sd), **fs_options)
                  for s, sd in zip(starts, seeds)]
    else:
        tasks, i = [], 0
        span = max(_TASK_SAMPLES, window)
        while i < len(starts):
            j = i + 1
            while j < len(starts) and starts[j] + window - starts[i] <= span:
                j += 1
            a, b = starts[i], starts[j - 1] + window
            tasks.append(dask.delayed(_points, pure=False)(
                x[a:b], a, [s - a for s in starts[i:j]], window, seeds[i:j], fs_options))
            i = j
        points = [p for group in dask.compute(*tasks) for p in group]
    centres = np.array([s + (window - 1) / 2.0 for s in starts])
    return FSTrajectory(tuple(points), centres, label)
