#!/usr/bin/env bash
# Times `tellyou build` of generated corpora, and Hugo's build of the same corpus
# where `hugo` is installed (Debian's package), with the equivalent minimal templates
# in bench/hugo/. For each corpus size and program it times three kinds of build,
# each with one warm-up run, then RUNS runs (default 5), each after an untimed step:
#   - a first build: the output and the cache are moved aside first, as if the
#     project were a fresh clone (REMOVE_OUTPUT=1 removes them instead; see
#     BENCHMARKS.md);
#   - a rebuild with nothing changed: the output is left in place;
#   - a rebuild with one page changed: a line is added to one page first; each is a
#     new process, which finds the rest in the cache;
#   - the first rebuild after a first build, with one page changed: there is no
#     site before last yet for it to write over (each run makes a first build,
#     untimed, first).
# It also times `tellyou check` with nothing changed, and `cp -r` of the finished
# output tree, to say how a first build compares with copying what it wrote: each
# copy right after a first build, in turns, so that both meet the machine alike.
# Each timed run starts once what earlier runs wrote is on the disk (`sync`), so
# that it does not wait for their writing. It prints the median run by wall time,
# with its CPU time (user + system) and peak memory (maximum resident set size,
# from GNU time), the cost per page, and the ratio to Hugo. A first build of the
# same corpus with `search: false`, in turns with the first builds and copies,
# says what making the search index adds. It starts by saying how many
# processors the machine has and its setting for transparent huge pages, which
# changes what memory costs. See BENCHMARKS.md.
#   bash bench/build.sh [PAGES...]        (default: 1000 10000)
#   RUNS=3 bash bench/build.sh 50000
#   NO_HUGO=1 bash bench/build.sh         (tellyou only)
#   BENCH_DIR=/dev/shm bash bench/build.sh (corpora and output in memory, not on disk)
#   TELLYOU_BIN=/tmp/old/tellyou bash bench/build.sh (another build of tellyou)
#   LANGUAGES=pl,ur bash bench/build.sh 1000 (also a first build of the same corpus
#     translated into each language, every page, and its ratio to English only)
#   CORPUS=listing bash bench/build.sh 1000 (pages that each list their section's
#     pages, in prose that trips the style checks: about 12 warnings a page)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${RUNS:-5}"
corpus_option=""
if [ "${CORPUS:-}" = "listing" ]; then corpus_option="--listing"; fi
cargo build --release --quiet --bin tellyou --example gen-corpus
bin="${TELLYOU_BIN:-$PWD/target/release/tellyou}"
hugo_templates="$PWD/bench/hugo"

# Runs the command after "--" in the current folder: one warm-up, then $runs timed
# runs, each after the command before "--" (untimed); prints the median run's wall,
# user, system and peak memory in KB.
measure() {
  local prepare=()
  while [ "$1" != "--" ]; do prepare+=("$1"); shift; done
  shift
  "${prepare[@]}"
  "$@" >/dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
  local results=()
  for _ in $(seq 1 "$runs"); do
    "${prepare[@]}"
    sync
    /usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" "$@" >/dev/null 2>&1
    results+=("$(cat "$work/time.txt")")
  done
  printf '%s\n' "${results[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p"
}

# Runs the command given after the file to time it in, and appends its wall time
# in seconds, timed to the microsecond (GNU time gives hundredths of a second).
timed() {
  local times="$1" start
  shift
  sync
  start=$EPOCHREALTIME
  /usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" "$@" >/dev/null 2>&1 ||
    { echo "failed: $*" >&2; exit 1; }
  awk -v s="$start" -v e="$EPOCHREALTIME" 'BEGIN { print e - s }' >>"$times"
}

