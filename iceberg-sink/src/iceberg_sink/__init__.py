"""Kafka -> Apache Iceberg ingestion of OpenRTB bid requests with exactly-once delivery."""

__version__ = "0.1.0"
