"""Gaussian-kernel sums for KDE log-densities, scores and Hessians.

The kernels work on blocks of query points against all reference points. Squared
distances come from a BLAS Gram matrix (see :func:`sqdist_block`). Weights are
``e_qj = exp(-(r_qj² - min_j r_qj²) / (2h²))`` (log-sum-exp stable); the weighted sums
of ``x_j`` and of products ``x_j x_jᵀ`` are matrix products
(BLAS) done by :func:`kde_moments`.

Notation for query ``q`` with ``D_j = x_j - x_q``: ``W = Σ e_j``, ``u = Σ e_j D_j / W``,
``C = Σ e_j D_j D_jᵀ / W - u uᵀ``. The KDE score at ``q`` is ``u / h²`` and the Hessian of
its log-density is ``-I/h² + C/h⁴``. ``qidx[q]`` is the row of query ``q`` among the
references, left out of its own sums (leave-one-out), or ``-1``.

Numba kernels return per-query (or per-reference) terms; reductions are done by callers.
Each kernel is a serial worker over a range of rows with a parallel driver (``prange``
over chunks) and a serial one, separate Python functions because Numba's on-disk cache
keys by function, not by the ``parallel`` flag; the name without a suffix picks the
parallel driver unless :func:`infoplane._threads.parallel_allowed` says no (a forked
child).

Compiled by the project preset (:mod:`._jit`: cached, ``nogil``, so a kernel runs
beside other threads).
"""

from __future__ import annotations

import math

import numpy as np

from .._threads import parallel_allowed
from ._jit import njit, prange

__all__ = [
    "_kde_sqdist",
    "sqdist_block",
    "_kde_expweights",
    "_kde_jackknife_cols",
    "kde_moments",
    "kde_sm_terms",
    "_kde_sm_multi",
    "kde_group_moments",
    "_kde_expweights_levels",
    "block_rows",
]

#: row (or column) chunks of the parallel drivers; each chunk is one serial worker call,
#: so the parallel and serial drivers do the same arithmetic in the same order per row
_N_CHUNKS = 64


@njit
def _sqdist_rows(G, sq_q, sq_x, qidx, q0, q1):
    m, n = G.shape
    for q in range(q0, q1):
        row = G[q]
        a = sq_q[q]
        for j in range(n):
            row[j] = max(a + sq_x[j] - 2.0 * row[j], 0.0)
        s = qidx[q]
        if s >= 0:
            row[s] = np.inf


