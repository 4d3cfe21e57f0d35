"""The one place that imports numba: the project's ``njit`` preset.

``fastmath`` leaves out ``nnan`` and ``ninf`` so that kernels can still see NaN and ±inf
(log 0 = -inf is a legal value in our densities). ``nogil``: kernels touch no Python
object, so they run beside other threads (:mod:`infoplane._threads`).
"""

import functools
from typing import Any, Callable

import numba

FASTMATH = {"nsz", "arcp", "contract", "afn", "reassoc"}

#: typed as a plain callable: numba's own stubs type a decorated kernel as a decorator,
#: which makes every call site look wrong to a type checker
njit: Callable[..., Any] = functools.partial(
    numba.njit, cache=True, nogil=True, fastmath=FASTMATH)
prange: Any = numba.prange

__all__ = ["njit", "prange", "FASTMATH"]
