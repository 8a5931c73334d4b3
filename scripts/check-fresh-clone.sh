#!/usr/bin/env bash
# Checks that a clone of this repository with nothing beside it and no network passes the suite,
# the conformance tests skipped. .ci/run runs it after scripts/test.sh, which ran everything with
# the OpenRTB schema set; this does not run the suite again. It copies the repository's files (those
# git tracks or would track, as they are in the working tree) into an empty temporary directory, so
# there is no ../shared beside the copy, and there, with OPENRTB_SCHEMA_DIR unset and git allowed no network transport, checks:
#   1. scripts/fetch-openrtb-schemas.sh gives up at once, in one line, and leaves no schema set;
#   2. every service's tests are collected without an error;
#   3. every conformance test is skipped (pytest -m conformance: skips only, counted as test.sh does).
# A test that reads the schema set without the conformance mark fails in the full run already
# (mock-data-gen/tests/openrtb_schemas.py), so 3 covers all that needs the schema set.
# The copy uses the existing .venv ($VENV), whose editable installs point at this checkout;
# PYTHONPATH puts the copy's src/ directories first, so the copy's code is what gets imported.
set -euo pipefail

script=check-fresh-clone.sh
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="${VENV:-$repo_root/.venv}"

fail() {
  echo "$script: FAILED: $1" >&2
  exit 1
}

[ -x "$venv/bin/python" ] || fail "no virtual environment at $venv (scripts/test.sh makes it; or set VENV)"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
copy="$work/repo"
mkdir "$copy"
(
  cd "$repo_root"
  git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' path; do
    if [ -f "$path" ]; then printf '%s\0' "$path"; fi
  done | tar --null -T - -cf -
) | tar -C "$copy" -xf -
[ ! -e "$work/shared" ] || fail "$work/shared exists"

unset OPENRTB_SCHEMA_DIR
# git refuses https, http, ssh and git:// here: the copy has no network for the fetch.
export GIT_ALLOW_PROTOCOL=file
services=(mock-data-gen platform-common)
for service in iceberg-sink lake-tools; do
  [ -d "$copy/$service" ] && services+=("$service")
done
pythonpath=""
for service in "${services[@]}"; do
  pythonpath="$pythonpath${pythonpath:+:}$copy/$service/src"
done
export PYTHONPATH="$pythonpath${PYTHONPATH:+:$PYTHONPATH}"

# 1. The fetch fails fast and quietly.
start=$SECONDS
exit_code=0
fetched="$(bash "$copy/scripts/fetch-openrtb-schemas.sh")" || exit_code=$?
[ "$exit_code" = 0 ] || fail "the schema fetch exited $exit_code"
echo "$script: $fetched"
[ "$(printf '%s\n' "$fetched" | wc -l)" -eq 1 ] || fail "the schema fetch said more than one line"
[[ "$fetched" == *"could not fetch"* ]] || fail "the schema fetch did not say that it failed"
[ $((SECONDS - start)) -le 10 ] || fail "the schema fetch took $((SECONDS - start)) s"
[ ! -e "$copy/.cache/openrtb2.x" ] || fail "the failed fetch left $copy/.cache/openrtb2.x"

# 2. and 3.: mock-data-gen's run of the conformance tests collects all its tests on the way.
skips_file="$work/conformance-skips"
for service in "${services[@]}"; do
  cd "$copy/$service"
  if [ "$service" = mock-data-gen ]; then
    echo "$script: == $service: pytest -m conformance"
    exit_code=0
    CONFORMANCE_SKIPS_FILE="$skips_file" "$venv/bin/python" -m pytest -m conformance -q \
      -p no:cacheprovider >"$work/out" 2>&1 || exit_code=$?
    [ "$exit_code" = 0 ] || { cat "$work/out"; fail "$service: pytest exited $exit_code"; }
    summary="$(tail -n 1 "$work/out")"
    echo "$script: $summary"
    [[ "$summary" =~ ^[=[:space:]]*([0-9]+)\ skipped,\ [0-9]+\ deselected\ in ]] ||
      { cat "$work/out"; fail "$service: not every conformance test was skipped"; }
    [ "${BASH_REMATCH[1]}" = "$(cat "$skips_file")" ] ||
      fail "$service: skipped ${BASH_REMATCH[1]}, but counted $(cat "$skips_file") for test.sh"
  else
    echo "$script: == $service: pytest --collect-only"
    exit_code=0
    "$venv/bin/python" -m pytest --collect-only -q -p no:cacheprovider >"$work/out" 2>&1 ||
      exit_code=$?
    [ "$exit_code" = 0 ] || { cat "$work/out"; fail "$service: collection exited $exit_code"; }
    echo "$script: $(tail -n 1 "$work/out")"
  fi
done
# The checks across the services, at the root, collect cleanly too.
cd "$copy"
echo "$script: == tests across the services: pytest --collect-only"
exit_code=0
"$venv/bin/python" -m pytest --collect-only -q -p no:cacheprovider >"$work/out" 2>&1 ||
  exit_code=$?
[ "$exit_code" = 0 ] || { cat "$work/out"; fail "tests/: collection exited $exit_code"; }
echo "$script: $(tail -n 1 "$work/out")"
echo "$script: a clone with nothing beside it collects cleanly and skips only conformance tests"
