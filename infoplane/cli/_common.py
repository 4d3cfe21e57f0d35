"""What the sub-commands share: the user-error exception and argument types."""

from __future__ import annotations

import argparse
from collections.abc import Callable

__all__ = ["UsageError", "int_at_least"]


class UsageError(Exception):
    """A mistake in the command line or its input files.

    :func:`infoplane.cli.main` prints it as ``infoplane: error: <message>`` (no traceback)
    and returns 2. The message names the argument and says what to do.
    """


def int_at_least(minimum: int) -> Callable[[str], int]:
    """An argparse ``type`` that accepts integers ``>= minimum`` (argparse names the option).

    Parameters
    ----------
    minimum : int

    Returns
    -------
    callable
        Parses a string; raises :class:`argparse.ArgumentTypeError` otherwise.

    Examples
    --------
    >>> int_at_least(0)("3")
    3
    """

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"must be an integer >= {minimum}; got {text!r}."
            ) from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be an integer >= {minimum}; got {value}.")
        return value

    parse.__name__ = f"integer >= {minimum}"
    return parse
