"""Per-series FS maps: the FS point of every series along one axis of an array.

:func:`fs_map` takes a NumPy array, a dask array or an ``xarray.DataArray`` (NumPy- or
dask-backed) and returns the FS point of each series along `axis` (or `dim`) over the
remaining axes. Dask arrays are processed block-parallel with ``map_blocks`` on whatever
scheduler is active (threads, processes, a ``distributed`` cluster); each series is
estimated in memory by :func:`infoplane.fs_point`, so a map equals a loop of ``fs_point``
over its series. Missing values are dropped per series; a series that cannot be
estimated gets NaN and a status code, never an exception that stops the map.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, ClassVar, Mapping

import numpy as np

from .. import _registry as reg
from .._api import _lazy_array, _side_methods, fs_point
from .._validation import check_int

__all__ = ["fs_map", "FSMap", "FIELDS", "STATUS"]

#: the per-series outputs, in the order of the internal stacked array
FIELDS = ("entropy", "entropy_stderr", "entropy_power", "entropy_power_stderr", "fisher",
          "fisher_stderr", "product", "product_stderr", "n_valid", "status")

#: status codes of a series
STATUS = MappingProxyType({
    0: "estimated",
    1: "too few finite values (fewer than min_samples): NaN",
    2: "the estimate is infinite or undefined, with a reason (e.g. a constant series: "
       "entropy -inf, entropy power 0, Fisher information inf, product NaN)",
    3: "the estimator refused the series (e.g. heavy ties: pass jitter='auto'; call "
       "infoplane.fs_point on that series for the message): NaN",
})

#: largest block (bytes) handed to one task before the non-series axes are re-chunked
_MAX_BLOCK_BYTES = 256 * 2**20


@dataclass(frozen=True)
class FSMap:
    """FS points of many series: arrays over the non-series axes of the input.

    Attributes
    ----------
    entropy, entropy_stderr : ndarray
        Differential entropy H (nats) and its standard error.
    entropy_power, entropy_power_stderr : ndarray
        N = exp(2H)/(2πe) and its standard error.
    fisher, fisher_stderr : ndarray
        Fisher information J and its standard error.
    product, product_stderr : ndarray
        The Stam product N·J (>= 1) and its standard error.
    n_valid : ndarray of int64
        Finite values of each series (the ones used).
    status : ndarray of int8
        0 estimated; 1 too few finite values; 2 infinite or undefined with a reason
        (e.g. constant); 3 the estimator refused the series (see ``FSMap.STATUS``).
    method : str
        The methods that ran, ``"entropy*fisher"`` (e.g. ``"knn*kde"``).
    STATUS : Mapping[int, str]
        The meaning of each status code.

    Examples
    --------
    >>> import numpy as np, infoplane as ip
    >>> cube = np.random.default_rng(0).standard_normal((2, 3, 500))
    >>> m = ip.fs_map(cube, rng=0)
    >>> m.product.shape, m.method
    ((2, 3), 'knn*kde')
    """

    entropy: np.ndarray
    entropy_stderr: np.ndarray
    entropy_power: np.ndarray
    entropy_power_stderr: np.ndarray
    fisher: np.ndarray
    fisher_stderr: np.ndarray
    product: np.ndarray
    product_stderr: np.ndarray
    n_valid: np.ndarray
    status: np.ndarray
    method: str = ""
    STATUS: ClassVar[Mapping[int, str]] = STATUS

    @property
    def shape(self) -> tuple:
        """Shape of the map (the input's shape without the series axis)."""
        return self.product.shape

    def to_dict(self) -> dict[str, np.ndarray]:
        """The arrays by name (the variables of the xarray result)."""
        return {k: getattr(self, k) for k in FIELDS}

    def __repr__(self) -> str:
        bad = {c: int(np.count_nonzero(self.status == c)) for c in STATUS if c}
        return (f"FSMap(shape={self.shape}, method={self.method!r}, "
                f"not estimated={ {c: k for c, k in bad.items() if k} })")


# ------------------------------------------------------------------------ per series
def _series_fields(rows: np.ndarray, index: np.ndarray, root: int, min_samples: int,
                   kw: dict) -> np.ndarray:
    """FIELDS of each row of `rows` (n_series, length) -> (n_series, len(FIELDS))."""
    out = np.full((rows.shape[0], len(FIELDS)), np.nan)
    for r in range(rows.shape[0]):
        row = np.asarray(rows[r], dtype=np.float64)
        x = row[np.isfinite(row)]
        out[r, 8] = x.size
        if x.size < min_samples:
            out[r, 9] = 1
            continue
        try:
            p = fs_point(x, rng=np.random.default_rng([root, int(index[r])]), **kw)
        except ValueError:
            out[r, 9] = 3
            continue
        out[r, :8] = (p.entropy.value, p.entropy.stderr, p.entropy_power.value,
                      p.entropy_power.stderr, p.fisher.value, p.fisher.stderr,
                      p.product.value, p.product.stderr)
        out[r, 9] = 2 if (p.entropy.reason or p.fisher.reason or p.product.reason) else 0
    return out


def _block(block: np.ndarray, root: int, min_samples: int, kw: dict, map_shape: tuple,
           block_info=None) -> np.ndarray:
    """map_blocks kernel: a block (..., length) -> (..., len(FIELDS))."""
    if block_info:
        loc = block_info[0]["array-location"][:-1]
    else:
        loc = [(0, s) for s in block.shape[:-1]]
    grids = np.meshgrid(*[np.arange(a, b) for a, b in loc], indexing="ij")
    index = (np.ravel_multi_index([g.ravel() for g in grids], map_shape) if map_shape
             else np.zeros(1, np.int64))
    rows = block.reshape(-1, block.shape[-1])
    return _series_fields(rows, index, root, min_samples, kw).reshape(
        block.shape[:-1] + (len(FIELDS),))


# ----------------------------------------------------------------------------- public
def _root_seed(rng) -> int:
    if rng is None:
        entropy: Any = np.random.SeedSequence().entropy
        return int(entropy)
    if isinstance(rng, np.random.Generator):
        return int(rng.integers(2**63))
    if isinstance(rng, numbers.Integral) and not isinstance(rng, (bool, np.bool_)) \
            and int(rng) >= 0:
        return int(rng)
    raise TypeError(f"`rng` must be None, an integer seed >= 0 or a numpy.random.Generator; "
                    f"got {type(rng).__name__} {rng!r}.")


def _fields_numpy(arr: np.ndarray, root, min_samples, kw) -> np.ndarray:
    return _block(np.asarray(arr), root, min_samples, kw, arr.shape[:-1])


def _fields_dask(arr, root, min_samples, kw):
    """Lazy (..., len(FIELDS)) dask array of the per-series fields."""
    last = arr.ndim - 1
    arr = arr.rechunk({last: -1})
    biggest = math.prod(max(c) for c in arr.chunks) * arr.dtype.itemsize
    if biggest > _MAX_BLOCK_BYTES:
        arr = arr.rechunk({**{i: "auto" for i in range(last)}, last: -1},
                          block_size_limit=_MAX_BLOCK_BYTES)
    map_shape = arr.shape[:-1]
    return arr.map_blocks(_block, root, min_samples, kw, map_shape, dtype=np.float64,
                          chunks=arr.chunks[:-1] + ((len(FIELDS),),),
                          meta=np.empty((0,) * arr.ndim, np.float64))


def _all_refused(fields: np.ndarray, arr, root: int, kw: dict) -> None:
    """When the estimator refused every series it tried, the cause is almost surely an
    argument (e.g. a bad option value), not the data: raise its error instead of
    returning a map of NaN."""
    status = fields[..., 9]
    tried = status != 1
    if not tried.any() or not np.all(status[tried] == 3):
        return
    where = np.unravel_index(int(np.flatnonzero(tried.ravel())[0]), status.shape)
    row = np.asarray(arr[where], dtype=np.float64)
    flat = int(np.ravel_multi_index(where, status.shape)) if status.shape else 0
    try:
        fs_point(row[np.isfinite(row)], rng=np.random.default_rng([root, flat]), **kw)
    except ValueError as exc:
        raise ValueError(f"fs_map(): the estimator refused all {int(tried.sum())} series "
                         f"it tried; series {tuple(int(i) for i in where)}: {exc}") from exc


def _to_map(fields: np.ndarray, method: str) -> FSMap:
    cols = {k: fields[..., i] for i, k in enumerate(FIELDS)}
    cols["n_valid"] = cols["n_valid"].astype(np.int64)
    cols["status"] = cols["status"].astype(np.int8)
    return FSMap(**cols, method=method)


def fs_map(data: Any, axis: int = -1, *, dim: str | None = None, method: str = "auto",
           entropy_method: str | None = None, fisher_method: str | None = None,
           rng: Any = None, min_samples: int = 10,
           entropy_options: Mapping[str, Any] | None = None,
           fisher_options: Mapping[str, Any] | None = None, **options: Any) -> Any:
    """The FS point of every series along one axis of an array (a per-pixel FS map).

    Parameters
    ----------
    data : ndarray, dask.array.Array or xarray.DataArray
        The series: one per position of the other axes (e.g. a (time, y, x) cube).
    axis : int
        The series axis of an array (default: the last). Ignored when `dim` is given.
    dim : str, optional
        The series dimension of an ``xarray.DataArray`` (e.g. ``"time"``; default: the
        dimension at `axis`).
    method, entropy_method, fisher_method : str
        As for :func:`infoplane.fs_point` (each series is 1-D samples).
    rng : None, int or numpy.random.Generator
        Seeds the bootstrap errors: series i uses ``default_rng([seed, i])`` (i its flat
        index over the map), so a seed gives the same map whatever the chunking and the
        scheduler. A Generator supplies the seed; None draws a fresh one.
    min_samples : int
        Series with fewer finite values get NaN and status 1 (default 10, the least the
        1-D estimators accept).
    entropy_options, fisher_options : dict, optional
        Options of one half (see :func:`infoplane.fs_point`).
    **options
        Options of both halves, routed as by :func:`infoplane.fs_point`. Non-finite
        values are always dropped per series (their count is in ``n_valid``), so
        ``nan_policy`` is not accepted.

    Returns
    -------
    FSMap or xarray.Dataset
        For NumPy and dask arrays an :class:`~infoplane.FSMap` of NumPy arrays (dask
        arrays are computed on the active scheduler). For a DataArray an
        ``xarray.Dataset`` over the remaining dimensions and their coordinates with the
        variables ``entropy``, ``entropy_power``, ``fisher``, ``product``, their
        ``*_stderr``, ``n_valid`` and ``status`` (meanings in ``.attrs``); lazy when the
        DataArray is dask-backed (call ``.compute()``).

    Raises
    ------
    ValueError, TypeError
        For bad arguments (unknown methods or options, a bad axis or dim, and when the
        estimator refuses every series it tries, which points at an argument: its error
        is raised); never for the data of one series (see ``status``).

    Notes
    -----
    Per-series problems are reported by ``status`` (``FSMap.STATUS``): 1, fewer than
    `min_samples` finite values; 2, an infinite or undefined estimate with a reason (a
    constant series); 3, the estimator refused the series (e.g. heavy ties). Warnings of
    single series (e.g. a noise-dominated KDE at small n) are issued as usual.

    Examples
    --------
    >>> import numpy as np, infoplane as ip
    >>> rng = np.random.default_rng(0)
    >>> cube = rng.standard_normal((3, 2, 1000)) * np.array([1.0, 3.0])[None, :, None]
    >>> m = ip.fs_map(cube, rng=0)            # N grows with the scale, J falls, N·J ≈ 1
    >>> bool(np.all(np.abs(m.product - 1) < 5 * m.product_stderr))
    True
    """
    min_samples = check_int("min_samples", min_samples, minimum=10)
    if "nan_policy" in options:
        raise TypeError("fs_map() drops non-finite values per series (their count is in "
                        "`n_valid`); it takes no `nan_policy`.")
    names = _side_methods(method, entropy_method, fisher_method, "samples-1d")
    names = {q: reg.resolve(q, "samples-1d", names[q]) for q in names}
    tag = names["entropy"] if names["entropy"] == names["fisher"] else (
        f"{names['entropy']}*{names['fisher']}")
    kw = dict(method=method, entropy_method=entropy_method, fisher_method=fisher_method,
              entropy_options=dict(entropy_options or {}),
              fisher_options=dict(fisher_options or {}), **options)
    root = _root_seed(rng)
    mod = type(data).__module__ or ""
    if mod.startswith("xarray"):
        return _fs_map_xarray(data, axis, dim, root, min_samples, kw, tag)
    if dim is not None:
        raise TypeError("`dim` names a dimension of an xarray.DataArray; for arrays use "
                        "`axis`.")
    lazy = _lazy_array(data)
    arr = lazy if lazy is not None else np.asarray(data)
    arr = _move(arr, axis)
    if lazy is not None:
        import dask

        fields = dask.compute(_fields_dask(arr, root, min_samples, kw))[0]
    else:
        if arr.dtype.kind not in "fiub":
            raise TypeError(f"`data` must be real and numeric; got dtype {arr.dtype}.")
        fields = _fields_numpy(arr, root, min_samples, kw)
    _all_refused(fields, arr, root, kw)
    return _to_map(fields, tag)


def _move(arr, axis: int):
    if arr.ndim == 0:
        raise ValueError("`data` must have a series axis; got a scalar.")
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, numbers.Integral) or \
            not -arr.ndim <= axis < arr.ndim:
        raise ValueError(f"`axis` must be an integer in [{-arr.ndim}, {arr.ndim}) for data "
                         f"of shape {arr.shape}; got {axis!r}.")
    return arr if axis in (-1, arr.ndim - 1) else _moveaxis(arr, axis)


