"""Public estimation functions: validate -> dispatch -> result.

Every function takes one of
- an infoplane :class:`~infoplane.densities.Density` (closed form, quadrature, Monte Carlo);
- a frozen univariate continuous :mod:`scipy.stats` distribution (converted exactly when
  infoplane knows the family, otherwise wrapped numerically);
- samples: an array of shape ``(n_samples,)`` or ``(n_samples, n_dims)``.
"""

from __future__ import annotations

import sys
from typing import Any, Mapping

import numpy as np

from . import _registry as reg
from ._results import Estimate, FSPoint, MatrixEstimate, entropy_power_from_entropy
from ._validation import check_options, check_rng
from .densities._base import Density
from .estimators import analytic

__all__ = ["fisher", "fisher_matrix", "entropy", "entropy_power", "fs_point", "as_density"]


def _is_scipy_frozen(obj) -> bool:
    # discrete frozen objects have logpmf instead of logpdf: from_scipy rejects them with
    # a pointed TypeError, as it does scipy's multivariate frozen objects
    has_log = hasattr(obj, "logpdf") or hasattr(obj, "logpmf")
    if hasattr(obj, "dist") and has_log and hasattr(obj, "args"):
        return True
    return (type(obj).__module__ or "").startswith("scipy.stats") and has_log


def as_density(obj: Any) -> Density | None:
    """Return `obj` as an infoplane density, or ``None`` when it should be treated as samples.

    Parameters
    ----------
    obj : Density, frozen scipy.stats distribution, or array_like
        A density is returned as is; a frozen scipy distribution is converted with
        :func:`infoplane.from_scipy`; anything else is taken for samples.

    Returns
    -------
    Density or None

    Raises
    ------
    TypeError
        For objects that are neither densities, frozen scipy distributions nor array-like
        (strings, dicts, None, torch distributions).

    Examples
    --------
    >>> import infoplane as ip
    >>> from scipy import stats
    >>> ip.as_density(stats.norm(0, 2))
    Gaussian(...)
    >>> ip.as_density([1.0, 2.0]) is None
    True
    """
    if isinstance(obj, Density):
        return obj
    if _is_scipy_frozen(obj):
        from .densities.scipy_adapter import from_scipy

        return from_scipy(obj)
    mod = type(obj).__module__ or ""
    if mod.startswith("torch.distributions"):
        raise TypeError(
            "torch distributions are handled by `infoplane.vae` "
            "(e.g. infoplane.vae.distribution_fs); got " + type(obj).__name__ + "."
        )
    if isinstance(obj, (str, bytes, dict)) or obj is None:
        raise TypeError(
            "`obj` must be a Density, a frozen scipy.stats distribution or an array of "
            f"samples; got {type(obj).__name__}."
        )
    return None


def _samples():
    from .estimators import samples

    return samples


def _lazy_array(obj: Any):
    """The dask array behind `obj` (a ``dask.array.Array`` or a dask-backed xarray
    object), else None. Never imports dask: a dask array exists only once dask is."""
    mod = type(obj).__module__ or ""
    if mod.startswith("xarray"):
        obj = getattr(obj, "data", None)
        mod = type(obj).__module__ or ""
    if not mod.startswith("dask"):
        return None
    da = sys.modules.get("dask.array")
    return obj if da is not None and isinstance(obj, da.Array) else None


def _out_of_core():
    from .scale import dask1d

    return dask1d


_OPTIONS_DOC = """
    **options
        Options of the method used (an unknown option is an error that lists the
        accepted ones). For densities:

        - ``"quadrature"``: ``rtol`` (relative tolerance, default 1e-10);
        - ``"monte-carlo"``: ``n_samples`` (budget, default 200 000), ``batch_size``
          (default 65 536), ``target_rse`` (stop at this relative standard error).

        For samples, all methods take ``nan_policy`` (``"raise"``, default, or
        ``"omit"`` to drop rows with NaN/inf; masked values of a masked array are always
        dropped) and ``jitter`` where listed: ``None`` (ties that would make the estimate
        infinite raise), ``"auto"`` or a width in units of x — uniform noise of that width
        (``"auto"``: per coordinate, the lattice step of a coordinate with ties, i.e. the
        step of the values that repeat or else the median gap between its distinct values,
        else the smallest gap; where the step varies along a coordinate, as with rounding
        to significant digits, each value's own step, ``options["jitter"]`` then giving
        their median) is added to every coordinate to dequantise tied data; a given width
        below half a lattice step warns.
"""

