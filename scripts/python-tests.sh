#!/usr/bin/env bash
# Runs Microsoft's own Python client libraries (msal, msgraph-sdk) against the emulator over TLS:
#   scripts/python-tests.sh [pytest args...]
# Makes .venv at the repo root when missing and installs tests/python/requirements.txt into it (again only when that
# file changed), builds presently-emulator, starts it on a free port with a throw-away CA, runs pytest on
# tests/python, and always stops the emulator.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(repo_root)"

VENV=.venv
REQUIREMENTS=tests/python/requirements.txt
STAMP="$VENV/.requirements.sha256"

if [ ! -x "$VENV/bin/python" ]; then
  say "Creating $VENV"
  python3 -m venv "$VENV"
fi
want="$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null || true)" != "$want" ]; then
  say "Installing Python test packages into $VENV"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  echo "$want" >"$STAMP"
fi

say "Building presently-emulator"
cargo build --quiet --locked -p presently-emulator
target_dir="$(cargo metadata --format-version 1 --no-deps | "$VENV/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
bin="$target_dir/debug/presently-emulator"

tmp="$(mktemp -d)"
"$bin" --tls --ca-out "$tmp/ca.pem" --port 0 >"$tmp/stdout.log" 2>"$tmp/stderr.log" &
pid=$!
stop() {
  kill -INT "$pid" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap stop EXIT

url=""
for _ in $(seq 1 300); do
  url="$(sed -n 's/^Presently emulator listening on \(https:\/\/[^ ]*\)$/\1/p' "$tmp/stdout.log")"
  [ -n "$url" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "presently-emulator exited before listening:" >&2
    cat "$tmp/stderr.log" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "presently-emulator did not print its URL within 30 s" >&2
  cat "$tmp/stderr.log" >&2
  exit 1
fi

say "pytest tests/python against $url"
EMULATOR_URL="$url" EMULATOR_CA="$tmp/ca.pem" "$VENV/bin/python" -m pytest tests/python -q -p no:cacheprovider "$@"
