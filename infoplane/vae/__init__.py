"""VAE adapter: FS-plane coordinates of encoders and the Fisher Auto-Encoder penalty.

Requires the ``torch`` extra (``pip install infoplane[torch]``). Everything here works
on tensors and on user models; it writes no model code for you.

- :func:`gaussian_fisher`, :func:`fisher_penalty` -- differentiable J(z|x) and the FAE loss term
- :func:`posterior_fs` -- Z|X in closed form, the aggregate posterior q(z) and I(X; Z)
- :func:`distribution_fs` -- the same for any ``torch.distributions`` posterior (autograd score)
- :func:`fs_point` -- run an encoder over a data set (tensor, Dataset or DataLoader)
- :func:`kl_per_dim`, :func:`active_units` -- the usual latent-space diagnostics

Input rules, the same for every function here (a violation raises an error naming the
argument):

- tensors must be floating point (float16, bfloat16, float32, float64); integer, bool and
  complex tensors raise TypeError -- convert with ``.float()``. Encoder log-variances
  must satisfy ``|logvar| <= 300`` for the posterior functions (beyond it σ² or 1/σ² leave
  the float64 range);
- flags (``aggregate``, ``progress``, ``per_dim``, ``return_variance``) must be ``bool``;
  numbers (``target``, ``weight``, ``threshold``) real scalars, not tensors;
- ``rng`` is None, an int >= 0, a ``numpy.random.Generator`` or a ``torch.Generator``;
- ``n_mc`` (Monte Carlo points for an aggregate posterior) is at least 300.
"""

from ..errors import import_optional

import_optional("torch", "torch")

from .penalty import fisher_penalty, gaussian_fisher  # noqa: E402
from .posterior import PosteriorFS, conditional_fs, posterior_fs  # noqa: E402
from .distributions import distribution_fs  # noqa: E402
from .encoder import fs_point  # noqa: E402
from .metrics import active_units, kl_per_dim  # noqa: E402

__all__ = [
    "gaussian_fisher",
    "fisher_penalty",
    "posterior_fs",
    "conditional_fs",
    "PosteriorFS",
    "distribution_fs",
    "fs_point",
    "kl_per_dim",
    "active_units",
]