_FISHER_OPTIONS_DOC = _OPTIONS_DOC + """
        Fisher information of 1-D samples, ``"kde"`` (binned FFT KDE; see
        :mod:`infoplane.estimators.fft_kde_fisher`): ``bandwidth`` (``"auto"`` or the
        kernel standard deviation in units of x), ``n_boot`` (``None``, default: the
        standard error by the delta method in the bin counts, below 200 samples by a
        100-replicate bootstrap; an int: a Poisson bootstrap of the counts with that many
        replicates, which overstates the error; 0 skips it; ``options["error"]`` says
        which ran), ``support`` (``None``, default: detect
        ends of the support from the samples; or ``(low, high)`` in units of x, each end
        a number where the support is known to end, ``±inf`` for no end on that side,
        or ``None`` to detect it; the samples must lie strictly inside), ``binning``
        (``"per-bandwidth"``, default for arrays: the data are binned at every bandwidth;
        ``"once"``: binned once on a fine fixed grid and aggregated, see
        :mod:`infoplane.estimators.binned`; what dask arrays use; it does not model
        support ends and does not take ``support``), ``jitter``.
        Near an end the density is modelled as ``|x - end|^(a-1) e^(c x)``: J is finite
        only for ``a > 2``, and ``inf`` with a ``reason`` is returned when the samples
        show ``a <= 2`` (a density with a jump at its end, as the uniform law, has
        ``a = 1``); when they cannot tell, the standard error is ``inf`` with a
        ``reason`` (see :mod:`infoplane.estimators.edge_model`).

        Fisher information of d-D samples, ``"kde"`` (Hyvärinen identity on a
        leave-one-out KDE; see :mod:`infoplane.estimators.kde_score_fisher`):
        ``bandwidth_factor`` (``"auto"``: score-matching search; or ``h``, the kernel
        covariance being ``h²`` times the scatter of x, or of the mapped data where the
        radial or the skew map runs), ``correction`` (``"gaussian"``,
        default: deconvolve the kernel, remove the leave-one-out noise bias and
        extrapolate in h; ``"none"``), ``max_queries`` (query points, default 2000),
        ``cv_queries`` (points of the bandwidth search, default 2000 for d ≤ 3, 1000
        above), ``bias_term`` (add the bias allowance to the error, default True),
        ``tails`` (``"auto"``:
        Gaussianise t-like radial tails before the KDE; ``"none"``), ``skew``
        (``"auto"``: map measurably skewed data without the short tails of separated
        modes towards a Gaussian before the KDE, by a rotation to their most skewed
        directions and a sinh-arcsinh map of each, ``options["skew_map"]``; ``"none"``),
        ``jitter``. The
        result depends on the data only: the query subset and the search use fixed
        internal seeds (and `rng` only the noise of ``jitter``). A column whose values sit
        on a lattice that the chosen kernel resolves (data rounded to a step coarser than
        about 1.5 bandwidths) raises: pass ``jitter``. A column whose density does not
        vanish at an end of its range (the 1-D edge test of each column: a uniform or an
        exponential column) gives ``inf`` with a ``reason``; ends where the density
        vanishes (Gamma or Beta columns) are not modelled in d-D: the kernel smooths
        across them and J comes out biased, without a warning that names the end.
"""

