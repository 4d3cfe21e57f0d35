"""The closed set of estimation methods, what each estimates and the options it takes.

Every method name infoplane accepts or reports comes from :data:`METHODS`. An input is a
``"density"`` (an infoplane density or a frozen scipy distribution), ``"samples-1d"`` or
``"samples-nd"`` (d >= 2). ``method="auto"`` resolves through :data:`AUTO`; a result's
``method`` is never ``"auto"``. Composite results join names of this set: ``"+"`` for the
parts of a product or affine density estimated separately (``"closed-form+quadrature"``),
``"*"`` for the FS-plane product of two quantities estimated by different methods
(``"knn*kde"``).

Options shared by every method of an input kind (``rng``; ``nan_policy`` for samples) are
in :data:`COMMON_OPTIONS`; :func:`accepted_options` adds them.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Mapping

__all__ = [
    "Method",
    "METHODS",
    "AUTO",
    "AUTO_OUT_OF_CORE",
    "OUT_OF_CORE",
    "QUANTITIES",
    "INPUTS",
    "COMMON_OPTIONS",
    "method_names",
    "lookup",
    "resolve",
    "accepted_options",
    "input_kind",
]

QUANTITIES = ("entropy", "fisher")
INPUTS = ("density", "samples-1d", "samples-nd")
_QUANTITY_WORDS = {"entropy": "the entropy", "fisher": "the Fisher information"}
INPUT_WORDS = {"density": "a density", "samples-1d": "1-D samples",
               "samples-nd": "d-D samples"}


@dataclass(frozen=True)
class Method:
    """One estimation method for one quantity and one kind of input.

    Attributes
    ----------
    name : str
        The method name users pass and results report.
    quantity : {"entropy", "fisher"}
        ``"fisher"`` covers both the trace and the full matrix.
    input : {"density", "samples-1d", "samples-nd"}
    options : Mapping[str, str]
        Option name -> one-line meaning (documented in the public docstrings).
    """

    name: str
    quantity: str
    input: str
    options: Mapping[str, str]


def _m(name, quantity, input, **options):
    return Method(name, quantity, input, MappingProxyType(options))


_JITTER = ("None (default: ties raise), 'auto' or a width in units of x: add uniform "
           "noise of that width to every coordinate to dequantise tied data")
_MC = dict(n_samples="Monte Carlo sample budget (default 200 000)",
           batch_size="samples per batch (default 65 536)",
           target_rse="stop early at this relative standard error")

METHODS: tuple[Method, ...] = (
    _m("closed-form", "entropy", "density"),
    _m("closed-form", "fisher", "density"),
    _m("quadrature", "entropy", "density",
       rtol="relative tolerance of the adaptive quadrature (default 1e-10)"),
    _m("quadrature", "fisher", "density",
       rtol="relative tolerance of the adaptive quadrature (default 1e-10)"),
    _m("monte-carlo", "entropy", "density", **_MC),
    _m("monte-carlo", "fisher", "density", **_MC),
    _m("kde", "fisher", "samples-1d",
       bandwidth="'auto' or the kernel standard deviation in units of x",
       n_boot="None (default: delta-method standard error; bootstrap below 200 "
              "samples) or bootstrap replicates of it (0 skips it)",
       support="None (default: detect support ends from the samples) or (low, high) in "
               "units of x, each end a number (known), ±inf (no end there) or None "
               "(detect)",
       binning="'per-bandwidth' (default: bin the data at every bandwidth) or 'once' "
               "(bin once on a fine fixed grid and aggregate; what dask arrays use; "
               "support ends are not modelled)",
       jitter=_JITTER),
    _m("knn", "entropy", "samples-1d",
       n_neighbors="k of the k-nearest-neighbour estimator",
       jitter=_JITTER),
    _m("spacing", "entropy", "samples-1d",
       window_length="m of the m-spacing estimator",
       bias_term="add |H(m) - H(m/2)| to the standard error (default True)",
       jitter=_JITTER),
    _m("binned", "entropy", "samples-1d",
       n_boot="bootstrap replicates of the standard error (default 100; 0 skips it)",
       jitter=_JITTER),
    _m("kde", "fisher", "samples-nd",
       bandwidth_factor="'auto' (score-matching search) or h, the kernel covariance "
                        "being h² times the scatter of x (of the mapped data where the "
                        "radial or the skew map runs)",
       correction="'gaussian' (deconvolve the kernel) or 'none'",
       max_queries="at most this many query points (default 2000)",
       cv_queries="query points of the bandwidth search (default 2000 for d <= 3, 1000 above)",
       bias_term="add the bias allowance to the standard error (default True)",
       tails="'auto' (Gaussianise t-like radial tails) or 'none'",
       skew="'auto' (Gaussianise skewed data: rotation and sinh-arcsinh map) or 'none'",
       jitter=_JITTER),
    _m("knn", "entropy", "samples-nd",
       n_neighbors="k of the k-nearest-neighbour estimator",
       weights="'auto', 'bsy' (Berrett-Samworth-Yuan) or 'none'",
       whiten="whiten by the sample covariance first (default True)",
       max_queries="average over a random subset of this many query points: 'auto' "
                   "(default; None too): all below d = 8, else 20 000 from a fixed seed "
                   "when n > 40 000; 'all'; or an int (subset from rng)",
       bias_term=("add the bias allowance to the standard error: the k ± 1 change, and "
                  "for d = 8..12 with the default k and whitening the bias on a Gaussian "
                  "(default True)"),
       tails=("'auto' (from d = 8 on, with whitening: Gaussianise t-like radial tails) "
              "or 'none'"),
       skew=("'auto' (from d = 8 on, with whitening: Gaussianise skewed data by a "
             "rotation and a sinh-arcsinh map) or 'none'"),
       jitter=_JITTER),
)

#: method picked by ``method="auto"`` for samples (densities: closed form, else
#: quadrature in 1-D, else Monte Carlo; see :mod:`infoplane.estimators.analytic`)
AUTO = MappingProxyType({
    ("fisher", "samples-1d"): "kde",
    ("entropy", "samples-1d"): "knn",
    ("fisher", "samples-nd"): "kde",
    ("entropy", "samples-nd"): "knn",
})

#: ``method="auto"`` for samples that do not fit in memory (dask arrays): the methods whose
#: statistics merge across chunks (:mod:`infoplane.scale`); the Fisher estimator then runs
#: with ``binning="once"``
AUTO_OUT_OF_CORE = MappingProxyType({
    ("fisher", "samples-1d"): "kde",
    ("entropy", "samples-1d"): "binned",
})

#: methods and option values that out-of-core estimates support
OUT_OF_CORE = MappingProxyType({
    ("fisher", "samples-1d"): ("kde",),
    ("entropy", "samples-1d"): ("binned",),
})

COMMON_OPTIONS = MappingProxyType({
    "density": ("rng",),
    "samples-1d": ("rng", "nan_policy"),
    "samples-nd": ("rng", "nan_policy"),
})


def input_kind(dim: int, is_density: bool) -> str:
    """``"density"``, ``"samples-1d"`` or ``"samples-nd"``."""
    if is_density:
        return "density"
    return "samples-1d" if dim == 1 else "samples-nd"


def method_names(quantity: str, input: str) -> tuple[str, ...]:
    """The names `method` may take for `quantity` on `input`, ``"auto"`` first."""
    return ("auto",) + tuple(m.name for m in METHODS
                             if m.quantity == quantity and m.input == input)


def describe(quantity: str, input: str) -> str:
    """E.g. ``"the Fisher information of 1-D samples"``."""
    return f"{_QUANTITY_WORDS[quantity]} of {INPUT_WORDS[input]}"


def lookup(quantity: str, input: str, name: str) -> Method:
    """The :class:`Method` called `name` (not ``"auto"``), or a ValueError listing the
    names that exist for this quantity and input."""
    for m in METHODS:
        if m.name == name and m.quantity == quantity and m.input == input:
            return m
    raise ValueError(_unknown_method(quantity, input, name))


def resolve(quantity: str, input: str, name, *, out_of_core: bool = False) -> str:
    """Check `name` against the closed set and resolve ``"auto"`` for samples
    (through :data:`AUTO_OUT_OF_CORE` for data that do not fit in memory)."""
    names = method_names(quantity, input)
    if not isinstance(name, str) or name not in names:
        raise ValueError(_unknown_method(quantity, input, name))
    if name == "auto" and input != "density":
        table = AUTO_OUT_OF_CORE if out_of_core else AUTO
        if (quantity, input) not in table:
            raise ValueError(f"no out-of-core method exists for {describe(quantity, input)}")
        return table[(quantity, input)]
    return name


def _unknown_method(quantity, input, name) -> str:
    names = method_names(quantity, input)
    others = sorted({m.name for m in METHODS if m.input == input} - set(names))
    hint = ""
    if isinstance(name, str) and name in others:
        other_q = next(m.quantity for m in METHODS if m.name == name and m.input == input)
        hint = f" ({name!r} is a method for {describe(other_q, input)})"
    return (f"`method` for {describe(quantity, input)} must be one of "
            f"{', '.join(repr(n) for n in names)}; got {name!r}{hint}.")


def accepted_options(quantity: str, input: str, name: str) -> tuple[str, ...]:
    """Options of method `name` (resolved, not ``"auto"``) plus the common ones, sorted."""
    own = tuple(lookup(quantity, input, name).options)
    return tuple(sorted(set(own) | set(COMMON_OPTIONS[input])))
