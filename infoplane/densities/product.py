"""Product density of independent components."""

from __future__ import annotations

import numpy as np
from scipy import linalg

from ._base import Density

__all__ = ["Product"]


class Product(Density):
    r"""Joint density of independent components, :math:`f(x) = \prod_i f_i(x_i)`.

    Parameters
    ----------
    components : sequence of Density
        The independent blocks, in order; the dimension is the sum of theirs.
        Nested products are flattened. ``f * g`` builds ``Product([f, g])``.

    Notes
    -----
    Entropies add, Fisher information (traces) add, and the Fisher matrix is block
    diagonal. When a component lacks a closed form, :func:`infoplane.entropy` and
    :func:`infoplane.fisher` estimate each component by its own method (quadrature for
    1-D components) and add the estimates and their variances.

    Examples
    --------
    >>> import infoplane as ip
    >>> p = ip.Gaussian(0.0, 1.0) * ip.Laplace(0.0, 0.5)
    >>> p.dim, ip.fisher(p).value     # 1 + 1/0.25
    (2, 5.0)
    """

    def __init__(self, components):
        if isinstance(components, Density):
            components = [components]
        comps = []
        for i, c in enumerate(components):
            if not isinstance(c, Density):
                raise TypeError(
                    f"`components[{i}]` must be a Density; got {type(c).__name__}."
                )
            comps.extend(c.components if isinstance(c, Product) else [c])
        if not comps:
            raise ValueError("`components` must contain at least one Density; got none.")
        self.components = tuple(comps)
        dims = [c.dim for c in comps]
        self._slices = np.cumsum([0, *dims])
        self._d = int(self._slices[-1])
        if self._d == 1:
            self.support = comps[0].support

    @property
    def dim(self):
        return self._d

    def _blocks(self, X):
        for c, a, b in zip(self.components, self._slices[:-1], self._slices[1:]):
            yield c, np.ascontiguousarray(X[:, a:b])

    def _logpdf(self, X):
        return sum(c._logpdf(B) for c, B in self._blocks(X))

    def _score(self, X):
        return np.concatenate([c._score(B) for c, B in self._blocks(X)], axis=1)

    def _sample(self, n, rng):
        return np.concatenate([c._sample(n, rng) for c in self.components], axis=1)

    def _entropy(self):
        hs = [c._entropy() for c in self.components]
        return None if any(h is None for h in hs) else float(sum(hs))

    def _fisher_matrix(self):
        ms = [c._fisher_matrix() for c in self.components]
        return None if any(m is None for m in ms) else linalg.block_diag(*ms)

    def _fisher(self):
        js = [c._fisher() for c in self.components]
        return None if any(j is None for j in js) else float(sum(js))

    def _fisher_infinite(self):
        reasons = [c._fisher_infinite() for c in self.components]
        reasons = [f"component {i}: {r}" for i, r in enumerate(reasons) if r]
        return "; ".join(reasons) if reasons else None

    def _breakpoints(self):
        return self.components[0]._breakpoints()

    def mean(self):
        ms = [c.mean() for c in self.components]
        return None if any(m is None for m in ms) else np.concatenate(ms)

    def cov(self):
        cs = [c.cov() for c in self.components]
        return None if any(c is None for c in cs) else linalg.block_diag(*cs)

    def _repr_params(self):
        return ", ".join(repr(c) for c in self.components)