_ENTROPY_OPTIONS_DOC = _OPTIONS_DOC + """
        Entropy of 1-D samples: ``"knn"`` (Kozachenko-Leonenko; default) takes
        ``n_neighbors`` (k, default round(0.75 n^(1/3)) in [2, 16]) and ``jitter``;
        ``"spacing"`` (Ebrahimi) takes ``window_length`` (m, default
        floor(sqrt(n) + 0.5)), ``bias_term`` (add ``|H(m) - H(m/2)|`` to the error,
        default True) and ``jitter``; ``"binned"`` (a histogram on the asinh
        axis with Miller-Madow and Richardson corrections, whose counts merge across
        chunks; see :mod:`infoplane.estimators.binned`) takes ``n_boot`` (bootstrap
        replicates of the standard error, default 100) and ``jitter``.

        Entropy of d-D samples, ``"knn"`` (whitened, weighted; see
        :mod:`infoplane.estimators.knn_entropy`): ``n_neighbors`` (k), ``weights``
        (``"auto"``, ``"bsy"``: Berrett-Samworth-Yuan, ``"none"``), ``whiten`` (default
        True), ``max_queries`` (average over a random subset of query points; the extra
        variance is in the error; default ``"auto"``: every point below d = 8, from d = 8 on
        20 000 points drawn from a fixed seed when n > 40 000; ``"all"``; or an integer, the
        subset then drawn from `rng`), ``bias_term`` (add twice the largest change of the
        estimate when k moves by one to the error, and from d = 8 on, with the default k and
        whitening, up to d = 12, at least the estimator's bias on a Gaussian of the same n
        and d, ``options["gauss_bias"]``; default True), ``tails`` (``"auto"``: from d = 8
        on, when the whitened data have t-like radial tails and no measurable asymmetry, map
        them to a near-Gaussian by the radial map of the d-D Fisher and subtract the map's
        mean log-Jacobian, ``options["tail_df"]`` = the fitted ν; ``"none"``), ``skew``
        (``"auto"``: from d = 8 on, with whitening, when the whitened data are measurably
        skewed without the short tails of separated modes, map them by the skew map of the
        d-D Fisher and subtract its mean log-Jacobian, ``options["skew_map"]``;
        ``"none"``), ``jitter``.
        Duplicated rows, and a column whose values sit on a lattice coarser than about
        twice the typical offset to a second nearest neighbour along one coordinate,
        raise: pass ``jitter``.
"""

_METHOD_DOC = """
    method : str
        ``"auto"`` (default) or a name of the method's closed set. Densities:
        ``"closed-form"``, ``"quadrature"`` (1-D), ``"monte-carlo"``; ``"auto"`` takes
        the closed form, else quadrature in 1-D, else Monte Carlo with the exact score.
        Samples: see the options below; the result's ``method`` says what ran."""


_LAZY_DOC = """ A 1-D ``dask.array.Array`` (or dask-backed
        ``xarray.DataArray``) is estimated out of core and never materialised: exact
        quantiles and merged binned counts in a few passes on the active dask scheduler
        (entropy ``"binned"``, Fisher information ``"kde"`` with ``binning="once"``;
        ``jitter`` is not available). It equals the in-memory estimate with those
        options to rounding; see :mod:`infoplane.scale.dask1d`."""


def _doc(f):
    f.__doc__ = (f.__doc__.replace("{method}", _METHOD_DOC).replace("{lazy}", _LAZY_DOC)
                 .replace("{fisher_options}", _FISHER_OPTIONS_DOC.rstrip("\n"))
                 .replace("{entropy_options}", _ENTROPY_OPTIONS_DOC.rstrip("\n")))
    return f


