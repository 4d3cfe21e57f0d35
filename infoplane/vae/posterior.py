r"""FS-plane coordinates of diagonal-Gaussian encoders: Z|X in closed form, q(z) by Monte Carlo.

The hot path runs in torch on the input's device (float64 by default); the closed forms
are reduced in float64; only the final scalars become :class:`~infoplane.Estimate` objects.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import Iterable

import torch

from .._results import Estimate, FSPoint
from ..errors import AccuracyWarning
from ._checks import (
    RngLike,
    check_bool,
    check_mu_logvar,
    check_n_mc,
    check_positive_int,
    make_generator,
)

__all__ = ["PosteriorFS", "posterior_fs", "conditional_fs"]

_LOG_2PI = math.log(2.0 * math.pi)
_DEFAULT_CHUNK = 2**20

#: Largest |logvar| for a float32 Monte Carlo computation (σ², 1/σ² and the squared
#: standardised distances stay below float32's 3.4e38).
_LOGVAR_LIMIT_FLOAT32 = 40.0

#: Fewer effective draws than this in the overlap terms (see
#: ``_overlap_ess``) make the standard errors unreliable: rare overlaps, which the sample
#: variance misses (measured in tests/test_vae_estimator.py).
_MIN_OVERLAP_ESS = 30

#: Rounding error (nats for log q, relative for J) above which the expanded, matmul-based
#: float64 kernel gives way to the direct one.
_ROUNDING_TOL = 1e-8


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
    """Mean and standard error of a 1-D tensor, reduced in float64 (nan SE for one value)."""
    v = v.to(torch.float64)
    n = v.numel()
    mean = float(v.mean())
    se = float(v.std(correction=1) / math.sqrt(n)) if n > 1 else math.nan
    return mean, se


def _cv_mean_se(y: torch.Tensor, control: torch.Tensor) -> tuple[float, float, float]:
    """Control-variate mean of `y` with a control of known mean zero.

    The estimate is the intercept α̂ = ȳ - β̂·c̄ of the least-squares line y = α + β·c,
    fitted on the same draws (bias O(1/n)). Its standard error is the regression one,
    s·√(1/n + c̄²/Σ(c - c̄)²) with s² = RSS/(n - 2): the fitted β costs a degree of
    freedom, so two draws give no error estimate (nan) rather than a zero.
    Returns (mean, stderr, beta).
    """
    y = y.to(torch.float64)
    c = control.to(torch.float64)
    n = y.numel()
    y_bar, c_bar = float(y.mean()), float(c.mean())
    yc = y - y_bar
    cc = c - c_bar
    s_cc = float((cc * cc).sum())
    if s_cc > 0:
        beta = float((yc * cc).sum()) / s_cc
        dof, lever = n - 2, 1.0 / n + c_bar * c_bar / s_cc
    else:
        beta, dof, lever = 0.0, n - 1, 1.0 / n
    rss = float(((yc - beta * cc) ** 2).sum())
    se = math.sqrt(rss / dof * lever) if dof > 0 else math.nan
    return y_bar - beta * c_bar, se, beta


def _gaussian_terms(logvar: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Per-row closed forms: H = ½Σ log(2πe σ²) and tr J = Σ 1/σ²."""
    d = logvar.shape[1]
    h = 0.5 * (logvar.sum(dim=1) + d * (_LOG_2PI + 1.0))
    j = torch.exp(-logvar).sum(dim=1)
    return h, j


