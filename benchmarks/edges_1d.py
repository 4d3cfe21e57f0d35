"""Support ends of 1-D samples: tuning of the edge model and the error rates of its tests.

Regenerate docs/edges_1d.md with::

    nice python benchmarks/edges_1d.py            # tuning: 20 seeds; decisions: 100 seeds
                                                  # (1000 for the laws without an end)
    nice python benchmarks/edges_1d.py --quick    # 5 / 20 (200) seeds

Part 1 (*tuning*, seeds 5000+): J of laws with a support end that are NOT in the reported
benchmarks (Weibull k = 2.5, 3, 5; chi with 3 and 5 degrees of freedom; Kumaraswamy
(2.5, 3) and (3, 5)), with the end given and detected. The window size (45% of the samples
up to n = 1000, 4.5 n^0.7 beyond, at most 5000), the detection threshold and the
spacing guards of ``infoplane.estimators.edge_model`` were chosen on these laws and seeds.

Part 2 (*decisions*, seeds 20000+): what ``ip.fisher`` returns for laws with J = ∞ (a jump
or an exponent a <= 2 at an end), with a finite J near the a = 2 boundary, and for smooth
laws without ends: the share of samples where J = inf is declared, where J may be infinite
(an unbounded standard error; the value is inf where the fitted exponent is a <= 2, so
the reason, not the value, tells the two apart), and with a finite J and error. For a law with
J = ∞ the last share is the rate of silent wrong answers; for a law with a finite J the
first is the rate of false alarms. The laws with no support to give (no end, or the
log-normal's, where the density vanishes faster than any power) get ten times the samples:
their false alarms are rare events on most of them, and a rate read from 100 samples can be
off by several times (the Gumbel's 1 in 100 at n = 1000 is 44 in 1000, seeds 20000-20999,
which include those 100).

Truths: Weibull and chi J by quadrature of the closed-form score, Kumaraswamy likewise
(``scipy.integrate.quad``), independent of infoplane.
"""

from __future__ import annotations

import argparse
import math
import sys
import warnings
from pathlib import Path

import numpy as np
from scipy import integrate, stats

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import infoplane as ip  # noqa: E402
from infoplane.estimators import edge_model as em  # noqa: E402

warnings.filterwarnings("ignore")
INF = math.inf


def _jq(pdf, score, lo, hi, pts=()):
    f = lambda x: score(x) ** 2 * pdf(x) if pdf(x) > 1e-300 else 0.0  # noqa: E731
    edges = [lo] + sorted(pts) + [hi]
    return sum(integrate.quad(f, a, b, limit=400, epsabs=1e-13, epsrel=1e-11)[0]
               for a, b in zip(edges[:-1], edges[1:]))


def _kuma(a, b):
    def sample(r, n):
        return (1 - (1 - r.random(n)) ** (1 / b)) ** (1 / a)

    pdf = lambda x: a * b * x ** (a - 1) * (1 - x ** a) ** (b - 1)  # noqa: E731
    sc = lambda x: (a - 1) / x - (b - 1) * a * x ** (a - 1) / (1 - x ** a)  # noqa: E731
    return sample, pdf, sc


def tuning_laws():
    """name -> (sampler, J, support)."""
    T = {}
    for k in (2.5, 3.0, 5.0):
        d = stats.weibull_min(k)
        T[f"weibull{k:g}"] = (lambda r, n, k=k: r.weibull(k, n),
                              _jq(d.pdf, lambda x, k=k: (k - 1) / x - k * x ** (k - 1), 0,
                                  np.inf, [1.0]), (0.0, INF))
    for df in (3, 5):
        d = stats.chi(df)
        T[f"chi{df}"] = (lambda r, n, df=df: np.sqrt((r.standard_normal((n, df)) ** 2).sum(1)),
                         _jq(d.pdf, lambda x, df=df: (df - 1) / x - x, 0, np.inf, [1.0]),
                         (0.0, INF))
    for a, b in ((2.5, 3.0), (3.0, 5.0)):
        smp, pdf, sc = _kuma(a, b)
        T[f"kumaraswamy{a:g},{b:g}"] = (smp, _jq(pdf, sc, 0, 1, [0.5]), (0.0, 1.0))
    return T


