"""Sample-based estimators (under construction: see the sample-estimator issue)."""

from __future__ import annotations

__all__ = ["entropy_samples", "fisher_samples", "fisher_matrix_samples"]

_MSG = (
    "estimating from samples is not available yet in this version of infoplane; "
    "pass a Density (e.g. infoplane.Gaussian) or a frozen scipy.stats distribution."
)


def entropy_samples(x, *, method="auto", rng=None, **options):
    raise TypeError(_MSG)


def fisher_samples(x, *, method="auto", rng=None, **options):
    raise TypeError(_MSG)


def fisher_matrix_samples(x, *, method="auto", rng=None, **options):
    raise TypeError(_MSG)
