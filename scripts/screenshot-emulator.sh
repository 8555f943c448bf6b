#!/usr/bin/env bash
# Screenshots of the emulator's "what colleagues see" page, light and dark, with something worth seeing on it.
#
# Builds and starts the emulator on a free loopback port, sets up a scene through its control API and Graph
# (Adele: an app session that just set Available, under a Busy pin the app set; Megan: Teams open in a meeting, a
# status message, and an older app session that faded to Away), takes headless Chromium screenshots, and stops
# the emulator.
#
# Usage: scripts/screenshot-emulator.sh [OUT_DIR]   (default docs/images; writes emulator-page.png and
#        emulator-page-dark.png). CHROMIUM=/path/to/chromium overrides the browser.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(repo_root)"

out_dir="${1:-docs/images}"
browser="${CHROMIUM:-$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)}"
if [ -z "$browser" ]; then
  echo "no Chromium found: install it (apt-get install -y chromium) or set CHROMIUM" >&2
  exit 1
fi
mkdir -p "$out_dir"

say "Building the emulator"
cargo build -q -p presently-emulator --bin presently-emulator
bin=target/debug/presently-emulator

work=$(mktemp -d)
emulator=""
cleanup() {
  if [ -n "$emulator" ]; then kill "$emulator" 2>/dev/null || true; wait "$emulator" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

# Port 0: the emulator picks a free port and prints its URL.
"$bin" --port 0 >"$work/emulator.out" 2>"$work/emulator.err" &
emulator=$!
base=""
for _ in $(seq 100); do
  base=$(sed -n 's/^Presently emulator listening on \(http:\/\/127\.0\.0\.1:[0-9]*\)$/\1/p' "$work/emulator.out")
  [ -n "$base" ] && break
  sleep 0.1
done
if [ -z "$base" ]; then
  echo "the emulator did not start:" >&2
  cat "$work/emulator.err" >&2
  exit 1
fi
say "Emulator at $base"

json() { python3 -c 'import json,sys; v=json.load(sys.stdin)
for k in sys.argv[1].split("."): v=v[int(k)] if k.isdigit() else v[k]
print(v)' "$1"; }
call() { # METHOD PATH [JSON] [TOKEN]
  local args=(-fsS -X "$1" "$base$2")
  [ -n "${3:-}" ] && args+=(-H 'content-type: application/json' -d "$3")
  [ -n "${4:-}" ] && args+=(-H "authorization: Bearer $4")
  curl "${args[@]}"
}

adele=adele.vance@contoso.onmicrosoft.com
megan=megan.bowen@contoso.onmicrosoft.com
state=$(call GET /_emulator/state)
adele_id=$(json users.0.id <<<"$state")
megan_id=$(json users.1.id <<<"$state")
client_id=$(json clients.0.clientId <<<"$state")
adele_token=$(call POST /_emulator/tokens "{\"user\":\"$adele\",\"lifetimeSecs\":86400}" | json accessToken)
megan_token=$(call POST /_emulator/tokens "{\"user\":\"$megan\",\"lifetimeSecs\":86400}" | json accessToken)

say "Setting the scene"
# Megan's app set Available a while ago: by now it has faded to Away (contract §3) while Teams shows her meeting.
call POST "/v1.0/users/$megan_id/presence/setPresence" \
  "{\"sessionId\":\"$client_id\",\"availability\":\"Available\",\"activity\":\"Available\",\"expirationDuration\":\"PT1H\"}" \
  "$megan_token" >/dev/null
call POST /_emulator/clock/advance '{"by":"PT11M"}' >/dev/null
call POST "/_emulator/users/$megan/teams" '{"availability":"Busy","activity":"InAMeeting"}' >/dev/null
call POST "/v1.0/users/$megan_id/presence/setStatusMessage" \
  '{"statusMessage":{"message":{"content":"Quarterly review until 3, then free","contentType":"text"}}}' \
  "$megan_token" >/dev/null
call GET /v1.0/me/presence "" "$megan_token" >/dev/null

# Adele: Presently keeps an app session alive and pins Busy for the afternoon.
call GET /organizations/v2.0/.well-known/openid-configuration >/dev/null
call GET /v1.0/me "" "$adele_token" >/dev/null
call POST "/v1.0/users/$adele_id/presence/setPresence" \
  "{\"sessionId\":\"$client_id\",\"availability\":\"Available\",\"activity\":\"Available\",\"expirationDuration\":\"PT30M\"}" \
  "$adele_token" >/dev/null
# One throttled write, retried, so the feed shows how a refusal looks (contract §4).
call POST /_emulator/faults \
  "{\"path\":\"/v1.0/users/$adele_id/presence/setUserPreferredPresence\",\"fault\":{\"kind\":\"status\",\"status\":429,\"retryAfter\":3}}" \
  >/dev/null
pin="{\"availability\":\"Busy\",\"activity\":\"Busy\",\"expirationDuration\":\"PT4H\"}"
call POST "/v1.0/users/$adele_id/presence/setUserPreferredPresence" "$pin" "$adele_token" >/dev/null 2>&1 || true
call POST "/v1.0/users/$adele_id/presence/setUserPreferredPresence" "$pin" "$adele_token" >/dev/null
call GET /v1.0/me/presence "" "$adele_token" >/dev/null
call POST /_emulator/clock/speed '{"speed":60}' >/dev/null

shoot() { # SCHEME FILE
  local scheme=$1 file=$2 profile flags=()
  profile=$(mktemp -d -p "$work")
  if [ "$scheme" = dark ]; then
    flags+=(--force-dark-mode --blink-settings=preferredColorScheme=0)
  else
    flags+=(--blink-settings=preferredColorScheme=1)
  fi
  # The page renders from its event stream, which stays open: wait for load plus a little, not for network idle.
  "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$profile" --window-size=1280,900 \
    --timeout=2500 "${flags[@]}" --screenshot="$file" "$base/" >"$work/chromium.log" 2>&1 || {
    cat "$work/chromium.log" >&2
    return 1
  }
  [ -s "$file" ] || { echo "no screenshot written to $file" >&2; return 1; }
  say "Wrote $file"
}

shoot light "$out_dir/emulator-page.png"
shoot dark "$out_dir/emulator-page-dark.png"
