#!/usr/bin/env bash
# The screenshot tour (tests/e2e/tour.mjs): every popup screen in light and dark and the tray menu in each state,
# from the real app in demo mode on a throw-away virtual desktop (scripts/gui-session.sh), into OUT_DIR.
#   bash scripts/tour.sh [OUT_DIR]       default docs/images/tour (the pictures docs/tour.md shows)
#   E2E_APP=path/to/presently-app ...    use that binary (built with --features custom-protocol) instead of building
# `npm test` runs it after the end-to-end tests with a temporary OUT_DIR, so CI leaves the tree as it found it and
# still proves every screen can be reached and is not blank. Every process it starts carries E2E_RUN_ID, and
# whatever of them is alive at the end is killed.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/e2e-lib.sh"
cd "$(repo_root)"

out=$(realpath -m "${1:-docs/images/tour}")
tauri_driver=$(e2e_tauri_driver)
e2e_app

work=$(mktemp -d "${TMPDIR:-/tmp}/presently-tour.XXXXXX")
run_id="presently-tour-$$-$RANDOM$RANDOM"
mkdir -p "$out"
e2e_private_binaries "$app" "$work"
# Pictures of an earlier tour go: every one is taken again.
rm -f "$out"/*.png "$out/index.json"

trap 'node tests/e2e/leftovers.mjs "$run_id" --kill >/dev/null; rm -rf "$work"' EXIT
say "Screenshot tour on a virtual desktop (into $out)"
started=$(date +%s)
status=0
E2E_RUN_ID=$run_id E2E_OUT=$work E2E_REPO=$PWD E2E_APP=$work/bin/presently-app E2E_TAURI_DRIVER=$tauri_driver \
  TOUR_OUT=$out timeout --kill-after=10 900 \
  bash scripts/gui-session.sh sh -c 'exec node tests/e2e/tour.mjs 2>&1' 2>"$work/desktop.log" || status=$?
count=$(find "$out" -name '*.png' | wc -l)
size=$(du -sk "$out" | cut -f1)
echo "Tour: $count pictures, ${size} KB, in $(($(date +%s) - started)) s."
if [ "$status" -ne 0 ]; then
  for log in "$work"/*.log; do
    [ -f "$log" ] || continue
    echo "---- last lines of $log"
    tail -n 25 "$log"
  done
fi
# The page that shows the pictures, one line each, in the order they were taken (from the tour's index.json).
if [ "$status" -eq 0 ] && [ "$out" = "$PWD/docs/images/tour" ]; then
  node tests/e2e/tour-page.mjs "$out/index.json" docs/tour.md
fi
exit "$status"
