#!/usr/bin/env bash
# Runs each fuzz target for a while with cargo fuzz (libFuzzer), from the seed
# corpus in fuzz/corpus/<target>/. New inputs the fuzzer finds go to a working
# folder, not to the seeds; a crash is saved in fuzz/artifacts/<target>/ and
# stops that target's run. Needs a nightly toolchain and `cargo install cargo-fuzz`.
#   bash fuzz/run.sh [SECONDS] [TARGET...]   (default: 600 seconds, every target)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
shift || true
targets=("${@:-front_matter markdown council site_settings}")
work="${FUZZ_WORK:-${TMPDIR:-/tmp}/tellyou-fuzz}"
for target in ${targets[*]}; do
  mkdir -p "$work/$target"
  echo "== $target for $seconds s"
  cargo +nightly fuzz run "$target" "$work/$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 2>&1 |
    grep -E '^(#[0-9]+ +DONE|stat::|==[0-9]+==|SUMMARY|Done|INFO: (Seed|Loaded))' || true
done