def _moveaxis(arr, axis):
    if _lazy_array(arr) is not None:
        import dask.array as da

        return da.moveaxis(arr, axis, -1)
    return np.moveaxis(arr, axis, -1)


def _fs_map_xarray(data, axis, dim, root, min_samples, kw, tag):
    import xarray as xr

    if not isinstance(data, xr.DataArray):
        raise TypeError(f"`data` must be a DataArray (select a variable of the Dataset); "
                        f"got {type(data).__name__}.")
    if dim is None:
        if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, numbers.Integral) or \
                not -data.ndim <= axis < data.ndim:
            raise ValueError(f"`axis` must be an integer in [{-data.ndim}, {data.ndim}); "
                             f"got {axis!r}.")
        dim = data.dims[axis]
    if dim not in data.dims:
        raise ValueError(f"`dim` must be one of the DataArray's dimensions {data.dims}; "
                         f"got {dim!r}.")
    arr = data.transpose(..., dim)
    rest = arr.dims[:-1]
    lazy = _lazy_array(arr)
    if lazy is not None:
        fields = _fields_dask(lazy, root, min_samples, kw)
    else:
        raw = np.asarray(arr.values)
        if raw.dtype.kind not in "fiub":
            raise TypeError(f"`data` must be real and numeric; got dtype {raw.dtype}.")
        fields = _fields_numpy(raw, root, min_samples, kw)
        _all_refused(fields, raw, root, kw)
    coords = {k: v for k, v in arr.coords.items() if dim not in v.dims}
    variables = {}
    for i, k in enumerate(FIELDS):
        col = fields[..., i]
        if k == "n_valid":
            col = col.astype(np.int64)
        elif k == "status":
            col = col.astype(np.int8)
        variables[k] = (rest, col)
    attrs = {"method": tag, "series_dim": dim,
             "status_codes": "; ".join(f"{c}: {t}" for c, t in STATUS.items())}
    return xr.Dataset(variables, coords=coords, attrs=attrs)
