"""1-D Fisher information by a binned FFT Gaussian KDE on an asinh-transformed axis.

The estimator of ``method="kde"`` for 1-D samples (what ``"auto"`` picks). It works on
sorted, standardised samples (:mod:`infoplane.estimators.samples` standardises, checks and
maps back); :func:`fisher_kde` returns the value, its bootstrap standard error and the
options used.

Method
------
1. *Transform.* With centre c = median and scale s = 2·IQR/1.349, the data are mapped to
   ``y = asinh((x - c)/s)``; near c this is linear, in the tails logarithmic, so heavy
   tails (Cauchy) occupy a short grid instead of a [min, max] range that explodes.
   The KDE is formed on y; by the change of variables the x-score is
   ``s_X = (s_Y(y) - tanh y) / (s cosh y)`` and
   ``J = ∫ f_Y(y) s_X(y)² dy`` (transformation KDE, Wand, Marron & Ruppert 1991).
2. *Binned FFT KDE.* Linear binning on a grid with 8 nodes per bandwidth, convolution
   with K_h, K_h' and (K_h')² by FFT: O(n + m log m).
3. *Diagonal removal.* ``f̂'² - n⁻²Σ K_h'(y - Y_i)²`` replaces ``f̂'²``: the i = j terms
   are a positive bias ∝ 1/(n h³) per unit length (an isolated point adds 1/(n h²)),
   which is what makes plug-in J explode for heavy tails.
4. *Richardson.* Smoothing lowers J (Blachman-Stam: 1/J(f*φ_h) ≥ 1/J + h², equality
   for Gaussians); 1/J(h) = 1/J + a h² + O(h⁴) is extrapolated from h and 2h:
   R(h, 2h) = 3 / (4/J(h) - 1/J(2h)).
5. *Bandwidth (Fisher scale).* h = 0.4 ρ n^(-1/5) on the y axis. A bandwidth set from
   the global scale σ = IQR/1.349 alone over-smooths data whose score varies on a
   shorter scale than σ (separated or narrow modes); (h, 2h) then leave the h² regime
   and the extrapolation overshoots (J = 2.32 ± 0.05 for ½N(-2, 0.5) + ½N(2, 0.5), truth
   1.885, at n = 1e4). The factor ρ = min(1, 1/(σ √Ĵ)) compares σ with the Fisher
   scale 1/√J, the scale on which the score varies: for a Gaussian σ√J = 1 (ρ = 1, the
   fixed rule); for the six original benchmark densities ρ ≈ 0.6-1; for separated
   modes σ√J ≫ 1 (ρ ≈ 0.2). Ĵ is re-estimated at each new h, starting from ρ = 1: ρ
   only decreases, by at most a factor 2 per step, until it changes by less than 5% (at
   most 8 steps,
   ρ ≥ 0.05); where R is unusable (J(h) ≥ 4 J(2h)) the raw J(h) sets the step, and a
   step into the noise (J(h) ≤ 0) is undone. ``options["bandwidth_factor"]`` records ρ.
   The constants 0.4, the form of ρ and those of step 6 were chosen on tuning seeds
   disjoint from the reported ones (``benchmarks/bandwidth_1d.py``,
   ``docs/bandwidth_1d.md``). It is a global, not a locally adaptive, bandwidth: modes of
   very different widths share one h.
6. *Residual-bias check.* R(h, 2h) is compared with R(2h, 4h). Where 1/J(h) is smooth
   in h² they agree; a cusp (Laplace: bias O(h)) or a support end where f vanishes
   polynomially (Gamma, Beta) leaves a residual of lower order than h² that the h²
   step does not remove, and R(2h, 4h) lags R(h, 2h) by about as much again. When the
   difference exceeds 2 bootstrap SDs (32 Poisson resamples from a fixed internal seed,
   so the value depends neither on `rng` nor on `n_boot`), the residual is taken as
   O(h) and R(h, 2h) + (R(h, 2h) - R(2h, 4h)) is returned
   (``options["residual_step"]``). This is a pre-test: where it fires the standard error
   roughly doubles; for densities with a smooth score it is a two-sided 2-SD test that
   fires by chance (nominally in ~5% of samples) and then adds only noise.
7. *Standard error.* Poisson bootstrap of the bin counts (each node count
   c_j → Poisson(c_j)), re-running steps 2-4 (and 6 when it fired) with batched FFTs at
   the chosen h; the choice of ρ and the pre-test of step 6 are not re-run per replicate.
   Its measured coverage and the known misses are in ``docs/benchmarks_1d.md`` and
   ``docs/coverage_1d.md``.

References
----------
Wand, Marron & Ruppert (1991), JASA 86, 343-353 (transformation KDE).
Stam (1959), Inf. Control 2, 101-112 (Blachman-Stam inequality).
"""

