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
#   2. a right click on the icon opens the tray menu (screenshot) and clicking Busy in it makes the emulator show Busy with our session, and the icon turns Busy (screenshot);
#   3. a second launch, `presently-app.exe set dnd --for 30m`, hands the choice to the running app over the named
#      pipe (one instance), and the emulator then shows Do not disturb;
#   4. a left click on the icon starts the popup's process (the app's log says so);
#   5. Quit from the menu ends the app and its popup, and once the emulator is stopped no Wine process of the
#      prefix is left (its wineserver exits).
# The clicks in 2, 4 and 5 reach the app because of src-tauri/src/tray/windows_clicks.rs: Wine 8's
# Shell_NotifyIconGetRect is a stub that always fails ("fixme:systray:Shell_NotifyIconGetRect stub"), and the
# tray-icon crate drops every click on its icon when that call fails; our subclass handles such clicks at the
# cursor, as tray-icon would have. The app's log says when it does.
# Not proven here, and why:
#   - the popup itself: it needs the WebView2 runtime, which Wine does not have. The main process never creates a
#     webview (the popup is a child process, src-tauri/src/launcher.rs), so it starts and runs without WebView2.
#   - the menu's position beside a real taskbar icon: the menu opens at the cursor, where a click on the icon is.
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

item_x=$((tray_x - 150)) # inside the menu, whose right edge is the desktop's
# The region just above and left of the icon, where the menu opens (bottom-aligned at the cursor).
menu_area() { import -window root -crop "240x160+$((tray_x - 250))+$((tray_y - 170))" +repage rgb:- | md5sum; }
open_menu() { # screenshot: right-click the icon and wait for the menu
  local closed
  # Off the icon first, so that its tooltip (which would cover the menu's bottom item) is gone; onto the menu at
  # once after, before the tooltip comes back.
  xdotool mousemove $((tray_x - 300)) $((tray_y - 300))
  sleep 1
  closed=$(menu_area)
  xdotool mousemove "$tray_x" "$tray_y" click 3
  for _ in $(seq 50); do
    [ "$(menu_area)" != "$closed" ] && { xdotool mousemove "$item_x" $((tray_y - 120)); sleep 0.5; import -window root "$1"; return 0; }
    sleep 0.2
  done
  fail "a right click on the icon opened no menu"
}
wait_for_pin() { # availability: until the emulator shows it
  for _ in $(seq 100); do
    grep -q "\"pin\":{\"availability\":\"$1\"" <<<"$(curl -fs "$base/_emulator/state")" && return 0
    sleep 0.2
  done
  fail "the emulator does not show $1: $(curl -fs "$base/_emulator/state")"
}

# The menu opens above the cursor, its right edge at the desktop's. Keys sent with xdotool do not reach Wine's menu
# loop here, so the items are clicked, at their place in Wine's default font below the menu's top edge (found on
# screen: the first pixel above the icon that is not the desktop's colour). src-tauri/src/tray.rs, build_menu:
# headline, separator, Available, Busy, ..., separator, Quit: Busy is 54 px below the top, Quit 242 px. A wrong
# guess picks another item, which the emulator then shows, or leaves the app running: the run fails.
menu_top() {
  import -window root -crop "1x400+$item_x+$((tray_y - 400))" +repage -depth 8 rgb:- | python3 -c '
import sys
d = sys.stdin.buffer.read()
px = [d[i:i + 3] for i in range(0, len(d), 3)]
print(next((i for i, p in enumerate(px) if p != px[0]), -1))'
}
menu_item() { # offset below the menu's top: move there
  local top
  top=$(menu_top)
  [ "$top" -ge 0 ] || fail "cannot find the menu's top edge"
  xdotool mousemove "$item_x" $((tray_y - 400 + top + $1))
}
open_menu "$WINE_DIR/tray-menu-open.png"
menu_item 54
sleep 0.7
import -window root "$WINE_DIR/tray-menu.png"
xdotool click 1
wait_for_pin Busy
echo "tray-run: Busy chosen from the tray menu; the emulator shows Busy"
changed=""
for _ in $(seq 50); do
  [ "$(import -window root -crop "16x16+$((tray_x - 8))+$((tray_y - 8))" +repage rgb:- | md5sum)" != "$before" ] && { changed=1; break; }
  sleep 0.2
done
[ -n "$changed" ] || fail "the tray icon did not change to Busy"
tooltip_shot "$WINE_DIR/tray-busy.png"
grep -q 'its clicks are placed at the cursor' "$WINE_DIR/app.log" || fail "the app's log does not say the click was placed at the cursor"

# Into a file, not a pipe: Wine may start the default desktop's explorer.exe for the second launch, which inherits
# its output handles and outlives it, so a pipe would never see its end.
(cd "$bin" && wine presently-app.exe set dnd --for 30m >"$WINE_DIR/second.log" 2>&1) || true
second=$(tr -d '\r' <"$WINE_DIR/second.log")
echo "second launch: $second"
[[ "$second" == *"Presently is running: Do not disturb"* ]] || fail "the second launch did not hand over: $second"
wait_for_pin DoNotDisturb
echo "tray-run: the second launch's choice reached the app over the pipe; the emulator shows Do not disturb"

# A left click starts the popup's process (which then finds no WebView2 under Wine).
xdotool mousemove "$tray_x" "$tray_y" click 1
for _ in $(seq 50); do grep -q 'popup process started' "$WINE_DIR/app.log" && break; sleep 0.2; done
grep -q 'popup process started' "$WINE_DIR/app.log" || fail "a left click on the icon started no popup"
echo "tray-run: a left click started the popup's process"
sleep 2

# Quit from the menu.
open_menu "$WINE_DIR/tray-menu-quit.png"
menu_item 242
sleep 0.5
xdotool click 1
for _ in $(seq 100); do pgrep -f 'presently-app\.exe' >/dev/null || break; sleep 0.2; done
! pgrep -fa 'presently-app\.exe' || fail "a presently-app.exe process is left after Quit"
echo "tray-run: after Quit from the menu no presently-app.exe process is left"
# The emulator is the one other program of the prefix; with it stopped, the prefix's wineserver exits once no
# Wine process is left (Wine's desktop and services included).
for pid in $(pgrep -f 'presently-emulator\.exe'); do kill "$pid" 2>/dev/null || true; done
timeout 60 wineserver --wait || fail "Wine processes are left after Quit: $(pgrep -fa '\.exe' || true)"
echo "tray-run: no Wine process is left"

if [ -n "$shots" ]; then
  cp "$WINE_DIR/tray-available.png" "$shots/windows-wine-tray.png"
  cp "$WINE_DIR/tray-menu.png" "$shots/windows-wine-tray-menu.png"
  cp "$WINE_DIR/tray-busy.png" "$shots/windows-wine-tray-busy.png"
fi
echo "tray-run: passed"
