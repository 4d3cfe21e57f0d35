"""The one place that imports numba: the project's ``njit`` preset.

``fastmath`` leaves out ``nnan`` and ``ninf`` so that kernels can still see NaN and ±inf
(log 0 = -inf is a legal value in our densities).
"""

import functools

import numba

FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}

njit = functools.partial(numba.njit, cache=True, fastmath=FASTMATH)
prange = numba.prange

__all__ = ["njit", "prange", "FASTMATH"]
