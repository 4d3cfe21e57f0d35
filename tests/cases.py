"""Closed-form table: every density family with its literature entropy and Fisher information.

The formulas are written out here independently of ``infoplane`` (no call into the
library's closed-form hooks), with their sources. ``scipy`` gives an independent
implementation of the density where one exists.

Sources
-------
[CT]  Cover & Thomas (2006), Elements of Information Theory, 2nd ed., ch. 8 (Gaussian H).
[LR]  Lazo & Rathie (1978), On the entropy of continuous probability distributions,
      IEEE Trans. Inf. Theory 24(1):120-122 (H of Laplace, logistic, Cauchy, Student t,
      gamma, beta, uniform).
[LC]  Lehmann & Casella (1998), Theory of Point Estimation, 2nd ed., ch. 2 (location
      Fisher information of the normal, Laplace, logistic, Cauchy and t families).
[LLT] Lange, Little & Taylor (1989), Robust statistical modeling using the t distribution,
      JASA 84:881-896 (Fisher matrix of the multivariate t location).
[KN]  Kotz & Nadarajah (2004), Multivariate t Distributions and Their Applications, ch. 1
      (H of the multivariate t).
[N05] Nadarajah (2005), A generalized normal distribution, J. Appl. Stat. 32:685-694
      (H and absolute moments of the generalized Gaussian); J follows from
      E|Z|^p = Γ((p+1)/β)/Γ(1/β) with p = 2β - 2.
[JKB] Johnson, Kotz & Balakrishnan (1994/95), Continuous Univariate Distributions,
      vol. 1 ch. 17 (gamma), vol. 2 ch. 25 (beta): inverse moments, from which
      J = (k-1)² E X⁻² - 2(k-1)/θ E X⁻¹ + 1/θ² etc.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
from scipy import special, stats

import infoplane as ip

LN2PIE = math.log(2 * math.pi * math.e)


@dataclass(frozen=True)
class Case:
    id: str
    make: Callable[[], ip.Density]
    H: float
    J: float  # math.inf when infinite
    source: str
    scipy: object | None = None  # an independent frozen scipy distribution, when one exists


def _t_h(nu, s=1.0):
    return (
        (nu + 1) / 2 * (special.digamma((nu + 1) / 2) - special.digamma(nu / 2))
        + math.log(math.sqrt(nu) * special.beta(nu / 2, 0.5)) + math.log(s)
    )


def _gg_h(b, a):
    return 1 / b - math.log(b / (2 * a * special.gamma(1 / b)))


def _gg_j(b, a):
    return b**2 * special.gamma(2 - 1 / b) / (a**2 * special.gamma(1 / b))


def _gamma_h(k, t):
    return k + math.log(t) + special.gammaln(k) + (1 - k) * special.digamma(k)


def _beta_h(a, b):
    dg = special.digamma
    return special.betaln(a, b) - (a - 1) * dg(a) - (b - 1) * dg(b) + (a + b - 2) * dg(a + b)


def _beta_j(a, b):
    return (a + b - 1) * (a + b - 2) * (1 / (a - 2) + 1 / (b - 2))


UNIVARIATE = [
    Case("gaussian", lambda: ip.Gaussian(0.5, 2.25), 0.5 * math.log(2 * math.pi * math.e * 2.25),
         1 / 2.25, "[CT] H; [LC] J = 1/σ²", stats.norm(0.5, 1.5)),
    Case("laplace", lambda: ip.Laplace(-1.0, 0.7), 1 + math.log(2 * 0.7), 1 / 0.7**2,
         "[LR] H = 1 + ln 2b; [LC] J = 1/b²", stats.laplace(-1.0, 0.7)),
    Case("logistic", lambda: ip.Logistic(2.0, 1.3), math.log(1.3) + 2, 1 / (3 * 1.3**2),
         "[LR] H = ln s + 2; [LC] J = 1/(3s²)", stats.logistic(2.0, 1.3)),
    Case("student_t5", lambda: ip.StudentT(5.0, 0.3, 2.0), _t_h(5.0, 2.0),
         6 / (8 * 4.0), "[LR] H; [LC] J = (ν+1)/((ν+3)σ²)", stats.t(5.0, 0.3, 2.0)),
    Case("student_t1.5", lambda: ip.StudentT(1.5, 0.0, 0.5), _t_h(1.5, 0.5),
         2.5 / (4.5 * 0.25), "[LR] H; [LC] J = (ν+1)/((ν+3)σ²)", stats.t(1.5, 0.0, 0.5)),
    Case("cauchy", lambda: ip.Cauchy(1.0, 3.0), math.log(4 * math.pi * 3.0), 1 / (2 * 9.0),
         "[LR] H = ln 4πγ; [LC] J = 1/(2γ²)", stats.cauchy(1.0, 3.0)),
    Case("gennorm1.5", lambda: ip.GeneralizedGaussian(1.5, 0.0, 2.0), _gg_h(1.5, 2.0),
         _gg_j(1.5, 2.0), "[N05] H; J from absolute moments", stats.gennorm(1.5, 0.0, 2.0)),
    Case("gennorm0.7", lambda: ip.GeneralizedGaussian(0.7, 1.0, 1.0), _gg_h(0.7, 1.0),
         _gg_j(0.7, 1.0), "[N05] H; J from absolute moments (β > 1/2)",
         stats.gennorm(0.7, 1.0, 1.0)),
    Case("gennorm4", lambda: ip.GeneralizedGaussian(4.0, 0.0, 0.5), _gg_h(4.0, 0.5),
         _gg_j(4.0, 0.5), "[N05] H; J from absolute moments", stats.gennorm(4.0, 0.0, 0.5)),
    Case("gennorm0.4", lambda: ip.GeneralizedGaussian(0.4), _gg_h(0.4, 1.0), math.inf,
         "[N05] H; J = ∞ for β ≤ 1/2 (Γ(2 - 1/β) pole)", stats.gennorm(0.4)),
    Case("gamma3.5", lambda: ip.Gamma(3.5, 2.0), _gamma_h(3.5, 2.0), 1 / (4.0 * 1.5),
         "[LR] H; [JKB] J = 1/(θ²(k-2))", stats.gamma(3.5, scale=2.0)),
    Case("gamma2.5", lambda: ip.Gamma(2.5, 0.5), _gamma_h(2.5, 0.5), 1 / (0.25 * 0.5),
         "[LR] H; [JKB] J = 1/(θ²(k-2))", stats.gamma(2.5, scale=0.5)),
    Case("gamma1.5", lambda: ip.Gamma(1.5, 1.0), _gamma_h(1.5, 1.0), math.inf,
         "[LR] H; [JKB] E X⁻² = ∞ for k ≤ 2", stats.gamma(1.5)),
    Case("exponential", lambda: ip.Gamma(1.0, 2.0), 1 + math.log(2.0), math.inf,
         "[LR] H; jump at 0 ⇒ J = ∞", stats.expon(scale=2.0)),
    Case("beta3,4", lambda: ip.Beta(3.0, 4.0), _beta_h(3.0, 4.0), _beta_j(3.0, 4.0),
         "[LR] H; [JKB] J = (a+b-1)(a+b-2)(1/(a-2) + 1/(b-2))", stats.beta(3.0, 4.0)),
    Case("beta2.5,6", lambda: ip.Beta(2.5, 6.0), _beta_h(2.5, 6.0), _beta_j(2.5, 6.0),
         "[LR] H; [JKB] J", stats.beta(2.5, 6.0)),
    Case("beta2,3", lambda: ip.Beta(2.0, 3.0), _beta_h(2.0, 3.0), math.inf,
         "[LR] H; [JKB] E X⁻² = ∞ for a ≤ 2", stats.beta(2.0, 3.0)),
    Case("uniform", lambda: ip.Uniform(-1.0, 2.0), math.log(3.0), math.inf,
         "[LR] H = ln(b-a); jumps ⇒ J = ∞", stats.uniform(-1.0, 3.0)),
]


def _mvt_h(nu, d, logdet):
    a = (nu + d) / 2
    return (
        special.gammaln(nu / 2) + d / 2 * math.log(nu * math.pi) - special.gammaln(a)
        + 0.5 * logdet + a * (special.digamma(a) - special.digamma(nu / 2))
    )


_S3 = np.array([[2.0, 0.5, 0.0], [0.5, 1.0, -0.3], [0.0, -0.3, 1.5]])
_A2 = np.array([[1.5, 0.4], [-0.3, 0.8]])

MULTIVARIATE = [
    Case("mvt3", lambda: ip.MultivariateStudentT(4.0, [0.0, 1.0, -1.0], _S3),
         _mvt_h(4.0, 3, math.log(np.linalg.det(_S3))),
         (4 + 3) / (4 + 3 + 2) * float(np.trace(np.linalg.inv(_S3))),
         "[KN] H; [LLT] J = (ν+d)/(ν+d+2) tr Σ⁻¹",
         stats.multivariate_t([0.0, 1.0, -1.0], _S3, df=4.0)),
    Case("product_logistic_cauchy", lambda: ip.Logistic(0.0, 2.0) * ip.Cauchy(1.0, 0.5),
         math.log(2.0) + 2 + math.log(4 * math.pi * 0.5), 1 / 12 + 2.0,
         "H and J add over independent blocks"),
    Case("affine_laplace2", lambda: ip.Affine(ip.Laplace() * ip.Laplace(), _A2, [1.0, -2.0]),
         2.0 * (1 + math.log(2.0)) + math.log(abs(np.linalg.det(_A2))),
         float(np.trace(np.linalg.inv(_A2).T @ np.linalg.inv(_A2))),
         "H(AX+b) = H(X) + ln|det A|; J = tr(A⁻ᵀ J_X A⁻¹) with J_X = I"),
]
