#!/usr/bin/env bash
# Starts/stops a private RabbitMQ 3.10 broker for the tests, as root, without systemd.
#   scripts/services/rabbitmq.sh start DIR   # e.g. DIR=build/test-services
#   scripts/services/rabbitmq.sh stop DIR
#   scripts/services/rabbitmq.sh restart DIR   # stop + start on the same ports, data kept
#   scripts/services/rabbitmq.sh status DIR
# start: runs /usr/lib/rabbitmq/bin/rabbitmq-server directly (the /usr/sbin wrapper does `su rabbitmq`
# and loses HOME and the data dir) with its own HOME (Erlang cookie), node name, config, data and log
# dirs under DIR/rabbitmq, and its own epmd, all on 127.0.0.1. Ports: AMQP 5673, distribution 25673,
# epmd 4370 (RABBITMQ_TEST_PORT / _DIST_PORT / _EPMD_PORT override; if the default AMQP port is taken,
# the next free triple +1, +2, ... is used). Waits until the AMQP listener accepts (it opens at the very
# end of boot, about 10 s on a fresh data dir), then writes RABBITMQ_PID, EPMD_PID and
# IMGFLO_TEST_BROKER_URL=amqp://guest:guest@127.0.0.1:PORT/ into DIR/services.env (other lines kept).
# Idempotent: a running broker started from DIR is reused.
# stop: TERM to the broker (the Erlang VM; it shuts down cleanly in about 3 s, KILL after 30 s), then
# epmd, by PID; removes those lines. Exit status non-zero on failure.
set -euo pipefail

