#!/usr/bin/env bash
# Regenerates the images' lock files from the packages' pyproject.toml files:
#   mock-data-gen/requirements.lock   mock-data-gen with its lakehouse extra (run and setup), and
#                                     platform-common
#   iceberg-sink/requirements.lock    iceberg-sink and platform-common: nothing of mock-data-gen
# Every package an image installs is pinned with the hashes of all its published files, for
# Python 3.12 (the images' Python) on any platform; the Dockerfiles install them with
# --require-hashes, so a rebuild gets exactly these files. Run this after changing a dependency
# (the test suite fails while a lock no longer satisfies its pyproject.toml). Needs PyPI.
set -euo pipefail

script=lock.sh
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"
venv="${VENV:-$repo_root/.venv}"
python_version=3.12

if [ ! -x "$venv/bin/uv" ]; then
  [ -x "$venv/bin/python" ] || { python3 -m venv "$venv"; }
  echo "$script: installing uv into $venv"
  "$venv/bin/python" -m pip install --quiet 'uv>=0.5,<1'
fi

compile() {  # $1: output lock file; the rest: requirements (local paths with extras)
  local output="$1" input
  shift
  input="$(mktemp)"
  printf '%s\n' "$@" >"$input"
  echo "$script: writing $output"
  # The local packages themselves are installed from the sources by the Dockerfiles, not from here.
  "$venv/bin/uv" pip compile --quiet --universal --python-version "$python_version" \
    --generate-hashes --no-header --no-annotate \
    --no-emit-package platform-common --no-emit-package mock-data-gen \
    --no-emit-package iceberg-sink \
    --output-file "$output" "$input"
  rm -f "$input"
}

compile mock-data-gen/requirements.lock './mock-data-gen[lakehouse]'
compile iceberg-sink/requirements.lock './platform-common' './iceberg-sink'
