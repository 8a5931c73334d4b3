"""Finding the librdkafka that the confluent-kafka wheel bundles, on each platform's wheel layout.

The layouts are those of confluent-kafka 2.16.2's wheels: manylinux (auditwheel), macOS (delocate)
and Windows (delvewheel).
"""

from __future__ import annotations

import re
from pathlib import Path

import confluent_kafka
import pytest

from mock_data_gen.embedded_broker import EmbeddedBrokerError, find_librdkafka


def _wheel(site_packages: Path, *files: str) -> Path:
    """A fake installed wheel: ``files`` relative to site-packages; returns the package dir."""
    package = site_packages / "confluent_kafka"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    for name in files:
        (site_packages / name).parent.mkdir(parents=True, exist_ok=True)
        (site_packages / name).write_bytes(b"")
    return package


@pytest.mark.parametrize(
    "library",
    [
        "confluent_kafka.libs/librdkafka-0cb94173.so.1",
        "confluent_kafka/.dylibs/librdkafka.dylib",
        "confluent_kafka.libs/librdkafka-c22ebd06abd15eecc66d013d8d759906.dll",
    ],
    ids=["linux", "macos", "windows"],
)
def test_the_bundled_library_is_found(tmp_path: Path, library: str) -> None:
    package = _wheel(tmp_path, library, "confluent_kafka/cimpl.so")
    assert find_librdkafka(package) == (tmp_path / library).resolve()


def test_a_package_without_it_is_one_error_naming_where_it_looked(tmp_path: Path) -> None:
    package = _wheel(tmp_path, "confluent_kafka.libs/libcrypto-3-x64.dll")
    with pytest.raises(EmbeddedBrokerError) as raised:
        find_librdkafka(package)
    message = str(raised.value)
    assert f"in the confluent-kafka package at {package} " in message
    for place in (
        tmp_path.resolve() / "confluent_kafka.libs" / "librdkafka*.so*",
        package.resolve() / ".dylibs" / "librdkafka*.dylib",
    ):
        assert str(place) in message
    assert re.search(
        r"install confluent-kafka from a wheel: pip install .*confluent-kafka$", message
    )


def test_the_installed_wheel_has_it() -> None:
    found = find_librdkafka(Path(confluent_kafka.__file__).parent)
    assert found.name.startswith("librdkafka")
