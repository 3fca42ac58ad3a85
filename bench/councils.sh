#!/usr/bin/env bash
# Times `tellyou build --all` for many councils with the full shipped content: a copy
# of this project with N council files made from the two examples (default 153, the
# councils with children's services in England). Prints the median wall time of 5
# runs after one warm-up run, with the user and system CPU time and the peak memory
# (maximum resident set size) of that median run, from GNU time (Debian's `time`).
#   bash bench/councils.sh [COUNCILS]
set -euo pipefail
cd "$(dirname "$0")/.."
councils="${1:-153}"
cargo build --release --quiet --bin tellyou
bin="$PWD/target/release/tellyou"
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
run() {
  (cd "$dir" && /usr/bin/time -f '%e %U %S %M' -o "$dir/time.txt" "$bin" build --all --out "$dir/public" >/dev/null 2>&1)
  cat "$dir/time.txt"
}
run >/dev/null
results=()
for _ in 1 2 3 4 5; do
  results+=("$(run)")
done
median=$(printf '%s\n' "${results[@]}" | sort -n | sed -n 3p)
read -r wall user system max_kb <<<"$median"
pages=$(find "$dir/public" -name index.html | wc -l)
printf '%d councils (%d pages): median %.2f s wall, %.2f s user, %.2f s system, peak memory %d MB\n' \
  "$councils" "$pages" "$wall" "$user" "$system" "$((max_kb / 1024))"
