"""Numba kernels on clean float64 arrays (private). Only :mod:`._jit` imports numba."""
