#!/usr/bin/env bash
# Starts/stops every service the tests use (one script per service in
# scripts/services/: redis, rabbitmq, moto S3, postgres), on loopback, each stopped by PID.
#   scripts/services.sh start DIR            e.g. DIR=build/test-services
#   scripts/services.sh stop DIR
#   scripts/services.sh fixture-start DIR    ctest fixture: starts what is not running and
#   scripts/services.sh fixture-stop DIR       remembers it; fixture-stop stops only that
# Connection settings for the tests are written to DIR/services.env.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:-}
dir=${2:-}
[[ -n "$cmd" && -n "$dir" ]] || { echo "usage: $0 start|stop|fixture-start|fixture-stop DIR" >&2; exit 2; }
mkdir -p "$dir"
marker="$dir/.started-by-fixture"
services=("$here"/services/*.sh)

start_all() {
  for s in "${services[@]}"; do "$s" start "$dir"; done
}
stop_all() {
  local rc=0
  for s in "${services[@]}"; do "$s" stop "$dir" || rc=1; done
  return $rc
}
all_running() {
  for s in "${services[@]}"; do "$s" status "$dir" >/dev/null 2>&1 || return 1; done
}

case "$cmd" in
  start) start_all ;;
  stop) stop_all ;;
  fixture-start)
    if all_running; then echo "services already running (started outside ctest)"; exit 0; fi
    touch "$marker"
    start_all ;;
  fixture-stop)
    [[ -f "$marker" ]] || { echo "services not started by the fixture; left running"; exit 0; }
    rm -f "$marker"
    stop_all ;;
  *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
