r"""FS-plane coordinates of diagonal-Gaussian encoders: Z|X in closed form, q(z) by Monte Carlo.

The hot path runs in torch on the input's device and dtype (float16/bfloat16 are promoted
to float32); only the final scalars become :class:`~infoplane.Estimate` objects.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import torch

from .._results import Estimate, FSPoint
from ..errors import AccuracyWarning
from ._checks import check_mu_logvar, check_positive_int, make_generator

__all__ = ["PosteriorFS", "posterior_fs", "conditional_fs"]

_LOG_2PI = math.log(2.0 * math.pi)
_DEFAULT_CHUNK = 2**20


@dataclass(frozen=True, slots=True)
class PosteriorFS:
    """Fisher-Shannon description of an encoder's posteriors.

    Attributes
    ----------
    conditional : FSPoint
        Point of Z|X: J(Z|X) = mean over x of tr J(q(z|x)), H(Z|X) = mean over x of
        H(q(z|x)); standard errors over the data points.
    aggregate : FSPoint or None
        Point of the aggregate posterior q(z) = (1/M) Σₓ q(z|x) (Monte Carlo; standard
        errors of the Monte Carlo mean, conditional on the M encodings). ``None`` when it
        was not computed.
    mutual_information : Estimate or None
        I(X; Z) = H(Z) - H(Z|X) under the empirical data distribution, in nats.
    n_data : int
        Number of encodings M.
    dim : int
        Latent dimension d.
    """

    conditional: FSPoint
    aggregate: FSPoint | None
    mutual_information: Estimate | None
    n_data: int
    dim: int

    # plain-float accessors -------------------------------------------------------------
    @property
    def conditional_entropy(self) -> float:
        """H(Z|X) in nats."""
        return self.conditional.entropy.value

    @property
    def conditional_fisher(self) -> float:
        """J(Z|X), the mean trace of the posterior Fisher information."""
        return self.conditional.fisher.value

    @property
    def aggregate_entropy(self) -> float:
        """H(Z) of the aggregate posterior in nats (nan when not computed)."""
        return self.aggregate.entropy.value if self.aggregate is not None else math.nan

    @property
    def aggregate_fisher(self) -> float:
        """J(Z), trace of the aggregate posterior's Fisher information (nan when not computed)."""
        return self.aggregate.fisher.value if self.aggregate is not None else math.nan

    @property
    def mi(self) -> float:
        """I(X; Z) in nats (nan when not computed)."""
        return self.mutual_information.value if self.mutual_information is not None else math.nan

    def to_dict(self) -> dict[str, float]:
        """All values and standard errors as plain floats (for logging)."""
        out = {"n_data": float(self.n_data), "dim": float(self.dim)}
        parts = {"conditional": self.conditional, "aggregate": self.aggregate}
        for key, pt in parts.items():
            for q in ("entropy", "entropy_power", "fisher", "product"):
                est = getattr(pt, q) if pt is not None else None
                out[f"{key}_{q}"] = est.value if est is not None else math.nan
                out[f"{key}_{q}_stderr"] = est.stderr if est is not None else math.nan
        mi = self.mutual_information
        out["mutual_information"] = mi.value if mi is not None else math.nan
        out["mutual_information_stderr"] = mi.stderr if mi is not None else math.nan
        return out

    def __repr__(self) -> str:
        return (
            f"PosteriorFS(n_data={self.n_data}, dim={self.dim},\n"
            f"  conditional={self.conditional!r},\n  aggregate={self.aggregate!r},\n"
            f"  mutual_information={self.mutual_information!r})"
        )


def _mean_se(v: torch.Tensor) -> tuple[float, float]:
    """Mean and standard error of a 1-D tensor, reduced in float64."""
    v = v.to(torch.float64)
    n = v.numel()
    mean = float(v.mean())
    se = float(v.std(correction=1) / math.sqrt(n)) if n > 1 else math.nan
    return mean, se


