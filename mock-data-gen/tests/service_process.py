"""The ``mock-data-gen`` CLI with the stand-in generator as ``mock_data_gen.synthesis``."""

import sys

import stand_in_synthesis

sys.modules["mock_data_gen.synthesis"] = stand_in_synthesis

from mock_data_gen.cli import main  # noqa: E402

raise SystemExit(main())
