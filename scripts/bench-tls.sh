#!/usr/bin/env bash
# Measures HTTPS: lesson08-tls (release build) next to nginx serving the same 1 KiB file with
# the same certificate (ECDSA P-256, made here with openssl), in one run, on loopback, with
# wrk (wrk and nginx are installed from Debian's packages when missing).
#
#   scripts/bench-tls.sh [SECONDS] [CONNECTIONS]
#
# Two loads per server, each bounded by SECONDS (default 10), 2 wrk threads:
# - keep-alive: CONNECTIONS connections (default 32), many requests each;
# - handshakes: `Connection: close` on every request, so each request is a new TCP connection
#   and a full TLS handshake (wrk does not resume sessions): requests/s = handshakes/s.
# Both servers use TLS 1.3 with their default suites, log nothing, and nginx runs one worker
# process per core (worker_processes auto).
set -euo pipefail

seconds=${1:-10}
connections=${2:-32}
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/lib.sh
. "$root/scripts/lib.sh"

ensure_commands wrk:wrk nginx:nginx-light openssl:openssl
nginx_bin=$(command -v nginx || echo /usr/sbin/nginx)
cargo build --release -q -p lesson08-tls --manifest-path "$root/Cargo.toml"
bench_workdir

mkdir -p "$workdir/site" "$workdir/nginx"
head -c 1024 /dev/urandom | base64 -w0 | head -c 1024 > "$workdir/site/1k.txt"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
  -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
  -keyout "$workdir/key.pem" -out "$workdir/cert.pem" 2>/dev/null

rust_port=$(free_port)
"$root/target/release/lesson08-tls" "$rust_port" -d "$workdir/site" \
  --cert "$workdir/cert.pem" --key "$workdir/key.pem" >/dev/null 2>&1 &
pids+=($!)

nginx_port=$(free_port)
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
  server {
    listen 127.0.0.1:$nginx_port ssl;
    ssl_certificate $workdir/cert.pem;
    ssl_certificate_key $workdir/key.pem;
    ssl_protocols TLSv1.2 TLSv1.3;
    root $workdir/site;
  }
}
CONF
"$nginx_bin" -c "$workdir/nginx/nginx.conf" >/dev/null 2>&1 &
pids+=($!)
wait_port "$rust_port"
wait_port "$nginx_port"
for port in "$rust_port" "$nginx_port"; do
  if ! curl -sf --cacert "$workdir/cert.pem" "https://localhost:$port/1k.txt" -o /dev/null; then
    echo "the server on port $port did not serve /1k.txt over HTTPS" >&2
    exit 1
  fi
done

bench_heading "wrk -t2 -d${seconds}s, GET /1k.txt over TLS 1.3, ECDSA P-256 certificate"
wrk_row "lesson08-tls keep-alive (c$connections)" rust_ka "$seconds" "$connections" \
  "https://localhost:$rust_port/1k.txt"
wrk_row "nginx keep-alive (c$connections)" nginx_ka "$seconds" "$connections" \
  "https://localhost:$nginx_port/1k.txt"
wrk_row "lesson08-tls new connection (c$connections)" rust_hs "$seconds" "$connections" \
  "https://localhost:$rust_port/1k.txt" -H "Connection: close"
wrk_row "nginx new connection (c$connections)" nginx_hs "$seconds" "$connections" \
  "https://localhost:$nginx_port/1k.txt" -H "Connection: close"
ratio rust_ka nginx_ka
ratio rust_hs nginx_hs
