#!/usr/bin/env bash
# Runs the bid request generator (`mock-data-gen run`) from the virtual environment .venv,
# creating it and installing ./mock-data-gen into it first if needed.
#
#   bash scripts/run-local.sh              streams to Kafka at $KAFKA_BOOTSTRAP_SERVERS
#                                          (default localhost:29092: the Docker stack's Kafka)
#   bash scripts/run-local.sh --embedded   starts an in-memory Kafka cluster on 127.0.0.1 first
#   bash scripts/run-local.sh --embedded --with-sink
#                                          also lands the stream in a local Iceberg table
#   EVENTS_PER_SECOND=50 bash scripts/run-local.sh
#   MAX_EVENTS=100 bash scripts/run-local.sh --embedded
#
# Settings come from the environment (README, "Configuration"); other arguments go to
# `mock-data-gen run`. With --embedded the cluster listens on 127.0.0.1:$EMBEDDED_KAFKA_PORT
# (default 29092, its other brokers on the next ports), creates the topic and its dead-letter
# topic <topic>.dlq with $TOPIC_PARTITIONS partitions (default 6) and writes its bootstrap address
# to .local/embedded-kafka.bootstrap. When the generator stops (MAX_EVENTS, DURATION_SECONDS or
# Ctrl+C) the first records are read back and the per-partition offsets logged; then the cluster,
# which keeps everything in memory, stops.
#
# With --with-sink (needs --embedded) the local lakehouse of `setup.sh --local` is set up afresh (a
# SQLite Iceberg catalog named "local" and its warehouse under .local/lakehouse/; an earlier run's
# is deleted, since the embedded cluster starts empty too and the old table's offsets would name
# records of a topic that is gone) and `iceberg-sink run` lands the stream in its table
# db.bid_requests, logging to .local/iceberg-sink.log, with /metrics and /healthz on
# $SINK_METRICS_PORT (default 8001; 0 = off). When the generator has stopped, the script waits (up
# to $SINK_CATCH_UP_SECONDS, default 60) until the sink has committed every record of the topic,
# stops it (SIGTERM: it commits what it consumed), checks that the table holds each record once
# (as many rows, and distinct (kafka_partition, kafka_offset) pairs, as the topic has records),
# prints the table's offsets and how to open the table with pyiceberg.
#
# Exit codes: those of `mock-data-gen run` (0 every event delivered, 1 not all delivered or could
# not start, 2 invalid setting); 1 also when the venv or the embedded cluster cannot be set up or
# nothing could be read back, or, with --with-sink, when the local lakehouse cannot be set up, the
# sink failed, or the table does not hold each record of the topic once within the wait; 2 for
# --with-sink without --embedded.
set -euo pipefail
script="run-local.sh"
# shellcheck source=scripts/_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

embedded=false
with_sink=false
run_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --embedded) embedded=true ;;
    --with-sink) with_sink=true ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
      exit 0
      ;;
    *) run_args+=("$1") ;;
  esac
  shift
done

if "$with_sink" && ! "$embedded"; then
  die "--with-sink needs --embedded (the Docker stack runs its own sink: docker compose up -d)" 2
fi
if "$with_sink"; then
  ensure_venv lakehouse
  ensure_sink
else
  ensure_venv
fi
mdg="$venv/bin/mock-data-gen"

if ! "$embedded"; then
  export KAFKA_BOOTSTRAP_SERVERS="${KAFKA_BOOTSTRAP_SERVERS:-localhost:29092}"
  say "streaming to Kafka at $KAFKA_BOOTSTRAP_SERVERS (Ctrl+C stops)"
  exec "$mdg" run ${run_args[@]+"${run_args[@]}"}
fi

port="${EMBEDDED_KAFKA_PORT:-29092}"
export TOPIC_BID_REQUESTS="${TOPIC_BID_REQUESTS:-bid_requests}"
mkdir -p "$state_dir"
bootstrap_file="$state_dir/embedded-kafka.bootstrap"
broker_log="$state_dir/embedded-kafka.log"
rm -f "$bootstrap_file"

# A session of its own keeps Ctrl+C (meant for the generator) away from the cluster, so the
# stream can still be read back afterwards.
detach=()
command -v setsid >/dev/null 2>&1 && detach=(setsid)
${detach[@]+"${detach[@]}"} "$mdg" broker --port "$port" \
  --topic "$TOPIC_BID_REQUESTS:${TOPIC_PARTITIONS:-6}" \
  --topic "$TOPIC_BID_REQUESTS.dlq:${TOPIC_PARTITIONS:-6}" \
  --bootstrap-file "$bootstrap_file" >"$broker_log" 2>&1 &