def decision_laws():
    """name -> (sampler, J (inf or finite), support, what)."""
    ks, _, _ = _kuma(1.5, 4.0)
    return {
        "uniform": (lambda r, n: r.random(n), INF, (0.0, 1.0), "jumps (a = 1)"),
        "exponential": (lambda r, n: r.exponential(size=n), INF, (0.0, INF), "jump (a = 1)"),
        "beta1.5,3": (lambda r, n: r.beta(1.5, 3.0, n), INF, (0.0, 1.0), "a = 1.5"),
        "weibull1.5": (lambda r, n: r.weibull(1.5, n), INF, (0.0, INF), "a = 1.5"),
        "kumaraswamy1.5,4": (ks, INF, (0.0, 1.0), "a = 1.5"),
        "gamma2": (lambda r, n: r.gamma(2.0, 1.0, n), INF, (0.0, INF), "a = 2"),
        "weibull2": (lambda r, n: r.weibull(2.0, n), INF, (0.0, INF), "a = 2"),
        "beta2,3": (lambda r, n: r.beta(2.0, 3.0, n), INF, (0.0, 1.0), "a = 2"),
        "triangular": (lambda r, n: r.triangular(0, 0.5, 1, n), INF, (0.0, 1.0), "a = 2"),
        "gamma2.5": (lambda r, n: r.gamma(2.5, 1.0, n), 2.0, (0.0, INF), "a = 2.5"),
        "weibull2.5": (lambda r, n: r.weibull(2.5, n), None, (0.0, INF), "a = 2.5"),
        "gamma3": (lambda r, n: r.gamma(3.0, 1.0, n), 1.0, (0.0, INF), "a = 3"),
        "chi3": (lambda r, n: np.sqrt((r.standard_normal((n, 3)) ** 2).sum(1)), 3.0,
                 (0.0, INF), "a = 3"),
        "beta3,5": (lambda r, n: r.beta(3.0, 5.0, n), 56.0, (0.0, 1.0), "a = 3, 5"),
        "gauss": (lambda r, n: r.standard_normal(n), 1.0, None, "no end"),
        "logistic": (lambda r, n: r.logistic(size=n), 1 / 3, None, "no end"),
        "t5": (lambda r, n: r.standard_t(5, n), 0.75, None, "no end"),
        "cauchy": (lambda r, n: r.standard_cauchy(n), 0.5, None, "no end"),
        "scale-mix": (lambda r, n: r.standard_normal(n) * np.where(r.random(n) < 0.5, 1, 3),
                      None, None, "no end (½N(0,1)+½N(0,9))"),
        "mix3": (lambda r, n: np.where(r.random(n) < 0.3, -3 + 0.3 * r.standard_normal(n),
                                       np.where(r.random(n) < 5 / 7, r.standard_normal(n),
                                                4 + 0.5 * r.standard_normal(n))),
                 None, None, "no end (three modes)"),
        "lognormal1": (lambda r, n: r.lognormal(0, 1, n), 2 * math.e**2, None,
                       "no power end (log-normal, σ = 1)"),
        "skewnorm4": (lambda r, n: stats.skewnorm(4).rvs(n, random_state=r), None, None,
                      "no end"),
        "gumbel": (lambda r, n: r.gumbel(size=n), 1.0, None, "no end"),
    }


