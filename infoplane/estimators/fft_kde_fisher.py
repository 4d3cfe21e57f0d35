"""1-D Fisher information by a binned FFT Gaussian KDE on a transformed axis.

The estimator of ``method="kde"`` for 1-D samples (what ``"auto"`` picks). It works on
sorted, standardised samples (:mod:`infoplane.estimators.samples` standardises, checks and
maps back); :func:`fisher_kde` returns the value, its bootstrap standard error, the
options used and a reason (``None``, or why J is infinite or its error unbounded).

Support ends come first (:mod:`infoplane.estimators.edge_model`): each end of the sample,
given by ``support`` or detected, is fitted with ``f ∝ |x - end|^(a-1) e^(c u)`` on a
window of extreme samples. An end with ``a <= 2`` makes J infinite: ``inf`` with a reason
is returned. With ends, J is the sum of the windows' shares (from the fitted model, which
extrapolates below the smallest sample, where much of J sits for 2 < a < 5) and of a KDE
part between the windows, estimated as in steps 2-4 below on ``y = log(x - low)`` (one
end, the x-score is ``(s_Y - 1)/(x - low)``) or ``y = logit((x - low)/(high - low))``
(two ends), with the linear Richardson step ``(4 B(h) - B(2h))/3`` for a part of J and
the Fisher-scale bandwidth factor taken on that axis. Its error adds the bootstrap
variance of the KDE part and the delta-method variances of the windows. When the a = 2
test cannot decide, the standard error is ``inf`` with a reason. Without ends:

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
   The constants 0.4, the form of ρ and the exponent of step 6 were chosen on tuning
   seeds disjoint from the reported ones (``benchmarks/bandwidth_1d.py``,
   ``docs/bandwidth_1d.md``; the threshold of step 6 in ``docs/fisher_error_1d.md``).
   It is a global, not a locally adaptive, bandwidth: modes of very different widths
   share one h.
6. *Residual-bias check.* R(h, 2h) is compared with R(2h, 4h). Where 1/J(h) is smooth
   in h² they agree; a cusp (Laplace: bias O(h)) or a support end where f vanishes
   polynomially (Gamma, Beta) leaves a residual of lower order than h² that the h²
   step does not remove, and R(2h, 4h) lags R(h, 2h) by about as much again. When
   R(h, 2h) - R(2h, 4h) exceeds 2.3 standard deviations of that difference (the delta
   method of step 7, a function of the data alone: the value depends neither on `rng`
   nor on `n_boot`), the residual is taken as O(h) and R(h, 2h) + (R(h, 2h) - R(2h, 4h))
   is returned (``options["residual_step"]``). The test is one-sided: smoothing lowers
   J, so a lower-order residual makes the difference positive (separated modes at 4h
   can make it negative, which is no reason to step). This is a pre-test: where it fires
   the standard error roughly doubles; for densities with a smooth score it fires by
   chance, or where the 4h level has left the h² regime, and then adds mostly noise (on
   the 200 tuning seeds of ``docs/fisher_error_1d.md``: 0-5% of the samples of the
   smooth laws but the Cauchy at n = 1e4, 23%, at the same median error; Laplace 1% at
   n = 1e3, 89% at 1e4; z = 2.3 was chosen there). Short of the step, a difference of more than
   1 SD is added to the standard error as a bias term (``options["residual_bias"]``):
   the interval carries the bias it detects but does not remove (at n = 1e3 a Laplace
   cusp leaves about -12% that the check rarely sees).
7. *Standard error.* The delta method in the bin counts (the default): the estimate is
   a smooth function of the counts c_k, its gradient ∂J/∂c_k comes from the same FFTs
   run backwards (``_FisherGrid.fisher_gradients``, checked against finite
   differences in the tests), and the variance of a sample of n points, each a unit of
   count, is ``Σ c_k (g_k - ḡ)²`` with ḡ the count-weighted mean gradient
   (``_FisherGrid.delta_sd``), of the Richardson value or of the stepped one, at
   the chosen h; the choice of ρ and the pre-test of step 6 are held fixed. A Poisson
   bootstrap of the counts (``n_boot`` replicates, c_k → Poisson(c_k), steps 2-4 re-run
   with batched FFTs) overstates the spread: at the bandwidths of a Fisher estimate the
   pairwise (second-order) part of the estimate is a large share of its noise, a
   resample counts it more than once, and it is nearly uncorrelated between h and 2h,
   which the Richardson step and the step test difference: over the tuning seeds of
   ``docs/fisher_error_1d.md``
   (12 laws, n = 1e3 and 1e4) the spread of the Richardson value is 0.63-0.96 times the
   bootstrap's SD, that of the step test's difference 0.51-0.76 times; with the delta
   method 0.81-1.07 and 0.70-0.91 (at a fixed bandwidth and scale a test holds it within
   ±15% of the spread over 200 Gaussian samples: the data-driven bandwidth and scale
   make the estimate a little steadier than the fixed-grid delta method says). Being
   first-order, the delta method undercovers small samples (section 3 of that page:
   61-92% at n = 30, 80-95% at 100), so below 200 samples the default is a
   100-replicate bootstrap (which covers 84-99% and 90-100% there); ``options["error"]``
   says which ran.
   Measured coverage and the known misses: ``docs/benchmarks_1d.md`` and
   ``docs/coverage_1d.md``.
8. *Resolution check.* One global bandwidth cannot resolve a component much narrower
   than itself (2% of the mass at SD 1e-3 on N(0, 1): J ≈ 1.7e4, the KDE gives ~1.3 at
   n = 2e4). Runs of 11 to 161 consecutive samples narrower than the bandwidth and at
   least twice as dense as the samples within ± one bandwidth around them, at a binomial
   tail probability below 1e-3 over the runs tested (:func:`_unresolved_peak`), flag such
   a peak, or an atom too small for the atom check: the standard error is then inf, with
   a reason and an AccuracyWarning. A bump that less than doubles the density around it
   is not flagged, and J can still come out low there (``docs/narrow_peaks_1d.md``).

References
----------
Wand, Marron & Ruppert (1991), JASA 86, 343-353 (transformation KDE).
Hall (1982), J. R. Statist. Soc. B 44, 37-42; Smith (1985), Biometrika 72, 67-90
(the end of a support from its extreme order statistics).
Stam (1959), Inf. Control 2, 101-112 (Blachman-Stam inequality).
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np

from .._kernels.binning import _linbin_counts
from .._numerics import robust_scale_sorted, sorted_quantile
from .._validation import check_int, check_scalar
from ..errors import AccuracyWarning, DegenerateDataWarning, warn
from ._prepare import lattice_step

__all__ = ["fisher_kde", "peak_reason", "error_replicates", "MIN_SAMPLES"]

#: fewer samples than this raise (a KDE Fisher estimate needs a few points per bandwidth)
MIN_SAMPLES = 10

#: Bandwidth constant on the asinh axis: h = _BW_CONST * rho * n**(-1/5) (`fisher` Notes).
_BW_CONST = 0.4
#: Fisher-scale factor rho = min(1, 1/(sqrt(J) sigma)) is clipped below at _RHO_MIN ...
_RHO_MIN = 0.05
#: ... and iterated (at most _RHO_ITER updates) until it changes by less than _RHO_TOL.
_RHO_ITER = 8
_RHO_TOL = 0.05
#: Residual-bias step (`fisher` Notes, 6): applied when the Richardson value from (h, 2h)
#: exceeds that from (2h, 4h) by more than _STEP2_Z standard deviations of the difference
#: (delta method); residual bias ~ h**_STEP2_P.
_STEP2_Z = 2.3
_STEP2_P = 1.0
#: short of the step, a difference R(h, 2h) - R(2h, 4h) above _BIAS_Z SDs is added to the
#: standard error as a bias term (`fisher` Notes, 6)
_BIAS_Z = 1.0
#: Standard error (`fisher` Notes, 7): below _DELTA_MIN_N samples the default is a Poisson
#: bootstrap of _SMALL_N_BOOT replicates (the first-order delta method undercovers there)
_DELTA_MIN_N = 200
_SMALL_N_BOOT = 100
#: Resolution check (`fisher` Notes, 8): runs of k + 1 consecutive samples, k in
#: _PEAK_RUNS, at least _PEAK_RATIO times denser than the samples within +- one bandwidth
#: around them, at a binomial tail probability below _PEAK_ALPHA / (runs tested), are a
#: peak narrower than the kernel
_PEAK_RUNS = (10, 20, 40, 80, 160)
_PEAK_RATIO = 2.0
_PEAK_ALPHA = 1e-3
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
    y = np.subtract(x, center)          # one new array, transformed in place
    np.divide(y, scale, out=y)
    np.arcsinh(y, out=y)
    if y.size and -_Y_MAX <= y.min() and y.max() <= _Y_MAX:
        return y, 0
    inside = np.abs(y) <= _Y_MAX
    n_out = int(y.size - np.count_nonzero(inside))
    return (y[inside] if n_out else y), n_out


class _FisherGrid:
    """Grid, transform and kernel FFTs shared by the estimate and its bootstrap."""

    def __init__(self, y: np.ndarray, n_out: int, h: float, center: float, scale: float,
                 axis=None, region: tuple[float, float] | None = None):
        """`y`: the transformed points on the grid (from :func:`_transform`), `n_out`: the
        number left off it (they count in n only).

        `axis` (default: the asinh axis of `center` and `scale`) is an :class:`_Axis`
        giving ``(log g')'`` and ``1/g'^2`` of the map ``x = g(y)``; `region` restricts
        the integral of J to ``region[0] <= y <= region[1]`` (the rest of J is then
        accounted for elsewhere: the edge windows of :func:`fisher_kde`).
        """
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
        self._kernels()
        if axis is None:
            self.th = np.tanh(self.nodes)
            self.w = 1.0 / np.cosh(self.nodes) ** 2
            self.unit = scale**2
        else:
            self.th, self.w = axis.terms(self.nodes)
            self.unit = 1.0
        if region is not None:
            inside = (self.nodes >= region[0]) & (self.nodes <= region[1])
            self.w = np.where(inside, self.w, 0.0)

    def _kernels(self) -> None:
        """FFTs of the kernels for h, 2h and 4h (Richardson and its check), truncated at
        _TRUNC bandwidths of 4h, on a power-of-two circular grid."""
        h, delta = self.h, self.delta
        self.n_lag = int(math.ceil(_TRUNC * 4 * h / delta))
        size = self.m + 2 * self.n_lag + 1
        self.P = 1 << int(math.ceil(math.log2(size)))
        self.kfft = []
        for hh in (h, 2 * h, 4 * h):
            ks = _gauss_kernels(delta, hh, self.n_lag)
            wrapped = np.zeros((3, self.P))
            wrapped[:, : self.n_lag + 1] = ks[:, self.n_lag:]
            wrapped[:, self.P - self.n_lag:] = ks[:, : self.n_lag]
            self.kfft.append(np.fft.rfft(wrapped, axis=-1))

    @classmethod
    def from_counts(cls, counts: np.ndarray, lo: float, delta: float, n_out: int, h: float,
                    center: float, scale: float, *, pad: bool = True) -> "_FisherGrid":
        """The grid of linear-binned `counts` on the nodes ``lo + delta*j`` (merged counts
        of an out-of-core pass, :mod:`infoplane.estimators.binned`).

        With `pad`, zero nodes are added on both sides as ``__init__`` leaves room beyond
        the data (the kernel support, 6 bandwidths of 4h). The kernel set-up is
        ``__init__``'s (``_kernels``).
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
        self._kernels()
        self.th = np.tanh(self.nodes)
        self.w = 1.0 / np.cosh(self.nodes) ** 2
        return self

    def fisher_terms(self, counts: np.ndarray, n_out=0, n_bw: int = 3) -> np.ndarray:
        """J at bandwidths h, 2h (and 4h) for each row of `counts` (shape (B, m)) ->
        (B, n_bw).

        `n_out` (scalar or shape (B,)) counts the points left off the grid.
        """
        counts = np.atleast_2d(counts)
        unit = getattr(self, "unit", self.scale**2)
        nn = counts.sum(axis=1, keepdims=True) + np.reshape(n_out, (-1, 1))
        cf = np.fft.rfft(counts, n=self.P, axis=-1)
        from .._kernels.fisher_grid import _grid_fisher_sums

        out = np.empty((counts.shape[0], n_bw))
        nn = np.ascontiguousarray(nn[:, 0], dtype=np.float64)
        th = np.ascontiguousarray(self.th, dtype=np.float64)
        w = np.ascontiguousarray(self.w, dtype=np.float64)
        for j, kf in enumerate(self.kfft[:n_bw]):
            conv = np.fft.irfft(cf[:, None, :] * kf[None, :, :], n=self.P, axis=-1)
            # x-space score s_X = (s_Y - tanh y) / (scale cosh y); J = int f_Y s_X^2 dy
            # with the kernel's own term (diag) removed from f_Y'^2.
            _grid_fisher_sums(conv, self.m, nn, th, w, out, j)
        out *= self.delta / unit
        return out

    def fisher_gradients(self, n_bw: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """J at h, 2h (and 4h) of the grid's own counts and its derivatives in them.

        Returns ``(values (n_bw,), grads (n_bw, m), grads_out (n_bw,))``: ``grads[b, k]``
        is ∂J_b/∂c_k, the change of the estimate when bin k gains a unit of count
        (n grows with it; :meth:`fisher_terms` is a smooth function of the counts),
        ``grads_out[b]`` the same for a point off the grid (it counts in n only). With
        ``f = c⊛K/n``, ``f1 = c⊛K'/n``, ``dg = c⊛K'²/n²`` and the integrand
        ``((f1² - dg)/f - 2 th f1 + th² f) w`` at each node, the chain rule gives
        ``A⊛K - B⊛K' + C⊛K'²/n`` over n, less the common term of n, where ``A``, ``B``,
        ``C`` are the integrand's derivatives in ``f``, ``f1``, ``dg`` (K' is odd, so
        correlating with it is convolving with -K'). ``_grid_fisher_sums``' floor on f
        is held fixed.
        """
        from .._kernels.fisher_grid import F_FLOOR

        unit = getattr(self, "unit", self.scale**2)
        m, P = self.m, self.P
        nn = float(self.counts.sum()) + self.n_out
        cf = np.fft.rfft(self.counts, n=P)
        vals = np.empty(n_bw)
        grads = np.empty((n_bw, m))
        gout = np.empty(n_bw)
        th, w = self.th, self.w
        for j, kf in enumerate(self.kfft[:n_bw]):
            conv = np.fft.irfft(cf[None, :] * kf, n=P, axis=-1)[:, :m]
            f, f1, dg = conv[0] / nn, conv[1] / nn, conv[2] / nn**2
            keep = f > F_FLOOR * f.max()
            fs = np.where(keep, f, 1.0)
            q = (f1 * f1 - dg) / fs
            vals[j] = float(np.sum(np.where(keep, (q - 2.0 * th * f1 + th * th * f) * w, 0.0)))
            a = np.where(keep, (th * th - q / fs) * w, 0.0)
            b = np.where(keep, 2.0 * (f1 / fs - th) * w, 0.0)
            c = np.where(keep, -w / fs, 0.0)
            coef = np.fft.rfft(np.stack([a, b, c]), n=P, axis=-1)
            back = np.fft.irfft(coef * kf, n=P, axis=-1)[:, :m]
            common = float(np.sum(a * f + b * f1 + 2.0 * c * dg))
            grads[j] = (back[0] - back[1] + back[2] / nn - common) / nn
            gout[j] = -common / nn
        scale = self.delta / unit
        return vals * scale, grads * scale, gout * scale

    def delta_sd(self, grad: np.ndarray, grad_out: float = 0.0) -> float:
        """Standard deviation of a smooth statistic of the counts with gradient `grad`
        (and `grad_out` for the points off the grid) over samples of the same n: the
        delta method with each unit of count an independent draw,
        ``sqrt(Σ_k c_k (g_k - ḡ)²)`` with ``ḡ`` the count-weighted mean gradient
        (a multinomial, not a Poisson, resample: n is fixed).
        """
        c = self.counts
        nn = float(c.sum()) + self.n_out
        gbar = (float(np.dot(c, grad)) + self.n_out * grad_out) / nn
        var = float(np.dot(c, (grad - gbar) ** 2)) + self.n_out * (grad_out - gbar) ** 2
        return math.sqrt(max(var, 0.0))


def _richardson_grad(ja: float, jb: float) -> tuple[float, float, float]:
    """:func:`_richardson` of two scalars and its partial derivatives in them."""
    r = float(_richardson(np.array([ja]), np.array([jb]))[0])
    inv = (4.0 / ja - 1.0 / jb) / 3.0 if ja > 0 and jb > 0 else -1.0
    if inv > 0:
        return r, 4.0 / 3.0 * r * r / (ja * ja), -1.0 / 3.0 * r * r / (jb * jb)
    return r, 0.0, 1.0


def _richardson_checks(vals: np.ndarray, grads: np.ndarray, gout: np.ndarray):
    """R(h, 2h) and R(2h, 4h) of :meth:`_FisherGrid.fisher_gradients`' output, each with
    its gradient in the bin counts and in the points off the grid:
    ``((r12, g12, o12), (r24, g24, o24))``."""
    out = []
    for i in (0, 1):
        r, da, db = _richardson_grad(vals[i], vals[i + 1])
        out.append((r, da * grads[i] + db * grads[i + 1], da * gout[i] + db * gout[i + 1]))
    return tuple(out)


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


def _fisher_asinh(x: np.ndarray, rng: np.random.Generator, bandwidth,
                  n_boot: int | None,
                  x_unit: float, x_offset: float = 0.0
                  ) -> tuple[float, float, dict, str | None]:
    """J of sorted samples without support edges: the asinh-axis estimator (Notes 1-8);
    the last item is the resolution check's finding (:func:`_unresolved_peak`)."""
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

    def check_grid(g) -> str | None:
        _check_ties(x, g.h * g.scale, x_unit)

        # on the asinh axis dx/dy = scale cosh y = sqrt(scale² + (x - center)²); samples
        # the axis leaves off its grid are not checked
        def half_width(v):
            off = np.abs(v - center) > scale * math.sinh(_Y_MAX)
            return np.where(off, np.nan, g.h * np.hypot(scale, v - center))

        return _unresolved_peak(x, half_width, g.h * scale, x_unit, x_offset,
                                hypot=(g.h, scale, center, scale * math.sinh(_Y_MAX)))

    value, stderr, opts, _, note = _estimate_on_grids(
        lambda hh: _FisherGrid(y, n_out, hh, center, scale), h, sigma, auto, n, n_boot, rng,
        x_unit, check_grid)
    return value, stderr, opts, note


def _estimate_on_grids(make_grid, h: float, sigma: float, auto: bool, n: int,
                       n_boot: int | None,
                       rng: np.random.Generator, x_unit: float, check_grid
                       ) -> tuple[float, float, dict, _FisherGrid, str | None]:
    """Notes 2-8 on the asinh axis, given how to grid the data: ``make_grid(h)`` returns
    the :class:`_FisherGrid` at bandwidth h (binned samples here, re-binned merged counts
    in :mod:`.binned`); `h` is the bandwidth before the Fisher-scale factor, `sigma` the
    robust scale; ``check_grid(grid)`` raises for quantised data at the chosen bandwidth
    and returns a reason where the kernel cannot resolve the law (then the standard error
    is inf). Returns ``(value, stderr, options used, the grid at the chosen bandwidth,
    that reason or None)``.
    """
    # Fisher-scale bandwidth (Notes, 5): shrink h by rho = min(1, 1/(sqrt(J) sigma)),
    # the Fisher scale 1/sqrt(J) over the robust scale, iterated to a fixed point.
    # rho only decreases, by at most half per step (an overshooting first estimate must
    # not throw h to the floor); a step that lands in the noise goes back one step.
    rho, n_iter, prev = 1.0, 0, None
    while True:
        grid = make_grid(h * rho)
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
    note = check_grid(grid)
    if note is None and not (jj[0] > 0 and 4.0 * jj[1] > jj[0]):
        what = ("returning the J(2h) estimate without extrapolation" if jj[1] > 0 else
                "J(2h) is not positive either, so there is no estimate (nan): the "
                "bandwidth is far too small for these samples; use bandwidth='auto' or a "
                "larger one")
        warn(
            f"the KDE Fisher information is noise-dominated at n = {n} (J(h) = "
            f"{jj[0] / x_unit**2:.3g}, J(2h) = {jj[1] / x_unit**2:.3g}); {what}.",
            DegenerateDataWarning,
        )
    # consistency check of the extrapolation (Notes, 6): R(h, 2h) vs R(2h, 4h), with the
    # delta-method SD of their difference (a function of the data alone)
    step2 = False
    bias = 0.0
    check = auto and jj[0] > 0 and 4.0 * jj[1] > jj[0] and 4.0 * jj[2] > jj[1]
    if check or n_boot is None:
        (r12, g12, o12), (r24, g24, o24) = _richardson_checks(*grid.fisher_gradients(3))
    if check:
        sd = grid.delta_sd(g12 - g24, o12 - o24)
        # one-sided: smoothing lowers J, so a residual of lower order than h² leaves
        # R(2h, 4h) below R(h, 2h)
        step2 = bool(r12 - r24 > _STEP2_Z * sd)
        if step2:
            value = float(_extrapolate(jj[None, :], True)[0])
        elif r12 - r24 > _BIAS_Z * sd:
            # the checks disagree in the direction of smoothing bias, short of the
            # residual step: carry the disagreement as a bias term
            bias = float(r12 - r24)
    # standard error (Notes, 7): the delta method in the bin counts, or a Poisson
    # bootstrap of them (batched FFTs) when `n_boot` asks for one
    stderr = math.nan
    if n_boot is None:
        if step2:
            k = 1.0 / (2.0**_STEP2_P - 1.0)        # the step of _extrapolate
            stderr = grid.delta_sd((1.0 + k) * g12 - k * g24, (1.0 + k) * o12 - k * o24)
        else:
            stderr = math.hypot(grid.delta_sd(g12, o12), bias)
    elif n_boot:
        reps = _extrapolate(_poisson_boot(grid, n_boot, rng, 3 if step2 else 2), step2)
        reps = reps[np.isfinite(reps)]
        if reps.size >= 2:
            stderr = math.hypot(float(np.std(reps, ddof=1)), bias)
    if not value == value:          # no estimate (noise-dominated at every bandwidth)
        stderr = math.nan
    if note is not None:
        stderr = math.inf
    opts = {
        "bandwidth": grid.h * grid.scale,
        "bandwidth_transformed": grid.h,
        "scale": grid.scale,
        "center": grid.center,
        "grid_size": grid.m,
        "fisher_scale_factor": rho,
        "bandwidth_iterations": n_iter,
        "residual_step": step2,
        "residual_bias": bias,
        "n_boot": n_boot,
        "error": _error_name(n_boot),
    }
    return value, stderr, opts, grid, note


def error_replicates(n_boot, n: int) -> int | None:
    """The checked `n_boot` of a 1-D Fisher estimate of `n` samples: ``None`` (the delta
    method) or a number of bootstrap replicates (0: no standard error). The default
    (``None``) becomes ``_SMALL_N_BOOT`` replicates below ``_DELTA_MIN_N`` samples."""
    if n_boot is None:
        return _SMALL_N_BOOT if n < _DELTA_MIN_N else None
    return check_int("n_boot", n_boot, minimum=0)


def _error_name(n_boot: int | None) -> str:
    """How the standard error was made: ``options["error"]``."""
    return "delta" if n_boot is None else "bootstrap" if n_boot else "none"


def _check_ties(x: np.ndarray, bw_x: float, x_unit: float) -> None:
    """Quantised data: a lattice coarser than the kernel makes the KDE spiky."""
    n = x.size
    same = x[1:] == x[:-1]           # x is sorted
    n_tied = int(np.count_nonzero(same))
    if n_tied > 0.01 * n:
        step = lattice_step(x, same)   # also when only part of the rows sit on it
        if step is not None and step * 3.0 > bw_x:
            raise ValueError(
                f"`x` has heavy ties: {n_tied} of {n} samples repeat a value and the "
                f"values sit on a lattice of step ~{step * x_unit:.3g}, coarser than the "
                f"kernel bandwidth {bw_x * x_unit:.3g}; the KDE Fisher information would "
                "measure the lattice. Pass jitter='auto' or jitter=<width> to dequantise."
            )


def _unresolved_peak(x: np.ndarray, half_width: Callable[[np.ndarray], np.ndarray],
                     bw_x: float, x_unit: float, x_offset: float = 0.0,
                     column: int | None = None, alpha: float = _PEAK_ALPHA,
                     hypot: tuple[float, float, float, float] | None = None
                     ) -> str | None:
    """Resolution check (Notes, 8) of sorted samples `x`: a reason where the law has a peak
    the kernel cannot resolve, ``None`` otherwise.

    A run of ``k + 1`` consecutive samples (every ``k/2``-th run, for each k in
    ``_PEAK_RUNS``) spans ``span``; the samples within ± one bandwidth of its centre
    (``half_width(centre)``, x units: the bandwidth varies along a transformed axis),
    less the run, give the density around it. Where the density is smooth on the scale
    of the kernel, each of the window's other samples falls in the run's stretch with
    probability ``span / (2 half_width)``, so ``k`` of them do with the binomial tail
    probability (the count around is itself noisy: a sparse tail holds few). A run
    narrower than the bandwidth with a density at least ``_PEAK_RATIO`` times that around
    it, at a probability below `alpha` (``_PEAK_ALPHA``) over the number of runs tested, is a
    component much narrower than the kernel, which smooths it away with its share of J.
    Values on a lattice (ties that :func:`_check_ties` lets pass) count their runs as
    one step longer. `bw_x` is the bandwidth to report; `column` (d-D samples: the
    column checked, with the d-D kernel's standard deviation along it as `bw_x` and a
    window narrower than it as `half_width`) words the reason for the d-D estimate,
    whose columns share the level `alpha`. `hypot` = ``(h, scale, center, limit)`` says
    that `half_width` is ``h·hypot(scale, v - center)``, nan where ``|v - center| >
    limit`` (the asinh axis): the first pass then runs in one compiled loop.
    """
    from scipy import special

    from .._kernels.peaks import _dense_run_candidates, _dense_run_candidates_hypot

    n = x.size
    same = x[1:] == x[:-1]
    step = (lattice_step(x, same) or 0.0) if same.any() else 0.0
    # window counts: first from every b-th sample (a short array: fast to search, off
    # by less than b at each end), exactly only where that count leaves the test open
    b = max(1, n // 8192)
    x = np.ascontiguousarray(x, dtype=np.float64)
    sub, rank = np.ascontiguousarray(x[::b]), np.arange(0, n, b, dtype=np.float64)
    found, runs = [], 0
    for k in _PEAK_RUNS:
        if n < 10 * k:
            break
        stride = k // 2
        n_runs = (n - k + stride - 1) // stride         # starts 0, stride, ... < n - k
        runs += n_runs
        # candidates: narrower than the window (hw is nan off the KDE's grid: far outliers
        # the asinh axis leaves out), and the window holds at least rough - 2b samples by
        # the subsample's count; where even that many leave the run less than
        # _PEAK_RATIO times denser than its surroundings, it cannot pass
        ok = np.empty(n_runs, dtype=np.bool_)
        if hypot is not None:
            _dense_run_candidates_hypot(x, k, stride, float(step), sub, rank, b,
                                        _PEAK_RATIO, *map(float, hypot), ok)
        else:
            start = np.arange(0, n - k, stride)
            mid = 0.5 * (x[start] + x[start + k])
            hw = np.ascontiguousarray(half_width(mid), dtype=np.float64)
            _dense_run_candidates(x, k, stride, mid, hw, float(step), sub, rank, b,
                                  _PEAK_RATIO, ok)
        first = np.flatnonzero(ok) * stride
        lo, hi = x[first], x[first + k]
        mid = 0.5 * (lo + hi)
        hw = half_width(mid)
        span = hi - lo + step
        around = (np.searchsorted(x, mid + hw, side="right")
                  - np.searchsorted(x, mid - hw) - (k + 1))
        share = span / (2.0 * hw)
        with np.errstate(divide="ignore"):
            ratio = k * (1.0 - share) / (share * np.maximum(around, 0))
        keep = (around > 0) & (ratio >= _PEAK_RATIO)
        if keep.any():
            # given the samples in the window, the run's k others fall in its share
            # span/(2 hw) of it: P(Binomial(around + k, share) >= k)
            p = special.betainc(k, around[keep] + 1, share[keep])
            j = int(np.flatnonzero(keep)[np.argmin(p)])
            found.append((float(p.min()), k, lo[j], hi[j], mid[j], ratio[j]))
    hits = [f for f in found if f[0] < alpha / max(runs, 1)]
    if not hits:
        return None
    _, k, lo_j, hi_j, mid_j, ratio_j = min(hits, key=lambda f: f[0])
    where = mid_j * x_unit + x_offset
    if hi_j == lo_j:
        what = (f"{k + 1} samples share the value x = {where:.6g} (an atom, where J = inf, "
                "or a peak narrower than the data's precision)")
    else:
        window = ("± one bandwidth" if column is None else
                  f"± {half_width(np.array([mid_j]))[0] * x_unit:.3g}")
        what = (f"{k + 1} samples near x = {where:.6g} lie within a span of "
                f"{(hi_j - lo_j) * x_unit:.3g}, {ratio_j:.0f} times denser than the "
                f"samples within {window} around them (a peak narrower than the "
                "kernel)")
    if column is None:
        kernel, option = f"A KDE with one bandwidth ({bw_x * x_unit:.3g} here)", "bandwidth"
    else:
        what = f"along column {column} of `x`, {what}"
        kernel = (f"The d-D kernel (standard deviation {bw_x * x_unit:.3g} along that "
                  "column)")
        option = "bandwidth_factor"
    return peak_reason(what, kernel, f"Estimate J of that component on its own, or pass a "
                                     f"{option} at its scale (with enough samples in it)")


def peak_reason(what: str, kernel: str, advice: str) -> str:
    """The reason of the resolution check (Notes, 8), in-memory and binned: `what` was
    found, `kernel` smooths it away, `advice` says what to do."""
    return (f"J may be much larger: {what}. {kernel} smooths such a peak away and with it "
            "its share of J, so the value is probably far too low and the standard error "
            f"is inf. {advice}")


# ------------------------------------------------------------------- axes with edges
class _Axis:
    """A map ``x = g(z)``: :meth:`terms` gives ``(log|g'|)'`` and ``1/g'^2`` on nodes (the
    x-score is ``(s_Z - (log|g'|)') / g'``), :meth:`to_z` the inverse, :meth:`dxdz` g'."""

    def terms(self, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        raise NotImplementedError


class _IdentityAxis(_Axis):
    """``x = z``: J of the z-density itself (for the Fisher-scale bandwidth factor)."""

    def terms(self, z):
        return np.zeros_like(z), np.ones_like(z)


class _LogAxis(_Axis):
    """``x = anchor + sign·exp(cy + S z)``: one support end at `anchor` (sign +1: lower
    end, -1: upper end)."""

    def __init__(self, anchor: float, sign: float, cy: float, S: float):
        self.anchor, self.sign, self.cy, self.S = anchor, sign, cy, S

    def to_y(self, x):
        return np.log(self.sign * (x - self.anchor))

    def terms(self, z):
        return np.full_like(z, self.S), np.exp(-2.0 * (self.cy + self.S * z)) / self.S**2

    def dxdz(self, z):
        return self.S * np.exp(self.cy + self.S * z)


class _LogitAxis(_Axis):
    """``x = low + (high - low)·σ(cy + S z)``: both support ends."""

    def __init__(self, low: float, high: float, cy: float, S: float):
        self.low, self.high, self.cy, self.S = low, high, cy, S

    def to_y(self, x):
        return np.log(x - self.low) - np.log(self.high - x)

    def terms(self, z):
        u = self.cy + self.S * z
        au = np.abs(u)
        # sigma (1 - sigma) = e^-|u| / (1 + e^-|u|)^2
        log_ss = -au - 2.0 * np.log1p(np.exp(-au))
        w = np.exp(-2.0 * log_ss) / ((self.high - self.low) * self.S) ** 2
        return -self.S * np.tanh(0.5 * u), w

    def dxdz(self, z):
        u = self.cy + self.S * z
        au = np.abs(u)
        return (self.high - self.low) * self.S * np.exp(-au - 2.0 * np.log1p(np.exp(-au)))


def _edge_axis(x: np.ndarray, edges: dict):
    """The axis for the ends in `edges` (``"low"``/``"high"`` -> EdgeFit, the high one
    fitted on -x), the sorted transformed samples z and the integration region of the
    KDE part (between the edge windows)."""
    lo, hi = edges.get("low"), edges.get("high")
    make: Callable[[float, float], _Axis]
    if lo is not None and hi is not None:
        low, high = lo.low, -hi.low
        y = np.log(x - low) - np.log(high - x)
        y_lo = math.log(lo.t - low) - math.log(high - lo.t)
        y_hi = math.log(-hi.t - low) - math.log(high + hi.t)
        make = lambda cy, S: _LogitAxis(low, high, cy, S)  # noqa: E731
    elif lo is not None:
        y = np.log(x - lo.low)
        y_lo, y_hi = math.log(lo.t - lo.low), math.inf
        make = lambda cy, S: _LogAxis(lo.low, 1.0, cy, S)  # noqa: E731
    else:
        assert hi is not None
        high = -hi.low
        y = np.log(high - x)[::-1]
        y_lo, y_hi = math.log(hi.t - hi.low), math.inf
        make = lambda cy, S: _LogAxis(high, -1.0, cy, S)  # noqa: E731
    cy = sorted_quantile(y, 0.5)
    S = _SCALE_MULT * robust_scale_sorted(y)
    z = (y - cy) / S
    return make(cy, S), z, ((y_lo - cy) / S, (y_hi - cy) / S)


def _richardson_lin(jj: np.ndarray) -> np.ndarray:
    """``(4 B(h) - B(2h)) / 3``: the h^2 step for a part of J (no Blachman-Stam form)."""
    return (4.0 * jj[..., 0] - jj[..., 1]) / 3.0


def _fisher_edges(x: np.ndarray, edges: dict, rng: np.random.Generator, bandwidth,
                  n_boot: int | None, x_unit: float, x_offset: float = 0.0
                  ) -> tuple[float, float, dict, str | None]:
    """J of sorted samples with modelled support ends: edge windows + KDE between (and
    the resolution check's finding, :func:`_unresolved_peak`)."""
    n = x.size
    axis, z, region = _edge_axis(x, edges)
    auto = isinstance(bandwidth, str)
    rho, n_iter = 1.0, 0
    if auto:
        h = _BW_CONST * n ** (-0.2)
        # Fisher-scale factor on the z axis: sigma_z sqrt(J_z) = 1 for a Gaussian z
        sigma_z = robust_scale_sorted(z)
        ident = _IdentityAxis()
        while True:
            g0 = _FisherGrid(z, 0, h * rho, 0.0, 1.0, axis=ident)
            jz = g0.fisher_terms(g0.counts, 0)[0]
            j_ref = float(_richardson(jz[:1], jz[1:2])[0]) if 4 * jz[1] > jz[0] > 0 else jz[0]
            target = (min(1.0, max(_RHO_MIN, 1.0 / (math.sqrt(j_ref) * sigma_z)))
                      if j_ref > 0 else rho)
            if target >= rho * (1.0 - _RHO_TOL) or n_iter >= _RHO_ITER:
                break
            rho, n_iter = max(target, 0.5 * rho), n_iter + 1
        h = h * rho
    else:
        z_med = float(np.median(z))
        h = check_scalar("bandwidth", bandwidth, positive=True) / abs(
            float(axis.dxdz(np.array(z_med))))
    grid = _FisherGrid(z, 0, h, 0.0, 1.0, axis=axis, region=region)
    bw_x = h * abs(float(axis.dxdz(np.array(float(np.median(z))))))
    _check_ties(x, bw_x, x_unit)
    note = _unresolved_peak(
        x, lambda v: h * np.abs(axis.dxdz((axis.to_y(v) - axis.cy) / axis.S)), bw_x, x_unit,
        x_offset)
    jj = grid.fisher_terms(grid.counts, 0, 2)[0]
    body = float(_richardson_lin(jj))
    var = math.nan
    if n_boot is None:      # the delta method in the bin counts (Notes, 7)
        _, grads, _ = grid.fisher_gradients(2)
        var = grid.delta_sd((4.0 * grads[0] - grads[1]) / 3.0) ** 2
    elif n_boot:
        reps = _richardson_lin(_poisson_boot(grid, n_boot, rng, 2))
        reps = reps[np.isfinite(reps)]
        var = float(np.var(reps, ddof=1)) if reps.size >= 2 else math.nan
    value = body
    for side, fit in edges.items():
        j_w = fit.fisher()
        value += j_w
        if n_boot != 0:
            xs = x if side == "low" else -x[::-1]
            var += j_w**2 * fit.log_fisher_var(xs[:fit.m])
    opts = {
        "bandwidth": bw_x,
        "bandwidth_transformed": h,
        "transform": "logit" if len(edges) == 2 else "log",
        "grid_size": grid.m,
        "fisher_scale_factor": rho,
        "bandwidth_iterations": n_iter,
        "residual_step": False,
        "residual_bias": 0.0,
        "n_boot": n_boot,
        "error": _error_name(n_boot),
    }
    stderr = math.inf if note is not None else math.sqrt(var) if var == var else math.nan
    return value, stderr, opts, note


# ------------------------------------------------------------------- public kernel
def _edge_report(side: str, fit, x_unit: float, x_offset: float) -> str:
    where = "lower" if side == "low" else "upper"
    end = (fit.low if side == "low" else -fit.low) * x_unit + x_offset
    how = "the given" if fit.known else "an estimated"
    return (f"near {how} {where} end x = {end:.4g} the density behaves like "
            f"|x - end|^(a-1) with a = {fit.a:.3g}")


def fisher_kde(x: np.ndarray, *, rng: np.random.Generator, bandwidth="auto",
               n_boot: int | None = None, x_unit: float = 1.0, x_offset: float = 0.0,
               support=None) -> tuple[float, float, dict, str | None]:
    """J of sorted 1-D samples `x`: ``(value, stderr, options used, reason)``.

    `bandwidth` is ``"auto"`` or the kernel standard deviation in units of `x` at the
    median. The standard error is the delta method's in the bin counts (`n_boot` None,
    the default; below 200 samples a 100-replicate bootstrap instead), or a Poisson
    bootstrap of them with `n_boot` replicates (0: ``nan``); the value does not depend on
    it.
    `support` is ``None`` (detect support ends) or ``(low, high)``, each a float (a known
    end), ``±inf`` (no end on that side) or ``None`` (detect), in the units of `x` and
    with the samples strictly inside. `x_unit` and `x_offset` convert lengths and
    locations in messages to the user's units (`x` is standardised). `reason` says why
    the value is infinite or its error unbounded (``None`` otherwise).
    """
    from .edge_model import MIN_SAMPLES_DETECT, fit_edge

    n_boot = error_replicates(n_boot, x.size)
    if isinstance(bandwidth, str):
        if bandwidth != "auto":
            raise ValueError(f"`bandwidth` must be 'auto' or a float > 0; got {bandwidth!r}.")
    else:
        bandwidth = check_scalar("bandwidth", bandwidth, positive=True)
    n = x.size
    # quantised data first: the edge model would read a lattice as ends (the KDE checks
    # again at the bandwidth it settles on)
    _check_ties(x, (_BW_CONST * n ** (-0.2) * _SCALE_MULT * robust_scale_sorted(x))
                if isinstance(bandwidth, str) else float(bandwidth), x_unit)
    ends = (None, None) if support is None else support
    fits = {}
    for side, given in zip(("low", "high"), ends):
        if given is not None and not math.isfinite(given):
            continue                    # told: no end on this side
        if given is None and n < MIN_SAMPLES_DETECT:
            continue
        xs = x if side == "low" else -x[::-1]
        end = None if given is None else (given if side == "low" else -given)
        fits[side] = fit_edge(xs, end)
    edges = {s: f for s, f in fits.items() if f.is_edge}
    infinite = [s for s, f in edges.items() if f.status == "infinite"]
    reason: str | None
    if infinite:
        reason = _infinite_reason(infinite[0], edges[infinite[0]], x_unit, x_offset)
        warn(reason + ".", DegenerateDataWarning)
        opts = {"n_boot": n_boot, "error": "none", **_edge_options(fits, x_unit, x_offset)}
        return math.inf, math.nan, opts, reason
    if edges:
        value, stderr, opts, note = _fisher_edges(x, edges, rng, bandwidth, n_boot, x_unit,
                                                  x_offset)
    else:
        value, stderr, opts, note = _fisher_asinh(x, rng, bandwidth, n_boot, x_unit, x_offset)
    opts.update(_edge_options(fits, x_unit, x_offset))
    reason = note
    if note is not None:
        warn(note + ".", AccuracyWarning)
    unsure = [s for s, f in edges.items() if f.status == "undetermined"]
    if unsure:
        s = unsure[0]
        reason = (f"J may be infinite: {_edge_report(s, edges[s], x_unit, x_offset)}, and "
                  f"these {n} samples cannot tell a > 2 (J finite) from a <= 2 (J = inf); "
                  "the value assumes the fitted a and the standard error is inf. Pass "
                  "support=(low, high) when the support is known (support=(-inf, inf) for "
                  "a law with no end there: a light tail, as the Gumbel's lower one, can "
                  "look like an end), or use more samples")
        warn(reason + ".", AccuracyWarning)
        stderr = math.inf
        if not edges[s].a > 2:
            value = math.inf
    return value, stderr, opts, reason


def _edge_test(fit) -> str:
    """How an infinite end was told: the a = 2 test, or a density diverging there."""
    return ("a < 1 from its extreme order statistics: the density diverges there"
            if fit.diverges else "a <= 2 at the 5% level")


def _infinite_reason(side: str, fit, x_unit: float, x_offset: float) -> str:
    return (f"J = inf: {_edge_report(side, fit, x_unit, x_offset)} ({_edge_test(fit)}); "
            "J is finite only where the density vanishes faster than "
            "|x - end| (a > 2), and a density with a jump at its end, as the uniform "
            "or the exponential law, has a = 1 (for a law known to have no end there, "
            "pass support=(-inf, inf))")


def screen_binned(value: float, stderr: float, low: np.ndarray, high: np.ndarray, n: int,
                  x_unit: float = 1.0, x_offset: float = 0.0
                  ) -> tuple[float, float, str | None]:
    """Support ends for the estimators that keep only binned counts (``binning="once"``
    and dask arrays), which cannot model an end: ``(value, stderr, reason)``.

    `low` holds the smallest sorted samples and `high` the largest, negated and sorted
    (``-x[::-1]``), at least ``window_size(n) + 1`` of each, of `n` standardised samples
    whose binned estimate is ``value ± stderr``. Where the density does not vanish at an
    end, J is infinite: ``(inf, nan, reason)``. Where it vanishes, the binned value smooths
    across the end and is biased: ``(value, inf, reason)``. Each case warns; with no end
    found the estimate comes back unchanged with reason ``None``.
    """
    from .edge_model import MIN_SAMPLES_DETECT, fit_edge, window_size

    if n < MIN_SAMPLES_DETECT:
        return value, stderr, None
    m = window_size(n)
    fits = {side: fit_edge(xs, None, m=m) for side, xs in (("low", low), ("high", high))
            if xs.size > m}
    edges = {s: f for s, f in fits.items() if f.is_edge}
    for side, fit in edges.items():
        if fit.status == "infinite":
            reason = _infinite_reason(side, fit, x_unit, x_offset)
            warn(reason + ".", DegenerateDataWarning)
            return math.inf, math.nan, reason
    if not edges:
        return value, stderr, None
    side, fit = next(iter(edges.items()))
    reason = (f"support end: {_edge_report(side, fit, x_unit, x_offset)}; the binned "
              "estimator (binning='once', and every dask array) smooths across an end, so "
              "the value is biased and its error unbounded (stderr = inf). Estimate J of the "
              "samples in memory with the default binning, which models the end (a random "
              "subsample of 1e6 values is enough)")
    warn(reason + ".", AccuracyWarning)
    return value, math.inf, reason


def _edge_options(fits: dict, x_unit: float, x_offset: float) -> dict:
    """Options recording the support-end analysis (user units)."""
    sup: list[float | None] = [None, None]
    expo: list[float | None] = [None, None]
    test: list[str | None] = [None, None]
    for i, side in enumerate(("low", "high")):
        f = fits.get(side)
        if f is None:
            continue
        if f.is_edge:
            sup[i] = (f.low if side == "low" else -f.low) * x_unit + x_offset
            expo[i] = f.a
            test[i] = f.status
        else:
            test[i] = "no edge"
    return {"support": tuple(sup), "edge_exponent": tuple(expo), "edge_test": tuple(test)}