def conditional_fs(mu: torch.Tensor, logvar: torch.Tensor) -> FSPoint:
    r"""FS point of Z|X for diagonal-Gaussian posteriors, in closed form.

    J(Z|X) = mean over x of Σⱼ exp(-logvarⱼ) and H(Z|X) = mean over x of
    ½ Σⱼ log(2πe σⱼ²), reduced in float64; standard errors are those of the means over the
    M rows (nan for M = 1).

    Parameters
    ----------
    mu, logvar : Tensor, shape (M, d)
        Encoder means and log-variances (floating point; ``|logvar| <= 300``).

    Returns
    -------
    FSPoint

    Raises
    ------
    TypeError
        Non-tensor or non-floating inputs.
    ValueError
        Mismatched shapes or devices, NaN/inf values, an empty batch, ``|logvar| > 300``.

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
    h, j = _gaussian_terms(logvar.to(torch.float64))
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

    The expanded kernel: quadratic forms as matrix products. Streams over component blocks
    with a running log-sum-exp (online softmax): the largest temporary is (r, cols).
    Unnormalised by 1/M.
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


def _direct_block_shape(n_mc: int, m: int, d: int, chunk_size: int) -> tuple[int, int]:
    """(rows, cols) of a block with rows*cols*d <= chunk_size (at least 1 x 1)."""
    pairs = max(1, chunk_size // d)
    cols = min(m, max(1, pairs // 64))
    rows = min(n_mc, max(1, pairs // cols))
    return rows, cols


def _mixture_logq_score_direct(
    mu_k: torch.Tensor,
    offset: torch.Tensor,
    mu: torch.Tensor,
    logvar: torch.Tensor,
    cols: int,
    drop_below: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The same as :func:`_mixture_logq_score` for points z = mu_k + offset, without cancellation.

    z - μₘ is formed as (μ_k - μₘ) + offset, so the point's own component gets exactly
    its offset σ_k·ε even when σ_k is far below the resolution of z itself, and each
    (z - μₘ)/σₘ is computed directly: the log-densities are accurate to a few ulps of
    their own size. Temporaries of shape (r, cols, d).
    """
    r, d = offset.shape
    m = mu.shape[0]
    tiny = -torch.finfo(offset.dtype).max
    inv_sd = torch.exp(-0.5 * logvar)
    prec = torch.exp(-logvar)
    cterm = -0.5 * (logvar.sum(dim=1) + d * _LOG_2PI)
    run_max = torch.full((r,), -math.inf, dtype=offset.dtype, device=offset.device)
    tot = torch.zeros(r, dtype=offset.dtype, device=offset.device)
    acc = torch.zeros(r, d, dtype=offset.dtype, device=offset.device)  # Σ w (z - μ)/σ²
    for a in range(0, m, cols):
        b = min(m, a + cols)
        diff = (mu_k.unsqueeze(1) - mu[a:b].unsqueeze(0)).add_(offset.unsqueeze(1))
        u = diff * inv_sd[a:b].unsqueeze(0)
        logn = (u * u).sum(dim=2).mul_(-0.5).add_(cterm[a:b].unsqueeze(0)).clamp_(min=tiny)
        del u
        new_max = torch.maximum(run_max, logn.max(dim=1).values)
        w = logn.sub_(new_max.unsqueeze(1)).clamp_(min=drop_below).exp_()
        scale = torch.exp(run_max - new_max)
        tot = tot * scale + w.sum(dim=1)
        acc.mul_(scale.unsqueeze(1))
        acc.add_(torch.einsum("rc,rcd->rd", w, diff.mul_(prec[a:b].unsqueeze(0))))
        run_max = new_max
        del diff, w
    log_q = run_max + torch.log(tot)
    score = -acc / tot.unsqueeze(1)
    return log_q, score


def _fisher_estimate(
    score_sq: torch.Tensor, score_own_sq: torch.Tensor, jk_c: torch.Tensor, j_cond: float
) -> tuple[float, float, str]:
    """J(Z) = mean_k J_k + E[‖s‖² - J_k] with the control ‖s_k‖² - J_k (mean 0 given k).

    J(Z) > 0 always; should the fitted control variate ever give J <= 0 (a draw set too
    small or too extreme for the fit), the plain mean of ‖s‖², which is positive, is used
    instead. Returns (value, stderr, name of the control variate used).
    """
    dj, dj_se, _ = _cv_mean_se(score_sq - jk_c, score_own_sq - jk_c)
    if j_cond + dj > 0:
        return j_cond + dj, dj_se, "drawing component"
    val, se = _mean_se(score_sq)
    return val, se, "none (the fitted control variate gave J <= 0)"


def _ess(v: torch.Tensor) -> float:
    """Effective number of draws carrying Σ|v|: (Σ|v|)²/Σv² (inf when all are zero)."""
    a = v.to(torch.float64).abs()
    s1, s2 = float(a.sum()), float((a * a).sum())
    return s1 * s1 / s2 if s2 > 0 else math.inf