@_doc
def fisher(obj: Any, /, *, method: str = "auto", rng: Any = None, **options: Any) -> Estimate:
    """Fisher information J = E‖∇ₓ log f(X)‖² (trace of the location Fisher matrix).

    Parameters
    ----------
    obj : Density, frozen scipy.stats distribution, or array_like
        What to measure. Arrays are samples of shape ``(n_samples,)`` or
        ``(n_samples, n_dims)``.{lazy}{method}
    rng : None, int or numpy.random.Generator
        Randomness for Monte Carlo, resampling and `jitter`.{fisher_options}

    Returns
    -------
    Estimate
        ``value = inf`` with a ``reason`` when J is infinite (a density with a jump,
        degenerate data); ``stderr = inf`` with a ``reason`` when the samples cannot
        pin J down (1-D: an end where J may be infinite, a peak narrower than the
        kernel).

    See Also
    --------
    fisher_matrix, fs_point

    Examples
    --------
    >>> import infoplane as ip
    >>> ip.fisher(ip.Gaussian(0.0, 2.0))
    Estimate(value=0.5, stderr=0, method='closed-form')
    """
    lazy = _lazy_array(obj)
    if lazy is not None:
        return _out_of_core().fisher(lazy, method=method, rng=rng, **options)
    d = as_density(obj)
    if d is not None:
        return analytic.estimate(d, "fisher", func="fisher", method=method, rng=rng,
                                 options=options)
    return _samples().fisher_samples(obj, method=method, rng=rng, **options)


@_doc
def fisher_matrix(obj: Any, /, *, method: str = "auto", rng: Any = None,
                  **options: Any) -> MatrixEstimate:
    """Full Fisher information matrix E[∇ log f ∇ log fᵀ] with elementwise standard errors.

    Parameters
    ----------
    obj : Density, frozen scipy.stats distribution, or array_like
        What to measure; arrays are samples of shape ``(n_samples,)`` or
        ``(n_samples, n_dims)``.{lazy}{method}
    rng : None, int or numpy.random.Generator
        Randomness for Monte Carlo, resampling and `jitter`.{fisher_options}

    Returns
    -------
    MatrixEstimate
        ``.trace`` is the :func:`fisher` estimate with its own standard error.

    Examples
    --------
    >>> import numpy as np, infoplane as ip
    >>> ip.fisher_matrix(ip.Gaussian([0, 0], [1.0, 4.0])).value
    array([[1.  , 0.  ],
           [0.  , 0.25]])
    """
    lazy = _lazy_array(obj)
    if lazy is not None:
        return _out_of_core().fisher_matrix(lazy, method=method, rng=rng, **options)
    d = as_density(obj)
    if d is not None:
        return analytic.estimate(d, "fisher_matrix", func="fisher_matrix", method=method,
                                 rng=rng, options=options)
    return _samples().fisher_matrix_samples(obj, method=method, rng=rng, **options)


@_doc
def entropy(obj: Any, /, *, method: str = "auto", rng: Any = None, **options: Any) -> Estimate:
    """Differential entropy H = -E log f(X) in nats.

    Parameters
    ----------
    obj : Density, frozen scipy.stats distribution, or array_like
        What to measure; arrays are samples of shape ``(n_samples,)`` or
        ``(n_samples, n_dims)``.{lazy}{method}
    rng : None, int or numpy.random.Generator
        Randomness for Monte Carlo, query subsets and `jitter`.{entropy_options}

    Returns
    -------
    Estimate
        ``value = -inf`` with a ``reason`` for degenerate data.

    Examples
    --------
    >>> import numpy as np, infoplane as ip
    >>> h = ip.entropy(ip.Gaussian(0.0, 1.0)).value
    >>> bool(np.isclose(h, 0.5 * np.log(2 * np.pi * np.e)))
    True
    """
    lazy = _lazy_array(obj)
    if lazy is not None:
        return _out_of_core().entropy(lazy, method=method, rng=rng, **options)
    d = as_density(obj)
    if d is not None:
        return analytic.estimate(d, "entropy", func="entropy", method=method, rng=rng,
                                 options=options)
    return _samples().entropy_samples(obj, method=method, rng=rng, **options)


