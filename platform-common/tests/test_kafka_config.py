"""KAFKA_EXTRA_CONFIG: parsed alike by every service, secrets never shown."""

from __future__ import annotations

import pytest

from platform_common.kafka_config import mask_extra_config, parse_extra_config

RESERVED = {"acks": "is fixed to keep delivery lossless", "group.id": "is set by the sink itself"}


def test_pairs_are_parsed_and_blanks_ignored() -> None:
    text = " security.protocol=SASL_SSL , sasl.mechanism = SCRAM-SHA-512,,"
    assert parse_extra_config(text, RESERVED) == {
        "security.protocol": "SASL_SSL",
        "sasl.mechanism": "SCRAM-SHA-512",
    }
    assert parse_extra_config("", RESERVED) == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("broken", "entry 'broken' is not key=value"),
        ("Upper.Case=1", "entry 'Upper.Case' is not key=value"),
        ("acks=1", "acks is fixed to keep delivery lossless"),
        ("client.id=x,group.id=mine", "group.id is set by the sink itself"),
    ],
)
def test_bad_and_reserved_entries_are_refused_naming_them(text: str, message: str) -> None:
    with pytest.raises(ValueError) as raised:
        parse_extra_config(text, RESERVED)
    assert str(raised.value) == message


def test_secret_looking_values_are_masked() -> None:
    properties = {
        "security.protocol": "SASL_SSL",
        "sasl.password": "hunter2",
        "sasl.jaas.config": "org.apache... password='hunter2';",
        "ssl.key.password": "x",
        "sasl.oauthbearer.client.secret": "y",
        "ssl.keystore.location": "/etc/k",
    }
    masked = mask_extra_config(properties)
    assert "hunter2" not in masked
    assert masked == (
        "security.protocol=SASL_SSL,sasl.password=***,sasl.jaas.config=***,"
        "ssl.key.password=***,sasl.oauthbearer.client.secret=***,ssl.keystore.location=/etc/k"
    )
