# shellcheck shell=bash
# Shell helpers of scripts/bench.sh: source it, don't run it.

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

# Stops every pid in $pids (and waits for it), then removes $workdir.
bench_cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$workdir"
}

# A temporary directory in $workdir, removed (after stopping every pid in $pids) on exit.
bench_workdir() {
  workdir=$(mktemp -d)
  chmod 0755 "$workdir"
  pids=()
  trap bench_cleanup EXIT
}