def _overlap_ess(
    neg_log_q: torch.Tensor,
    neg_log_own: torch.Tensor,
    score_sq: torch.Tensor,
    score_own_sq: torch.Tensor,
    log_m: float,
    round_logq: float,
    round_j: float,
) -> tuple[float, float, float, float]:
    """How many draws carry the overlap terms: (ESS_I, mean r, ESS_J, mean g).

    rᵢ = log M + log q(zᵢ) - log q_k(zᵢ) = log(1 + Σ_{m≠k} q_m/q_k)(zᵢ) >= 0 is what
    separates I from log M, gᵢ = ‖s_k‖² - ‖s‖² what separates J(Z) from J(Z|X). Values
    at the rounding level count as zero.
    """
    r = (log_m - (neg_log_q - neg_log_own)).to(torch.float64)
    r = torch.where(r > 10 * round_logq, r, torch.zeros_like(r))
    g = (score_own_sq - score_sq).to(torch.float64)
    g = torch.where(g.abs() > 10 * round_j * score_own_sq.to(torch.float64), g,
                    torch.zeros_like(g))
    return _ess(r), float(r.mean()), _ess(g), float(g.mean())


def _rounding_expanded(
    z: torch.Tensor, mu_k: torch.Tensor, prec_k: torch.Tensor, score_own_sq: torch.Tensor
) -> tuple[float, float]:
    """Rounding of the expanded kernel: (nats in log q, relative in J), both averaged.

    The quadratic form expanded into z²/σ² - 2zμ/σ² + μ²/σ² loses about
    eps·‖(z² + μ²)/σ²‖ nats; the score (Σw μ/σ² - z Σw/σ²)/Σw about eps·(|μ| + |z|)/σ²
    per coordinate, so ‖s‖² about 2‖s‖·‖that‖.
    """
    eps = torch.finfo(z.dtype).eps
    terms = (z * z + mu_k * mu_k) * prec_k
    logq = eps * float(terms.norm(dim=1).to(torch.float64).mean())
    ds = ((z.abs() + mu_k.abs()) * prec_k).norm(dim=1)
    j_abs = 2 * eps * float((score_own_sq.sqrt() * ds).to(torch.float64).mean())
    j_rel = j_abs / max(float(score_own_sq.to(torch.float64).mean()), 1e-300)
    return logq, j_rel


