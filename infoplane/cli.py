"""Command line: ``infoplane`` / ``python -m infoplane``.

Sub-commands
------------
tour
    A short tour on built-in densities and generated samples; writes an FS-plane PNG.
point
    FS point of columns of a CSV or NPY file, as a table or JSON.
"""

from __future__ import annotations

import argparse
import sys

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="infoplane", description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    from . import _cli_point, _tour

    _tour.add_arguments(sub.add_parser("tour", help="tour of FS-plane points; writes a PNG"))
    _cli_point.add_arguments(sub.add_parser("point", help="FS point of data in a CSV/NPY file"))
    return p


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
