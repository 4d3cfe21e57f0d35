"""1-D entropy by Ebrahimi's m-spacing estimator, and the influence-function standard error.

``H = mean(log(n (X_(i+m) - X_(i-m)) / (c_i m)))`` with Ebrahimi's boundary weights c_i
(Vasicek's estimator with boundary correction). Works on sorted, standardised samples;
:mod:`infoplane.estimators.samples` validates, standardises and maps back.

The standard error of every 1-D entropy estimator starts from
:func:`influence_stderr`, ``sd(log f̂(X_i))/√n`` with f̂ the √n-spacing density: the error
of an efficient estimator (the influence function of H is ``-log f(x) - H``).

The m-spacing estimator is biased, and at the default m = √n the bias exceeds that error
for heavy-tailed and multimodal laws (Cauchy, scale and location mixtures). The bias grows
with m, and for m of about 10 or more the estimate at m/2 is much less biased, so by
default (``bias_term=True``) the change ``|Ĥ(m) - Ĥ(⌊m/2⌋)|`` is added to the error in
quadrature (factor 1; ``benchmarks/spacing_bias_1d.py`` shows, on its own seeds, how it
compares with the bias at m). The value is unchanged, and the intervals are conservative
for laws whose bias is small (coverage and the ratio of the spread to the error:
``docs/coverage_1d.md``). For small m the change mostly measures the half window's own
O(1/m) bias. Where the half window cannot be used (m = 1, or ties that give zero
(m/2)-spacings) the allowance is left out with an ``AccuracyWarning``.

References
----------
Ebrahimi, Pflughoeft & Soofi (1994), Stat. Probab. Lett. 20, 225-234.
Vasicek (1976), J. R. Stat. Soc. B 38, 54-59.
"""

from __future__ import annotations

import math

import numpy as np

from .._validation import check_int
from ..errors import AccuracyWarning, warn
from ._prepare import tie_error

__all__ = ["entropy_spacing", "influence_stderr", "default_window"]


def default_window(n: int) -> int:
    """m = floor(sqrt(n) + 0.5), scipy.stats.differential_entropy's default."""
    return max(1, int(math.floor(math.sqrt(n) + 0.5)))


def entropy_spacing(x: np.ndarray, *, window_length=None,
                    bias_term=True) -> tuple[float, float, dict]:
    """Ebrahimi m-spacing entropy of sorted samples `x`: ``(value, bias allowance,
    options used)``; the allowance is ``|Ĥ(m) - Ĥ(⌊m/2⌋)|``, 0 without `bias_term` or
    where it cannot be formed (then ``options["bias"]`` is None and a warning says why),
    and goes into the standard error in quadrature."""
    n = x.size
    m = default_window(n) if window_length is None else check_int(
        "window_length", window_length, minimum=1)
    if not m < n / 2:
        raise ValueError(f"`window_length` must be < n/2 = {n / 2}; got {m} (n = {n}).")
    if not isinstance(bias_term, (bool, np.bool_)):
        raise TypeError(f"`bias_term` must be a bool; got {bias_term!r}.")
    value = _mean_terms(x, m)
    used: dict = {"window_length": m, "bias_term": bool(bias_term)}
    if not bias_term:
        return value, 0.0, used
    if m < 2:
        why = "window_length=1 has no half window"
    else:
        try:
            used["bias"] = abs(value - _mean_terms(x, m // 2))
            return value, used["bias"], used
        except ValueError:     # zero (m/2)-spacings: ties
            why = (f"`x` has ties that give zero {m // 2}-spacings (the half window of "
                   f"m = {m}); pass jitter='auto' to dequantise")
    warn(f"the m-spacing bias allowance is left out of the standard error: {why}.",
         AccuracyWarning)
    used["bias"] = None
    return value, 0.0, used


def _mean_terms(x: np.ndarray, m: int) -> float:
    from .._kernels.spacing import _ebrahimi_log_terms

    t = _ebrahimi_log_terms(x, m)
    bad = ~np.isfinite(t)
    if bad.any():
        raise tie_error(f"{m}-spacing", int(bad.sum()), x.size)
    return float(np.mean(t))


def influence_stderr(x: np.ndarray) -> float:
    """``sd(log f̂(X_i))/√n`` with the √n-spacing density f̂ (`x` sorted).

    The standard deviation only needs a sample of the terms: above 10^5 points it is
    taken over an evenly strided subset of the order statistics.
    """
    n = x.size
    m = default_window(n)
    idx = np.arange(0, n, max(1, n // 100_000))
    up = x[np.minimum(idx + m, n - 1)]
    dn = x[np.maximum(idx - m, 0)]
    j = idx + 1.0  # Ebrahimi's boundary weights, as in the spacing kernel
    c = np.where(j <= m, 1.0 + (j - 1.0) / m, np.where(j >= n - m + 1, 1.0 + (n - j) / m, 2.0))
    gap = 0.5 * up - 0.5 * dn          # halves: no overflow for data near ±1.8e308
    if not (gap > 0).all():
        raise tie_error(f"{m}-spacing", int((~(gap > 0)).sum()), n)
    t = np.log(gap) + math.log(2.0 * n / m) - np.log(c)
    return float(np.std(t, ddof=1) / math.sqrt(n))
