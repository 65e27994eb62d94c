#!/usr/bin/env bash
# bench/formats.sh — what the input formats of issue 10 cost to decode: imgflo-process
# passthrough (sniff, the allow-listed libvips loader, our JPEG encode) against
# `vips copy` of the same file to a JPEG with the same settings, CPU time (user+sys)
# and wall time per image, and the ratio. HEIC and AVIF are the ones the issue asks
# about; JPEG XL, TIFF, 16-bit PNG and SVG are listed for information.
#
# Inputs (made once with vips from examples/mountains.png, 1440x1000, kept in
# build/bench/): formats-mountains.{heic,avif,jxl,tif} and a 16-bit PNG; the SVG is
# examples/happy-kitten.svg (744x579). Timed with hyperfine (1 warm-up, RUNS runs).
#
# Usage: bench/formats.sh [--record] [--runs N]
#   --record  replace the formats section of bench/RESULTS.md with this run's
#   --runs N  hyperfine runs per command (default 10)
# Environment: BUILD_DIR (default build). The section is always written to
# build/bench/formats-<time>.md.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
bench_start formats runs 10 "$@"

JPEG="Q=90,interlace,optimize_coding,subsample_mode=off,strip"   # what imgflo writes

make_inputs() {
  mkdir -p "$DATA"
  local src=$ROOT/examples/mountains.png ext
  for ext in heic avif jxl tif; do
    [[ -f $DATA/formats-mountains.$ext ]] || vips copy "$src" "$DATA/formats-mountains.$ext"
  done
  [[ -f $DATA/formats-mountains16.png ]] || vips colourspace "$src" "$DATA/formats-mountains16.png" rgb16
}

# One format: prints a table row and appends "label cpu_ratio" to $TMP/ratios.
run_format() {
  local label=$1 in=$2 n m s c
  local -A mean cpu
  echo "== $label" >&2
  while read -r n m s c; do mean[$n]=$m cpu[$n]=$c; done < <(time_commands 1 "$RUNS" \
    ours "$PROCESS passthrough $TMP/ours.jpg input=$in" \
    vips "vips copy $in $TMP/vips.jpg[$JPEG]")
  awk -v l="$label" -v om="${mean[ours]}" -v oc="${cpu[ours]}" -v vm="${mean[vips]}" -v vc="${cpu[vips]}" 'BEGIN {
    printf "| %s | %.3f | %.3f | %.3f | %.3f | %.2f | **%.2f** |\n", l, om, oc, vm, vc, om / vm, oc / vc }'
}

make_inputs
LOAD_BEFORE=$(load_average)
ROWS=$(
  for ext in heic avif jxl tif; do run_format "$ext (1440x1000)" "$DATA/formats-mountains.$ext"; done
  run_format "16-bit png (1440x1000)" "$DATA/formats-mountains16.png"
  run_format "svg (744x579)" "$ROOT/examples/happy-kitten.svg"
)
LOAD_AFTER=$(load_average)

SECTION=$TMP/section.md
{
  echo "## Input formats: decode cost vs \`vips copy\` (bench/formats.sh)"
  echo
  echo "Run: \`$INVOCATION\` ($RUNS runs per command, 1 warm-up; load average $LOAD_BEFORE before, $LOAD_AFTER after)"
  echo
  machine_facts
  echo
  echo "Each row: \`imgflo-process passthrough OUT.jpg input=IN\` against \`vips copy IN OUT.jpg[$JPEG]\`"
  echo "(the same JPEG settings), times per image in seconds; ratios ours / vips."
  echo
  echo "| input | ours wall | ours CPU | vips wall | vips CPU | wall ratio | CPU ratio |"
  echo "|---|---|---|---|---|---|---|"
  echo "$ROWS"
} >"$SECTION"

mkdir -p "$DATA"
cp "$SECTION" "$DATA/formats-$(date -u +%Y%m%dT%H%M%SZ).md"
cat "$SECTION"
if ((RECORD)); then
  record_section "$ROOT/bench/RESULTS.md" formats.sh "$SECTION"
  echo "recorded in bench/RESULTS.md" >&2
fi
