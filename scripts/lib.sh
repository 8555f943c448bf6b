# Shared helpers for the project's scripts. Sourced, not run.
# shellcheck shell=bash

# Runs a command as root: directly when we are root, through sudo otherwise.
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# /dev/null must be the null device. On a machine whose /dev/null was replaced by a plain file (seen on freshly
# provisioned containers here: a regular file, mode 0666, made before any of our code ran), every `2>/dev/null`
# appends to it and every process given a null stdin reads that text back. Cargo probes each target with `rustc -`
# and a null stdin, so the probe compiles stray compiler messages and fails ("failed to run `rustc` to learn about
# target-specific information"). Put the device back: character device 1,3, as the kernel makes it.
ensure_dev_null() {
  [ -c /dev/null ] && return 0
  printf '==> /dev/null is not the null device (%s); recreating it\n' "$(stat -c %F /dev/null 2>&1)"
  as_root rm -f /dev/null
  as_root mknod -m 666 /dev/null c 1 3
}

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# The stages of a long run (scripts/test.sh), timed: `stage TITLE` ends the stage before it, printing its elapsed
# seconds, and starts the next; `stages_summary` (run it on exit, so a failed run reports too) ends the last and
# lists every stage with its time, so that a CI log shows where the time goes.
STAGE_TITLE="" STAGE_START=0 STAGE_TIMES=()
stage() {
  stage_done
  STAGE_TITLE=$*
  STAGE_START=$SECONDS
  say "$*"
}
stage_done() {
  [ -n "$STAGE_TITLE" ] || return 0
  local took=$((SECONDS - STAGE_START))
  printf '    (%d s)\n' "$took"
  STAGE_TIMES+=("$(printf '%6d s  %s' "$took" "$STAGE_TITLE")")
  STAGE_TITLE=""
}
stages_summary() {
  local status=$?
  stage_done
  [ "${#STAGE_TIMES[@]}" -gt 0 ] || return "$status"
  say "Time by stage ($SECONDS s in all$([ "$status" -eq 0 ] || echo ", stopped by a failure"))"
  printf '%s\n' "${STAGE_TIMES[@]}"
  return "$status"
}

repo_root() { cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd; }

# The app's `tauri::generate_context!()` reads tauri.conf.json's frontendDist (ui/dist) at compile time, so the popup
# UI must be built before anything compiles presently-app (even clippy). Quick when it is already there.
ensure_ui_built() {
  if [ ! -f "$(repo_root)/ui/dist/index.html" ]; then
    say "Building the popup UI (ui/dist), which compiling the app needs"
    (cd "$(repo_root)" && npm run --silent ui:build)
  fi
}
