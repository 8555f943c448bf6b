#!/usr/bin/env bash
# Runs a command where a real Secret Service (gnome-keyring) answers on the session bus, unlocked, so the token
# store's credential-store tests run for real instead of reporting themselves as not run.
#
#   scripts/with-keyring.sh cargo test -p presently-auth
#
# If this shell already has a session bus with an unlocked default keyring, the command runs as it is. Otherwise
# it runs inside a private D-Bus session (dbus-run-session) with a throw-away HOME and XDG directories, where
# gnome-keyring-daemon is started with the password "test" and its "login" keyring becomes the unlocked default.
# Nothing of the developer's own keyring is read or written in that case, and everything is deleted afterwards.
#
# Sets PRESENTLY_REQUIRE_KEYRING=1 for the command: under this script a missing Secret Service is a test failure,
# not a skip. Needs dbus-run-session (dbus) and gnome-keyring-daemon (gnome-keyring); scripts/setup.sh installs them.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi

export PRESENTLY_REQUIRE_KEYRING=1

# An existing session whose default collection answers and is unlocked is good enough.
keyring_is_usable() {
  [ -n "${DBUS_SESSION_BUS_ADDRESS:-}" ] || return 1
  command -v dbus-send >/dev/null 2>&1 || return 1
  dbus-send --session --print-reply --dest=org.freedesktop.secrets \
    /org/freedesktop/secrets/aliases/default org.freedesktop.DBus.Properties.Get \
    string:org.freedesktop.Secret.Collection string:Locked 2>/dev/null | grep -q 'boolean false'
}

if keyring_is_usable; then
  exec "$@"
fi

for tool in dbus-run-session gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "$0: $tool is missing; run scripts/setup.sh (packages dbus, gnome-keyring)" >&2
    exit 1
  fi
done

scratch="$(mktemp -d "${TMPDIR:-/tmp}/presently-keyring.XXXXXX")"
cleanup() { rm -rf "$scratch"; }
trap cleanup EXIT

# Cargo and rustup live under the real HOME unless told otherwise; keep them there when HOME moves.
export CARGO_HOME="${CARGO_HOME:-$HOME/.cargo}"
export RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}"
export HOME="$scratch/home"
export XDG_DATA_HOME="$scratch/home/.local/share"
export XDG_CONFIG_HOME="$scratch/home/.config"
export XDG_CACHE_HOME="$scratch/home/.cache"
export XDG_RUNTIME_DIR="$scratch/run"
mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME" "$XDG_RUNTIME_DIR"
chmod 700 "$XDG_RUNTIME_DIR"

# Inside the private bus: start the daemon unlocked with a known password, wait until it owns its bus name,
# then run the command. The daemon exits with the bus when the command ends.
dbus-run-session -- bash -c '
  set -euo pipefail
  eval "$(printf test | gnome-keyring-daemon --unlock --components=secrets --daemonize)" >/dev/null
  export GNOME_KEYRING_CONTROL
  for _ in $(seq 1 50); do
    if dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
         org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"; then
      break
    fi
    sleep 0.1
  done
  exec "$@"
' with-keyring "$@"
