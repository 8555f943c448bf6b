#!/usr/bin/env bash
# `npm run demo`: Presently without a Microsoft 365 account. Starts the emulator of Microsoft's identity platform
# and Graph presence on 127.0.0.1 and opens its "what colleagues see" page. (The tray app joins this demo when it
# lands; see README.)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(repo_root)"

bash scripts/setup.sh
port="${PRESENTLY_DEMO_PORT:-8400}"
say "Building the emulator"
cargo build -p presently-emulator --locked
bin=target/debug/presently-emulator

"$bin" --port "$port" "$@" &
emulator=$!
trap 'kill "$emulator" 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 50); do
  curl -fsS "http://127.0.0.1:$port/_emulator/clock" >/dev/null 2>&1 && break
  sleep 0.1
done

# Something to look at: Megan has Teams open and is in a meeting.
curl -fsS -X POST -H 'content-type: application/json' \
  -d '{"availability":"Busy","activity":"InAMeeting"}' \
  "http://127.0.0.1:$port/_emulator/users/megan.bowen@contoso.onmicrosoft.com/teams" >/dev/null 2>&1 || true

url="http://127.0.0.1:$port/"
say "What colleagues see: $url   (Ctrl-C stops the demo)"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && command -v xdg-open >/dev/null 2>&1; then
  xdg-open "$url" >/dev/null 2>&1 || true
fi
wait "$emulator"
