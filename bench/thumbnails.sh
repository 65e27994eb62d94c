#!/usr/bin/env bash
# bench/thumbnails.sh — thumbnails end to end over HTTP vs sharp 0.34 in-process.
#
# Three photos, 2048x1365, 2048x1367 and 2048x1368 JPEG (Q90, from examples/mountains.png,
# kept in BUILD_DIR/bench), each copied under JOBS distinct names into the server's
# --resources folder so that every request is a cache miss doing identical work:
# `GET /graph/passthrough.jpg?input=files/NAME.jpg&width=512` against one imgflo-server
# with its default settings (embedded jobs, IMGFLO_WORKERS = number of CPUs), CONCURRENCY
# requests in flight over CONCURRENCY keep-alive connections (bench/load_client.js, node's
# http.Agent); the job answers 301 once the thumbnail is stored.
# Next to it, in the same run and alternating with it, sharp 0.34 (npm, installed here into
# bench/node_modules by this script; not part of the product) thumbnails the same files
# in-process to width 512 with the service's JPEG settings (q90, progressive, optimised
# Huffman, 4:4:4): bench/sharp_thumbnails.js.
#
# Per size and side: CPU ms per image (ours: user+sys ticks of the server process from
# /proc/PID/stat over the batch, the load client's own CPU reported next to it; sharp:
# process.cpuUsage() over the jobs, start-up and file reads excluded) at concurrency 2, and images/s (wall) at concurrency 2 and 8.
# CPU time is what the shared 2-core machine measures reliably; wall throughput moves
# with the other load on it (both sides run back to back, RUNS times alternating).
# Targets (issue 12): CPU per image <= 0.85x sharp's; throughput >= 1.2x sharp's at 2 and 8;
# ours at 8 >= 0.95x ours at 2.
#
# Usage: bench/thumbnails.sh [--record] [--jobs N] [--runs N]
# Environment: BUILD_DIR (default build), HTTP_THREADS (default nproc). The section is always
# written to BUILD_DIR/bench/thumbnails-<time>.md; exit status 1 when a request failed or a
# target was missed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
INVOCATION="bench/thumbnails.sh $*"
JOBS=40 RUNS=2 RECORD=0 LEVELS=(2 8) WIDTH=512 SIZES=(2048x1365 2048x1367 2048x1368)
while (($#)); do
  case $1 in
    --record) RECORD=1 ;;
    --jobs) JOBS=$2; shift ;;
    --runs) RUNS=$2; shift ;;
    *) echo "usage: $0 [--record] [--jobs N] [--runs N]" >&2; exit 2 ;;
  esac
  shift
done

make_tmp imgflo-thumbnails-bench

# sharp from npm into bench/node_modules (bench/package.json), once.
install_sharp() {
  [[ -d $ROOT/bench/node_modules/sharp ]] ||
    (cd "$ROOT/bench" && npm install --no-audit --no-fund --loglevel=error >&2)
  SHARP_VERSION=$(cd "$ROOT/bench" && node -p "require('sharp/package.json').version")
  SHARP_VIPS=$(cd "$ROOT/bench" && node -p "require('sharp').versions.vips")
}

# The inputs (kept in DATA) and JOBS copies of each, per run and level, for both sides.
prepare_inputs() {
  local size input run conc i
  mkdir -p "$DATA" "$TMP/resources"
  for size in "${SIZES[@]}"; do
    input=$DATA/thumb-$size.jpg
    [[ -s $input ]] || vips thumbnail "$ROOT/examples/mountains.png" "${input}[Q=90]" "${size%x*}" \
      --height "${size#*x}" --size force
    [[ $(vipsheader -f height "$input") == "${size#*x}" ]] || { echo "$input is not $size" >&2; exit 1; }
    for run in $(seq "$RUNS"); do
      for conc in "${LEVELS[@]}"; do
        for i in $(seq -w "$JOBS"); do cp "$input" "$TMP/resources/$size-c$conc-r$run-$i.jpg"; done
      done
    done
  done
  cp "$DATA/thumb-${SIZES[0]}.jpg" "$TMP/resources/warm-up.jpg"
}

start_server() {
  start_imgflo_server 10 -- --http-threads "$THREADS" --resources "$TMP/resources" --request-timeout 600
  PIDS+=("$IMGFLO_PID")
  local status
  status=$(get "http://127.0.0.1:$IMGFLO_PORT/graph/passthrough.jpg?input=files/warm-up.jpg&width=$WIDTH" |
    cut -d' ' -f1)
  [[ $status == 301 ]] || { echo "warm-up request answered $status" >&2; exit 1; }
}

# user+sys clock ticks of the server so far.
server_ticks() { awk '{ print $14 + $15 }' "/proc/$IMGFLO_PID/stat"; }

# One batch of ours; appends "size side conc run images ok wall_s cpu_s client_cpu_s" to TMP/results.
#   run_ours SIZE CONCURRENCY RUN
run_ours() {
  local size=$1 conc=$2 run=$3 i ticks0 ticks1 line n ok wall client
  for i in $(seq -w "$JOBS"); do
    echo "http://127.0.0.1:$IMGFLO_PORT/graph/passthrough.jpg?input=files/$size-c$conc-r$run-$i.jpg&width=$WIDTH"
  done >"$TMP/urls.txt"
  ticks0=$(server_ticks)
  line=$(node "$ROOT/bench/load_client.js" "$conc" 301 "$TMP/urls.txt") || FAILED=1
  ticks1=$(server_ticks)
  read -r n ok wall client <<<"$line"
  ((ok == JOBS)) || FAILED=1
  awk -v s="$size" -v c="$conc" -v r="$run" -v n="$n" -v ok="$ok" -v w="$wall" -v cl="$client" \
      -v t0="$ticks0" -v t1="$ticks1" -v hz="$(getconf CLK_TCK)" \
      'BEGIN { printf "%s ours %d %d %d %d %.3f %.3f %.3f\n", s, c, r, n, ok, w, (t1 - t0) / hz, cl }' |
    tee -a "$TMP/results" >&2
}

