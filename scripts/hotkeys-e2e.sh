#!/usr/bin/env bash
# End-to-end test of the global hotkeys on a throw-away X11 desktop (scripts/gui-session.sh: Xvfb,
# openbox, tint2): the real `presently-app --demo` with its emulator (a child process), keys pressed with xdotool, the
# result read from the emulator's control API. A window-manager binding holds one shortcut first, to show its
# registration error is reported while the others work; then a Wayland session, where the settings view carries
# the `presently` command lines instead. The steps are in tests/hotkeys/e2e.py.
#   scripts/hotkeys-e2e.sh
# Ends with `N passed, N failed` alone on a line; exits non-zero on a failure. Every process it starts ends.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(repo_root)"
ensure_ui_built

if [ "${1:-}" != "--inside" ]; then
  say "Building the tray app, the CLI and the emulator (the Wayland part runs the real app and the CLI on it)"
  cargo build -p presently-app -p presently-cli -p presently-emulator --locked
  # The interpreter itself: pyenv's shims look under HOME, which the desktop replaces.
  python=$(python3 -c 'import sys; print(sys.executable)')
  say "Hotkeys end to end on a virtual desktop"
  exec bash scripts/gui-session.sh bash "$0" --inside "$python"
fi
exec "$2" tests/hotkeys/e2e.py
