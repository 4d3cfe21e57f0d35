"""Estimators behind the public API (private; use :mod:`infoplane`'s functions)."""
