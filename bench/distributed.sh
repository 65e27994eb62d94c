#!/usr/bin/env bash
# bench/distributed.sh — the distributed mode (RabbitMQ + Redis) on this machine.
#
# 1. Cached hits through the Redis path: a frontend (IMGFLO_BROKER_URL set, IMGFLO_WORKER=
#    external, IMGFLO_CACHE=redis-local) with --hot-ttl 0, so every request looks the key
#    up in Redis, under `wrk --latency -t2 -d10s` at 100 and 1000 connections; in the same
#    run, for comparison: the same frontend with the default hot path (--hot-ttl 60: repeats
#    are answered from the frontend's memory), the embedded default's in-memory index with
#    --hot-ttl 0, and nginx `return 301`. Redis' own GET counter (INFO commandstats) shows
#    how many lookups each run really sent to Redis. Below the table, the raw Redis client:
#    build/redis_get_bench (our hiredis client, async gets) vs redis-benchmark GET.
# 2. Processing throughput with 1 vs 2 imgflo-worker processes (--role urgent, one
#    processing thread each, each pinned to its own CPU with taskset) behind one frontend:
#    JOBS distinct cache misses (gradientmap of differently named copies of a 1000x1000 JPEG
#    via files/), CONCURRENCY clients at a time; jobs/s and per-request latency. Reference in
#    the same run: the embedded default with 1 and 2 processing threads, unpinned.
#
# Services: the test services (scripts/services.sh fixture-start build/test-services) are
# reused when running, else started and stopped again at the end; every queue and Redis key
# of the run carries its own prefix. Frontends, workers and nginx are stopped by PID.
#
# Usage: bench/distributed.sh [--record] [--duration S] [--jobs N] [--concurrency N] [--no-wrk]
#                             [--no-jobs]
# Environment: BUILD_DIR (default build), HTTP_THREADS (default nproc). The section is always
# written to build/bench/distributed-<time>.md; exit status 1 when a run had failures.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
INVOCATION="bench/distributed.sh $*"
DURATION=10 JOBS=40 CONCURRENCY=8 RECORD=0 WRK=1 JOBRUNS=1
while (($#)); do
  case $1 in
    --record) RECORD=1 ;;
    --duration) DURATION=$2; shift ;;
    --jobs) JOBS=$2; shift ;;
    --concurrency) CONCURRENCY=$2; shift ;;
    --no-wrk) WRK=0 ;;
    --no-jobs) JOBRUNS=0 ;;
    *) echo "usage: $0 [--record] [--duration S] [--jobs N] [--concurrency N] [--no-wrk] [--no-jobs]" >&2; exit 2 ;;
  esac
  shift
done

SERVICES=$BUILD/test-services
PREFIX=bench$$
make_tmp imgflo-distributed-bench
on_exit() { "$ROOT/scripts/services.sh" fixture-stop "$SERVICES" >&2 || true; }

# ---------------------------------------------------------------------------
# Services and processes
# ---------------------------------------------------------------------------
# Settings every distributed process of this run shares (own queue and key prefixes).
export_distributed_env() {
  export IMGFLO_BROKER_URL=$BROKER_URL IMGFLO_BROKER_PREFIX=${PREFIX}_$1_ IMGFLO_CACHE=redis-local
  export IMGFLO_REDIS_URL=$REDIS_URL IMGFLO_REDIS_PREFIX=${PREFIX}_$1/
}

redis_gets() {
  redis-cli -p "$REDIS_PORT" info commandstats | awk -F'[=,:]' '$1 == "cmdstat_get" { print $3 }' | tr -d '\r'
}

make_resources() {
  mkdir -p "$TMP/resources" "$TMP/work" "$DATA"
  cp "$ROOT/examples/gradient-black-white.png" "$TMP/resources/"
  [[ -s $DATA/in-1000x1000.jpg ]] ||
    vips thumbnail "$ROOT/examples/mountains.png" "$DATA/in-1000x1000.jpg[Q=90]" 1000 --height 1000 --size force
}

# Removes the distributed settings: the next process runs the embedded default.
unexport_distributed_env() {
  unset IMGFLO_BROKER_URL IMGFLO_BROKER_PREFIX IMGFLO_CACHE IMGFLO_REDIS_URL IMGFLO_REDIS_PREFIX
}

# ---------------------------------------------------------------------------
# 1. Cached hits
# ---------------------------------------------------------------------------
CACHED_PATH="/graph/gradientmap.png?input=files/gradient-black-white.png"

# wrk at 100 and 1000 connections against the current IMGFLO_PORT; appends
# "label conns rps p50 p99 errors redis_gets requests jobs" rows to TMP/wrk-results.
#   wrk_server LABEL
wrk_server() {
  local label=$1 url="http://127.0.0.1:$IMGFLO_PORT$CACHED_PATH" conns status
  read -r status _ < <(get "$url")
  [[ $status == 301 ]] || { echo "priming $url gave $status" >&2; return 1; }
  for conns in 100 1000; do
    echo "== wrk, $conns connections: $label" >&2
    local gets_before requests_before jobs_before result
    gets_before=$(redis_gets)
    requests_before=$(metric imgflo_http_requests_total)
    jobs_before=$(metric imgflo_jobs_submitted_total)
    result=$(run_wrk "$conns" "$url")
    echo "$label $conns $result $(($(redis_gets) - gets_before))" \
      "$(($(metric imgflo_http_requests_total) - requests_before))" \
      "$(($(metric imgflo_jobs_submitted_total) - jobs_before))" >>"$TMP/wrk-results"
    sleep 2
  done
}

