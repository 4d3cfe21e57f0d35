import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", derandomize=True, deadline=None, max_examples=50,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=25)
settings.register_profile("nightly", deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


@pytest.fixture
def cube():
    """A (4, 3, 600) cube of series for the FS-map tests: scaled Gaussian series, one with
    too few finite values, one with a few NaN, one constant, one rounded (heavy ties)."""
    r = np.random.default_rng(18)
    c = r.standard_normal((4, 3, 600)) * np.array([1.0, 2.0, 4.0])[None, :, None]
    c[0, 0, :595] = np.nan                   # too few finite values
    c[1, 1, 10:20] = np.nan                  # a few missing: dropped
    c[2, 2] = 3.0                            # constant
    c[3, 0] = np.round(c[3, 0])              # heavy ties: the estimator refuses
    return c
