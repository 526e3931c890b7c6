#!/usr/bin/env bash
# The benchmark suite: every lesson server next to its peers, in one run, on loopback.
#
#   scripts/bench.sh [--only GROUP[,GROUP...]] [SECONDS] [CONNECTIONS]
#
# SECONDS per wrk run (default 10), CONNECTIONS kept open by wrk (default 32). GROUP is one of
# static, cgi, gateway, tls, memory; without --only, all five run. Each wrk run uses -t2 and
# keep-alive unless said:
#   static  GET /1k.txt   lesson02-http | python3 -m http.server | nginx | lighttpd
#   cgi     a 2-line sh   lesson03-cgi  | python3 -m http.server --cgi | lighttpd mod_cgi
#   gateway hello page    lesson05-gateway /hello | Python wsgiref hello, and the gateway's
#                         ratio to nginx's static 1k.txt and to lesson03-cgi's hello
#   tls     GET /1k.txt   lesson08-tls | nginx, same ECDSA P-256 certificate, TLS 1.3; each
#                         twice: keep-alive, and `Connection: close` on every request, so each
#                         request is a new TCP connection and a full handshake (wrk does not
#                         resume sessions): requests/s = handshakes/s
#   memory  a lesson02-http of its own: idle RSS, RSS with 256 keep-alive connections open, peak
#           RSS while sending a 100 MiB file; lesson04-forms' peak RSS receiving a 100 MiB upload
# The gateway's two ratios need the nginx static row and the lesson03-cgi row: when the static
# or cgi group is not selected, `--only gateway` still runs those two rows (and only those),
# so every ratio in the table is measured in the same run. Only the servers the selected
# groups need are built and started.
#
# The lesson servers, Python's http.server, nginx and lighttpd (with mod_accesslog) each log
# every request to a file, so all do the same work; only the wsgiref hello logs nothing.
#
# Python's http.server and wsgiref speak HTTP/1.0 and close every connection, so for them wrk
# measures a new connection per request; that is part of what the comparison shows.
# lesson03-cgi runs with --max-scripts 256 (the cap is a policy, not a limit of the machine).
#
# Prints one markdown table (requests/s, p99 latency, wrk's socket errors and non-2xx answers,
# the ratio to the peer each row is compared with, and the target), and writes it with the date
# and machine to bench/results/latest.md and latest.csv; scripts/plot_ratios.py draws the
# ratios and their targets in bench/results/latest.svg. wrk, nginx, lighttpd and openssl are
# installed from Debian's packages when missing. Nothing listens beyond 127.0.0.1; every
# server started here is stopped on exit.
#
# The figures are ratios within one run on one machine: compare rows, not runs.
set -euo pipefail

usage() { # [exit code]: to stderr unless it is 0 (--help)
  {
    echo "usage: scripts/bench.sh [--only GROUP[,GROUP...]] [SECONDS] [CONNECTIONS]"
    echo "       GROUP: static, cgi, gateway, tls, memory (default: all)"
  } >&"$((${1:-2} == 0 ? 1 : 2))"
  exit "${1:-2}"
}

all_groups=static,cgi,gateway,tls,memory
groups=$all_groups
while [ $# -gt 0 ]; do
  case $1 in
    --only)
      [ $# -ge 2 ] || usage
      groups=$2
      shift 2
      ;;
    --only=*)
      groups=${1#--only=}
      shift
      ;;
    -h | --help) usage 0 ;;
    -*) usage ;;
    *) break ;;
  esac
