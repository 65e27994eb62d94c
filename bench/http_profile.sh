#!/usr/bin/env bash
# bench/http_profile.sh — user-space instructions per cached-hit request, imgflo-server
# vs nginx, counted by valgrind's callgrind (a count, so unlike req/s it does not move
# with the load other jobs put on a shared machine).
#
# Each server runs under callgrind with one thread / one process (imgflo-server
# --http-threads 1 --workers 1; nginx with master_process off), takes one warm-up
# request, has its counters zeroed, then serves `wrk -t1 -c10 -d10s` (about 2,000
# requests a second under valgrind). Instructions counted after the zeroing divided by
# the requests wrk completed = instructions per request; the kernel's share (socket
# syscalls, roughly the same for both) is not counted. Then where imgflo-server's
# instructions go: its own functions (inclusive) and the top functions (self).
#
# Usage: bench/http_profile.sh [--top N]   (default 25 functions)
# Environment: BUILD_DIR (default build). Needs valgrind (callgrind_control).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
TOP=25
[[ ${1:-} == --top ]] && TOP=$2
make_tmp imgflo-http-profile
CALLGRIND=(valgrind --tool=callgrind --callgrind-out-file="$TMP/callgrind.%p")

# Zeroes the counters of PID, runs wrk against URL, dumps; prints "instructions requests".
count() {
  local pid=$1 url=$2 requests
  callgrind_control -z "$pid" >/dev/null 2>&1
  requests=$(wrk -t1 -c10 -d10s "$url" | awk '/requests in/ { print $1 }')
  callgrind_control -d "$pid" >/dev/null 2>&1
  sleep 1
  echo "$(awk '/^summary:/ { print $2 }' "$TMP/callgrind.$pid.1") $requests"
}

# imgflo-server, one cached result.
mkdir -p "$TMP/resources"
cp "$ROOT/examples/gradient-black-white.png" "$TMP/resources/"
status=0
start_imgflo_server 120 "${CALLGRIND[@]}" -- --http-threads 1 --workers 1 --resources "$TMP/resources" || status=1
PIDS+=("$IMGFLO_PID")
((status == 0)) || exit 1
URL="http://127.0.0.1:$IMGFLO_PORT/graph/gradientmap.png?input=files/gradient-black-white.png"
[[ $(curl -s -o /dev/null -w '%{http_code}' "$URL") == 301 ]] || { echo "priming $URL failed" >&2; exit 1; }
read -r OURS_IR OURS_REQ < <(count "$IMGFLO_PID" "$URL")
cp "$TMP/callgrind.$IMGFLO_PID.1" "$TMP/ours.callgrind"

# nginx, single process.
NGINX_PORT=$(free_port)
write_nginx_conf "$TMP/nginx" "$NGINX_PORT" 0
"${CALLGRIND[@]}" nginx -e "$TMP/nginx/error.log" -p "$TMP/nginx" -c "$TMP/nginx/nginx.conf" 2>"$TMP/nginx.err" &
NGINX_PID=$!
PIDS+=("$NGINX_PID")
wait_for_port "$NGINX_PORT" 120
curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/"
read -r NGINX_IR NGINX_REQ < <(count "$NGINX_PID" "http://127.0.0.1:$NGINX_PORT/")

echo "## Cached-hit cost in instructions (bench/http_profile.sh)"
echo
echo "Command: \`bench/http_profile.sh\`, $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD)."
echo
echo "| server | requests | user-space instructions | per request |"
echo "|---|---|---|---|"
awk -v a="$OURS_IR" -v n="$OURS_REQ" 'BEGIN { printf "| imgflo-server (cached 301) | %d | %d | %.0f |\n", n, a, a / n }'
awk -v a="$NGINX_IR" -v n="$NGINX_REQ" 'BEGIN { printf "| nginx `return 301` | %d | %d | %.0f |\n", n, a, a / n }'
awk -v a="$OURS_IR" -v n="$OURS_REQ" -v b="$NGINX_IR" -v m="$NGINX_REQ" \
  'BEGIN { printf "\nimgflo-server spends %.1f× the instructions of nginx per request.\n", (a / n) / (b / m) }'
echo
# Function lines of callgrind_annotate (after its header), shortened: "share%  name".
functions() {
  callgrind_annotate --threshold=100 "$@" "$TMP/ours.callgrind" 2>/dev/null |
    awk '/^-+$/ { dash++ } dash >= 4 && /%\)/ && !/PROGRAM TOTALS/ { print }' |
    sed -E 's/boost::asio::/asio::/g; s/boost::beast::/beast::/g; s/ \[[^]]*\]$//' |
    sed -E 's/^ *[0-9,]+ \(([ 0-9.]+%)\) +(\?\?\?|[^ ]*\.[A-Za-z]+):/\1  /' | cut -c1-140
}
echo "imgflo-server: its own functions by inclusive instructions, and the top $TOP by"
echo "exclusive (self) instructions, as shares of its total:"
echo
echo '```'
functions --inclusive=yes | grep 'imgflo::' | sed -n "1,${TOP}p"
echo
functions --inclusive=no | grep -v '^100.0%' | sed -n "1,${TOP}p"
echo '```'
