r"""FS-plane coordinates of general posteriors given as ``torch.distributions`` objects.

The Fisher information comes from the score ∇_z log q(z) by autograd of ``log_prob`` with
respect to the value; the entropy from ``.entropy()`` where the distribution implements
it, else from -E log q(Z) by Monte Carlo. Diagonal Gaussians are better served by
:func:`~infoplane.vae.posterior_fs` (closed forms); this path exists for flows, IAF,
full-covariance Gaussians and anything else with ``sample`` and ``log_prob``.
"""

from __future__ import annotations

import math
from typing import Iterable, Mapping, Sequence

import torch
from torch import distributions as D
from torch.distributions import constraints

from .._results import Estimate, FSPoint
from ._checks import RngLike, check_bool, check_n_mc, check_positive_int, check_rng, seed_from
from .posterior import PosteriorFS, _mean_se

__all__ = ["distribution_fs", "as_batch_of_vectors", "diagonal_normal_params"]

_DEFAULT_CHUNK = 2**20


_SUPPORTED = (
    "continuous distributions with a density on all of R^d: Normal, MultivariateNormal, "
    "LowRankMultivariateNormal, Laplace, StudentT, Cauchy, their Independent, "
    "MixtureSameFamily and TransformedDistribution (flow) forms"
)


def _check_supported(dist: D.Distribution) -> None:
    """TypeError unless `dist` lives on all of R^d (the location Fisher information needs it).

    A distribution that does not implement ``support`` is accepted as is.
    """
    try:
        support = dist.support
    except NotImplementedError:
        return
    base: object = support
    while hasattr(base, "base_constraint"):
        base = base.base_constraint
    if isinstance(base, type(constraints.real)):
        return
    raise TypeError(
        f"`dist` must be one of the supported {_SUPPORTED}; got {type(dist).__name__} with "
        f"support {support}. J = E‖∇_z log q(z)‖² is the location Fisher information, which "
        "needs a density that is positive and differentiable on all of R^d (a discrete or "
        "bounded support has no such score)."
    )


def as_batch_of_vectors(dist: D.Distribution) -> D.Distribution:
    """Return `dist` with ``batch_shape`` (n,) and ``event_shape`` (d,).

    A distribution with scalar events (e.g. ``Normal(loc, scale)`` with loc of shape
    (n, d)) is read as independent over its last batch dimension, i.e. as
    ``Independent(dist, 1)``: ``Normal(loc (d,), ...)`` is one d-dimensional posterior; use
    shape (n, 1) for n one-dimensional posteriors.

    Raises
    ------
    TypeError
        `dist` not a torch Distribution, or not supported on all of R^d.
    ValueError
        Event or batch shapes that are not vectors / one batch dimension; an empty batch.
    """
    if not isinstance(dist, D.Distribution):
        raise TypeError(
            f"`dist` must be a torch.distributions.Distribution; got {type(dist).__name__}."
        )
    _check_supported(dist)
    if len(dist.event_shape) == 0:
        if len(dist.batch_shape) == 0:
            dist = dist.expand((1,))
        dist = D.Independent(dist, 1)
    if len(dist.event_shape) != 1:
        raise ValueError(
            f"`dist` must have vector events, event_shape (d,); got {tuple(dist.event_shape)}."
        )
    if len(dist.batch_shape) == 0:
        dist = dist.expand((1,))
    if len(dist.batch_shape) != 1:
        raise ValueError(
            f"`dist` must have batch_shape () or (n,) (one posterior per data point); got "
            f"{tuple(dist.batch_shape)}."
        )
    if dist.batch_shape[0] == 0 or dist.event_shape[0] == 0:
        raise ValueError(
            f"`dist` must not be empty (empty batch); got batch_shape {tuple(dist.batch_shape)} "
            f"and event_shape {tuple(dist.event_shape)}."
        )
    return dist


