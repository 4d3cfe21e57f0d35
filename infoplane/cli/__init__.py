"""Command line: ``infoplane`` / ``python -m infoplane``.

Sub-commands
------------
tour
    FS points of well-known densities and of samples drawn from three of them, as a table,
    and the Fisher-Shannon plane as a figure (:mod:`infoplane.cli.tour`).
point
    FS point of columns of a CSV, ``.npy`` or ``.npz`` file, as a table or JSON
    (:mod:`infoplane.cli.point`).

A mistake in the command line or in an input file never ends in a traceback: the command
prints ``infoplane: error: <message>`` (the message names the argument and says what to
do) and exits with status 2. Paths and options are checked before any computation.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from .. import __version__
from . import point, tour
from ._common import UsageError

__all__ = ["main", "build_parser", "UsageError"]


class _Parser(argparse.ArgumentParser):
    """ArgumentParser whose usage errors read ``infoplane: error: ...`` in every sub-command."""

    def error(self, message: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"infoplane: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``infoplane`` argument parser with its sub-commands.

    Returns
    -------
    argparse.ArgumentParser
    """
    p = _Parser(prog="infoplane", description=__doc__.split("\n")[0])
    p.add_argument("--version", action="version", version=f"infoplane {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="{tour,point}")
    tour.add_arguments(sub.add_parser(
        "tour", help="FS points of well-known densities as a table, and the plane as a figure",
        description=tour.__doc__.split("\n")[0]))
    point.add_arguments(sub.add_parser(
        "point", help="FS point of columns of a CSV, .npy or .npz file",
        description=point.__doc__.split("\n")[0]))
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line and return its exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments after the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success; 2 for a usage error (printed as ``infoplane: error: ...``);
        130 when interrupted; 141 when the reader of stdout has gone (a closed pipe).
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error argparse has printed
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    try:
        status = int(args.run(args))
        sys.stdout.flush()  # a closed pipe shows here, not as a message at exit
        return status
    except UsageError as exc:
        print(f"infoplane: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("infoplane: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `infoplane tour | head`: the reader has gone
        _silence_stdout()
        return 141


def _silence_stdout() -> None:
    """Point stdout at /dev/null, so that the flush at exit does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # stdout is not a real file (e.g. captured in tests)
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
