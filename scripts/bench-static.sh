#!/usr/bin/env bash
# Measures lesson02-http against `python3 -m http.server` serving the same 1 KiB file,
# in the same run, on loopback, with wrk (installed from Debian's packages when missing).
#
#   scripts/bench-static.sh [SECONDS] [CONNECTIONS]
#
# Both servers log to /dev/null. Each wrk run is bounded by SECONDS (default 10).
# Python's http.server speaks HTTP/1.0 by default and closes every connection, so for it
# wrk measures a new connection per request; that is part of what the comparison shows.
set -euo pipefail

seconds=${1:-10}
connections=${2:-32}
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$root/scripts/lib.sh"

ensure_wrk

cargo build --release -q -p lesson02-http --manifest-path "$root/Cargo.toml"

workdir=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$workdir"
}
trap cleanup EXIT
head -c 1024 /dev/urandom | base64 -w0 | head -c 1024 > "$workdir/1k.txt"



rust_port=$(free_port)
"$root/target/release/lesson02-http" "$rust_port" -d "$workdir" >/dev/null 2>&1 &
pids+=($!)
py_port=$(free_port)
python3 -m http.server "$py_port" --bind 127.0.0.1 -d "$workdir" >/dev/null 2>&1 &
pids+=($!)
wait_port "$rust_port"
wait_port "$py_port"

run() { # name port
  local out rps p99
  out=$(wrk -t2 -c"$connections" -d"${seconds}s" --latency "http://127.0.0.1:$2/1k.txt")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(grep -E "Socket errors|Non-2xx" <<<"$out" | tr -s ' ' | paste -sd';' - || true)
  printf '| %-22s | %12s | %10s | %s\n' "$1" "$rps" "$p99" "${errors:-}"
  echo "$rps" > "$workdir/$1.rps"
}

echo "date: $(date -u +%Y-%m-%dT%H:%MZ)  machine: $(nproc) cores, $(uname -sr)"
echo "wrk -t2 -c$connections -d${seconds}s, GET /1k.txt (1024 bytes)"
printf '| %-22s | %12s | %10s | %s\n' server requests/s p99 notes
run lesson02-http "$rust_port"
run python-http.server "$py_port"
awk -v a="$(cat "$workdir/lesson02-http.rps")" -v b="$(cat "$workdir/python-http.server.rps")" \
  'BEGIN { if (b > 0) printf "ratio lesson02-http / python http.server: %.1fx\n", a / b }'
