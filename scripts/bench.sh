#!/usr/bin/env bash
# The benchmark suite: every lesson server next to its peers, in one run, on loopback.
#
#   scripts/bench.sh [SECONDS] [CONNECTIONS]       (defaults: 10 seconds per run, 32 connections)
#
# Runs, with wrk (-t2, keep-alive unless said), each for SECONDS:
#   static  GET /1k.txt   lesson02-http | python3 -m http.server | nginx | lighttpd
#   cgi     a 2-line sh   lesson03-cgi  | python3 -m http.server --cgi | lighttpd mod_cgi
#   gateway hello page    lesson05-gateway /hello | Python wsgiref | (nginx 1k.txt, above)
#   tls     GET /1k.txt   lesson08-tls | nginx, same ECDSA P-256 certificate; keep-alive, and a
#                         new connection (a full handshake) per request
# then memory: idle RSS, RSS with 256 keep-alive connections open, and the peak RSS of
# lesson04 receiving a 100 MiB upload and of lesson02 sending a 100 MiB file.
#
# Prints one markdown table with requests/s, p99 latency and the ratio to the peer each row is
# compared with, and writes it (with the date and machine) to bench/results/latest.md and
# bench/results/latest.csv. wrk, nginx, lighttpd and openssl are installed from Debian's
# packages when missing. Nothing listens beyond 127.0.0.1; everything stops on exit.
#
# The figures are ratios within one run on one machine: compare rows, not runs.
set -euo pipefail

seconds=${1:-10}
connections=${2:-32}
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$root/scripts/lib.sh"

ensure_commands wrk:wrk nginx:nginx-light lighttpd:lighttpd openssl:openssl curl:curl
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
lighttpd_bin=$(command -v lighttpd || echo /usr/sbin/lighttpd)
echo "building the release binaries..."
cargo build --release -q --manifest-path "$root/Cargo.toml" \
  -p lesson02-http -p lesson03-cgi -p lesson04-forms -p lesson05-gateway -p lesson08-tls
bin="$root/target/release"
bench_workdir

# ---------------------------------------------------------------- the site every server serves
site="$workdir/site"
mkdir -p "$site/cgi-bin" "$workdir/nginx" "$workdir/uploads"
head -c 1024 /dev/urandom | base64 -w0 | head -c 1024 > "$site/1k.txt"
cat > "$site/cgi-bin/hello" <<'SCRIPT'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\nHello, world!\n'
SCRIPT
chmod -R a+rX "$site" && chmod 0755 "$site/cgi-bin/hello"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$workdir/key.pem" -out "$workdir/cert.pem" 2>/dev/null
chmod 0644 "$workdir/key.pem"
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

# ---------------------------------------------------------------- the servers
start() { # port-variable command...
  local var=$1 port
  shift
  port=$(free_port)
  printf -v "$var" '%s' "$port"
  "${@//PORT/$port}" >"$workdir/$var.log" 2>&1 &
  pids+=($!)
}
start static_rust "$bin/lesson02-http" PORT -d "$site"
start static_py python3 -m http.server PORT --bind 127.0.0.1 -d "$site"
# The script cap is a policy, not a limit of the machine: wide enough for every connection.
start cgi_rust "$bin/lesson03-cgi" PORT -d "$site" --max-scripts 256
start gateway_rust "$bin/lesson05-gateway" PORT
start gateway_py python3 "$workdir/hello_wsgi.py" PORT
start tls_rust "$bin/lesson08-tls" PORT -d "$site" --cert "$workdir/cert.pem" --key "$workdir/key.pem"
cgi_py=$(free_port)
(cd "$site" && exec python3 -m http.server "$cgi_py" --bind 127.0.0.1 --cgi) >"$workdir/cgi_py.log" 2>&1 &
pids+=($!)

static_nginx=$(free_port)
tls_nginx=$(free_port)
cat > "$workdir/nginx/nginx.conf" <<CONF
worker_processes auto;
daemon off;
pid $workdir/nginx/nginx.pid;
error_log $workdir/nginx/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $workdir/nginx;
  proxy_temp_path $workdir/nginx;
  fastcgi_temp_path $workdir/nginx;
  uwsgi_temp_path $workdir/nginx;
  scgi_temp_path $workdir/nginx;
  keepalive_requests 100000;
  server { listen 127.0.0.1:$static_nginx; root $site; }
  server {
    listen 127.0.0.1:$tls_nginx ssl;
    ssl_certificate $workdir/cert.pem;
    ssl_certificate_key $workdir/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    root $site;
  }
}
CONF
"$nginx_bin" -c "$workdir/nginx/nginx.conf" >"$workdir/nginx.log" 2>&1 &
pids+=($!)

