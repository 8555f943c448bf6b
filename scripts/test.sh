#!/usr/bin/env bash
# `npm test`: every check and every test of the project, after installing what is missing.
# The same command runs in CI (.ci/run), so what passes here passes there.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(repo_root)"
trap stages_summary EXIT

stage "Setting up what is missing (scripts/setup.sh)"
bash scripts/setup.sh
ensure_ui_built

stage "Formatting (cargo fmt --check)"
cargo fmt --all -- --check

stage "Lints (clippy, warnings are errors)"
cargo clippy --workspace --all-targets --locked -- -D warnings

stage "Architecture boundary (core crates do not depend on Tauri)"
bash scripts/check-boundary.sh

stage "Rust tests (the token store's against a real Secret Service in a throw-away keyring)"
bash scripts/with-keyring.sh cargo test --workspace --locked

stage "Tray icons are up to date with their SVG sources"
bash scripts/icons.sh --check

stage "Popup UI: type check and tests (vitest + jsdom, payloads from the Rust golden files)"
npm run --silent ui:check
npm run --silent ui:test

stage "Windows and macOS: every crate but the Linux benchmarks compiles for them (cargo check)"
bash scripts/cross-check.sh

stage "Windows: the .exe files linked with MinGW-w64, the Rust tests run under Wine (scripts/windows.sh)"
bash scripts/windows.sh all

stage "Microsoft's own client libraries against the emulator (msal, msgraph-sdk)"
bash scripts/python-tests.sh

stage "Global hotkeys on a real X display (xdotool; a shortcut held by another program is reported on its row)"
bash scripts/hotkeys-e2e.sh

stage "End-to-end: the real tray app and popup on a virtual desktop (WebDriver, tint2's tray, xdotool, the emulator)"
bash scripts/e2e.sh

stage "Screenshot tour, quick: the popup's first screens reached on the real app, light and dark, none blank"
tour_out=$(mktemp -d "${TMPDIR:-/tmp}/presently-tour-check.XXXXXX")
TOUR_QUICK=1 E2E_APP=target/debug/presently-app bash scripts/tour.sh "$tour_out"
rm -rf "$tour_out"

stage "The real app on a desktop: one instance, forwarded set/clear, the login entry, notifications"
bash scripts/gui-session.sh cargo test -p presently-app --test desktop --locked -- --ignored
stage "The real app on a desktop without a tray host (no tint2): its popup opens as a normal window"
GUI_NO_TRAY=1 bash scripts/gui-session.sh cargo test -p presently-app --test desktop --locked -- --ignored without_a_tray_host
