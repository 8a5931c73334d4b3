#!/usr/bin/env bash
# The whole platform on this machine, without Docker, in one command: an in-memory Kafka cluster,
# a fresh local lakehouse (SQLite Iceberg catalog, warehouse under .local/lakehouse/), the
# generator and the sink together for --seconds, then the `lake verify` verdict (every record of
# the topic in the table exactly once, or set aside in its dead-letter topic?), a short report of
# the table and a PNG dashboard.
#
#   bash scripts/demo.sh                 about a minute (--seconds 60)
#   bash scripts/demo.sh --seconds 20
#
# It creates .venv if needed and installs the generator, the sink and the lake tools (with their
# query and plot extras) into it. While it runs, one progress line every few seconds says how many
# events the generator produced and Kafka acknowledged, how many rows the sink has committed, the
# lag between the two and the commits so far. The rate is EVENTS_PER_SECOND (default 100 here),
# the commit interval COMMIT_INTERVAL_SECONDS (default 5 here), the seed SEED (default 42); any
# other setting of the generator and the sink is read as usual (README, "Configuration").
# The dashboard is written to .local/demo-dashboard.png ($LOCAL_STATE_DIR moves .local/).
#
# Ctrl+C stops the generator; the sink then commits what was produced and the verdict, report and
# dashboard follow. A second Ctrl+C stops everything at once and prints what landed in the table.
# No process the demo started is left running when it returns.
#
# Exit codes: 0 the run worked and `lake verify` found every record exactly once; 1 something
# failed (the generator, the sink, the cluster, or the audit: its verdict says which record);
# 2 bad arguments or settings; 128 + the signal's number when a second Ctrl+C stopped everything.
set -euo pipefail
script="demo.sh"
# shellcheck source=scripts/_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

seconds=60
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds)
      [ $# -ge 2 ] || die "--seconds needs a number of seconds" 2
      seconds="$2"
      shift
      ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
      exit 0
      ;;
    *) die "unknown argument '$1' (accepted: --seconds N, --help)" 2 ;;
  esac
  shift
done
[[ "$seconds" =~ ^[1-9][0-9]{0,5}$ ]] || die "--seconds '$seconds' is not a whole number from 1 to 999999" 2

# Installs ./lake-tools with the query and plot extras (editable) unless this checkout's package
# and DuckDB and matplotlib are already there.
ensure_lake() {
  local spec="$repo_root/lake-tools"
  local probe="import duckdb, matplotlib, lake_tools, sys; sys.exit(not lake_tools.__file__.startswith('$spec/src/'))"
  if ! "$venv/bin/python" -c "$probe" >/dev/null 2>&1; then
    say "installing ${spec}[query,plot] into $venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "${spec}[query,plot]" ||
      die "pip could not install ${spec}[query,plot]"
  fi
}

ensure_venv lakehouse
ensure_sink
ensure_lake
exec "$venv/bin/python" "$repo_root/scripts/demo.py" "$seconds"
