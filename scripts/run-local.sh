#!/usr/bin/env bash
# Runs the bid request generator (`mock-data-gen run`) from the virtual environment .venv,
# creating it and installing ./mock-data-gen into it first if needed.
#
#   bash scripts/run-local.sh              streams to Kafka at $KAFKA_BOOTSTRAP_SERVERS
#                                          (default localhost:29092: the Docker stack's Kafka)
#   bash scripts/run-local.sh --embedded   starts an in-memory Kafka cluster on 127.0.0.1 first
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
# Exit codes: those of `mock-data-gen run` (0 every event delivered, 1 not all delivered or could
# not start, 2 invalid setting); 1 also when the venv or the embedded cluster cannot be set up or
# nothing could be read back.
set -euo pipefail
script="run-local.sh"
# shellcheck source=scripts/_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

embedded=false
run_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --embedded) embedded=true ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
      exit 0
      ;;
    *) run_args+=("$1") ;;
  esac
  shift
done

ensure_venv
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
# shellcheck disable=SC2329  # run by the EXIT trap
stop_broker() {
  kill "$broker_pid" 2>/dev/null || return 0
  wait "$broker_pid" 2>/dev/null || true
}
trap stop_broker EXIT

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
say "read the stream while it runs, from another terminal:"
say "  $mdg consume --bootstrap-servers 127.0.0.1:$port --count 5"
say "  kcat -b 127.0.0.1:$port -t $TOPIC_BID_REQUESTS -C -o beginning -c 5   (if kcat is installed)"

status=0
"$mdg" run ${run_args[@]+"${run_args[@]}"} || status=$?

say "generator stopped (exit $status); the first records in $TOPIC_BID_REQUESTS:"
if ! "$mdg" consume --count 3; then
  [ "$status" -ne 0 ] || status=1
fi
exit "$status"
