"""Probability densities with exact log-density, score and sampling."""

from ._base import Density
from .gaussian import Gaussian
from .kde import KDE
from .laplace import Laplace

__all__ = ["Density", "Gaussian", "KDE", "Laplace"]