lighttpd_port=$(free_port)
cat > "$workdir/lighttpd.conf" <<CONF
server.modules        = ("mod_cgi")
server.document-root  = "$site"
server.bind           = "127.0.0.1"
server.port           = $lighttpd_port
server.errorlog       = "$workdir/lighttpd-error.log"
server.pid-file       = "$workdir/lighttpd.pid"
server.max-keep-alive-requests = 100000
\$HTTP["url"] =~ "^/cgi-bin/" { cgi.assign = ("" => "") }
CONF
"$lighttpd_bin" -D -f "$workdir/lighttpd.conf" >"$workdir/lighttpd.log" 2>&1 &
pids+=($!)

for port in "$static_rust" "$static_py" "$cgi_rust" "$cgi_py" "$gateway_rust" "$gateway_py" \
  "$tls_rust" "$static_nginx" "$tls_nginx" "$lighttpd_port"; do
  wait_port "$port"
done

# Every server must really answer what it is measured on.
expect() { # url text [curl options...]
  local url=$1 text=$2 body
  shift 2
  body=$(curl -sf --max-time 10 "$@" "$url") || true
  if [[ "$body" != *"$text"* ]]; then
    echo "bench: $url did not answer with '$text'" >&2
    exit 1
  fi
}
one_k=$(head -c 20 "$site/1k.txt")
for port in "$static_rust" "$static_py" "$static_nginx" "$lighttpd_port"; do
  expect "http://127.0.0.1:$port/1k.txt" "$one_k"
done
for port in "$cgi_rust" "$cgi_py" "$lighttpd_port"; do
  expect "http://127.0.0.1:$port/cgi-bin/hello" "Hello, world!"
done
expect "http://127.0.0.1:$gateway_rust/hello" "Hello, world!"
expect "http://127.0.0.1:$gateway_py/" "Hello, world!"
for port in "$tls_rust" "$tls_nginx"; do
  expect "https://localhost:$port/1k.txt" "$one_k" --cacert "$workdir/cert.pem"
done

# ---------------------------------------------------------------- the runs
results="$root/bench/results"
mkdir -p "$results"
csv="$workdir/table.csv"
echo "group,server,requests_per_s,p99,compared_with,ratio" > "$csv"
rows=()

