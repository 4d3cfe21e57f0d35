"""Geometry of the Fisher-Shannon plane: the N·J = K curves and distances to the bound."""

from __future__ import annotations

import numpy as np

__all__ = ["nj_curve", "stam_ratio"]


def nj_curve(k: float = 1.0, dim: int = 1, n_range: tuple[float, float] = (1e-3, 1e3),
             num: int = 200) -> tuple[np.ndarray, np.ndarray]:
    """Points (N, J) of the curve N·J/d = K, log-spaced in N.

    Parameters
    ----------
    k : float
        Level of the curve; K = 1 is the Gaussian (Stam) bound, K > 1 lies above it.
    dim : int
        Dimension d (the curve is J = K·d/N).
    n_range : (float, float)
        Range of entropy powers.
    num : int
        Number of points.

    Returns
    -------
    N, J : ndarray

    Examples
    --------
    >>> from infoplane.plane import nj_curve
    >>> N, J = nj_curve(1.0, dim=2, n_range=(1.0, 4.0), num=3)
    >>> J
    array([2. , 1. , 0.5])
    """
    if not k > 0:
        raise ValueError(f"`k` must be > 0; got {k!r}.")
    lo, hi = n_range
    if not 0 < lo < hi:
        raise ValueError(f"`n_range` must satisfy 0 < low < high; got {n_range!r}.")
    N = np.geomspace(lo, hi, num)
    return N, k * dim / N


def stam_ratio(entropy_power: float, fisher: float, dim: int = 1) -> float:
    """N·J/d: 1 on the Gaussian bound, > 1 above it.

    Parameters
    ----------
    entropy_power : float
        N = exp(2H/d)/(2πe).
    fisher : float
        J, the trace of the Fisher information matrix.
    dim : int
        Dimension d.

    Returns
    -------
    float

    Examples
    --------
    >>> from infoplane.plane import stam_ratio
    >>> stam_ratio(2.0, 0.5)
    1.0
    """
    return float(entropy_power) * float(fisher) / dim
