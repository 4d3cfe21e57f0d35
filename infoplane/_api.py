"""Public estimation functions: validate -> dispatch -> result.

Every function takes one of
- an infoplane :class:`~infoplane.densities.Density` (closed form, quadrature, Monte Carlo);
- a frozen univariate continuous :mod:`scipy.stats` distribution (converted exactly when
  infoplane knows the family, otherwise wrapped numerically);
- samples: an array of shape ``(n_samples,)`` or ``(n_samples, n_dims)``.
"""

from __future__ import annotations

from ._results import Estimate, FSPoint, MatrixEstimate, entropy_power_from_entropy
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


def as_density(obj):
    """Return `obj` as an infoplane density, or ``None`` when it should be treated as samples.

    Raises
    ------
    TypeError
        For objects that are neither densities, frozen scipy distributions nor array-like.
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


def _samples_module():
    from .estimators import samples

    return samples


def fisher(obj, /, *, method: str = "auto", rng=None, **options) -> Estimate:
    """Fisher information J = E‖∇ₓ log f(X)‖² (trace of the location Fisher matrix).

    Parameters
    ----------
    obj : Density, frozen scipy.stats distribution, or array_like
        What to measure. Arrays are samples of shape ``(n_samples,)`` or
        ``(n_samples, n_dims)``.
    method : str
        For densities: ``"auto"`` (closed form, else quadrature in 1-D, else Monte Carlo),
        ``"closed-form"``, ``"quadrature"`` or ``"monte-carlo"``. For samples see
        :func:`infoplane.estimators.samples.fisher_samples`.
    rng : None, int or numpy.random.Generator
        Randomness for Monte Carlo and resampling.
    **options
        Method options, e.g. ``n_samples``, ``target_rse``, ``batch_size`` (Monte Carlo),
        ``rtol`` (quadrature).

    Returns
    -------
    Estimate
        ``value = inf`` with a ``reason`` when J is infinite (e.g. a density with a jump).

    Examples
    --------
    >>> import infoplane as ip
    >>> ip.fisher(ip.Gaussian(0.0, 2.0))
    Estimate(value=0.5, stderr=0, method='closed-form')
    """
    d = as_density(obj)
    if d is not None:
        return analytic.density_fisher(d, method=method, rng=rng, **options)
    return _samples_module().fisher_samples(obj, method=method, rng=rng, **options)


def fisher_matrix(obj, /, *, method: str = "auto", rng=None, **options) -> MatrixEstimate:
    """Full Fisher information matrix E[∇ log f ∇ log fᵀ] with elementwise standard errors.

    Examples
    --------
    >>> import numpy as np, infoplane as ip
    >>> ip.fisher_matrix(ip.Gaussian([0, 0], [1.0, 4.0])).value
    array([[1.  , 0.  ],
           [0.  , 0.25]])
    """
    d = as_density(obj)
    if d is not None:
        return analytic.density_fisher_matrix(d, method=method, rng=rng, **options)
    return _samples_module().fisher_matrix_samples(obj, method=method, rng=rng, **options)


def entropy(obj, /, *, method: str = "auto", rng=None, **options) -> Estimate:
    """Differential entropy H = -E log f(X) in nats.

    Examples
    --------
    >>> import numpy as np, infoplane as ip
    >>> h = ip.entropy(ip.Gaussian(0.0, 1.0)).value
    >>> bool(np.isclose(h, 0.5 * np.log(2 * np.pi * np.e)))
    True
    """
    d = as_density(obj)
    if d is not None:
        return analytic.density_entropy(d, method=method, rng=rng, **options)
    return _samples_module().entropy_samples(obj, method=method, rng=rng, **options)


def entropy_power(obj, /, *, method: str = "auto", rng=None, **options) -> Estimate:
    """Entropy power N = exp(2H/d) / (2πe) (the variance of a Gaussian with entropy H).

    Examples
    --------
    >>> import infoplane as ip
    >>> ip.entropy_power(ip.Gaussian(0.0, 3.0)).value
    3.0...
    """
    h = entropy(obj, method=method, rng=rng, **options)
    return entropy_power_from_entropy(h, h.n_dims)


def fs_point(
    obj,
    /,
    *,
    method: str = "auto",
    entropy_method: str | None = None,
    fisher_method: str | None = None,
    rng=None,
    entropy_options: dict | None = None,
    fisher_options: dict | None = None,
    **options,
) -> FSPoint:
    """The Fisher-Shannon plane point (N, J) with the Stam product N·J/d.

    Parameters
    ----------
    obj : Density, frozen scipy.stats distribution, or array_like
    method : str
        Method for both quantities unless `entropy_method` / `fisher_method` override it.
    rng : None, int or numpy.random.Generator
    entropy_options, fisher_options : dict, optional
        Options for one quantity only; `**options` go to both.

    Returns
    -------
    FSPoint

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
    import numpy as np

    rng = np.random.default_rng(rng)
    h = entropy(obj, method=entropy_method or method, rng=rng,
                **{**options, **(entropy_options or {})})
    j = fisher(obj, method=fisher_method or method, rng=rng,
               **{**options, **(fisher_options or {})})
    return FSPoint.from_estimates(h, j, h.n_dims)
