"""Linear binning onto a regular grid.

Kernels take clean float64 arrays; the estimator module validates.

Compiled by the project preset (:mod:`._jit`: cached, ``nogil``, so a kernel runs
beside other threads).
"""

import numpy as np

from ._jit import njit

__all__ = ["_linbin_counts"]


@njit
def _linbin_counts(y, a, delta, m):
    """Linear-binning weights of the points `y` on the grid ``a + delta*j``, j < m.

    Each point splits unit mass between its two neighbouring nodes in proportion to
    proximity (Wand & Jones 1995, App. D). Points must lie in ``[a, a + (m-1)*delta]``.
    """
    c = np.zeros(m)
    for i in range(y.shape[0]):
        t = (y[i] - a) / delta
        j = int(np.floor(t))
        if j >= m - 1:
            j = m - 2
        if j < 0:
            j = 0
        w = t - j
        c[j] += 1.0 - w
        c[j + 1] += w
    return c
