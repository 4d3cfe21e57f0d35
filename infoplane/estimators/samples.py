"""Sample-based estimators: validation, then dispatch by dimension.

1-D samples go to :mod:`infoplane.estimators.univariate`, d-D samples to
:mod:`infoplane.estimators.multivariate`; each module documents its methods and its
``method="auto"`` rule.
"""

from __future__ import annotations

from .._validation import check_samples

__all__ = ["entropy_samples", "fisher_samples", "fisher_matrix_samples"]


def _backend(X):
    if X.shape[1] == 1:
        from . import univariate as mod
    else:
        from . import multivariate as mod
    return mod


def entropy_samples(x, *, method="auto", rng=None, nan_policy="raise", **options):
    """Entropy (nats) from samples `x` of shape (n,) or (n, d)."""
    X = check_samples(x, nan_policy=nan_policy)
    return _backend(X).entropy(X, method=method, rng=rng, **options)


def fisher_samples(x, *, method="auto", rng=None, nan_policy="raise", **options):
    """Fisher information (trace) from samples `x` of shape (n,) or (n, d)."""
    X = check_samples(x, nan_policy=nan_policy)
    return _backend(X).fisher(X, method=method, rng=rng, **options)


def fisher_matrix_samples(x, *, method="auto", rng=None, nan_policy="raise", **options):
    """Fisher information matrix from samples `x` of shape (n,) or (n, d)."""
    X = check_samples(x, nan_policy=nan_policy)
    return _backend(X).fisher_matrix(X, method=method, rng=rng, **options)
