"""Checks across the services: the Docker stack's files, the README, the scripts, the images.

Docker cannot run where the tests run, so the stack is checked by reading its files the way Docker
and Compose read them, and the scripts are run for real against the embedded Kafka cluster.
"""

from __future__ import annotations

# pytester runs the checks of kafka_testkit itself (test_kafka_testkit.py).
pytest_plugins = ["kafka_testkit", "pytester"]