cmd=${1:-}
dir=${2:-}
[[ -n "$cmd" && -n "$dir" ]] || { echo "usage: $0 start|stop|restart|status DIR" >&2; exit 2; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
base="$dir/rabbitmq"
env_file="$dir/services.env"
pid_file="$base/rabbit.pid"     # written by RabbitMQ itself (the beam.smp PID)
epmd_pid_file="$base/epmd.pid"
port_file="$base/port"
ports_file="$base/ports"       # "AMQP DIST EPMD" of the last start (restart reuses them)
server=/usr/lib/rabbitmq/bin/rabbitmq-server

alive() { [[ -f "$1" ]] && [[ -n "$(cat "$1" 2>/dev/null)" ]] && kill -0 "$(cat "$1")" 2>/dev/null &&
          [[ "$(ps -o stat= -p "$(cat "$1")" 2>/dev/null)" != Z* ]]; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
listening() { ss -ltn "sport = :$1" 2>/dev/null | grep -q LISTEN; }

write_env() {
  local tmp="$env_file.tmp.$$"
  { [[ -f "$env_file" ]] && grep -v -E '^(RABBITMQ_PID|EPMD_PID|IMGFLO_TEST_BROKER_URL)=' "$env_file" || true; } > "$tmp"
  if [[ $# -gt 0 ]]; then printf '%s\n' "$@" >> "$tmp"; fi
  mv "$tmp" "$env_file"
}

# Environment of the broker and of rabbitmqctl (same HOME => same cookie).
broker_env() {
  local port=$1 dist=$2 epmd=$3
  export HOME="$base/home"
  export RABBITMQ_NODENAME="imgflo-test-$port@localhost"
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$port RABBITMQ_DIST_PORT=$dist
  export ERL_EPMD_ADDRESS=127.0.0.1 ERL_EPMD_PORT=$epmd
  export RABBITMQ_MNESIA_BASE="$base/mnesia" RABBITMQ_LOG_BASE="$base/log"
  export RABBITMQ_PID_FILE="$pid_file"
  export RABBITMQ_ENABLED_PLUGINS_FILE="$base/enabled_plugins"
  export RABBITMQ_CONF_ENV_FILE="$base/rabbitmq-env.conf"  # keeps /etc/rabbitmq/rabbitmq-env.conf out
  export RABBITMQ_CONFIG_FILE="$base/rabbitmq"             # loads $base/rabbitmq.conf
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
}

# Starts epmd and the broker on the given ports; succeeds once AMQP accepts connections.
try_start() {
  local port=$1 dist=$2 epmd=$3
  broker_env "$port" "$dist" "$epmd"
  mkdir -p "$HOME" "$base/mnesia" "$base/log"
  echo '[].' > "$RABBITMQ_ENABLED_PLUGINS_FILE"
  : > "$RABBITMQ_CONF_ENV_FILE"
  printf 'listeners.tcp.default = 127.0.0.1:%s\nloopback_users.guest = true\n' "$port" > "$base/rabbitmq.conf"
  rm -f "$pid_file"
  # Our own epmd (otherwise rabbit starts a daemon epmd that outlives it). setsid: own session.
  setsid epmd -address 127.0.0.1 -port "$epmd" </dev/null >"$base/log/epmd.log" 2>&1 &
  echo $! > "$epmd_pid_file"
  setsid "$server" </dev/null >"$base/log/stdout.log" 2>&1 &
  local script_pid=$!
  for _ in $(seq 1 1200); do   # up to 60 s
    if ! kill -0 "$script_pid" 2>/dev/null && ! alive "$pid_file"; then break; fi
    if listening "$port" && alive "$pid_file"; then
      echo "$port" > "$port_file"
      echo "$port $dist $epmd" > "$ports_file"
      return 0
    fi
    sleep 0.05
  done
  echo "rabbitmq-server did not come up on port $port; last log lines:" >&2
  tail -n 20 "$base/log/stdout.log" >&2 || true
  stop_pids
  return 1
}

stop_pids() {
  if alive "$pid_file"; then
    local pid; pid=$(cat "$pid_file")
    kill -TERM "$pid"
    for _ in $(seq 1 600); do alive "$pid_file" || break; sleep 0.05; done
    alive "$pid_file" && kill -KILL "$pid"
    echo "rabbitmq-server pid $pid stopped"
  fi
  if alive "$epmd_pid_file"; then
    local epid; epid=$(cat "$epmd_pid_file")
    kill -TERM "$epid"
    for _ in $(seq 1 100); do alive "$epmd_pid_file" || break; sleep 0.05; done
    alive "$epmd_pid_file" && kill -KILL "$epid"
  fi
  rm -f "$pid_file" "$epmd_pid_file" "$port_file"
}

start() {
  [[ -x "$server" ]] || { echo "$server not found (apt-get install rabbitmq-server)" >&2; exit 1; }
  command -v epmd >/dev/null || { echo "epmd not found (erlang-base)" >&2; exit 1; }
  mkdir -p "$base"
  if alive "$pid_file" && [[ -f "$port_file" ]] && listening "$(cat "$port_file")"; then
    port=$(cat "$port_file")
  else
    stop_pids >/dev/null
    port=
    local p0=${RABBITMQ_TEST_PORT:-5673} d0=${RABBITMQ_TEST_DIST_PORT:-25673} e0=${RABBITMQ_TEST_EPMD_PORT:-4370}
    for i in $(seq 0 20); do
      local p=$((p0 + i)) d=$((d0 + i)) e=$((e0 + i))
      if port_busy "$p" || port_busy "$d" || port_busy "$e"; then continue; fi
      if try_start "$p" "$d" "$e"; then port=$p; break; fi
      [[ -n "${RABBITMQ_TEST_PORT:-}" ]] && break
    done
    [[ -n "$port" ]] || { echo "could not start rabbitmq-server (see $base/log)" >&2; exit 1; }
  fi
  write_env "RABBITMQ_PID=$(cat "$pid_file")" "EPMD_PID=$(cat "$epmd_pid_file")" \
            "IMGFLO_TEST_BROKER_URL=amqp://guest:guest@127.0.0.1:$port/"
  echo "rabbitmq-server pid $(cat "$pid_file") on 127.0.0.1:$port"
}

# Stop, then start again on the ports of the previous start.
restart() {
  [[ -f "$ports_file" ]] || { echo "no previous start in $dir" >&2; exit 1; }
  read -r p d e < "$ports_file"
  stop_pids
  try_start "$p" "$d" "$e" || { echo "could not restart rabbitmq-server (see $base/log)" >&2; exit 1; }
  write_env "RABBITMQ_PID=$(cat "$pid_file")" "EPMD_PID=$(cat "$epmd_pid_file")" \
            "IMGFLO_TEST_BROKER_URL=amqp://guest:guest@127.0.0.1:$p/"
  echo "rabbitmq-server pid $(cat "$pid_file") on 127.0.0.1:$p (restarted)"
}

stop() {
  stop_pids
  [[ -f "$env_file" ]] && write_env
  return 0
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  restart) restart ;;
  status) if alive "$pid_file"; then echo "running: pid $(cat "$pid_file") port $(cat "$port_file")"; else echo "stopped"; exit 1; fi ;;
  *) echo "usage: $0 start|stop|restart|status DIR" >&2; exit 2 ;;
esac
