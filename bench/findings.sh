#!/usr/bin/env bash
# Times `tellyou check` and `tellyou build` of a project with many findings: 50 pages
# of 260 sentences, each too long, so 13,100 warnings. Each command runs once to warm
# up, then RUNS times (default 5); it prints the median wall time, and how many
# warnings were printed in full. The output goes to a file, as in CI.
#   bash bench/findings.sh
#   TELLYOU_BIN=/tmp/old/tellyou bash bench/findings.sh (another build of tellyou)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${RUNS:-5}"
cargo build --release --quiet --bin tellyou
bin="${TELLYOU_BIN:-$PWD/target/release/tellyou}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/project/content"
printf 'title: Many findings\nbase_url: https://www.example.gov.uk/\ncheck:\n  missing_review: off\n' \
  > "$work/project/site.yaml"
for page in $(seq 0 49); do
  file="$work/project/content/page-$page.md"
  [ "$page" = 0 ] && file="$work/project/content/_index.md"
  {
    printf -- '---\ntitle: Page %d\ndescription: A page with many long sentences.\n---\n\n## Sleep\n\n' "$page"
    for n in $(seq 0 259); do
      printf 'This sentence about the baby and the family and the night is far too long for anyone to read with ease at three in the morning, number %d.\n\n' "$n"
    done
  } > "$file"
done
cd "$work/project"
median() {
  local times=()
  "$@" > "$work/out.txt" 2>&1 || true
  for _ in $(seq 1 "$runs"); do
    rm -rf public
    /usr/bin/time -f '%e' -o "$work/time.txt" "$@" > "$work/out.txt" 2>&1 || true
    times+=("$(cat "$work/time.txt")")
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p"
}
for command in check build; do
  seconds="$(median "$bin" "$command")"
  printed="$(grep -c ': warning: ' "$work/out.txt" || true)"
  printf 'tellyou %-5s  %5s s  %6d warnings printed in full\n' "$command" "$seconds" "$printed"
done
