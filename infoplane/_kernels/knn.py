"""Delete-one jackknife terms of the weighted Kozachenko-Leonenko entropy.

``logr`` holds ``log ρ_(1..K+1)`` (the distances to the first ``K+1`` neighbours, sorted)
and ``nbr`` their indices. Deleting a point ``j`` from the sample shifts the neighbour
list of every ``i`` that had ``j`` among its first ``K`` neighbours by one position.

Compiled by the project preset (:mod:`._jit`: cached, ``nogil``, so a kernel runs
beside other threads).
"""

from __future__ import annotations

import numpy as np

from ._jit import njit

__all__ = ["_knn_jackknife_deltas"]


@njit
def _knn_jackknife_deltas(logr, nbr, w, dim, n_ref):
    """Return ``delta`` (n_ref,): ``delta[j] = Σ_{i≠j} (ξ_i^(-j) - ξ_i)`` up to the
    normalisation, where ``ξ_i = dim · Σ_m w_m log ρ_(m),i`` (m = 1..K).

    Parameters
    ----------
    logr : (m, K+1) float64 for m query points, nbr : (m, K+1) int64 indices into the
    ``n_ref`` reference points, w : (K,) float64 weights, dim : int, n_ref : int
    """
    n, kp1 = logr.shape
    K = kp1 - 1
    delta = np.zeros(n_ref)
    for i in range(n):
        # removing the neighbour at position p (0-based) moves positions p..K-1 up by one
        tail = 0.0
        for p in range(K - 1, -1, -1):
            tail += w[p] * (logr[i, p + 1] - logr[i, p])
            delta[nbr[i, p]] += dim * tail
    return delta