@_doc
def entropy_power(obj: Any, /, *, method: str = "auto", rng: Any = None,
                  **options: Any) -> Estimate:
    """Entropy power N = exp(2H/d) / (2πe) (the variance of a Gaussian with entropy H).

    Parameters
    ----------
    obj : Density, frozen scipy.stats distribution, or array_like
        What to measure (as for :func:`entropy`; dask arrays included).{method}
    rng : None, int or numpy.random.Generator
        Randomness for Monte Carlo, query subsets and `jitter`.
    **options
        The options of :func:`entropy`.

    Returns
    -------
    Estimate
        With the delta-method standard error ``2N/d · se(H)``.

    Examples
    --------
    >>> import infoplane as ip
    >>> ip.entropy_power(ip.Gaussian(0.0, 3.0)).value
    3.0...
    """
    h = entropy(obj, method=method, rng=rng, **options)
    return entropy_power_from_entropy(h, h.n_dims)


def _route(options: Mapping[str, Any], accepted: dict[str, set], common: tuple,
           names: dict[str, str], kind: str) -> dict[str, dict]:
    """Send each shared option to the quantities whose method accepts it."""
    out: dict[str, dict] = {q: {} for q in accepted}
    everything = set(common).union(*accepted.values())
    what = (f" (entropy by {names['entropy']!r} accepts "
            f"{', '.join(sorted(accepted['entropy'])) or 'none'}; Fisher information by "
            f"{names['fisher']!r} accepts {', '.join(sorted(accepted['fisher'])) or 'none'})")
    check_options("fs_point", options, everything, f" for {reg.INPUT_WORDS[kind]}{what}")
    for k, v in options.items():
        for q, acc in accepted.items():
            if k in acc:
                out[q][k] = v
    return out


def _side_methods(method, entropy_method, fisher_method, kind):
    """Methods of the two halves; a shared `method` must exist for both."""
    out = {}
    for q, own in (("entropy", entropy_method), ("fisher", fisher_method)):
        m = method if own is None else own
        if own is None and method not in reg.method_names(q, kind):
            other = "fisher" if q == "entropy" else "entropy"
            if method in reg.method_names(other, kind):
                raise ValueError(
                    f"fs_point(method={method!r}): {method!r} is a method for "
                    f"{reg.describe(other, kind)} only; `method` applies to both halves. "
                    f"Pass {other}_method={method!r} instead (methods for "
                    f"{reg.describe(q, kind)}: "
                    f"{', '.join(map(repr, reg.method_names(q, kind)))}).")
        out[q] = m
    return out


