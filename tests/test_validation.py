"""Bad density parameters raise ValueError/TypeError naming the parameter and the value."""

import numpy as np
import pytest
from scipy import stats

import infoplane as ip

BAD = [
    (ip.Logistic, dict(loc=0.0, scale=-1.0), ValueError, r"`scale` must be > 0; got -1.0"),
    (ip.Logistic, dict(loc=np.nan), ValueError, r"`loc` must be finite; got nan"),
    (ip.Laplace, dict(scale=0.0), ValueError, r"`scale` must be > 0; got 0.0"),
    (ip.StudentT, dict(df=0.0), ValueError, r"`df` must be > 0; got 0.0"),
    (ip.StudentT, dict(df=3.0, scale=np.inf), ValueError, r"`scale` must be finite; got inf"),
    (ip.StudentT, dict(df="3"), TypeError, r"`df` must be a real number"),
    (ip.MultivariateStudentT, dict(df=-2.0, loc=[0, 0], shape=1.0), ValueError,
     r"`df` must be > 0"),
    (ip.MultivariateStudentT, dict(df=3.0, loc=[0, 0], shape=[[1, 2], [2, 1]]), ValueError,
     r"`shape` must be positive definite"),
    (ip.MultivariateStudentT, dict(df=3.0, loc=[0, 0, 0], shape=[1.0, 1.0]), ValueError,
     r"`loc` must have length 2; got 3"),
    (ip.MultivariateStudentT, dict(df=3.0, loc=[0, np.nan], shape=1.0), ValueError,
     r"`loc` must be finite"),
    (ip.Cauchy, dict(scale=-0.5), ValueError, r"`scale` must be > 0; got -0.5"),
    (ip.GeneralizedGaussian, dict(beta=0.0), ValueError, r"`beta` must be > 0; got 0.0"),
    (ip.GeneralizedGaussian, dict(beta=np.nan), ValueError, r"`beta` must be finite; got nan"),
    (ip.Gamma, dict(shape=-1.0), ValueError, r"`shape` must be > 0; got -1.0"),
    (ip.Gamma, dict(shape=2.0, scale=0.0), ValueError, r"`scale` must be > 0; got 0.0"),
    (ip.Beta, dict(a=0.0, b=1.0), ValueError, r"`a` must be > 0; got 0.0"),
    (ip.Beta, dict(a=1.0, b=np.nan), ValueError, r"`b` must be finite; got nan"),
    (ip.Uniform, dict(low=1.0, high=1.0), ValueError, r"`high` must be > `low` \(1.0\); got 1.0"),
    (ip.Uniform, dict(low=-np.inf, high=1.0), ValueError, r"`low` must be finite; got -inf"),
    (ip.GaussianMixture, dict(weights=[0.5, 0.4], means=[0, 1], covs=[1, 1]), ValueError,
     r"`weights` must sum to 1; got sum 0.9"),
    (ip.GaussianMixture, dict(weights=[1.5, -0.5], means=[0, 1], covs=[1, 1]), ValueError,
     r"`weights` must be >= 0"),
    (ip.GaussianMixture, dict(weights=[0.5, 0.5], means=[0, 1, 2], covs=[1, 1]), ValueError,
     r"`weights` must have length 3; got 2"),
    (ip.GaussianMixture, dict(weights=[0.5, 0.5], means=[0, 1], covs=[1, -1]), ValueError,
     r"`covs` must be > 0 elementwise"),
    (ip.GaussianMixture, dict(weights=[0.5, 0.5], means=[[0, 0], [1, 1]],
                              covs=[np.eye(2), [[1, 3], [3, 1]]]), ValueError,
     r"`covs\[1\]` must be positive definite"),
    (ip.GaussianMixture, dict(weights=[0.5, 0.5], means=[[0, 0], [1, 1]], covs=np.ones((2, 3))),
     ValueError, r"`covs` must have shape \(2,\), \(2, 2\) or \(2, 2, 2\)"),
    (ip.GaussianMixture, dict(weights=[1.0], means=[np.nan], covs=[1.0]), ValueError,
     r"`means` must be finite"),
    (ip.GaussianMixture, dict(weights=[1.0], means=np.zeros((1, 1, 1)), covs=[1.0]), ValueError,
     r"`means` must have shape \(K,\) or \(K, d\)"),
    (ip.Gaussian, dict(mean=[0, 0], cov=np.ones((2, 2, 2))), ValueError, r"`cov` must be a scalar"),
]


@pytest.mark.parametrize("cls, kwargs, exc, match", BAD, ids=lambda v: getattr(v, "__name__", None))
def test_bad_parameters(cls, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        cls(**kwargs)


def test_affine_bad_maps():
    with pytest.raises(ValueError, match=r"`A` must be invertible; got 0.0"):
        ip.Affine(ip.Gaussian(), 0.0)
    with pytest.raises(ValueError, match=r"`A` must be invertible"):
        ip.Affine(ip.Gaussian([0, 0], 1.0), [[1.0, 2.0], [2.0, 4.0]])
    with pytest.raises(ValueError,
                       match=r"`A` must be a scalar or have shape \(2, 2\); got \(3, 3\)"):
        ip.Affine(ip.Gaussian([0, 0], 1.0), np.eye(3))
    with pytest.raises(ValueError, match=r"`A` must be finite"):
        ip.Affine(ip.Gaussian([0, 0], 1.0), [[1.0, np.nan], [0.0, 1.0]])
    with pytest.raises(ValueError, match=r"`b` must have length 2; got 3"):
        ip.Affine(ip.Gaussian([0, 0], 1.0), 1.0, [0, 0, 0])
    with pytest.raises(TypeError, match=r"`base` must be a Density; got list"):
        ip.Affine([1, 2], 1.0)


def test_product_bad_components():
    with pytest.raises(TypeError, match=r"`components\[1\]` must be a Density; got float"):
        ip.Product([ip.Gaussian(), 1.0])
    with pytest.raises(ValueError, match=r"`components` must contain at least one Density"):
        ip.Product([])


def test_density_bad_points_and_sizes():
    with pytest.raises(ValueError, match=r"`x` must have shape \(\.\.\., 3\)"):
        ip.MultivariateStudentT(3.0, np.zeros(3), 1.0).logpdf(np.zeros((4, 2)))
    with pytest.raises(ValueError, match=r"`size` must be >= 0; got -1"):
        ip.Logistic().sample(-1)


def test_scipy_adapter_rejects_discrete_multivariate_and_other_objects():
    with pytest.raises(TypeError, match="discrete 'poisson'"):
        ip.from_scipy(stats.poisson(3.0))
    with pytest.raises(TypeError, match="Multivariate scipy distributions are not converted"):
        ip.fisher(stats.multivariate_normal([0, 0], np.eye(2)))
    with pytest.raises(TypeError, match="frozen univariate continuous"):
        ip.from_scipy(ip.Gaussian())


def test_mixture_convolve_checks():
    a = ip.GaussianMixture([1.0], [0.0], [1.0])
    with pytest.raises(TypeError, match="`other` must be a GaussianMixture"):
        a.convolve(ip.Gaussian())
    with pytest.raises(ValueError, match="`other` must have dim 1; got 2"):
        a.convolve(ip.GaussianMixture([1.0], [[0.0, 0.0]], [1.0]))
