#!/usr/bin/env bash
# The lessons in a real browser: headless Chromium from Debian's chromium package, driven by
# Playwright (playwright-core from npm, which downloads no browser of its own), clicking
# through the running lessons and the built book. The tests are tests/browser/run.mjs.
#
#   scripts/browser-tests.sh [FILTER...] [--headed]
#
# What it does, installing what is missing (CI runs it on a fresh machine):
# - Chromium: `apt-get install chromium` when /usr/bin/chromium is missing (as root);
# - playwright-core: `npm ci` in tests/browser when node_modules is missing or stale;
# - the lesson binaries: `cargo build -p ...` (the debug build `cargo test` makes too);
# - the book: `scripts/book.sh build` when book/book/html is missing;
# then runs the tests. Each test starts its own servers on 127.0.0.1, on ports the OS picks,
# and stops them; a trap stops the test runner with its servers on any exit. Screenshots go
# to target/browser-screenshots/. FILTER runs only the tests whose names contain it
# (`scripts/browser-tests.sh lesson08`). Every step is bounded by a timeout.
#
# Environment: CHROMIUM (default /usr/bin/chromium) and SCREENSHOT_DIR override those paths.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
started=$SECONDS
chromium=${CHROMIUM:-/usr/bin/chromium}
packages=(lesson03-cgi lesson04-forms lesson06-books lesson07-calculator lesson08-tls)

fail() {
  echo "browser tests: $*" >&2
  exit 1
}

# --- Node and npm: needed to run Playwright; CI has them.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  fail "Node.js and npm are needed (Playwright is a Node library): install Node 20 or newer, e.g. apt-get install nodejs npm, then run this again"
fi
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
  fail "Node $(node --version) is too old: playwright-core needs Node 20 or newer"
fi

# --- Chromium from Debian's packages.
if [[ ! -x "$chromium" ]]; then
  if [[ "$chromium" != /usr/bin/chromium ]]; then
    fail "CHROMIUM=$chromium is not an executable"
  fi
  if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
    fail "$chromium is missing: install Debian's chromium package (sudo apt-get install chromium)"
  fi
  echo "== installing chromium from Debian's packages (a few minutes, once)"
  export DEBIAN_FRONTEND=noninteractive
  timeout 600 apt-get update -qq
  timeout 1200 apt-get install -y -qq --no-install-recommends chromium >/dev/null
  [[ -x "$chromium" ]] || fail "apt-get installed chromium, but $chromium is still missing"
fi
# (Debian's launcher script may print a warning of its own on stderr; the version is on stdout.)
echo "== $("$chromium" --version 2>/dev/null || echo "chromium at $chromium")"

# --- playwright-core, exactly as tests/browser/package-lock.json pins it.
browser_dir=tests/browser
installed_lock=$browser_dir/node_modules/.package-lock.json
if [[ ! -f "$installed_lock" || "$browser_dir/package-lock.json" -nt "$installed_lock" ||
  "$browser_dir/package.json" -nt "$installed_lock" ]] ||
  ! node -e '
    const fs = require("fs");
    const want = JSON.parse(fs.readFileSync(process.argv[1] + "/package-lock.json")).packages["node_modules/playwright-core"].version;
    const have = JSON.parse(fs.readFileSync(process.argv[1] + "/node_modules/playwright-core/package.json")).version;
    process.exit(want === have ? 0 : 1);' "$browser_dir" 2>/dev/null; then
  echo "== npm ci (tests/browser)"
  (cd "$browser_dir" &&
    PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 timeout 300 npm ci --no-audit --no-fund --loglevel=error)
fi

# --- The lesson binaries.
echo "== cargo build ${packages[*]}"
build_args=()
for package in "${packages[@]}"; do build_args+=(-p "$package"); done
timeout 1800 cargo build -q "${build_args[@]}"
target_dir=${CARGO_TARGET_DIR:-target}
[[ "$target_dir" == /* ]] || target_dir=$root/$target_dir
export LESSON_BIN_DIR=$target_dir/debug

# --- The book (CI builds it in an earlier step; scripts/book.sh build rebuilds it).
if [[ ! -f book/book/html/ch05-gateway.html ]]; then
  echo "== building the book (scripts/book.sh build)"
  timeout 2400 scripts/book.sh build
fi

# --- The tests. `timeout` runs the runner in a process group of its own: on any exit of this
# script the trap stops that group, the runner and the servers it started (the runner stops
# Chromium itself when it gets SIGTERM).
runner=
stop_runner() {
  if [[ -n "$runner" ]] && kill -0 "$runner" 2>/dev/null; then
    kill -TERM -- "-$runner" 2>/dev/null || kill -TERM "$runner" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$runner" 2>/dev/null || break
      sleep 0.1
    done
    kill -KILL -- "-$runner" 2>/dev/null || true
  fi
}
trap stop_runner EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== browser tests (tests/browser/run.mjs)"
export CHROMIUM=$chromium
status=0
timeout -k 15 600 node "$browser_dir/run.mjs" "$@" &
runner=$!
wait "$runner" || status=$?
runner=

shots=${SCREENSHOT_DIR:-$root/target/browser-screenshots}
count=$(find "$shots" -maxdepth 1 -name '*.png' 2>/dev/null | wc -l)
echo "screenshots: ${shots#"$root"/}/ ($count files)"
if ((status == 124)); then
  echo "browser tests: timed out after 600 s" >&2
fi
echo "browser tests took $((SECONDS - started)) s (exit status $status)"
exit "$status"
