"""Watches a Python process started by a test for an embedded Kafka cluster (see cluster_guard).

kafka_testkit puts this folder first on ``PYTHONPATH`` for the test session, so every Python
process a test starts imports it at start-up. While a test runs, ``KAFKA_TESTKIT_CLUSTER_RECORD``
names a file: when the process looks up librdkafka's ``rd_kafka_mock_cluster_new`` (the embedded
cluster is about to be created) it appends a line naming itself there, and, when
``KAFKA_TESTKIT_CLUSTER_REFUSAL`` is set (the test is not marked integration), raises with that
message instead of letting the cluster start. Then any ``sitecustomize`` this one hides runs.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys


def _watch_for_embedded_clusters() -> None:
    record = os.environ.get("KAFKA_TESTKIT_CLUSTER_RECORD")
    if not record:
        return
    refusal = os.environ.get("KAFKA_TESTKIT_CLUSTER_REFUSAL")

    def hook(event: str, args: tuple[object, ...]) -> None:
        if event != "ctypes.dlsym" or len(args) < 2 or args[1] != "rd_kafka_mock_cluster_new":
            return
        with open(record, "a", encoding="utf-8") as file:
            file.write(f"process {os.getpid()} ({' '.join(sys.argv)})\n")
        if refusal:
            raise RuntimeError(refusal)

    sys.addaudithook(hook)


def _run_hidden_sitecustomize() -> None:
    here = os.path.dirname(os.path.abspath(__file__))
    path = [entry for entry in sys.path if os.path.abspath(entry or ".") != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", path)
    if spec is not None and spec.loader is not None:
        spec.loader.exec_module(importlib.util.module_from_spec(spec))


_watch_for_embedded_clusters()
_run_hidden_sitecustomize()
