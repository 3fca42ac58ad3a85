#!/usr/bin/env bash
# Runs each fuzz target for a while with cargo fuzz (libFuzzer), from the seed
# corpus in fuzz/corpus/<target>/. New inputs the fuzzer finds go to a working
# folder, not to the seeds. A crash is saved in fuzz/artifacts/<target>/ and stops
# that target's run; the script then exits with 1. Each target's whole log is kept
# in the working folder. Needs the nightly toolchain and `cargo install cargo-fuzz`.
#   bash fuzz/run.sh [SECONDS] [TARGET...]   (default: 600 seconds, every target)
set -uo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
shift || true
if [ "$#" -gt 0 ]; then
  targets=("$@")
else
  targets=(front_matter markdown council site_settings)
fi
work="${FUZZ_WORK:-${TMPDIR:-/tmp}/tellyou-fuzz}"
status=0
for target in "${targets[@]}"; do
  mkdir -p "$work/$target"
  log="$work/$target.log"
  echo "== $target for $seconds s (log: $log)"
  if cargo +nightly fuzz run "$target" "$work/$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 >"$log" 2>&1; then
    grep -E '^(Done|stat::(number_of_executed_units|average_exec_per_sec|new_units_added|peak_rss_mb))' "$log"
  else
    echo "$target failed: see $log and fuzz/artifacts/$target/" >&2
    grep -E 'SUMMARY|panicked|ERROR' "$log" | head -5 >&2
    status=1
  fi
done
exit "$status"
