#!/usr/bin/env bash
# Measures CGI requests per second: lesson03-cgi (release build) next to
# `python3 -m http.server --cgi` and lighttpd's mod_cgi, all running the same minimal
# POSIX sh script from a temporary cgi-bin/, in the same run, on loopback, with wrk
# (wrk and lighttpd are installed from Debian's packages when missing).
#
#   scripts/bench-cgi.sh [SECONDS] [CONNECTIONS]
#
# Every request starts a process (fork, exec, /bin/sh): that cost dominates, so the figures
# say how much each server adds around it. Each wrk run is bounded by SECONDS (default 10),
# with 2 threads and CONNECTIONS connections (default 8). All servers log to files in the
# temporary directory, which is removed at the end.
#
# Python's http.server speaks HTTP/1.0 and closes every connection, so for it wrk measures
# a new connection per request; lesson03-cgi and lighttpd keep connections alive and send
# the script's output chunked (HTTP/1.1).
set -euo pipefail

seconds=${1:-10}
connections=${2:-8}
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$root/scripts/lib.sh"

need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v lighttpd >/dev/null 2>&1 || [ -x /usr/sbin/lighttpd ] || need+=(lighttpd)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing ${need[*]} from Debian's packages..."
  (apt-get update -qq && apt-get install -y -qq "${need[@]}") >/dev/null
fi
lighttpd_bin=$(command -v lighttpd || echo /usr/sbin/lighttpd)

cargo build --release -q -p lesson03-cgi --manifest-path "$root/Cargo.toml"

workdir=$(mktemp -d)
# A server running as root runs its scripts as `nobody` (lesson03-cgi and Python both do),
# who must be able to reach them.
chmod 0755 "$workdir"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$workdir"
}
trap cleanup EXIT

# The one script every server runs: the smallest valid CGI response (RFC 3875 §6).
mkdir -p "$workdir/site/cgi-bin"
cat > "$workdir/site/cgi-bin/hello" <<'SCRIPT'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\nHello, world!\n'
SCRIPT
chmod 0755 "$workdir/site/cgi-bin/hello"



# Checks that a server really runs the script before it is measured.
check() { # name port
  local body
  body=$(python3 - "$2" <<'PY'
import sys, urllib.request
with urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/cgi-bin/hello", timeout=10) as r:
    print(r.read().decode(), end="")
PY
  ) || true
  if [ "$body" != "Hello, world!" ]; then
    echo "$1 did not answer /cgi-bin/hello with the script's output (got: $body)" >&2
    exit 1
  fi
}

rust_port=$(free_port)
"$root/target/release/lesson03-cgi" "$rust_port" -d "$workdir/site" \
  >"$workdir/lesson03-cgi.log" 2>&1 &
pids+=($!)

py_port=$(free_port)
(cd "$workdir/site" && exec python3 -m http.server "$py_port" --bind 127.0.0.1 --cgi) \
  >"$workdir/python.log" 2>&1 &
pids+=($!)

lt_port=$(free_port)
cat > "$workdir/lighttpd.conf" <<CONF
server.modules        = ("mod_cgi")
server.document-root  = "$workdir/site"
server.bind           = "127.0.0.1"
server.port           = $lt_port
server.errorlog       = "$workdir/lighttpd-error.log"
server.pid-file       = "$workdir/lighttpd.pid"
\$HTTP["url"] =~ "^/cgi-bin/" {
  cgi.assign = ("" => "")
}
CONF
"$lighttpd_bin" -D -f "$workdir/lighttpd.conf" >"$workdir/lighttpd.log" 2>&1 &
pids+=($!)

wait_port "$rust_port"
wait_port "$py_port"
wait_port "$lt_port"
check lesson03-cgi "$rust_port"
check python-http.server "$py_port"
check lighttpd-mod_cgi "$lt_port"

run() { # name port
  local out rps p99 errors
  out=$(timeout $((seconds + 30)) wrk -t2 -c"$connections" -d"${seconds}s" --latency \
    "http://127.0.0.1:$2/cgi-bin/hello")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  errors=$(grep -E "Socket errors|Non-2xx" <<<"$out" | tr -s ' ' | paste -sd';' - || true)
  printf '| %-22s | %12s | %10s | %s\n' "$1" "$rps" "$p99" "${errors:-}"
  echo "$rps" > "$workdir/$1.rps"
}

echo "date: $(date -u +%Y-%m-%dT%H:%MZ)  machine: $(nproc) cores, $(uname -sr)"
echo "wrk -t2 -c$connections -d${seconds}s, GET /cgi-bin/hello (a 2-line /bin/sh script)"
printf '| %-22s | %12s | %10s | %s\n' server requests/s p99 notes
printf '| %-22s | %12s | %10s | %s\n' ---------------------- ------------ ---------- -----
run lesson03-cgi "$rust_port"
run python-http.server "$py_port"
run lighttpd-mod_cgi "$lt_port"
rust=$(cat "$workdir/lesson03-cgi.rps")
for other in python-http.server lighttpd-mod_cgi; do
  awk -v a="$rust" -v b="$(cat "$workdir/$other.rps")" -v name="$other" \
    'BEGIN { if (b > 0) printf "ratio lesson03-cgi / %s: %.2fx\n", name, a / b }'
done
