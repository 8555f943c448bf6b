#!/usr/bin/env bash
# Runs a command on a throw-away virtual desktop: its own D-Bus session, Xvfb, the openbox window manager and a
# tint2 panel whose system tray docks tray icons, so a tray app, its menu and its windows behave as on a real
# Linux desktop. The desktop ends when the command ends. Used for screenshots and the GUI end-to-end tests.
#   scripts/gui-session.sh COMMAND [ARGS...]
# Inside COMMAND: DISPLAY is set, GDK_BACKEND=x11 and WEBKIT_DISABLE_DMABUF_RENDERER=1 (WebKitGTK under Xvfb),
# GUI_SESSION_DIR is a fresh folder that also serves as HOME and XDG_RUNTIME_DIR (no state leaks in or out), and
# an unlocked gnome-keyring answers as the Secret Service, as after a desktop login.
# GUI_SCREEN=WxHxD sets the screen (default 1280x800x24).
# GUI_NO_TRAY=1 leaves tint2 out: a desktop with no tray host at all (no XEmbed tray manager, no StatusNotifierItem
# watcher), as stock GNOME without its AppIndicator extension. Inside COMMAND, GUI_SESSION_TRAY says which it is
# (`tint2` or `none`).
set -euo pipefail

if [ "${1:-}" != "--inside" ]; then
  tools="dbus-run-session xvfb-run openbox xdotool"
  [ "${GUI_NO_TRAY:-}" = 1 ] || tools="$tools tint2"
  for tool in $tools; do
    command -v "$tool" >/dev/null 2>&1 || { echo "gui-session: $tool is missing (run scripts/setup.sh)" >&2; exit 1; }
  done
  [ $# -gt 0 ] || { echo "usage: scripts/gui-session.sh COMMAND [ARGS...]" >&2; exit 2; }
  # -noreset: Xvfb otherwise resets whenever its last client disconnects, and refuses connections meanwhile; the
  # readiness probes below connect and disconnect while openbox starts, which made openbox fail now and then.
  exec dbus-run-session -- xvfb-run -a -s "-screen 0 ${GUI_SCREEN:-1280x800x24} -noreset" bash "$0" --inside "$@"
fi
shift

GUI_SESSION_DIR=$(mktemp -d)
# Cargo, rustup and npm's cache stay where they are when HOME moves.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export npm_config_cache="${npm_config_cache:-$HOME/.npm}"
export GUI_SESSION_DIR HOME="$GUI_SESSION_DIR" XDG_RUNTIME_DIR="$GUI_SESSION_DIR/run"
mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
export GDK_BACKEND=x11 WEBKIT_DISABLE_DMABUF_RENDERER=1 NO_AT_BRIDGE=1

# Like a desktop login: an unlocked Secret Service (gnome-keyring, password "test") for the token store.
if command -v gnome-keyring-daemon >/dev/null 2>&1; then
  eval "$(printf test | gnome-keyring-daemon --unlock --components=secrets --daemonize)" >/dev/null
  export GNOME_KEYRING_CONTROL
fi

openbox >"$GUI_SESSION_DIR/openbox.log" 2>&1 &
wm=$!
# The panel comes up once the window manager manages the screen.
for _ in $(seq 50); do xprop -root _NET_SUPPORTING_WM_CHECK >/dev/null 2>&1 && break; sleep 0.1; done
xsetroot -solid "#3b4a5a" 2>/dev/null || true # a calm desktop for screenshots
panel=
if [ "${GUI_NO_TRAY:-}" = 1 ]; then
  export GUI_SESSION_TRAY=none
else
  export GUI_SESSION_TRAY=tint2
  tint2 >"$GUI_SESSION_DIR/tint2.log" 2>&1 &
  panel=$!
  for _ in $(seq 50); do xdotool search --class tint2 >/dev/null 2>&1 && break; sleep 0.1; done
fi
cleanup() {
  # shellcheck disable=SC2086 # $panel is empty without tint2
  kill $panel "$wm" 2>/dev/null || true
  rm -rf "$GUI_SESSION_DIR"
}
trap cleanup EXIT

status=0
"$@" || status=$?
exit "$status"
