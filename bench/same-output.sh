#!/usr/bin/env bash
# Shows that two builds of tellyou make the same sites and say the same things: for
# the shipped site, every council, and every fixture site (the mistakes catalogue's
# cases laid over their base site), it runs `build`, `build --all` where there are
# councils, `check` and `check --format json` with each program, and compares the
# exit codes, what they printed and every byte of what they wrote. Fixtures are
# built as on the day their tests use.
#   bash bench/same-output.sh BEFORE AFTER
# BEFORE and AFTER are tellyou binaries, for example one built from the commit
# before a change (`git worktree add /tmp/before HEAD~1 && cargo build --release`).
# Each program runs on a copy of each project of its own, as `check` keeps its
# cache beside the project's output folder; the cache is not compared, as its
# files are named by when and by which process they were written.
set -euo pipefail
cd "$(dirname "$0")/.."
before=$(realpath "$1")
after=$(realpath "$2")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

projects=("$PWD")
while IFS= read -r site; do projects+=("$(dirname "$site")"); done < <(
  find tests/fixtures -name site.yaml -not -path '*/mistakes/*' | sort)
for case in tests/fixtures/mistakes/*/; do
  name=$(basename "$case")
  [ "$name" = _base ] && continue
  mkdir -p "$work/mistakes/$name"
  cp -r tests/fixtures/mistakes/_base/. "$work/mistakes/$name/"
  cp -r "$case". "$work/mistakes/$name/"
  projects+=("$work/mistakes/$name")
done

# A copy of project "$1" for program "$2" to run on, made once: the project's
# files, without its output, its cache or the repository's build.
copy_of() {
  local project=$1 program=$2
  local copy="$work/projects/$program/$(echo "${project#"$PWD"}" | tr / _)"
  if [ ! -d "$copy" ]; then
    mkdir -p "$copy"
    tar -C "$project" --exclude=./target --exclude=./.git --exclude=./fuzz \
      --exclude=./node_modules --exclude=./public --exclude='./.public.*' -cf - . |
      tar -C "$copy" -xf -
  fi
  echo "$copy"
}

# Runs one program on one project: "$1" is the program, "$2" a name for its
# results, then the project and the subcommand's arguments.
run() {
  local program=$1 results=$2 project=$3
  shift 3
  mkdir -p "$results"
  local epoch=()
  [ "$project" != "$PWD" ] && epoch=(SOURCE_DATE_EPOCH=1768435200)
  set +e
  (cd "$(copy_of "$project" "$(basename "$(dirname "$results")")")" &&
    env "${epoch[@]}" "$program" "$@" --out "$results/out" \
      >"$results/stdout" 2>"$results/stderr")
  echo $? >"$results/status"
  set -e
  rm -rf "$results/.out.cache"
  # The output folder's name and the time taken are not part of what was said,
  # and the build record's key names the program itself.
  sed -i -E "s|$results/out|OUT|g; s/ in [0-9.]+ s/ in T s/" "$results/stdout" "$results/stderr"
  [ -d "$results/out" ] && find "$results/out" -name .tellyou-build \
    -exec sed -i -E 's/"inputs":"[0-9a-f]+"/"inputs":""/' {} +
  # Councils are built in parallel, and each is reported as it finishes.
  [ "$(basename "$results")" = all ] && sort -o "$results/stdout" "$results/stdout"
  return 0
}

# Like run, for `check`, which takes no output folder.
run_check() {
  local program=$1 results=$2 project=$3
  shift 3
  mkdir -p "$results"
  local epoch=()
  [ "$project" != "$PWD" ] && epoch=(SOURCE_DATE_EPOCH=1768435200)
  set +e
  (cd "$(copy_of "$project" "$(basename "$(dirname "$results")")")" &&
    env "${epoch[@]}" "$program" check "$@" >"$results/stdout" 2>"$results/stderr")
  echo $? >"$results/status"
  set -e
}

differences=0
compared=0
for project in "${projects[@]}"; do
  for program in before after; do
    bin=${!program}
    dir="$work/$program"
    rm -rf "$dir"
    run "$bin" "$dir/build" "$project" build
    if [ -n "$(find "$project/councils" -maxdepth 1 -name '*.yaml' 2>/dev/null)" ]; then
      run "$bin" "$dir/all" "$project" build --all
      for council in "$project"/councils/*.yaml; do
        run_check "$bin" "$dir/check-$(basename "$council" .yaml)" "$project" \
          --council "$(basename "$council" .yaml)"
      done
    fi
    run_check "$bin" "$dir/check" "$project"
    run_check "$bin" "$dir/json" "$project" --format json
  done
  compared=$((compared + 1))
  if ! diff -r "$work/before" "$work/after" >"$work/diff" 2>&1; then
    differences=$((differences + 1))
    echo "differs: ${project#"$PWD"/}"
    head -40 "$work/diff"
  fi
done
echo "$compared projects compared, $differences differ"
[ "$differences" -eq 0 ]
