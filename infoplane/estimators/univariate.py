"""1-D sample estimators (under construction)."""

_MSG = "1-D sample estimators are not available yet; pass a Density."


def entropy(X, *, method="auto", rng=None, **options):
    raise TypeError(_MSG)


def fisher(X, *, method="auto", rng=None, **options):
    raise TypeError(_MSG)


def fisher_matrix(X, *, method="auto", rng=None, **options):
    raise TypeError(_MSG)