# Times, in turns, a first build in the current folder, `cp -r` of the output it
# wrote, and a first build of the same corpus without the search index in
# $work/no-search: one warm-up of each, then $runs of each. Prints the median
# build's wall, user, system and peak memory in KB, then the median copy's, then
# the median build's without search, then the median of each turn's ratio of the
# build to the copy, then the median of each turn's ratio of the build to the one
# without search.
first_builds_in_turns() {
  local builds=() copies=() plain=() turn
  : >"$work/walls.txt"
  for turn in $(seq 0 "$runs"); do
    clear_output public .public.previous .public.cache
    timed "$work/walls.txt" "$bin" build
    builds+=("$(cat "$work/time.txt")")
    remove_copy
    timed "$work/walls.txt" cp -r public "$work/copy"
    copies+=("$(cat "$work/time.txt")")
    (cd "$work/no-search" && clear_output public .public.previous .public.cache)
    (cd "$work/no-search" && timed "$work/walls.txt" "$bin" build)
    plain+=("$(cat "$work/time.txt")")
    if [ "$turn" = 0 ]; then
      # The warm-up turn is not counted.
      builds=() copies=() plain=()
      : >"$work/walls.txt"
    fi
  done
  local middle_run=$(((runs + 1) / 2))
  printf '%s\n' "${builds[@]}" | sort -n | sed -n "${middle_run}p"
  printf '%s\n' "${copies[@]}" | sort -n | sed -n "${middle_run}p"
  printf '%s\n' "${plain[@]}" | sort -n | sed -n "${middle_run}p"
  for other in 2 3; do
    paste - - - <"$work/walls.txt" | awk -v o="$other" '{ print $1 / $o }' |
      sort -g | sed -n "${middle_run}p"
  done
}

# Moves the given folders, where they exist, out of the current folder into a new
# folder under $work/set-aside, which is removed when the script ends. Removing them
# instead would leave thousands of just-freed inodes, which this machine's ext4 makes
# the next build pay for (BENCHMARKS.md, "The machine"); REMOVE_OUTPUT=1 does that.
clear_output() {
  if [ -n "${REMOVE_OUTPUT:-}" ]; then
    rm -rf "$@"
    return
  fi
  local aside
  aside="$(mktemp -d "$work/set-aside/XXXXXX")"
  for folder in "$@"; do
    if [ -e "$folder" ]; then mv "$folder" "$aside/"; fi
  done
}

# Moves aside the copy that `cp -r` made last, so that each copies into a new
# folder.
remove_copy() {
  clear_output "$work/copy"
}

# Adds a line to one page of the corpus, so that the next build has one page to
# change.
change_one_page() {
  echo "One more line for this run." >>content/section-3/page-7.md
}

# Makes a first build, then changes one page: the next build is the first rebuild.
first_build_then_change() {
  clear_output public .public.previous .public.cache
  "$bin" build >/dev/null 2>&1 || { echo "failed: $bin build" >&2; exit 1; }
  change_one_page
}

report() {
  local name="$1" pages="$2" wall="$3" user="$4" system="$5" kb="$6"
  awk -v n="$name" -v p="$pages" -v w="$wall" -v u="$user" -v s="$system" -v k="$kb" 'BEGIN {
    printf "%6d pages  %-36s  wall %7.2f s  cpu %7.2f s  peak %6d MB  %.3f ms/page\n", p, n, w, u + s, k / 1024, w * 1000 / p
  }'
}

