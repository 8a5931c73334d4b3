#!/usr/bin/env bash
# Sets up .venv (if needed) with every service and its test extras, then runs the linters, the type
# checker and the test suites. Extra arguments go to pytest, e.g. `bash scripts/test.sh -m "not slow"`.
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

status=0
for service in "${services[@]}"; do
  echo "test.sh: == $service: ruff"
  (cd "$service" && "$venv/bin/ruff" check src tests && "$venv/bin/ruff" format --check src tests) || status=1
  echo "test.sh: == $service: mypy"
  (cd "$service" && "$venv/bin/mypy") || status=1
  echo "test.sh: == $service: pytest"
  (cd "$service" && "$venv/bin/python" -m pytest "$@") || status=1
done
exit "$status"
