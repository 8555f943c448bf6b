# Helpers for running Presently's Windows builds under Wine. Sourced by scripts/windows.sh, not run.
# shellcheck shell=bash

WINDOWS_TARGET=x86_64-pc-windows-gnu

# Starts a throw-away Wine prefix in $WINE_DIR (made here) and exports WINEPREFIX for everything that follows:
# Wine's own settings, registry and C: drive, so nothing leaks in from or out to the user's ~/.wine. Headless:
# console programs need no display. Mono and Gecko (Wine's .NET and HTML engines) are not installed: nothing here
# needs them, and Wine would offer to download them. winemenubuilder is off: it would copy the Start-menu entries
# the installer test makes into the real user's Linux menus (~/.local/share/applications).
wine_prefix_start() {
  for tool in wine wineboot wineserver x86_64-w64-mingw32-gcc; do
    command -v "$tool" >/dev/null 2>&1 || { echo "windows: $tool is missing (run scripts/setup.sh)" >&2; return 1; }
  done
  WINE_DIR=$(mktemp -d -t presently-wine.XXXXXX)
  export WINEPREFIX="$WINE_DIR/prefix" WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d" WINEDEBUG="${WINEDEBUG:--all}"
  # The CLI tests sign in with BROWSER="curl -fsSL", as on Linux (Windows 10 and 11 ship curl.exe too); Wine
  # runs a Unix program it finds on the Windows PATH, so Linux's curl stands in for it as curl.exe.
  mkdir -p "$WINE_DIR/bin"
  ln -s "$(command -v curl)" "$WINE_DIR/bin/curl.exe"
  export WINEPATH="Z:${WINE_DIR//\//\\}\\bin"
  wineboot --init >"$WINE_DIR/wineboot.log" 2>&1
  wineserver --wait
  wine_install_prng_shim
}

# Stops every Wine process of the prefix and removes it.
wine_prefix_stop() {
  [ -n "${WINEPREFIX:-}" ] || return 0
  wineserver --kill 2>/dev/null || true
  rm -rf "$WINE_DIR"
}

# Rust's standard library imports ProcessPrng from bcryptprimitives.dll (Windows 10 and later); Wine 8 has no such
# DLL, so no Rust program would start. A test-only DLL exporting ProcessPrng over RtlGenRandom
# (scripts/windows/processprng-shim.c) goes into the prefix's system32, where Windows keeps the real one. It is
# built here and never ships: the release executables and the installer do not contain it.
wine_install_prng_shim() {
  local dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  # A newer Wine that has the DLL needs no shim.
  [ -f "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" ] && return 0
  x86_64-w64-mingw32-gcc -O2 -shared -Wl,--kill-at -o "$WINE_DIR/bcryptprimitives.dll" \
    "$dir/processprng-shim.c" -ladvapi32
  cp "$WINE_DIR/bcryptprimitives.dll" "$WINEPREFIX/drive_c/windows/system32/"
}

# For the scripts that run the built executables (tray-run.sh, folders-run.sh): fails the run with $* and the tail of
# every log in the prefix's folder. WINE_RUN names the script in the message.
wine_run_fail() {
  echo "${WINE_RUN:-windows}: FAILED: $*" >&2
  for f in "$WINE_DIR"/*.log; do echo "--- $f" >&2; tail -20 "$f" >&2; done
  exit 1
}

# A throw-away prefix (stopped on exit) and the Windows emulator ($1: the folder of the built .exe files) on a free
# loopback port, auto-approving sign-ins; the client's sign-in and Graph URLs point at it. Sets $base.
wine_start_with_emulator() {
  wine_prefix_start
  trap wine_prefix_stop EXIT
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  base="http://127.0.0.1:$port"
  export PRESENTLY_LOGIN_URL=$base PRESENTLY_GRAPH_URL=$base
  wine "$1/presently-emulator.exe" --auto-approve --port "$port" >"$WINE_DIR/emulator.log" 2>&1 &
  for _ in $(seq 100); do curl -fs "$base/_emulator/state" >/dev/null 2>&1 && break; sleep 0.2; done
  curl -fs "$base/_emulator/state" >/dev/null || wine_run_fail "the emulator did not start"
}
