#!/usr/bin/env bash
# Times `tellyou build` of generated corpora, and Hugo's build of the same corpus
# where `hugo` is installed (Debian's package), with the equivalent minimal templates
# in bench/hugo/. For each corpus size and program: one warm-up run, then RUNS runs
# (default 5) of a first build (the output folder removed before each, untimed) and
# RUNS runs of a rebuild with nothing changed (the output left in place). It prints
# the median run by wall time, with its CPU time (user + system) and peak memory
# (maximum resident set size, from GNU time), the cost per page, and the ratio to
# Hugo. See BENCHMARKS.md.
#   bash bench/build.sh [PAGES...]        (default: 1000 10000)
#   RUNS=3 bash bench/build.sh 50000
#   NO_HUGO=1 bash bench/build.sh         (tellyou only)
#   BENCH_DIR=/dev/shm bash bench/build.sh (corpora and output in memory, not on disk)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${RUNS:-5}"
cargo build --release --quiet --bin tellyou --example gen-corpus
bin="$PWD/target/release/tellyou"
hugo_templates="$PWD/bench/hugo"

# Runs the command after "--" in the current folder: one warm-up, then $runs timed
# runs, each after the command before "--" (untimed); prints the median run's wall,
# user, system and peak memory in KB.
measure() {
  local prepare=()
  while [ "$1" != "--" ]; do prepare+=("$1"); shift; done
  shift
  "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
  local results=()
  for _ in $(seq 1 "$runs"); do
    "${prepare[@]}"
    /usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" "$@" >/dev/null 2>&1
    results+=("$(cat "$work/time.txt")")
  done
  printf '%s\n' "${results[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p"
}

report() {
  local name="$1" pages="$2" wall="$3" user="$4" system="$5" kb="$6"
  awk -v n="$name" -v p="$pages" -v w="$wall" -v u="$user" -v s="$system" -v k="$kb" 'BEGIN {
    printf "%6d pages  %-24s  wall %7.2f s  cpu %7.2f s  peak %6d MB  %.3f ms/page\n", p, n, w, u + s, k / 1024, w * 1000 / p
  }'
}

for pages in ${@:-1000 10000}; do
  work="$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/tellyou-bench.XXXXXX")"
  target/release/examples/gen-corpus "$pages" "$work/tellyou" >/dev/null
  read -r wall user system kb <<<"$(cd "$work/tellyou" && measure rm -rf public -- "$bin" build)"
  report "tellyou build" "$pages" "$wall" "$user" "$system" "$kb"
  read -r rwall ruser rsystem rkb <<<"$(cd "$work/tellyou" && measure true -- "$bin" build)"
  report "tellyou rebuild, no change" "$pages" "$rwall" "$ruser" "$rsystem" "$rkb"
  if [ -z "${NO_HUGO:-}" ] && command -v hugo >/dev/null 2>&1; then
    mkdir -p "$work/hugo"
    cp -r "$work/tellyou/content" "$hugo_templates/hugo.yaml" "$hugo_templates/layouts" "$work/hugo/"
    read -r hwall huser hsystem hkb <<<"$(cd "$work/hugo" && measure rm -rf public resources -- hugo --quiet --minify --destination public)"
    report "hugo build" "$pages" "$hwall" "$huser" "$hsystem" "$hkb"
    awk -v a="$wall" -v b="$hwall" 'BEGIN { printf "%6s         tellyou takes %.2f times as long as Hugo\n", "", a / b }'
  fi
  rm -rf "$work"
done