def _outcome(e):
    """``"inf"`` where J = inf is declared (the reason says so), ``"unbounded"`` where J
    may be infinite (stderr = inf; the value is inf too where the fitted a <= 2, so the
    value alone does not tell the two apart), ``"finite"`` otherwise."""
    if math.isinf(e.value) and (e.reason or "").startswith("J = inf"):
        return "inf"
    if math.isinf(e.stderr) or math.isinf(e.value):
        return "unbounded"
    return "finite"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--quick", action="store_true")
    a = p.parse_args(argv)
    rt, rd = (5, 20) if a.quick else (20, 100)
    rn = 10 * rd     # laws without an end: their false-alarm rates are small
    cmd = "nice python benchmarks/edges_1d.py" + (" --quick" if a.quick else "")
    L = ["# Support ends of 1-D samples: tuning and error rates", "",
         f"Regenerate: `{cmd}`. Model and tests: `infoplane/estimators/edge_model.py` (window "
         f"{em.WINDOW_FRACTION:.0%} of n up to n = 1000, {em.WINDOW_COEF} n^{em.WINDOW_POWER} "
         f"beyond, at most {em.WINDOW_MAX} ({em.WINDOW_MAX_KNOWN} with the end given); edge "
         f"when the likelihood ratio against the smooth limit is >= {em.LRT_EDGE:g} "
         f"({em.LRT_EDGE_INF:g} for a fitted a <= 2); a = 2 test at one-sided 5% "
         f"(χ²₁ {em.LR2_CRIT:.3f}); spacing trend guards {em.SPACING_TAIL:g} / "
         f"{em.SPACING_JUMP:g}; goodness-of-fit window halving at p < {em.GOF_LEVEL:g}).", ""]
    # ---------------------------------------------------------------- part 1: tuning
    L += ["## 1. Tuning laws (seeds 5000+): J, median |relative error| % / median signed % / "
          "coverage % / flagged (J = inf declared, or J may be infinite)", "",
          "| law | J | n | support given | support detected |", "|---|---|---|---|---|"]
    for name, (smp, J, sup) in tuning_laws().items():
        for n in (1000, 10000):
            cells = []
            for mode in ("given", "detected"):
                e, cov, flag = [], 0, 0
                for s in range(rt):
                    x = smp(np.random.default_rng(5000 + s), n)
                    kw = {"support": sup} if mode == "given" else {}
                    r = ip.fisher(x, rng=s, **kw)
                    e.append(r.value / J - 1)
                    cov += abs(r.value - J) <= 1.96 * r.stderr
                    flag += _outcome(r) != "finite"
                e = np.array(e)
                cells.append(f"{100 * np.median(np.abs(e)):.1f} / {100 * np.median(e):+.1f} / "
                             f"{100 * cov / rt:.0f} / {flag}")
            L.append(f"| {name} | {J:.4g} | {n} | {cells[0]} | {cells[1]} |")
            print(L[-1], file=sys.stderr, flush=True)
    # ---------------------------------------------------------------- part 2: decisions
    L += ["", f"## 2. Decisions (seeds 20000+, {rd} samples per cell; {rn} for the laws with no "
          "support to give): % of samples with J = inf / J may be infinite / a finite J and "
          "error", "",
          "`J = inf`: the estimate is declared infinite (value inf, reason `J = inf: ...`). "
          "`J may be infinite`: the a = 2 test cannot decide (stderr inf, reason `J may be "
          "infinite: ...`; the value is inf where the fitted a <= 2 and finite otherwise). "
          "For a law with J = ∞ the last number is the rate of silent wrong answers; for a "
          "law with finite J the first is the rate of false alarms (a reason and a warning "
          "come with both flags).", "",
          "| law | end | J | n | support detected | support given |", "|---|---|---|---|---|---|"]
    for name, (smp, J, sup, what) in decision_laws().items():
        reps = rn if sup is None else rd
        for n in (1000, 10000):
            cells = []
            for mode in ("detected", "given"):
                if mode == "given" and sup is None:
                    cells.append("–")
                    continue
                cnt = {"inf": 0, "unbounded": 0, "finite": 0}
                for s in range(reps):
                    x = smp(np.random.default_rng(20000 + s), n)
                    kw = {"support": sup} if mode == "given" else {}
                    cnt[_outcome(ip.fisher(x, n_boot=0, **kw))] += 1
                fmt = "{:.0f}" if reps == rd else "{:.1f}"
                cells.append(" / ".join(fmt.format(100 * cnt[k] / reps)
                                        for k in ("inf", "unbounded", "finite")))
            jt = "∞" if J == INF else ("finite" if J is None else f"{J:.4g}")
            L.append(f"| {name} | {what} | {jt} | {n} | {cells[0]} | {cells[1]} |")
            print(L[-1], file=sys.stderr, flush=True)
    L += ["", "Reading the rates: the a = 2 test is a one-sided 5% test, so a law with a = 2 "
          "exactly and the exact model form (Gamma(2)) is declared finite in about 5% of "
          "samples with its end given; laws whose log-density bends away from "
          "(a-1) log u + c u inside the window (Weibull(2), Beta(2, 3)) are declared finite "
          "more often (model misfit biases the fitted a upwards). Near a = 2 the samples "
          "often cannot decide (the middle number). No test tells a density that vanishes at "
          "an end from one with a jump too small for n samples to resolve. For the laws "
          "without an end the first two numbers are false alarms: a light tail can look "
          "like an end (the Gumbel's lower one, where log f falls like -e^(-x), and a "
          "skewed law's short side are taken for one most often); where a law is known "
          "to have no end, support=(-inf, inf) turns the detection off, as the reason "
          "says. The log-normal's end at 0 is read as a power end with a near 2 or below "
          "on most samples at n = 1000: over the range its samples cover, its density "
          "looks like one.", ""]
    md = "\n".join(L)
    (ROOT / "docs" / "edges_1d.md").write_text(md)
    print(md)


if __name__ == "__main__":
    main()