from __future__ import annotations

import math

import numpy as np

from .._kernels.binning import _linbin_counts
from .._numerics import robust_scale_sorted, sorted_quantile
from .._validation import check_int, check_scalar
from ..errors import DegenerateDataWarning, warn

__all__ = ["fisher_kde", "MIN_SAMPLES"]

#: fewer samples than this raise (a KDE Fisher estimate needs a few points per bandwidth)
MIN_SAMPLES = 10

#: Bandwidth constant on the asinh axis: h = _BW_CONST * rho * n**(-1/5) (`fisher` Notes).
_BW_CONST = 0.4
#: Fisher-scale factor rho = min(1, 1/(sqrt(J) sigma)) is clipped below at _RHO_MIN ...
_RHO_MIN = 0.05
#: ... and iterated (at most _RHO_ITER updates) until it changes by less than _RHO_TOL.
_RHO_ITER = 8
_RHO_TOL = 0.05
#: Residual-bias step (`fisher` Notes, 5): applied when the Richardson values from (h, 2h)
#: and (2h, 4h) differ by more than _STEP2_Z bootstrap SDs; residual bias ~ h**_STEP2_P.
_STEP2_Z = 2.0
_STEP2_P = 1.0
_STEP2_BOOT = 32
_STEP2_SEED = 20261126
#: The transform scale is _SCALE_MULT robust standard deviations.
_SCALE_MULT = 2.0
#: Grid nodes per bandwidth.
_NODES_PER_BW = 8
_MAX_GRID = 1 << 20
_TRUNC = 6.0  # kernel truncated at +-6 bandwidths
_Y_MAX = 25.0  # grid limit on the asinh axis (|x - c| <= 3.6e10 s)


def _gauss_kernels(delta: float, h: float, n_lag: int) -> np.ndarray:
    """Gaussian kernel K_h, K_h' and (K_h')^2 sampled at lags -n_lag..n_lag (rows)."""
    t = delta * np.arange(-n_lag, n_lag + 1)
    z = t / h
    k0 = np.exp(-0.5 * z * z) / (math.sqrt(2.0 * math.pi) * h)
    k1 = -z / h * k0
    return np.stack([k0, k1, k1 * k1])


def _transform(x: np.ndarray, center: float, scale: float) -> tuple[np.ndarray, int]:
    """``y = asinh((x - center)/scale)`` of the points with ``|y| <= _Y_MAX``, and how
    many are left out. Beyond |y| = _Y_MAX the weight 1/cosh(y)^2 of the x-score is
    < 1e-21: such points add nothing to J but would stretch the grid."""
    y = np.arcsinh((x - center) / scale)
    inside = np.abs(y) <= _Y_MAX
    n_out = int(y.size - np.count_nonzero(inside))
    return (y[inside] if n_out else y), n_out


