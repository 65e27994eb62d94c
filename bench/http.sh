#!/usr/bin/env bash
# bench/http.sh — HTTP benchmarks of build/imgflo-server (embedded mode) on this machine.
#
# 1. Cached hits: primes one result (gradientmap of examples/gradient-black-white.png),
#    then runs `wrk --latency -t2 -d10s` at 100 and 1000 connections against that URL
#    (answered "301 Location: /cache/…" from the cache index) and, in the same run,
#    against nginx answering `return 301` from a config written here. Reports req/s,
#    p50 and p99 of both, the ratio ours/nginx and the issue-3 targets (ratio >= 0.8,
#    our p99 <= 5 ms) as PASS/FAIL. The server's /metrics counters confirm that no job
#    ran during the wrk runs (every request was a cache hit). With --apps N (default 1000)
#    the server's applications database (SQLite, made here with build/imgflo-apps) holds N
#    apps, so auth is on: the URL is the signed form /graph/KEY/TOKEN/… of the last app
#    (md5 token), as clients of a multi-tenant server send it. --apps 0: unsigned, no auth.
# 2. Cold processing latency per graph: COLD_RUNS sequential GETs per graph, each on a
#    differently named copy of a 2000x2000 JPEG served through `files/` (a distinct
#    cache key, the same work), timed with curl (request sent -> 301 received, i.e.
#    read + process + encode + store). Reports median, p90, min and max.
#
# The server and nginx use the same number of event-loop threads / worker processes
# (HTTP_THREADS, default nproc); both run on this machine next to wrk, so all three
# share its cores. Everything lives in a temp folder; both servers are stopped by PID
# on exit.
#
# Usage: bench/http.sh [--record] [--cold-runs N] [--duration S] [--no-cold] [--no-wrk] [--apps N]
#   --record       replace the HTTP section of bench/RESULTS.md with this run's
#   --cold-runs N  requests per graph for the cold latency (default 10)
#   --duration S   seconds per wrk run (default 10)
# Environment: BUILD_DIR (default build), HTTP_THREADS (default nproc). The section is
# always written to build/bench/http-<time>.md; the exit status is 1 when a target fails.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
INVOCATION="bench/http.sh $*"
COLD_RUNS=10 DURATION=10 RECORD=0 COLD=1 WRK=1 APPS=1000
while (($#)); do
  case $1 in
    --record) RECORD=1 ;;
    --cold-runs) COLD_RUNS=$2; shift ;;
    --duration) DURATION=$2; shift ;;
    --no-cold) COLD=0 ;;
    --no-wrk) WRK=0 ;;
    --apps) APPS=$2; shift ;;
    *) echo "usage: $0 [--record] [--cold-runs N] [--duration S] [--no-cold] [--no-wrk] [--apps N]" >&2; exit 2 ;;
  esac
  shift
done

# Cold-latency cases: label | graph[.ext] | query parameters besides input.
COLD_CASES=$(cat <<'EOF'
passthrough|passthrough|
passthrough+resize|passthrough|width=300
crop|crop|x=500&y=500&cropwidth=1000&cropheight=1000
croprotate|croprotate|degrees=30&x=366&y=366&cropwidth=2000&cropheight=2000
customgrey|customgrey|
desaturate|desaturate|
gaussianblur|gaussianblur|std-dev-x=10&std-dev-y=10
gradientmap|gradientmap|
gradientmap.png|gradientmap.png|
halodarken|halodarken|
motionblur|motionblur|
enhancelowres|enhancelowres|
retro|retro|
noop|noop|
EOF
)

make_tmp imgflo-http-bench

# ---------------------------------------------------------------------------
# The two servers
# ---------------------------------------------------------------------------
make_resources() {
  mkdir -p "$TMP/resources" "$DATA"
  cp "$ROOT/examples/gradient-black-white.png" "$TMP/resources/"
  [[ -s $DATA/in-2000x2000.jpg ]] ||
    vips thumbnail "$ROOT/examples/mountains.png" "$DATA/in-2000x2000.jpg[Q=90]" 2000 --height 2000 --size force
  local i
  for i in $(seq -w "$COLD_RUNS"); do cp "$DATA/in-2000x2000.jpg" "$TMP/resources/cold-$i.jpg"; done
}

