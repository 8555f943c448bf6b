#!/usr/bin/env bash
# `npm run bench`: Presently's benchmarks. Builds the popup UI, the release tray app (popup embedded),
# the release reference tray (crates/bench/reference-tray: a bare Tauri 2 tray, the floor of this stack) and the
# benchmark, then runs `presently-bench all` on a throw-away virtual desktop (scripts/gui-session.sh: D-Bus,
# Xvfb, openbox, tint2, an unlocked keyring). It prints one table of figures against their targets and writes
# target/bench/report.json and target/bench/report.md (the table the README shows). Then the soak
# (`presently-bench soak`: 10,000 intents, 50 popups, injected faults and clock jumps; target/bench/soak.json) on a
# desktop of its own; it fails the run when one of its targets is missed.
#   bash scripts/bench.sh                 everything (about 25 minutes: the popup is weighed 5 min after closing,
#                                         and the soak weighs the app again 5 min after its run)
#   bash scripts/bench.sh footprint       one benchmark (footprint, latency, economy, wakeups, soak), with its own
#                                         options
# Absolute times on a shared machine are noisy: run it on a quiet machine (`uptime` load below 1) and read the
# ratios, which compare against the reference measured in the same run.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$(repo_root)"

bash scripts/setup.sh

say "Building the popup UI"
npm run --silent ui:build

# Three separate builds, so that Cargo unifies no features between them: the reference is built exactly as a
# bare Tauri tray would be, not with the app's plugins' features.
say "Building the release tray app (popup embedded), the reference tray and the benchmark"
cargo build --release --locked -p presently-app --features custom-protocol
cargo build --release --locked -p presently-reference-tray --features custom-protocol
cargo build --release --locked -p presently-bench -p presently-emulator

say "Load average now: $(cut -d' ' -f1-3 /proc/loadavg) (figures are steadier below 1)"
if [ $# -eq 0 ]; then
  bash scripts/gui-session.sh target/release/presently-bench all
  set -- soak
fi
exec bash scripts/gui-session.sh target/release/presently-bench "$@"