done
[ $# -le 2 ] || usage
seconds=${1:-10}
connections=${2:-32}
[[ "$seconds" =~ ^[1-9][0-9]*$ && "$connections" =~ ^[1-9][0-9]*$ ]] || usage
IFS=, read -ra wanted <<<"$groups"
[ ${#wanted[@]} -gt 0 ] || usage
for group in "${wanted[@]}"; do
  [[ ",$all_groups," == *",$group,"* ]] || { echo "bench: no group '$group'" >&2; usage; }
done
want() { [[ ",$groups," == *",$1,"* ]]; }
any_wrk() { want static || want cgi || want gateway || want tls; }

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$root/scripts/lib.sh"

# ---------------------------------------------------------------- what the groups need
need_static_rust=; need_static_py=; need_static_nginx=; need_lighttpd=
need_cgi_rust=; need_cgi_py=; need_gateway=; need_tls=; need_memory=
if want static; then need_static_rust=1 need_static_py=1 need_static_nginx=1 need_lighttpd=1; fi
if want cgi; then need_cgi_rust=1 need_cgi_py=1 need_lighttpd=1; fi
if want gateway; then need_gateway=1 need_static_nginx=1 need_cgi_rust=1; fi
if want tls; then need_tls=1; fi
if want memory; then need_memory=1; fi

commands=(curl:curl)
packages=()
if any_wrk; then commands+=(wrk:wrk); fi
if [ -n "$need_static_nginx$need_tls" ]; then commands+=(nginx:nginx-light); fi
if [ -n "$need_lighttpd" ]; then commands+=(lighttpd:lighttpd); fi
if [ -n "$need_tls" ]; then commands+=(openssl:openssl); fi
ensure_commands "${commands[@]}"
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
lighttpd_bin=$(command -v lighttpd || echo /usr/sbin/lighttpd)

if [ -n "$need_static_rust$need_memory" ]; then packages+=(lesson02-http); fi
if [ -n "$need_cgi_rust" ]; then packages+=(lesson03-cgi); fi
if [ -n "$need_memory" ]; then packages+=(lesson04-forms); fi
if [ -n "$need_gateway" ]; then packages+=(lesson05-gateway); fi
if [ -n "$need_tls" ]; then packages+=(lesson08-tls); fi
echo "building the release binaries of ${packages[*]}..."
cargo build --release -q --manifest-path "$root/Cargo.toml" "${packages[@]/#/--package=}"
bin="$root/target/release"
bench_workdir

# ---------------------------------------------------------------- the site every server serves
site="$workdir/site"
mkdir -p "$site/cgi-bin" "$workdir/nginx" "$workdir/uploads"
head -c 1024 /dev/urandom | base64 -w0 | head -c 1024 > "$site/1k.txt"
# The one script every CGI server runs: the smallest valid CGI response (RFC 3875 §6).
cat > "$site/cgi-bin/hello" <<'SCRIPT'
#!/bin/sh
printf 'Content-Type: text/plain\r\n\r\nHello, world!\n'
SCRIPT
# A server running as root runs its scripts as `nobody`, who must be able to reach them.
chmod -R a+rX "$site" && chmod 0755 "$site/cgi-bin/hello"
if [ -n "$need_tls" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
    -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$workdir/key.pem" -out "$workdir/cert.pem" 2>/dev/null
  chmod 0644 "$workdir/key.pem"
fi
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
# Each port variable (and VAR_pid) is set by start when its server is needed.
static_rust='' static_py='' cgi_rust='' cgi_py='' gateway_rust='' gateway_py='' tls_rust='' memory_rust=''
memory_rust_pid='' upload='' upload_pid=''
ports=()
start() { # port-variable command... (PORT in the command becomes the port; sets VAR and VAR_pid)
  local var=$1 port
  shift
  port=$(free_port)
  printf -v "$var" '%s' "$port"
  "${@//PORT/$port}" >"$workdir/$var.log" 2>&1 &
  pids+=($!)
  printf -v "${var}_pid" '%s' "$!"
  ports+=("$port")
}
if [ -n "$need_static_rust" ]; then start static_rust "$bin/lesson02-http" PORT -d "$site"; fi
if [ -n "$need_static_py" ]; then
  start static_py python3 -m http.server PORT --bind 127.0.0.1 -d "$site"
fi
if [ -n "$need_cgi_rust" ]; then
  start cgi_rust "$bin/lesson03-cgi" PORT -d "$site" --max-scripts 256
fi
if [ -n "$need_cgi_py" ]; then
  # http.server --cgi runs the scripts below its working directory.
  # shellcheck disable=SC2016 # $1 and $2 are expanded by that inner bash
  start cgi_py bash -c 'cd "$1" && exec python3 -m http.server "$2" --bind 127.0.0.1 --cgi' \
    cgi_py "$site" PORT
fi
if [ -n "$need_gateway" ]; then
  start gateway_rust "$bin/lesson05-gateway" PORT
  start gateway_py python3 "$workdir/hello_wsgi.py" PORT
fi
if [ -n "$need_tls" ]; then
  start tls_rust "$bin/lesson08-tls" PORT -d "$site" --cert "$workdir/cert.pem" --key "$workdir/key.pem"
fi
if [ -n "$need_memory" ]; then start memory_rust "$bin/lesson02-http" PORT -d "$site"; fi

if [ -n "$need_static_nginx$need_tls" ]; then
  static_nginx=$(free_port)
  tls_nginx=$(free_port)
  {
    cat <<CONF
worker_processes auto;
daemon off;
pid $workdir/nginx/nginx.pid;
error_log $workdir/nginx/error.log;
events { worker_connections 1024; }
http {
  # nginx's default: one access-log line per request, as every lesson server writes.
  access_log $workdir/nginx/access.log;
  client_body_temp_path $workdir/nginx;
  proxy_temp_path $workdir/nginx;
  fastcgi_temp_path $workdir/nginx;
  uwsgi_temp_path $workdir/nginx;
  scgi_temp_path $workdir/nginx;
  keepalive_requests 100000;
CONF
    if [ -n "$need_static_nginx" ]; then
      echo "  server { listen 127.0.0.1:$static_nginx; root $site; }"
      ports+=("$static_nginx")
    fi
    if [ -n "$need_tls" ]; then
      cat <<CONF
  server {
    listen 127.0.0.1:$tls_nginx ssl;
    ssl_certificate $workdir/cert.pem;
    ssl_certificate_key $workdir/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    root $site;
  }
CONF
      ports+=("$tls_nginx")
    fi
    echo "}"
  } > "$workdir/nginx/nginx.conf"
  "$nginx_bin" -c "$workdir/nginx/nginx.conf" >"$workdir/nginx.log" 2>&1 &
  pids+=($!)
fi

if [ -n "$need_lighttpd" ]; then
  lighttpd_port=$(free_port)
  cat > "$workdir/lighttpd.conf" <<CONF
server.modules        = ("mod_cgi", "mod_accesslog")
accesslog.filename    = "$workdir/lighttpd-access.log"
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
  ports+=("$lighttpd_port")
fi

for port in "${ports[@]}"; do
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
hello="Hello, world!"
if [ -n "$need_static_rust" ]; then expect "http://127.0.0.1:$static_rust/1k.txt" "$one_k"; fi
if [ -n "$need_static_py" ]; then expect "http://127.0.0.1:$static_py/1k.txt" "$one_k"; fi
if [ -n "$need_static_nginx" ]; then expect "http://127.0.0.1:$static_nginx/1k.txt" "$one_k"; fi
if [ -n "$need_memory" ]; then expect "http://127.0.0.1:$memory_rust/1k.txt" "$one_k"; fi
if [ -n "$need_lighttpd" ]; then
  expect "http://127.0.0.1:$lighttpd_port/1k.txt" "$one_k"
  expect "http://127.0.0.1:$lighttpd_port/cgi-bin/hello" "$hello"
fi
if [ -n "$need_cgi_rust" ]; then expect "http://127.0.0.1:$cgi_rust/cgi-bin/hello" "$hello"; fi
if [ -n "$need_cgi_py" ]; then expect "http://127.0.0.1:$cgi_py/cgi-bin/hello" "$hello"; fi
if [ -n "$need_gateway" ]; then
  expect "http://127.0.0.1:$gateway_rust/hello" "$hello"
  expect "http://127.0.0.1:$gateway_py/" "$hello"
fi
if [ -n "$need_tls" ]; then
  for port in "$tls_rust" "$tls_nginx"; do
    expect "https://localhost:$port/1k.txt" "$one_k" --cacert "$workdir/cert.pem"
  done
fi

# ---------------------------------------------------------------- the runs
# run GROUP KEY "name" URL [wrk args...]: one wrk run, kept in $workdir/KEY.{rps,p99,errors}.
run() {
  local group=$1 key=$2 name=$3 url=$4 out rps p99 errors
  shift 4
  out=$(timeout $((seconds + 30)) wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@" "$url" 2>&1) || true
  rps=$(awk '/Requests\/sec/ {printf "%d", $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  # "Socket errors: connect 0, read 2896, write 0, timeout 3" -> "read 2896, timeout 3";
  # "Non-2xx or 3xx responses: 12" -> "non-2xx 12".
  errors=$(awk '
    function add(s) { out = out (out == "" ? "" : ", ") s }
    /Socket errors:/ {
      sub(/.*Socket errors: */, "")
      n = split($0, parts, / *, */)
      for (i = 1; i <= n; i++) { split(parts[i], kv, " "); if (kv[2] + 0 > 0) add(kv[1] " " kv[2]) }
    }
    /Non-2xx or 3xx responses:/ { add("non-2xx " $NF) }
    END { print out }' <<<"$out")
  if [ -z "$rps" ]; then errors="wrk failed: $(head -n1 <<<"$out" | tr -d '|,')"; fi
  echo "${rps:-0}" > "$workdir/$key.rps"
  echo "${p99:-?}" > "$workdir/$key.p99"
  echo "$errors" > "$workdir/$key.errors"
  printf '  %-8s %-34s %8s req/s  p99 %-9s %s\n' "$group" "$name" "${rps:-0}" "${p99:-?}" "$errors"
  printf -v "name_$key" '%s' "$name"
  printf -v "group_$key" '%s' "$group"
}

if any_wrk; then
  echo "measuring: wrk -t2 -c$connections -d${seconds}s per row (keep-alive unless said)"
fi
if want static; then
  run static static_rust "lesson02-http" "http://127.0.0.1:$static_rust/1k.txt"
  run static static_py "python3 -m http.server" "http://127.0.0.1:$static_py/1k.txt"
fi
if [ -n "$need_static_nginx" ]; then # also the gateway's peer
  run static static_nginx "nginx" "http://127.0.0.1:$static_nginx/1k.txt"
fi
if want static; then
  run static static_lighttpd "lighttpd" "http://127.0.0.1:$lighttpd_port/1k.txt"
fi
if [ -n "$need_cgi_rust" ]; then # also the gateway's peer
  run cgi cgi_rust "lesson03-cgi" "http://127.0.0.1:$cgi_rust/cgi-bin/hello"
fi
if want cgi; then
  run cgi cgi_py "python3 -m http.server --cgi" "http://127.0.0.1:$cgi_py/cgi-bin/hello"
  run cgi cgi_lighttpd "lighttpd mod_cgi" "http://127.0.0.1:$lighttpd_port/cgi-bin/hello"
fi
if want gateway; then
  run gateway gateway_rust "lesson05-gateway /hello" "http://127.0.0.1:$gateway_rust/hello"
  run gateway gateway_py "Python wsgiref hello" "http://127.0.0.1:$gateway_py/"
fi
if want tls; then
  run tls tls_rust "lesson08-tls keep-alive" "https://localhost:$tls_rust/1k.txt"
  run tls tls_nginx "nginx TLS keep-alive" "https://localhost:$tls_nginx/1k.txt"
  run tls tls_rust_new "lesson08-tls new connection each" "https://localhost:$tls_rust/1k.txt" -H "Connection: close"
  run tls tls_nginx_new "nginx TLS new connection each" "https://localhost:$tls_nginx/1k.txt" -H "Connection: close"
fi

# ---------------------------------------------------------------- memory
if want memory; then
  echo "measuring memory: lesson02-http (256 connections, a 100 MiB download), lesson04-forms (a 100 MiB upload)"
  hwm_kib() { awk '/^VmHWM/ {print $2}' "/proc/$1/status"; }
  idle_rss=$(awk '/^VmRSS/ {print $2}' "/proc/$memory_rust_pid/status")
  held_rss=$(python3 - "$memory_rust" "$memory_rust_pid" <<'PY'
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
  before_download=$(hwm_kib "$memory_rust_pid")
  curl -sf --max-time 60 "http://127.0.0.1:$memory_rust/100m.bin" -o /dev/null
  after_download=$(hwm_kib "$memory_rust_pid")
  start upload "$bin/lesson04-forms" PORT --upload-dir "$workdir/uploads"
  wait_port "$upload"
  before_upload=$(hwm_kib "$upload_pid")
  upload_time=$(curl -sf --max-time 60 -o /dev/null -w '%{time_total}' \
    -F "f=@$site/100m.bin" "http://127.0.0.1:$upload/up")
  after_upload=$(hwm_kib "$upload_pid")
  rm -f "$site/100m.bin"
fi

# ---------------------------------------------------------------- the table
results="$root/bench/results"
mkdir -p "$results"
csv="$workdir/table.csv"
csv_line() { # fields...: one CSV line, fields with a comma or a quote quoted
  local field line="" sep=""
  for field in "$@"; do
    if [[ "$field" == *[,\"]* ]]; then field="\"${field//\"/\"\"}\""; fi
    line+="$sep$field"
    sep=,
  done
  echo "$line"
}
csv_line group server requests_per_s p99 errors compared_with ratio target > "$csv"
ratio_of() { awk -v a="$(cat "$workdir/$1.rps")" -v b="$(cat "$workdir/$2.rps")" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
# row KEY [COMPARED-KEY [TARGET]]: a table row; TARGET is >=N, "reported" or empty.
row() {
  local key=$1 other=${2:-} target=${3:-} rps p99 errors ratio="" other_name="" md_ratio="" md_target=""
  local name_var="name_$key" group_var="group_$key" other_var="name_$other"
  local name=${!name_var} group=${!group_var}
  rps=$(cat "$workdir/$key.rps")
  p99=$(cat "$workdir/$key.p99")
  errors=$(cat "$workdir/$key.errors")
  if [ -n "$other" ]; then
    other_name=${!other_var}
    ratio=$(ratio_of "$key" "$other")
    md_ratio="${ratio}x $other_name"
  fi
  case $target in
    ">="*) md_target="≥ ${target#>=}x" ;;
    reported) md_target="(reported)" target="" ;;
  esac
  csv_line "$group" "$name" "$rps" "$p99" "$errors" "$other_name" "$ratio" "$target" >> "$csv"
  echo "| $group | $name | $rps | $p99 | $errors | $md_ratio | $md_target |"
}
now=$(date -u '+%Y-%m-%d %H:%M UTC')
machine="$(nproc) cores ($(uname -sr))"
{
  echo "Measured $now on $machine, loopback."
  if [ "$groups" != "$all_groups" ]; then
    peers=""
    if want gateway && ! want static && ! want cgi; then
      peers="; the static nginx and cgi lesson03-cgi rows run only as the gateway's peers"
    elif want gateway && ! want static; then
      peers="; the static nginx row runs only as the gateway's peer"
    elif want gateway && ! want cgi; then
      peers="; the cgi lesson03-cgi row runs only as the gateway's peer"
    fi
    echo "Groups: $groups (scripts/bench.sh --only $groups)$peers."
  fi
  if any_wrk; then
    echo "wrk -t2 -c$connections -d${seconds}s per row, keep-alive unless said. Ratios are within this run."
    echo
    echo "| group | server | requests/s | p99 | errors | ratio | target |"
    echo "|---|---|---:|---|---|---|---|"
  fi
  if want static; then
    row static_rust static_py ">=20"
    row static_rust static_nginx ">=1.0"
    row static_rust static_lighttpd reported
    row static_py
  fi
  if [ -n "$need_static_nginx" ]; then row static_nginx; fi
  if want static; then row static_lighttpd; fi
  if want cgi; then
    row cgi_rust cgi_lighttpd ">=1.0"
    row cgi_rust cgi_py
    row cgi_py
    row cgi_lighttpd
  elif want gateway; then
    row cgi_rust
  fi
  if want gateway; then
    row gateway_rust static_nginx ">=1.0"
    row gateway_rust cgi_rust ">=50"
    row gateway_rust gateway_py
    row gateway_py
  fi
  if want tls; then
    row tls_rust tls_nginx ">=0.8"
    row tls_nginx
    row tls_rust_new tls_nginx_new ">=1.0"
    row tls_nginx_new
  fi
  if want memory; then
    echo
    echo "| memory (lesson02-http unless said) | KiB |"
    echo "|---|---:|"
    echo "| idle RSS | $idle_rss |"
    echo "| RSS with 256 keep-alive connections open | $held_rss |"
    echo "| peak RSS before / after sending a 100 MiB file | $before_download / $after_download |"
    echo "| lesson04-forms peak RSS before / after receiving a 100 MiB upload ($upload_time s) | $before_upload / $after_upload |"
  fi
} > "$workdir/table.md"
cp "$workdir/table.md" "$results/latest.md"
cp "$csv" "$results/latest.csv"
python3 "$root/scripts/plot_ratios.py" "$results/latest.csv" "$results/latest.svg" \
  --date "$now" --machine "$machine"
echo
cat "$results/latest.md"
echo
echo "written: bench/results/latest.md, latest.csv and latest.svg (the ratios)"