class _FisherGrid:
    """Grid, transform and kernel FFTs shared by the estimate and its bootstrap."""

    def __init__(self, y: np.ndarray, n_out: int, h: float, center: float, scale: float):
        """`y`: the transformed points on the grid (from :func:`_transform`), `n_out`: the
        number left off it (they count in n only)."""
        self.n = y.size + n_out
        self.n_out = n_out
        self.center, self.scale, self.h = center, scale, h
        lo, hi = y.min() - _TRUNC * 4 * h, y.max() + _TRUNC * 4 * h
        delta = h / _NODES_PER_BW
        m = int(math.ceil((hi - lo) / delta)) + 1
        if m > _MAX_GRID:  # pathological ranges: coarsen rather than exhaust memory
            m = _MAX_GRID
            delta = (hi - lo) / (m - 1)
        self.a, self.delta, self.m = lo, delta, m
        self.nodes = lo + delta * np.arange(m)
        self.counts = _linbin_counts(y, lo, delta, m)
        # kernels for h, 2h and 4h (Richardson and its check), truncated at _TRUNC bandwidths
        self.n_lag = int(math.ceil(_TRUNC * 4 * h / delta))
        size = m + 2 * self.n_lag + 1
        self.P = 1 << int(math.ceil(math.log2(size)))
        self.kfft = []
        for hh in (h, 2 * h, 4 * h):
            ks = _gauss_kernels(delta, hh, self.n_lag)
            wrapped = np.zeros((3, self.P))
            wrapped[:, : self.n_lag + 1] = ks[:, self.n_lag:]
            wrapped[:, self.P - self.n_lag:] = ks[:, : self.n_lag]
            self.kfft.append(np.fft.rfft(wrapped, axis=-1))
        th = np.tanh(self.nodes)
        self.th = th
        self.w = 1.0 / np.cosh(self.nodes) ** 2

    @classmethod
    def from_counts(cls, counts: np.ndarray, lo: float, delta: float, n_out: int, h: float,
                    center: float, scale: float, *, pad: bool = True) -> "_FisherGrid":
        """The grid of linear-binned `counts` on the nodes ``lo + delta*j`` (merged counts
        of an out-of-core pass, :mod:`infoplane.estimators.binned`).

        With `pad`, zero nodes are added on both sides as ``__init__`` leaves room beyond
        the data (the kernel support, 6 bandwidths of 4h). The kernel set-up mirrors
        ``__init__`` after its binning step; a test checks that the two agree.
        """
        counts = np.asarray(counts, dtype=np.float64)
        if pad:
            n_pad = int(math.ceil(_TRUNC * 4 * h / delta))
            counts = np.concatenate([np.zeros(n_pad), counts, np.zeros(n_pad)])
            lo = lo - n_pad * delta
        m = counts.size
        if m > _MAX_GRID:
            raise ValueError(f"a Fisher grid of {m} nodes exceeds the limit {_MAX_GRID}; "
                             "aggregate the counts onto a coarser grid first.")
        self = cls.__new__(cls)
        self.n = int(round(float(counts.sum()))) + int(n_out)
        self.n_out = int(n_out)
        self.center, self.scale, self.h = center, scale, h
        self.a, self.delta, self.m = lo, delta, m
        self.nodes = lo + delta * np.arange(m)
        self.counts = counts
        self.n_lag = int(math.ceil(_TRUNC * 4 * h / delta))
        size = m + 2 * self.n_lag + 1
        self.P = 1 << int(math.ceil(math.log2(size)))
        self.kfft = []
        for hh in (h, 2 * h, 4 * h):
            ks = _gauss_kernels(delta, hh, self.n_lag)
            wrapped = np.zeros((3, self.P))
            wrapped[:, : self.n_lag + 1] = ks[:, self.n_lag:]
            wrapped[:, self.P - self.n_lag:] = ks[:, : self.n_lag]
            self.kfft.append(np.fft.rfft(wrapped, axis=-1))
        self.th = np.tanh(self.nodes)
        self.w = 1.0 / np.cosh(self.nodes) ** 2
        return self

    def fisher_terms(self, counts: np.ndarray, n_out=0, n_bw: int = 3) -> np.ndarray:
        """J at bandwidths h, 2h (and 4h) for each row of `counts` (shape (B, m)) ->
        (B, n_bw).

        `n_out` (scalar or shape (B,)) counts the points left off the grid.
        """
        counts = np.atleast_2d(counts)
        nn = counts.sum(axis=1, keepdims=True) + np.reshape(n_out, (-1, 1))
        cf = np.fft.rfft(counts, n=self.P, axis=-1)
        out = np.empty((counts.shape[0], n_bw))
        for j, kf in enumerate(self.kfft[:n_bw]):
            conv = np.fft.irfft(cf[:, None, :] * kf[None, :, :], n=self.P, axis=-1)
            conv = conv[:, :, : self.m]
            f = conv[:, 0] / nn
            f1 = conv[:, 1] / nn
            diag = conv[:, 2] / nn**2
            fmax = f.max(axis=1, keepdims=True)
            ok = f > 1e-10 * fmax
            fs = np.where(ok, f, 1.0)
            # x-space score s_X = (s_Y - tanh y) / (scale cosh y); J = int f_Y s_X^2 dy
            # with the kernel's own term (diag) removed from f_Y'^2.
            integ = ((f1 * f1 - diag) / fs - 2.0 * self.th * f1 + self.th**2 * f) * self.w
            out[:, j] = np.where(ok, integ, 0.0).sum(axis=1) * self.delta / self.scale**2
        return out


