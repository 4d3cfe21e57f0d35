"""Product density of independent components."""

from __future__ import annotations

import math
from typing import Iterable, Iterator

import numpy as np
from scipy import linalg

from ._base import Density, register_product
from ._special import logsumexp

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

    def __init__(self, components: Density | Iterable[Density]) -> None:
        if isinstance(components, Density):
            components = [components]
        elif isinstance(components, (str, bytes)) or not isinstance(components, Iterable):
            raise TypeError(
                "`components` must be a sequence of Density objects; got "
                f"{type(components).__name__}."
            )
        comps: list[Density] = []
        for i, c in enumerate(components):
            if not isinstance(c, Density):
                raise TypeError(
                    f"`components[{i}]` must be a Density; got {type(c).__name__}."
                )
            comps.extend(c.components if isinstance(c, Product) else (c,))
        if not comps:
            raise ValueError("`components` must contain at least one Density; got none.")
        self.components: tuple[Density, ...] = tuple(comps)
        dims = [c.dim for c in comps]
        self._slices = np.cumsum([0, *dims])
        self._d = int(self._slices[-1])
        if self._d == 1:
            self.support = comps[0].support

    @property
    def dim(self) -> int:
        return self._d

    def _blocks(self, X: np.ndarray) -> Iterator[tuple[Density, np.ndarray]]:
        for c, a, b in zip(self.components, self._slices[:-1], self._slices[1:]):
            yield c, np.ascontiguousarray(X[:, a:b])

    def _logpdf(self, X: np.ndarray) -> np.ndarray:
        out = np.zeros(len(X))
        for c, B in self._blocks(X):
            out = out + c._logpdf(B)
        return out

    def _score(self, X: np.ndarray) -> np.ndarray:
        return np.concatenate([c._score(B) for c, B in self._blocks(X)], axis=1)

    def _sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        return np.concatenate([c._sample(n, rng) for c in self.components], axis=1)

    def _entropy(self) -> float | None:
        hs = [c._entropy() for c in self.components]
        return None if any(h is None for h in hs) else float(sum(h for h in hs if h is not None))

    def _fisher_matrix(self) -> np.ndarray | None:
        ms = [c._fisher_matrix() for c in self.components]
        return None if any(m is None for m in ms) else linalg.block_diag(*ms)

    def _fisher(self) -> float | None:
        js = [c._fisher() for c in self.components]
        return None if any(j is None for j in js) else float(sum(j for j in js if j is not None))

    def _log_fisher(self) -> float | None:
        ls = [c._log_fisher() for c in self.components]
        if any(v is None for v in ls):
            return None
        vals = np.array(ls, dtype=float)
        if np.isposinf(vals).any():
            return math.inf
        return logsumexp(vals)

    def _fisher_infinite(self) -> str | None:
        reasons = [c._fisher_infinite() for c in self.components]
        named = [f"component {i}: {r}" for i, r in enumerate(reasons) if r]
        return "; ".join(named) if named else None

    def _breakpoints(self) -> np.ndarray:
        return self.components[0]._breakpoints()

    def mean(self) -> np.ndarray | None:
        ms = [c.mean() for c in self.components]
        present = [m for m in ms if m is not None]
        return None if len(present) < len(ms) else np.concatenate(present)

    def cov(self) -> np.ndarray | None:
        cs = [c.cov() for c in self.components]
        return None if any(c is None for c in cs) else linalg.block_diag(*cs)

    def _repr_params(self) -> str:
        return ", ".join(repr(c) for c in self.components)


register_product(Product)
