"""The import contracts (root pyproject.toml) hold, and a violation of one fails the check."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from stack_files import REPO_ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
SINK_PACKAGE = REPO_ROOT / "iceberg-sink" / "src" / "iceberg_sink"


def _lint() -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def sink_importing_the_generator() -> Iterator[Path]:
    # The sink's sources are installed editable, so a module added here is part of the package.
    probe = SINK_PACKAGE / "contract_probe.py"
    probe.write_text("from mock_data_gen.synthesis import BidRequestGenerator\n")
    try:
        yield probe
    finally:
        probe.unlink()


def test_the_code_keeps_every_contract() -> None:
    result = _lint()
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_sink_module_importing_the_generator_breaks_the_check(
    sink_importing_the_generator: Path,
) -> None:
    result = _lint()
    assert result.returncode != 0
    assert "The sink is a product of its own: it never imports the generator BROKEN" in (
        result.stdout
    )
    assert "iceberg_sink.contract_probe -> mock_data_gen.synthesis" in result.stdout