works=()
trap 'rm -rf "${works[@]}"' EXIT
huge_pages="$(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo "not known")"
echo "machine: $(nproc) processors, transparent huge pages: ${huge_pages}"
for pages in ${@:-1000 10000}; do
  work="$(mktemp -d "${BENCH_DIR:-${TMPDIR:-/tmp}}/tellyou-bench.XXXXXX")"
  works+=("$work")
  mkdir "$work/set-aside"
  target/release/examples/gen-corpus ${corpus_option} "$pages" "$work/tellyou" >/dev/null
  # The same corpus without the search index, to say what indexing adds.
  cp -r "$work/tellyou" "$work/no-search"
  echo "search: false" >>"$work/no-search/site.yaml"
  cd "$work/tellyou"
  {
    read -r wall user system kb
    read -r pwall puser psystem pkb
    read -r swall suser ssystem skb
    read -r copy_ratio
    read -r search_ratio
  } < <(first_builds_in_turns)
  report "tellyou build" "$pages" "$wall" "$user" "$system" "$kb"
  read -r rwall ruser rsystem rkb <<<"$(measure true -- "$bin" build)"
  report "tellyou rebuild, no change" "$pages" "$rwall" "$ruser" "$rsystem" "$rkb"
  read -r cwall cuser csystem ckb <<<"$(measure change_one_page -- "$bin" build)"
  report "tellyou rebuild, one page" "$pages" "$cwall" "$cuser" "$csystem" "$ckb"
  read -r fwall fuser fsystem fkb <<<"$(measure first_build_then_change -- "$bin" build)"
  report "tellyou first rebuild, one page" "$pages" "$fwall" "$fuser" "$fsystem" "$fkb"
  read -r kwall kuser ksystem kkb <<<"$(measure true -- "$bin" check)"
  report "tellyou check, no change" "$pages" "$kwall" "$kuser" "$ksystem" "$kkb"
  report "cp -r of the output" "$pages" "$pwall" "$puser" "$psystem" "$pkb"
  awk -v r="$copy_ratio" 'BEGIN {
    printf "%6s         a first build takes %.1f times as long as copying its output (median of the runs)\n", "", r
  }'
  du -s --apparent-size public .public.cache | awk -v p="$pages" '
    { size[NR] = $1 }
    END { printf "%6d pages  the cache is %d MB, %.0f%% of the output (%d MB)\n", p, size[2] / 1024, size[2] * 100 / size[1], size[1] / 1024 }'
  cd - >/dev/null
  cd "$work/no-search"
  report "tellyou build, no search" "$pages" "$swall" "$suser" "$ssystem" "$skb"
  read -r scwall scuser scsystem sckb <<<"$(measure change_one_page -- "$bin" build)"
  report "tellyou rebuild, one page, no search" "$pages" "$scwall" "$scuser" "$scsystem" "$sckb"
  cd - >/dev/null
  awk -v r="$search_ratio" -v c="$user" -v d="$system" -v e="$suser" -v f="$ssystem" 'BEGIN {
    printf "%6s         the search index adds %.0f%% to a first build (median of the turns; CPU of the median runs %.0f%%)\n", "", (r - 1) * 100, ((c + d) / (e + f) - 1) * 100
  }'
  if [ -n "${LANGUAGES:-}" ]; then
    target/release/examples/gen-corpus "$pages" "$work/translated" "$LANGUAGES" >/dev/null
    cd "$work/translated"
    read -r twall tuser tsystem tkb <<<"$(measure clear_output public .public.previous .public.cache -- "$bin" build)"
    report "tellyou build, and $LANGUAGES" "$pages" "$twall" "$tuser" "$tsystem" "$tkb"
    cd - >/dev/null
    awk -v a="$twall" -v b="$wall" -v c="$tuser" -v d="$tsystem" -v e="$user" -v f="$system" 'BEGIN {
      printf "%6s         translated into %s too, a first build takes %.2f times as long (CPU %.2f times)\n", "", ENVIRON["LANGUAGES"], a / b, (c + d) / (e + f)
    }'
  fi
  if [ -z "${NO_HUGO:-}" ] && command -v hugo >/dev/null 2>&1; then
    mkdir -p "$work/hugo"
    cp -r "$work/tellyou/content" "$hugo_templates/hugo.yaml" "$hugo_templates/layouts" "$work/hugo/"
    cd "$work/hugo"
    hugo_build=(hugo --quiet --minify --destination public)
    read -r hwall huser hsystem hkb <<<"$(measure clear_output public resources -- "${hugo_build[@]}")"
    report "hugo build" "$pages" "$hwall" "$huser" "$hsystem" "$hkb"
    read -r hcwall hcuser hcsystem hckb <<<"$(measure change_one_page -- "${hugo_build[@]}")"
    report "hugo rebuild, one page" "$pages" "$hcwall" "$hcuser" "$hcsystem" "$hckb"
    cd - >/dev/null
    awk -v a="$wall" -v b="$hwall" -v c="$cwall" -v d="$hcwall" 'BEGIN {
      printf "%6s         tellyou takes %.2f times as long as Hugo for a first build, %.2f for one page changed\n", "", a / b, c / d
    }'
  fi
done
