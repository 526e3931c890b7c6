#!/usr/bin/env bash
# Measures what running an application inside the server buys: a gateway hello (lesson05's
# /hello, in-process, through its router and three middleware) next to a CGI hello on the
# same HTTP core (lesson03-cgi running a 2-line /bin/sh script: a process per request), and
# next to Python's wsgiref serving a hello application — in one run, on loopback, with wrk
# (installed from Debian's packages when missing).
#
#   scripts/bench-gateway.sh [SECONDS] [CONNECTIONS]
#
# Each wrk run is bounded by SECONDS (default 10), with 2 threads and CONNECTIONS
# connections (default 8). Servers log to files in a temporary directory, removed at the end.
# wsgiref speaks HTTP/1.0 and closes every connection, so for it wrk measures a new
# connection per request; the two Rust servers keep connections alive.
set -euo pipefail

seconds=${1:-10}
connections=${2:-8}
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$root/scripts/lib.sh"

ensure_commands wrk:wrk
cargo build --release -q -p lesson03-cgi -p lesson05-gateway --manifest-path "$root/Cargo.toml"
bench_workdir

mkdir -p "$workdir/site/cgi-bin"
cat > "$workdir/site/cgi-bin/hello" <<'SCRIPT'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\nHello, world!\n'
SCRIPT
chmod 0755 "$workdir/site/cgi-bin/hello"

cat > "$workdir/hello_wsgi.py" <<'PY'
import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server

class Quiet(WSGIRequestHandler):
    def log_message(self, *args):
        pass

def application(environ, start_response):
    body = b"<h1>Hello, world!</h1>\n"
    start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"),
                              ("Content-Length", str(len(body)))])
    return [body]

make_server("127.0.0.1", int(sys.argv[1]), application, handler_class=Quiet).serve_forever()
PY

gateway_port=$(free_port)
"$root/target/release/lesson05-gateway" "$gateway_port" >"$workdir/gateway.log" 2>&1 &
pids+=($!)
cgi_port=$(free_port)
"$root/target/release/lesson03-cgi" "$cgi_port" -d "$workdir/site" >"$workdir/cgi.log" 2>&1 &
pids+=($!)
wsgiref_port=$(free_port)
python3 "$workdir/hello_wsgi.py" "$wsgiref_port" >"$workdir/wsgiref.log" 2>&1 &
pids+=($!)
wait_port "$gateway_port"
wait_port "$cgi_port"
wait_port "$wsgiref_port"

check() { # name url text
  local body
  body=$(python3 -c 'import sys, urllib.request; print(urllib.request.urlopen(sys.argv[1], timeout=10).read().decode(), end="")' "$2") || true
  if [[ "$body" != *"$3"* ]]; then
    echo "$1 did not answer $2 with '$3' (got: $body)" >&2
    exit 1
  fi
}
check lesson05-gateway "http://127.0.0.1:$gateway_port/hello" "Hello, world!"
check lesson03-cgi "http://127.0.0.1:$cgi_port/cgi-bin/hello" "Hello, world!"
check wsgiref "http://127.0.0.1:$wsgiref_port/" "Hello, world!"

bench_heading "wrk -t2 -c$connections -d${seconds}s"
wrk_row "lesson05-gateway /hello" gateway "$seconds" "$connections" "http://127.0.0.1:$gateway_port/hello"
wrk_row "lesson03-cgi sh hello" cgi "$seconds" "$connections" "http://127.0.0.1:$cgi_port/cgi-bin/hello"
wrk_row "python wsgiref hello" wsgiref "$seconds" "$connections" "http://127.0.0.1:$wsgiref_port/"
ratio gateway cgi
ratio gateway wsgiref
