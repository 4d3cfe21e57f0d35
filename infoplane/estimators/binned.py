"""1-D entropy and Fisher information from mergeable binned statistics.

The estimators of entropy ``method="binned"`` and of the Fisher-information option
``binning="once"`` of ``method="kde"`` (1-D samples). Out-of-core estimates
(``infoplane.scale``) cannot sort the data or revisit it at will: every chunk is reduced
to counts on grids fixed in advance, the counts of all chunks are summed, and the estimate
is a function of the summed counts only. This module defines those statistics
(``Plan``, ``Counts``) and the estimators on them. The in-memory path runs the
same functions on the whole array as one chunk, so an out-of-core answer equals the
in-memory one up to the order of floating-point summation.

Statistics
----------
The data are standardised exactly as every sample estimate is (``Y = (X - med)/2^e``,
:func:`infoplane._numerics.pow2_standardize`); c = median(Y), σ = IQR(Y)/1.349 and
s = 2σ define the axis ``y = asinh((Y - c)/s)`` of :mod:`.fft_kde_fisher`. Given n, c, σ
and the extremes of Y (all exact order statistics, one first pass out of core), a
``Plan`` fixes two grids on that axis, and each sample is counted on both:

* the *fine Fisher lattice*: linear-binning weights on the nodes k·δ₀, ``|y| ≤ 25``,
  with δ₀ the power of two in (h₀/256, h₀/128], h₀ = 0.4 n^(-1/5) the Fisher bandwidth before the
  Fisher-scale factor (a fixed `bandwidth` h: δ₀ in (h/16, h/8]); at most 2²² nodes;
* the *entropy histogram*: integer counts in the bins [kΔ/8, (k+1)Δ/8), ``|y| ≤ 25``,
  with Δ = 2^round(log₂ n^(-1/4)) the base width, and unit-width bins beyond ``|y| = 25``.

Entropy (``"binned"``)
----------------------
A histogram of X whose bins are the images of the y-bins: ``H_Δ = -Σ p_k log(p_k / w_k) +
(K - 1)/(2n)`` (plug-in with the Miller-Madow correction; K occupied bins; p_k = c_k/n;
the widths w_k = s(sinh b_k - sinh a_k) are computed in the log domain), where the first
and last occupied bins are cut at the sample minimum and maximum (otherwise a density with
a jump at a support end, e.g. a uniform, is biased by O(Δ)). For a smooth density the
discretisation bias is Δ²J_y/24 + O(Δ⁴) (J_y the Fisher information on the y axis) and is
removed by Richardson extrapolation, ``R_Δ = (4 H_Δ - H_2Δ)/3``. On the asinh axis heavy
tails (Cauchy) need no special treatment. Where the density varies on a scale near Δ
(narrow modes, a spike) the Δ² term is not yet the bias, and R_Δ alone is far off (7-9
SEs high for a 3-component mixture at n = 2·10⁵, 0.57 nats for eleven modes of SD 0.1).
So R is computed at Δ, Δ/2, Δ/4 and Δ/8 (the histogram is kept at Δ/8; the finer widths
only in the 2Δ-blocks whose counts give at least 20 per bin, Δ elsewhere) and the
coarsest is used whose value agrees with every finer one within 3 SDs of their
difference (32 Poisson resamples from a fixed internal seed, so the value depends
neither on `rng` nor on `n_boot`; ``options["bin_refinement"]`` is Δ over the width
used). Where even Δ/8 and Δ/4 disagree, an AccuracyWarning says so and their whole
difference is added to the standard error (the residual is not yet in its Δ² regime).
At small n the finer widths are used in few blocks, so structure can go unseen (eleven
modes of SD 0.1 at n = 2000: 0.11 nats high). Standard error: Poisson bootstrap of the
bin counts at the width used. Its error against the closed forms and its coverage:
``docs/scaling.md`` and ``docs/entropy_binned.md``; a lattice (quantised data) coarser
than Δ/16 raises, and no width below 16 lattice steps is used.

Fisher information (``binning="once"``)
---------------------------------------
The estimator of :mod:`.fft_kde_fisher` without support ends (bandwidth rule, Fisher-scale
iteration, diagonal removal, Richardson step, residual-bias pre-test and bias term,
delta-method standard error in the grid counts, or their Poisson bootstrap with
``n_boot``: the same function,
``fft_kde_fisher._estimate_on_grids``) on grids obtained from the fine lattice: for a
bandwidth h the grid step is δ = kδ₀ with k = max(1, floor(h/(8δ₀))), i.e. 8 to 16 nodes
per bandwidth, and the counts are the fine counts re-binned linearly onto every k-th node.
Linear binning onto the fine lattice followed by linear re-binning equals linear binning
onto the coarse grid (both are linear in a point's position between fine nodes and agree
at the nodes), so the data are binned once whatever the number of bandwidth iterations.
The estimate differs from ``binning="per-bandwidth"`` only through the grid (anchored at a
multiple of δ, 8-16 nodes per bandwidth instead of 8): far less than its standard error.
The tie check of the in-memory estimator (on sorted data) is replaced by a lattice check
on the fine counts around the median: a comb of occupied nodes whose period exceeds h/3
raises, and so do spikes on smooth counts (part of the rows rounded: ``_spikes``, a
node pair far above the running median, their median gap the step; ``_partial_comb``, a
periodogram, for steps too fine to show single spikes) with such a period; one or two
spikes holding 1% of the samples, anywhere in the counts, are an atom, which raises too
(a density that diverges at a support end spreads its pile-up over several nodes: none).
The resolution check of :mod:`.fft_kde_fisher` runs on the fine counts
(``_narrow_peaks``: windows of 2^j fine nodes against the counts within ± h); one or two
such peaks are reported as peaks even where the comb checks read a period into them. The
counts
cannot model a support end, so ``support`` is refused; the callers screen the
extreme samples with ``fft_kde_fisher.screen_binned`` instead (J = inf where the density
does not vanish at an end; the binned value with an unbounded error and a warning where
it vanishes there).

References
----------
Miller (1955), in Information Theory in Psychology, 95-100 (the bias correction).
Wand & Jones (1995), Kernel Smoothing, App. D (linear binning).
Beirlant, Dudewicz, Györfi & van der Meulen (1997), Int. J. Math. Stat. Sci. 6, 17-39
(histogram entropy estimators).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._numerics import sorted_quantile
from .._validation import check_int, check_scalar
from ..errors import AccuracyWarning, warn
from . import fft_kde_fisher as _fk

__all__ = ["Plan", "Counts", "plan_from_sorted", "make_plan", "bin_chunk",
           "entropy_from_counts", "fisher_from_counts", "entropy_binned", "fisher_binned",
           "iqr_error", "MIN_SAMPLES", "IQR_FACTOR"]

MIN_SAMPLES = 10
LN2 = math.log(2.0)
#: robust scale σ = IQR / IQR_FACTOR (the numerics' constant)
IQR_FACTOR = 1.3489795003921634
#: fine Fisher nodes per bandwidth h₀ (auto) / per fixed bandwidth; at most _FINE_MAX nodes
_FINE_PER_BW_AUTO = 128
_FINE_PER_BW_FIXED = 8
_FINE_MAX = 1 << 22
#: unit-width entropy bins beyond |y| = 25 (asinh of the largest double is 710.5)
_OUTER = 688
#: entropy: a lattice coarser than Δ / _H_LATTICE raises (Δ the base bin width)
_H_LATTICE = 16.0
#: entropy: the histogram is kept at Δ / _H_FINE; levels Δ/8 ... Δ are compared (Notes)
_H_FINE = 8
#: ... a level is used where its Richardson value agrees with every finer level's within
#: _H_Z SDs of their difference (_H_BOOT Poisson resamples from a fixed internal seed)
_H_Z = 3.0
_H_BOOT = 32
#: ... finer than Δ only in the 2Δ-blocks whose count gives at least this many per bin
_H_MIN_COUNT = 20
_H_SEED = 20261201
#: lattice check: mean count per node needed to look for a comb, occupied fraction below
#: which the counts are a comb, the widest run of occupied blocks a lattice value makes
#: (where most occupied blocks lie in wider runs, they are clumps), and the central
#: window |y| <= _WINDOW
_COMB_MIN_COUNT = 3.0
_COMB_OCCUPIED = 0.5
_COMB_RUN = 3
_WINDOW = 0.25
#: partial lattice (part of the rows rounded): a periodic excess over the smooth counts in
#: |y| <= _PART_WINDOW, its periodogram |F|²/Var above _PART_Z (Poisson null: Exp(1)), for
#: periods up to _PART_LONGEST (u = sinh y units; 0.25 is half a robust SD) and a share of
#: the counts of at least _PART_SHARE (the in-memory checks' LATTICE_TIES)
_PART_WINDOW = 1.0
_PART_Z = 40.0
_PART_LONGEST = 0.25
_PART_SHARE = 0.01
#: spikes (values held by many rows, which linear binning puts on two adjacent fine nodes):
#: a node pair whose count exceeds twice the running median of _SPIKE_SPAN nodes by
#: _SPIKE_Z Poisson SDs and _SPIKE_MIN counts; three or more holding _PART_SHARE of the
#: counts in |y| <= _PART_WINDOW are a lattice (step: their median gap), fewer an atom
#: where one holds ATOM_FRACTION of all samples
_SPIKE_SPAN = 33
_SPIKE_Z = 10.0
_SPIKE_MIN = 5.0
_SPIKE_CONC = 0.8
ATOM_FRACTION = 0.01


# ------------------------------------------------------------------------------- the plan
@dataclass(frozen=True)
class Plan:
    """Everything a chunk needs to be binned: the axis and the two grids.

    Attributes
    ----------
    n : int
        Number of samples (all chunks together).
    center, sigma : float
        Median and IQR/1.349 of the standardised samples; the axis is
        ``y = asinh((Y - center) / (2 sigma))``.
    ymin, ymax : float
        Smallest and largest standardised sample.
    fine_lo, fine_step : float
        First node and step (a power of two) of the fine Fisher lattice.
    fine_m : int
        Its number of nodes.
    hist_lo, hist_step : float
        Left edge (a multiple of ``2 Δ``) and width (Δ / ``_H_FINE``) of the finest
        entropy bins; Δ = 2^round(log₂ n^(-1/4)) is the base width.
    hist_m : int
        Number of finest entropy bins inside |y| <= 25 (a multiple of 2 ``_H_FINE``).
    bandwidth : float or None
        Fixed Fisher bandwidth on the y axis, or None for ``"auto"``.
    """

    n: int
    center: float
    sigma: float
    ymin: float
    ymax: float
    fine_lo: float
    fine_step: float
    fine_m: int
    hist_lo: float
    hist_step: float
    hist_m: int
    bandwidth: float | None = None

    @property
    def scale(self) -> float:
        """The transform scale s = 2σ."""
        return _fk._SCALE_MULT * self.sigma

    def fine_nodes(self) -> np.ndarray:
        """The y of every node of the fine Fisher lattice."""
        return self.fine_lo + self.fine_step * np.arange(self.fine_m)

    def y_range(self) -> tuple[float, float]:
        """The extremes on the y axis, clipped to |y| <= 25."""
        lo = float(np.arcsinh((np.float64(self.ymin) - self.center) / self.scale))
        hi = float(np.arcsinh((np.float64(self.ymax) - self.center) / self.scale))
        return max(lo, -_fk._Y_MAX), min(hi, _fk._Y_MAX)


def iqr_error(n: int) -> ValueError:
    """The error for data whose interquartile range is 0."""
    return ValueError(
        f"more than half of the {n} samples of `x` share one value (interquartile range "
        "0): the binned estimators scale their grids by the IQR. Dequantise the data "
        "(add uniform noise over the quantisation step) first.")


def make_plan(n: int, center: float, sigma: float, ymin: float, ymax: float,
              bandwidth: float | None = None) -> Plan:
    """The grids for `n` samples with median `center`, robust scale `sigma` and extremes
    `ymin`, `ymax` (standardised units); `bandwidth` is a fixed Fisher bandwidth on the
    y axis (None: ``"auto"``)."""
    if not sigma > 0:
        raise iqr_error(n)
    probe = Plan(n, center, sigma, ymin, ymax, 0.0, 1.0, 2, 0.0, 1.0, 2, bandwidth)
    y_lo, y_hi = probe.y_range()
    if bandwidth is None:
        ref = _fk._BW_CONST * n ** (-0.2) / _FINE_PER_BW_AUTO
    else:
        ref = bandwidth / _FINE_PER_BW_FIXED
    step = 2.0 ** math.floor(math.log2(ref))
    while True:
        k_lo, k_hi = math.floor(y_lo / step), math.floor(y_hi / step)
        m = k_hi - k_lo + 2
        if m <= _FINE_MAX:
            break
        step *= 2.0
    base = 2.0 ** round(math.log2(n ** (-0.25)))      # Δ; the histogram is kept at Δ/8
    block = 2.0 * base                                  # the coarsest level, 2Δ
    j_lo, j_hi = math.floor(y_lo / block), math.floor(y_hi / block)
    return Plan(n, float(center), float(sigma), float(ymin), float(ymax), k_lo * step, step,
                int(m), j_lo * block, base / _H_FINE, int(2 * _H_FINE * (j_hi - j_lo + 1)),
                bandwidth)


def plan_from_sorted(xs: np.ndarray, bandwidth: float | None = None) -> Plan:
    """The plan of sorted standardised samples `xs` (the in-memory path)."""
    n = xs.size
    sigma = (sorted_quantile(xs, 0.75) - sorted_quantile(xs, 0.25)) / IQR_FACTOR
    return make_plan(n, sorted_quantile(xs, 0.5), sigma, float(xs[0]), float(xs[-1]),
                     bandwidth)


# ----------------------------------------------------------------------------- the counts
@dataclass
class Counts:
    """The mergeable statistics of a set of samples under one :class:`Plan`.

    Attributes
    ----------
    n : int
        Samples counted.
    fine : ndarray, shape (plan.fine_m,)
        Linear-binning weights on the fine Fisher lattice (samples with |y| <= 25).
    hist : ndarray of int64, shape (plan.hist_m,)
        Entropy histogram inside |y| <= 25.
    below, above : ndarray of int64, shape (688,)
        Unit-width bins of y in [-26 - j, -25 - j) and (25 + j, 26 + j].
    """

    n: int
    fine: np.ndarray
    hist: np.ndarray
    below: np.ndarray
    above: np.ndarray

    @property
    def n_out(self) -> int:
        """Samples beyond |y| = 25 (off the Fisher lattice)."""
        return int(self.below.sum() + self.above.sum())

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.n + other.n, self.fine + other.fine, self.hist + other.hist,
                      self.below + other.below, self.above + other.above)


def bin_chunk(plan: Plan, X: np.ndarray, f: float = 1.0, med: float = 0.0) -> Counts:
    """Count the finite values of `X` (any order, any subset of the samples) under
    `plan`, after standardising them as ``Y = X f - med f`` (default: `X` is already
    standardised). Non-finite values are skipped."""
    from .._kernels.outofcore import _bin_standardised

    X = np.ascontiguousarray(X, dtype=np.float64).ravel()
    fine = np.zeros(plan.fine_m)
    hist = np.zeros(plan.hist_m, np.int64)
    below = np.zeros(_OUTER, np.int64)
    above = np.zeros(_OUTER, np.int64)
    n = _bin_standardised(X, float(f), float(np.float64(med) * np.float64(f)), plan.center,
                          plan.scale, _fk._Y_MAX, fine, plan.fine_lo, plan.fine_step, hist,
                          plan.hist_lo, plan.hist_step, below, above)
    return Counts(int(n), fine, hist, below, above)


# ------------------------------------------------------------------------------- lattices
def _lattice_step(plan: Plan, counts: Counts) -> float | None:
    """The period (y units) of a comb in the fine counts around the median, or None.

    Continuous data occupy every fine node near the median once the mean count per node
    is a few; data on a lattice occupy two nodes per lattice value. The counts are summed
    over power-of-two blocks until the mean count per block in |y| <= 0.25 is >= 3, so
    periods shorter than a few blocks cannot be seen.
    """
    f = counts.fine
    nodes = plan.fine_nodes()
    sel = f[np.abs(nodes) <= _WINDOW]
    if sel.size < 8 or sel.sum() <= 0:
        return None
    block = 1
    while sel.size // block >= 8 and sel[: sel.size // block * block].reshape(
            -1, block).sum(axis=1).mean() < _COMB_MIN_COUNT:
        block *= 2
    b = sel[: sel.size // block * block].reshape(-1, block).sum(axis=1)
    if b.size < 8 or b.mean() < _COMB_MIN_COUNT:
        return None
    occ = b > 1e-9 * b.max()
    if occ.mean() > _COMB_OCCUPIED:
        return None
    # runs of occupied blocks = lattice values (linear binning puts a value on at most two
    # nodes); runs wider than _COMB_RUN blocks are clumps, narrow modes of a smooth law
    # with empty gaps between them, which the kernel resolves: no lattice
    starts = np.flatnonzero(occ & ~np.r_[False, occ[:-1]])
    ends = np.flatnonzero(occ & ~np.r_[occ[1:], False])
    width = ends - starts + 1
    if width[width > _COMB_RUN].sum() >= 0.5 * width.sum():   # most blocks in clumps
        return None
    # their number over the window = the period
    return b.size * block * plan.fine_step / max(starts.size, 1)


def _spikes(plan: Plan, counts: Counts) -> tuple[np.ndarray, np.ndarray]:
    """Positions (u = sinh y) and excess counts of the spikes in the fine counts (see
    :data:`_SPIKE_Z`).

    A spike is a value held by many rows: linear binning puts it on one pair of nodes, so
    the pair holds at least :data:`_SPIKE_CONC` of the excess over the background in the
    ten nodes around it. A peak of the density narrower than the background's window
    but wider than that (a density that diverges at a support end, a very narrow mode)
    spreads its excess over several nodes and is no spike. Beyond the data's ends the
    counts are 0, so a value held by many rows at the sample minimum stands out too.
    """
    from scipy.ndimage import median_filter

    c = counts.fine
    if c.size < _SPIKE_SPAN:
        return np.empty(0), np.empty(0)
    bg = median_filter(c, size=_SPIKE_SPAN, mode="constant", cval=0.0)
    pair = c[:-1] + c[1:]
    base = bg[:-1] + bg[1:]
    excess = pair - base
    hit = (excess > _SPIKE_Z * np.sqrt(base + 1.0)) & (excess >= _SPIKE_MIN)
    idx = np.flatnonzero(hit)
    if idx.size == 0:
        return np.empty(0), np.empty(0)
    # one spike per run of adjacent hits: its largest pair, placed by the pair's weights
    runs = np.split(idx, np.flatnonzero(np.diff(idx) > 1) + 1)
    top = np.array([r[np.argmax(excess[r])] for r in runs])
    over = np.maximum(c - bg, 0.0)
    cs = np.r_[0.0, np.cumsum(over)]
    local = cs[np.minimum(top + 6, c.size)] - cs[np.maximum(top - 4, 0)]
    pair_over = over[top] + over[top + 1]
    top = top[pair_over >= _SPIKE_CONC * local]
    w = c[top + 1] / np.maximum(pair[top], 1e-300)
    pos = np.sinh(plan.fine_lo + plan.fine_step * (top + w))
    return pos, excess[top]


def _spike_lattice(plan: Plan, counts: Counts, hint: str) -> float | None:
    """The step (u units) of a lattice of spikes in the fine counts around the median, or
    None; raises for an atom (fewer spikes, one holding :data:`ATOM_FRACTION` of the
    samples, anywhere in the counts)."""
    pos, excess = _spikes(plan, counts)
    inside = float(counts.fine[np.abs(plan.fine_nodes()) <= _PART_WINDOW].sum())
    near = np.abs(np.arcsinh(pos)) <= _PART_WINDOW
    if np.count_nonzero(near) >= 3 and excess[near].sum() >= _PART_SHARE * inside:
        return float(np.median(np.diff(pos[near])))
    if pos.size and pos.size < 3 and excess.max() >= ATOM_FRACTION * counts.n:
        raise ValueError(
            f"`x` has an atom or a very narrow peak: about {excess.max() / counts.n:.1%} of "
            f"the {counts.n} samples fall on one node of the binned grid, as one value taken "
            "by many rows does (then the law has no density: H = -inf, J = inf), or a peak "
            "of the density narrower than the grid; the binned estimate would measure the "
            "spike. "
            f"{hint} The in-memory estimators tell the two apart (a random subsample "
            "is enough).")
    return None


def _comb_step(plan: Plan, counts: Counts, shortest: float, hint: str) -> float | None:
    """The coarsest step (y units near the median) of a lattice the counts show: full
    (runs of empty nodes), of spikes, or a periodic excess at least `shortest` (part of
    the rows rounded); None where they show none. Raises for an atom."""
    found = [step for step in (_lattice_step(plan, counts), _spike_lattice(plan, counts, hint),
                               _partial_comb(plan, counts, shortest)) if step is not None]
    return max(found) if found else None


def _partial_comb(plan: Plan, counts: Counts, shortest: float) -> float | None:
    """The period (u = sinh y units; y units near the median) of a comb on a smooth
    background in the fine counts, when it is at least `shortest`, or None.

    Part of the rows rounded to a step P put spikes of period P (in x) on the counts of
    the other rows, so every fine node stays occupied and :func:`_lattice_step` sees no
    comb. Here the fine counts in ``|y| <= _PART_WINDOW`` are re-binned linearly onto a
    grid uniform in ``u = sinh(y)`` (on which a lattice in x is periodic) with
    ``shortest / 8`` per cell, their smooth part (a Gaussian of SD :data:`_PART_LONGEST`)
    is subtracted, and the periodogram of the Hann-tapered residual is compared with its
    Poisson variance. The lowest frequency above :data:`_PART_Z` gives the period; it
    is kept where the comb holds :data:`_PART_SHARE` of the counts and keeps its
    harmonics up to ``2π / shortest`` or the fine nodes' resolution (spikes do; the
    narrow modes of a smooth law, which the kernel resolves, do not).
    """
    y = plan.fine_nodes()
    sel = np.abs(y) <= _PART_WINDOW
    if np.count_nonzero(sel) < 16:
        return None
    u = np.sinh(y[sel])
    c = counts.fine[sel]
    lo, hi = float(u[0]), float(u[-1])
    if hi - lo < 4.0 * _PART_LONGEST:                 # room for a few of the longest periods
        return None
    du = max(shortest / 8.0, 0.5 * plan.fine_step, (hi - lo) / (1 << 18))
    m = int((hi - lo) / du) + 2
    pos = (u - lo) / du
    i = np.minimum(pos.astype(np.int64), m - 2)
    frac = pos - i
    b = np.bincount(i, c * (1.0 - frac), m) + np.bincount(i + 1, c * frac, m)
    total0 = float(b.sum())
    if total0 <= 0:
        return None
    sd = _PART_LONGEST / du                            # smoothing SD in cells
    # the Gaussian smoothing by FFT (the counts are 0 beyond both ends: zero padding)
    nfft = 1 << int(math.ceil(math.log2(4 * m + 8 * sd + 16)))
    freq = np.fft.rfftfreq(nfft)
    smooth = np.fft.irfft(np.fft.rfft(b, nfft) * np.exp(-2.0 * (np.pi * freq * sd) ** 2),
                          nfft)[:m]
    w = np.sin(np.pi * np.arange(m) / (m - 1)) ** 2
    r = (b - smooth) * w
    var = float(np.sum(b * w * w))
    total = float(np.sum(b * w))
    if var <= 0 or total < 1.0 / _PART_SHARE:
        return None
    z = np.abs(np.fft.rfft(r, nfft)) ** 2 / var
    omega = 2.0 * np.pi * freq / du                  # angular frequency in 1/u
    band = (omega >= 2.0 * np.pi / _PART_LONGEST) & (omega <= 2.0 * np.pi / shortest)
    hit = np.flatnonzero(band & (z > _PART_Z))
    if hit.size == 0:
        return None
    dw = float(omega[1])
    x = np.arange(m) * du

    def peak(centre: float, half: float) -> tuple[float, float]:
        om = np.linspace(centre - half, centre + half, 65)
        zz = np.array([abs(np.dot(np.exp(-1j * o * x), r)) ** 2 for o in om]) / var
        j = int(np.argmax(zz))
        return float(om[j]), float(zz[j])

    # the fundamental: the peak of the first group of significant frequencies, refined
    end = hit[0]
    while end + 1 < z.size and z[end + 1] > _PART_Z:
        end += 1
    top = hit[0] + int(np.argmax(z[hit[0]:end + 1]))
    w1, z1 = peak(float(omega[top]), dw)
    if math.sqrt(z1 * var) < _PART_SHARE * total:
        return None
    # (the fine nodes resolve periods down to about 8 nodes, 12 along u at |y| = 1)
    k = max(1, round(2 * np.pi / (w1 * max(shortest, 12.0 * plan.fine_step))))
    if k > 1:
        _, zk = peak(k * w1, k * dw / 32 + dw)
        if zk < 0.25 * z1:
            return None
    return float(2 * np.pi / w1)


def _narrow_peaks(plan: Plan, counts: Counts, h: float) -> list:
    """The resolution check of :mod:`.fft_kde_fisher` (``_unresolved_peak``) on the fine
    counts: the peaks narrower than the kernel of bandwidth `h` (y axis), strongest first,
    at most one per ± 2h, as ``(p, node, width, count, ratio)``.

    Windows of 2^j fine nodes, narrower than h/2 (every half-width), are tested against
    the counts within ± h of their centre: a window at least ``_fk._PEAK_RATIO`` times
    denser than its surroundings at a binomial tail probability below
    ``_fk._PEAK_ALPHA`` over the number of windows tested is a peak that the kernel
    smooths away.
    """
    from scipy import special

    c = counts.fine
    d0 = plan.fine_step
    half = int(round(h / d0))
    if c.size < 4 * half or half < 4:
        return []
    cs = np.r_[0.0, np.cumsum(c)]
    widths, width = [], 1
    while width * d0 <= 0.5 * h:
        widths.append(width)
        width *= 2
    starts = [np.arange(half, c.size - half - w, max(1, w // 2)) for w in widths]
    level = _fk._PEAK_ALPHA / max(sum(st.size for st in starts), 1)
    hits = []
    for width, start in zip(widths, starts):
        inside = cs[start + width] - cs[start]
        centre = start + width // 2
        total = cs[np.minimum(centre + half + 1, c.size)] - cs[np.maximum(centre - half, 0)]
        around = total - inside
        share = width / (2.0 * half + 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = inside * (1.0 - share) / (share * around)
        ok = np.flatnonzero((inside >= 5.0) & (ratio >= _fk._PEAK_RATIO))
        if ok.size:
            p = special.betainc(inside[ok], around[ok] + 1.0, share)
            for q, i in zip(p, ok):
                if q < level:
                    hits.append((float(q), float(start[i] + 0.5 * width), width,
                                 float(inside[i]), float(ratio[i])))
    peaks: list = []
    for hit in sorted(hits):
        if all(abs(hit[1] - k[1]) > 2 * half for k in peaks):
            peaks.append(hit)
    return peaks


def _peak_reason(plan: Plan, peak, h: float, x_unit: float, x_offset: float) -> str:
    """The reason for a peak of :func:`_narrow_peaks`, in the user's units."""
    _, node, width, inside, ratio = peak
    d0 = plan.fine_step
    y = plan.fine_lo + d0 * node
    where = (plan.center + plan.scale * math.sinh(y)) * x_unit + x_offset
    span = plan.scale * math.cosh(y) * width * d0 * x_unit
    return _fk.peak_reason(
        f"near x = {where:.6g} about {inside:.0f} samples lie within {span:.3g}, "
        f"{min(ratio, 1e9):.0f} times denser than the samples within ± one bandwidth "
        "around them (a peak narrower than the kernel, or values held by many rows)",
        f"A KDE with one bandwidth ({h * plan.scale * math.cosh(y) * x_unit:.3g} there)",
        "Estimate J of that component on its own (in memory, with a bandwidth at its "
        "scale)")


