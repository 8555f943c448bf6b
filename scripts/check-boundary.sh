#!/usr/bin/env bash
# Convention 1 of docs/architecture.md: no core crate depends on tauri, and the emulator depends on none of the
# client crates (convention 2), so one misreading of Microsoft's docs cannot pass on both sides.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(repo_root)"

fail=0
core_crates=$(cargo metadata --no-deps --format-version 1 --locked |
  python3 -c 'import json,sys; print("\n".join(p["name"] for p in json.load(sys.stdin)["packages"] if p["manifest_path"].split("/")[-3]=="crates"))')
for crate in $core_crates; do
  [ "$crate" = "presently-bench" ] && continue # the benchmark builds a reference Tauri tray on purpose
  if cargo tree -e normal -p "$crate" --prefix none --locked 2>/dev/null | grep -qE '^(tauri|wry|tao) '; then
    echo "boundary: $crate depends on tauri/wry/tao"
    fail=1
  fi
done
emulator_deps=$(cargo tree -e normal -p presently-emulator --prefix none --locked | grep -E '^presently-' | grep -v '^presently-emulator ' || true)
if [ -n "$emulator_deps" ]; then
  echo "boundary: presently-emulator depends on client crates: $emulator_deps"
  fail=1
fi
[ "$fail" -eq 0 ] && echo "boundary ok: $(echo "$core_crates" | wc -w) crates checked"
exit "$fail"
