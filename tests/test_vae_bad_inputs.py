"""Table-driven bad input for infoplane.vae (issues #9, #10).

Every row is either an input that must be refused -- the exception type and a fragment of
its message that names the offending argument -- or an extreme but legal input whose
result must lie within a stated tolerance of an independent truth (closed forms written
out here with scipy/mpmath, not the library's formulas).
"""

import math
import random

import mpmath
import numpy as np
import pytest
from scipy import stats

torch = pytest.importorskip("torch")

from torch import distributions as D  # noqa: E402

from infoplane.vae import (  # noqa: E402
    active_units,
    conditional_fs,
    distribution_fs,
    fisher_penalty,
    fs_point,
    gaussian_fisher,
    kl_per_dim,
    posterior_fs,
)

F64 = torch.float64


def _mu(m=4, d=2, dtype=F64):
    return torch.arange(m * d, dtype=dtype).reshape(m, d) / 3.0


def _lv(value=0.0, m=4, d=2, dtype=F64):
    return torch.full((m, d), value, dtype=dtype)


def _encoder_never_called(x):
    raise AssertionError("the options must be checked before the encoder runs")


_X = torch.zeros(6, 3, dtype=F64)
_N01 = D.Normal(torch.zeros(5, 2), 1.0)

# (call, exception type, regex on the message); every message names its argument in `...`
REFUSED = [
    # ---- n_mc: a minimum, named with the minimum (issue #9: n_mc = 1, 2 gave J < 0, SE 0)
    (lambda: posterior_fs(_mu(), _lv(), n_mc=1), ValueError, r"`n_mc` must be >= 300; got 1\b"),
    (lambda: posterior_fs(_mu(), _lv(), n_mc=2), ValueError, r"`n_mc` must be >= 300; got 2\b"),
    (lambda: posterior_fs(_mu(), _lv(), n_mc=299), ValueError, r"`n_mc` must be >= 300"),
    (lambda: posterior_fs(_mu(), _lv(), n_mc=0), ValueError, r"`n_mc` must be >= 300"),
    (lambda: posterior_fs(_mu(), _lv(), n_mc=-5), ValueError, r"`n_mc` must be >= 300"),
    (lambda: posterior_fs(_mu(), _lv(), n_mc=500.0), TypeError, r"`n_mc` must be an integer"),
    (lambda: posterior_fs(_mu(), _lv(), n_mc=True), TypeError, r"`n_mc` must be an integer"),
    (lambda: distribution_fs(_N01, aggregate=True, n_mc=299), ValueError, r"`n_mc` must be >= 300"),
    (lambda: fs_point(_encoder_never_called, _X, n_mc=10, progress=False), ValueError,
     r"`n_mc` must be >= 300"),
    # ---- logvar out of the representable range (issue #10: ±1e4 gave NaN silently)
    (lambda: posterior_fs(_mu(), _lv(1e4)), ValueError,
     r"`logvar` must lie in \[-300, 300\]; got 10000 \(row 0, column 0\)"),
    (lambda: posterior_fs(_mu(), _lv(-1e4)), ValueError, r"`logvar` must lie in \[-300, 300\]"),
    (lambda: posterior_fs(_mu(), _lv(300.5)), ValueError, r"`logvar` must lie in"),
    (lambda: conditional_fs(_mu(), _lv(-1e4)), ValueError, r"`logvar` must lie in"),
    (lambda: kl_per_dim(_mu(), _lv(1e4)), ValueError, r"`logvar` must lie in"),
    (lambda: posterior_fs(_mu(), _lv(math.inf)), ValueError, r"`logvar` must be finite"),
    (lambda: posterior_fs(_mu(), _lv(math.nan)), ValueError, r"`logvar` must be finite"),
    (lambda: posterior_fs(_mu(), _lv(-50.0), dtype=torch.float32), ValueError,
     r"`dtype` float32 needs \|logvar\| <= 40.*dtype=torch.float64"),
    # ---- one rule for tensors in every function: floating point only
    (lambda: posterior_fs(_mu(), _lv().long()), TypeError,
     r"`logvar` must be a floating-point tensor; got dtype torch.int64.*\.float\(\)"),
    (lambda: posterior_fs(_mu().long(), _lv()), TypeError, r"`mu` must be a floating-point"),
    (lambda: conditional_fs(_mu(), _lv().bool()), TypeError, r"`logvar` must be a floating-point"),
    (lambda: posterior_fs(_mu().to(torch.complex128), _lv().to(torch.complex128)), TypeError,
     r"`mu` must be a floating-point"),
    (lambda: kl_per_dim(_mu().int(), _lv()), TypeError, r"`mu` must be a floating-point"),
    (lambda: active_units(_mu().long()), TypeError, r"`mu` must be a floating-point"),
    (lambda: gaussian_fisher(torch.zeros(2, 3, dtype=torch.int64)), TypeError,
     r"`logvar` must be a floating-point"),
    (lambda: fisher_penalty(torch.zeros(2, 3, dtype=torch.int64), 1.0), TypeError,
     r"`logvar` must be a floating-point"),
    (lambda: fisher_penalty(np.zeros((2, 3)), 1.0), TypeError, r"`logvar` must be a torch.Tensor"),
    # ---- flags are real bools (issue #10: per_dim="no" read as True)
    (lambda: fisher_penalty(_lv(), 20.0, per_dim="no"), TypeError,
     r"`per_dim` must be a bool \(True or False\); got 'no'"),
    (lambda: fisher_penalty(_lv(), 20.0, per_dim=1), TypeError, r"`per_dim` must be a bool"),
    (lambda: gaussian_fisher(_lv(), per_dim="yes"), TypeError, r"`per_dim` must be a bool"),
    (lambda: posterior_fs(_mu(), _lv(), aggregate="no"), TypeError, r"`aggregate` must be a bool"),
    (lambda: posterior_fs(_mu(), _lv(), progress=1), TypeError, r"`progress` must be a bool"),
    (lambda: distribution_fs(_N01, aggregate=1), TypeError, r"`aggregate` must be a bool"),
    (lambda: distribution_fs(_N01, progress="no"), TypeError, r"`progress` must be a bool"),
    (lambda: fs_point(_encoder_never_called, _X, progress="no"), TypeError,
     r"`progress` must be a bool"),
    (lambda: fs_point(_encoder_never_called, _X, progress=False, aggregate=None), TypeError,
     r"`aggregate` must be a bool"),
    (lambda: active_units(_mu(), return_variance="yes"), TypeError,
     r"`return_variance` must be a bool"),
    # ---- numbers are real scalars (issue #10: target=None gave "float() argument ...")
    (lambda: fisher_penalty(_lv(), None), TypeError,
     r"`target` must be a real number; got NoneType"),
    (lambda: fisher_penalty(_lv(), "20"), TypeError, r"`target` must be a real number; got str"),
    (lambda: fisher_penalty(_lv(), True), TypeError, r"`target` must be a real number; got bool"),
    (lambda: fisher_penalty(_lv(), torch.tensor(20.0)), TypeError,
     r"`target` must be a real number; got Tensor \(use `.item\(\)`"),
    (lambda: fisher_penalty(_lv(), -1.0), ValueError, r"`target` must be a finite number >= 0"),
    (lambda: fisher_penalty(_lv(), math.nan), ValueError, r"`target` must be a finite number"),
    (lambda: fisher_penalty(_lv(), 1.0, weight=None), TypeError, r"`weight` must be a real number"),
    (lambda: fisher_penalty(_lv(), 1.0, weight=-0.5), ValueError, r"`weight` must be a finite"),
    (lambda: fisher_penalty(_lv(), 1.0, reduction=None), ValueError, r"`reduction` must be one of"),
    (lambda: active_units(_mu(), threshold=None), TypeError, r"`threshold` must be a real number"),
    (lambda: active_units(_mu(), threshold=-1), ValueError, r"`threshold` must be a finite number"),
    # ---- J that overflows the tensor's dtype is refused, not returned as inf/NaN
    (lambda: gaussian_fisher(_lv(-100.0, dtype=torch.float32)), ValueError,
     r"`logvar` gives a Fisher information .* overflows torch.float32 \(smallest logvar -100\)"),
    (lambda: fisher_penalty(_lv(-1e4), 1.0), ValueError,
     r"`logvar` gives .* overflows torch.float64"),
    (lambda: fisher_penalty(_lv(math.nan), 1.0), ValueError,
     r"`logvar` must be finite; found 8 NaN"),
    # ---- rng (issue #10: 0.5, -1, "abc", random.Random)
    (lambda: posterior_fs(_mu(), _lv(), n_mc=300, rng=0.5), TypeError,
     r"`rng` must be None, a non-negative int seed, a numpy.random.Generator or a "
     r"torch.Generator; got float 0.5"),
    (lambda: posterior_fs(_mu(), _lv(), n_mc=300, rng=-1), ValueError,
     r"`rng` must be a non-negative int seed; got -1"),
    (lambda: posterior_fs(_mu(), _lv(), n_mc=300, rng="abc"), TypeError,
     r"`rng` must be .*got str"),
    (lambda: posterior_fs(_mu(), _lv(), n_mc=300, rng=random.Random(0)), TypeError,
     r"`rng` must be .*got Random"),
    (lambda: posterior_fs(_mu(), _lv(), n_mc=300, rng=True), TypeError, r"`rng` must be"),
    (lambda: posterior_fs(_mu(), _lv(), n_mc=300, rng=np.random.RandomState(0)), TypeError,
     r"`rng` must be .*got RandomState"),
    (lambda: distribution_fs(_N01, rng=-1), ValueError, r"`rng` must be a non-negative int"),
    (lambda: distribution_fs(_N01, rng=0.5), TypeError, r"`rng` must be"),
    (lambda: distribution_fs(_N01, rng=random.Random(0)), TypeError, r"`rng` must be"),
    (lambda: distribution_fs(_N01, rng="abc"), TypeError, r"`rng` must be"),
    (lambda: fs_point(_encoder_never_called, _X, progress=False, rng=-1), ValueError,
     r"`rng` must be a non-negative int"),
    (lambda: fs_point(_encoder_never_called, _X, progress=False, rng=0.5), TypeError,
     r"`rng` must be"),
    # ---- dtype / device options
    (lambda: posterior_fs(_mu(), _lv(), dtype=torch.float16), TypeError,
     r"`dtype` must be torch.float64, torch.float32 or None"),
    (lambda: posterior_fs(_mu(), _lv(), dtype="float64"), TypeError, r"`dtype` must be"),
    (lambda: fs_point(_encoder_never_called, _X, progress=False, device=3.5), TypeError,
     r"`device` must be None, a torch.device or a device string"),
    # ---- distributions: only densities on all of R^d (issue #10: Categorical -> RuntimeError)
    (lambda: distribution_fs(D.Categorical(probs=torch.ones(3, 4))), TypeError,
     r"`dist` must be one of the supported continuous distributions .*got Categorical"),
    (lambda: distribution_fs(D.Bernoulli(probs=torch.full((3, 2), 0.5))), TypeError,
     r"`dist` must be one of the supported .*got Bernoulli"),
    (lambda: distribution_fs(D.Gamma(torch.ones(3, 2), 1.0)), TypeError,
     r"`dist` must be one of the supported .*got Gamma with support GreaterThanEq"),
    (lambda: distribution_fs(D.Uniform(torch.zeros(3, 2), 1.0)), TypeError,
     r"`dist` must be one of the supported .*got Uniform"),
    (lambda: distribution_fs(D.Dirichlet(torch.ones(3, 2))), TypeError,
     r"`dist` must be one of the supported .*got Dirichlet"),
    (lambda: distribution_fs(D.OneHotCategorical(probs=torch.ones(3, 4))), TypeError,
     r"`dist` must be one of the supported .*got OneHotCategorical"),
    (lambda: fs_point(lambda x: D.Categorical(logits=x), _X, progress=False), TypeError,
     r"`dist` must be one of the supported .*got Categorical"),
    (lambda: distribution_fs(torch.zeros(3)), TypeError,
     r"`dist` must be a torch.distributions.Distribution"),
]


