"""Laws, truths, efficiency floors and the BEFORE estimator of the 1-D benchmarks.

Shared by ``accuracy_1d.py``, ``coverage_1d.py``, ``edges_1d.py`` and ``bandwidth_1d.py``.

Truths are independent of infoplane: closed forms from the literature (Gaussian, Laplace,
logistic, Student t5, Cauchy, Gamma, Beta, lognormal, Gumbel, asymmetric Laplace), each
cross-checked by ``scipy.integrate.quad``, and quadrature alone for the mixtures and the
skew-normal law. Groups: ``smooth`` (the original smooth laws), ``skewed`` (lognormal,
skew-normal, Gumbel: not tuned on), ``cusp`` (Laplace = generalised Gaussian β = 1,
asymmetric Laplace) and ``boundary`` (Gamma k ∈ {2.5, 3, 4, 5, 8}, Beta (a, b) ∈
{(2.5, 2.5), (3, 5), (4, 6), (5, 3)}: support ends where the density vanishes like
x^(a-1); only Gamma(4) and Beta(4, 6) were in the benchmark before issue 11, and the edge
model was tuned on other laws, see ``edges_1d.py``).

``BEFORE`` is the 1-D Fisher estimator as of commit ``BEFORE_COMMIT`` (the branch point
of the issue-11 work), loaded from git and run on the same samples through the same
power-of-two standardisation as ``infoplane.estimators.samples``.
"""

from __future__ import annotations

import importlib.util
import math
import subprocess
import sys
import types
from pathlib import Path

import numpy as np
from scipy import integrate, special, stats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import infoplane as ip  # noqa: E402
from infoplane._numerics import pow2_standardize  # noqa: E402

BEFORE_COMMIT = "ad90bee"
NU = 5
_PHI = stats.norm.pdf
INF = math.inf


