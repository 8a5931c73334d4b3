#!/usr/bin/env bash
# Creates the Kafka topic, the warehouse bucket and the Iceberg namespace and table. Safe to run
# again: what exists is left as it is.
#
#   bash scripts/setup.sh           With Docker: waits for kafka, minio and iceberg-rest to be
#                                   healthy (starting them if needed), then runs the stack's
#                                   one-shot `setup` service (the mock-data-gen image). Needs only
#                                   Docker with Compose v2 on the host.
#   bash scripts/setup.sh --local   Without Docker (also chosen when docker is not installed): runs
#                                   `mock-data-gen setup` from .venv against Kafka at
#                                   $KAFKA_BOOTSTRAP_SERVERS (default localhost:29092, e.g. the
#                                   cluster of `bash scripts/run-local.sh --embedded`) and a local
#                                   lakehouse: a SQLite Iceberg catalog with its warehouse under
#                                   .local/lakehouse/ (no bucket needed).
#
# With FUNNEL=full in the environment, also the auction funnel's topics and tables (as
# `mock-data-gen setup` does); an embedded cluster cannot create topics, so start it with them
# (`mock-data-gen broker --topic bid_responses:6 --topic bid_responses.dlq:6 ...`).
#
# Waits are bounded by SETUP_TIMEOUT_SECONDS per service (default 60; 15 with --local) and, with
# Docker, by the services' healthchecks.
#
# Exit codes: 0 done (created or already there), 1 a service did not become ready or refused,
# 2 invalid usage or configuration.
set -euo pipefail
script="setup.sh"
# shellcheck source=scripts/_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

local_mode=false
while [ $# -gt 0 ]; do
  case "$1" in
    --local) local_mode=true ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument '$1' (accepted: --local, --help)" 2 ;;
  esac
  shift
done
if ! "$local_mode" && ! command -v docker >/dev/null 2>&1; then
  say "docker is not installed: setting up the local lakehouse instead (--local)"
  local_mode=true
fi

if ! "$local_mode"; then
  cd "$repo_root"
  docker compose version >/dev/null 2>&1 ||
    die "'docker compose' (Compose v2) is not available; install the Compose plugin, or run: bash scripts/setup.sh --local" 2
  docker info >/dev/null 2>&1 ||
    die "the Docker daemon is not reachable (is Docker running?); or run: bash scripts/setup.sh --local"
  say "waiting for kafka, minio and iceberg-rest to be healthy (starting them if needed)"
  docker compose up --detach --wait kafka minio iceberg-rest ||
    die "kafka, minio and iceberg-rest did not all become healthy; see 'docker compose ps' and 'docker compose logs'"
  say "running the setup service"
  status=0
  docker compose run --rm --no-deps setup || status=$?
  [ "$status" -eq 0 ] || die "the setup service failed (exit $status); its log is above" "$status"
  say "done"
  exit 0
fi

ensure_venv lakehouse
use_local_lakehouse
export KAFKA_BOOTSTRAP_SERVERS="${KAFKA_BOOTSTRAP_SERVERS:-localhost:29092}"
export SETUP_TIMEOUT_SECONDS="${SETUP_TIMEOUT_SECONDS:-15}"
say "local lakehouse in $lakehouse, Kafka at $KAFKA_BOOTSTRAP_SERVERS"
status=0
"$venv/bin/mock-data-gen" setup || status=$?
[ "$status" -eq 0 ] || die "mock-data-gen setup failed (exit $status); its reason is above" "$status"
say "done"
