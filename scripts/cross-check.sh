#!/usr/bin/env bash
# Proves the code compiles for Windows and macOS, which cannot run here: `cargo check` (type and borrow checking of
# every line of Rust, with each platform's cfg) of the workspace's crates, library, binaries, tests and examples,
# for x86_64-pc-windows-gnu and aarch64-apple-darwin. Warnings in our crates are errors. No binary is linked.
#   scripts/cross-check.sh            both targets
#   scripts/cross-check.sh windows    or: macos
#
# What can and cannot be checked here, and why:
# - Windows: everything, build scripts included. ring (the app's rustls crypto) and aws-lc-sys (the emulator's
#   and the tests') compile their C with Debian's MinGW compiler (x86_64-w64-mingw32-gcc, in scripts/setup.sh);
#   Tauri's build script embeds the icon with MinGW's windres.
# - macOS: all our Rust code, but not the C and Objective-C of four dependencies, which need Apple's SDK
#   (headers and clang for Apple targets) that Linux does not have:
#     ring, aws-lc-sys           their build scripts are replaced by Cargo's `links` override
#                                (target.<triple>.<links>, with what their scripts would print: aws-lc's cfg,
#                                ring's nothing but link directives), so the crypto libraries' C is not built while
#                                their Rust and everything above it are checked;
#     objc2-exception-helper,    skip their Objective-C when DOCS_RS is set (as on docs.rs, which builds on Linux
#     mac-notification-sys       too); nothing else in the tree reads DOCS_RS except for Android.
# - Neither: linking, bundling (.msi/.dmg), signing, or running anything; that needs the real platforms.
# Skipped crates are listed with their reason below.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(repo_root)"
ensure_dev_null
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
# The `links` names carry the versions (aws_lc_0_47_0, ring_core_0_17_14_): read them, so an upgrade needs no edit.
links_of() { python3 -c 'import json,sys; m=json.load(sys.stdin); print(next((p["links"] for p in m["packages"] if p["name"]==sys.argv[1]), ""))' "$1" <<<"$metadata"; }
aws_lc_links=$(links_of aws-lc-sys)
ring_links=$(links_of ring)

check() { # target, extra cargo arguments...
  local target=$1
  shift
  say "cargo check --target $target ($(( ${#packages[@]} / 2 )) crates)"
  # -D warnings reaches only the cross targets' own builds (with --target, build scripts and proc macros are
  # host artifacts and RUSTFLAGS does not apply to them); dependencies' warnings stay capped.
  local log
  log=$(mktemp)
  if RUSTFLAGS="-D warnings" cargo check --locked --quiet --target "$target" --all-targets "${packages[@]}" "$@" \
    2>"$log"; then
    cat "$log" >&2
    rm -f "$log"
    return 0
  fi
  cat "$log" >&2
  # A failed probe of the target (`rustc - --print ...`) is no verdict on our code. Its known cause, a /dev/null
  # that is a plain file holding compiler messages, is repaired above (ensure_dev_null); cargo may still have
  # cached a failed probe in target/.rustc_info.json from a run before the repair: probe once more, without that
  # cache. Any other failure stands.
  if grep -q "failed to run \`rustc\` to learn about target-specific information" "$log"; then
    rm -f "$log"
    echo "cross-check: cargo's probe of $target failed; probing again without its cache" >&2
    CARGO_CACHE_RUSTC_INFO=0 RUSTFLAGS="-D warnings" \
      cargo check --locked --quiet --target "$target" --all-targets "${packages[@]}" "$@"
    return
  fi
  rm -f "$log"
  return 1
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
      if [ -n "$ring_links" ]; then
        override+=(--config "target.$MACOS.$ring_links.rustc-link-search=[]")
      fi
      DOCS_RS=1 check "$t" "${override[@]}"
      ;;
  esac
done
say "Cross-check passed: ${targets[*]}"
