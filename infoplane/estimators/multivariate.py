"""d-D sample estimators (under construction)."""

_MSG = "d-D sample estimators are not available yet; pass a Density."


def entropy(X, *, method="auto", rng=None, **options):
    raise TypeError(_MSG)


def fisher(X, *, method="auto", rng=None, **options):
    raise TypeError(_MSG)


def fisher_matrix(X, *, method="auto", rng=None, **options):
    raise TypeError(_MSG)
