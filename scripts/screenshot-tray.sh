#!/usr/bin/env bash
# Takes docs/images/tray-menu.png: the tray app in demo mode on a virtual desktop (scripts/gui-session.sh), signed
# in, with "Busy" chosen for 2 hours **through the tray menu** (keyboard on the real GTK menu), and the menu open.
# It also checks what it shows: the keeper must hold Busy chosen from the tray menu, or the script fails.
#   scripts/screenshot-tray.sh [OUTPUT.png]
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(repo_root)"
ensure_ui_built

if [ "${1:-}" != "--inside" ]; then
  out=${1:-docs/images/tray-menu.png}
  say "Building the tray app"
  cargo build -p presently-app -p presently-emulator --locked
  mkdir -p "$(dirname "$out")"
  exec bash scripts/gui-session.sh bash "$0" --inside "$(realpath -m "$out")"
fi
out=$2

# IPC helper: one request to the running app, its answer on stdout (JSON).
ipc() {
  python3 - "$XDG_RUNTIME_DIR/presently/keeper-demo.sock" "$1" <<'PY'
import json, socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
request = json.loads(sys.argv[2])
request["id"] = 1
s.sendall((json.dumps(request) + "\n").encode())
buf = b""
while True:
    chunk = s.recv(65536)
    if not chunk:
        sys.exit("no answer")
    buf += chunk
    while b"\n" in buf:
        line, buf = buf.split(b"\n", 1)
        frame = json.loads(line)
        if frame.get("id") == 1:
            if "error" in frame:
                sys.exit("problem: " + json.dumps(frame["error"]))
            print(json.dumps(frame.get("ok")))
            sys.exit(0)
PY
}
snapshot_field() { ipc '{"op":"snapshot"}' | python3 -c "import json,sys; v=json.load(sys.stdin); print(eval(sys.argv[1], {}, {'s': v}))" "$1"; }

# A "browser" that follows the sign-in redirects, as a person clicking through the auto-approving emulator would.
cat >"$GUI_SESSION_DIR/browser" <<'SH'
#!/bin/sh
curl -fsSL -o /dev/null "$1" &
SH
chmod +x "$GUI_SESSION_DIR/browser"

BROWSER="$GUI_SESSION_DIR/browser" PRESENTLY_DEMO_AUTO_APPROVE=1 ./target/debug/presently-app --demo \
  >"$GUI_SESSION_DIR/app.log" 2>&1 &
app=$!
trap 'kill $app 2>/dev/null || true' EXIT

for _ in $(seq 100); do [ -S "$XDG_RUNTIME_DIR/presently/keeper-demo.sock" ] && break; sleep 0.1; done
icon=""
for _ in $(seq 100); do
  icon=$(xdotool search --class "tray-icon tray app" 2>/dev/null | head -1 || true)
  [ -n "$icon" ] && break
  sleep 0.1
done
[ -n "$icon" ] || { echo "screenshot-tray: the tray icon did not dock"; cat "$GUI_SESSION_DIR/app.log"; exit 1; }

ipc '{"op":"signIn","method":"browser"}' >/dev/null
for _ in $(seq 100); do
  [ "$(snapshot_field "s['account']['state']")" = "signedIn" ] && break
  sleep 0.1
done

# Open the menu on the icon and choose "2 hours", then "Busy", with the keyboard as a person could.
eval "$(xdotool getwindowgeometry --shell "$icon")"
cx=$((X + WIDTH / 2)) cy=$((Y + HEIGHT / 2))
menu_key_path() { # keys after opening the menu
  xdotool mousemove "$cx" "$cy" click 1
  sleep 0.7
  xdotool key --delay 120 "$@"
  sleep 0.7
}
# Items: headline (inactive), Available, Busy, Do not disturb, Be right back, Appear away, Appear offline, For: ▸
menu_key_path Down Down Down Down Down Down Down Right Down Down Return # the submenu: 30 minutes, 1 hour, 2 hours
menu_key_path Down Down Return                                           # Busy
for _ in $(seq 100); do
  [ "$(snapshot_field "(s['intent'] or {}).get('status')")" = "busy" ] &&
    [ "$(snapshot_field "s['agreement']['state']")" = "matches" ] && break
  sleep 0.1
done
status=$(snapshot_field "(s['intent'] or {}).get('status'), (s['intent'] or {}).get('origin')")
[ "$status" = "('busy', 'trayMenu')" ] || { echo "screenshot-tray: expected Busy from the tray menu, got $status"; exit 1; }

# The menu open over the panel, cropped to the corner with the tray.
xdotool mousemove "$cx" "$cy" click 1
sleep 1
import -window root "$GUI_SESSION_DIR/screen.png"
xdotool key Escape
width=$(identify -format '%w' "$GUI_SESSION_DIR/screen.png")
height=$(identify -format '%h' "$GUI_SESSION_DIR/screen.png")
crop_w=460 crop_h=400
convert "$GUI_SESSION_DIR/screen.png" -crop "${crop_w}x${crop_h}+$((width - crop_w))+$((height - crop_h))" +repage \
  -strip "$out"
echo "screenshot-tray: $out (keeper: $status)"
