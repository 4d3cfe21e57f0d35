"""One pass over a 1-D dask array: a function per block, partial results merged in a tree.

Every out-of-core statistic of :mod:`infoplane.scale` is a sum (or min/max) over blocks, so
a pass is ``combine(chunk_fn(block) for block in blocks)`` evaluated as a tree of
`split_every`-ary merges on whatever dask scheduler is active (threads, processes, a
``distributed`` cluster). A worker holds one block and a few partial results at a time,
so memory is bounded by the chunk size whatever the array's length.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

__all__ = ["tree_reduce", "block_offsets"]


def block_offsets(x) -> list[int]:
    """Index of the first element of each block of the 1-D dask array `x` (-1 where the
    chunk sizes are unknown)."""
    sizes = x.chunks[0]
    if any(isinstance(s, float) and np.isnan(s) for s in sizes):
        return [-1] * len(sizes)
    return [0] + list(np.cumsum(sizes[:-1]).astype(int).tolist())


def tree_reduce(x, chunk_fn: Callable[..., Any], combine: Callable[[Sequence[Any]], Any],
                *args: Any, split_every: int = 8) -> Any:
    """``combine`` of ``chunk_fn(block, offset, *args)`` over the blocks of `x`, computed.

    Parameters
    ----------
    x : dask.array.Array
        A 1-D array.
    chunk_fn : callable
        ``chunk_fn(block, offset, *args)`` -> a partial result (block: a NumPy array;
        offset: the index of its first element, or -1 when unknown).
    combine : callable
        ``combine(list_of_partials)`` -> a partial result (associative).
    *args
        Extra arguments of `chunk_fn` (small, picklable: they travel with every task).
    split_every : int
        Fan-in of the merge tree.

    Returns
    -------
    The merged result.
    """
    import dask

    blocks = x.to_delayed().ravel()
    offsets = block_offsets(x)
    parts = [dask.delayed(chunk_fn, pure=False)(b, o, *args) for b, o in zip(blocks, offsets)]
    while len(parts) > 1:
        parts = [dask.delayed(combine, pure=False)(parts[i:i + split_every])
                 for i in range(0, len(parts), split_every)]
    if not parts:
        raise ValueError("`x` has no blocks (an empty dask array).")
    return dask.compute(parts[0])[0]
