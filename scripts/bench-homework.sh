#!/usr/bin/env bash
# The learner's loop, timed: the homework checker's commands exactly as the README writes them.
#
#   scripts/bench-homework.sh [--fresh] [RUNS]
#
# Times, through `cargo run -p homework -- ...` and on lesson01 (RUNS times each, default 5,
# reporting the median and the slowest):
#   check, nothing edited        the command a learner repeats most; target ≤ 1 s
#   check after editing a file   one exercise file changed (a comment appended): cargo
#                                recompiles that exercise's test target only; target ≤ 5 s
#   hint, list                   no cargo build at all; target ≤ 1 s
# With --fresh it first clones this checkout's HEAD into a temporary directory with a target
# directory of its own, and times the very first check there (every crate compiled): the figure
# the README gives for a first build. The temporary clone is removed at the end.
#
# Nothing is installed; the timings are printed, not asserted (a timed test would fail on a
# busy machine for no fault of the code). The regression test that a second check compiles
# nothing is tests/tests/homework_loop.rs.
set -euo pipefail
cd "$(dirname "$0")/.."

fresh=false
if [ "${1:-}" = "--fresh" ]; then
  fresh=true
  shift
fi
runs="${1:-5}"
checkout="$PWD"

# Seconds since the epoch, with nanoseconds.
now() { date +%s.%N; }

# Runs "$@" quietly and prints how many seconds it took.
seconds_of() {
  local start end
  start=$(now)
  "$@" >/dev/null 2>&1 || true # a check of untouched stubs exits 1: that is its answer
  end=$(now)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f\n", b - a }'
}

# Prints "median  slowest" of the numbers on standard input.
summary() {
  sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.2f s | %.2f s", m, v[NR] }'
}

# Times one command RUNS times; "before" (a shell function name or `true`) runs before each.
measure() {
  local label="$1" before="$2"
  shift 2
  local times=()
  for _ in $(seq 1 "$runs"); do
    "$before"
    times+=("$(seconds_of "$@")")
  done
  printf '| %-36s | %s |\n' "$label" "$(printf "%s\n" "${times[@]}" | summary)"
}

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
export HOMEWORK_PROGRESS_FILE="$workdir/progress.json"

if $fresh; then
  git clone --quiet "$checkout" "$workdir/clone"
  cd "$workdir/clone"
  export CARGO_TARGET_DIR="$workdir/clone/target"
  first=$(seconds_of cargo run -q -p homework -- check lesson01)
fi

exercise=lessons/lesson01-echo/exercises/head_end.rs
cp "$exercise" "$workdir/head_end.rs"
restore() { cp "$workdir/head_end.rs" "$exercise"; }
trap 'restore; rm -rf "$workdir"' EXIT
edit() { printf '// edited at %s\n' "$(now)" >>"$exercise"; }

# Warm up: whatever the checkout has not built yet is built once, outside the timings.
cargo run -q -p homework -- check lesson01 >/dev/null 2>&1 || true

echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores ($(uname -sr)), $runs runs each."
if $fresh; then
  echo "First check on a fresh clone (every crate compiled): ${first} s"
fi
echo
echo "| through \`cargo run -p homework --\`      | median  | slowest |"
echo "|---|---:|---:|"
measure "check lesson01, nothing edited" true cargo run -q -p homework -- check lesson01
measure "check lesson01, one exercise edited" edit cargo run -q -p homework -- check lesson01
restore
measure "hint head_end" true cargo run -q -p homework -- hint head_end
measure "list" true cargo run -q -p homework -- list
