"""Information quantities of :class:`~infoplane.densities.Density` objects.

Three methods, chosen by ``method="auto"`` in this order:

``"closed-form"``
    the density's own closed form (exact; ``stderr = 0``);
``"quadrature"``
    1-D adaptive quadrature (:func:`scipy.integrate.quad`) of ``-f log f`` or ``f s²``
    over the support split at the density's landmarks, tails integrated to ±∞ by quad's
    own variable change (no [min, max] grid); ``stderr`` is quad's error estimate;
``"monte-carlo"``
    averages of ``-log f(X)`` and ``‖s(X)‖²`` over exact samples, with the exact
    log-density and score; ``stderr`` is the standard error of the mean.

Products of independent components and 1-D affine images whose parts have no closed
form are estimated part by part under ``"auto"`` (see :func:`_composite`); the reported
method then joins the parts' methods, e.g. ``"closed-form+quadrature"``.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
from scipy import integrate

from .. import _registry as reg
from .._results import Estimate, MatrixEstimate
from .._validation import check_int, check_options, check_rng, check_scalar
from ..densities._base import Density
from ..errors import AccuracyWarning

__all__ = ["estimate"]


# ---------------------------------------------------------------------- quadrature
def _segments(density: Density) -> list[tuple[float, float]]:
    lo, hi = density.support
    pts = np.asarray(density._breakpoints(), dtype=float)
    pts = np.unique(pts[np.isfinite(pts) & (pts > lo) & (pts < hi)])
    edges = [lo, *pts.tolist(), hi]
    return [(a, b) for a, b in zip(edges[:-1], edges[1:]) if b > a]


def _finite(integrand, a: float, b: float, center: float):
    """Map a half-infinite segment onto [0, 1) with a length scale matched to its start.

    ``x = a + c·u/(1-u)`` (or the mirror image) with ``c = |a - center|``: a tail that
    decays on the scale of its distance from the centre (power laws: Cauchy, t) then
    fills the unit interval instead of hiding near one end, where quad's own mapping
    (c = 1) lets it miss the mass of far tails.
    """
    if math.isfinite(a) and math.isfinite(b):
        return integrand, a, b
    if math.isinf(a) and math.isinf(b):
        return integrand, a, b
    start = a if math.isfinite(a) else b
    sign = 1.0 if math.isfinite(a) else -1.0
    c = max(abs(start - center), 1e-300)

    def g(u):
        if u >= 1.0:
            return 0.0
        v = integrand(start + sign * c * u / (1.0 - u)) * c / (1.0 - u) ** 2
        return v if math.isfinite(v) else 0.0

    return g, 0.0, 1.0


def _quad(density: Density, integrand, rtol: float, quantity: str) -> tuple[float, float]:
    total, err, scale = 0.0, 0.0, 0.0
    segments = _segments(density)
    inner = [x for seg in segments for x in seg if math.isfinite(x)]
    center = float(np.median(inner)) if inner else 0.0
    # central segments first: their size sets the absolute tolerance of the far tails,
    # whose tiny contributions cannot be had to a relative 1e-10 (roundoff)
    segments.sort(key=lambda ab: abs(_mid(ab) - center))
    for a0, b0 in segments:
        f, a, b = _finite(integrand, a0, b0, center)
        eabs = 0.1 * rtol * scale
        with warnings.catch_warnings():
            warnings.simplefilter("error", integrate.IntegrationWarning)
            try:
                val, e = integrate.quad(f, a, b, epsabs=eabs, epsrel=rtol, limit=500)
            except integrate.IntegrationWarning as w:
                warnings.simplefilter("ignore", integrate.IntegrationWarning)
                val, e = integrate.quad(f, a, b, epsabs=eabs, epsrel=rtol, limit=500)
                warnings.warn(
                    f"quadrature of the {quantity} on [{a0:g}, {b0:g}] reported: {w}; "
                    f"error estimate {e:.3g}",
                    AccuracyWarning,
                    stacklevel=4,
                )
        total += val
        err += e
        scale += abs(val)
    return total, err


def _mid(ab) -> float:
    a, b = ab
    if math.isfinite(a) and math.isfinite(b):
        return 0.5 * (a + b)
    return a if math.isfinite(a) else (b if math.isfinite(b) else 0.0)


def _entropy_integrand(density: Density):
    def f(x):
        lp = float(density._logpdf(np.array([[x]]))[0])
        if lp == -np.inf:
            return 0.0
        return -math.exp(lp) * lp

    return f


def _fisher_integrand(density: Density):
    def f(x):
        X = np.array([[x]])
        lp = float(density._logpdf(X)[0])
        if lp == -np.inf:
            return 0.0
        p = math.exp(lp)
        if p == 0.0:
            return 0.0
        s = float(density._score(X)[0, 0])
        return p * s * s

    return f


# --------------------------------------------------------------------- Monte Carlo
def _mc_mean(
    density: Density,
    term,
    *,
    n_samples: int,
    batch_size: int,
    target_rse: float | None,
    rng: np.random.Generator,
    min_samples: int = 1000,
):
    """Running mean of ``term(X)`` over exact samples.

    ``term`` returns an ``(m, k)`` array of per-sample values whose *last* column is the
    quantity the relative-error target refers to. Returns the mean (k,), the squared
    standard error of each column (k,), and the number of samples used.
    """
    n_done = 0
    s1: Any = 0.0
    s2: Any = 0.0
    while n_done < n_samples:
        m = min(batch_size, n_samples - n_done)
        t = np.asarray(term(density._sample(m, rng)), dtype=float).reshape(m, -1)
        s1 = s1 + t.sum(axis=0)
        s2 = s2 + (t * t).sum(axis=0)
        n_done += m
        if target_rse is not None and n_done >= min_samples:
            mean = s1[-1] / n_done
            var = max(s2[-1] / n_done - mean**2, 0.0) / max(n_done - 1, 1)
            if mean != 0 and math.sqrt(var) / abs(mean) <= target_rse:
                break
    mean = s1 / n_done
    var = np.maximum(s2 / n_done - mean**2, 0.0) / max(n_done - 1, 1)
    return mean, var, n_done


def _mc_options(options):
    n_samples = check_int("n_samples", options.pop("n_samples", 200_000), minimum=2)
    batch_size = check_int("batch_size", options.pop("batch_size", 65_536), minimum=1)
    target = options.pop("target_rse", None)
    if target is not None:
        target = check_scalar("target_rse", target, positive=True)
    return n_samples, batch_size, target


# ------------------------------------------------------------------------ composites
def _joined(ests) -> tuple[str, int | None]:
    methods = []
    for e in ests:
        for m in e.method.split("+"):
            if m not in methods:
                methods.append(m)
    ns = [e.n_samples for e in ests if e.n_samples is not None]
    return "+".join(methods), (max(ns) if ns else None)


def _auto_method(part: Density, quantity: str) -> str:
    """The method ``"auto"`` picks for `part` (a non-composite density)."""
    if quantity == "fisher" and part._fisher_infinite() is not None:
        return "closed-form"
    if _closed(part, quantity) is not None:
        return "closed-form"
    return "quadrature" if part.dim == 1 else "monte-carlo"


def _auto_options(part: Density, quantity: str) -> set:
    """Every option the ``"auto"`` estimate of `part` accepts (products: any component's)."""
    from ..densities.product import Product

    q = _QUANTITY[quantity]
    if isinstance(part, Product):
        return set().union(*[_auto_options(c, quantity) for c in part.components])
    return set(reg.lookup(q, "density", _auto_method(part, quantity)).options)


def _composite(density: Density, quantity: str, func: str, rng, options):
    """Estimates of products and affine images whose parts lack closed forms.

    A :class:`~infoplane.densities.Product` adds its components' entropies and Fisher
    informations (each estimated by its own ``"auto"`` method, variances added; each
    component gets the options its method accepts, and an option no component accepts
    is an error); an
    :class:`~infoplane.densities.Affine` image shifts the base entropy by ln|det A| and,
    in 1-D, divides the base Fisher information by a². Returns ``None`` when neither rule
    applies (the caller then integrates or samples the density itself).
    """
    from ..densities.affine import Affine
    from ..densities.product import Product

    rng = check_rng(rng)  # one stream for all parts, so their errors are independent
    d = density.dim

    def fn(part, **opts):
        return estimate(part, quantity, func=func, method="auto", rng=rng, options=opts)

    if isinstance(density, Product):
        check_options(func, options, _auto_options(density, quantity)
                      | set(reg.COMMON_OPTIONS["density"]),
                      f" for {reg.describe(_QUANTITY[quantity], 'density')} of a Product "
                      "(each component takes the options its own method accepts)")
        accepted = [_auto_options(c, quantity) & set(options) for c in density.components]
        parts = [fn(c, **{k: options[k] for k in acc})
                 for c, acc in zip(density.components, accepted)]
        method, n = _joined(parts)
        if quantity == "fisher_matrix":
            from scipy import linalg

            tse = math.sqrt(sum(p.trace.stderr ** 2 for p in parts))
            return MatrixEstimate(
                linalg.block_diag(*[p.value for p in parts]),
                linalg.block_diag(*[p.stderr for p in parts]), method, n, options,
                trace_stderr=tse,
            )
        return Estimate(
            sum(p.value for p in parts), math.sqrt(sum(p.stderr**2 for p in parts)), method,
            n, d, options,
        )
    if isinstance(density, Affine):
        if quantity == "entropy":
            e = fn(density.base, **options)
            return Estimate(e.value + density._logabsdet, e.stderr, e.method, e.n_samples, d,
                            e.options)
        if d == 1:
            e = fn(density.base, **options)
            a2 = float(density.A[0, 0]) ** 2
            if quantity == "fisher":
                return Estimate(e.value / a2, e.stderr / a2, e.method, e.n_samples, d, e.options)
            return MatrixEstimate(e.value / a2, e.stderr / a2, e.method, e.n_samples, e.options,
                                  trace_stderr=e.trace.stderr / a2)
    return None


# ------------------------------------------------------------------------- public
_QUANTITY = {"entropy": "entropy", "fisher": "fisher", "fisher_matrix": "fisher"}


def _closed(density: Density, quantity: str):
    if quantity == "entropy":
        return density._entropy()
    return density._fisher() if quantity == "fisher" else density._fisher_matrix()


def _pick(method: str, density: Density, has_closed: bool, quantity: str) -> str:
    reg.resolve(_QUANTITY[quantity], "density", method)
    if method == "auto":
        if has_closed:
            return "closed-form"
        return "quadrature" if density.dim == 1 else "monte-carlo"
    if method == "closed-form" and not has_closed:
        raise ValueError(f"{density!r} has no closed form; use method='auto'.")
    if method == "quadrature" and density.dim != 1:
        raise ValueError(f"method 'quadrature' needs a 1-D density; got dim={density.dim}.")
    return method


def _infinite(density: Density, quantity: str, reason: str):
    d = density.dim
    if quantity == "fisher":
        return Estimate(math.inf, 0.0, "closed-form", None, d, reason=reason)
    return MatrixEstimate(np.full((d, d), np.inf), np.zeros((d, d)), "closed-form",
                          reason=reason, trace_stderr=0.0)


def estimate(density: Density, quantity: str, *, func: str, method: str = "auto", rng=None,
             options=None):
    """``"entropy"``, ``"fisher"`` or ``"fisher_matrix"`` of a density (module docstring).

    `func` names the public function in error messages; unknown options raise through
    :func:`~infoplane._validation.check_options` with the accepted ones listed.
    """
    options = dict(options or {})
    q = _QUANTITY[quantity]
    d = density.dim
    reason = density._fisher_infinite() if q == "fisher" else None
    closed = None if reason is not None else _closed(density, quantity)
    if reason is None and closed is None and method == "auto":
        est = _composite(density, quantity, func, rng, options)
        if est is not None:
            return est
    m = _pick(method, density, closed is not None or reason is not None, quantity)
    closed_value: Any = closed
    accepted = (_auto_options(density, quantity) if method == "auto" else
                set(reg.lookup(q, "density", m).options)) | set(reg.COMMON_OPTIONS["density"])
    check_options(func, options, accepted,
                  f" for {reg.describe(q, 'density')} by method {m!r}")
    if reason is not None:
        return _infinite(density, quantity, reason)
    if m == "closed-form":
        if quantity == "fisher_matrix":
            return MatrixEstimate(np.asarray(closed_value), np.zeros((d, d)), m,
                                  trace_stderr=0.0)
        # ln J rides along: J itself may leave float64 at extreme scales (then a reason)
        log_value = density._log_fisher() if quantity == "fisher" else None
        return Estimate(float(closed_value), 0.0, m, None, d, log_value=log_value)
    if m == "quadrature":
        rtol = check_scalar("rtol", options.pop("rtol", 1e-10), positive=True)
        if q == "entropy":
            val, err = _quad(density, _entropy_integrand(density), rtol, "entropy")
        else:
            val, err = _quad(density, _fisher_integrand(density), rtol, "Fisher information")
        if quantity == "fisher_matrix":
            return MatrixEstimate(np.array([[val]]), np.array([[err]]), m,
                                  options={"rtol": rtol}, trace_stderr=err)
        return Estimate(val, err, m, None, d, {"rtol": rtol})
    n_samples, batch, target = _mc_options(options)
    used = {"n_samples": n_samples, "target_rse": target}
    if quantity == "entropy":
        def term(X):
            return -density._logpdf(X)
    elif quantity == "fisher":
        def term(X):
            s = density._score(X)
            return np.einsum("ij,ij->i", s, s)
    else:
        batch = min(batch, max(256, 2_000_000 // (d * d + 1)))

        def term(X):
            s = density._score(X)
            outer = np.einsum("ni,nj->nij", s, s).reshape(len(s), d * d)
            return np.column_stack([outer, np.einsum("ni,ni->n", s, s)])
    mean, var, n = _mc_mean(density, term, n_samples=n_samples, batch_size=batch,
                            target_rse=target, rng=check_rng(rng))
    if quantity == "fisher_matrix":
        return MatrixEstimate(mean[:-1].reshape(d, d), np.sqrt(var[:-1]).reshape(d, d), m, n,
                              used, trace_stderr=math.sqrt(var[-1]))
    return Estimate(mean[0], math.sqrt(var[0]), m, n, d, used)
