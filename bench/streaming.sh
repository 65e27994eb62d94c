#!/usr/bin/env bash
# bench/streaming.sh — peak RSS and CPU of one job per graph on a 29 MP JPEG for the
# graphs whose float ops stream per tile (issue 12 §3: runtime/ops/tiled.h):
# motionblur, desaturate, enhancelowres, halodarken. Each runs once under
# /usr/bin/time -v as `imgflo-process --timeout 0 GRAPH.jpg OUT input=29mp.jpg`, next to the
# plain-vips stand-in bench/runtime.sh uses for it (same JPEG settings; a lower bound of the
# work), and, with --before BIN, the same job on another imgflo-process (e.g. a build of the
# commit before the streaming ops) in the same run.
#
# Input (made once with vips from examples/mountains.png, kept in build/bench/): 6600x4400
# (29.0 MP) JPEG Q90.
#
# Usage: bench/streaming.sh [--record] [--before BIN] [--only GRAPH]
#   --record      replace the streaming section of bench/RESULTS.md with this run's
#   --before BIN  also measure BIN (an imgflo-process binary) on the same jobs
#   --only GRAPH  measure one graph
# Environment: BUILD_DIR (default build). The section is always written to
# build/bench/streaming-<time>.md. One job per row: minutes on a loaded 2-core machine
# (desaturate alone is ~80 CPU s).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
make_tmp imgflo-bench-streaming
RECORD=0 BEFORE="" ONLY=""
INVOCATION="bench/streaming.sh $*"
while (($#)); do
  case $1 in
    --record) RECORD=1 ;;
    --before) BEFORE=$2; shift ;;
    --only) ONLY=$2; shift ;;
    *) echo "usage: $0 [--record] [--before BIN] [--only GRAPH]" >&2; exit 2 ;;
  esac
  shift
done

JPEG="Q=90,interlace,optimize_coding,subsample_mode=off,strip"  # what imgflo writes
INPUT=$(large_jpeg_input)
{ echo "1 101 101 0"; for _ in $(seq 101); do echo 1; done; } >"$TMP/vertical101.mat"

# graph | plain-vips stand-in ({in}, {out}, {tmp} substituted)
CASES=$(cat <<'EOF'
motionblur|vips conv {in} {out}[{jpeg}] {tmp}/vertical101.mat --precision integer
desaturate|vips colourspace {in} {out}[{jpeg}] b-w
enhancelowres|vips rank {in} {out}[{jpeg}] 3 3 4
halodarken|vips gaussblur {in} {out}[{jpeg}] 10
EOF
)

# Runs a command under GNU time; prints "peak_MB cpu_s" (cpu = user + system), or "failed".
measure() {
  if /usr/bin/time -v -o "$TMP/time.txt" "$@" >/dev/null 2>"$TMP/stderr.txt"; then
    awk -F': ' '/Maximum resident/ { rss = $2 } /User time/ { u = $2 } /System time/ { s = $2 }
                END { printf "%.0f %.1f\n", rss / 1024, u + s }' "$TMP/time.txt"
  else
    echo "failed"
  fi
}

ROWS=()
LOAD_BEFORE=$(load_average)
while IFS='|' read -r graph reference; do
  [[ -z $ONLY || $ONLY == "$graph" ]] || continue
  ref=${reference//\{in\}/$INPUT}; ref=${ref//\{out\}/$TMP/ref.jpg}; ref=${ref//\{jpeg\}/$JPEG}; ref=${ref//\{tmp\}/$TMP}
  # shellcheck disable=SC2086  # the stand-in is a word list
  vips_m=$(measure $ref)
  ours=$(measure "$BUILD/imgflo-process" --timeout 0 "$graph.jpg" "$TMP/out.jpg" "input=$INPUT")
  before="–"
  [[ -z $BEFORE ]] || before=$(measure "$BEFORE" --graphs "$ROOT/graphs" --timeout 0 "$graph.jpg" "$TMP/out.jpg" "input=$INPUT")
  ROWS+=("$graph|$ours|$before|$vips_m|${reference%% \{in\}*}")
  echo "$graph: ours $ours, before $before, vips $vips_m" >&2
done <<<"$CASES"
LOAD_AFTER=$(load_average)

cell() { [[ $1 == failed || $1 == – ]] && echo "$1 | $1" || echo "${1% *} | ${1#* }"; }
ratio() { awk -v a="${1% *}" -v b="${2% *}" 'BEGIN { if (b > 0 && a > 0) printf "%.2f×", a / b; else print "–" }'; }

SECTION=$DATA/streaming-$(date -u +%Y%m%d-%H%M%S).md
{
  echo "## Issue 12 §3, streaming float ops: peak RSS per job on a 29 MP JPEG (bench/streaming.sh)"
  echo
  echo "Command: \`$INVOCATION\` — one run each under \`/usr/bin/time -v\`:" \
       "\`imgflo-process --timeout 0 GRAPH.jpg OUT input=6600x4400.jpg\` (defaults of each graph);" \
       "the plain-vips stand-in writes the same JPEG settings and is a lower bound of the work."
  echo
  machine_facts
  echo "- load average (1/5/15 min) before: $LOAD_BEFORE, after: $LOAD_AFTER"
  echo
  echo "| graph | peak MB | CPU s | before: peak MB | before: CPU s | vips peak MB | vips CPU s | peak vs vips | vips stand-in |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for row in "${ROWS[@]}"; do
    IFS='|' read -r graph ours before vips_m stand_in <<<"$row"
    echo "| $graph | $(cell "$ours") | $(cell "$before") | $(cell "$vips_m") | $(ratio "$ours" "$vips_m") | \`$stand_in\` |"
  done
} >"$SECTION"

cat "$SECTION"
if ((RECORD)); then
  record_section "$ROOT/bench/RESULTS.md" streaming.sh "$SECTION"
  echo "recorded in bench/RESULTS.md (section also in ${SECTION#"$ROOT/"})" >&2
fi