# One batch of sharp on the same files, as run_ours.
run_sharp() {
  local size=$1 conc=$2 run=$3 line
  line=$(cd "$ROOT/bench" && node sharp_thumbnails.js "$WIDTH" "$conc" "$TMP/resources/$size-c$conc-r$run-"*.jpg)
  read -r n wall cpu <<<"$line"
  echo "$size sharp $conc $run $n $n $wall $cpu 0" | tee -a "$TMP/results" >&2
}

# Means per size, side and level: "size side conc ms_per_image images_per_s client_ms_per_image".
summarise() {
  awk '{ k = $1 " " $2 " " $3; cpu[k] += $8; n[k] += $6; wall[k] += $7; client[k] += $9 }
       END { for (k in n) printf "%s %.1f %.2f %.1f\n", k, 1000 * cpu[k] / n[k], n[k] / wall[k], 1000 * client[k] / n[k] }' "$TMP/results" |
    sort -k1,1 -k3,3n -k2,2
}

report() {
  echo "## Thumbnails over HTTP vs sharp (bench/thumbnails.sh)"
  echo
  machine_facts
  echo "- command: \`$INVOCATION\` (BUILD_DIR=${BUILD#"$ROOT"/}), load average $LOAD_BEFORE before, $(load_average) after"
  echo "- ours: \`imgflo-server --http-threads $THREADS\` (other settings default), $JOBS distinct requests per batch"
  echo "  \`/graph/passthrough.jpg?input=files/SIZE-cCONC-rRUN-NN.jpg&width=$WIDTH\`, \`bench/load_client.js CONC\` (CONC keep-alive"
  echo "  connections); CPU = the server's; the client's own CPU (same 2 cores) is listed apart"
  echo "- sharp $SHARP_VERSION (libvips $SHARP_VIPS) in-process, \`bench/sharp_thumbnails.js $WIDTH CONC FILES\`:"
  echo "  resize width $WIDTH, jpeg q90 progressive 4:4:4 optimised Huffman; CPU = the node process's during the jobs"
  echo "- $RUNS runs per batch, ours and sharp alternating; means over the runs"
  echo
  echo "| input | concurrency | ours CPU ms/image | sharp CPU ms/image | CPU ours/sharp | ours images/s | sharp images/s | throughput ours/sharp | load client CPU ms/image |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
  summarise | awk '
    { key = $1 " " $3; cpu[key, $2] = $4; ips[key, $2] = $5; client[key, $2] = $6; if (!(key in seen)) { seen[key] = 1; order[++n] = key } }
    END {
      for (i = 1; i <= n; i++) {
        split(order[i], p, " "); k = order[i]
        printf "| %s | %s | %.1f | %.1f | %.2f× | %.2f | %.2f | %.2f× | %.1f |\n", p[1], p[2], cpu[k, "ours"], cpu[k, "sharp"],
          cpu[k, "ours"] / cpu[k, "sharp"], ips[k, "ours"], ips[k, "sharp"], ips[k, "ours"] / ips[k, "sharp"], client[k, "ours"]
      }
    }'
  echo
  summarise | awk -v lo="${LEVELS[0]}" -v hi="${LEVELS[1]}" '
    $2 == "ours" { ips[$1, $3] = $5; sizes[$1] = 1 }
    END { for (s in sizes) printf "- ours, %s: images/s at %s vs %s at a time %.2f×\n", s, hi, lo, ips[s, hi] / ips[s, lo] }' |
    sort
}

# Exit status 1 when a target is missed (CPU at the lower level, throughput at both).
check_targets() {
  summarise | awk -v lo="${LEVELS[0]}" -v hi="${LEVELS[1]}" '
    { cpu[$1, $2, $3] = $4; ips[$1, $2, $3] = $5; sizes[$1] = 1 }
    END {
      bad = 0
      for (s in sizes) {
        if (cpu[s, "ours", lo] > 0.85 * cpu[s, "sharp", lo]) { print "MISSED: CPU per image " s > "/dev/stderr"; bad = 1 }
        if (ips[s, "ours", lo] < 1.2 * ips[s, "sharp", lo] || ips[s, "ours", hi] < 1.2 * ips[s, "sharp", hi]) {
          print "MISSED: throughput vs sharp " s > "/dev/stderr"; bad = 1 }
        if (ips[s, "ours", hi] < 0.95 * ips[s, "ours", lo]) { print "MISSED: scaling " s > "/dev/stderr"; bad = 1 }
      }
      exit bad
    }'
}

FAILED=0
LOAD_BEFORE=$(load_average)
install_sharp
prepare_inputs
start_server
: >"$TMP/results"
for run in $(seq "$RUNS"); do
  for size in "${SIZES[@]}"; do
    for conc in "${LEVELS[@]}"; do
      echo "== $size, $conc at a time (run $run), load $(load_average)" >&2
      run_ours "$size" "$conc" "$run"
      run_sharp "$size" "$conc" "$run"
    done
  done
done
OUT=$DATA/thumbnails-$(date -u +%Y%m%d-%H%M%S).md
report >"$OUT"
cat "$OUT"
((RECORD == 0)) || record_section "$ROOT/bench/RESULTS.md" thumbnails.sh "$OUT"
check_targets || FAILED=1
exit "$FAILED"