def fs_point(
    obj: Any,
    /,
    *,
    method: str = "auto",
    entropy_method: str | None = None,
    fisher_method: str | None = None,
    rng: Any = None,
    entropy_options: Mapping[str, Any] | None = None,
    fisher_options: Mapping[str, Any] | None = None,
    **options: Any,
) -> FSPoint:
    """The Fisher-Shannon plane point (N, J) with the Stam product N·J/d.

    Parameters
    ----------
    obj : Density, frozen scipy.stats distribution, or array_like
        What to measure (as for :func:`fisher`; a 1-D dask array is estimated out of
        core from one set of passes shared by both halves).
    method : str
        Method for both quantities (``"auto"``, or a name valid for both, e.g.
        ``"monte-carlo"`` for a density) unless `entropy_method` / `fisher_method` set
        one half; a name that exists for one half only is an error that says which.
    entropy_method, fisher_method : str, optional
        The method of one half (see :func:`entropy` and :func:`fisher`).
    rng : None, int or numpy.random.Generator
        One generator shared by both halves.
    entropy_options, fisher_options : dict, optional
        Options for one half only (see :func:`entropy` and :func:`fisher`).
    **options
        Options for both halves: each goes to every half whose method accepts it (for
        samples ``nan_policy`` and ``jitter`` go to both, ``support`` (1-D samples:
        ``(low, high)`` in units of x, see :func:`fisher`) to the Fisher half); an
        option neither accepts is an error that lists what each half accepts.

    Returns
    -------
    FSPoint
        For samples, both halves share one validation, standardisation and sort, and
        N·J/d is formed in standardised units, so it stays exact where N or J alone
        leave the float64 range. From 10⁵ 1-D samples on, where the process may use two
        CPUs, the sort is split between two threads (up to 2²⁷ samples, where the two
        halves and the merge start to cost a GiB more memory than one sort) and the
        entropy half runs beside the
        Fisher half (at most one helper thread at a time, ended with the call; the same
        random draws and bits as in series; held to one CPU, nothing runs in a thread).

    Examples
    --------
    >>> import infoplane as ip
    >>> p = ip.fs_point(ip.Gaussian([0.0, 0.0], [1.0, 4.0]))
    >>> round(p.product.value, 6)   # AM-GM: sqrt(1*4) * (1 + 1/4) / 2
    1.25
    >>> p = ip.fs_point(ip.Laplace(0.0, 1.0))
    >>> round(p.product.value, 6)   # 2e/π: the Laplace law sits 1.73x above the bound
    1.730512
    """
    lazy = _lazy_array(obj)
    dens = None if lazy is not None else as_density(obj)
    eo, fo = dict(entropy_options or {}), dict(fisher_options or {})
    for arg, half in (("entropy_options", eo), ("fisher_options", fo)):
        shared = [k for k in ("rng", "nan_policy") if k in half]
        if shared:
            raise TypeError(
                f"fs_point() got {shared[0]!r} in `{arg}`; it is shared by both halves "
                f"(one generator, one NaN policy): pass {shared[0]}=... to fs_point itself.")
    if dens is not None:
        kind = "density"
        names = _side_methods(method, entropy_method, fisher_method, kind)
        acc = {q: _density_accepts(dens, q, names[q]) for q in ("entropy", "fisher")}
        routed = _route(options, acc, reg.COMMON_OPTIONS[kind], names, kind)
        rng = check_rng(rng)
        h = entropy(dens, method=names["entropy"], rng=rng, **{**routed["entropy"], **eo})
        j = fisher(dens, method=names["fisher"], rng=rng, **{**routed["fisher"], **fo})
        return FSPoint.from_estimates(h, j, h.n_dims)
    kind = "samples-1d" if _sample_dim(obj) == 1 else "samples-nd"
    if lazy is not None and kind != "samples-1d":
        _out_of_core().as_1d(lazy)   # the error for d-D dask arrays
    names = _side_methods(method, entropy_method, fisher_method, kind)
    names = {q: reg.resolve(q, kind, names[q], out_of_core=lazy is not None) for q in names}
    acc = {q: set(reg.lookup(q, kind, names[q]).options) for q in ("entropy", "fisher")}
    opts = dict(options)
    nan_policy = opts.pop("nan_policy", "raise")
    routed = _route(opts, acc, reg.COMMON_OPTIONS[kind], names, kind)
    if lazy is not None:
        return _out_of_core().fs_point(
            lazy, entropy_method=names["entropy"], fisher_method=names["fisher"], rng=rng,
            nan_policy=nan_policy, entropy_options={**routed["entropy"], **eo},
            fisher_options={**routed["fisher"], **fo})
    return _samples().fs_point_samples(
        obj, entropy_method=names["entropy"], fisher_method=names["fisher"], rng=rng,
        nan_policy=nan_policy, entropy_options={**routed["entropy"], **eo},
        fisher_options={**routed["fisher"], **fo})


def _density_accepts(dens: Density, quantity: str, method: str) -> set:
    if method == "auto":
        return analytic._auto_options(dens, quantity)
    reg.resolve(quantity, "density", method)
    return set(reg.lookup(quantity, "density", method).options)


def _sample_dim(obj) -> int:
    """1 or 2 (for "d >= 2") from the shape alone; bad shapes are left to validation."""
    try:
        shape = obj.shape if hasattr(obj, "shape") else np.shape(obj)
    except ValueError:  # ragged: check_samples raises the pointed error
        return 1
    return 1 if len(shape) <= 1 or shape[1] == 1 else 2
