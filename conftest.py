"""Suite-wide pytest setup: runs the same way under ``pytest`` and ``python -m pytest``.

* Optional extras: modules whose doctests need a missing optional dependency (torch for
  ``infoplane/vae``, matplotlib for ``infoplane/plot.py``) are not collected; their tests
  skip with a reason through ``pytest.importorskip``.
* ``INFOPLANE_TEST_NO_TORCH=1`` makes ``import torch`` fail for the whole run, so CI can
  prove that the suite passes without the ``torch`` extra on a machine that has it.
"""

import importlib.abc
import importlib.util
import os
import sys


class _Block(importlib.abc.MetaPathFinder):
    """A finder that refuses one top-level package (as if it were not installed)."""

    def __init__(self, name):
        self.name = name

    def find_spec(self, fullname, path=None, target=None):
        if fullname == self.name or fullname.startswith(self.name + "."):
            raise ModuleNotFoundError(f"No module named {fullname!r} (blocked by "
                                      "INFOPLANE_TEST_NO_TORCH)", name=fullname)
        return None


if os.environ.get("INFOPLANE_TEST_NO_TORCH"):
    sys.meta_path.insert(0, _Block("torch"))


def _available(name):
    try:
        return importlib.util.find_spec(name) is not None
    except ImportError:
        return False


collect_ignore = []
if not _available("torch"):
    collect_ignore.append("infoplane/vae")
if not _available("matplotlib"):
    collect_ignore.append("infoplane/plot.py")
