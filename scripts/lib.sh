# Shell helpers shared by the benchmark scripts: source it, don't run it.

# Prints a free TCP port on 127.0.0.1 (the OS picks it).
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

# Waits (at most 5 s) until something listens on 127.0.0.1:$1.
wait_port() {
  for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  echo "server on port $1 did not start" >&2
  return 1
}

# Installs wrk from Debian's packages when it is missing.
ensure_wrk() {
  if ! command -v wrk >/dev/null 2>&1; then
    echo "installing wrk from Debian's packages..."
    (apt-get update -qq && apt-get install -y -qq wrk) >/dev/null
  fi
}

# Installs Debian packages for the commands that are missing: ensure_commands wrk:wrk nginx:nginx-light
ensure_commands() {
  local need=() pair
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || [ -x "/usr/sbin/${pair%%:*}" ] || need+=("${pair#*:}")
  done
  if [ ${#need[@]} -gt 0 ]; then
    echo "installing ${need[*]} from Debian's packages..."
    (apt-get update -qq && apt-get install -y -qq "${need[@]}") >/dev/null
  fi
}

# A temporary directory in $workdir, removed (after stopping every pid in $pids) on exit.
bench_workdir() {
  workdir=$(mktemp -d)
  chmod 0755 "$workdir"
  pids=()
  trap 'for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done;
        for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done;
        rm -rf "$workdir"' EXIT
}

# Prints the table's heading: bench_heading "wrk -t2 -c32 -d10s, ..."
bench_heading() {
  echo "date: $(date -u +%Y-%m-%dT%H:%MZ)  machine: $(nproc) cores, $(uname -sr)"
  echo "$1"
  printf '| %-34s | %12s | %10s | %s\n' server requests/s p99 notes
  printf '| %-34s | %12s | %10s | %s\n' ---------------------------------- ------------ ---------- -----
}

# One wrk run as a table row; keeps requests/s in $workdir/KEY.rps.
# wrk_row NAME KEY SECONDS CONNECTIONS URL [more wrk arguments...]
wrk_row() {
  local name=$1 key=$2 seconds=$3 connections=$4 url=$5 out rps p99 notes
  shift 5
  out=$(timeout $((seconds + 30)) wrk -t2 -c"$connections" -d"${seconds}s" --latency "$@" "$url")
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  notes=$(grep -E "Socket errors|Non-2xx" <<<"$out" | tr -s ' ' | paste -sd';' - || true)
  printf '| %-34s | %12s | %10s | %s\n' "$name" "$rps" "$p99" "${notes:-}"
  echo "${rps:-0}" > "$workdir/$key.rps"
}

# Prints "ratio A / B: N.NNx" from two wrk_row keys.
ratio() {
  awk -v a="$(cat "$workdir/$1.rps")" -v b="$(cat "$workdir/$2.rps")" -v na="$1" -v nb="$2" \
    'BEGIN { if (b > 0) printf "ratio %s / %s: %.2fx\n", na, nb, a / b }'
}