# APPS apps in a fresh SQLite applications database (DATABASE_URL, read by the CLI and the
# server); the last one's key and secret sign the URLs (SIGN_KEY, SIGN_SECRET).
make_apps() {
  export DATABASE_URL="sqlite://$TMP/apps.db"
  ((APPS > 0)) || return 0
  echo "== creating $APPS apps with $BUILD/imgflo-apps" >&2
  local i
  for i in $(seq "$APPS"); do
    "$BUILD/imgflo-apps" add "bench$i@example.com" "bench app $i" >"$TMP/app.json"
  done
  read -r SIGN_KEY SIGN_SECRET < <(python3 -c 'import json,sys; a=json.load(sys.stdin); print(a["key"], a["secret"])' \
    <"$TMP/app.json")
}

# The path of GET /graph/GRAPHSPEC?SEARCH, signed by the bench app when there is one.
#   graph_path GRAPHSPEC SEARCH
graph_path() {
  if ((APPS == 0)); then echo "/graph/$1?$2"; return; fi
  local token
  token=$(printf '%s' "$1?$2$SIGN_SECRET" | md5sum | cut -d' ' -f1)
  echo "/graph/$SIGN_KEY/$token/$1?$2"
}

start_imgflo() {
  local status=0
  start_imgflo_server 10 -- --http-threads "$THREADS" --resources "$TMP/resources" --request-timeout 600 || status=1
  PIDS+=("$IMGFLO_PID")
  return $status
}

# ---------------------------------------------------------------------------
# Cached hits with wrk
# ---------------------------------------------------------------------------
bench_cached() {
  CACHED_URL=$(graph_path gradientmap.png input=files/gradient-black-white.png)
  local cached="http://127.0.0.1:$IMGFLO_PORT$CACHED_URL"
  local redirect="http://127.0.0.1:$NGINX_PORT/"
  read -r status _ < <(get "$cached")
  [[ $status == 301 ]] || { echo "priming $cached gave $status" >&2; return 1; }
  read -r status _ < <(get "$redirect")
  [[ $status == 301 ]] || { echo "nginx gave $status" >&2; return 1; }
  local jobs_before hits_before
  jobs_before=$(metric imgflo_jobs_started_total)
  hits_before=$(metric imgflo_cache_hits_total)

  local conns ours nginx
  for conns in 100 1000; do
    echo "== wrk, $conns connections: imgflo-server (cached hit), then nginx (return 301)" >&2
    ours=$(run_wrk "$conns" "$cached")
    sleep 2
    nginx=$(run_wrk "$conns" "$redirect")
    sleep 2
    echo "$conns $ours $nginx" >>"$TMP/wrk-results"
  done
  JOBS_DURING_WRK=$(($(metric imgflo_jobs_started_total) - jobs_before))
  HITS_DURING_WRK=$(($(metric imgflo_cache_hits_total) - hits_before))
  WRK_COMMAND="wrk -t2 -c{100,1000} -d${DURATION}s --latency URL"
}

# Markdown rows and target lines from $TMP/wrk-results.
wrk_tables() {
  echo "| connections | server | req/s | p50 ms | p99 ms | errors |"
  echo "|---|---|---|---|---|---|"
  awk '{ printf "| %s | imgflo-server (cached 301) | %.0f | %s | %s | %s |\n", $1, $2, $3, $4, $5
         printf "| %s | nginx `return 301` | %.0f | %s | %s | %s |\n", $1, $6, $7, $8, $9 }' "$TMP/wrk-results"
  echo
  echo "| target | measured | limit | result |"
  echo "|---|---|---|---|"
  awk '{ r = $2 / $6
         printf "| throughput ours/nginx, %s connections | %.2f | ≥ 0.8 | **%s** |\n", $1, r, (r >= 0.8 && $5 == 0) ? "PASS" : "FAIL"
         printf "| our p99 latency, %s connections | %s ms | ≤ 5 ms | **%s** |\n", $1, $4, ($4 <= 5) ? "PASS" : "FAIL" }' \
    "$TMP/wrk-results"
}