def diagonal_normal_params(dist: D.Distribution) -> tuple[torch.Tensor, torch.Tensor] | None:
    """(mu, logvar) of shape (n, d) when `dist` is a diagonal Normal, else ``None``."""
    base = dist
    if isinstance(dist, D.Independent):
        if dist.reinterpreted_batch_ndims != 1:
            return None
        base = dist.base_dist
    if type(base) is not D.Normal:
        return None
    loc, scale = torch.broadcast_tensors(base.loc, base.scale)
    if loc.ndim == 1:
        loc, scale = loc.unsqueeze(0), scale.unsqueeze(0)
    if loc.ndim != 2:
        return None
    return loc, 2.0 * torch.log(scale)


_Parts = tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor, bool]


def _sample(dist: D.Distribution, shape: tuple[int, ...]) -> torch.Tensor:
    return dist.sample(torch.Size(shape)).detach()


def _per_posterior(dist: D.Distribution, n_samples: int) -> _Parts:
    """Per-posterior Monte Carlo J_b (with its MC variance) and H_b (exact or MC)."""
    z = _sample(dist, (n_samples,)).requires_grad_(True)  # (S, n, d)
    with torch.enable_grad():
        lp = dist.log_prob(z)  # (S, n)
        (g,) = torch.autograd.grad(lp.sum(), z)
    jj = (g * g).sum(dim=-1).detach()
    j_b = jj.mean(dim=0)
    if n_samples > 1:
        j_var = jj.var(dim=0, correction=1) / n_samples
    else:
        j_var = torch.full_like(j_b, math.nan)
    try:
        h_b = dist.entropy().detach()
        h_var = torch.zeros_like(h_b)
        h_exact = True
    except NotImplementedError:
        nlp = -lp.detach()
        h_b = nlp.mean(dim=0)
        if n_samples > 1:
            h_var = nlp.var(dim=0, correction=1) / n_samples
        else:
            h_var = torch.full_like(h_b, math.nan)
        h_exact = False
    if not (bool(torch.isfinite(j_b).all()) and bool(torch.isfinite(h_b).all())):
        bad = int((~torch.isfinite(j_b) | ~torch.isfinite(h_b)).nonzero()[0])
        raise ValueError(
            f"`dist` gives a non-finite score or entropy (first at posterior {bad}); check "
            "its parameters for NaN/inf."
        )
    return j_b, j_var, h_b, h_var, h_exact


def _estimate(
    per: torch.Tensor, var: torch.Tensor, method: str, n: int, d: int, opts: Mapping[str, object]
) -> Estimate:
    """Mean over posteriors; the SE over posteriors includes the per-posterior MC noise.

    For a single posterior the SE is its Monte Carlo error alone.
    """
    if per.numel() > 1:
        m, se = _mean_se(per)
    else:
        m = float(per.to(torch.float64))
        se = float(var.to(torch.float64).sqrt())
    return Estimate(m, se, method, n_samples=n, n_dims=d, options=opts)


def _conditional_point(parts: Sequence[_Parts], n_samples: int, d: int) -> FSPoint:
    j_b = torch.cat([p[0] for p in parts])
    j_v = torch.cat([p[1] for p in parts])
    h_b = torch.cat([p[2] for p in parts])
    h_v = torch.cat([p[3] for p in parts])
    h_exact = all(p[4] for p in parts)
    n = j_b.numel()
    opts = {"posterior": "distribution", "n_samples_per_posterior": n_samples}
    j_est = _estimate(j_b, j_v, "autograd-monte-carlo", n, d, opts)
    h_est = _estimate(h_b, h_v, "closed-form" if h_exact else "monte-carlo", n, d, opts)
    return FSPoint.from_estimates(h_est, j_est, d)


