#!/usr/bin/env bash
# Proves the code compiles for Windows and macOS, which cannot run here: `cargo check` (type and borrow checking of
# every line of Rust, with each platform's cfg) of the workspace's crates, library, binaries, tests and examples,
# for x86_64-pc-windows-gnu and aarch64-apple-darwin. Warnings in our crates are errors. No binary is linked.
#   scripts/cross-check.sh            both targets
#   scripts/cross-check.sh windows    or: macos
#
# What can and cannot be checked here, and why:
# - Windows: everything, build scripts included. aws-lc-sys (rustls' crypto, through reqwest and axum-server)
#   compiles its C with Debian's MinGW compiler (x86_64-w64-mingw32-gcc, in scripts/setup.sh); Tauri's build
#   script embeds the icon with MinGW's windres.
# - macOS: all our Rust code, but not the C and Objective-C of three dependencies, which need Apple's SDK
#   (headers and clang for Apple targets) that Linux does not have:
#     aws-lc-sys                 its build script is replaced by Cargo's `links` override (target.<triple>.<links>,
#                                with the cfg its script would print), so the crypto library's C is not built while
#                                its Rust bindings and everything above them are checked;
#     objc2-exception-helper,    skip their Objective-C when DOCS_RS is set (as on docs.rs, which builds on Linux
#     mac-notification-sys       too); nothing else in the tree reads DOCS_RS except for Android.
#   Switching rustls from aws-lc-rs to ring would not help: ring's C needs the SDK's libc headers as well.
# - Neither: linking, bundling (.msi/.dmg), signing, or running anything; that needs the real platforms.
# Skipped crates are listed with their reason below.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(repo_root)"
ensure_ui_built

WINDOWS=x86_64-pc-windows-gnu
MACOS=aarch64-apple-darwin
# Crates not checked for other platforms, with the reason.
declare -A SKIP=(
  [presently-bench]="the benchmarks measure the Linux desktop (X11, /proc); they are not built for other platforms"
  [presently-reference-tray]="the benchmark's reference tray, built only by presently-bench on Linux"
)

case "${1:-both}" in
  both) targets=("$WINDOWS" "$MACOS") ;;
  windows) targets=("$WINDOWS") ;;
  macos) targets=("$MACOS") ;;
  *) echo "usage: scripts/cross-check.sh [windows|macos]" >&2; exit 2 ;;
esac

command -v rustup >/dev/null 2>&1 || { echo "cross-check: rustup is needed to add the targets" >&2; exit 1; }
installed=$(rustup target list --installed)
for t in "${targets[@]}"; do
  grep -qx "$t" <<<"$installed" || rustup target add "$t"
done
if [[ " ${targets[*]} " == *" $WINDOWS "* ]] && ! command -v x86_64-w64-mingw32-gcc >/dev/null 2>&1; then
  echo "cross-check: x86_64-w64-mingw32-gcc is missing (run scripts/setup.sh)" >&2
  exit 1
fi

metadata=$(cargo metadata --format-version 1 --locked)
packages=()
while IFS= read -r name; do
  if [ -n "${SKIP[$name]:-}" ]; then
    echo "cross-check: skipping $name: ${SKIP[$name]}"
  else
    packages+=(-p "$name")
  fi
done < <(python3 -c 'import json,sys; m=json.load(sys.stdin); ids=set(m["workspace_members"]); [print(p["name"]) for p in m["packages"] if p["id"] in ids]' <<<"$metadata")
# The `links` name of aws-lc-sys carries its version (aws_lc_0_47_0): read it, so an upgrade needs no edit here.
aws_lc_links=$(python3 -c 'import json,sys; m=json.load(sys.stdin); print(next((p["links"] for p in m["packages"] if p["name"]=="aws-lc-sys"), ""))' <<<"$metadata")

check() { # target, extra cargo arguments...
  local target=$1
  shift
  say "cargo check --target $target ($(( ${#packages[@]} / 2 )) crates)"
  # -D warnings reaches only the cross targets' own builds (with --target, build scripts and proc macros are
  # host artifacts and RUSTFLAGS does not apply to them); dependencies' warnings stay capped.
  RUSTFLAGS="-D warnings" cargo check --locked --quiet --target "$target" --all-targets "${packages[@]}" "$@"
}

for t in "${targets[@]}"; do
  case "$t" in
    "$WINDOWS") check "$t" ;;
    "$MACOS")
      override=()
      if [ -n "$aws_lc_links" ]; then
        override=(
          --config "target.$MACOS.$aws_lc_links.rustc-cfg=[\"universal\"]"
          --config "target.$MACOS.$aws_lc_links.include=\"/aws-lc-is-not-built-for-macos-here\""
          --config "target.$MACOS.$aws_lc_links.root=\"/aws-lc-is-not-built-for-macos-here\""
        )
      fi
      DOCS_RS=1 check "$t" "${override[@]}"
      ;;
  esac
done
say "Cross-check passed: ${targets[*]}"
