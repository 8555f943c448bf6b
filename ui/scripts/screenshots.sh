#!/usr/bin/env bash
# Screenshots of the popup in headless Chromium, from a preview build (fixture states through the IPC mock; a
# production build cannot show them) served on 127.0.0.1 under the app's CSP.
#
#   ui/scripts/screenshots.sh [OUT_DIR]            every state, light and dark, into OUT_DIR (default /tmp/presently-ui)
#   ui/scripts/screenshots.sh --docs               the two README images, docs/images/popup-{light,dark}.png
set -euo pipefail
cd "$(dirname "$0")/../.."

CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
PORT=${PORT:-4174}
BUILD=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$BUILD"' EXIT

npx vite build ui --mode preview --outDir "$BUILD" --emptyOutDir --logLevel warn
python3 ui/scripts/serve.py "$BUILD" "$PORT" &
SERVER=$!
sleep 0.5

shot() { # name query scheme out
  local profile
  profile=$(mktemp -d)
  local flags=()
  [ "$3" = dark ] && flags+=(--force-dark-mode --blink-settings=preferredColorScheme=0)
  "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --user-data-dir="$profile" --hide-scrollbars \
    --window-size=360,560 --virtual-time-budget=3000 "${flags[@]}" \
    --screenshot="$4" "http://127.0.0.1:$PORT/?$2&locale=en-GB" >/dev/null 2>&1
  rm -rf "$profile"
  echo "$4"
}

if [ "${1:-}" = "--docs" ]; then
  # Show the README images at a working-day hour whatever the time now: pick the fixed-offset zone where it is
  # about 14:00 (the fixture's times are relative to now, so only the wall clock changes).
  TZ=$(python3 -c 'import datetime as d; h=d.datetime.now(d.timezone.utc).hour; o=(13-h+12)%24-12; print("Etc/GMT%+d" % -o if o else "UTC")')
  export TZ
  mkdir -p docs/images
  shot busy "preview=busy" light docs/images/popup-light.png
  shot busy "preview=busy" dark docs/images/popup-dark.png
  exit 0
fi

OUT=${1:-/tmp/presently-ui}
mkdir -p "$OUT"
for scheme in light dark; do
  for state in starting signed-out automatic busy syncing retrying differs sign-in-required consent; do
    shot "$state" "preview=$state" "$scheme" "$OUT/$state-$scheme.png"
  done
  shot device-code "preview=signed-out&signin=code" "$scheme" "$OUT/device-code-$scheme.png"
  shot settings "preview=busy&page=settings" "$scheme" "$OUT/settings-$scheme.png"
  shot settings-locked "preview=busy&page=settings&settings=locked" "$scheme" "$OUT/settings-locked-$scheme.png"
done