def _aggregate(
    dists: Sequence[D.Distribution], n_mc: int, chunk_size: int, gen_seed: int, progress: bool
) -> tuple[FSPoint, Estimate]:
    """Aggregate posterior (1/M) Σ_b q_b(z) of a list of batched distributions, by Monte Carlo.

    Points come from the mixture in balanced rounds; log q by log-sum-exp over all
    components, score by autograd; the MI uses the drawing component: E[log q_k - log q].
    """
    sizes = [dd.batch_shape[0] for dd in dists]
    m = sum(sizes)
    d = dists[0].event_shape[0]
    offsets = [0]
    for size in sizes:
        offsets.append(offsets[-1] + size)
    full, rem = divmod(n_mc, m)
    g = torch.Generator().manual_seed(gen_seed)
    zs, comps = [], []
    if full:
        for dd, off in zip(dists, offsets):
            zz = _sample(dd, (full,))  # (full, B, d)
            zs.append(zz.reshape(-1, d))
            comps.append((torch.arange(dd.batch_shape[0]) + off).repeat(full))
    if rem:
        pick = torch.randperm(m, generator=g)[:rem].sort().values
        for dd, off, size in zip(dists, offsets, sizes):
            sel = pick[(pick >= off) & (pick < off + size)] - off
            if sel.numel():
                zz = _sample(dd, ())  # (B, d)
                zs.append(zz[sel.to(zz.device)])
                comps.append(sel + off)
    z_all = torch.cat(zs)
    comp = torch.cat(comps).to(z_all.device)
    rows = max(1, chunk_size // (m * d))
    neg_log_q: list[torch.Tensor] = []
    own_minus: list[torch.Tensor] = []
    score_sq: list[torch.Tensor] = []
    starts: Iterable[int] = range(0, n_mc, rows)
    if progress:
        from tqdm.auto import tqdm

        starts = tqdm(starts, desc="aggregate posterior", unit="block")
    log_m = math.log(m)
    for a in starts:
        z = z_all[a : a + rows].detach().requires_grad_(True)
        k = comp[a : a + rows]
        with torch.enable_grad():
            lps = torch.cat([dd.log_prob(z.unsqueeze(1)) for dd in dists], dim=1)  # (r, M)
            log_q = torch.logsumexp(lps, dim=1) - log_m
            (s,) = torch.autograd.grad(log_q.sum(), z)
        own = lps.detach().gather(1, k.unsqueeze(1)).squeeze(1)
        neg_log_q.append(-log_q.detach())
        own_minus.append(own - log_q.detach())
        score_sq.append((s * s).sum(dim=1))
    opts = {"posterior": "distribution mixture", "n_components": m, "chunk_size": chunk_size}
    h, hs = _mean_se(torch.cat(neg_log_q))
    j, js = _mean_se(torch.cat(score_sq))
    mi, mis = _mean_se(torch.cat(own_minus))
    h_est = Estimate(h, hs, "monte-carlo", n_samples=n_mc, n_dims=d, options=opts)
    j_est = Estimate(j, js, "autograd-monte-carlo", n_samples=n_mc, n_dims=d, options=opts)
    mi_est = Estimate(mi, mis, "monte-carlo", n_samples=n_mc, n_dims=d, options=opts)
    return FSPoint.from_estimates(h_est, j_est, d), mi_est


def _generic_posterior_fs(
    dists: Sequence[D.Distribution],
    *,
    n_samples: int,
    n_mc: int,
    chunk_size: int,
    aggregate: bool,
    rng: RngLike,
    progress: bool,
) -> PosteriorFS:
    """Shared by :func:`distribution_fs` and :func:`~infoplane.vae.fs_point` (inputs checked)."""
    seed = seed_from(rng)
    devices = sorted({str(_device_of(dd)) for dd in dists})
    cuda = [torch.device(s).index or 0 for s in devices if s.startswith("cuda")]
    d = dists[0].event_shape[0]
    if any(dd.event_shape[0] != d for dd in dists):
        raise ValueError("all posteriors must have the same event dimension d.")
    with torch.random.fork_rng(devices=cuda):
        torch.manual_seed(seed)
        with torch.no_grad():
            parts = [_per_posterior(dd, n_samples) for dd in dists]
            cond = _conditional_point(parts, n_samples, d)
            m = sum(dd.batch_shape[0] for dd in dists)
            if not aggregate:
                return PosteriorFS(cond, None, None, m, d)
            agg, mi = _aggregate(dists, n_mc, chunk_size, seed, progress)
    return PosteriorFS(cond, agg, mi, m, d)


def _device_of(dist: D.Distribution) -> torch.device:
    for v in vars(dist).values():
        if isinstance(v, torch.Tensor):
            return v.device
        if isinstance(v, D.Distribution):
            return _device_of(v)
    return torch.device("cpu")


def distribution_fs(
    dist: D.Distribution,
    *,
    n_samples: int = 1000,
    aggregate: bool = False,
    n_mc: int = 10_000,
    chunk_size: int = _DEFAULT_CHUNK,
    rng: RngLike = None,
    progress: bool = False,
) -> PosteriorFS:
    r"""FS-plane coordinates of a batch of posteriors given as a torch Distribution.

    Parameters
    ----------
    dist : torch.distributions.Distribution
        One posterior per data point: ``batch_shape`` (n,) (or ()) and ``event_shape``
        (d,). Scalar-event distributions such as ``Normal(loc, scale)`` with loc of shape
        (n, d) are read as independent over the last dimension. Needs ``sample`` and a
        ``log_prob`` differentiable in its value (flows, IAF, MultivariateNormal, ...),
        supported on all of R^d: discrete or bounded-support distributions (Categorical,
        Bernoulli, Gamma, Beta, Uniform, ...) raise TypeError.
    n_samples : int
        Monte Carlo draws per posterior for its Fisher information (and for its entropy
        when ``.entropy()`` is not implemented).
    aggregate : bool
        Also estimate the aggregate posterior q(z) = (1/n) Σ_b q_b(z) and the mutual
        information (cost O(n_mc · n) log_prob evaluations).
    n_mc : int
        Monte Carlo points for the aggregate posterior, at least 300 (as in
        :func:`~infoplane.vae.posterior_fs`).
    chunk_size : int
        Bound on (point, component, dimension) triples evaluated at once in the aggregate.
    rng : None, int >= 0, numpy.random.Generator or torch.Generator
        Source of the seed for the draws (the global torch RNG state is saved and
        restored; a torch.Generator is advanced by one draw).
    progress : bool
        tqdm progress bar over the aggregate blocks.

    Returns
    -------
    PosteriorFS
        ``.conditional`` always; ``.aggregate`` and ``.mutual_information`` when
        `aggregate` is true.

    Raises
    ------
    TypeError
        `dist` not a torch Distribution or not supported on R^d; non-bool
        `aggregate`/`progress`; a bad `rng`.
    ValueError
        Bad shapes, an empty batch, `n_samples` < 2, `n_mc` < 300, a negative int `rng`,
        parameters giving a non-finite score or entropy.

    Notes
    -----
    J(q_b) = E‖∇_z log q_b(Z)‖² with Z ~ q_b (the location Fisher information, trace),
    the gradient taken by autograd on samples with ``requires_grad``. H(q_b) is
    ``dist.entropy()`` where implemented (exact), else -E log q_b(Z). The conditional
    point averages over the batch; its standard error is the spread over the batch,
    which includes the per-posterior Monte Carlo noise (for n = 1, the Monte Carlo error
    alone). The aggregate uses the empirical mixture of the n posteriors (same bias as
    in :func:`~infoplane.vae.posterior_fs`) with plain Monte Carlo means, and
    I = E[log q_k(Z) - log q(Z)] with k the component that drew Z.

    Examples
    --------
    >>> import torch
    >>> from torch.distributions import MultivariateNormal
    >>> from infoplane.vae import distribution_fs
    >>> cov = torch.tensor([[2.0, 0.5], [0.5, 1.0]], dtype=torch.float64)
    >>> p = distribution_fs(MultivariateNormal(torch.zeros(2, dtype=torch.float64), cov),
    ...                     n_samples=20000, rng=0).conditional
    >>> exact = torch.linalg.inv(cov).trace().item()          # tr Σ⁻¹
    >>> abs(p.fisher.value - exact) < 4 * p.fisher.stderr
    True
    """
    dist = as_batch_of_vectors(dist)
    n_samples = check_positive_int("n_samples", n_samples, minimum=2)
    n_mc = check_n_mc(n_mc)
    chunk_size = check_positive_int("chunk_size", chunk_size)
    aggregate = check_bool("aggregate", aggregate)
    progress = check_bool("progress", progress)
    rng = check_rng(rng)
    return _generic_posterior_fs(
        [dist], n_samples=n_samples, n_mc=n_mc, chunk_size=chunk_size, aggregate=aggregate,
        rng=rng, progress=progress,
    )
