#!/usr/bin/env bash
# Times two builds of tellyou against each other in alternate runs, so that a
# machine whose speed drifts during the runs slows both alike: for a change whose
# gain is smaller than that drift. Each binary builds a copy of the same generated
# corpus of its own, as each keys its cache by its own version. For each binary it
# prints the median of RUNS runs (default 11), with CPU time (user + system) and
# peak memory, of a first build (the output and the cache removed before each) and
# of a rebuild with one page changed.
#   bash bench/side-by-side.sh BEFORE AFTER [PAGES]   (default 10000)
#   RUNS=7 CORPUS=listing bash bench/side-by-side.sh /tmp/before/tellyou target/release/tellyou 1000
#   BENCH_DIR=/dev/shm bash bench/side-by-side.sh ...  (corpora in memory: a first
#     build here follows an `rm -rf` of the last one's output, which this machine's
#     ext4 makes the next build pay for; see BENCHMARKS.md)
set -euo pipefail
cd "$(dirname "$0")/.."
before="$(realpath "$1")"
after="$(realpath "$2")"
pages="${3:-10000}"
runs="${RUNS:-11}"
corpus_option=""
if [ "${CORPUS:-}" = "listing" ]; then corpus_option="--listing"; fi
cargo build --release --quiet --example gen-corpus
work="$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/tellyou-side-by-side.XXXXXX")"
trap 'rm -rf "$work"' EXIT
target/release/examples/gen-corpus ${corpus_option} "$pages" "$work/before" >/dev/null
cp -r "$work/before" "$work/after"

# Runs `kind` ("first" or "one-page") with each binary in turn, $runs times, and
# prints each binary's median run by wall time.
side_by_side() {
  local kind="$1" times="$work/times.txt"
  : >"$times"
  for name in before after; do
    (cd "$work/$name" && "${!name}" build >/dev/null 2>&1) || { echo "failed: $name" >&2; exit 1; }
  done
  for run in $(seq 1 "$runs"); do
    for name in before after; do
      cd "$work/$name"
      if [ "$kind" = first ]; then
        rm -rf public .public.previous .public.cache
      else
        echo "One more line for run $run." >>content/section-3/page-7.md
      fi
      /usr/bin/time -f "$name %e %U %S %M" -a -o "$times" "${!name}" build >/dev/null 2>&1
      cd - >/dev/null
    done
  done
  for name in before after; do
    grep "^$name " "$times" | sort -k2 -n | sed -n "$(((runs + 1) / 2))p" |
      awk -v k="$kind" -v p="$pages" '{ printf "%6d pages  %-8s %-6s  wall %5.2f s  cpu %5.2f s  peak %5d MB\n", p, k, $1, $2, $3 + $4, $5 / 1024 }'
  done
}

side_by_side first
side_by_side one-page
