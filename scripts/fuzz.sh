#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for SECONDS each (default 60), growing its corpus in fuzz/corpus/<target>,
# and prints each target's execution count. Needs nightly Rust and cargo-fuzz:
#
#   rustup toolchain install nightly --profile minimal
#   cargo install cargo-fuzz --locked
#
# A crash stops the run with the failing input saved in fuzz/artifacts/<target>/. The checks each target makes
# live in crates/fuzz-checks; `cargo test -p presently-fuzz-checks` replays the checked-in corpora on stable Rust.
#
#   scripts/fuzz.sh [SECONDS]
set -euo pipefail

seconds="${1:-60}"
cd "$(dirname "$0")/../fuzz"

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "$0: needs nightly Rust and cargo-fuzz (see the top of this script)" >&2
  exit 1
fi

targets=$(cargo +nightly fuzz list)
for target in $targets; do
  mkdir -p "corpus/$target"
  log="$(mktemp)"
  echo "== $target (${seconds}s)"
  if ! cargo +nightly fuzz run "$target" "corpus/$target" -- -max_total_time="$seconds" -print_final_stats=1 \
       >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    rm -f "$log"
    echo "$0: $target failed; the input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
  runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' | tail -n 1)
  echo "$target: ${runs:-?} executions, no crash"
  rm -f "$log"
done
