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
