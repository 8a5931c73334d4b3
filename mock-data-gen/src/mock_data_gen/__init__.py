"""Realistic OpenRTB 2.6 bid request synthesis and streaming to Apache Kafka."""

__version__ = "0.1.0"
