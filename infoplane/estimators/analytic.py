"""Information quantities of :class:`~infoplane.densities.Density` objects.

Three methods, chosen by ``method="auto"`` in this order:

``"closed-form"``
    the density's own closed form (exact; ``stderr = 0``);
``"quadrature"``
    1-D globally adaptive Gauss-Kronrod quadrature (21 points, QUADPACK's rule and error
    estimate) of ``-f log f`` or ``f s²`` over the support split at the density's
    landmarks, half-infinite tails mapped onto [0, 1) (no [min, max] grid), vectorised:
    each round of subdivision evaluates the density once, at all new nodes. It stops
    when the summed error estimate is below ``rtol · ∫|integrand|``; ``stderr`` is that
    error estimate;
``"monte-carlo"``
    averages of ``-log f(X)`` and ``‖s(X)‖²`` over exact samples, with the exact
    log-density and score; ``stderr`` is the standard error of the mean.

Products of independent components and 1-D affine images whose parts have no closed
form are estimated part by part under ``"auto"`` (see :func:`_composite`); the reported
method then joins the parts' methods, e.g. ``"closed-form+quadrature"``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import _registry as reg
from .._results import Estimate, MatrixEstimate
from .._validation import check_int, check_options, check_rng, check_scalar
from ..densities._base import Density
from ..errors import AccuracyWarning, warn

__all__ = ["estimate"]


# ---------------------------------------------------------------------- quadrature
# Gauss-Kronrod 21-point rule on [-1, 1] (QUADPACK's qk21, Piessens et al. 1983): the
# Kronrod nodes, their weights, and the weights of the embedded 10-point Gauss rule,
# whose nodes are the odd-numbered Kronrod nodes.
_GK_X = np.array([
    0.995657163025808080735527280689003, 0.973906528517171720077964012084452,
    0.930157491355708226001207180059508, 0.865063366688984510732096688423493,
    0.780817726586416897063717578345042, 0.679409568299024406234327365114874,
    0.562757134668604683339000099272694, 0.433395394129247190799265943165784,
    0.294392862701460198131126603103866, 0.148874338981631210884826001129720, 0.0])
_GK_X = np.concatenate([_GK_X, -_GK_X[-2::-1]])
_GK_WK = np.array([
    0.011694638867371874278064396062192, 0.032558162307964727478818972459390,
    0.054755896574351996031381300244580, 0.075039674810919952767043140916190,
    0.093125454583697605535065465083366, 0.109387158802297641899210590325805,
    0.123491976262065851077958109831074, 0.134709217311473325928054001771707,
    0.142775938577060080797094273138717, 0.147739104901338491374841515972068,
    0.149445554002916905664936468389821])
_GK_WK = np.concatenate([_GK_WK, _GK_WK[-2::-1]])
_GK_WG = np.array([
    0.066671344308688137593568809893332, 0.149451349150580593145776339657697,
    0.219086362515982043995534934228163, 0.269266719309996355091226921569469,
    0.295524224714752870173892994651338])
_GK_WG = np.concatenate([_GK_WG, _GK_WG[::-1]])
_EPS = np.finfo(float).eps
#: subintervals allowed per segment of the support, and rounds of subdivision in all;
#: segments still short of the tolerance then go to QUADPACK's QAGS (extrapolation)
_LIMIT_PER_SEGMENT = 500
_MAX_ROUNDS = 60


def _segments(density: Density) -> list[tuple[float, float]]:
    lo, hi = density.support
    pts = np.asarray(density._breakpoints(), dtype=float)
    pts = np.unique(pts[np.isfinite(pts) & (pts > lo) & (pts < hi)])
    edges = [lo, *pts.tolist(), hi]
    return [(a, b) for a, b in zip(edges[:-1], edges[1:]) if b > a]


class _Pieces:
    """The segments of the support, each as an interval of a variable ``t``.

    A finite segment is integrated in ``x = t``. A half-infinite one starting at ``a``
    is mapped onto ``t ∈ [0, 1)`` by ``x = a ± c·t/(1-t)`` with ``c = |a - center|``: a
    tail that decays on the scale of its distance from the centre (power laws: Cauchy,
    t) then fills the unit interval instead of hiding near one end. A support with no
    finite landmark is split at 0 into two such tails with ``c = 1``.
    """

    def __init__(self, segments: list[tuple[float, float]], center: float):
        rows, self.bounds = [], []
        for a, b in segments:
            if math.isfinite(a) and math.isfinite(b):
                rows.append((a, b, 0.0, 0.0, 0.0))
                self.bounds.append((a, b))
            elif math.isinf(a) and math.isinf(b):
                rows += [(0.0, 1.0, 0.0, -1.0, 1.0), (0.0, 1.0, 0.0, 1.0, 1.0)]
                self.bounds += [(a, 0.0), (0.0, b)]
            else:
                start = a if math.isfinite(a) else b
                c = max(abs(start - center), 1e-300)
                rows.append((0.0, 1.0, start, 1.0 if math.isfinite(a) else -1.0, c))
                self.bounds.append((a, b))
        r = np.array(rows, dtype=float).reshape(-1, 5)
        self.lo, self.hi = r[:, 0], r[:, 1]
        self.start, self.sign, self.c = r[:, 2], r[:, 3], r[:, 4]

    def nodes(self, piece: np.ndarray, t: np.ndarray):
        """``x(t)``, ``dx/dt`` and whether the piece is a mapped tail, for rows `t`
        (m, 21) of the pieces `piece` (m,)."""
        sign, c = self.sign[piece, None], self.c[piece, None]
        tail = sign != 0.0
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            w = np.where(tail, 1.0 - t, 1.0)
            x = np.where(tail, self.start[piece, None] + sign * c * t / w, t)
            jac = np.where(tail, c / (w * w), 1.0)
        return x, jac, tail


def _gk21(integrand, pieces: _Pieces, piece, a, b):
    """The 21-point Kronrod estimate, its error estimate and the integral of |g| on the
    intervals ``[a_i, b_i]`` of the pieces `piece`, with one vectorised evaluation.

    The error estimate is QUADPACK's: ``|K - G|`` scaled by ``(200|K - G|/I_dev)^1.5``
    against the deviation integral, and never below ``50 ε ∫|g|`` (roundoff).
    """
    half = 0.5 * (b - a)
    mid = 0.5 * (a + b)
    t = mid[:, None] + half[:, None] * _GK_X[None, :]
    x, jac, tail = pieces.nodes(piece, t)
    with np.errstate(invalid="ignore", over="ignore"):
        g = integrand(x.ravel()).reshape(x.shape) * jac
    # a tail's map sends t -> 1 to infinity, where the density is 0: 0 * inf is 0 there
    g = np.where(tail & ~np.isfinite(g), 0.0, g)
    resk = g @ _GK_WK
    resg = g[:, 1::2] @ _GK_WG
    resabs = np.abs(g) @ _GK_WK
    resasc = np.abs(g - 0.5 * resk[:, None]) @ _GK_WK
    h = np.abs(half)
    val = resk * half
    err = np.abs((resk - resg) * half)
    resasc = resasc * h
    resabs = resabs * h
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        scaled = resasc * np.minimum(1.0, (200.0 * err / resasc) ** 1.5)
    err = np.where((resasc != 0) & (err != 0), scaled, err)
    err = np.maximum(err, 50.0 * _EPS * resabs)
    return val, err, resabs


def _quad(density: Density, integrand, rtol: float, quantity: str) -> tuple[float, float]:
    """``∫ g`` over the support by globally adaptive, vectorised Gauss-Kronrod (21 points).

    Every segment between the density's landmarks starts as one interval; each round
    bisects the intervals with the largest error estimates (as many as hold all but
    half of the tolerance) and evaluates all new nodes in one call of the integrand,
    until the summed error estimate is below ``rtol · ∫|g|``. Segments that do not get
    there (endpoint singularities, where bisection gains a constant factor per round)
    are handed to QUADPACK's QAGS, whose extrapolation does. Returns the integral and
    the error estimate; warns once (:class:`~infoplane.errors.AccuracyWarning`) when the
    tolerance is not reached.
    """
    segments = _segments(density)
    inner = [x for seg in segments for x in seg if math.isfinite(x)]
    center = float(np.median(inner)) if inner else 0.0
    pieces = _Pieces(segments, center)
    piece, val, err, absv, floor, problem = _bisect(integrand, pieces, rtol,
                                                    _LIMIT_PER_SEGMENT * len(segments))
    n_pieces = pieces.lo.size
    val_p = np.bincount(piece, val, minlength=n_pieces)
    err_p = np.bincount(piece, err, minlength=n_pieces)
    abs_p = np.bincount(piece, absv, minlength=n_pieces)
    if problem is not None and np.isfinite(err_p).all():
        # Bisection gains only a constant factor per round next to an endpoint singularity
        # (f s² ~ x^-0.95 for Gamma(2.05) at 0; |x - m|^-0.6 at a GG(0.7) mode) and stops
        # at the float64 resolution there; QAGS's extrapolation reaches the limit. Pieces
        # whose error is only the roundoff floor of the rule are left alone.
        tol = rtol * float(abs_p.sum())
        above = np.bincount(piece, np.where(floor, 0.0, err), minlength=n_pieces)
        for p in np.flatnonzero(above > 0.5 * tol / n_pieces):
            others = float(abs_p.sum() - abs_p[p])
            val_p[p], err_p[p], w = _qags(integrand, pieces, int(p), rtol,
                                          0.1 * rtol * others)
            if w is not None:
                lo, hi = pieces.bounds[p]
                problem = f"QUADPACK on [{lo:g}, {hi:g}] reported: {w}"
    total, total_err = float(val_p.sum()), float(err_p.sum())
    if not math.isfinite(total):
        problem = "the integrand is not finite at some nodes"
    elif total_err <= rtol * float(abs_p.sum()):
        problem = None
    if problem is not None:
        worst = int(np.argmax(np.where(np.isfinite(err_p), err_p, np.inf)))
        lo, hi = pieces.bounds[worst]
        warn(f"quadrature of the {quantity} did not reach rtol={rtol:g}: {problem}. Error "
             f"estimate {total_err:.3g}, largest on [{lo:g}, {hi:g}] (the integral may "
             "diverge or the integrand be singular there).", AccuracyWarning)
    return total, total_err


def _bisect(integrand, pieces: _Pieces, rtol: float, limit: int):
    """The vectorised rounds of :func:`_quad`. Returns the intervals' pieces, values,
    error estimates, ∫|g| estimates, whether each error is only the roundoff floor, and
    why the rounds stopped short of the tolerance (``None`` when they did not)."""
    a, b = pieces.lo.copy(), pieces.hi.copy()
    piece = np.arange(a.size)
    val, err, absv = _gk21(integrand, pieces, piece, a, b)
    problem = f"{_MAX_ROUNDS} rounds of bisection were not enough"
    for _ in range(_MAX_ROUNDS):
        floor = err <= 50.0 * _EPS * absv * (1.0 + 1e-9)
        total_err = float(err.sum())
        tol = rtol * float(absv.sum())
        if not total_err > tol:        # converged (nan: reported by the caller)
            return piece, val, err, absv, floor, None
        if float(err[floor].sum()) > 0.5 * tol:
            return piece, val, err, absv, floor, (
                "it is below the rounding error of the rule (about 50 ε ∫|integrand|)")
        cand = np.flatnonzero(~floor)
        order = cand[np.argsort(err[cand])[::-1]]
        n_split = int(np.searchsorted(np.cumsum(err[order]), total_err - 0.5 * tol)) + 1
        sel = order[:n_split]
        m = 0.5 * (a[sel] + b[sel])
        splittable = (m > a[sel]) & (m < b[sel])
        sel, m = sel[splittable], m[splittable]
        if sel.size == 0:
            problem = "the worst subintervals reached the float64 resolution"
            break
        if a.size + sel.size > limit:
            problem = f"the limit of {limit} subintervals was reached"
            break
        na = np.concatenate([a[sel], m])
        nb = np.concatenate([m, b[sel]])
        npiece = np.concatenate([piece[sel], piece[sel]])
        v2, e2, a2 = _gk21(integrand, pieces, npiece, na, nb)
        keep = np.ones(a.size, dtype=bool)
        keep[sel] = False
        a, b = np.concatenate([a[keep], na]), np.concatenate([b[keep], nb])
        piece = np.concatenate([piece[keep], npiece])
        val, err = np.concatenate([val[keep], v2]), np.concatenate([err[keep], e2])
        absv = np.concatenate([absv[keep], a2])
    floor = err <= 50.0 * _EPS * absv * (1.0 + 1e-9)
    return piece, val, err, absv, floor, problem


def _qags(integrand, pieces: _Pieces, p: int, rtol: float, epsabs: float):
    """One piece by :func:`scipy.integrate.quad` (QAGS), point by point: ``(value,
    error estimate, warning or None)``."""
    import warnings

    from scipy import integrate

    def g(t):
        x, jac, tail = pieces.nodes(np.array([p]), np.array([[t]]))
        with np.errstate(invalid="ignore", over="ignore"):
            v = float(integrand(x[0])[0] * jac[0, 0])
        return v if (math.isfinite(v) or not tail[0, 0]) else 0.0

    lo, hi = float(pieces.lo[p]), float(pieces.hi[p])
    with warnings.catch_warnings():
        warnings.simplefilter("error", integrate.IntegrationWarning)
        try:
            val, err = integrate.quad(g, lo, hi, epsabs=epsabs, epsrel=rtol, limit=500)
            caught = None
        except integrate.IntegrationWarning as w:
            warnings.simplefilter("ignore", integrate.IntegrationWarning)
            val, err = integrate.quad(g, lo, hi, epsabs=epsabs, epsrel=rtol, limit=500)
            caught = " ".join(str(w).split())
    return val, err, caught


def _entropy_integrand(density: Density):
    def f(x):
        lp = density._logpdf(x[:, None])
        out = np.zeros(lp.shape)
        ok = lp != -np.inf
        out[ok] = -np.exp(lp[ok]) * lp[ok]
        return out

    return f


def _fisher_integrand(density: Density):
    def f(x):
        lp, s = density._logpdf_score(x[:, None])
        p = np.exp(lp)
        out = np.zeros(lp.shape)
        ok = p > 0.0
        out[ok] = p[ok] * s[ok, 0] * s[ok, 0]
        return out

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
        with density._evaluation():
            if q == "entropy":
                val, err = _quad(density, _entropy_integrand(density), rtol, "entropy")
            else:
                val, err = _quad(density, _fisher_integrand(density), rtol,
                                 "Fisher information")
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
    with density._evaluation():
        mean, var, n = _mc_mean(density, term, n_samples=n_samples, batch_size=batch,
                                target_rse=target, rng=check_rng(rng))
    if quantity == "fisher_matrix":
        return MatrixEstimate(mean[:-1].reshape(d, d), np.sqrt(var[:-1]).reshape(d, d), m, n,
                              used, trace_stderr=math.sqrt(var[-1]))
    return Estimate(mean[0], math.sqrt(var[0]), m, n, d, used)