# --------------------------------------------------------------------------- baseline
def _load_before():
    """infoplane/estimators/fft_kde_fisher.py as of BEFORE_COMMIT, imported beside the
    current one (None when git or the commit is unavailable)."""
    try:
        src = subprocess.run(
            ["git", "show", f"{BEFORE_COMMIT}:infoplane/estimators/fft_kde_fisher.py"],
            cwd=ROOT, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    name = "infoplane.estimators._fft_kde_fisher_before"
    mod = types.ModuleType(name)
    mod.__package__ = "infoplane.estimators"
    mod.__spec__ = importlib.util.spec_from_loader(name, loader=None)
    exec(compile(src, f"<{BEFORE_COMMIT}:fft_kde_fisher.py>", "exec"), mod.__dict__)
    return mod


BEFORE = _load_before()
BEFORE_LAB = f"before ({BEFORE_COMMIT})"


def before_fisher(x, seed, n_boot=100):
    """(J, stderr) of 1-D samples `x` by the BEFORE estimator, standardised exactly as
    ``ip.fisher`` does (``rng=seed``)."""
    X = np.asarray(x, dtype=float).reshape(-1, 1)
    Y, e, _ = pow2_standardize(X)
    unit = float(np.exp2(e[0]))
    v, se, _ = BEFORE.fisher_kde(np.sort(Y[:, 0]), rng=np.random.default_rng(seed),
                                 n_boot=n_boot, x_unit=unit)
    return float(np.ldexp(v, int(-2 * e[0]))), float(np.ldexp(se, int(-2 * e[0])))


def before_kernel():
    """A drop-in for ``fft_kde_fisher.fisher_kde`` running the BEFORE code (for timing
    fs_point with the BEFORE Fisher half)."""
    def kde(x, *, rng, bandwidth="auto", n_boot=100, x_unit=1.0, x_offset=0.0,
            support=None):
        v, se, opts = BEFORE.fisher_kde(x, rng=rng, bandwidth=bandwidth, n_boot=n_boot,
                                        x_unit=x_unit)
        return v, se, opts, None
    return kde


# --------------------------------------------------------------------------- laws
def _gmix(w, mu, sd):
    """pdf, pdf', pdf'' and sampler of a 1-D Gaussian mixture (sd = standard deviations)."""
    w, mu, sd = map(np.asarray, (w, mu, sd))

    def parts(x):
        z = (np.asarray(x, dtype=float)[..., None] - mu) / sd
        return w * _PHI(z) / sd, z

    def pdf(x):
        return parts(x)[0].sum(-1)

    def d1(x):
        g, z = parts(x)
        return (-z / sd * g).sum(-1)

    def d2(x):
        g, z = parts(x)
        return ((z * z - 1) / sd**2 * g).sum(-1)

    def sample(r, n):
        k = np.searchsorted(np.cumsum(w), r.random(n), side="right").clip(0, w.size - 1)
        return mu[k] + sd[k] * r.standard_normal(n)

    return pdf, d1, d2, sample


def _scalemix():
    """0.8 N(0, 1) + 0.2 Cauchy(0, 5): a Gaussian scale mixture with a Cauchy tail."""
    c = stats.cauchy(scale=5.0)
    pdf = lambda x: 0.8 * _PHI(x) + 0.2 * c.pdf(x)  # noqa: E731
    d1 = lambda x: -0.8 * x * _PHI(x) + 0.2 * c.pdf(x) * (-2 * x / (25 + x * x))  # noqa: E731

    def d2(x):
        q = 25 + x * x
        return 0.8 * (x * x - 1) * _PHI(x) + 0.2 * c.pdf(x) * (6 * x * x - 50) / q**2

    def sample(r, n):
        return np.where(r.random(n) < 0.8, r.standard_normal(n), 5.0 * r.standard_cauchy(n))

    return pdf, d1, d2, sample


def _from_score(dist, score, dscore):
    """pdf, pdf', pdf'' of a scipy law from its score s and s'."""
    pdf = dist.pdf
    return (pdf, lambda x: score(x) * pdf(x),
            lambda x: (score(x) ** 2 + dscore(x)) * pdf(x))


def _gamma(k):
    g = stats.gamma(k)
    pdf, d1, d2 = _from_score(g, lambda x: (k - 1) / x - 1, lambda x: -(k - 1) / x**2)
    return dict(pdf=pdf, d1=d1, d2=d2, sample=lambda r, n: r.gamma(k, 1.0, n),
                J=1 / (k - 2), H=k + special.gammaln(k) + (1 - k) * special.digamma(k),
                support=(0.0, INF), points=[max(k - 1, 0.5)], shape=(k,),
                family=("gamma", k), group="boundary", label=f"Gamma({k:g},1)")


def _beta(a, b):
    be = stats.beta(a, b)
    pdf, d1, d2 = _from_score(be, lambda x: (a - 1) / x - (b - 1) / (1 - x),
                              lambda x: -(a - 1) / x**2 - (b - 1) / (1 - x) ** 2)
    dg = special.digamma
    H = special.betaln(a, b) - (a - 1) * dg(a) - (b - 1) * dg(b) + (a + b - 2) * dg(a + b)
    return dict(pdf=pdf, d1=d1, d2=d2, sample=lambda r, n: r.beta(a, b, n),
                J=(a + b - 1) * (a + b - 2) * (1 / (a - 2) + 1 / (b - 2)), H=H,
                support=(0.0, 1.0), points=[(a - 1) / (a + b - 2)], shape=(a, b),
                family=("beta", a, b), group="boundary", label=f"Beta({a:g},{b:g})")


def cases():
    """name -> dict(pdf, d1, d2 (None: score jumps), sample, J, H (closed form or None),
    support, points (quad breakpoints), shape (edge exponents, boundary laws), family,
    group, label)."""
    t_H = ((NU + 1) / 2 * (special.digamma((NU + 1) / 2) - special.digamma(NU / 2))
           + np.log(np.sqrt(NU) * special.beta(NU / 2, 0.5)))
    tp = stats.t(NU)
    C = {}
    C["gauss"] = dict(pdf=_PHI, d1=lambda x: -x * _PHI(x), d2=lambda x: (x * x - 1) * _PHI(x),
                      sample=lambda r, n: r.standard_normal(n), J=1.0,
                      H=0.5 * np.log(2 * np.pi * np.e), label="N(0,1)")
    C["logistic"] = dict(pdf=stats.logistic.pdf,
                         d1=lambda x: -np.tanh(x / 2) * stats.logistic.pdf(x),
                         d2=lambda x: (np.tanh(x / 2) ** 2 - 0.5 / np.cosh(x / 2) ** 2)
                         * stats.logistic.pdf(x),
                         sample=lambda r, n: r.logistic(size=n), J=1 / 3, H=2.0,
                         label="logistic(0,1)")
    C["t5"] = dict(pdf=tp.pdf, d1=lambda x: -(NU + 1) * x / (NU + x * x) * tp.pdf(x),
                   d2=lambda x: (((NU + 1) * x / (NU + x * x)) ** 2
                                 - (NU + 1) * (NU - x * x) / (NU + x * x) ** 2) * tp.pdf(x),
                   sample=lambda r, n: r.standard_t(NU, n), J=(NU + 1) / (NU + 3), H=t_H,
                   label="Student t5")
    pdf, d1, d2, smp = _gmix([0.5, 0.5], [-1.5, 1.5], [1.0, 1.0])
    C["mixture"] = dict(pdf=pdf, d1=d1, d2=d2, sample=smp, points=[-1.5, 0.0, 1.5],
                        label="½N(-1.5,1)+½N(1.5,1)")
    C["cauchy"] = dict(pdf=stats.cauchy.pdf,
                       d1=lambda x: -2 * x / (1 + x * x) * stats.cauchy.pdf(x),
                       d2=lambda x: (6 * x * x - 2) / (1 + x * x) ** 2 * stats.cauchy.pdf(x),
                       sample=lambda r, n: r.standard_cauchy(n), J=0.5, H=np.log(4 * np.pi),
                       label="Cauchy(0,1)")
    pdf, d1, d2, smp = _gmix([0.5, 0.5], [-2.0, 2.0], [0.5**0.5, 0.5**0.5])
    C["mix-sep"] = dict(pdf=pdf, d1=d1, d2=d2, sample=smp, points=[-2.0, 0.0, 2.0],
                        label="½N(-2,0.5)+½N(2,0.5) (variances)")
    pdf, d1, d2, smp = _gmix([0.3, 0.5, 0.2], [-3.0, 0.0, 4.0], [0.3, 1.0, 0.5])
    C["mix3"] = dict(pdf=pdf, d1=d1, d2=d2, sample=smp, points=[-3.0, -1.5, 0.0, 2.0, 4.0],
                     label="0.3N(-3,0.3²)+0.5N(0,1)+0.2N(4,0.5²)")
    pdf, d1, d2, smp = _scalemix()
    C["scalemix"] = dict(pdf=pdf, d1=d1, d2=d2, sample=smp, points=[0.0],
                         label="0.8N(0,1)+0.2Cauchy(0,5)")
    for v in C.values():
        v["group"] = "smooth"
    # skewed laws (not tuned on)
    s = 0.5
    ln = stats.lognorm(s)
    pdf, d1, d2 = _from_score(ln, lambda x: -(1 + np.log(x) / s**2) / x,
                              lambda x: (1 + np.log(x) / s**2 - 1 / s**2) / x**2)
    C["lognorm0.5"] = dict(pdf=pdf, d1=d1, d2=d2, sample=lambda r, n: r.lognormal(0, s, n),
                           H=0.5 + 0.5 * np.log(2 * np.pi * s**2), support=(0.0, INF),
                           points=[np.exp(-s**2)], group="skewed", label="lognormal(0,0.5)")
    al = 4.0
    sn = stats.skewnorm(al)

    def _r(x):
        return np.exp(stats.norm.logpdf(al * x) - stats.norm.logcdf(al * x))

    pdf, d1, d2 = _from_score(sn, lambda x: -x + al * _r(x),
                              lambda x: -1 - al**3 * x * _r(x) - al**2 * _r(x) ** 2)
    C["skewnorm4"] = dict(pdf=pdf, d1=d1, d2=d2,
                          sample=lambda r, n: sn.rvs(n, random_state=r), points=[0.0],
                          group="skewed", label="skew-normal(α=4)")
    gu = stats.gumbel_r
    pdf, d1, d2 = _from_score(gu, lambda x: -1 + np.exp(-x), lambda x: -np.exp(-x))
    C["gumbel"] = dict(pdf=pdf, d1=d1, d2=d2, sample=lambda r, n: r.gumbel(size=n), J=1.0,
                       H=np.euler_gamma + 1, points=[0.0], group="skewed",
                       label="Gumbel(0,1)")
    # cusps: the score jumps
    C["laplace"] = dict(pdf=stats.laplace.pdf,
                        d1=lambda x: -np.sign(x) * stats.laplace.pdf(x), d2=None,
                        sample=lambda r, n: r.laplace(size=n), J=1.0, H=1 + np.log(2.0),
                        points=[0.0], group="cusp", label="Laplace(0,1) = gen. Gaussian β=1")
    ka = 2.0
    dal = stats.laplace_asymmetric(ka)
    C["alaplace2"] = dict(pdf=dal.pdf,
                          d1=lambda x: np.where(x > 0, -ka, 1 / ka) * dal.pdf(x), d2=None,
                          sample=lambda r, n: dal.rvs(n, random_state=r),
                          J=1.0,  # κ² P(x > 0) + κ⁻² P(x < 0) = 1 for every κ
                          H=1 + np.log(ka + 1 / ka), points=[0.0], group="cusp",
                          label="asym. Laplace(κ=2)")
    # support ends where the density vanishes like x^(a-1)
    for k in (2.5, 3.0, 4.0, 5.0, 8.0):
        C[f"gamma{k:g}"] = _gamma(k)
    for a, b in ((2.5, 2.5), (3.0, 5.0), (4.0, 6.0), (5.0, 3.0)):
        C[f"beta{a:g},{b:g}"] = _beta(a, b)
    return C


ORIGINAL = ("gauss", "laplace", "logistic", "t5", "mixture", "cauchy", "mix-sep", "mix3",
            "gamma4", "beta4,6", "scalemix")


# --------------------------------------------------------------------------- truths
def _quad(g, lo, hi, points=()):
    """∫ g over (lo, hi), split at the breakpoints (and at ±40 for infinite ends)."""
    kw = dict(limit=400, epsabs=1e-13, epsrel=1e-11)
    inner = sorted(p for p in points if lo < p < hi)
    lo_f = lo if np.isfinite(lo) else min([-40.0] + inner)
    hi_f = hi if np.isfinite(hi) else max([40.0] + inner)
    edges = [lo_f] + [p for p in inner if lo_f < p < hi_f] + [hi_f]
    tot = sum(integrate.quad(g, u, v, **kw)[0] for u, v in zip(edges[:-1], edges[1:]))
    if not np.isfinite(lo):
        tot += integrate.quad(g, -np.inf, lo_f, **kw)[0]
    if not np.isfinite(hi):
        tot += integrate.quad(g, hi_f, np.inf, **kw)[0]
    return tot


def _case_quad(c, g):
    lo, hi = c.get("support", (-np.inf, np.inf))
    pdf = c["pdf"]

    def gg(x):
        p = pdf(x)
        return g(x, p) if p > 1e-300 else 0.0

    return _quad(gg, lo, hi, c.get("points", ()))


def truths(names=None):
    """name -> (J, H, sampler). J = ∫ f'²/f and H = -∫ f log f by scipy.integrate.quad;
    where a closed form exists (literature) the two must agree (checked here)."""
    out = {}
    for name, c in cases().items():
        if names is not None and name not in names:
            continue
        qJ = _case_quad(c, lambda x, p: c["d1"](x) ** 2 / p)
        qH = _case_quad(c, lambda x, p: -p * np.log(p))
        if "J" in c:
            assert abs(qJ - c["J"]) < 1e-6 * c["J"], (name, qJ, c["J"])
        if "H" in c:
            assert abs(qH - c["H"]) < 1e-6, (name, qH, c["H"])
        out[name] = (c.get("J", qJ), c.get("H", qH), c["sample"])
    return out


def efficiency_floors(names=None):
    """name -> (J floor, N floor): 0.6745 sd(influence function), to be divided by √n.

    N: the influence function of H is -log f(X) - H (N's relative error is 2 dH). J: the
    influence function of J = E s² is -2 s'(X) - s(X)² - J; its variance is infinite
    where the score jumps (cusps) and at a support end with exponent a <= 4 (E s'² ~
    ∫ x^(a-5)): there no estimator reaches the n^-1/2 rate, and the floor is ∞.
    """
    q = stats.norm.ppf(0.75)
    out = {}
    for name, c in cases().items():
        if names is not None and name not in names:
            continue
        J = _case_quad(c, lambda x, p: c["d1"](x) ** 2 / p)
        H = _case_quad(c, lambda x, p: -p * np.log(p))
        var_lf = _case_quad(c, lambda x, p: p * np.log(p) ** 2) - H**2
        fN = 2 * q * math.sqrt(var_lf)
        if c["d2"] is None or min(c.get("shape", (INF,))) <= 4:
            fJ = math.inf
        else:
            def infl(x, p):
                s = c["d1"](x) / p
                ds = c["d2"](x) / p - s * s
                return (-2 * ds - s * s) ** 2 * p

            fJ = q * math.sqrt(_case_quad(c, infl) - J**2) / J
        out[name] = (fJ, fN)
    return out


def parametric_floor(name):
    """0.6745 sd of the Cramér-Rao bound of J within the law's own two-parameter family
    (Gamma(k, θ) with the end known; Beta(a, b)), times √n: a lower bound for any
    estimator, including non-parametric ones (None for the other laws)."""
    fam = cases()[name].get("family")
    if fam is None:
        return None
    q = stats.norm.ppf(0.75)
    if fam[0] == "gamma":
        k = fam[1]
        J = 1 / (k - 2)
        g = np.array([-1 / (k - 2) ** 2, -2 / (k - 2)])
        info = np.array([[special.polygamma(1, k), 1.0], [1.0, k]])
    else:
        a, b = fam[1], fam[2]

        def Jf(a, b):
            return (a + b - 1) * (a + b - 2) * (1 / (a - 2) + 1 / (b - 2))

        J = Jf(a, b)
        e = 1e-6
        g = np.array([(Jf(a + e, b) - Jf(a - e, b)) / (2 * e),
                      (Jf(a, b + e) - Jf(a, b - e)) / (2 * e)])
        t = special.polygamma(1, a + b)
        info = np.array([[special.polygamma(1, a) - t, -t], [-t, special.polygamma(1, b) - t]])
    return q * math.sqrt(float(g @ np.linalg.solve(info, g))) / J


def after_fisher(x, seed, support=None, n_boot=None):
    """ip.fisher with the given support (None: detect) and error (None: the default)."""
    kw = {} if support is None else {"support": support}
    if n_boot is not None:
        kw["n_boot"] = n_boot
    return ip.fisher(x, rng=seed, **kw)
