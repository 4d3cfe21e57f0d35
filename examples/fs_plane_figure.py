"""Regenerate docs/fs_plane.png, the FS-plane figure shown in the README.

    python examples/fs_plane_figure.py [--out docs/fs_plane.png]

It draws the tour's densities (closed forms, quadrature for the mixture), sample-based
points of three of them, and a trajectory of a two-component
Gaussian mixture whose modes move apart, coloured by their separation.
"""

import argparse
from pathlib import Path

from infoplane.cli.tour import draw, format_table, tour_points, tour_trajectory


def main(argv=None):
    root = Path(__file__).resolve().parents[1]
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", default=str(root / "docs" / "fs_plane.png"))
    p.add_argument("--n-samples", type=int, default=5000)
    args = p.parse_args(argv)
    points = tour_points(args.n_samples, seed=0)
    print(format_table(points))
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    print("wrote", draw(points, tour_trajectory(), args.out))


if __name__ == "__main__":
    main()