def _lattice_message(step_x: float, what: str, width_x: float, hint: str) -> str:
    return (f"`x` has heavy ties: its values sit on a lattice of step ~{step_x:.3g}, coarser "
            f"than the {what} {width_x:.3g}; the estimate would measure the lattice. {hint}")


#: remedies for quantised data (the in-memory path has `jitter`)
JITTER_HINT = "Pass jitter='auto' or jitter=<width> to dequantise."


# -------------------------------------------------------------------------------- entropy
def _logcosh(u: np.ndarray) -> np.ndarray:
    u = np.abs(u)
    return u + np.log1p(np.exp(-2.0 * u)) - LN2


def _bins(plan: Plan, level: int):
    """Left/right y-edges and log widths (standardised x units) of all entropy bins at
    the histogram's step times `level` (a power of two up to 2 _H_FINE), ordered along y:
    below, inside, above."""
    d = plan.hist_step * level
    m = plan.hist_m // level
    a = plan.hist_lo + d * np.arange(m)
    j = np.arange(_OUTER, dtype=float)
    left = np.concatenate([-(_fk._Y_MAX + 1.0 + j[::-1]), a, _fk._Y_MAX + j])
    right = np.concatenate([-(_fk._Y_MAX + j[::-1]), a + d, _fk._Y_MAX + 1.0 + j])
    half = 0.5 * (right - left)
    lw = math.log(plan.scale) + LN2 + np.log(np.sinh(half)) + _logcosh(left + half)
    return left, right, lw


