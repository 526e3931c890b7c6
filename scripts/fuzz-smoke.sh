#!/usr/bin/env bash
# Fuzz smoke test: runs every cargo-fuzz target in fuzz/ for a few seconds each, to show that
# the request parser, the connection loop, the form reader and the CGI response parser survive
# libFuzzer's inputs. CI calls it.
#
#   scripts/fuzz-smoke.sh [SECONDS]        (default 20 seconds per target)
#
# - Installs cargo-fuzz when it is missing (a pinned version, with --locked).
# - libFuzzer needs unstable compiler flags: a nightly toolchain is used when rustup has one,
#   otherwise the stable compiler with RUSTC_BOOTSTRAP=1.
# - Exits 1 when a target crashes (panic, sanitizer error, timeout, out of memory); the input
#   is kept under fuzz/artifacts/TARGET/ and its panic message is printed. fuzz/README.md
#   says how to turn it into a regression test.
# - Exits 1 when the targets do not build although the machine can fuzz.
# - When fuzzing is impossible on this machine (cargo-fuzz cannot be installed, the compiler
#   refuses unstable flags, no C++ compiler for libFuzzer), prints why and exits 0 on a
#   learner's machine; in CI (CI=true) or with FUZZ_SMOKE_REQUIRED=1 it exits 2 instead, so
#   a CI run never reports as fuzzed what it could not fuzz.
set -euo pipefail

seconds=${1:-20}
cargo_fuzz_version=0.13.2
targets=(parse_head connection form cgi_output)
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

impossible() {
  echo "fuzz-smoke: SKIPPED, fuzzing is impossible on this machine: $*" >&2
  if [[ "${FUZZ_SMOKE_REQUIRED:-0}" == 1 || "${CI:-}" == true ]]; then
    exit 2
  fi
  exit 0
}

if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/fuzz-smoke.sh [SECONDS]   (SECONDS: a whole number, at least 1)" >&2
  exit 64
fi

# 1. cargo-fuzz, pinned.
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz-smoke: installing cargo-fuzz $cargo_fuzz_version..."
  cargo install cargo-fuzz --version "$cargo_fuzz_version" --locked --quiet ||
    impossible "cargo install cargo-fuzz --version $cargo_fuzz_version --locked failed"
fi

# 2. A compiler that accepts -Z flags: nightly if installed, else stable with RUSTC_BOOTSTRAP.
toolchain=()
if command -v rustup >/dev/null 2>&1 && rustup toolchain list 2>/dev/null | grep '^nightly' >/dev/null; then
  toolchain=(+nightly)
else
  export RUSTC_BOOTSTRAP=1
fi
if ! rustc "${toolchain[@]}" -Z unstable-options --print sysroot >/dev/null 2>&1; then
  impossible "rustc ${toolchain[*]} does not accept -Z flags, even with RUSTC_BOOTSTRAP=1"
fi
if ! command -v c++ >/dev/null 2>&1 && ! command -v g++ >/dev/null 2>&1 &&
  ! command -v clang++ >/dev/null 2>&1; then
  impossible "no C++ compiler to build libFuzzer (apt-get install g++)"
fi
echo "fuzz-smoke: $(rustc "${toolchain[@]}" --version)${RUSTC_BOOTSTRAP:+ with RUSTC_BOOTSTRAP=1}," \
  "$seconds s per target"

# 3. Build every target; a failure here is the code's fault, not the machine's.
if ! cargo "${toolchain[@]}" fuzz build; then
  echo "fuzz-smoke: FAILED, the fuzz targets do not build" >&2
  exit 1
fi

# 4. Run each target; any non-zero exit from libFuzzer is a crash.
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
failed=()
for target in "${targets[@]}"; do
  mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
  before=$(ls "fuzz/artifacts/$target")
  # The CGI parser reads a script's words (fuzz/cgi.dict); the other targets read HTTP's.
  dict=fuzz/http.dict
  case "$target" in
  cgi_output) dict=fuzz/cgi.dict ;;
  esac
  echo "== fuzz $target ($seconds s)"
  # -close_fd_mask=2 silences the target's stderr (the connection's access log, one line per
  # request); libFuzzer's own report still appears. -timeout=10 makes a hang a crash.
  set +e
  cargo "${toolchain[@]}" fuzz run "$target" "fuzz/corpus/$target" "fuzz/seeds/$target" -- \
    -dict="$dict" -max_total_time="$seconds" -timeout=10 -close_fd_mask=2 \
    -print_final_stats=1 >"$logs/$target.log" 2>&1
  status=$?
  set -e
  grep -E '^(Done [0-9]+ runs|stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb))' \
    "$logs/$target.log" || true
  if [[ $status -ne 0 ]]; then
    failed+=("$target")
    grep -a -E '^SUMMARY: ' "$logs/$target.log" >&2 || tail -n 20 "$logs/$target.log" >&2
    crash=$(comm -13 <(echo "$before") <(ls "fuzz/artifacts/$target") | head -n 1)
    if [[ -n "$crash" ]]; then
      # Replayed without -close_fd_mask, so that the panic message shows.
      echo "fuzz-smoke: $target CRASHED on fuzz/artifacts/$target/$crash; replaying it:" >&2
      cargo "${toolchain[@]}" fuzz run "$target" "fuzz/artifacts/$target/$crash" -- -timeout=10 \
        >"$logs/$target.replay" 2>&1 || true
      grep -a -m1 -A2 'panicked at' "$logs/$target.replay" >&2 ||
        grep -a -m1 -A15 'ERROR: ' "$logs/$target.replay" >&2 ||
        tail -n 40 "$logs/$target.replay" >&2
      echo "fuzz-smoke: reproduce with: cargo ${toolchain[*]} fuzz run $target" \
        "fuzz/artifacts/$target/$crash" >&2
    fi
  fi
done

if ((${#failed[@]} > 0)); then
  echo "fuzz-smoke: FAILED, crash in: ${failed[*]} (see fuzz/README.md, 'When a target crashes')" >&2
  exit 1
fi
echo "fuzz-smoke: ok, no crash in ${targets[*]} after $seconds s each"