def _richardson(jh: np.ndarray, j2h: np.ndarray) -> np.ndarray:
    """Extrapolate 1/J(h) = 1/J + a h^2 to h = 0 from bandwidths h and 2h.

    Where that is impossible (J(h) <= 0 after the diagonal removal, or J(h) >= 4 J(2h):
    noise dominates -- seen for n of a few dozen -- or 2h smooths narrow modes away, which
    the Fisher-scale bandwidth then shrinks h to avoid) the smoother J(2h) is returned, and
    nan when that is not positive either.
    """
    jh = np.asarray(jh, dtype=float)
    j2h = np.asarray(j2h, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        inv = (4.0 / jh - 1.0 / j2h) / 3.0
        good = (jh > 0) & (j2h > 0) & (inv > 0)
        return np.where(good, 1.0 / inv, np.where(j2h > 0, j2h, np.nan))


def _extrapolate(jj: np.ndarray, step2: bool) -> np.ndarray:
    """Richardson value from (h, 2h); with `step2`, plus the residual-bias correction
    ``(R1 - R2) / (2**p - 1)`` where R2 is the Richardson value from (2h, 4h)."""
    r1 = _richardson(jj[:, 0], jj[:, 1])
    if not step2:
        return r1
    r2 = _richardson(jj[:, 1], jj[:, 2])
    return r1 + (r1 - r2) / (2.0**_STEP2_P - 1.0)


def _poisson_boot(grid, n_rep: int, rng: np.random.Generator, n_bw: int):
    """Fisher terms (J at h, 2h[, 4h]) of `n_rep` Poisson resamples of the bin counts."""
    out = []
    batch = max(1, min(64, (1 << 22) // grid.P))  # bounds memory at ~0.4 GB
    for start in range(0, n_rep, batch):
        b = min(batch, n_rep - start)
        cb = rng.poisson(np.broadcast_to(grid.counts, (b, grid.m))).astype(np.float64)
        out.append(grid.fisher_terms(cb, rng.poisson(grid.n_out, b) if grid.n_out else 0,
                                     n_bw))
    return np.concatenate(out)


def fisher_kde(x: np.ndarray, *, rng: np.random.Generator, bandwidth="auto",
               n_boot: int = 100, x_unit: float = 1.0) -> tuple[float, float, dict]:
    """J of sorted 1-D samples `x`: ``(value, stderr, options used)``.

    `bandwidth` is ``"auto"`` or the kernel standard deviation in units of `x` at the
    median; `n_boot` bootstrap replicates give the standard error (0: ``nan``).
    `x_unit` converts lengths in messages to the user's units (`x` is standardised).
    """
    n_boot = check_int("n_boot", n_boot, minimum=0)
    n = x.size
    center = sorted_quantile(x, 0.5)
    sigma = robust_scale_sorted(x)
    scale = _SCALE_MULT * sigma
    auto = isinstance(bandwidth, str)
    if auto:
        if bandwidth != "auto":
            raise ValueError(f"`bandwidth` must be 'auto' or a float > 0; got {bandwidth!r}.")
        h = _BW_CONST * n ** (-0.2)
    else:
        h = check_scalar("bandwidth", bandwidth, positive=True) / scale
    y, n_out = _transform(x, center, scale)
    if not auto:  # the grid holds 8 nodes per bandwidth over the data: cap its size
        h_min = _NODES_PER_BW * (float(y.max() - y.min()) + 1e-300) / (_MAX_GRID - 100)
        if h < h_min:
            raise ValueError(
                f"`bandwidth` = {bandwidth * x_unit:.3g} is below the smallest bandwidth the "
                f"Fisher grid resolves over these data ({h_min * scale * x_unit:.3g}; a "
                "bandwidth that small measures the spikes of single samples, not the law). "
                "Use bandwidth='auto' or a larger value.")
    # Fisher-scale bandwidth (Notes, 5): shrink h by rho = min(1, 1/(sqrt(J) sigma)),
    # the Fisher scale 1/sqrt(J) over the robust scale, iterated to a fixed point.
    # rho only decreases, by at most half per step (an overshooting first estimate must
    # not throw h to the floor); a step that lands in the noise goes back one step.
    rho, n_iter, prev = 1.0, 0, None
    while True:
        grid = _FisherGrid(y, n_out, h * rho, center, scale)
        jj = grid.fisher_terms(grid.counts, grid.n_out)[0]
        value = float(_richardson(jj[:1], jj[1:2])[0])
        if not auto:
            break
        if not jj[0] > 0 and prev is not None:
            grid, jj, value, rho = prev
            n_iter -= 1
            break
        # where the extrapolation is impossible (J(h) >= 4 J(2h): 2h smooths the modes
        # away) the raw J(h), biased low, sets the scale
        j_ref = value if (jj[0] > 0 and 4.0 * jj[1] > jj[0]) else jj[0]
        target = min(1.0, max(_RHO_MIN, 1.0 / (math.sqrt(j_ref) * sigma))) if j_ref > 0 else rho
        if target >= rho * (1.0 - _RHO_TOL) or n_iter >= _RHO_ITER:
            break
        prev = (grid, jj, value, rho)
        rho, n_iter = max(target, 0.5 * rho), n_iter + 1
    # quantised data: a lattice coarser than the kernel makes the KDE spiky
    n_tied = int(np.count_nonzero(np.diff(x) == 0))  # x is sorted
    if n_tied > 0.01 * n:
        uniq = np.unique(x)
        step = float(np.median(np.diff(uniq)))
        if step * 3.0 > grid.h * grid.scale:
            raise ValueError(
                f"`x` has heavy ties: {n - uniq.size} of {n} samples repeat a value and the "
                f"values sit on a lattice of step ~{step * x_unit:.3g}, coarser than the "
                f"kernel bandwidth {grid.h * grid.scale * x_unit:.3g}; the KDE Fisher "
                "information would "
                "measure the lattice. Pass jitter='auto' or jitter=<width> to dequantise."
            )
    if not (jj[0] > 0 and 4.0 * jj[1] > jj[0]):
        warn(
            f"the KDE Fisher information is noise-dominated at n = {n} (J(h) = "
            f"{jj[0] / x_unit**2:.3g}, J(2h) = {jj[1] / x_unit**2:.3g}); returning the J(2h) "
            "estimate without extrapolation.",
            DegenerateDataWarning,
        )
    # consistency check of the extrapolation (Notes, 5): R(h, 2h) vs R(2h, 4h), with a
    # bootstrap SD from a fixed internal seed (the value must not depend on `rng`)
    step2 = False
    r12 = _richardson(jj[None, :1], jj[None, 1:2])[0]
    r24 = _richardson(jj[None, 1:2], jj[None, 2:3])[0]
    if auto and jj[0] > 0 and 4.0 * jj[1] > jj[0] and 4.0 * jj[2] > jj[1]:
        t = _poisson_boot(grid, _STEP2_BOOT, np.random.default_rng(_STEP2_SEED), 3)
        d = _richardson(t[:, 0], t[:, 1]) - _richardson(t[:, 1], t[:, 2])
        sd = float(np.std(d[np.isfinite(d)], ddof=1)) if np.isfinite(d).sum() >= 2 else math.inf
        step2 = bool(abs(r12 - r24) > _STEP2_Z * sd)
        if step2:
            value = float(_extrapolate(jj[None, :], True)[0])
    # bootstrap: Poisson resampling of the binned counts, batched FFTs
    stderr = math.nan
    if n_boot:
        reps = _extrapolate(_poisson_boot(grid, n_boot, rng, 3 if step2 else 2), step2)
        reps = reps[np.isfinite(reps)]
        if reps.size >= 2:
            stderr = float(np.std(reps, ddof=1))
    opts = {
        "bandwidth": grid.h * grid.scale,
        "bandwidth_transformed": grid.h,
        "scale": grid.scale,
        "center": grid.center,
        "grid_size": grid.m,
        "fisher_scale_factor": rho,
        "bandwidth_iterations": n_iter,
        "residual_step": step2,
        "n_boot": n_boot,
    }
    return value, stderr, opts
