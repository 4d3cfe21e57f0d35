"""Scale-out: out-of-core estimates of dask arrays and per-series FS maps.

* :func:`infoplane.fisher`, :func:`~infoplane.entropy`, :func:`~infoplane.entropy_power`,
  :func:`~infoplane.fisher_matrix` and :func:`~infoplane.fs_point` accept a 1-D
  ``dask.array.Array`` and estimate out of core (:mod:`.dask1d`): a few passes over the
  blocks, merged binned statistics, memory bounded by the chunk size.
* :func:`fs_map` (:mod:`.maps`): the FS point of every series along one axis of a NumPy,
  dask or xarray array, block-parallel for dask.
* :func:`infoplane.fs_trajectory` accepts a dask-backed long series (:mod:`.windows`).

Nothing here imports dask or xarray until a dask or xarray object arrives
(``import infoplane`` stays light). Install with ``pip install "infoplane[dask]"``; see
``docs/scaling.md`` for clusters (LocalCluster, a scheduler address, HPC).
"""

from .maps import FSMap, fs_map

__all__ = ["fs_map", "FSMap"]
