#!/usr/bin/env bash
# End-to-end tests of the real tray app (tests/e2e/app.test.mjs): builds the popup UI and `presently-app` with the
# UI embedded, then runs the tests on a throw-away virtual desktop (scripts/gui-session.sh: Xvfb, openbox, a tint2
# panel with a system tray, an unlocked keyring). The popup is driven through WebDriver (tauri-driver +
# WebKitWebDriver), the tray icon is read off the screen and its menu clicked with xdotool, and Microsoft 365's
# side is read from the emulator that demo mode runs inside the app. With E2E_UPDATE_DOCS=1 a passing run refreshes
# the README images docs/images/popup-e2e.png and docs/images/tray-menu.png (never by default: CI leaves the tree as
# it found it).
#   bash scripts/e2e.sh
# Every process the run starts carries E2E_RUN_ID in its environment; whatever is still alive at the end is
# killed and counted as a failure. The last line is "N passed, N failed"; the exit status is non-zero on failure.
# Logs of a failed run stay in the folder it names.
#   E2E_APP=path/to/presently-app bash scripts/e2e.sh    test that binary (built with --features custom-protocol)
#                                                        instead of building
#   E2E_KEEP_LOGS=1 bash scripts/e2e.sh                  keep the logs and screenshots of a passing run too
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/e2e-lib.sh"
cd "$(repo_root)"

tauri_driver=$(e2e_tauri_driver)
for tool in "$tauri_driver" WebKitWebDriver xdotool xwininfo import convert identify node; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    say "Installing what the end-to-end tests need ($tool is missing)"
    bash scripts/setup.sh
    break
  fi
done

e2e_app

E2E_OUT=$(mktemp -d "${TMPDIR:-/tmp}/presently-e2e.XXXXXX")
E2E_RUN_ID="presently-e2e-$$-$RANDOM$RANDOM"
mkdir -p "$E2E_OUT/images"
e2e_private_binaries "$app" "$E2E_OUT"
export E2E_OUT E2E_REPO="$PWD" E2E_APP="$E2E_OUT/bin/presently-app" E2E_TAURI_DRIVER="$tauri_driver"
export E2E_IMAGES="$E2E_OUT/images"

# Live processes carrying this run's mark (E2E_RUN_ID is given to the desktop and the tests only, not exported
# here, so this script and its helpers never count themselves).
leftovers() { node tests/e2e/leftovers.mjs "$E2E_RUN_ID" "$@"; }
trap 'leftovers --kill >/dev/null' EXIT
trap 'exit 130' INT TERM # (replaced while the tests run)

say "End-to-end tests on a virtual desktop (logs: $E2E_OUT)"
started=$(date +%s)
status=0
# The desktop's own processes (Xvfb, openbox, tint2, D-Bus, the keyring) carry the mark too, so a crashed run
# cannot leave them behind either. 5 minutes at most.
# The desktop's chatter (D-Bus activations, portals) goes to desktop.log; the tests' own output stays here.
# In the background, so that Ctrl-C stops the run at once (bash runs a trap only when its foreground job ends).
E2E_RUN_ID=$E2E_RUN_ID timeout --kill-after=10 300 \
  bash scripts/gui-session.sh sh -c 'exec node tests/e2e/app.test.mjs 2>&1' 2>"$E2E_OUT/desktop.log" &
run=$!
trap 'kill -TERM "$run" 2>/dev/null; echo "Interrupted: ending the run"; exit 130' INT TERM
wait "$run" || status=$?

# Checked after the desktop is gone: nothing this run started may still be alive.
leftover_check='no process of this run is alive after the virtual desktop closed'
# (Processes the desktop's teardown signalled may take a moment to go: up to 5 s.)
for _ in $(seq 50); do
  left=$(leftovers)
  [ -n "$left" ] || break
  sleep 0.1
done
leftover_ok=1
if [ -n "$left" ]; then
  leftover_ok=0
  echo "FAIL  $leftover_check:"
  echo "$left" | sed 's/^/      /'
  leftovers --kill >/dev/null
else
  echo "ok    $leftover_check"
fi

read -r passed failed < <(node -e '
  const fs = require("fs");
  const file = process.argv[1];
  if (!fs.existsSync(file)) { console.log("0 1"); process.exit(0); }
  const results = JSON.parse(fs.readFileSync(file, "utf8"));
  const failed = results.filter((r) => !r.ok).length;
  console.log(`${results.length - failed} ${failed}`);
' "$E2E_OUT/results.json")
if [ ! -f "$E2E_OUT/results.json" ]; then echo "FAIL  the tests did not finish (exit status $status)"; fi
passed=$((passed + leftover_ok))
failed=$((failed + 1 - leftover_ok))
[ "$status" -eq 0 ] || [ "$failed" -gt 0 ] || failed=1 # a crash after the results were written

echo "End-to-end tests took $(($(date +%s) - started)) s after the build."
if [ "$failed" -eq 0 ]; then
  if [ -n "${E2E_UPDATE_DOCS:-}" ]; then
    cp "$E2E_IMAGES/popup-e2e.png" "$E2E_IMAGES/tray-menu.png" docs/images/
    echo "Updated docs/images/popup-e2e.png and docs/images/tray-menu.png"
  else
    echo "E2E_UPDATE_DOCS=1 would copy this run's screenshots to docs/images (E2E_KEEP_LOGS=1 keeps them)"
  fi
  if [ -n "${E2E_KEEP_LOGS:-}" ]; then echo "Logs and screenshots of this run: $E2E_OUT"; else rm -rf "$E2E_OUT"; fi
else
  echo "Logs and screenshots of this run: $E2E_OUT"
  for log in "$E2E_OUT"/*.log; do
    [ -f "$log" ] || continue
    echo "---- last lines of $log"
    tail -n 25 "$log"
  done
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