@njit(parallel=True)
def _kde_sqdist_par(G, sq_q, sq_x, qidx):
    m = G.shape[0]
    for c in prange(_N_CHUNKS):
        _sqdist_rows(G, sq_q, sq_x, qidx, c * m // _N_CHUNKS, (c + 1) * m // _N_CHUNKS)


@njit
def _kde_sqdist_ser(G, sq_q, sq_x, qidx):
    _sqdist_rows(G, sq_q, sq_x, qidx, 0, G.shape[0])


def _kde_sqdist(G, sq_q, sq_x, qidx):
    """Turn the Gram block ``G = Q Xᵀ`` in place into squared distances.

    ``R2[q, j] = max(‖x_q‖² + ‖x_j‖² - 2 G[q, j], 0)``, ``inf`` at ``j = qidx[q]``.
    """
    (_kde_sqdist_par if parallel_allowed() else _kde_sqdist_ser)(G, sq_q, sq_x, qidx)


def sqdist_block(Q, X, sq_q, sq_x, qidx, out):
    """Squared distances of the queries ``Q`` to ``X`` into ``out`` (BLAS Gram matrix).

    The expansion ``‖a‖² + ‖b‖² - 2a·b`` has an absolute rounding error of about
    ``1e-16 (‖a‖² + ‖b‖²)``; callers centre (and whiten) the data first, so kernel weights
    ``exp(-r²/2h²)`` are affected only at the ``1e-16 ‖x‖²/h²`` level.
    """
    np.dot(Q, X.T, out=out)
    _kde_sqdist(out, sq_q, sq_x, qidx)
    return out


@njit
def _expweights_rows(R2, inv2h2, E, logw, Wv, Sv, q0, q1):
    n = R2.shape[1]
    for q in range(q0, q1):
        row = R2[q]
        out = E[q]
        rmin = np.inf
        for j in range(n):
            rmin = min(rmin, row[j])
        W = 0.0
        S = 0.0
        for j in range(n):
            r = row[j]
            e = math.exp(-(r - rmin) * inv2h2) if r < np.inf else 0.0
            out[j] = e
            W += e
            S += e * r if e > 0.0 else 0.0
        Wv[q] = W
        Sv[q] = S
        logw[q] = math.log(W) - rmin * inv2h2


@njit(parallel=True)
def _kde_expweights_par(R2, inv2h2, E, logw, Wv, Sv):
    m = R2.shape[0]
    for c in prange(_N_CHUNKS):
        _expweights_rows(R2, inv2h2, E, logw, Wv, Sv, c * m // _N_CHUNKS,
                         (c + 1) * m // _N_CHUNKS)


@njit
def _kde_expweights_ser(R2, inv2h2, E, logw, Wv, Sv):
    _expweights_rows(R2, inv2h2, E, logw, Wv, Sv, 0, R2.shape[0])


def _kde_expweights(R2, inv2h2, E):
    """Shifted kernel weights ``E[q, j]`` and per-query sums.

    Returns ``logw`` (log Σ_j exp(-r² inv2h2)), ``W`` (Σ_j E[q, j]) and
    ``S`` (Σ_j E[q, j] r²_qj).
    """
    m = R2.shape[0]
    logw, Wv, Sv = np.empty(m), np.empty(m), np.empty(m)
    (_kde_expweights_par if parallel_allowed() else _kde_expweights_ser)(
        R2, inv2h2, E, logw, Wv, Sv)
    return logw, Wv, Sv


@njit
def _expweights_levels_rows(R2, inv2h2, E, q0, q1):
    n = R2.shape[1]
    levels = E.shape[0]
    for q in range(q0, q1):
        row = R2[q]
        rmin = np.inf
        for j in range(n):
            rmin = min(rmin, row[j])
        for j in range(n):
            r = row[j]
            e = math.exp(-(r - rmin) * inv2h2) if r < np.inf else 0.0
            for k in range(levels - 1, -1, -1):
                E[k, q, j] = e
                e = e * e


@njit(parallel=True)
def _kde_expweights_levels_par(R2, inv2h2, E):
    m = R2.shape[0]
    for c in prange(_N_CHUNKS):
        _expweights_levels_rows(R2, inv2h2, E, c * m // _N_CHUNKS, (c + 1) * m // _N_CHUNKS)


@njit
def _kde_expweights_levels_ser(R2, inv2h2, E):
    _expweights_levels_rows(R2, inv2h2, E, 0, R2.shape[0])


def _kde_expweights_levels(R2, inv2h2, E):
    """Shifted weights of the bandwidths ``h_k = h_top / √2^(L-1-k)``, k = 0..L-1, from
    one ``exp``.

    ``inv2h2 = 1/(2 h_top²)``; ``E[L-1] = exp(-(r² - min r²) inv2h2)`` and
    ``E[k] = E[k + 1]²`` (the shift ``min_j r²`` is shared, see :func:`_kde_expweights`).
    """
    (_kde_expweights_levels_par if parallel_allowed() else _kde_expweights_levels_ser)(
        R2, inv2h2, E)


@njit
def _jackknife_cols_range(E, ZZ, VZ, W, S, VV, vzq, qidx, lo, hi, delta):
    m = E.shape[0]
    for q in range(m):
        Wq = W[q]
        t0 = S[q] / Wq - VV[q] / (Wq * Wq)
        s = qidx[q]
        for j in range(lo, hi):
            e = E[q, j]
            if e == 0.0 or j == s:
                continue
            W1 = Wq - e
            if W1 <= 1e-12 * Wq:
                continue
            S1 = S[q] - e * ZZ[q, j]
            V1 = VV[q] - 2.0 * e * (VZ[q, j] - vzq[q]) + e * e * ZZ[q, j]
            delta[j] += (S1 / W1 - V1 / (W1 * W1)) - t0


@njit(parallel=True)
def _kde_jackknife_cols_par(E, ZZ, VZ, W, S, VV, vzq, qidx, n_chunks):
    n = E.shape[1]
    delta = np.zeros(n)
    for c in prange(n_chunks):
        _jackknife_cols_range(E, ZZ, VZ, W, S, VV, vzq, qidx, c * n // n_chunks,
                              (c + 1) * n // n_chunks, delta)
    return delta


@njit
def _kde_jackknife_cols_ser(E, ZZ, VZ, W, S, VV, vzq, qidx, n_chunks):
    delta = np.zeros(E.shape[1])
    _jackknife_cols_range(E, ZZ, VZ, W, S, VV, vzq, qidx, 0, E.shape[1], delta)
    return delta


def _kde_jackknife_cols(E, ZZ, VZ, W, S, VV, vzq, qidx, n_chunks):
    """Column sums of delete-one changes of ``T_q = S_q/W_q - VV_q/W_q²``.

    ``ZZ[q, j] = ‖z_j - z_q‖²``, ``VZ[q, j] = V_q · z_j`` with ``V_q = Σ_j E[q, j](z_j - z_q)``
    and ``vzq[q] = V_q · z_q``. Removing reference ``j`` from the sums of query ``q`` gives
    ``W' = W - e``, ``S' = S - e ZZ``, ``‖V'‖² = VV - 2e(VZ - vzq) + e² ZZ``. Returns
    ``delta[j] = Σ_q (T_q' - T_q)`` over the block's queries (``q`` with ``qidx[q] == j``
    excluded); `n_chunks` column chunks run in parallel.
    """
    fn = _kde_jackknife_cols_par if parallel_allowed() else _kde_jackknife_cols_ser
    return fn(E, ZZ, VZ, W, S, VV, vzq, qidx, n_chunks)


# --------------------------------------------------------------- NumPy drivers
def block_rows(n: int, budget: int = 2_000_000) -> int:
    """Queries per block so that one ``(block, n)`` array holds about `budget` floats."""
    return int(max(16, min(4096, budget // max(n, 1))))


def _upper_products(X):
    d = X.shape[1]
    iu = np.triu_indices(d)
    return np.ascontiguousarray(X[:, iu[0]] * X[:, iu[1]]), iu


def kde_moments(X, Q, qidx, h, mode):
    """Per-query ``logw``, ``u`` (m, d), ``tr C`` (m,) and ``C`` (m, d, d) if ``mode == 2``.

    ``X`` (n, d) references, ``Q`` (m, d) queries, ``qidx`` (m,) int64, ``h`` > 0;
    ``mode`` 0: logw and u only, 1: also tr C, 2: also C, 3: also the mean of C over
    the queries, (d, d), without the per-query matrices (see :func:`kde_hessian_jackknife`).
    """
    n, d = X.shape
    m = Q.shape[0]
    sq_x = np.einsum("ij,ij->i", X, X)
    sq_q = np.einsum("ij,ij->i", Q, Q)
    inv2h2 = 1.0 / (2.0 * h * h)
    logw = np.empty(m)
    u = np.empty((m, d))
    trc = np.zeros(m)
    C = np.zeros((m, d, d)) if mode == 2 else None
    if mode == 2:
        XX, iu = _upper_products(X)
    if mode == 3:
        colw = np.zeros(n)
        M1M1 = np.zeros((d, d))
    b = block_rows(n)
    R2 = np.empty((min(b, m), n))
    for lo in range(0, m, b):
        hi = min(lo + b, m)
        r2 = sqdist_block(Q[lo:hi], X, sq_q[lo:hi], sq_x, qidx[lo:hi], R2[: hi - lo])
        lw, W, S = _kde_expweights(r2, inv2h2, r2)  # weights overwrite distances
        logw[lo:hi] = lw
        m1 = (r2 @ X) / W[:, None]
        uq = m1 - Q[lo:hi]
        u[lo:hi] = uq
        if mode >= 1:
            # Σ e |D|² / W = S / W already; tr C = S/W - |u|²
            trc[lo:hi] = S / W - np.einsum("ij,ij->i", uq, uq)
        if mode == 2:
            m2 = (r2 @ XX) / W[:, None]
            full = np.empty((hi - lo, d, d))
            full[:, iu[0], iu[1]] = m2
            full[:, iu[1], iu[0]] = m2
            # Σ e D Dᵀ / W - u uᵀ = E_w[x xᵀ] - m1 m1ᵀ (shift invariance of a covariance)
            C[lo:hi] = full - np.einsum("qi,qj->qij", m1, m1)
        elif mode == 3:
            colw += (1.0 / W) @ r2
            M1M1 += m1.T @ m1
    if mode == 3:
        C = (X.T @ (colw[:, None] * X) - M1M1) / m
    return logw, u, trc, C


#: kernel weights below this (relative to the nearest neighbour's weight 1) are dropped
#: by the multi-bandwidth kernels; the sums change by less than n * 1e-30
TINY_WEIGHT = 1e-30


def _square_sources(inv2h2s):
    """Processing order (ascending ``1/(2h²)``) and, per position, the earlier position
    whose weights squared give this one's (``1/(2h²)`` exactly twice as large), or -1."""
    order = np.argsort(inv2h2s, kind="stable")
    c = inv2h2s[order]
    src = np.full(len(c), -1, dtype=np.int64)
    for k in range(len(c)):
        for j in range(k):
            if abs(c[k] - 2.0 * c[j]) <= 1e-12 * c[k]:
                src[k] = j
    return order.astype(np.int64), src


@njit
def _sm_multi_rows(R2, X, Q, inv2h2s, src, uu, trc, q0, q1):
    n = R2.shape[1]
    d = X.shape[1]
    nh = inv2h2s.shape[0]
    for q in range(q0, q1):
        row = R2[q]
        rmin = np.inf
        for j in range(n):
            rmin = min(rmin, row[j])
        W = np.zeros(nh)
        S = np.zeros(nh)
        V = np.zeros((nh, d))
        ek = np.zeros(nh)
        for j in range(n):
            r = row[j]
            if r == np.inf:
                continue
            t = r - rmin
            for k in range(nh):
                if src[k] >= 0:
                    e = ek[src[k]]
                    e = e * e
                else:
                    a = t * inv2h2s[k]
                    e = math.exp(-a) if a < 69.0 else 0.0
                ek[k] = e
                if e < TINY_WEIGHT:
                    continue
                W[k] += e
                S[k] += e * r
                for c in range(d):
                    V[k, c] += e * X[j, c]
        for k in range(nh):
            s2 = 0.0
            for c in range(d):
                u = V[k, c] / W[k] - Q[q, c]
                s2 += u * u
            uu[q, k] = s2
            trc[q, k] = S[k] / W[k] - s2


@njit(parallel=True)
def _kde_sm_multi_par(R2, X, Q, inv2h2s, src, uu, trc):
    m = R2.shape[0]
    for c in prange(_N_CHUNKS):
        _sm_multi_rows(R2, X, Q, inv2h2s, src, uu, trc, c * m // _N_CHUNKS,
                       (c + 1) * m // _N_CHUNKS)


@njit
def _kde_sm_multi_ser(R2, X, Q, inv2h2s, src, uu, trc):
    _sm_multi_rows(R2, X, Q, inv2h2s, src, uu, trc, 0, R2.shape[0])


def _kde_sm_multi(R2, X, Q, inv2h2s, src, uu, trc):
    """Fill ``uu[q, k] = ‖u‖²`` and ``trc[q, k] = tr C`` for every bandwidth in one pass.

    Each squared distance is read once and weighted for all bandwidths (no weight
    matrix is stored); ``inv2h2s[k] = 1/(2 h_k²)`` in ascending order, and where
    ``src[k] >= 0`` the weight is the square of bandwidth ``src[k]``'s (one ``exp`` serves a
    chain of bandwidths in ratio √2). Weights below :data:`TINY_WEIGHT` are dropped.
    """
    (_kde_sm_multi_par if parallel_allowed() else _kde_sm_multi_ser)(
        R2, X, Q, inv2h2s, src, uu, trc)


def kde_sm_terms(X, Q, qidx, hs):
    """``‖u‖²`` and ``tr C`` (each (m, len(hs))) for several bandwidths at once.

    The squared distances of a block of queries are computed once (BLAS) and shared by
    all bandwidths (:func:`_kde_sm_multi`).
    """
    n, d = X.shape
    m = Q.shape[0]
    sq_x = np.einsum("ij,ij->i", X, X)
    sq_q = np.einsum("ij,ij->i", Q, Q)
    hs = np.asarray(hs, dtype=float)
    order, src = _square_sources(1.0 / (2.0 * hs * hs))
    inv2h2s = np.ascontiguousarray((1.0 / (2.0 * hs * hs))[order])
    nh = len(hs)
    uu_o = np.empty((m, nh))
    trc_o = np.empty((m, nh))
    b = block_rows(n, 1_000_000)
    R2 = np.empty((min(b, m), n))
    for lo in range(0, m, b):
        hi = min(lo + b, m)
        r2 = sqdist_block(Q[lo:hi], X, sq_q[lo:hi], sq_x, qidx[lo:hi], R2[: hi - lo])
        _kde_sm_multi(r2, X, np.ascontiguousarray(Q[lo:hi]), inv2h2s, src, uu_o[lo:hi],
                      trc_o[lo:hi])
    uu = np.empty_like(uu_o)
    trc = np.empty_like(trc_o)
    uu[:, order] = uu_o
    trc[:, order] = trc_o
    return uu, trc


def kde_hessian_jackknife(X, Z, qidx, h, per_query=True):
    """Leave-one-out KDE Hessian terms with delete-one jackknife changes (one pass).

    Parameters
    ----------
    X : (n, d) references (queries are ``X[qidx]``); Z : (n, d) = X R for a factor
    ``G = R Rᵀ``; qidx : (m,) int64 rows of the queries; h : bandwidth;
    per_query : return every ``C_q`` (True) or only their mean (False, cheaper: the
    mean of ``Σ_j e_qj x_j x_jᵀ / W_q`` over queries is ``Xᵀ diag(Σ_q e_qj/W_q) X``,
    which avoids the ``(m, n) x (n, d(d+1)/2)`` product).

    Returns
    -------
    C : (m, d, d) kernel-weighted covariances of the differences (see module docstring),
        or their mean over the queries, (d, d), when ``per_query`` is False
    T : (m,) ``tr(G C_q)``
    delta : (n,) ``Σ_q`` change of ``T_q`` when reference ``j`` is deleted
    """
    n, d = X.shape
    m = qidx.shape[0]
    ZT = np.ascontiguousarray(Z.T)
    sq_x = np.einsum("ij,ij->i", X, X)
    sq_z = np.einsum("ij,ij->i", Z, Z)
    Q = X[qidx]
    QZ = Z[qidx]
    inv2h2 = 1.0 / (2.0 * h * h)
    if per_query:
        XX, iu = _upper_products(X)
        C = np.empty((m, d, d))
    else:
        colw = np.zeros(n)
        M1M1 = np.zeros((d, d))
    T = np.empty(m)
    delta = np.zeros(n)
    b = block_rows(n, 1_000_000)
    E = np.empty((min(b, m), n))
    ZZ = np.empty_like(E)
    none = np.full(min(b, m), -1, dtype=np.int64)
    n_chunks = int(max(1, min(256, n // 64)))
    for lo in range(0, m, b):
        hi = min(lo + b, m)
        e = E[: hi - lo]
        zz = ZZ[: hi - lo]
        qi = qidx[lo:hi]
        sqdist_block(Q[lo:hi], X, sq_x[qi], sq_x, qi, e)
        _, W, _ = _kde_expweights(e, inv2h2, e)
        m1 = (e @ X) / W[:, None]
        if per_query:
            m2 = (e @ XX) / W[:, None]
            full = np.empty((hi - lo, d, d))
            full[:, iu[0], iu[1]] = m2
            full[:, iu[1], iu[0]] = m2
            C[lo:hi] = full - np.einsum("qi,qj->qij", m1, m1)
        else:
            colw += (1.0 / W) @ e
            M1M1 += m1.T @ m1
        sqdist_block(QZ[lo:hi], Z, sq_z[qi], sq_z, none[: hi - lo], zz)
        S = np.einsum("ij,ij->i", e, zz)
        V = e @ Z - W[:, None] * QZ[lo:hi]
        VV = np.einsum("ij,ij->i", V, V)
        vzq = np.einsum("ij,ij->i", V, QZ[lo:hi])
        VZ = V @ ZT
        T[lo:hi] = S / W - VV / (W * W)
        delta += _kde_jackknife_cols(e, zz, VZ, W, S, VV, vzq, qi, n_chunks)
    if not per_query:
        C = (X.T @ (colw[:, None] * X) - M1M1) / m
    return C, T, delta


def kde_group_moments(X, qidx, h, bounds, levels=4):
    """Leave-one-out kernel sums of the queries ``X[qidx]`` at the bandwidths
    ``h √2^(k-1)``, ``k = 0 .. levels-1`` (``h/√2, h, √2 h, 2h`` by default), split by
    groups of references.

    Parameters
    ----------
    X : (n, d) references, ordered so that group ``g`` is the rows
        ``bounds[g]:bounds[g + 1]``; qidx : (m,) int64 rows of the queries (left out of
        their own sums); h : bandwidth; bounds : (G + 1,) int64 group boundaries;
    levels : number of bandwidths (at least 2).

    Returns
    -------
    One ``(W, S1, S2)`` per bandwidth, smallest first: ``W`` (m, G) sums of the weights
    ``e_qj``, ``S1`` (m, G, d) sums of ``e_qj x_j`` and ``S2`` (m, G, d(d+1)/2) sums of
    ``e_qj x_j x_jᵀ`` (upper triangle, ``numpy.triu_indices`` order). The bandwidths
    share the shift ``min_j r²_qj`` (:func:`_kde_expweights_levels`), so the sums of each
    bandwidth are the sums of the squared weights of the next larger one. Totals over
    groups are the leave-one-out moments; a total less one group gives the moments with
    that group deleted (a delete-a-group jackknife without recomputing distances).
    """
    if levels < 2:
        raise ValueError(f"`levels` must be at least 2; got {levels}.")
    n, d = X.shape
    m = qidx.shape[0]
    G = len(bounds) - 1
    XX, _ = _upper_products(X)
    p = XX.shape[1]
    sq = np.einsum("ij,ij->i", X, X)
    starts = np.asarray(bounds[:-1], dtype=np.int64)
    out = [(np.empty((m, G)), np.empty((m, G, d)), np.empty((m, G, p)))
           for _ in range(levels)]
    b = block_rows(n, 1_000_000)
    R2 = np.empty((min(b, m), n))
    Es = np.empty((levels,) + R2.shape)
    inv2h2 = 1.0 / (h * h * 2.0 ** (levels - 1))     # 1 / (2 h_top²), h_top = h √2^(levels-2)
    for lo in range(0, m, b):
        hi = min(lo + b, m)
        qi = qidx[lo:hi]
        r2 = sqdist_block(X[qi], X, sq[qi], sq, qi, R2[: hi - lo])
        E = Es[:, : hi - lo]
        _kde_expweights_levels(r2, inv2h2, E)
        for (W, S1, S2), e in zip(out, E):
            W[lo:hi] = np.add.reduceat(e, starts, axis=1)
            for g in range(G):
                a, z = bounds[g], bounds[g + 1]
                S1[lo:hi, g] = e[:, a:z] @ X[a:z]
                S2[lo:hi, g] = e[:, a:z] @ XX[a:z]
    return out