def _level_counts(counts_inner: np.ndarray, below: np.ndarray, above: np.ndarray,
                  level: int) -> np.ndarray:
    """Bin counts (last axis) at the histogram's step times `level`, ordered as
    :func:`_bins`."""
    inner = counts_inner
    if level > 1:
        inner = inner.reshape(inner.shape[:-1] + (-1, level)).sum(axis=-1)
    return np.concatenate([below[..., ::-1], inner, above], axis=-1)


def _clip_ends(plan: Plan, left, right, lw, c) -> np.ndarray:
    """Log widths with the first and last occupied bins cut at the sample extremes."""
    lw = lw.copy()
    occ = np.flatnonzero(c)
    if occ.size == 0:
        return lw
    umin = (plan.ymin - plan.center) / plan.scale
    umax = (plan.ymax - plan.center) / plan.scale

    def sinh(t: float) -> float:
        return math.sinh(t) if abs(t) < 710 else math.copysign(math.inf, t)

    with np.errstate(over="ignore"):
        for k in {int(occ[0]), int(occ[-1])}:
            lo, hi = sinh(left[k]), sinh(right[k])
            width = min(hi, umax) - max(lo, umin)
            if math.isfinite(width) and width > 0:
                lw[k] = min(lw[k], math.log(plan.scale) + math.log(width))
    return lw


