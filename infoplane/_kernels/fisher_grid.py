"""The Fisher integral of a binned kernel density on a grid (the FFT estimator's inner
sum, one pass per row instead of NumPy's temporaries).

Kernels take clean float64 arrays; :mod:`infoplane.estimators.fft_kde_fisher` builds them.
"""

import numpy as np

from ._jit import njit

__all__ = ["_grid_fisher_sums"]

#: nodes where the density is below this fraction of its maximum are left out
F_FLOOR = 1e-10


@njit
def _grid_fisher_sums(conv, m, nn, th, w, out, col):
    """``out[b, col] = Σ_i integrand_i`` over the first `m` nodes of each row b of `conv`.

    ``conv[b]`` holds the counts convolved with K_h, K_h' and (K_h')² (shape (3, P));
    with ``f = conv[b, 0]/nn[b]``, ``f1 = conv[b, 1]/nn[b]``, ``diag = conv[b, 2]/nn[b]²``
    the integrand is ``((f1² - diag)/f - 2 th f1 + th² f) w`` where ``f > F_FLOOR max f``
    (0 elsewhere): the x-space score ``(s_Y - tanh y)/(scale cosh y)`` squared under
    f_Y, with the kernel's own term removed (:class:`~infoplane.estimators.fft_kde_fisher.
    _FisherGrid`). A row with ``nn[b] <= 0`` (an empty bootstrap resample) gives nan.
    """
    for b in range(conv.shape[0]):
        nb = nn[b]
        if not nb > 0.0:              # an empty resample (a bootstrap of a few points)
            out[b, col] = np.nan
            continue
        fmax = -1.0
        for i in range(m):
            f = conv[b, 0, i] / nb
            if f > fmax:
                fmax = f
        floor = F_FLOOR * fmax
        s = 0.0
        for i in range(m):
            f = conv[b, 0, i] / nb
            if f > floor:
                f1 = conv[b, 1, i] / nb
                t = th[i]
                s += ((f1 * f1 - conv[b, 2, i] / (nb * nb)) / f - 2.0 * t * f1 + t * t * f) * w[i]
        out[b, col] = s
