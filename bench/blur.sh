#!/usr/bin/env bash
# bench/blur.sh — the graphs built on gegl/gaussian-blur (gaussianblur at std-dev 10,
# halodarken, sharpen) on a 29 MP JPEG: peak RSS and CPU time of build/imgflo-process,
# next to the plain `vips` command standing in for each (same JPEG settings as imgflo
# writes) and, with --before, next to another imgflo-process build (e.g. the commit
# before the blur streamed) — plus the largest 8-bit difference between the two builds'
# PNG outputs over a sweep of sigmas (issue 12, "streaming float ops").
#
# Input (made once with vips from examples/mountains.png, kept in build/bench/): a
# 6600x4400 JPEG Q90 (29.0 MP), the input of bench/memory.sh. Each command runs RUNS
# times under /usr/bin/time; the table shows the median peak RSS and median user+sys CPU.
#
# Usage: bench/blur.sh [--record] [--runs N] [--before PATH] [--no-sweep]
#   --record      replace the blur section of bench/RESULTS.md with this run's
#   --runs N      runs per command (default 3)
#   --before PATH another imgflo-process to compare with (rows and the difference sweep)
#   --no-sweep    skip the difference sweep (which needs --before)
# Environment: BUILD_DIR (default build).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
make_tmp imgflo-bench-blur
INVOCATION="bench/blur.sh $*"
RECORD=0 RUNS=3 BEFORE="" SWEEP=1
while (($#)); do
  case $1 in
    --record) RECORD=1 ;;
    --runs) RUNS=$2; shift ;;
    --before) BEFORE=$2; shift ;;
    --no-sweep) SWEEP=0 ;;
    *) echo "usage: $0 [--record] [--runs N] [--before PATH] [--no-sweep]" >&2; exit 2 ;;
  esac
  shift
done

JPEG="Q=90,interlace,optimize_coding,subsample_mode=off,strip"   # what imgflo writes
IN=$(large_jpeg_input)

# Prints "peak_MB cpu_s" (medians over RUNS runs) of one command, or "failed".
measure() {
  local i
  : >"$TMP/runs"
  for ((i = 0; i < RUNS; i++)); do
    if ! /usr/bin/time -f '%M %U %S' -o "$TMP/time" "$@" >/dev/null 2>"$TMP/stderr"; then
      echo failed; tail -3 "$TMP/stderr" >&2; return
    fi
    cat "$TMP/time" >>"$TMP/runs"
  done
  local rss cpu
  rss=$(awk '{print $1 / 1024}' "$TMP/runs" | percentile 50)
  cpu=$(awk '{print $2 + $3}' "$TMP/runs" | percentile 50)
  printf '%.0f %.2f' "$rss" "$cpu"
}

# graph | parameters | plain-vips stand-in
CASES=$(cat <<'EOF'
gaussianblur|std-dev-x=10 std-dev-y=10|vips gaussblur {in} {out}[{jpeg}] 10
halodarken||vips gaussblur {in} {out}[{jpeg}] 10
sharpen||vips sharpen {in} {out}[{jpeg}]
EOF
)

# 8-bit difference between two PNGs: "max count" (count = samples that differ).
png_diff() {
  vips subtract "$1" "$2" "$TMP/d.v"
  vips abs "$TMP/d.v" "$TMP/a.v"
  vips relational_const "$TMP/a.v" "$TMP/n.v" more 0   # 255 where they differ
  local samples
  samples=$(($(vipsheader -f width "$1") * $(vipsheader -f height "$1") * $(vipsheader -f bands "$1")))
  echo "$(vips max "$TMP/a.v" | cut -d. -f1) $(awk -v a="$(vips avg "$TMP/n.v")" -v n="$samples" \
    'BEGIN {printf "%.0f", a / 255 * n}')"
}

OUT=$TMP/section.md
{
  echo "## Issue 12: streamed Gaussian blur (bench/blur.sh)"
  echo
  echo "Command: \`$INVOCATION\`; load before: $(load_average)"
  machine_facts
  echo "- input: 6600×4400 JPEG Q90 (29.0 MP) from examples/mountains.png; medians of $RUNS runs"
  [[ -z $BEFORE ]] || echo "- before: \`$BEFORE\`"
  echo
  echo "| graph | command | peak RSS MB | CPU s | RSS / vips | CPU / vips |"
  echo "|---|---|---|---|---|---|"
  while IFS='|' read -r graph params ref; do
    ref=${ref//\{in\}/$IN}
    ref=${ref//\{out\}/$TMP/ref.jpg}
    ref=${ref//\{jpeg\}/$JPEG}
    # shellcheck disable=SC2086
    read -r vrss vcpu <<<"$(measure $ref)"
    shown=${ref//$TMP\//}
    echo "| $graph | \`${shown//$DATA\//}\` | $vrss | $vcpu | 1 | 1 |"
    rows=("after|$BUILD/imgflo-process")
    [[ -z $BEFORE ]] || rows=("before|$BEFORE" "${rows[@]}")
    for row in "${rows[@]}"; do
      # shellcheck disable=SC2086
      read -r rss cpu <<<"$(measure ${row#*|} --timeout 0 --graphs "$ROOT/graphs" "$graph.jpg" "$TMP/out.jpg" "input=$IN" $params)"
      echo "| $graph | imgflo-process (${row%%|*}) | $rss | $cpu |" \
           "$(awk -v a="$rss" -v b="$vrss" 'BEGIN {printf "%.2f", a / b}') |" \
           "$(awk -v a="$cpu" -v b="$vcpu" 'BEGIN {printf "%.2f", a / b}') |"
    done
  done <<<"$CASES"
  if [[ -n $BEFORE ]] && ((SWEEP)); then
    echo
    echo "Largest 8-bit difference, this build vs before, gaussianblur.png on the same input:"
    echo
    echo "| std-dev-x | std-dev-y | max difference | samples that differ |"
    echo "|---|---|---|---|"
    for s in "1 1" "1.5 1.5" "3 3" "10 10" "30 30" "50 50" "0.5 2" "12 1.2"; do
      read -r sx sy <<<"$s"
      for side in before after; do
        bin=$BUILD/imgflo-process
        [[ $side == after ]] || bin=$BEFORE
        "$bin" --timeout 0 --graphs "$ROOT/graphs" gaussianblur.png "$TMP/$side.png" "input=$IN" \
          "std-dev-x=$sx" "std-dev-y=$sy"
      done
      read -r max count <<<"$(png_diff "$TMP/after.png" "$TMP/before.png")"
      echo "| $sx | $sy | $max | $count |"
    done
  fi
} >"$OUT"

cat "$OUT"
mkdir -p "$BUILD/bench"
cp "$OUT" "$BUILD/bench/blur-$(date -u +%Y%m%dT%H%M%S).md"
if ((RECORD)); then record_section "$ROOT/bench/RESULTS.md" blur.sh "$OUT"; fi
