#!/usr/bin/env bash
# Times `tellyou build --all` for many councils with the full shipped content: a copy
# of this project with N council files made from the two examples (default 153, the
# councils with children's services in England). Times three kinds of run: a first
# build, with no output and no cache; one with nothing changed; and one with a page
# that every council shares changed, which finds the rest in the cache. Prints the
# median wall time of 5 runs after one warm-up run, with the user and system CPU
# time and the peak memory (maximum resident set size) of that median run, from GNU
# time (Debian's `time`).
#   bash bench/councils.sh [COUNCILS]
#   TMPDIR=/dev/shm bash bench/councils.sh   (in memory: this machine's ext4 makes a
#     build after a removal pay for the inodes just freed; see BENCHMARKS.md)
#   TELLYOU_BIN=/tmp/old/tellyou bash bench/councils.sh (another build of tellyou)
set -euo pipefail
cd "$(dirname "$0")/.."
councils="${1:-153}"
cargo build --release --quiet --bin tellyou
bin="${TELLYOU_BIN:-$PWD/target/release/tellyou}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
cp -r site.yaml content "$dir/"
mkdir -p "$dir/councils"
examples=(brackenford saltmarsh-vale)
for i in $(seq 1 "$councils"); do
  example="${examples[$((i % 2))]}"
  slug=$(printf 'council-%03d' "$i")
  sed "s/^name: .*/name: Council $i/" "councils/$example.yaml" > "$dir/councils/$slug.yaml"
  if [ -d "councils/$example" ]; then
    cp -r "councils/$example" "$dir/councils/$slug"
  fi
done
# Runs `build --all` once after the command given, untimed, and prints its wall,
# user and system time and peak memory in KB.
run() {
  "$@"
  (cd "$dir" && /usr/bin/time -f '%e %U %S %M' -o "$dir/time.txt" "$bin" build --all --out "$dir/public" >/dev/null 2>&1)
  cat "$dir/time.txt"
}
# Prints the median of 5 runs after one warm-up run, each after the command given.
measure() {
  local name="$1"
  shift
  run "$@" >/dev/null
  local results=()
  for _ in 1 2 3 4 5; do
    results+=("$(run "$@")")
  done
  local median
  median=$(printf '%s\n' "${results[@]}" | sort -n | sed -n 3p)
  read -r wall user system max_kb <<<"$median"
  printf '%d councils (%d pages), %s: median %.2f s wall, %.2f s user, %.2f s system, peak memory %d MB\n' \
    "$councils" "$pages" "$name" "$wall" "$user" "$system" "$((max_kb / 1024))"
}
# A shared page, which every council's site has.
shared_page="$dir/content/crying/_index.md"
change_shared_page() {
  echo "One more line for this run." >>"$shared_page"
}
remove_output_and_cache() {
  rm -rf "$dir/public" "$dir/.public.cache"
}
run true >/dev/null
pages=$(find "$dir/public" -name index.html | wc -l)
measure "a first build" remove_output_and_cache
measure "nothing changed" true
measure "one shared page changed" change_shared_page
