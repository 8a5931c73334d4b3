"""``python -m lake_tools``: the same as the ``lake`` command."""

import sys

from lake_tools.cli import main

sys.exit(main())
