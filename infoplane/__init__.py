"""infoplane: Fisher information, entropy power and the Fisher-Shannon plane.

Quantities, for densities, frozen scipy distributions and samples:

- :func:`fisher` -- J = E‖∇ₓ log f(X)‖² (trace of the location Fisher matrix)
- :func:`fisher_matrix` -- E[∇ log f ∇ log fᵀ]
- :func:`entropy` -- differential entropy H in nats
- :func:`entropy_power` -- N = exp(2H/d)/(2πe)
- :func:`fs_point` -- the Fisher-Shannon point (N, J) with N·J/d >= 1 (Stam)
- :func:`fs_map` -- the FS point of every series along one axis (NumPy, dask, xarray)

1-D dask arrays are estimated out of core (:mod:`infoplane.scale`).

The VAE adapter lives in :mod:`infoplane.vae` (needs torch); plots in
:mod:`infoplane.plot` (needs matplotlib).
"""

from importlib.metadata import PackageNotFoundError, version as _version

from ._api import as_density, entropy, entropy_power, fisher, fisher_matrix, fs_point
from ._results import Estimate, FSPoint, FSTrajectory, MatrixEstimate
from .densities import (
    Affine,
    Beta,
    Cauchy,
    Density,
    Gamma,
    Gaussian,
    GaussianMixture,
    GeneralizedGaussian,
    KDE,
    Laplace,
    Logistic,
    MultivariateStudentT,
    Product,
    StudentT,
    Uniform,
    from_scipy,
)
from .errors import AccuracyWarning, DegenerateDataWarning, InfoplaneWarning
from .plane import nj_curve, stam_ratio
from .scale import FSMap, fs_map
from .signals import fs_trajectory

try:
    __version__ = _version("infoplane")
except PackageNotFoundError:  # running from a checkout without installation
    __version__ = "0.0.0+unknown"

__all__ = [
    "fisher",
    "fisher_matrix",
    "entropy",
    "entropy_power",
    "fs_point",
    "as_density",
    "Estimate",
    "MatrixEstimate",
    "FSPoint",
    "FSTrajectory",
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
    "Product",
    "Affine",
    "from_scipy",
    "KDE",
    "nj_curve",
    "stam_ratio",
    "fs_trajectory",
    "fs_map",
    "FSMap",
    "InfoplaneWarning",
    "DegenerateDataWarning",
    "AccuracyWarning",
]
