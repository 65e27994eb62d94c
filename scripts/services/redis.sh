#!/usr/bin/env bash
# Starts/stops a private redis-server for the tests, without systemd.
#   scripts/services/redis.sh start DIR   # e.g. DIR=build/test-services
#   scripts/services/redis.sh stop DIR
#   scripts/services/redis.sh status DIR
# start: redis-server on 127.0.0.1, first free port from 6390 up (REDIS_PORT=N to insist on one),
# data dir DIR/redis (no persistence: --save '' --appendonly no), waits until PING answers, then
# writes REDIS_PID=... and IMGFLO_TEST_REDIS_URL=redis://127.0.0.1:PORT into DIR/services.env
# (other lines of that file are kept). Idempotent: a running instance from DIR is reused.
# stop: TERM by PID (KILL after 5 s), removes those lines. Exit status non-zero on failure.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
[[ -n "$cmd" && -n "$dir" ]] || { echo "usage: $0 start|stop|status DIR" >&2; exit 2; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
data="$dir/redis"
env_file="$dir/services.env"
pid_file="$data/redis.pid"
port_file="$data/port"

alive() { [[ -f "$pid_file" ]] && kill -0 "$(cat "$pid_file")" 2>/dev/null; }
answers() { [[ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" == PONG ]]; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Replaces our lines in services.env (keeps the other services' lines).
write_env() {
  local tmp="$env_file.tmp.$$"
  { [[ -f "$env_file" ]] && grep -v -E '^(REDIS_PID|IMGFLO_TEST_REDIS_URL)=' "$env_file" || true; } > "$tmp"
  if [[ $# -gt 0 ]]; then printf '%s\n' "$@" >> "$tmp"; fi
  mv "$tmp" "$env_file"
}

# Starts redis-server on $1; succeeds once our process answers PING.
try_start() {
  local port=$1
  # setsid: its own session, so it outlives this script's process group; no inherited stdout.
  setsid redis-server --bind 127.0.0.1 --port "$port" --dir "$data" --save '' --appendonly no \
    --daemonize no --logfile "$data/redis.log" --protected-mode yes </dev/null >/dev/null 2>&1 &
  local pid=$!
  for _ in $(seq 1 200); do
    if ! kill -0 "$pid" 2>/dev/null; then return 1; fi    # exited: port taken or bad config
    if answers "$port"; then
      echo "$pid" > "$pid_file"
      echo "$port" > "$port_file"
      return 0
    fi
    sleep 0.05
  done
  kill -KILL "$pid" 2>/dev/null || true
  return 1
}

start() {
  command -v redis-server >/dev/null || { echo "redis-server not found (apt-get install redis-server)" >&2; exit 1; }
  mkdir -p "$data"
  if alive && answers "$(cat "$port_file" 2>/dev/null)"; then
    port=$(cat "$port_file")
  else
    alive && stop >/dev/null   # ours but not answering: replace it
    local candidates
    if [[ -n "${REDIS_PORT:-}" ]]; then candidates=$REDIS_PORT; else candidates=$(seq 6390 6489); fi
    port=
    for p in $candidates; do
      port_busy "$p" && continue
      if try_start "$p"; then port=$p; break; fi
    done
    [[ -n "$port" ]] || { echo "could not start redis-server (see $data/redis.log)" >&2; exit 1; }
  fi
  write_env "REDIS_PID=$(cat "$pid_file")" "IMGFLO_TEST_REDIS_URL=redis://127.0.0.1:$port"
  echo "redis-server pid $(cat "$pid_file") on 127.0.0.1:$port"
}

stop() {
  if alive; then
    local pid
    pid=$(cat "$pid_file")
    kill -TERM "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    echo "redis-server pid $pid stopped"
  fi
  rm -f "$pid_file" "$port_file"
  [[ -f "$env_file" ]] && write_env
  return 0
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  status) if alive; then echo "running: pid $(cat "$pid_file") port $(cat "$port_file")"; else echo "stopped"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|status DIR" >&2; exit 2 ;;
esac
