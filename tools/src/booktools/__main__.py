"""``python -m booktools``: the same as the ``booktools`` command."""

import sys

from booktools.cli import main

sys.exit(main())
