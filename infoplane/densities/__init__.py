"""Probability densities with exact log-density, score and sampling.

Closed-form entropy and Fisher information: :class:`Gaussian`, :class:`Laplace`,
:class:`Logistic`, :class:`StudentT`, :class:`MultivariateStudentT`, :class:`Cauchy`,
:class:`GeneralizedGaussian`, :class:`Gamma`, :class:`Beta`, :class:`Uniform`.
Numerical (quadrature / Monte Carlo): :class:`GaussianMixture`. Combinators:
:class:`Product` (independent blocks) and :class:`Affine` (Y = A X + b).
:func:`from_scipy` converts frozen ``scipy.stats`` distributions.

Every constructor checks its parameters strictly and by name: booleans, strings (numeric
or not), ``None`` and complex numbers raise :class:`TypeError` naming the parameter and the
type received; NaN, inf and values out of range raise :class:`ValueError` naming the
parameter, the bound and the value. Closed forms stay accurate for shape parameters up
to 1e15 (Stirling-remainder forms, :mod:`._special`) and for any finite scale: the Fisher
information is also kept as its logarithm (``Estimate.log_value``), so the Stam product
N·J/d is right even where N or J alone leaves float64.
"""

from ._base import Density
from .affine import Affine
from .beta import Beta
from .cauchy import Cauchy
from .gamma import Gamma
from .gaussian import Gaussian
from .gennorm import GeneralizedGaussian
from .kde import KDE
from .laplace import Laplace
from .logistic import Logistic
from .mixture import GaussianMixture
from .product import Product
from .scipy_adapter import ScipyDensity, from_scipy
from .student_t import MultivariateStudentT, StudentT
from .uniform import Uniform

__all__ = [
    "Density",
    "Gaussian",
    "Laplace",
    "Logistic",
    "StudentT",
    "MultivariateStudentT",
    "Cauchy",
    "GeneralizedGaussian",
    "Gamma",
    "Beta",
    "Uniform",
    "GaussianMixture",
    "KDE",
    "Product",
    "Affine",
    "ScipyDensity",
    "from_scipy",
]
