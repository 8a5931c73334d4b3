"""The ``lake`` command: query, audit, maintain and chart the table a Kafka topic lands in."""

__version__ = "0.1.0"
