#!/usr/bin/env bash
# Times `tellyou serve` from a saved file to the reload message sent to open pages:
# for each corpus size, generates the corpus, starts the preview, then appends a
# sentence to one page 11 times (waiting for each reload, with a pause between) and
# prints the median and slowest times. See examples/serve-latency.rs.
#   bash bench/serve.sh [PAGES...]        (default: 1000 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet --bin tellyou --example gen-corpus --example serve-latency
for pages in ${@:-1000 10000}; do
  dir="$(mktemp -d)"
  target/release/examples/gen-corpus "$pages" "$dir" >/dev/null
  printf '%6d pages: ' "$pages"
  target/release/examples/serve-latency "$dir" 11
  rm -rf "$dir"
done
