#!/usr/bin/env bash
# Sets up .venv (if needed) with every package (platform-common and the services) and its test
# extras, then runs the linters, the type checker and the test suites: each package's own, then
# tests/ (the checks across the services).
# Extra arguments go to pytest, e.g. `bash scripts/test.sh -m "not slow"`.
# The conformance tests need the OpenRTB 2.6 JSON Schemas: from OPENRTB_SCHEMA_DIR, else fetched into
# .cache/ by scripts/fetch-openrtb-schemas.sh; without either they are skipped, and counted at the end.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

python_bin="${PYTHON:-python3}"
venv="${VENV:-$repo_root/.venv}"
packages=(platform-common mock-data-gen)
[ -d iceberg-sink ] && packages+=(iceberg-sink)
[ -d lake-tools ] && packages+=(lake-tools)

if [ ! -x "$venv/bin/python" ]; then
  echo "test.sh: creating virtual environment in $venv"
  "$python_bin" -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --upgrade pip
# The services depend on platform-common (and the sink's tests on mock-data-gen) by path, and pip
# refuses a package asked for as editable that another one asks for by that path in the same run.
# So: everything from the paths first, with every dependency; then the local packages once more,
# editable (later source changes are picked up) and without dependencies.
install_args=()
editable_args=()
for package in "${packages[@]}"; do
  install_args+=("./${package}[test]")
  editable_args+=(-e "./${package}")
done
echo "test.sh: installing ${packages[*]} with test extras"
"$venv/bin/python" -m pip install --quiet "${install_args[@]}"
"$venv/bin/python" -m pip install --quiet --no-deps "${editable_args[@]}"

VENV="$venv" bash scripts/fetch-openrtb-schemas.sh
# Each service's pytest adds a line to it: how many conformance tests it skipped.
skips_file="$(mktemp)"
trap 'rm -f "$skips_file"' EXIT

status=0
for package in "${packages[@]}"; do
  echo "test.sh: == $package: ruff"
  (cd "$package" && "$venv/bin/ruff" check src tests && "$venv/bin/ruff" format --check src tests) || status=1
  echo "test.sh: == $package: mypy"
  (cd "$package" && "$venv/bin/mypy") || status=1
  echo "test.sh: == $package: pytest"
  (cd "$package" && CONFORMANCE_SKIPS_FILE="$skips_file" "$venv/bin/python" -m pytest "$@") || status=1
done
echo "test.sh: == kafka-testkit (test support): ruff, mypy"
(cd kafka-testkit && "$venv/bin/ruff" check src && "$venv/bin/ruff" format --check src &&
  "$venv/bin/mypy") || status=1
echo "test.sh: == import contracts (who may import whom)"
"$venv/bin/lint-imports" --no-cache || status=1
echo "test.sh: == tests across the services, development tools in scripts/, benchmarks/: ruff, mypy, pytest"
("$venv/bin/ruff" check tests scripts benchmarks &&
  "$venv/bin/ruff" format --check tests scripts benchmarks &&
  "$venv/bin/mypy") || status=1
"$venv/bin/python" -m pytest "$@" || status=1
skipped="$(awk '{ count += $1 } END { print count + 0 }' "$skips_file")"
if [ "$skipped" -gt 0 ]; then
  echo "test.sh: $skipped conformance tests skipped, the OpenRTB 2.6 JSON Schemas being absent;" \
    "to run them, set OPENRTB_SCHEMA_DIR to the jsonschema/ folder of" \
    "InteractiveAdvertisingBureau/openrtb2.x, or allow network access to github.com for the fetch"
fi
exit "$status"
