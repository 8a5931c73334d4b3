# shellcheck shell=bash
# Shared by scripts/run-local.sh and scripts/setup.sh (sourced, not run).
# Expects `script` (the caller's name, for messages) to be set.
# shellcheck disable=SC2034,SC2154  # variables are set for, and by, the sourcing scripts

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${VENV:-$repo_root/.venv}"
# Files of the embedded broker and the local lakehouse (bootstrap address, logs, catalog).
state_dir="${LOCAL_STATE_DIR:-$repo_root/.local}"

die() {
  echo "$script: error: $1" >&2
  exit "${2:-1}"
}

say() {
  echo "$script: $*" >&2
}

# Creates the virtual environment if missing and installs ./mock-data-gen into it (editable, so
# later changes to the sources are picked up) unless this checkout's package is already there.
# $1: extras to install, e.g. "lakehouse" (optional).
ensure_venv() {
  local extras="${1:-}" python_bin="${PYTHON:-python3}" spec="$repo_root/mock-data-gen"
  if [ ! -x "$venv/bin/python" ]; then
    command -v "$python_bin" >/dev/null 2>&1 ||
      die "$python_bin not found; install Python 3.11 or newer (or set PYTHON)"
    "$python_bin" -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
      die "$("$python_bin" --version 2>&1) is too old; mock-data-gen needs Python 3.11 or newer"
    say "creating virtual environment in $venv"
    "$python_bin" -m venv "$venv" || die "could not create a virtual environment in $venv"
  fi
  local probe="import mock_data_gen, sys; sys.exit(not mock_data_gen.__file__.startswith('$spec/src/'))"
  [ -n "$extras" ] && probe="import pyiceberg, boto3; $probe"
  if ! "$venv/bin/python" -c "$probe" >/dev/null 2>&1; then
    [ -n "$extras" ] && spec="${spec}[$extras]"
    say "installing $spec into $venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$spec" ||
      die "pip could not install $spec"
  fi
}

# Installs ./iceberg-sink into the virtual environment (editable) unless this checkout's package is
# already there; it brings ./platform-common, nothing of mock-data-gen (ensure_venv installs that).
ensure_sink() {
  local spec="$repo_root/iceberg-sink"
  local probe="import iceberg_sink, sys; sys.exit(not iceberg_sink.__file__.startswith('$spec/src/'))"
  if ! "$venv/bin/python" -c "$probe" >/dev/null 2>&1; then
    say "installing $spec into $venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -e "$spec" ||
      die "pip could not install $spec"
  fi
}

# Exports the configuration of the local lakehouse: a SQLite Iceberg catalog named "local" (unless
# ICEBERG_CATALOG names another) with its warehouse on local files under $state_dir/lakehouse/, so
# no bucket is needed. Sets `lakehouse` to that directory.
use_local_lakehouse() {
  lakehouse="$state_dir/lakehouse"
  mkdir -p "$lakehouse/warehouse"
  export ICEBERG_CATALOG="${ICEBERG_CATALOG:-local}"
  export PYICEBERG_CATALOG__LOCAL__TYPE=sql
  export PYICEBERG_CATALOG__LOCAL__URI="sqlite:///$lakehouse/catalog.db"
  export PYICEBERG_CATALOG__LOCAL__WAREHOUSE="file://$lakehouse/warehouse"
  export WAREHOUSE_BUCKET="${WAREHOUSE_BUCKET-}"
}