bench_cached() {
  export_distributed_env cached
  WORKER_PIDS=()
  start_worker cached-worker "" --role urgent --workers 1
  local ttl
  for ttl in 0 60; do
    start_frontend "redis-ttl$ttl" --request-timeout 600 --worker-mode external --hot-ttl "$ttl"
    wrk_server "redis,hot-ttl=$ttl"
    stop_pids "$IMGFLO_PID"
  done
  stop_pids "${WORKER_PIDS[@]}"
  unexport_distributed_env
  start_frontend embedded-ttl0 --request-timeout 600 --hot-ttl 0
  wrk_server "memory,hot-ttl=0"
  stop_pids "$IMGFLO_PID"
  local conns
  for conns in 100 1000; do
    echo "== wrk, $conns connections: nginx return 301" >&2
    echo "nginx $conns $(run_wrk "$conns" "http://127.0.0.1:$NGINX_PORT/") 0 - -" >>"$TMP/wrk-results"
    sleep 2
  done
}

# Our Redis client alone and redis-benchmark, both GET of one key, in this run.
bench_redis_client() {
  redis-cli -p "$REDIS_PORT" set "${PREFIX}_probe" "http://example.com/x.png" >/dev/null
  if [[ -x $BUILD/redis_get_bench ]]; then
    "$BUILD/redis_get_bench" --n 50000 --window 64 --connections 2 --url "$REDIS_URL" >"$TMP/client.txt" 2>&1 || true
  fi
  redis-benchmark -h 127.0.0.1 -p "$REDIS_PORT" -t get -n 100000 -c 64 -q 2>/dev/null | tr '\r' '\n' |
    grep -v '^$' | tail -1 >"$TMP/redis-benchmark.txt" || true
  redis-cli -p "$REDIS_PORT" del "${PREFIX}_probe" >/dev/null
}

wrk_table() {
  echo "| index | connections | req/s | vs nginx | p50 ms | p99 ms | errors | Redis GETs | requests counted | jobs |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
  awk 'NR == FNR { if ($1 == "nginx") ref[$2] = $3; next }
       { printf "| %s | %s | %.0f | %.2f | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $3 / ref[$2], $4, $5, $6, $7, $8, $9 }' \
    "$TMP/wrk-results" "$TMP/wrk-results"
}

# ---------------------------------------------------------------------------
# 2. Processing throughput
# ---------------------------------------------------------------------------
# Sends JOBS gradientmap requests to IMGFLO_PORT, CONCURRENCY at a time, each on its own
# copy of the input (a cache key no earlier run used); appends "label jobs ok seconds
# jobs_per_s p50_ms p90_ms max_ms" to TMP/job-results.
#   run_jobs LABEL
run_jobs() {
  local label=$1 start end i run
  run=$(wc -l <"$TMP/job-results")
  for i in $(seq -w "$JOBS"); do
    cp "$DATA/in-1000x1000.jpg" "$TMP/resources/job$run-$i.jpg"
    echo "http://127.0.0.1:$IMGFLO_PORT/graph/gradientmap?input=files/job$run-$i.jpg"
  done >"$TMP/urls.txt"
  echo "== $JOBS jobs, $CONCURRENCY at a time: $label" >&2
  start=$(date +%s.%N)
  xargs -P "$CONCURRENCY" -n 1 curl -s -o /dev/null -w '%{http_code} %{time_total}\n' <"$TMP/urls.txt" >"$TMP/jobs.txt"
  end=$(date +%s.%N)
  local ok secs
  ok=$(awk '$1 == 301' "$TMP/jobs.txt" | wc -l)
  secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
  awk '$1 == 301 { print $2 * 1000 }' "$TMP/jobs.txt" >"$TMP/lat.txt"
  echo "$label $JOBS $ok $secs $(awk -v n="$ok" -v s="$secs" 'BEGIN { printf "%.1f", n / s }')" \
    "$(percentile 50 <"$TMP/lat.txt")" "$(percentile 90 <"$TMP/lat.txt")" "$(percentile 100 <"$TMP/lat.txt")" \
    >>"$TMP/job-results"
}

bench_jobs() {
  local n
  for n in 1 2; do
    export_distributed_env "w$n"
    WORKER_PIDS=()
    local i
    for i in $(seq "$n"); do start_worker "worker$n-$i" "$((i - 1))" --role urgent --workers 1; done
    start_frontend "jobs-w$n" --request-timeout 600 --worker-mode external --hot-ttl 0
    run_jobs "rabbitmq,${n}-worker-process(es),pinned"
    stop_pids "$IMGFLO_PID" "${WORKER_PIDS[@]}"
  done
  unexport_distributed_env
  for n in 1 2; do
    start_frontend "embedded-$n" --request-timeout 600 --workers "$n" --hot-ttl 0
    run_jobs "embedded,${n}-thread(s)"
    stop_pids "$IMGFLO_PID"
  done
}

jobs_table() {
  echo "| jobs through | requests | 301 | wall s | jobs/s | vs 1 of the same kind | p50 ms | p90 ms | max ms |"
  echo "|---|---|---|---|---|---|---|---|---|"
  awk '{ kind = $1; sub(/,.*/, "", kind); if (!(kind in first)) first[kind] = $5
         printf "| %s | %s | %s | %s | %s | %.2f | %.0f | %.0f | %.0f |\n", $1, $2, $3, $4, $5, $5 / first[kind], $6, $7, $8 }' \
    "$TMP/job-results"
}

# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------
ulimit -n "$(ulimit -Hn)" 2>/dev/null || ulimit -n 8192 || true
make_resources
start_services
start_nginx_redirect "$THREADS"
LOAD_BEFORE=$(load_average)
: >"$TMP/wrk-results"
: >"$TMP/job-results"
if ((WRK)); then
  bench_cached
  bench_redis_client
fi
((JOBRUNS == 0)) || bench_jobs
LOAD_AFTER=$(load_average)

SECTION=$DATA/distributed-$(date -u +%Y%m%d-%H%M%S).md
{
  echo "## Distributed mode: RabbitMQ + Redis (bench/distributed.sh)"
  echo
  echo "Command: \`$INVOCATION\` — frontends with $THREADS event-loop threads, RabbitMQ, Redis, wrk and"
  echo "nginx ($THREADS worker processes) all on this machine (127.0.0.1)."
  echo
  machine_facts
  echo "- $(redis-server --version | cut -d' ' -f1-3), RabbitMQ $(dpkg-query -W -f '${Version}' rabbitmq-server 2>/dev/null)," \
       "$(nginx -v 2>&1 | cut -d' ' -f3), $(wrk -v 2>&1 | sed -n 1p | cut -d' ' -f1-2)"
  echo "- load average (1/5/15 min) before: $LOAD_BEFORE, after: $LOAD_AFTER"
  if [[ -s $TMP/wrk-results ]]; then
    echo
    echo "### Cached hits (\`wrk -t2 -c{100,1000} -d${DURATION}s --latency\`)"
    echo
    echo "\`GET $CACHED_PATH\`, primed once. \`redis\`: frontend with IMGFLO_BROKER_URL, IMGFLO_WORKER=external,"
    echo "IMGFLO_CACHE=redis-local; \`hot-ttl=0\` sends every request's lookup to Redis, \`hot-ttl=60\` (the default)"
    echo "answers repeats of a URL from the frontend's memory for 60 s. \`memory\`: the embedded default's index."
    echo "Redis GETs: Redis' own \`cmdstat_get\` count during the run; requests counted: the frontend's"
    echo "\`imgflo_http_requests_total\`; jobs: jobs submitted during the run (0 = every request was a hit)."
    echo
    wrk_table
    echo
    echo "Redis client alone, GET of one key on the same Redis (async, 64 in flight):"
    echo
    echo '```'
    echo "build/redis_get_bench --n 50000 --window 64 --connections 2:"
    cat "$TMP/client.txt" 2>/dev/null || echo "(not built)"
    echo "redis-benchmark -t get -n 100000 -c 64 -q:"
    cat "$TMP/redis-benchmark.txt"
    echo '```'
  fi
  if [[ -s $TMP/job-results ]]; then
    echo
    echo "### Processing throughput, 1 vs 2 workers"
    echo
    echo "$JOBS distinct GETs \`/graph/gradientmap?input=files/jobR-NN.jpg\` (copies of one 1000×1000 JPEG Q90),"
    echo "$CONCURRENCY at a time with curl; each is a cache miss doing the same work. \`rabbitmq\`: one frontend"
    echo "(IMGFLO_WORKER=external, Redis index, results in a shared folder) and N \`imgflo-worker --role urgent"
    echo "--workers 1\` processes, each pinned to its own CPU with \`taskset\` (a worker per core, as a worker per"
    echo "machine would be; unpinned, one job's libvips threads already use every core of this machine);"
    echo "\`embedded\`: the default mode with N processing threads, unpinned. Latency is per request (sent → 301),"
    echo "so it includes queueing behind the other clients."
    echo
    jobs_table
  fi
} >"$SECTION"

cat "$SECTION"
if ((RECORD)); then
  record_section "$ROOT/bench/RESULTS.md" distributed.sh "$SECTION"
  echo "recorded in bench/RESULTS.md (section also in ${SECTION#"$ROOT/"})" >&2
fi
! awk '$1 ~ /^(redis|memory)/ && $6 != 0 { bad = 1 } END { exit !bad }' "$TMP/wrk-results" &&
  ! awk '$2 != $3 { bad = 1 } END { exit !bad }' "$TMP/job-results"
