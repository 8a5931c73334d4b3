"""The dead-letter topic: records that cannot become rows, with headers saying why and whence.

Each dead letter keeps the original key and value and carries headers ``dlq.source.topic``,
``dlq.source.partition``, ``dlq.source.offset``, ``dlq.source.timestamp`` (ms), ``dlq.error.reason``
(``empty_value``, ``invalid_json`` or ``schema_mismatch``) and ``dlq.error.message``. They are
produced and flushed before the Iceberg commit that advances past their offsets, so a record is
never lost; a crash between the two can send a dead letter twice (at-least-once).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from confluent_kafka import KafkaError, Message, Producer

_MAX_MESSAGE_CHARS = 1000


@dataclass(frozen=True, slots=True)
class DeadLetter:
    partition: int
    offset: int
    timestamp_ms: int
    key: bytes | None
    value: bytes | None
    reason: str
    message: str


class DeadLetterError(RuntimeError):
    """Dead letters could not be delivered; the commit that covers them must wait."""


class DeadLetterQueue:
    """Produces dead letters of ``source_topic`` to ``topic`` (idempotent producer)."""

    def __init__(self, source_topic: str, topic: str, producer_config: dict[str, Any]):
        self.topic = topic
        self._source_topic = source_topic
        self._producer = Producer(producer_config)
        self._failures: list[str] = []

    def send(self, letters: Sequence[DeadLetter], *, timeout: float) -> None:
        """Produce ``letters`` and wait for every acknowledgement; raises ``DeadLetterError``."""
        if not letters:
            return
        self._failures = []
        for letter in letters:
            headers: list[tuple[str, str | bytes | None]] = [
                ("dlq.source.topic", self._source_topic.encode()),
                ("dlq.source.partition", str(letter.partition).encode()),
                ("dlq.source.offset", str(letter.offset).encode()),
                ("dlq.source.timestamp", str(letter.timestamp_ms).encode()),
                ("dlq.error.reason", letter.reason.encode()),
                ("dlq.error.message", letter.message[:_MAX_MESSAGE_CHARS].encode()),
            ]
            while True:
                try:
                    self._producer.produce(
                        self.topic,
                        value=letter.value,
                        key=letter.key,
                        headers=headers,
                        on_delivery=self._on_delivery,
                    )
                    break
                except BufferError:
                    self._producer.poll(0.1)
        remaining = self._producer.flush(timeout)
        if remaining:
            raise DeadLetterError(
                f"{remaining} dead letters not acknowledged by topic {self.topic!r} "
                f"within {timeout:.0f} s"
            )
        if self._failures:
            raise DeadLetterError(
                f"{len(self._failures)} dead letters rejected by topic {self.topic!r}: "
                f"{self._failures[0]}"
            )

    def poll(self) -> None:
        """Serve the producer's pending events (its log lines) without waiting."""
        self._producer.poll(0)

    def _on_delivery(self, error: KafkaError | None, _message: Message) -> None:
        if error is not None:
            self._failures.append(str(error))

    def close(self, timeout: float = 5.0) -> Any:
        return self._producer.flush(timeout)