# ---------------------------------------------------------------------------
# Cold processing latency
# ---------------------------------------------------------------------------
bench_cold() {
  local label graph query i url status secs
  while IFS='|' read -r label graph query; do
    echo "== cold: $label ($COLD_RUNS requests)" >&2
    : >"$TMP/cold.txt"
    local failures=0 jobs_before
    jobs_before=$(metric imgflo_jobs_started_total)
    for i in $(seq -w "$COLD_RUNS"); do
      url="http://127.0.0.1:$IMGFLO_PORT$(graph_path "$graph" "input=files/cold-$i.jpg${query:+&$query}")"
      read -r status secs < <(get "$url")
      if [[ $status == 301 ]]; then echo "$secs" >>"$TMP/cold.txt"; else failures=$((failures + 1)); fi
    done
    local jobs=$(($(metric imgflo_jobs_started_total) - jobs_before))
    awk -v l="$label" -v q="/graph/$graph?input=files/cold-NN.jpg${query:+&$query}" -v f="$failures" -v j="$jobs" \
        -v med="$(percentile 50 <"$TMP/cold.txt")" -v p90="$(percentile 90 <"$TMP/cold.txt")" \
        -v lo="$(percentile 0 <"$TMP/cold.txt")" -v hi="$(percentile 100 <"$TMP/cold.txt")" -v n="$(wc -l <"$TMP/cold.txt")" '
      function ms(v) { return v == "n/a" ? v : sprintf("%.0f", v * 1000) }
      BEGIN { printf "| %s | `%s` | %d | %s | %s | %s | %s | %d | %d |\n", l, q, n, ms(med), ms(p90), ms(lo), ms(hi), f, j }' \
      >>"$TMP/cold-rows"
  done <<<"$COLD_CASES"
}

# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------
ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 8192 || true
make_resources
make_apps
LOAD_BEFORE=$(load_average)
start_imgflo
start_nginx_redirect "$THREADS"
: >"$TMP/wrk-results"
: >"$TMP/cold-rows"
((WRK == 0)) || bench_cached
((COLD == 0)) || bench_cold
LOAD_AFTER=$(load_average)

SECTION=$DATA/http-$(date -u +%Y%m%d-%H%M%S).md
{
  echo "## HTTP: \`imgflo-server\` vs nginx (bench/http.sh)"
  echo
  echo "Command: \`$INVOCATION\` — imgflo-server (embedded, $THREADS event-loop threads," \
       "$(nproc) workers) and nginx 1.22 ($THREADS worker processes) on 127.0.0.1, wrk on the same machine."
  echo
  machine_facts
  echo "- $(nginx -v 2>&1), $(wrk -v 2>&1 | sed -n 1p | cut -d" " -f1-2), ulimit -n $(ulimit -n)"
  echo "- load average (1/5/15 min) before: $LOAD_BEFORE, after: $LOAD_AFTER"
  if [[ -s $TMP/wrk-results ]]; then
    echo
    echo "### Cached hits (\`$WRK_COMMAND\`)"
    echo
    if ((APPS > 0)); then
      echo "Auth on: $APPS apps in the server's SQLite applications database; the URL is signed by the last one."
    fi
    echo "Ours: \`GET $CACHED_URL\` (primed once, then every request is a cache hit answered with 301;"
    echo "jobs started during the wrk runs: $JOBS_DURING_WRK, cache hits counted: $HITS_DURING_WRK)."
    echo "nginx: \`location / { return 301 http://example.com/x; }\`, access_log off, keepalive_requests 1000000."
    echo
    wrk_tables
  fi
  if [[ -s $TMP/cold-rows ]]; then
    echo
    echo "### Cold processing latency (cache misses, 2000×2000 JPEG Q90 via \`files/\`, sequential curl)"
    echo
    echo "Each request names another copy of the same JPEG (\`cold-01.jpg\`…), so each is a cache miss doing"
    echo "the same work: read + decode + graph + encode + store, until the 301 arrives. Times in ms."
    echo
    echo "| graph | request | n | median | p90 | min | max | failed | jobs run |"
    echo "|---|---|---|---|---|---|---|---|---|"
    cat "$TMP/cold-rows"
  fi
} >"$SECTION"

cat "$SECTION"
if ((RECORD)); then
  record_section "$ROOT/bench/RESULTS.md" http.sh "$SECTION"
  echo "recorded in bench/RESULTS.md (section also in ${SECTION#"$ROOT/"})" >&2
fi
! grep -q '\*\*FAIL\*\*' "$SECTION"
