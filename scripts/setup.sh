#!/usr/bin/env bash
# Installs what building, running and testing Presently needs, and nothing that is already there.
# Idempotent and quick when everything is present. Used by `npm run demo` and `npm test`.
#   scripts/setup.sh            Debian packages + Rust components
# Python packages live in .venv, made by scripts/python-tests.sh.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

ensure_dev_null

# Debian packages: the Tauri/WebKitGTK build, the tray under a virtual display (Xvfb, openbox, tint2), key presses
# (xdotool), the Secret Service for the token store (gnome-keyring), WebDriver for the popup (webkit2gtk-driver),
# screenshots (imagemagick), headless Chromium for web-page screenshots. Windows (scripts/windows.sh): MinGW-w64 links
# the .exe files, Wine 8 runs them (wine with wine64: 64-bit only, no i386 multiarch), NSIS builds the installer.
APT_PACKAGES=(
  pkg-config build-essential curl ca-certificates
  libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libsoup-3.0-dev libxdo-dev libssl-dev
  xvfb xauth dbus-x11 openbox tint2 xdotool gnome-keyring libsecret-tools webkit2gtk-driver imagemagick librsvg2-bin
  chromium python3-venv gcc-mingw-w64-x86-64-posix tzdata wine wine64 nsis
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# python3-venv is only needed when the system python lacks the venv module (pyenv builds have it).
if python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  missing=("${missing[@]/python3-venv}")
fi
missing=($(printf '%s\n' "${missing[@]}" | sed '/^$/d'))
if [ ${#missing[@]} -gt 0 ]; then
  say "Installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if command -v rustup >/dev/null 2>&1; then
  # rust-toolchain.toml names the components; this makes rustup fetch them now rather than mid-test.
  (cd "$(repo_root)" && rustup show active-toolchain >/dev/null 2>&1 || true)
  for c in rustfmt clippy; do
    rustup component list --installed 2>/dev/null | grep -q "^$c" || rustup component add "$c"
  done
fi

# The Windows target's standard library, for scripts/windows.sh and scripts/cross-check.sh.
if command -v rustup >/dev/null 2>&1 && ! rustup target list --installed 2>/dev/null | grep -qx x86_64-pc-windows-gnu; then
  (cd "$(repo_root)" && rustup target add x86_64-pc-windows-gnu)
fi

# Cargo tools: tauri-driver drives the real app's popup through WebKitWebDriver in the end-to-end tests.
# Pinned to the 2.x line that matches Tauri 2 (an unpinned install picks a 3.0 alpha).
if ! command -v tauri-driver >/dev/null 2>&1 || ! cargo install --list 2>/dev/null | grep -q '^tauri-driver v2\.'; then
  say "Installing tauri-driver 2.1.0"
  cargo install tauri-driver --version 2.1.0 --locked --quiet
fi

# npm packages (the popup UI's build and tests, the Tauri CLI), from package-lock.json.
cd "$(repo_root)"
if [ -f package-lock.json ] && { [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  say "Installing npm packages"
  npm ci --no-audit --no-fund --loglevel=error
fi
