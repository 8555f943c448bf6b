#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ (or those named) for SECONDS each (default 60), growing its corpus in
# fuzz/corpus/<target>, and prints each target's execution count and time as libFuzzer reports them. Needs
# nightly Rust and cargo-fuzz:
#
#   rustup toolchain install nightly --profile minimal
#   cargo install cargo-fuzz --locked
#
# With FUZZ_RUNS=N a target stops after N executions instead (SECONDS is then only a cap): FUZZ_RUNS=1000000 is the
# campaign that closes a hardening round. FUZZ_CMIN=1 minimises each corpus afterwards (`cargo fuzz cmin` counting
# coverage edges, not how often each is hit), so what is checked in stays small; files named regression-* (inputs
# that once failed) are kept whatever it finds.
#
# A crash stops the run with the failing input saved in fuzz/artifacts/<target>/. The checks each target makes
# live in crates/fuzz-checks; `cargo test -p presently-fuzz-checks` replays the checked-in corpora on stable Rust.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]
set -euo pipefail

seconds="${1:-60}"
shift || true
cd "$(dirname "$0")/../fuzz"

if ! cargo +nightly fuzz --version >/dev/null 2>&1; then
  echo "$0: needs nightly Rust and cargo-fuzz (see the top of this script)" >&2
  exit 1
fi

if [ $# -gt 0 ]; then targets="$*"; else targets=$(cargo +nightly fuzz list); fi
limits=(-max_total_time="$seconds")
if [ -n "${FUZZ_RUNS:-}" ]; then limits+=(-runs="$FUZZ_RUNS"); fi
for target in $targets; do
  mkdir -p "corpus/$target"
  log="$(mktemp)"
  echo "== $target (${FUZZ_RUNS:+$FUZZ_RUNS runs, }at most ${seconds}s)"
  if ! cargo +nightly fuzz run -O "$target" "corpus/$target" -- "${limits[@]}" -print_final_stats=1 \
       >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    rm -f "$log"
    echo "$0: $target failed; the input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
  runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' | tail -n 1)
  secs=$(grep -oE '^Done [0-9]+ runs in [0-9]+ second' "$log" | awk '{print $5}' | tail -n 1)
  rss=$(grep -E '^stat::peak_rss_mb' "$log" | awk '{print $2}' | tail -n 1)
  rm -f "$log"
  if [ -n "${FUZZ_CMIN:-}" ]; then
    before=$(find "corpus/$target" -type f | wc -l)
    keep="$(mktemp -d)"
    cp corpus/"$target"/regression-* "$keep"/ 2>/dev/null || true
    cargo +nightly fuzz cmin -O "$target" "corpus/$target" -- -use_counters=0 >/dev/null 2>&1
    cp "$keep"/* corpus/"$target"/ 2>/dev/null || true
    rm -rf "$keep"
    after=$(find "corpus/$target" -type f | wc -l)
    echo "$target: ${runs:-?} executions in ${secs:-?} s, peak RSS ${rss:-?} MB, no crash; corpus $before -> $after files"
  else
    echo "$target: ${runs:-?} executions in ${secs:-?} s, peak RSS ${rss:-?} MB, no crash"
  fi
done