def posterior_fs(
    mu: torch.Tensor,
    logvar: torch.Tensor,
    *,
    n_mc: int = 10_000,
    chunk_size: int = _DEFAULT_CHUNK,
    aggregate: bool = True,
    rng: RngLike = None,
    dtype: torch.dtype | None = None,
    progress: bool = False,
) -> PosteriorFS:
    r"""FS-plane coordinates of diagonal-Gaussian posteriors q(z|x) = N(μₓ, diag σₓ²).

    Parameters
    ----------
    mu, logvar : Tensor, shape (M, d)
        Encoder means and log-variances for M data points: floating point, finite, and
        ``|logvar| <= 300`` (σ² between 5e-131 and 2e130; see Notes). Any device: the
        computation stays there. Detached.
    n_mc : int
        Number of Monte Carlo points drawn from the aggregate posterior, at least 300.
    chunk_size : int
        Largest number of (Monte Carlo point, component) pairs held at once by the
        matmul kernel, or of (point, component, dimension) triples by the direct kernel
        (see Notes): peak extra memory is a few such blocks plus O((n_mc + M)·d)
        (docs/vae_benchmarks.md measures it).
    aggregate : bool
        Compute the aggregate posterior and the mutual information (the Monte Carlo part).
        ``False`` gives only the closed-form conditional point.
    rng : None, int >= 0, numpy.random.Generator or torch.Generator
        Source of randomness for the Monte Carlo draws.
    dtype : torch.float64, torch.float32 or None
        Floating type of the Monte Carlo computation, on the input's device. ``None``
        means float64 (see Notes on precision); ``torch.float32`` is faster on GPUs with
        slow double precision but loses accuracy for narrow posteriors and accepts only
        ``|logvar| <= 40``.
    progress : bool
        Show a tqdm progress bar over the Monte Carlo blocks.

    Returns
    -------
    PosteriorFS
        ``.conditional``, ``.aggregate``, ``.mutual_information`` and float accessors.

    Raises
    ------
    TypeError
        Non-tensor or non-floating inputs; a non-bool `aggregate`/`progress`; a bad `rng`
        or `dtype`.
    ValueError
        Mismatched shapes, devices, NaN/inf values, an empty batch, ``|logvar| > 300`` (> 40
        with float32), `n_mc` < 300, a bad `chunk_size`, a negative int `rng`.

    Notes
    -----
    **Conditional** (closed form): J(Z|X) = (1/M) Σₓ Σⱼ exp(-logvarₓⱼ),
    H(Z|X) = (1/M) Σₓ ½ Σⱼ log(2πe σₓⱼ²); N·J/d >= 1 with equality iff all σ are equal.

    **Aggregate**: q(z) = (1/M) Σₓ N(z; μₓ, diag σₓ²), a Gaussian mixture without closed
    forms. Points zᵢ = μₖ + σₖ·εᵢ are drawn from the mixture (components kᵢ in balanced
    rounds: each used ⌊n_mc/M⌋ times, the remainder drawn without replacement), and

    - log q(zᵢ) = logsumexpₘ log N(zᵢ; μₘ, σₘ²) - log M (exact, streamed over components
      with a running maximum, so it never under- or overflows),
    - s(zᵢ) = ∇ log q(zᵢ) = Σₘ wᵢₘ (μₘ - zᵢ)/σₘ², wᵢₘ the posterior responsibilities,

    give H(Z) = E[-log q] and J(Z) = E‖s‖². Both use the drawing component kᵢ as a control
    variate: -log q_k(zᵢ) - H_k and ‖s_k(zᵢ)‖² - J_k have mean exactly zero, which removes
    most Monte Carlo noise when the components barely overlap. The coefficient is fitted by
    least squares on the same draws; the estimate is the fitted intercept and its standard
    error the regression one (n_mc - 2 degrees of freedom), combined with the rounding
    estimate below, so it is never zero. With fewer draws the fit's bias and the skew of
    ‖s‖² make that error too optimistic, hence the minimum ``n_mc`` of 300. Should the
    fitted control give an impossible J(Z) <= 0, the plain mean of ‖s‖² is reported
    (``options["control_variate_fisher"]`` says so). The mutual information is
    I = H(Z) - H(Z|X) = E[log q_k(zᵢ) - log q(zᵢ)] with the same control variate, so its
    error is not the sum of two entropy errors. The standard errors ignore the gain from
    balanced rounds, so they are slightly conservative (z-scores with SD about 0.8
    instead of 1 in tests/test_vae.py). The cost is O(n_mc · M · d).

    **Rare overlaps**: with the control variate, what remains of the error comes from the
    draws that land where other components overlap their own, rᵢ = log(1 + Σ_{m≠k}
    q_m/q_k)(zᵢ) (what separates I from log M) and ‖s_k‖² - ‖s‖² (J(Z) from J(Z|X)).
    When the posteriors barely overlap, these are rare, heavy-tailed events and the
    sample variance misses them: the reported error is then too small. The effective
    number of draws carrying them, (Σ|rᵢ|)²/Σrᵢ², is reported as
    ``options["overlap_ess"]`` (the smaller of the two), and an
    :class:`~infoplane.AccuracyWarning` is emitted when it is below 30 while those terms
    exceed the standard error; increase `n_mc` until it is not. Overlaps that no draw
    meets cannot be seen at all (components a few standard deviations apart, overlap
    probability << 1/n_mc).

    **Bias**: the q(z) measured is the *empirical* mixture over the M encodings, with the
    same M components used to draw the points. It is not the population aggregate
    posterior E_x q(z|x): for small M or narrow posteriors it is lumpy, so H(Z) is biased
    low (by concavity, E H(q̂) <= H(q)), J(Z) is biased high, and I <= log M always. The
    stderr does not include this bias; increase M to check it.

    **Precision**: the fast kernel expands the quadratic forms Σⱼ (zⱼ - μⱼ)²/σⱼ² into
    matrix products, which cancels: the error of a log-density is about
    eps·‖((zⱼ² + μⱼ²)/σⱼ²)ⱼ‖ (after centring at the mean of μ), that of the score about
    ``eps·(|z| + |μ|)/σ²`` per coordinate. In float32 with ``|z|² ≈ 400`` and σ = 0.01 that is
    ~0.5 nats; for σ² = e⁻⁸⁰ even float64 gives no correct digit. In float64, when either
    estimate exceeds 1e-8 (nats, or relative in J) the direct kernel is used instead
    (``options["kernel"]``): it forms (z - μₘ)/σₘ from z = μₖ + σₖε as
    ((μₖ - μₘ) + σₖε)/σₘ from the uncentred means, exact for the own component however
    narrow, at roughly ten to twenty times the cost on a CPU (no matrix products). With
    float32 the fast kernel is kept and an :class:`~infoplane.AccuracyWarning` is emitted
    when its rounding exceeds the Monte Carlo standard error. The bound
    ``|logvar| <= 300`` keeps 1/σ², σ and every squared standardised distance inside the
    float64 range (exp(709.8) overflows); larger values mean a diverged encoder and raise.

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
    aggregate = check_bool("aggregate", aggregate)
    progress = check_bool("progress", progress)
    n_mc = check_n_mc(n_mc)
    chunk_size = check_positive_int("chunk_size", chunk_size)
    if dtype is None:
        dtype = torch.float64
    if dtype not in (torch.float32, torch.float64):
        raise TypeError(
            f"`dtype` must be torch.float64, torch.float32 or None; got {dtype!r}."
        )
    gen = make_generator(rng, mu.device)
    with torch.no_grad():
        cond = _conditional_point(logvar)
        m, d = mu.shape
        if not aggregate:
            return PosteriorFS(cond, None, None, m, d)
        if dtype == torch.float32:
            worst = float(logvar.abs().max())
            if worst > _LOGVAR_LIMIT_FLOAT32:
                raise ValueError(
                    f"`dtype` float32 needs |logvar| <= {_LOGVAR_LIMIT_FLOAT32:g} (else 1/σ² "
                    f"and the squared distances overflow float32); got |logvar| up to "
                    f"{worst:.6g}. Pass dtype=torch.float64 (the default)."
                )
        agg, mi = _aggregate(mu.to(dtype), logvar.to(dtype), n_mc, chunk_size, gen, progress)
    return PosteriorFS(cond, agg, mi, m, d)


def _aggregate(
    mu: torch.Tensor,
    logvar: torch.Tensor,
    n_mc: int,
    chunk_size: int,
    gen: torch.Generator,
    progress: bool,
) -> tuple[FSPoint, Estimate]:
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
    offset = torch.exp(0.5 * logvar[comp]) * eps
    z = mu_c[comp] + offset

    # own-component terms, exact from eps (no cancellation)
    h_k, j_k = _gaussian_terms(logvar)
    eps_sq = eps * eps
    neg_log_own = 0.5 * (eps_sq.sum(dim=1) + logvar[comp].sum(dim=1) + d * _LOG_2PI)
    score_own_sq = (eps_sq * prec[comp]).sum(dim=1)

    round_logq, round_j = _rounding_expanded(z, mu_c[comp], prec[comp], score_own_sq)
    direct = dt == torch.float64 and max(round_logq, round_j) > _ROUNDING_TOL
    if direct:
        # a few ulps of each log-density's own terms; relative ulps of the score
        tiny_eps = torch.finfo(dt).eps
        round_logq = 4 * tiny_eps * float((neg_log_own.abs() + d).to(torch.float64).mean())
        round_j = 8 * tiny_eps
        rows, cols = _direct_block_shape(n_mc, m, d, chunk_size)
    else:
        rows, cols = _block_shape(n_mc, m, chunk_size)
        tab = _MixtureTable(mu_c, logvar)
    drop_below = 0.5 * math.log(torch.finfo(dt).tiny)

    neg_log_q = torch.empty(n_mc, dtype=dt, device=dev)
    score_sq = torch.empty(n_mc, dtype=dt, device=dev)
    starts: Iterable[int] = range(0, n_mc, rows)
    if progress:
        from tqdm.auto import tqdm

        starts = tqdm(starts, desc="aggregate posterior", unit="block")
    log_m = math.log(m)
    for a in starts:
        b = min(n_mc, a + rows)
        if direct:
            # uncentred: μₖ - μₘ from the inputs themselves keeps separations far below
            # the resolution of the centred means
            lq, s = _mixture_logq_score_direct(
                mu[comp[a:b]], offset[a:b], mu, logvar, cols, drop_below
            )
        else:
            lq, s = _mixture_logq_score(z[a:b], tab, cols, drop_below)
        neg_log_q[a:b] = log_m - lq
        score_sq[a:b] = (s * s).sum(dim=1)
    if not (bool(torch.isfinite(neg_log_q).all()) and bool(torch.isfinite(score_sq).all())):
        spread = float((mu_c.abs().max()))
        raise ValueError(
            f"posterior_fs: the mixture log-density or score overflowed {dt} (largest "
            f"|mu - mean(mu)| = {spread:.3g}, logvar in [{float(logvar.min()):.3g}, "
            f"{float(logvar.max()):.3g}]); "
            + ("pass dtype=torch.float64." if dt != torch.float64 else
               "`mu` is spread too far for the posterior widths to be represented.")
        )

    hk_c, jk_c = h_k[comp], j_k[comp]
    h_cond = float(h_k.to(torch.float64).mean())
    j_cond = float(j_k.to(torch.float64).mean())
    # I = E[-log q(z) - H_k]; control: (-log q_k(z) - H_k), mean 0 given k
    mi_val, mi_mc_se, _ = _cv_mean_se(neg_log_q - hk_c, neg_log_own - hk_c)
    # J(Z) = mean_k J_k + E[|s|² - J_k]; control: |s_k|² - J_k, mean 0 given k
    j_val, j_mc_se, j_cv = _fisher_estimate(score_sq, score_own_sq, jk_c, j_cond)
    if not direct and round_logq > max(mi_mc_se, 1e-6):
        warnings.warn(
            f"posterior_fs: rounding error of the mixture log-density in {dt} is about "
            f"{round_logq:.2g} nats, above the Monte Carlo standard error {mi_mc_se:.2g}; "
            "pass dtype=torch.float64.",
            AccuracyWarning,
            stacklevel=3,
        )
    mi_se = math.hypot(mi_mc_se, round_logq)
    j_se = math.hypot(j_mc_se, round_j * abs(j_val))
    ess_i, gap_i, ess_j, gap_j = _overlap_ess(
        neg_log_q, neg_log_own, score_sq, score_own_sq, log_m, round_logq, round_j
    )
    if (ess_i < _MIN_OVERLAP_ESS and gap_i > mi_se) or (
        ess_j < _MIN_OVERLAP_ESS and abs(gap_j) > j_se
    ):
        warnings.warn(
            f"posterior_fs: the posteriors barely overlap: the overlap that makes I(X; Z) "
            f"differ from log M and J(Z) from J(Z|X) was met by only {min(ess_i, ess_j):.1f} "
            f"effective draws of n_mc = {n_mc} (a rare event), so the standard errors of "
            f"the aggregate point and of I are unreliable, typically too small. Increase "
            f"`n_mc` until options['overlap_ess'] is at least {_MIN_OVERLAP_ESS}.",
            AccuracyWarning,
            stacklevel=3,
        )
    opts = {
        "posterior": "diagonal-gaussian mixture",
        "dtype": str(dt).replace("torch.", ""),
        "n_components": m,
        "chunk_size": chunk_size,
        "kernel": "direct" if direct else "expanded",
        "control_variate": "drawing component",
        "stderr": "monte-carlo and rounding",
        "overlap_ess": min(ess_i, ess_j),
    }
    j_opts = {**opts, "control_variate_fisher": j_cv}
    h_est = Estimate(h_cond + mi_val, mi_se, "monte-carlo", n_samples=n_mc, n_dims=d, options=opts)
    j_est = Estimate(j_val, j_se, "monte-carlo", n_samples=n_mc, n_dims=d, options=j_opts)
    mi_est = Estimate(mi_val, mi_se, "monte-carlo", n_samples=n_mc, n_dims=d, options=opts)
    return FSPoint.from_estimates(h_est, j_est, d), mi_est
