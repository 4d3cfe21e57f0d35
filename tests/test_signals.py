"""Sliding-window FS trajectories of 1-D series."""

import numpy as np
import pytest

import infoplane as ip
from infoplane.signals import fs_trajectory


def test_windows_steps_and_values():
    r = np.random.default_rng(0)
    x = np.concatenate([r.normal(0, 1, 3000), r.normal(0, 3, 3000)])
    t = fs_trajectory(x, 1000, step=500, rng=1, label="sig")
    assert isinstance(t, ip.FSTrajectory) and t.label == "sig"
    assert len(t) == (6000 - 1000) // 500 + 1
    np.testing.assert_array_equal(t.steps, np.arange(0, 5001, 500) + 499.5)
    # window 0 is N(0,1): N ~ 1, J ~ 1; last window N(0,9): N ~ 9, J ~ 1/9 (4 SE bands)
    first, last = t.points[0], t.points[-1]
    assert abs(first.fisher.value - 1) < 4 * first.fisher.stderr
    assert abs(last.fisher.value - 1 / 9) < 4 * last.fisher.stderr
    assert abs(last.entropy_power.value - 9) < 4 * last.entropy_power.stderr
    # each point is fs_point of its window
    p = ip.fs_point(x[500:1500])
    assert t.points[1].entropy.value == p.entropy.value
    assert t.points[1].fisher.value == p.fisher.value


def test_default_step_and_reproducible():
    x = np.random.default_rng(2).logistic(size=2000)
    a = fs_trajectory(x, 500, rng=3)
    b = fs_trajectory(x, 500, rng=3)
    assert len(a) == 4
    np.testing.assert_array_equal(a.fisher, b.fisher)
    assert [p.fisher.stderr for p in a.points] == [p.fisher.stderr for p in b.points]


def test_bad_input():
    x = np.random.default_rng(4).standard_normal(100)
    with pytest.raises(ValueError, match="window"):
        fs_trajectory(x, 200)
    with pytest.raises(ValueError, match="window"):
        fs_trajectory(x, 5)
    with pytest.raises(ValueError, match="step"):
        fs_trajectory(x, 50, step=0)
    with pytest.raises(ValueError, match="1-D"):
        fs_trajectory(x.reshape(50, 2), 10)
    y = x.copy()
    y[3] = np.nan
    with pytest.raises(ValueError, match="finite"):
        fs_trajectory(y, 50)
