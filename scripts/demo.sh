#!/usr/bin/env bash
# `npm run demo`: Presently without a Microsoft 365 account. Installs what is missing, builds the popup UI and the
# tray app, and runs `presently-app --demo`: the real app, talking to an emulator of Microsoft's identity platform
# and Graph presence that it starts inside itself on 127.0.0.1. Sign in on the emulator's page (any seeded user,
# e.g. megan.bowen@contoso.onmicrosoft.com), pick a status from the tray menu or the popup, and watch the
# emulator's "what colleagues see" page, which opens in the browser. Demo sign-ins and settings live apart from
# real ones (`<data folder>/demo`). Quit from the tray menu (or Ctrl-C here).
#   PRESENTLY_DEMO_PORT=8400 npm run demo     the emulator on a fixed port (a free one otherwise)
#   npm run demo -- --show-popup-on-start     open the popup at once
# Needs a desktop session (DISPLAY or WAYLAND_DISPLAY); on a headless machine, run it on a virtual desktop:
#   bash scripts/gui-session.sh npm run demo
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(repo_root)"

bash scripts/setup.sh

say "Building the popup UI"
npm run --silent ui:build

# custom-protocol: the popup is served from ui/dist inside the binary, not from the Vite dev server.
say "Building the tray app and the emulator it runs beside it in the demo"
cargo build -p presently-app --features custom-protocol -p presently-emulator --locked

if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  echo "The demo is a tray app and needs a desktop session (no DISPLAY or WAYLAND_DISPLAY here)." >&2
  echo "On a headless machine: bash scripts/gui-session.sh npm run demo" >&2
  exit 1
fi

say "Presently demo: the tray icon is in your panel; the emulator's page opens in the browser (Ctrl-C stops)"
exec target/debug/presently-app --demo "$@"
