"""The FS-plane plot renders (Agg, no pixel comparison) and the tour runs."""

import math

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import infoplane as ip  # noqa: E402
from infoplane.cli import main  # noqa: E402
from infoplane.cli.tour import tour_points  # noqa: E402
from infoplane.plot import fs_plane, point_style  # noqa: E402


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


def test_fs_plane_draws_points_in_point_style():
    pts = {name: ip.fs_point(d) for name, d in
           [("a", ip.Gaussian()), ("b", ip.Laplace()), ("c", ip.Logistic())]}
    ax = fs_plane(pts)
    markers = [line for line in ax.lines if line.get_marker() not in ("None", "", None)]
    assert [(line.get_color(), line.get_marker()) for line in markers] == [
        (point_style(i)["color"], point_style(i)["fmt"]) for i in range(3)]
    assert len({point_style(i)["color"] for i in range(10)}) == 10
    plt.close(ax.figure)


def test_tour_points_rejects_too_few_samples():
    with pytest.raises(ValueError, match="`n_samples` must be an integer >= 10"):
        tour_points(9)


def _is_png(path):
    with open(path, "rb") as f:
        return f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_tour_writes_png(tmp_path, capsys):
    out = tmp_path / "plane.png"
    assert main(["tour", "--out", str(out), "--n-samples", "500"]) == 0
    assert out.exists() and out.stat().st_size > 10_000 and _is_png(out)
    assert capsys.readouterr().out.rstrip().endswith(f"wrote {out}")


def test_tour_default_out_is_cwd_and_printed_absolute(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["tour", "--n-samples", "200"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fs_plane.png"]
    assert _is_png(tmp_path / "fs_plane.png")
    last = capsys.readouterr().out.rstrip().splitlines()[-1]
    assert last == f"wrote {tmp_path.resolve() / 'fs_plane.png'}"


def test_tour_relative_out_in_subfolder_and_svg(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "figs").mkdir()
    assert main(["tour", "--out", "figs/plane.svg", "--n-samples", "200"]) == 0
    svg = tmp_path / "figs" / "plane.svg"
    assert svg.read_text().lstrip().startswith("<?xml")
    expected = tmp_path.resolve() / "figs" / "plane.svg"
    assert capsys.readouterr().out.rstrip().endswith(f"wrote {expected}")


def test_tour_no_plot_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["tour", "--no-plot", "--n-samples", "10"]) == 0
    assert list(tmp_path.iterdir()) == []
    out = capsys.readouterr().out
    assert "wrote" not in out and "Gaussian, 10 samples" in out
