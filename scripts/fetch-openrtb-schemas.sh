#!/usr/bin/env bash
# Fetches the IAB Tech Lab's OpenRTB 2.6 JSON Schemas and example bid requests, which the
# conformance tests need, into .cache/openrtb2.x: the jsonschema/ folder of
# InteractiveAdvertisingBureau/openrtb2.x at a pinned commit, one shallow fetch. scripts/test.sh
# runs it first. It does nothing when OPENRTB_SCHEMA_DIR is set (the tests use that copy) or the
# checkout is there already, and it never fails: where github.com cannot be reached it says so in
# one line, and the conformance tests are skipped (see mock-data-gen/tests/openrtb_schemas.py).
set -euo pipefail

script=fetch-openrtb-schemas.sh
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
url=https://github.com/InteractiveAdvertisingBureau/openrtb2.x
# The schema set is proposed in the repository's pull request #179; this is the commit of it that
# the tests were written against. GitHub serves a commit by its id while a ref (here the pull
# request's) reaches it.
commit=4891f0b5b32531e22bfc623fa2e2964c9e5ab68a
checkout="$repo_root/.cache/openrtb2.x"
# Seconds the fetch may take (a few megabytes); an unreachable network fails at once or at this.
seconds="${OPENRTB_FETCH_TIMEOUT:-60}"

[ -z "${OPENRTB_SCHEMA_DIR:-}" ] || exit 0
if [ -f "$checkout/jsonschema/BidRequest.json" ] &&
  [ "$(git --git-dir="$checkout/.git" rev-parse --verify --quiet HEAD 2>/dev/null)" = "$commit" ]; then
  exit 0
fi
if ! command -v git >/dev/null 2>&1; then
  echo "$script: git not found, so the OpenRTB 2.6 JSON Schemas were not fetched"
  exit 0
fi

# Runs "$@" for at most $seconds, then ends it with the processes it started (git's transport
# helper holds the output open): timeout(1) where there is one (macOS has none), else Python.
bounded() {
  if command -v timeout >/dev/null 2>&1; then
    timeout "$seconds" "$@"
    return
  fi
  local python_bin="${VENV:-$repo_root/.venv}/bin/python"
  [ -x "$python_bin" ] || python_bin="${PYTHON:-python3}"
  "$python_bin" -c '
import os, signal, subprocess, sys
command = subprocess.Popen(sys.argv[2:], process_group=0)
try:
    sys.exit(command.wait(timeout=float(sys.argv[1])))
except subprocess.TimeoutExpired:
    sys.exit(124)
finally:
    if command.poll() is None or command.returncode != 0:
        try:
            os.killpg(command.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
' "$seconds" "$@"
}

partial="$checkout.partial"
rm -rf "$partial"
mkdir -p "$partial"
# No credential prompt: the repository is public, and a prompt would wait for ever.
if output="$(
  {
    git -C "$partial" init --quiet &&
      GIT_TERMINAL_PROMPT=0 bounded git -C "$partial" fetch --quiet --depth 1 "$url" "$commit" &&
      git -C "$partial" -c advice.detachedHead=false checkout --quiet FETCH_HEAD
  } 2>&1
)" && [ -f "$partial/jsonschema/BidRequest.json" ]; then
  rm -rf "$checkout"
  mv "$partial" "$checkout"
  echo "$script: fetched the OpenRTB 2.6 JSON Schemas into .cache/openrtb2.x (commit ${commit:0:12})"
else
  status=$?
  rm -rf "$partial"
  reason="$(printf '%s\n' "$output" | sed '/^[[:space:]]*$/d' | tail -n 1)"
  [ "$status" != 124 ] || reason="no answer within ${seconds}s"
  reason="${reason:-no jsonschema/BidRequest.json at commit ${commit:0:12}}"
  echo "$script: could not fetch the OpenRTB 2.6 JSON Schemas from $url ($reason);" \
    "the conformance tests will be skipped"
fi
