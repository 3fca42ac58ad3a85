#!/usr/bin/env bash
# Times `tellyou check` and `tellyou build` on generated corpora: the median wall time
# of 5 runs after one warm-up run, so the file cache is warm for every run measured.
#   bash bench/check.sh [PAGES...]        (default: 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin tellyou --example gen-corpus
bin="$PWD/target/release/tellyou"
for pages in "${@:-1000}"; do
  dir="$(mktemp -d)"
  target/release/examples/gen-corpus "$pages" "$dir" >/dev/null
  for command in check build; do
    (cd "$dir" && "$bin" "$command" >/dev/null 2>&1) || true
    times=()
    for _ in 1 2 3 4 5; do
      start=$(date +%s.%N)
      (cd "$dir" && "$bin" "$command" >/dev/null 2>&1) || true
      end=$(date +%s.%N)
      times+=("$(awk -v a="$start" -v b="$end" 'BEGIN { print b - a }')")
    done
    median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
    printf '%6d pages  tellyou %-5s  median %.3f s\n' "$pages" "$command" "$median"
  done
  rm -rf "$dir"
done
