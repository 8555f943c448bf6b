# What scripts/e2e.sh and scripts/tour.sh both do before they start the real app on a virtual desktop. Sourced
# after scripts/lib.sh, from the repository root.
# shellcheck shell=bash

# tauri-driver: on the PATH, or where `cargo install` put it (scripts/setup.sh).
e2e_tauri_driver() { command -v tauri-driver || echo "${CARGO_HOME:-$HOME/.cargo}/bin/tauri-driver"; }

# Sets `app` to the binary under test: $E2E_APP (built with --features custom-protocol), or one built now with
# the popup UI embedded, and the emulator the demo runs from beside it.
e2e_app() {
  app=${E2E_APP:-}
  if [ -z "$app" ]; then
    say "Building the popup UI, the tray app (popup embedded: --features custom-protocol) and the emulator"
    npm run --silent ui:build
    cargo build -p presently-app --features custom-protocol -p presently-emulator --locked
    app=target/debug/presently-app
  fi
}

# Puts a private link to (or copy of) `app` and the presently-emulator beside it into DIR/bin: another build in
# this checkout may replace target/debug meanwhile, the tray process spawns its popup from its own path, and the
# demo runs the emulator program that sits beside the app.
#   e2e_private_binaries APP DIR
e2e_private_binaries() {
  local app=$1 dir=$2 program from
  mkdir -p "$dir/bin"
  for program in presently-app presently-emulator; do
    from=$(dirname "$app")/$program
    [ "$program" = presently-app ] && from=$app
    ln "$from" "$dir/bin/$program" 2>/dev/null || cp "$from" "$dir/bin/$program"
  done
}
