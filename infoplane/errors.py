"""Warnings and exceptions of infoplane.

Our exceptions subclass the built-in ones (``ValueError``, ``TypeError``), so code that
catches those keeps working.
"""

__all__ = ["InfoplaneWarning", "DegenerateDataWarning", "AccuracyWarning", "MissingDependencyError",
           "warn"]


class InfoplaneWarning(UserWarning):
    """Base class of infoplane's warnings."""


class DegenerateDataWarning(InfoplaneWarning):
    """Legal but degenerate data (ties, constant data, a collapsed bandwidth)."""


class AccuracyWarning(InfoplaneWarning):
    """A numerical method did not reach its requested accuracy."""


class MissingDependencyError(ImportError):
    """An optional dependency needed by the requested feature is not installed."""


def import_optional(name: str, extra: str | None = None):
    """Import an optional dependency or raise a helpful :class:`MissingDependencyError`."""
    import importlib

    try:
        return importlib.import_module(name)
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        hint = f" or `pip install infoplane[{extra}]`" if extra else ""
        raise MissingDependencyError(
            f"Missing optional dependency '{name}'. Use pip or conda to install {name}{hint}."
        ) from exc


def warn(message: str, category: type[Warning] = InfoplaneWarning) -> None:
    """Issue a warning attributed to the first caller outside infoplane (the user's line)."""
    import os
    import sys
    import warnings
    from typing import Any

    pkg = os.path.dirname(os.path.abspath(__file__)) + os.sep
    frame: Any = sys._getframe(1)
    level = 2
    while frame is not None and frame.f_code.co_filename.startswith(pkg):
        frame = frame.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
