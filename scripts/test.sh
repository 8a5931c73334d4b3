#!/usr/bin/env bash
# Sets up .venv (if needed) with every service and its test extras, then runs the linters, the type
# checker and the test suites: each service's own, then tests/ (the checks across the services).
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -m "not slow"`.
# The conformance tests need the OpenRTB 2.6 JSON Schemas: from OPENRTB_SCHEMA_DIR, else fetched into
# .cache/ by scripts/fetch-openrtb-schemas.sh; without either they are skipped, and counted at the end.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

python_bin="${PYTHON:-python3}"
venv="${VENV:-$repo_root/.venv}"
services=(mock-data-gen)
[ -d iceberg-sink ] && services+=(iceberg-sink)

if [ ! -x "$venv/bin/python" ]; then
  echo "test.sh: creating virtual environment in $venv"
  "$python_bin" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
install_args=()
for service in "${services[@]}"; do
  install_args+=(-e "./${service}[test]")
done
echo "test.sh: installing ${services[*]} with test extras"
"$venv/bin/python" -m pip install --quiet "${install_args[@]}"

VENV="$venv" bash scripts/fetch-openrtb-schemas.sh
# Each service's pytest adds a line to it: how many conformance tests it skipped.
skips_file="$(mktemp)"
trap 'rm -f "$skips_file"' EXIT

status=0
for service in "${services[@]}"; do
  echo "test.sh: == $service: ruff"
  (cd "$service" && "$venv/bin/ruff" check src tests && "$venv/bin/ruff" format --check src tests) || status=1
  echo "test.sh: == $service: mypy"
  (cd "$service" && "$venv/bin/mypy") || status=1
  echo "test.sh: == $service: pytest"
  (cd "$service" && CONFORMANCE_SKIPS_FILE="$skips_file" "$venv/bin/python" -m pytest "$@") || status=1
done
echo "test.sh: == kafka-testkit (test support): ruff, mypy"
(cd kafka-testkit && "$venv/bin/ruff" check src && "$venv/bin/ruff" format --check src &&
  "$venv/bin/mypy") || status=1
echo "test.sh: == tests across the services, development tools in scripts/: ruff, mypy, pytest"
("$venv/bin/ruff" check tests scripts && "$venv/bin/ruff" format --check tests scripts &&
  "$venv/bin/mypy") || status=1
"$venv/bin/python" -m pytest "$@" || status=1
skipped="$(awk '{ count += $1 } END { print count + 0 }' "$skips_file")"
if [ "$skipped" -gt 0 ]; then
  echo "test.sh: $skipped conformance tests skipped, the OpenRTB 2.6 JSON Schemas being absent;" \
    "to run them, set OPENRTB_SCHEMA_DIR to the jsonschema/ folder of" \
    "InteractiveAdvertisingBureau/openrtb2.x, or allow network access to github.com for the fetch"
fi
exit "$status"