def _block_terms(plan: Plan, hist, below, above, level: int, lw: np.ndarray, n):
    """Per 2Δ-block sums of the Miller-Madow plug-in terms ``-p log(p/w) + [c > 0]/(2n)``
    at `level` (rows: resamples), and the sum over the outer bins."""
    c = np.atleast_2d(_level_counts(hist, below, above, level)).astype(np.float64)
    n = np.reshape(n, (-1, 1)).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = c / n
        e = np.where(c > 0, -p * (np.log(np.where(c > 0, p, 1.0)) - lw) + 0.5 / n, 0.0)
    m = plan.hist_m // level
    blocks = e[:, _OUTER:_OUTER + m].reshape(c.shape[0], -1, 2 * _H_FINE // level).sum(-1)
    return blocks, e[:, :_OUTER].sum(axis=1) + e[:, _OUTER + m:].sum(axis=1)


def _richardson_levels(plan: Plan, hist: np.ndarray, below: np.ndarray, above: np.ndarray,
                       levels: list[int], stats: dict | None = None,
                       blocks: np.ndarray | None = None) -> tuple[dict, dict]:
    """Richardson values (4 H(L) - H(2L)) / 3 for each level L of `levels` (rows:
    resamples), with the widths L and 2L in the 2Δ-blocks whose count (`blocks`, the
    data's) gives at least _H_MIN_COUNT per bin of width L, and Δ and 2Δ elsewhere (the
    tails, where finer bins would be sparse and the Miller-Madow correction short); and
    the log widths used (cut at the sample extremes on the data's own counts)."""
    stats = {} if stats is None else stats
    if blocks is None:
        blocks = hist.reshape(-1, 2 * _H_FINE).sum(axis=1)
    n = np.atleast_1d(hist.sum(axis=-1) + below.sum(axis=-1) + above.sum(axis=-1))
    terms = {}
    for level in sorted(set(levels) | {2 * L for L in levels} | {_H_FINE, 2 * _H_FINE}):
        if level not in stats:
            left, right, lw = _bins(plan, level)
            c = _level_counts(hist, below, above, level)
            stats[level] = _clip_ends(plan, left, right, lw, c if c.ndim == 1 else c[0])
        terms[level] = _block_terms(plan, hist, below, above, level, stats[level], n)
    base = (4.0 * terms[_H_FINE][0] - terms[2 * _H_FINE][0]) / 3.0
    rest = terms[_H_FINE][1] - 0.5 / n
    out = {}
    for level in levels:
        fine = (4.0 * terms[level][0] - terms[2 * level][0]) / 3.0
        dense = blocks >= _H_MIN_COUNT * 2 * _H_FINE / level
        out[level] = np.where(dense, fine, base).sum(axis=1) + rest
    return out, stats


def _poisson(rng: np.random.Generator, counts: Counts,
             b: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """`b` Poisson resamples of the histogram, below and above counts."""
    return (rng.poisson(np.broadcast_to(counts.hist, (b, counts.hist.size))),
            rng.poisson(np.broadcast_to(counts.below, (b, _OUTER))),
            rng.poisson(np.broadcast_to(counts.above, (b, _OUTER))))


def entropy_from_counts(plan: Plan, counts: Counts, *, rng: np.random.Generator,
                        n_boot: int = 100, x_unit: float = 1.0,
                        hint: str = JITTER_HINT) -> tuple[float, float, dict]:
    """Binned entropy (standardised units) of the merged `counts`:
    ``(value, stderr, options used)``; see the module Notes."""
    n_boot = check_int("n_boot", n_boot, minimum=0)
    base = plan.hist_step * _H_FINE
    step = _comb_step(plan, counts, plan.hist_step / _H_LATTICE, hint)
    if step is not None and step > base / _H_LATTICE:
        raise ValueError(_lattice_message(step * plan.scale * x_unit, "entropy bins' width/16",
                                          base * plan.scale * x_unit / _H_LATTICE, hint))
    # levels from the base width Δ down to Δ/8, none finer than 16 lattice steps
    levels = [L for L in (1, 2, 4, 8)[::-1]
              if step is None or L * plan.hist_step >= _H_LATTICE * step]
    values, stats = _richardson_levels(plan, counts.hist, counts.below, counts.above, levels)
    blocks = counts.hist.reshape(-1, 2 * _H_FINE).sum(axis=1)
    hist, below, above = _poisson(np.random.default_rng(_H_SEED), counts, _H_BOOT)
    reps, _ = _richardson_levels(plan, hist, below, above, levels, stats, blocks)
    chosen = levels[-1]
    for i, L in enumerate(levels):                    # the coarsest level that agrees
        if all(abs(values[L][0] - values[f][0])
               <= _H_Z * np.std(reps[L] - reps[f], ddof=1) for f in levels[i + 1:]):
            chosen = L
            break
    value = float(values[chosen][0])
    stderr = math.nan
    bias = 0.0
    if chosen == levels[-1] and len(levels) > 1:
        # the finest level still moves: the density varies on a finer scale than its bins
        prev = levels[-2]
        diff = float(values[chosen][0] - values[prev][0])
        if abs(diff) > _H_Z * np.std(reps[chosen] - reps[prev], ddof=1):
            bias = abs(diff)
            warn(f"the binned entropy did not settle: with bins of width "
                 f"{chosen * plan.hist_step * plan.scale * x_unit:.3g} it is {diff:+.3g} "
                 f"from its value with bins twice as wide, so the density varies on a finer "
                 f"scale than its finest bins (narrow modes or a spike) and the value may be "
                 f"off by about as much (added to the standard error). The in-memory kNN "
                 f"estimator (method='knn') resolves it; a random subsample is enough.",
                 AccuracyWarning)
    if n_boot:
        parts = []
        batch = max(1, min(n_boot, (1 << 24) // (plan.hist_m + 2 * _OUTER)))
        for start in range(0, n_boot, batch):
            hist, below, above = _poisson(rng, counts, min(batch, n_boot - start))
            r, _ = _richardson_levels(plan, hist, below, above, [chosen], stats, blocks)
            parts.append(r[chosen])
        allr = np.concatenate(parts)
        allr = allr[np.isfinite(allr)]
        if allr.size >= 2:
            stderr = math.hypot(float(np.std(allr, ddof=1)), bias)
    used = {"bin_width_transformed": chosen * plan.hist_step,
            "bin_refinement": _H_FINE // chosen,
            "occupied_bins": int(np.count_nonzero(
                _level_counts(counts.hist, counts.below, counts.above, chosen))),
            "n_boot": n_boot}
    return value, stderr, used


# -------------------------------------------------------------------------------- Fisher
def _coarse_grid(plan: Plan, counts: Counts, h: float):
    """The Fisher grid at bandwidth `h` (y axis): fine counts re-binned onto every k-th
    fine node, k = max(1, floor(h / (8 δ₀))), padded as the in-memory grid is."""
    d0 = plan.fine_step
    k = max(1, int(math.floor(h / (_fk._NODES_PER_BW * d0))))
    pad_room = 2 * int(math.ceil(_fk._TRUNC * 4 * h / d0)) + 4
    while (plan.fine_m + pad_room) // k + 2 > _fk._MAX_GRID:   # pathological ranges
        k *= 2
    f = counts.fine
    if k > 1:
        i = np.arange(plan.fine_m)
        J, r = np.divmod(i, k)
        w = r / k
        m = int(J[-1]) + 2
        f = (np.bincount(J, weights=f * (1.0 - w), minlength=m)
             + np.bincount(J + 1, weights=f * w, minlength=m))
    return _fk._FisherGrid.from_counts(f, plan.fine_lo, k * d0, counts.n_out, h,
                                       plan.center, plan.scale)


def fisher_from_counts(plan: Plan, counts: Counts, *, rng: np.random.Generator,
                       bandwidth="auto", n_boot: int | None = None, x_unit: float = 1.0,
                       x_offset: float = 0.0, hint: str = JITTER_HINT, support=None
                       ) -> tuple[float, float, dict, str | None]:
    """J (standardised units) of the merged `counts` by the FFT-KDE estimator on grids
    aggregated from the fine lattice: ``(value, stderr, options used, reason)``; the
    reason (then stderr is inf) names a peak narrower than the kernel
    (:func:`_narrow_peaks`; `x_unit` and `x_offset` map its place to the user's units).

    `bandwidth` is ``"auto"`` or the kernel standard deviation in standardised units
    (the plan must have been made with the same bandwidth on the y axis). `support` must
    be ``None``: the counts do not hold the extreme samples the support-end model of
    :mod:`.fft_kde_fisher` fits.
    """
    if support is not None:
        raise ValueError("`support` needs the in-memory estimator (an array and "
                         "binning='per-bandwidth'): binned counts keep no extreme samples "
                         "to fit a support end on.")
    n = plan.n
    n_boot = _fk.error_replicates(n_boot, n)
    sigma = plan.sigma
    scale = plan.scale
    auto = isinstance(bandwidth, str)
    if auto:
        if bandwidth != "auto":
            raise ValueError(f"`bandwidth` must be 'auto' or a float > 0; got {bandwidth!r}.")
        h = _fk._BW_CONST * n ** (-0.2)
    else:
        h = check_scalar("bandwidth", bandwidth, positive=True) / scale
    if (plan.bandwidth is None) != auto or (
            not auto and not math.isclose(float(plan.bandwidth or 0.0), h)):
        raise ValueError("the plan's fine lattice was made for another bandwidth")
    # the estimator of fft_kde_fisher (Fisher-scale iteration, Richardson, residual-bias
    # check and bias term, bootstrap), on re-binned counts

    def check_grid(grid) -> str | None:
        peaks = _narrow_peaks(plan, counts, grid.h)
        step = _comb_step(plan, counts, grid.h / 3.0, hint)
        # one or two narrow peaks are no lattice, though the comb checks read the
        # excess of one as periodic: a lattice puts a peak on every value
        if step is not None and step * 3.0 > grid.h and not 1 <= len(peaks) <= 2:
            raise ValueError(_lattice_message(step * scale * x_unit, "kernel bandwidth",
                                              grid.h * scale * x_unit, hint))
        return _peak_reason(plan, peaks[0], grid.h, x_unit, x_offset) if peaks else None

    value, stderr, opts, grid, note = _fk._estimate_on_grids(
        lambda hh: _coarse_grid(plan, counts, hh), h, sigma, auto, n, n_boot, rng, x_unit,
        check_grid)
    opts["grid_step_transformed"] = grid.delta
    opts["binning"] = "once"
    if note is not None:
        warn(note + ".", AccuracyWarning)
    return value, stderr, opts, note


# ------------------------------------------------------------------------ in-memory path
def _checked_plan(xs: np.ndarray, bandwidth: float | None) -> Plan:
    if xs.size < MIN_SAMPLES:
        raise ValueError(f"`x` has {xs.size} samples; the binned estimators need at least "
                         f"{MIN_SAMPLES}.")
    return plan_from_sorted(xs, bandwidth)


def entropy_binned(xs: np.ndarray, *, rng: np.random.Generator, n_boot: int = 100,
                   x_unit: float = 1.0) -> tuple[float, float, dict]:
    """Binned entropy of sorted standardised samples `xs` (one chunk)."""
    plan = _checked_plan(xs, None)
    return entropy_from_counts(plan, bin_chunk(plan, xs), rng=rng, n_boot=n_boot,
                               x_unit=x_unit)


def fisher_binned(xs: np.ndarray, *, rng: np.random.Generator, bandwidth="auto",
                  n_boot: int | None = None, x_unit: float = 1.0, x_offset: float = 0.0
                  ) -> tuple[float, float, dict, str | None]:
    """J of sorted standardised samples `xs` binned once (one chunk), as
    :func:`fisher_from_counts`."""
    bw = None
    if not isinstance(bandwidth, str):
        sigma = (sorted_quantile(xs, 0.75) - sorted_quantile(xs, 0.25)) / IQR_FACTOR
        if not sigma > 0:
            raise iqr_error(xs.size)
        bw = check_scalar("bandwidth", bandwidth, positive=True) / (_fk._SCALE_MULT * sigma)
    plan = _checked_plan(xs, bw)
    return fisher_from_counts(plan, bin_chunk(plan, xs), rng=rng, bandwidth=bandwidth,
                              n_boot=n_boot, x_unit=x_unit, x_offset=x_offset)