@pytest.mark.parametrize("call, exc, match", REFUSED,
                         ids=[f"refused-{i}" for i in range(len(REFUSED))])
def test_refused(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def test_every_refusal_names_an_argument():
    for _, _, match in REFUSED:
        assert "`" in match


# ------------------------------------------------------------------ accepted, with truth


def _h_diag(lv):
    """Entropy of N(μ, diag exp(lv)) as a sum of scipy's 1-D normal entropies."""
    return float(sum(stats.norm(scale=math.exp(v / 2)).entropy() for v in lv))


def _j_diag(lv):
    """tr J of N(μ, diag exp(lv)) = Σ 1/σ², in 50-digit arithmetic."""
    with mpmath.workdps(50):
        return float(mpmath.fsum(1 / mpmath.exp(mpmath.mpf(v)) for v in lv))


_LV_ROW = [-80.0, -79.0, -81.5]
_LV_ROW_HI = [80.0, 300.0, -300.0]

# (call returning a float, truth, rel tolerance, abs tolerance)
ACCEPTED = [
    # σ² = e^-80 is legal: J huge but finite, H very negative (issue #10)
    (lambda: conditional_fs(torch.zeros(1, 3, dtype=F64), torch.tensor([_LV_ROW], dtype=F64))
     .fisher.value, _j_diag(_LV_ROW), 1e-14, 0.0),
    (lambda: conditional_fs(torch.zeros(1, 3, dtype=F64), torch.tensor([_LV_ROW], dtype=F64))
     .entropy.value, _h_diag(_LV_ROW), 1e-14, 0.0),
    (lambda: conditional_fs(torch.zeros(1, 3, dtype=F64), torch.tensor([_LV_ROW_HI], dtype=F64))
     .fisher.value, _j_diag(_LV_ROW_HI), 1e-14, 0.0),
    (lambda: conditional_fs(torch.zeros(1, 3, dtype=F64), torch.tensor([_LV_ROW_HI], dtype=F64))
     .entropy.value, _h_diag(_LV_ROW_HI), 1e-14, 0.0),
    # float32 input whose J (~e^85 · 3) would overflow a float32 sum is reduced in float64
    (lambda: conditional_fs(torch.zeros(1, 3), torch.full((1, 3), -88.0)).fisher.value,
     _j_diag([-88.0] * 3), 1e-14, 0.0),
    (lambda: float(gaussian_fisher(torch.tensor([_LV_ROW], dtype=F64))[0]), _j_diag(_LV_ROW),
     1e-14, 0.0),
    # Stam's product of a row with equal variances is exactly 1, however extreme
    (lambda: conditional_fs(torch.zeros(2, 2, dtype=F64), _lv(-300.0, 2, 2)).product.value,
     1.0, 1e-12, 0.0),
    (lambda: conditional_fs(torch.zeros(2, 2, dtype=F64), _lv(300.0, 2, 2)).product.value,
     1.0, 1e-12, 0.0),
    # numpy scalars are real numbers: the same penalty as with a Python float
    (lambda: float(fisher_penalty(_lv(0.0, 2, 3), np.float32(2.5), weight=np.int64(2))),
     2 * abs(3.0 - 2.5), 1e-7, 0.0),
    (lambda: float(fisher_penalty(_lv(0.0, 2, 3), np.array(2.5))), 0.5, 1e-15, 0.0),
    # the boundary itself is accepted: |logvar| = 300
    (lambda: posterior_fs(torch.zeros(1, 2, dtype=F64), _lv(-300.0, 1, 2), n_mc=300, rng=0)
     .aggregate_fisher, _j_diag([-300.0, -300.0]), 1e-12, 0.0),
    (lambda: posterior_fs(torch.zeros(1, 2, dtype=F64), _lv(300.0, 1, 2), n_mc=300, rng=0)
     .aggregate_entropy, _h_diag([300.0, 300.0]), 1e-12, 0.0),
]


@pytest.mark.parametrize("call, truth, rel, abs_", ACCEPTED,
                         ids=[f"accepted-{i}" for i in range(len(ACCEPTED))])
def test_accepted_within_tolerance_of_truth(call, truth, rel, abs_):
    value = call()
    assert math.isfinite(value)
    assert value == pytest.approx(truth, rel=rel, abs=abs_)


def test_rng_kinds_all_accepted_and_reproducible():
    mu = torch.randn(30, 2, generator=torch.Generator().manual_seed(1), dtype=F64)
    lv = torch.zeros(30, 2, dtype=F64)
    ref = posterior_fs(mu, lv, n_mc=300, rng=3).mi
    assert posterior_fs(mu, lv, n_mc=300, rng=np.int64(3)).mi == ref
    assert posterior_fs(mu, lv, n_mc=300, rng=np.random.default_rng(3)).mi == ref
    assert posterior_fs(mu, lv, n_mc=300, rng=0).mi != ref
    # distribution_fs takes the same kinds, torch.Generator included
    dist = D.MultivariateNormal(mu[:5], torch.eye(2, dtype=F64))
    g1, g2 = torch.Generator().manual_seed(4), torch.Generator().manual_seed(4)
    a = distribution_fs(dist, n_samples=50, rng=g1).conditional_fisher
    assert distribution_fs(dist, n_samples=50, rng=g2).conditional_fisher == a
    b = distribution_fs(dist, n_samples=50, rng=np.int32(7)).conditional_fisher
    assert distribution_fs(dist, n_samples=50, rng=7).conditional_fisher == b
