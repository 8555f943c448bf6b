#!/usr/bin/env bash
# The picture of Presently on a desktop without a tray host (README): the demo app on a virtual desktop with no
# tint2 (GUI_NO_TRAY=1), signed in through the emulator and keeping Busy, its popup opened as a normal window with
# the note on how to get tray icons. Needs the app built with the popup embedded (the script builds it).
#   scripts/screenshot-no-tray.sh [OUT.png]        default docs/images/no-tray-window.png
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(repo_root)"

if [ "${1:-}" != "--inside" ]; then
  out=${1:-docs/images/no-tray-window.png}
  say "Building the popup UI and the tray app (popup embedded)"
  npm run --silent ui:build
  cargo build -p presently-app --features custom-protocol -p presently-emulator --locked
  mkdir -p "$(dirname "$out")"
  GUI_NO_TRAY=1 exec bash scripts/gui-session.sh bash "$0" --inside "$(realpath -m "$out")"
fi
out=$2

# One request on the demo app's IPC socket (JSON lines), its answer printed.
ipc() {
  python3 - "$XDG_RUNTIME_DIR/presently/keeper-demo.sock" "$1" <<'PY'
import json, socket, sys
conn = socket.socket(socket.AF_UNIX)
conn.connect(sys.argv[1])
request = dict(json.loads(sys.argv[2]), id=7)
conn.sendall((json.dumps(request) + "\n").encode())
pending = b""
while True:
    data = conn.recv(65536)
    if not data:
        sys.exit("the app did not answer")
    pending += data
    *lines, pending = pending.split(b"\n")
    for line in lines:
        frame = json.loads(line)
        if frame.get("id") == 7:
            if frame.get("error"):
                sys.exit("refused: " + json.dumps(frame["error"]))
            print(json.dumps(frame.get("ok")))
            sys.exit(0)
PY
}
account_state() { ipc '{"op":"snapshot"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["account"]["state"])'; }

printf '#!/bin/sh\ncurl -fsSL -o /dev/null "$1" &\n' >"$GUI_SESSION_DIR/browser"
chmod +x "$GUI_SESSION_DIR/browser"
BROWSER="$GUI_SESSION_DIR/browser" PRESENTLY_DEMO_AUTO_APPROVE=1 ./target/debug/presently-app --demo \
  >"$GUI_SESSION_DIR/app.log" 2>&1 &
app=$!
trap 'kill $app 2>/dev/null || true' EXIT

for _ in $(seq 300); do [ -S "$XDG_RUNTIME_DIR/presently/keeper-demo.sock" ] && break; sleep 0.1; done
ipc '{"op":"signIn","method":"browser"}' >/dev/null
for _ in $(seq 100); do [ "$(account_state)" = signedIn ] && break; sleep 0.1; done
ipc '{"op":"choose","status":"busy","duration":"1h","origin":"popup"}' >/dev/null

window=""
for _ in $(seq 200); do
  window=$(xdotool search --onlyvisible --name '^Presently$' 2>/dev/null | head -1 || true)
  [ -n "$window" ] && break
  sleep 0.1
done
[ -n "$window" ] || { echo "screenshot-no-tray: no window appeared"; cat "$GUI_SESSION_DIR/app.log"; exit 1; }
sleep 3 # the read-back after the write, and the webview's first paint
import -frame -window "$window" -strip "$out"
echo "screenshot-no-tray: $out"