# run GROUP KEY "name" URL [wrk args...]: one wrk run, kept for the table.
run() {
  local group=$1 key=$2 name=$3 url=$4 out rps p99
  shift 4
  out=$(timeout $((seconds + 30)) wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@" "$url" 2>&1) || true
  rps=$(awk '/Requests\/sec/ {printf "%d", $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  if grep -qE "Non-2xx|Socket errors" <<<"$out"; then
    p99="$p99 ($(grep -E "Non-2xx|Socket errors" <<<"$out" | tr -s ' ' | paste -sd';' -))"
  fi
  echo "${rps:-0}" > "$workdir/$key.rps"
  echo "${p99:-?}" > "$workdir/$key.p99"
  printf '  %-8s %-40s %10s req/s  p99 %s\n' "$group" "$name" "${rps:-0}" "${p99:-?}"
  eval "name_$key=\$name; group_$key=\$group"
}

echo "measuring: wrk -t2 -c$connections -d${seconds}s per row (keep-alive unless said)"
run static static_rust "lesson02-http" "http://127.0.0.1:$static_rust/1k.txt"
run static static_py "python3 -m http.server" "http://127.0.0.1:$static_py/1k.txt"
run static static_nginx "nginx" "http://127.0.0.1:$static_nginx/1k.txt"
run static static_lighttpd "lighttpd" "http://127.0.0.1:$lighttpd_port/1k.txt"
run cgi cgi_rust "lesson03-cgi" "http://127.0.0.1:$cgi_rust/cgi-bin/hello"
run cgi cgi_py "python3 -m http.server --cgi" "http://127.0.0.1:$cgi_py/cgi-bin/hello"
run cgi cgi_lighttpd "lighttpd mod_cgi" "http://127.0.0.1:$lighttpd_port/cgi-bin/hello"
run gateway gateway_rust "lesson05-gateway /hello" "http://127.0.0.1:$gateway_rust/hello"
run gateway gateway_py "Python wsgiref hello" "http://127.0.0.1:$gateway_py/"
run tls tls_rust "lesson08-tls keep-alive" "https://localhost:$tls_rust/1k.txt"
run tls tls_nginx "nginx TLS keep-alive" "https://localhost:$tls_nginx/1k.txt"
run tls tls_rust_new "lesson08-tls new connection each" "https://localhost:$tls_rust/1k.txt" -H "Connection: close"
run tls tls_nginx_new "nginx TLS new connection each" "https://localhost:$tls_nginx/1k.txt" -H "Connection: close"

# ---------------------------------------------------------------- memory
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
hwm_kib() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
pid_on_port() { # the pid of the server started for a port variable
  local i
  for i in "${!pids[@]}"; do
    if grep -q -- "$1" "/proc/${pids[$i]}/cmdline" 2>/dev/null; then echo "${pids[$i]}"; return; fi
  done
}
memory_pid=$(pid_on_port "$static_rust")
idle_rss=$(rss_kib "$memory_pid")
held_rss=$(python3 - "$static_rust" "$memory_pid" <<'PY'
import socket, sys, time
port, pid = int(sys.argv[1]), sys.argv[2]
conns = []
for _ in range(256):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"GET /1k.txt HTTP/1.1\r\nHost: x\r\n\r\n")
    conns.append(s)
for s in conns:
    got = b""
    while b"\r\n\r\n" not in got:
        got += s.recv(65536)
time.sleep(0.5)
with open(f"/proc/{pid}/status") as f:
    print(next(line.split()[1] for line in f if line.startswith("VmRSS")))
for s in conns:
    s.close()
PY
)
head -c $((100 * 1024 * 1024)) /dev/urandom > "$site/100m.bin"
chmod a+r "$site/100m.bin"
before_download=$(hwm_kib "$memory_pid")
curl -sf --max-time 60 "http://127.0.0.1:$static_rust/100m.bin" -o /dev/null
after_download=$(hwm_kib "$memory_pid")
upload_port=$(free_port)
"$bin/lesson04-forms" "$upload_port" --upload-dir "$workdir/uploads" >"$workdir/upload.log" 2>&1 &
pids+=($!)
upload_pid=$!
wait_port "$upload_port"
before_upload=$(hwm_kib "$upload_pid")
upload_time=$(curl -sf --max-time 60 -o /dev/null -w '%{time_total}' \
  -F "f=@$site/100m.bin" "http://127.0.0.1:$upload_port/up")
after_upload=$(hwm_kib "$upload_pid")
rm -f "$site/100m.bin"

# ---------------------------------------------------------------- the table
ratio_of() { awk -v a="$(cat "$workdir/$1.rps")" -v b="$(cat "$workdir/$2.rps")" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
{
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores ($(uname -sr)), loopback,"
  echo "wrk -t2 -c$connections -d${seconds}s per row, keep-alive unless said. Ratios are within this run."
  echo
  echo "| group | server | requests/s | p99 | ratio | target |"
  echo "|---|---|---:|---|---|---|"
  row() { # key compared-key target
    local key=$1 other=$2 target=$3 name group ratio=""
    eval "name=\$name_$key; group=\$group_$key"
    if [ -n "$other" ]; then
      local other_name
      eval "other_name=\$name_$other"
      ratio="$(ratio_of "$key" "$other")x $other_name"
      echo "$group,$name,$(cat "$workdir/$key.rps"),$(cat "$workdir/$key.p99"),$other_name,$(ratio_of "$key" "$other")" >> "$csv"
    else
      echo "$group,$name,$(cat "$workdir/$key.rps"),$(cat "$workdir/$key.p99"),," >> "$csv"
    fi
    echo "| $group | $name | $(cat "$workdir/$key.rps") | $(cat "$workdir/$key.p99") | $ratio | $target |"
  }
  row static_rust static_py "≥ 20x"
  row static_rust static_nginx "≥ 1.0x"
  row static_rust static_lighttpd "(reported)"
  row static_py "" ""
  row static_nginx "" ""
  row static_lighttpd "" ""
  row cgi_rust cgi_lighttpd "≥ 1.0x"
  row cgi_rust cgi_py ""
  row cgi_py "" ""
  row cgi_lighttpd "" ""
  row gateway_rust static_nginx "≥ 1.0x"
  row gateway_rust cgi_rust "≥ 50x"
  row gateway_rust gateway_py ""
  row gateway_py "" ""
  row tls_rust tls_nginx "≥ 0.8x"
  row tls_nginx "" ""
  row tls_rust_new tls_nginx_new "≥ 1.0x"
  row tls_nginx_new "" ""
  echo
  echo "| memory (lesson02-http unless said) | KiB |"
  echo "|---|---:|"
  echo "| idle RSS | $idle_rss |"
  echo "| RSS with 256 keep-alive connections open | $held_rss |"
  echo "| peak RSS before / after sending a 100 MiB file | $before_download / $after_download |"
  echo "| lesson04-forms peak RSS before / after receiving a 100 MiB upload ($upload_time s) | $before_upload / $after_upload |"
} > "$workdir/table.md"
cp "$workdir/table.md" "$results/latest.md"
cp "$csv" "$results/latest.csv"
echo
cat "$results/latest.md"
echo
echo "written: bench/results/latest.md and bench/results/latest.csv"
