"""VAE adapter: FS-plane coordinates of encoders and the Fisher Auto-Encoder penalty.

Requires the ``torch`` extra (``pip install infoplane[torch]``). Everything here works
on tensors and on user models; it writes no model code for you.
"""

from ..errors import import_optional

import_optional("torch", "torch")

from .penalty import fisher_penalty, gaussian_fisher  # noqa: E402
from .posterior import PosteriorFS, conditional_fs, posterior_fs  # noqa: E402

__all__ = [
    "gaussian_fisher",
    "fisher_penalty",
    "posterior_fs",
    "conditional_fs",
    "PosteriorFS",
]
