# Shared helpers for the project's scripts. Sourced, not run.
# shellcheck shell=bash

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

# The app's `tauri::generate_context!()` reads tauri.conf.json's frontendDist (ui/dist) at compile time, so the popup
# UI must be built before anything compiles presently-app (even clippy). Quick when it is already there.
ensure_ui_built() {
  if [ ! -f "$(repo_root)/ui/dist/index.html" ]; then
    say "Building the popup UI (ui/dist), which compiling the app needs"
    (cd "$(repo_root)" && npm run --silent ui:build)
  fi
}
