"""``python -m infoplane``: the command line (see :mod:`infoplane.cli`)."""

import sys

from .cli import main

sys.exit(main())
