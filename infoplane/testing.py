"""Hypothesis strategies for property-based tests of code that uses infoplane.

Needs the ``test`` extra (``pip install infoplane[test]``): hypothesis is imported when a
strategy is first built, never by ``import infoplane``.

Every strategy draws parameters from bounded ranges where the numerics are reliable
(scales within a few decades, no near-singular matrices), so that a failing example
points at your code rather than at floating point.

Strategies
----------
univariate_densities
    One of the 1-D families, optionally only those with finite Fisher information.
gaussians
    Gaussians with isotropic, diagonal or full covariance.
gaussian_mixtures
    Gaussian mixtures in a given dimension.
affine_maps
    Well-conditioned invertible ``(A, b)`` pairs.
densities
    Any of the above, plus products of independent blocks and affine images.

Examples
--------
>>> from hypothesis import given, settings
>>> import infoplane as ip
>>> from infoplane.testing import univariate_densities
>>> @settings(max_examples=10, derandomize=True, deadline=None)
... @given(univariate_densities(finite_fisher=True, closed_form=True))
... def test_stam(d):
...     assert ip.fs_point(d).product.value >= 1 - 1e-12
>>> test_stam()
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

import numpy as np

if TYPE_CHECKING:  # hypothesis is an optional extra: only the annotations need it here
    from hypothesis.strategies import SearchStrategy

__all__ = [
    "univariate_densities",
    "gaussians",
    "gaussian_mixtures",
    "affine_maps",
    "densities",
    "FAMILIES",
]

#: names accepted by ``univariate_densities(families=...)``
FAMILIES = (
    "gaussian", "laplace", "logistic", "student_t", "cauchy", "gennorm", "gamma", "beta",
    "uniform", "mixture",
)


def _strategies():
    from .errors import import_optional

    return import_optional("hypothesis.strategies", "test")


def _pos(st, lo, hi):
    """Log-uniform-ish positive floats in [lo, hi]."""
    return st.floats(np.log(lo), np.log(hi), allow_nan=False, allow_infinity=False).map(
        lambda t: float(np.exp(t))
    )


def univariate_densities(
    families: Iterable[str] | None = None, *, finite_fisher: bool = False,
    closed_form: bool = False
) -> SearchStrategy:
    """Strategy for 1-D densities.

    Parameters
    ----------
    families : iterable of str, optional
        Subset of :data:`FAMILIES` (default: all).
    finite_fisher : bool
        Draw only parameters with finite Fisher information (excludes the uniform law,
        gamma with shape ≤ 2, beta with a or b ≤ 2, generalized Gaussian with β ≤ 1/2).
    closed_form : bool
        Exclude families without closed-form H and J (mixtures).

    Returns
    -------
    hypothesis.strategies.SearchStrategy of Density

    Examples
    --------
    >>> from infoplane.testing import univariate_densities
    >>> s = univariate_densities(["gamma"], finite_fisher=True)
    >>> d = s.example()   # doctest: +SKIP
    """
    st = _strategies()
    from . import densities as D

    fams = tuple(FAMILIES if families is None else families)
    unknown = set(fams) - set(FAMILIES)
    if unknown or not fams:
        raise ValueError(f"`families` must be a non-empty subset of {FAMILIES}; got {fams!r}.")
    if closed_form:
        fams = tuple(f for f in fams if f != "mixture")
    if finite_fisher:
        fams = tuple(f for f in fams if f != "uniform")
    if not fams:
        raise ValueError("no family is left after `finite_fisher` / `closed_form` filtering.")

    loc = st.floats(-10.0, 10.0, allow_nan=False)
    scale = _pos(st, 0.1, 10.0)
    build = {
        "gaussian": st.builds(lambda m, s: D.Gaussian(m, s * s), loc, scale),
        "laplace": st.builds(D.Laplace, loc, scale),
        "logistic": st.builds(D.Logistic, loc, scale),
        "student_t": st.builds(D.StudentT, _pos(st, 0.5, 50.0), loc, scale),
        "cauchy": st.builds(D.Cauchy, loc, scale),
        "gennorm": st.builds(
            D.GeneralizedGaussian, _pos(st, 0.55 if finite_fisher else 0.3, 8.0), loc, scale
        ),
        "gamma": st.builds(D.Gamma, _pos(st, 2.2 if finite_fisher else 0.5, 30.0), scale),
        "beta": st.builds(
            D.Beta, _pos(st, 2.2 if finite_fisher else 0.5, 30.0),
            _pos(st, 2.2 if finite_fisher else 0.5, 30.0),
        ),
        "uniform": st.builds(
            lambda a, w: D.Uniform(a, a + w), loc, scale
        ),
        "mixture": gaussian_mixtures(dim=1),
    }
    return st.one_of(*[build[f] for f in fams])


def gaussians(dim: int | None = None, *, kind: str | None = None,
              max_dim: int = 4) -> SearchStrategy:
    """Strategy for Gaussians.

    Parameters
    ----------
    dim : int, optional
        Fixed dimension; default draws 1 to `max_dim`.
    kind : {"isotropic", "diagonal", "full"}, optional
        Covariance structure; default draws any.
    max_dim : int

    Returns
    -------
    hypothesis.strategies.SearchStrategy of Gaussian
    """
    st = _strategies()
    from hypothesis.extra.numpy import arrays

    from .densities import Gaussian

    kinds = ("isotropic", "diagonal", "full") if kind is None else (kind,)
    dims = st.just(dim) if dim is not None else st.integers(1, max_dim)

    @st.composite
    def draw(draw_):
        d = draw_(dims)
        k = draw_(st.sampled_from(kinds))
        mean = draw_(arrays(float, d, elements=st.floats(-10, 10)))
        if k == "isotropic":
            return Gaussian(mean, draw_(_pos(st, 0.01, 100.0)))
        sd = draw_(arrays(float, d, elements=st.floats(np.log(0.1), np.log(10.0)))).astype(float)
        var = np.exp(2 * sd)
        if k == "diagonal":
            return Gaussian(mean, var)
        q, _ = np.linalg.qr(draw_(arrays(float, (d, d), elements=st.floats(-1, 1))) + 3 * np.eye(d))
        return Gaussian(mean, (q * var) @ q.T)

    return draw()


def gaussian_mixtures(dim: int = 1, *, max_components: int = 3) -> SearchStrategy:
    """Strategy for Gaussian mixtures in `dim` dimensions with 1..`max_components` parts.

    Weights are at least 0.05 before normalisation, means in [-5, 5], component standard
    deviations in [0.2, 3] (full covariances in d > 1 are random rotations of those).

    Parameters
    ----------
    dim : int
        Dimension of the mixtures.
    max_components : int
        Largest number of components.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of GaussianMixture
    """
    st = _strategies()
    from hypothesis.extra.numpy import arrays

    from .densities import GaussianMixture

    @st.composite
    def draw(draw_):
        k = draw_(st.integers(1, max_components))
        w = draw_(arrays(float, k, elements=st.floats(0.05, 1.0)))
        means = draw_(arrays(float, (k, dim), elements=st.floats(-5.0, 5.0)))
        logsd = draw_(arrays(float, (k, dim), elements=st.floats(np.log(0.2), np.log(3.0))))
        var = np.exp(2 * logsd)
        if dim == 1:
            return GaussianMixture(w / w.sum(), means[:, 0], var[:, 0])
        covs = []
        for i in range(k):
            m = draw_(arrays(float, (dim, dim), elements=st.floats(-1, 1))) + 3 * np.eye(dim)
            q, _ = np.linalg.qr(m)
            covs.append((q * var[i]) @ q.T)
        return GaussianMixture(w / w.sum(), means, np.array(covs))

    return draw()


def affine_maps(dim: int = 1, *, max_condition: float = 50.0) -> SearchStrategy:
    """Strategy for invertible affine maps ``(A, b)`` in `dim` dimensions.

    In 1-D, ``A`` is a non-zero float with ``0.1 ≤ |A| ≤ 10``; in d-D a (d, d) matrix
    ``U diag(s) Vᵀ`` with random orthogonal U, V and condition number ≤ `max_condition`.

    Parameters
    ----------
    dim : int
        Dimension of the maps.
    max_condition : float
        Largest condition number of ``A`` (d-D only).

    Returns
    -------
    hypothesis.strategies.SearchStrategy of (A, b)
    """
    st = _strategies()
    from hypothesis.extra.numpy import arrays

    b = arrays(float, dim, elements=st.floats(-10.0, 10.0))
    if dim == 1:
        a = st.tuples(_pos(st, 0.1, 10.0), st.booleans()).map(lambda t: -t[0] if t[1] else t[0])
        return st.tuples(a, b.map(lambda v: float(v[0])))
    # A = U diag(s) Vᵀ with orthogonal U, V (QR of a diagonally dominant draw) and
    # singular values s within [1/√c, √c]: invertible with condition number <= c, no filter
    half = 0.5 * float(np.log(max_condition))
    orth = arrays(float, (dim, dim), elements=st.floats(-1.0, 1.0)).map(
        lambda m: np.linalg.qr(m + 3.0 * np.eye(dim))[0]
    )
    sv = arrays(float, dim, elements=st.floats(-half, half)).map(np.exp)
    A = st.tuples(orth, sv, orth).map(lambda t: (t[0] * t[1]) @ t[2].T)
    return st.tuples(A, b)


def densities(max_dim: int = 3, *, finite_fisher: bool = False,
              closed_form: bool = False) -> SearchStrategy:
    """Strategy for densities of dimension 1..`max_dim`.

    Draws families, mixtures, products and affine images.

    Parameters
    ----------
    max_dim : int
    finite_fisher, closed_form : bool
        As in :func:`univariate_densities`; `closed_form` also excludes d-D mixtures.

    Returns
    -------
    hypothesis.strategies.SearchStrategy of Density

    Examples
    --------
    >>> from hypothesis import given, settings
    >>> import infoplane as ip
    >>> from infoplane.testing import densities
    >>> @settings(max_examples=5, derandomize=True, deadline=None)
    ... @given(densities(closed_form=True))
    ... def check(d):
    ...     assert ip.entropy(d).method == "closed-form"
    >>> check()
    """
    st = _strategies()
    from .densities import Affine, MultivariateStudentT, Product

    uni = univariate_densities(finite_fisher=finite_fisher, closed_form=closed_form)
    parts = [uni, gaussians(max_dim=max_dim)]
    if max_dim >= 2:
        parts.append(
            st.builds(
                lambda df, g: MultivariateStudentT(df, g.mean(), g.cov()),
                _pos(st, 0.5, 50.0), gaussians(max_dim=max_dim),
            )
        )
        if not closed_form:
            parts.append(st.integers(2, max_dim).flatmap(lambda d: gaussian_mixtures(d)))
    base = st.one_of(*parts)

    @st.composite
    def prod(draw_):
        n = draw_(st.integers(2, max(2, min(3, max_dim))))
        comps = [draw_(uni) for _ in range(n)]
        return Product(comps[:max_dim])

    @st.composite
    def affine(draw_):
        d = draw_(base)
        A, b = draw_(affine_maps(d.dim))
        return Affine(d, A, b)

    options = [base, affine()]
    if max_dim >= 2:
        options.append(prod())
    return st.one_of(*options)
