#!/usr/bin/env bash
# Runs the bid request generator (`mock-data-gen run`) from the virtual environment .venv,
# creating it and installing ./mock-data-gen into it first if needed.
#
#   bash scripts/run-local.sh              streams to Kafka at $KAFKA_BOOTSTRAP_SERVERS
#                                          (default localhost:29092: the Docker stack's Kafka)
#   bash scripts/run-local.sh --embedded   starts an in-memory Kafka cluster on 127.0.0.1 first
#   bash scripts/run-local.sh --embedded --with-sink
#                                          also lands the stream in a local Iceberg table
#   FUNNEL=full bash scripts/run-local.sh --embedded --with-sink
#                                          and each topic of the auction funnel in its own table
#   EVENTS_PER_SECOND=50 bash scripts/run-local.sh
#   MAX_EVENTS=100 bash scripts/run-local.sh --embedded
#
# Settings come from the environment (README, "Configuration"); other arguments go to
# `mock-data-gen run`. With --embedded the cluster listens on 127.0.0.1:$EMBEDDED_KAFKA_PORT
# (default 29092, its other brokers on the next ports), creates the topic and its dead-letter
# topic <topic>.dlq with $TOPIC_PARTITIONS partitions (default 6) and writes its bootstrap address
# to .local/embedded-kafka.bootstrap ($LOCAL_STATE_DIR moves .local/). When the generator stops
# (MAX_EVENTS, DURATION_SECONDS or Ctrl+C) the first records are read back and the per-partition
# offsets logged; then the cluster, which keeps everything in memory, stops. With FUNNEL=full (any
# case, as the generator reads it) the cluster also starts with the funnel's topics
# ($TOPIC_BID_RESPONSES, $TOPIC_WINS, $TOPIC_IMPRESSIONS, $TOPIC_CLICKS; default bid_responses,
# wins, impressions, clicks) and their dead-letter topics: it cannot create topics once it runs.
#
# With --with-sink (needs --embedded) the local lakehouse of `setup.sh --local` is set up afresh (a
# SQLite Iceberg catalog named "local" and its warehouse under .local/lakehouse/; an earlier run's
# is deleted, since the embedded cluster starts empty too and the old table's offsets would name
# records of a topic that is gone) and `iceberg-sink run` lands the stream in its table
# db.bid_requests, logging to .local/iceberg-sink.log, with /metrics and /healthz on
# $SINK_METRICS_PORT (default 8001; 0 = off). When the generator has stopped, the script waits (up
# to $SINK_CATCH_UP_SECONDS, default 60, saying how far the sink has got) until the offsets
# committed in the table reach the end of each partition of the topic, stops the sink (SIGTERM: it
# commits what it consumed), checks that the table holds each record once (as many rows, and
# distinct (kafka_partition, kafka_offset) pairs, as the topic has records, each pair one of the
# topic's; a record in the sink's dead-letter topic counts in place of its row), prints the table's
# offsets and how to open the table with pyiceberg.
#
# With FUNNEL=full and --with-sink, setup also creates the funnel's tables (named like their topics,
# each dot an underscore, in the namespace of the request table) and each funnel topic gets a sink
# of its own beside the requests' one, as the Docker stack's iceberg-sink-<event> services:
# consumer group iceberg-sink-bid-responses, iceberg-sink-wins, iceberg-sink-impressions or
# iceberg-sink-clicks, log in .local/<group>.log, dead-letter topic <topic>.dlq, no /metrics port.
# The script waits for every sink (one wait of up to $SINK_CATCH_UP_SECONDS), stops them
# together, checks each table as above, reports each, and prints how to query the funnel's tables
# with `lake query --name funnel-integrity`.
#
# Ctrl+C stops the generator cleanly (a second one gives up its final flush); pressed while the
# script waits for anything else, it stops everything. Every process the script started is
# stopped before it exits: the sinks (each commits what it consumed), then the cluster.
#
# The work is done by scripts/local_run.py, run with the virtual environment's Python once this
# script has set it up; it decides success from the exit codes of the processes it started, the
# topics' offsets and the tables' rows, never from their log lines.
#
# Exit codes: those of `mock-data-gen run` (0 every event delivered, 1 not all delivered or could
# not start, 2 invalid setting); 1 also when the venv or the embedded cluster cannot be set up or
# nothing could be read back, or, with --with-sink, when the local lakehouse cannot be set up, a
# sink failed, or a table does not hold each record of its topic once within the wait; 2 for
# --with-sink without --embedded, or an invalid EMBEDDED_KAFKA_PORT, TOPIC_PARTITIONS,
# SINK_METRICS_PORT or SINK_CATCH_UP_SECONDS (or sink setting, with --with-sink); 128 + the
# signal's number when Ctrl+C (SIGINT), SIGTERM or SIGHUP stopped everything while no generator ran.
set -euo pipefail
script="run-local.sh"
# shellcheck source=scripts/_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

embedded=false
with_sink=false
for arg in "$@"; do
  case "$arg" in
    --embedded) embedded=true ;;
    --with-sink) with_sink=true ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
      exit 0
      ;;
  esac
done

# Python and the packages may not be there yet: this much stays in bash.
if "$with_sink" && "$embedded"; then
  ensure_venv lakehouse
  ensure_sink
else
  ensure_venv
fi
exec "$venv/bin/python" "$repo_root/scripts/local_run.py" "$@"