def _cv_mean_se(y: torch.Tensor, control: torch.Tensor) -> tuple[float, float, float]:
    """Control-variate mean of `y` with a zero-mean `control`: mean(y - β·control).

    β = cov(y, control)/var(control) is fitted on the same draws (bias O(1/n)).
    Returns (mean, stderr, beta).
    """
    y = y.to(torch.float64)
    c = control.to(torch.float64)
    n = y.numel()
    yc = y - y.mean()
    cc = c - c.mean()
    var_c = float((cc * cc).sum())
    beta = float((yc * cc).sum()) / var_c if var_c > 0 else 0.0
    t = y - beta * c
    return float(t.mean()), float(t.std(correction=1) / math.sqrt(n)) if n > 1 else math.nan, beta


def _gaussian_terms(logvar: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-row closed forms: H = ½Σ log(2πe σ²) and tr J = Σ 1/σ²."""
    d = logvar.shape[1]
    h = 0.5 * (logvar.sum(dim=1) + d * (_LOG_2PI + 1.0))
    j = torch.exp(-logvar).sum(dim=1)
    return h, j


def conditional_fs(mu: torch.Tensor, logvar: torch.Tensor) -> FSPoint:
    r"""FS point of Z|X for diagonal-Gaussian posteriors, in closed form.

    J(Z|X) = mean over x of Σⱼ exp(-logvarⱼ) and H(Z|X) = mean over x of
    ½ Σⱼ log(2πe σⱼ²); standard errors are those of the means over the M rows.

    Parameters
    ----------
    mu, logvar : Tensor, shape (M, d)
        Encoder means and log-variances.

    Returns
    -------
    FSPoint

    Examples
    --------
    >>> import torch
    >>> from infoplane.vae import conditional_fs
    >>> p = conditional_fs(torch.zeros(3, 2), torch.zeros(3, 2))   # q(z|x) = N(0, I)
    >>> p.fisher.value, round(p.product.value, 12)
    (2.0, 1.0)
    """
    mu, logvar = check_mu_logvar(mu, logvar)
    with torch.no_grad():
        return _conditional_point(logvar)


def _conditional_point(logvar: torch.Tensor) -> FSPoint:
    m, d = logvar.shape
    h, j = _gaussian_terms(logvar)
    hm, hs = _mean_se(h)
    jm, js = _mean_se(j)
    opts = {"posterior": "diagonal-gaussian", "stderr": "over data"}
    h_est = Estimate(hm, hs, "closed-form", n_samples=m, n_dims=d, options=opts)
    j_est = Estimate(jm, js, "closed-form", n_samples=m, n_dims=d, options=opts)
    return FSPoint.from_estimates(h_est, j_est, d)


def _block_shape(n_mc: int, m: int, chunk_size: int) -> tuple[int, int]:
    """(rows, cols) of a block with rows*cols <= chunk_size, preferring whole columns."""
    cols = min(m, max(1, chunk_size // 256))
    rows = min(n_mc, max(1, chunk_size // cols))
    return rows, cols


class _MixtureTable:
    """Per-component constants of a diagonal-Gaussian mixture, laid out for matmuls.

    log N(z; μₘ, σₘ²) = z²·aₘ + z·bₘ + cₘ with aₘ = -1/(2σₘ²), bₘ = μₘ/σₘ²,
    cₘ = -½(Σ μₘ²/σₘ² + Σ log σₘ² + d log 2π). ``w = [bₘ | 1/σₘ² | 1]`` collects, in one
    matmul with the weights, Σ w μ/σ², Σ w /σ² and Σ w.
    """

    __slots__ = ("a", "b", "c", "w", "d")

    def __init__(self, mu: torch.Tensor, logvar: torch.Tensor):
        d = mu.shape[1]
        prec = torch.exp(-logvar)
        self.b = mu * prec
        self.a = -0.5 * prec
        self.c = -0.5 * ((mu * self.b).sum(dim=1) + logvar.sum(dim=1) + d * _LOG_2PI)
        ones = torch.ones(mu.shape[0], 1, dtype=mu.dtype, device=mu.device)
        self.w = torch.cat([self.b, prec, ones], dim=1)
        self.d = d


def _mixture_logq_score(
    z: torch.Tensor, tab: _MixtureTable, cols: int, drop_below: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """log Σₘ N(z; μₘ, diag σₘ²) and the mixture score for a block of points z (r, d).

    Streams over component blocks with a running log-sum-exp (online softmax): the
    largest temporary is (r, cols). Unnormalised by 1/M.
    """
    r, d = z.shape
    m = tab.w.shape[0]
    z_sq = z * z
    run_max = torch.full((r,), -math.inf, dtype=z.dtype, device=z.device)
    acc = torch.zeros(r, 2 * d + 1, dtype=z.dtype, device=z.device)  # Σw μ/σ², Σw/σ², Σw
    for a in range(0, m, cols):
        b = min(m, a + cols)
        logn = torch.addmm(tab.c[a:b].unsqueeze(0), z_sq, tab.a[a:b].T)
        logn.addmm_(z, tab.b[a:b].T)
        new_max = torch.maximum(run_max, logn.max(dim=1).values)
        # weights below exp(drop_below) relative to the running maximum are clamped there:
        # no subnormals (which slow a CPU matmul ~10x), and M·exp(drop_below) << eps
        logn.sub_(new_max.unsqueeze(1)).clamp_(min=drop_below).exp_()
        acc.mul_(torch.exp(run_max - new_max).unsqueeze(1))
        acc.addmm_(logn, tab.w[a:b])
        run_max = new_max
        del logn
    u, v, tot = acc[:, :d], acc[:, d : 2 * d], acc[:, 2 * d]
    log_q = run_max + torch.log(tot)
    score = (u - z * v) / tot.unsqueeze(1)
    return log_q, score


def posterior_fs(
    mu: torch.Tensor,
    logvar: torch.Tensor,
    *,
    n_mc: int = 10_000,
    chunk_size: int = _DEFAULT_CHUNK,
    aggregate: bool = True,
    rng=None,
    dtype: torch.dtype | None = None,
    progress: bool = False,
) -> PosteriorFS:
    r"""FS-plane coordinates of diagonal-Gaussian posteriors q(z|x) = N(μₓ, diag σₓ²).

    Parameters
    ----------
    mu, logvar : Tensor, shape (M, d)
        Encoder means and log-variances for M data points (any device; the computation
        stays there,; conditional in the input dtype). Detached.
    n_mc : int
        Number of Monte Carlo points drawn from the aggregate posterior.
    chunk_size : int
        Largest number of (Monte Carlo point, component) pairs held at once: peak extra
        memory is one such block plus O((n_mc + M)·d) (docs/vae_benchmarks.md measures it).
    aggregate : bool
        Compute the aggregate posterior and the mutual information (the Monte Carlo part).
        ``False`` gives only the closed-form conditional point.
    rng : None, int, numpy.random.Generator or torch.Generator
        Source of randomness for the Monte Carlo draws.
    dtype : torch.dtype or None
        Floating type of the Monte Carlo computation, on the input's device. ``None``
        means float64 (see Notes on precision); ``torch.float32`` is faster on GPUs with
        slow double precision but loses accuracy for narrow posteriors.
    progress : bool
        Show a tqdm progress bar over the Monte Carlo blocks.

    Returns
    -------
    PosteriorFS
        ``.conditional``, ``.aggregate``, ``.mutual_information`` and float accessors.

    Raises
    ------
    TypeError
        Non-tensor or non-floating inputs.
    ValueError
        Mismatched shapes, devices, NaN/inf values, an empty batch, bad `n_mc`/`chunk_size`.

    Notes
    -----
    **Conditional** (closed form): J(Z|X) = (1/M) Σₓ Σⱼ exp(-logvarₓⱼ),
    H(Z|X) = (1/M) Σₓ ½ Σⱼ log(2πe σₓⱼ²); N·J/d >= 1 with equality iff all σ are equal.

    **Aggregate**: q(z) = (1/M) Σₓ N(z; μₓ, diag σₓ²), a Gaussian mixture without closed
    forms. Points zᵢ are drawn from the mixture (components in balanced rounds: each used
    ⌊n_mc/M⌋ times, the remainder drawn without replacement), and

    - log q(zᵢ) = logsumexpₘ log N(zᵢ; μₘ, σₘ²) - log M (exact, streamed over components
      with a running maximum, so it never under- or overflows),
    - s(zᵢ) = ∇ log q(zᵢ) = Σₘ wᵢₘ (μₘ - zᵢ)/σₘ², wᵢₘ the posterior responsibilities,

    give H(Z) = E[-log q] and J(Z) = E‖s‖². Both use the drawing component kᵢ as a control
    variate: -log q_k(zᵢ) - H_k and ‖s_k(zᵢ)‖² - J_k have mean exactly zero, which removes
    most Monte Carlo noise when the components barely overlap. The mutual information is
    I = H(Z) - H(Z|X) = E[log q_k(zᵢ) - log q(zᵢ)] with the same control variate, so its
    error is not the sum of two entropy errors. Standard errors are those of the Monte
    Carlo mean; they ignore the gain from balanced rounds, so they are slightly
    conservative (z-scores with SD about 0.8 instead of 1 in tests/test_vae.py). The cost
    is O(n_mc · M · d), computed with matrix products.

    **Bias**: the q(z) measured is the *empirical* mixture over the M encodings, with the
    same M components used to draw the points. It is not the population aggregate
    posterior E_x q(z|x): for small M or narrow posteriors it is lumpy, so H(Z) is biased
    low (by concavity, E H(q̂) <= H(q)), J(Z) is biased high, and I <= log M always. The
    stderr does not include this bias; increase M to check it.

    **Precision**: the quadratic forms Σⱼ (zⱼ - μⱼ)²/σⱼ² are expanded into matrix
    products, which cancels: the error of a log-density is about eps·‖((zⱼ² + μⱼ²)/σⱼ²)ⱼ‖
    (after centring at the mean of μ). In float32 with ``|z|² ≈ 400`` and σ = 0.01 that is
    ~0.5 nats, hence the float64 default. When this rounding estimate exceeds the
    Monte Carlo standard error an :class:`~infoplane.AccuracyWarning` is emitted.

    Examples
    --------
    >>> import math, torch
    >>> from infoplane.vae import posterior_fs
    >>> g = torch.Generator().manual_seed(0)
    >>> mu = torch.randn(500, 2, generator=g, dtype=torch.float64)
    >>> res = posterior_fs(mu, torch.zeros(500, 2, dtype=torch.float64), n_mc=2000, rng=0)
    >>> res.conditional.fisher.value                # Σⱼ 1/σⱼ² with σ = 1
    2.0
    >>> 0 < res.mi < 0.5 * 2 * math.log(2) + 0.1    # ≈ ½ log det(I + I) = log 2
    True
    """
    mu, logvar = check_mu_logvar(mu, logvar)
    n_mc = check_positive_int("n_mc", n_mc)
    chunk_size = check_positive_int("chunk_size", chunk_size)
    if not isinstance(aggregate, bool):
        raise TypeError(f"`aggregate` must be a bool; got {aggregate!r}.")
    with torch.no_grad():
        cond = _conditional_point(logvar)
        m, d = mu.shape
        if not aggregate:
            return PosteriorFS(cond, None, None, m, d)
        if dtype is None:
            dtype = torch.float64
        if not (isinstance(dtype, torch.dtype) and dtype.is_floating_point):
            raise TypeError(f"`dtype` must be a floating torch.dtype or None; got {dtype!r}.")
        gen = make_generator(rng, mu.device)
        agg, mi = _aggregate(mu.to(dtype), logvar.to(dtype), n_mc, chunk_size, gen, progress)
    return PosteriorFS(cond, agg, mi, m, d)


def _aggregate(mu, logvar, n_mc, chunk_size, gen, progress):
    m, d = mu.shape
    dev, dt = mu.device, mu.dtype
    gdev = gen.device
    # components in balanced rounds, then the remainder without replacement
    full, rem = divmod(n_mc, m)
    parts = [torch.arange(m, device=gdev).repeat(full)] if full else []
    if rem:
        parts.append(torch.randperm(m, generator=gen, device=gdev)[:rem])
    comp = torch.cat(parts).to(dev)
    eps = torch.randn(n_mc, d, generator=gen, device=gdev, dtype=dt).to(dev)

    # translation invariance: centre to reduce cancellation in the expanded quadratic form
    centre = mu.mean(dim=0, keepdim=True)
    mu_c = mu - centre
    prec = torch.exp(-logvar)
    tab = _MixtureTable(mu_c, logvar)
    z = mu_c[comp] + torch.exp(0.5 * logvar[comp]) * eps

    # own-component terms, exact from eps (no cancellation)
    h_k, j_k = _gaussian_terms(logvar)
    eps_sq = eps * eps
    neg_log_own = 0.5 * (eps_sq.sum(dim=1) + logvar[comp].sum(dim=1) + d * _LOG_2PI)
    score_own_sq = (eps_sq * prec[comp]).sum(dim=1)

    # rounding estimate of the expanded quadratic form for each point's own component
    terms = (z * z + mu_c[comp] ** 2) * prec[comp]
    roundoff = torch.finfo(dt).eps * float(
        (terms * terms).sum(dim=1).sqrt().to(torch.float64).mean()
    )
    del terms
    drop_below = 0.5 * math.log(torch.finfo(dt).tiny)

    rows, cols = _block_shape(n_mc, m, chunk_size)
    neg_log_q = torch.empty(n_mc, dtype=dt, device=dev)
    score_sq = torch.empty(n_mc, dtype=dt, device=dev)
    starts = range(0, n_mc, rows)
    if progress:
        from tqdm.auto import tqdm

        starts = tqdm(starts, desc="aggregate posterior", unit="block")
    log_m = math.log(m)
    for a in starts:
        b = min(n_mc, a + rows)
        lq, s = _mixture_logq_score(z[a:b], tab, cols, drop_below)
        neg_log_q[a:b] = log_m - lq
        score_sq[a:b] = (s * s).sum(dim=1)

    hk_c, jk_c = h_k[comp], j_k[comp]
    h_cond = float(h_k.to(torch.float64).mean())
    j_cond = float(j_k.to(torch.float64).mean())
    # I = E[-log q(z) - H_k]; control: (-log q_k(z) - H_k), mean 0 given k
    mi_val, mi_se, _ = _cv_mean_se(neg_log_q - hk_c, neg_log_own - hk_c)
    # J(Z) = mean_k J_k + E[|s|² - J_k]; control: |s_k|² - J_k, mean 0 given k
    dj, dj_se, _ = _cv_mean_se(score_sq - jk_c, score_own_sq - jk_c)
    if roundoff > max(mi_se, 1e-6):
        warnings.warn(
            f"posterior_fs: rounding error of the mixture log-density in {dt} is about "
            f"{roundoff:.2g} nats, above the Monte Carlo standard error {mi_se:.2g}; "
            + ("pass dtype=torch.float64." if dt != torch.float64 else
               "the posteriors are too narrow for the spread of their means."),
            AccuracyWarning,
            stacklevel=3,
        )
    opts = {
        "posterior": "diagonal-gaussian mixture",
        "dtype": str(dt).replace("torch.", ""),
        "n_components": m,
        "chunk_size": chunk_size,
        "control_variate": "drawing component",
        "stderr": "monte-carlo",
    }
    h_est = Estimate(h_cond + mi_val, mi_se, "monte-carlo", n_samples=n_mc, n_dims=d, options=opts)
    j_est = Estimate(j_cond + dj, dj_se, "monte-carlo", n_samples=n_mc, n_dims=d, options=opts)
    mi_est = Estimate(mi_val, mi_se, "monte-carlo", n_samples=n_mc, n_dims=d, options=opts)
    return FSPoint.from_estimates(h_est, j_est, d), mi_est
