"""Who may import whom: the sink and platform-common import nothing of the generator.

The sink lands any topic of JSON records in an existing table and reads the table's layout from the
catalog; what both services share lives in platform-common, which depends on neither of them.
Checked on the sources (every import statement, at any depth), so a function-level import counts.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from stack_files import PLATFORM_DIR, REPO_ROOT, SINK_DIR

LAKE_DIR = REPO_ROOT / "lake-tools"


def _imported_modules(source: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text(), filename=str(source))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            modules.add(node.module)
    return modules


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        (SINK_DIR / "src" / "iceberg_sink", {"mock_data_gen"}),
        (PLATFORM_DIR / "src" / "platform_common", {"mock_data_gen", "iceberg_sink", "lake_tools"}),
        (LAKE_DIR / "src" / "lake_tools", {"mock_data_gen", "iceberg_sink"}),
        (SINK_DIR.parent / "mock-data-gen" / "src" / "mock_data_gen", {"lake_tools"}),
        (SINK_DIR / "src" / "iceberg_sink", {"lake_tools"}),
    ],
    ids=["iceberg-sink", "platform-common", "lake-tools", "generator-not-lake", "sink-not-lake"],
)
def test_a_package_imports_nothing_of_the_services_it_must_not_know(
    package: Path, forbidden: set[str]
) -> None:
    sources = sorted(package.rglob("*.py"))
    assert sources, package
    found = {
        f"{source.relative_to(package.parent)}: {module}"
        for source in sources
        for module in _imported_modules(source)
        if module.split(".")[0] in forbidden
    }
    assert not found, sorted(found)
