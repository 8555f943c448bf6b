#!/usr/bin/env bash
# The Windows tray app under Wine, on a virtual X display: run by `scripts/windows.sh tray` inside
# scripts/gui-session.sh (DISPLAY, openbox, tint2). $1: the folder of the built .exe files; $2 (optional): a folder
# to copy the screenshots to.
#
# What runs: the Windows emulator (presently-emulator.exe --auto-approve) on 127.0.0.1; `presently.exe login`
# (BROWSER=curl, which follows the auto-approved sign-in to the loopback listener) keeps the key in Wine's
# Credential Manager; presently-app.exe in Wine's virtual desktop (`explorer /desktop`), whose taskbar has the
# system tray. Proven here:
#   1. the icon docks in Wine's tray and its tooltip names the status (screenshot);
#   2. a second launch, `presently-app.exe set busy --for 30m`, hands the choice to the running app over the named
#      pipe (one instance), the emulator then shows Busy with our session, and the icon turns Busy (screenshot);
#   3. ended, the app leaves no process behind.
# Not proven here, and why:
#   - the tray menu: Wine 8's Shell_NotifyIconGetRect is a stub ("fixme:systray:Shell_NotifyIconGetRect stub"),
#     and the tray-icon crate drops a click on the icon when it cannot get the icon's rectangle, so neither the
#     menu nor the popup opens under Wine 8 (real Windows implements it). The menu's commands are the same calls
#     the IPC's `set` makes, tested on Linux's tray end to end (scripts/e2e.sh).
#   - the popup: it needs the WebView2 runtime, which Wine does not have. The main process never creates a
#     webview (the popup is a child process, src-tauri/src/launcher.rs), so it starts without WebView2, as 1-3 show.
set -euo pipefail
source "$(dirname "$0")/wine-lib.sh"

bin=$1
shots=${2:-}
WINE_RUN=tray-run
fail() { wine_run_fail "$@"; }

wine_start_with_emulator "$bin"

BROWSER="curl -fsSL" wine "$bin/presently.exe" login >"$WINE_DIR/login.log" 2>&1 || fail "presently.exe login"
grep -q "Windows Credential Manager" "$WINE_DIR/login.log" || fail "the key is not in the Credential Manager"

# The desktop's window fills 1024x700 at the screen's centre; the tray is at the right end of its taskbar.
(cd "$bin" && wine explorer /desktop=presently,1024x700 presently-app.exe >"$WINE_DIR/app.log" 2>&1) &
desk=""
for _ in $(seq 100); do
  desk=$(xdotool search --name '^presently - Wine desktop$' 2>/dev/null | head -1 || true)
  [ -n "$desk" ] && break
  sleep 0.2
done
[ -n "$desk" ] || fail "no Wine desktop window"
for _ in $(seq 150); do grep -q 'Presently is running' "$WINE_DIR/app.log" && break; sleep 0.2; done
grep -q 'Presently is running' "$WINE_DIR/app.log" || fail "the app did not start"
# xwininfo's absolute position (xdotool's is off by the window manager's title bar).
geometry=$(xwininfo -id "$desk")
X=$(awk '/Absolute upper-left X/ {print $NF}' <<<"$geometry")
Y=$(awk '/Absolute upper-left Y/ {print $NF}' <<<"$geometry")
WIDTH=$(awk '/Width:/ {print $NF}' <<<"$geometry")
HEIGHT=$(awk '/Height:/ {print $NF}' <<<"$geometry")
tray_x=$((X + WIDTH - 11)) tray_y=$((Y + HEIGHT - 10))

# Hovering shows the icon's tooltip, which names the status: proof that the icon in the tray is ours.
tooltip_shot() { # file: hover the icon and take a screenshot
  xdotool mousemove $((tray_x - 200)) $((tray_y - 200))
  sleep 0.5
  xdotool mousemove "$tray_x" "$tray_y"
  sleep 2.5
  import -window root "$1"
}
# The icon's pixels: a docked icon draws something other than the taskbar's flat colour.
icon_colours() {
  import -window root -crop "16x16+$((tray_x - 8))+$((tray_y - 8))" +repage -format %k info:
}
sleep 2
[ "$(icon_colours)" -gt 2 ] || fail "nothing docked in Wine's tray at $tray_x,$tray_y"
tooltip_shot "$WINE_DIR/tray-available.png"
before=$(import -window root -crop "16x16+$((tray_x - 8))+$((tray_y - 8))" +repage rgb:- | md5sum)

# Into a file, not a pipe: Wine may start the default desktop's explorer.exe for the second launch, which inherits
# its output handles and outlives it, so a pipe would never see its end.
(cd "$bin" && wine presently-app.exe set busy --for 30m >"$WINE_DIR/second.log" 2>&1) || true
second=$(tr -d '\r' <"$WINE_DIR/second.log")
echo "second launch: $second"
[[ "$second" == *"Presently is running: Busy"* ]] || fail "the second launch did not hand over: $second"
ok=""
for _ in $(seq 100); do
  view=$(curl -fs "$base/_emulator/state")
  if grep -q '"pin":{"availability":"Busy"' <<<"$view"; then ok=1; break; fi
  sleep 0.2
done
[ -n "$ok" ] || fail "the emulator does not show Busy"
echo "tray-run: the emulator shows Busy"
changed=""
for _ in $(seq 50); do
  [ "$(import -window root -crop "16x16+$((tray_x - 8))+$((tray_y - 8))" +repage rgb:- | md5sum)" != "$before" ] && { changed=1; break; }
  sleep 0.2
done
[ -n "$changed" ] || fail "the tray icon did not change to Busy"
tooltip_shot "$WINE_DIR/tray-busy.png"

# Ended as Task Manager ends it (the menu's Quit cannot be clicked under Wine 8, see above): nothing remains.
wine taskkill /f /im presently-app.exe >/dev/null 2>&1 || true
for _ in $(seq 50); do pgrep -f 'presently-app\.exe' >/dev/null || break; sleep 0.2; done
! pgrep -fa 'presently-app\.exe' || fail "a presently-app.exe process is left"
echo "tray-run: after the app ended no presently-app.exe process is left"

if [ -n "$shots" ]; then
  cp "$WINE_DIR/tray-available.png" "$shots/windows-wine-tray.png"
  cp "$WINE_DIR/tray-busy.png" "$shots/windows-wine-tray-busy.png"
fi
echo "tray-run: passed"
