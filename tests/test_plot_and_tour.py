"""The FS-plane plot renders (Agg, no pixel comparison) and the tour runs."""

import math

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import infoplane as ip  # noqa: E402
from infoplane.cli import main  # noqa: E402
from infoplane.plot import fs_plane  # noqa: E402


def _mc_point():
    return ip.fs_point(ip.GaussianMixture([0.5, 0.5], [[0, 0], [3, 0]], [1.0, 1.0]),
                       rng=0, n_samples=2000)


def test_fs_plane_points_curves_errorbars_and_trajectory():
    pts = {"Gaussian": ip.fs_point(ip.Gaussian()), "Laplace": ip.fs_point(ip.Laplace()),
           "MC mixture": _mc_point()}
    seps = np.linspace(0, 4, 6)
    traj = ip.FSTrajectory(
        tuple(ip.fs_point(ip.GaussianMixture([0.5, 0.5], [-s / 2, s / 2], [1.0, 1.0]))
              for s in seps), seps, label="path")
    ax = fs_plane({**pts, "path": traj, "arrays": (np.array([1.0, 2.0]), np.array([2.0, 1.5]))},
                  curves=(1, 2, 5))
    assert isinstance(ax, matplotlib.axes.Axes)
    assert ax.get_xscale() == ax.get_yscale() == "log"
    texts = [t.get_text() for t in ax.texts]
    assert {"Gaussian", "Laplace", "MC mixture", "path"} <= set(texts)
    assert "K = 2" in texts and "K = 5" in texts
    assert any("Gaussian bound" in t.get_text() for t in ax.get_legend().get_texts())
    assert len(ax.figure.axes) == 2  # the colorbar
    # mixed dimensions: the vertical axis is J/d
    assert "J / d" in ax.get_ylabel()
    # the K = 1 curve is J = 1/N in J/d units
    bound = next(line for line in ax.lines if line.get_label().startswith("N·J/d = 1"))
    x, y = bound.get_data()
    np.testing.assert_allclose(x * y, 1.0, rtol=1e-12)
    ax.figure.canvas.draw()
    plt.close(ax.figure)


def test_fs_plane_single_point_into_given_axes_and_infinite_warning():
    fig, ax = plt.subplots()
    out = fs_plane([ip.fs_point(ip.Gaussian(np.zeros(2), [1.0, 3.0]))], ax=ax)
    assert out is ax and "J / d" not in ax.get_ylabel()
    bound = next(line for line in ax.lines if line.get_label().startswith("N·J/d = 1"))
    x, y = bound.get_data()
    np.testing.assert_allclose(x * y, 2.0, rtol=1e-12)  # J = K·d/N with d = 2
    with pytest.warns(ip.InfoplaneWarning, match="not drawn"):
        fs_plane({"uniform": ip.fs_point(ip.Uniform())}, ax=ax)
    plt.close(fig)


def test_fs_plane_bad_inputs():
    with pytest.raises(TypeError, match="`points` must be"):
        fs_plane("nope")
    with pytest.raises(ValueError, match="`curves` levels must be > 0"):
        fs_plane([ip.fs_point(ip.Gaussian())], curves=(0,))
    with pytest.raises(ValueError, match="must be \\(N, J\\)"):
        fs_plane({"bad": (np.ones(3), np.ones(2))})
    plt.close("all")


def test_tour_no_plot(capsys):
    assert main(["tour", "--no-plot"]) == 0
    out = capsys.readouterr().out
    assert "Cauchy" in out and "N·J/d" in out and "closed-form" in out
    row = next(line for line in out.splitlines() if line.startswith("Gaussian "))
    # the Gaussian row: N = J = N·J = 1 exactly (closed forms)
    assert row.split()[1:5] == ["1", "1", "1", "1"]
    row = next(line for line in out.splitlines() if line.startswith("Laplace "))
    assert float(row.split()[4]) == pytest.approx(2 * math.e / math.pi, rel=1e-3)


def test_tour_writes_png(tmp_path, capsys):
    out = tmp_path / "plane.png"
    assert main(["tour", "--out", str(out), "--n-samples", "500"]) == 0
    assert out.exists() and out.stat().st_size > 10_000
    with open(out, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    assert str(out) in capsys.readouterr().out
