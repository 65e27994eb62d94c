#!/usr/bin/env bash
# bench/concurrency.sh — throughput of concurrent processing jobs on this machine.
#
# One imgflo-server (embedded default, WORKERS in-process job threads) gets JOBS distinct
# cache misses at a time CONCURRENCY of 2, then 8 (each level run RUNS times, alternating,
# so both see the same machine load): gaussianblur (gegl/gaussian-blur, whose IIR passes run
# on the runtime's fork-join helper) of differently named copies of one SIZE x SIZE JPEG via
# files/, so every request does identical work and nothing is cached. Per run: jobs/s (wall),
# CPU seconds per job (user+sys of the server from /proc/PID/stat, so the machine's other
# load does not count) and the peak thread count of the server (/proc/PID/status, sampled
# every 50 ms). Below the table: jobs/s and CPU s/job at 8 divided by the same at 2 (mean
# of the runs). With the cores busy at 2 already, a flat throughput (jobs/s ratio ~1, CPU
# ratio ~1) means more concurrent jobs cost nothing extra; oversubscribed compute threads
# show as a CPU ratio above 1.
#
# Usage: bench/concurrency.sh [--record] [--jobs N] [--runs N] [--size PX] [--workers N]
# Environment: BUILD_DIR (default build), HTTP_THREADS (default nproc). The section is always
# written to BUILD_DIR/bench/concurrency-<time>.md; exit status 1 when a request failed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
INVOCATION="bench/concurrency.sh $*"
JOBS=24 RUNS=2 SIZE=2000 WORKERS=8 RECORD=0 LEVELS=(2 8)
while (($#)); do
  case $1 in
    --record) RECORD=1 ;;
    --jobs) JOBS=$2; shift ;;
    --runs) RUNS=$2; shift ;;
    --size) SIZE=$2; shift ;;
    --workers) WORKERS=$2; shift ;;
    *) echo "usage: $0 [--record] [--jobs N] [--runs N] [--size PX] [--workers N]" >&2; exit 2 ;;
  esac
  shift
done

make_tmp imgflo-concurrency-bench
INPUT=$DATA/in-${SIZE}x${SIZE}.jpg
GRAPH=gaussianblur

# The input once (kept in DATA), the resources folder, the server.
prepare() {
  mkdir -p "$DATA" "$TMP/resources"
  [[ -s $INPUT ]] ||
    vips thumbnail "$ROOT/examples/mountains.png" "${INPUT}[Q=90]" "$SIZE" --height "$SIZE" --size force
  cp "$INPUT" "$TMP/resources/warm-up.jpg"
  start_imgflo_server 10 -- --http-threads "$THREADS" --workers "$WORKERS" --resources "$TMP/resources" \
    --request-timeout 600
  PIDS+=("$IMGFLO_PID")
  local status
  status=$(get "http://127.0.0.1:$IMGFLO_PORT/graph/$GRAPH?input=files/warm-up.jpg" | cut -d' ' -f1)
  [[ $status == 301 ]] || { echo "warm-up request answered $status" >&2; exit 1; }
}

# user+sys clock ticks of the server so far.
server_ticks() { awk '{ print $14 + $15 }' "/proc/$IMGFLO_PID/stat"; }

# Writes the highest "Threads:" of the server to $1 until the file TMP/sampling disappears.
sample_threads() {
  local peak=0 n
  while [[ -e $TMP/sampling ]]; do
    n=$(awk '$1 == "Threads:" { print $2 }' "/proc/$IMGFLO_PID/status")
    ((n > peak)) && peak=$n
    sleep 0.05
  done
  echo "$peak" >"$1"
}

# JOBS distinct misses, $1 at a time; appends "concurrency run jobs ok wall_s jobs_per_s
# cpu_s_per_job peak_threads" to TMP/results.
#   run_level CONCURRENCY RUN
run_level() {
  local conc=$1 run=$2 i start end ticks0 ticks1 hz ok
  hz=$(getconf CLK_TCK)
  for i in $(seq -w "$JOBS"); do
    cp "$INPUT" "$TMP/resources/c$conc-r$run-$i.jpg"
    echo "http://127.0.0.1:$IMGFLO_PORT/graph/$GRAPH?input=files/c$conc-r$run-$i.jpg"
  done >"$TMP/urls.txt"
  echo "== $JOBS jobs, $conc at a time (run $run), load $(load_average)" >&2
  touch "$TMP/sampling"
  sample_threads "$TMP/peak" &
  ticks0=$(server_ticks)
  start=$(date +%s.%N)
  xargs -P "$conc" -n 1 curl -s -o /dev/null -w '%{http_code}\n' <"$TMP/urls.txt" >"$TMP/status.txt"
  end=$(date +%s.%N)
  ticks1=$(server_ticks)
  rm -f "$TMP/sampling"
  wait $!
  ok=$(awk '$1 == 301' "$TMP/status.txt" | wc -l)
  ((ok == JOBS)) || FAILED=1
  awk -v c="$conc" -v r="$run" -v n="$JOBS" -v ok="$ok" -v a="$start" -v b="$end" -v t0="$ticks0" \
      -v t1="$ticks1" -v hz="$hz" -v peak="$(cat "$TMP/peak")" 'BEGIN {
    wall = b - a; cpu = (t1 - t0) / hz
    printf "%d %d %d %d %.2f %.2f %.3f %d\n", c, r, n, ok, wall, ok / wall, cpu / n, peak }' \
    | tee -a "$TMP/results" >&2
}

# The markdown section from TMP/results.
report() {
  echo "## Concurrent jobs: throughput at 2 vs 8 at a time (bench/concurrency.sh)"
  echo
  machine_facts
  echo "- command: \`$INVOCATION\` (BUILD_DIR=${BUILD#"$ROOT"/}), load average $LOAD_BEFORE before, $(load_average) after"
  echo "- server: \`imgflo-server --workers $WORKERS --http-threads $THREADS\`; $JOBS distinct requests per run:"
  echo "  \`/graph/$GRAPH?input=files/cCONC-rRUN-NN.jpg\` (copies of a ${SIZE}x${SIZE} JPEG Q90), \`xargs -P CONC curl\`"
  echo
  echo "| concurrency | run | jobs | ok | wall s | jobs/s | CPU s/job | peak threads |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
  sort -n -k1,1 -k2,2 "$TMP/results" | awk '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8 }'
  echo
  awk -v lo="${LEVELS[0]}" -v hi="${LEVELS[1]}" '
    { jps[$1] += $6; cpu[$1] += $7; n[$1]++ }
    END {
      printf "Ratio %s vs %s at a time (means of the runs): jobs/s %.2f×, CPU s/job %.2f×\n", hi, lo,
        (jps[hi] / n[hi]) / (jps[lo] / n[lo]), (cpu[hi] / n[hi]) / (cpu[lo] / n[lo]) }' "$TMP/results"
}

FAILED=0
LOAD_BEFORE=$(load_average)
prepare
: >"$TMP/results"
for run in $(seq "$RUNS"); do
  for conc in "${LEVELS[@]}"; do run_level "$conc" "$run"; done
done
OUT=$DATA/concurrency-$(date -u +%Y%m%d-%H%M%S).md
report >"$OUT"
cat "$OUT"
((RECORD == 0)) || record_section "$ROOT/bench/RESULTS.md" concurrency.sh "$OUT"
exit "$FAILED"