broker_pid=$!
sink_pid=""
# shellcheck disable=SC2329  # run by the EXIT trap
stop_all() {
  # The sink first: on SIGTERM it commits what it consumed, which needs the cluster.
  if [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null; then
    wait "$sink_pid" 2>/dev/null || true
  fi
  kill "$broker_pid" 2>/dev/null || return 0
  wait "$broker_pid" 2>/dev/null || true
}
trap stop_all EXIT

for _ in $(seq 100); do
  [ -s "$bootstrap_file" ] && break
  if ! kill -0 "$broker_pid" 2>/dev/null; then
    cat "$broker_log" >&2
    die "the embedded Kafka cluster did not start (is port $port in use, e.g. by the Docker stack? set EMBEDDED_KAFKA_PORT)"
  fi
  sleep 0.1
done
[ -s "$bootstrap_file" ] || die "the embedded Kafka cluster gave no address within 10 s; see $broker_log"
KAFKA_BOOTSTRAP_SERVERS="$(head -n 1 "$bootstrap_file")"
export KAFKA_BOOTSTRAP_SERVERS

say "embedded Kafka at $KAFKA_BOOTSTRAP_SERVERS (in memory; address in $bootstrap_file, log in $broker_log)"

if "$with_sink"; then
  use_local_lakehouse
  rm -rf "${lakehouse:?}"
  mkdir -p "$lakehouse/warehouse"
  say "starting with a fresh local lakehouse in $lakehouse (the embedded Kafka cluster starts empty too)"
  export SETUP_TIMEOUT_SECONDS="${SETUP_TIMEOUT_SECONDS:-15}"
  "$mdg" setup || die "mock-data-gen setup of the local lakehouse in $lakehouse failed; its reason is above"
  sink_log="$state_dir/iceberg-sink.log"
  # Like the cluster, the sink is kept away from Ctrl+C: it is stopped once it has caught up.
  METRICS_PORT="${SINK_METRICS_PORT:-8001}" ${detach[@]+"${detach[@]}"} \
    "$venv/bin/iceberg-sink" run >"$sink_log" 2>&1 &
  sink_pid=$!
  say "iceberg-sink lands $TOPIC_BID_REQUESTS in table db.bid_requests of $lakehouse (log in $sink_log)"
fi
say "read the stream while it runs, from another terminal:"
say "  $mdg consume --bootstrap-servers 127.0.0.1:$port --count 5"
say "  kcat -b 127.0.0.1:$port -t $TOPIC_BID_REQUESTS -C -o beginning -c 5   (if kcat is installed)"

status=0
"$mdg" run ${run_args[@]+"${run_args[@]}"} || status=$?

say "generator stopped (exit $status); the first records in $TOPIC_BID_REQUESTS:"
consume_log="$state_dir/consume.log"
if ! "$mdg" consume --count 3 2>"$consume_log"; then
  [ "$status" -ne 0 ] || status=1
fi
cat "$consume_log" >&2
"$with_sink" || exit "$status"

# Sum of the next offsets committed in the table: every record of the (fresh) topic once it is the
# sum of the topic's end offsets. Only a sign of progress: the rows are counted at the end.
landed() {
  "$venv/bin/iceberg-sink" offsets 2>/dev/null | awk '{ total += $2 } END { print total + 0 }'
}
# Rows of the table and distinct (kafka_partition, kafka_offset) pairs among them.
table_counts() {
  "$venv/bin/python" -c '
import os
from pyiceberg.catalog import load_catalog
table = load_catalog(os.environ["ICEBERG_CATALOG"]).load_table("db.bid_requests")
rows = table.scan(selected_fields=("kafka_partition", "kafka_offset")).to_arrow()
print(rows.num_rows, rows.group_by(["kafka_partition", "kafka_offset"]).aggregate([]).num_rows)
'
}
# Records written to the (fresh) topic: the sum of its partitions' end offsets.
expected="$(sed -n 's/.*event=partition_offsets .* next=\([0-9]*\).*/\1/p' "$consume_log" |
  awk '{ total += $1 } END { print total + 0 }')"
deadline=$((SECONDS + ${SINK_CATCH_UP_SECONDS:-60}))
say "waiting for the sink to commit all $expected records (up to ${SINK_CATCH_UP_SECONDS:-60} s)"
while [ "$(landed)" -lt "$expected" ] && [ "$SECONDS" -lt "$deadline" ] && kill -0 "$sink_pid" 2>/dev/null; do
  sleep 1
done
sink_status=0
if kill "$sink_pid" 2>/dev/null; then
  wait "$sink_pid" || sink_status=$?
else
  wait "$sink_pid" 2>/dev/null || sink_status=$?
fi
sink_pid=""
counts="$(table_counts 2>>"$sink_log")" || counts=""
rows="${counts% *}"
pairs="${counts#* }"
if [ "$sink_status" -ne 0 ]; then
  tail -n 20 "$sink_log" >&2
  say "iceberg-sink failed (exit $sink_status); its log is $sink_log"
  [ "$status" -ne 0 ] || status=1
elif [ -z "$counts" ]; then
  say "could not read table db.bid_requests; see $sink_log"
  [ "$status" -ne 0 ] || status=1
elif [ "$rows" -ne "$expected" ] || [ "$pairs" -ne "$rows" ]; then
  say "table db.bid_requests holds $rows rows with $pairs distinct (kafka_partition, kafka_offset) pairs, not the topic's $expected records once each; see $sink_log"
  [ "$status" -ne 0 ] || status=1
else
  say "table db.bid_requests holds each of the topic's $expected records once ($rows rows, $pairs distinct (kafka_partition, kafka_offset) pairs); offsets committed in it (partition offset):"
fi
"$venv/bin/iceberg-sink" offsets >&2 || true
say "the table stays in $lakehouse until the next --with-sink run; open it with pyiceberg's catalog \"local\":"
say "  export PYICEBERG_CATALOG__LOCAL__TYPE=sql PYICEBERG_CATALOG__LOCAL__URI=$PYICEBERG_CATALOG__LOCAL__URI PYICEBERG_CATALOG__LOCAL__WAREHOUSE=$PYICEBERG_CATALOG__LOCAL__WAREHOUSE"
say "  $venv/bin/python -c \"from pyiceberg.catalog import load_catalog; print(load_catalog('local').load_table('db.bid_requests').scan().to_arrow().num_rows)\""
exit "$status"
