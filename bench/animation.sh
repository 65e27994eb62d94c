#!/usr/bin/env bash
# bench/animation.sh — animated GIF input through imgflo graphs: peak RSS and CPU
# time of build/imgflo-process per output, next to plain `vips copy` of the same
# animation in the same run.
#
# Input (made once with vips, kept in build/bench/): examples/time.gif (8 frames of
# 500x500) repeated to 200 frames = 50 MP, the default IMGFLO_MAX_ANIMATION_PIXELS.
# Each command runs once under /usr/bin/time (peak RSS, user+sys CPU, wall). What it
# shows: the memory of a request at the limit (finished frames are held as 8-bit RGBA,
# 4 bytes per pixel, until the file is written) and the cost per frame next to
# libvips' own gif/webp round trip of the same file.
#
# Usage: bench/animation.sh [--record] [--frames N]
#   --record    replace the animation section of bench/RESULTS.md with this run's
#   --frames N  frames of the input (a multiple of 8; default 200)
# Environment: BUILD_DIR (default build).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/bench/lib.sh"
bench_start animation frames 200 "$@"
((FRAMES % 8 == 0)) || { echo "--frames must be a multiple of 8" >&2; exit 2; }

mkdir -p "$DATA"
IN=$DATA/time-$FRAMES.gif
if [[ ! -f $IN ]]; then
  parts=()
  for ((i = 0; i < FRAMES / 8; i++)); do parts+=("$ROOT/examples/time.gif[n=-1]"); done
  vips arrayjoin "${parts[*]}" "$IN" --across 1
fi

# Prints "peak_MB cpu_s wall_s" of one command (or "failed").
measure() {
  if /usr/bin/time -f '%M %U %S %e' -o "$TMP/time" "$@" >/dev/null 2>"$TMP/stderr"; then
    awk '{printf "%.0f %.2f %.2f", $1 / 1024, $2 + $3, $4}' "$TMP/time"
  else
    echo failed; cat "$TMP/stderr" >&2
  fi
}

PROCESS=("$BUILD/imgflo-process" --timeout 0 --max-frames "$FRAMES" --max-animation-pixels $((FRAMES * 250000)))
OUT=$TMP/section.md
{
  echo "## Animation (bench/animation.sh)"
  echo
  echo "Command: \`$INVOCATION\`; load before: $(load_average)"
  machine_facts
  echo "- input: examples/time.gif repeated to $FRAMES frames of 500×500 ($((FRAMES / 4)) MP)"
  echo
  echo "| command | peak RSS MB | CPU s | wall s | CPU ms/frame |"
  echo "|---|---|---|---|---|"
  run_row() {
    local label=$1; shift
    read -r rss cpu wall <<<"$(measure "$@")"
    echo "| $label | $rss | ${cpu:-} | ${wall:-} | $(awk -v c="${cpu:-0}" -v f="$FRAMES" 'BEGIN {printf "%.1f", c * 1000 / f}') |"
  }
  run_row "vips copy → .gif (libvips' own, effort 7)" vips copy "$IN[n=-1]" "$TMP/v.gif"
  run_row "vips copy → .webp (Q 80)" vips copy "$IN[n=-1]" "$TMP/v.webp[Q=80]"
  run_row "passthrough.gif" "${PROCESS[@]}" passthrough.gif "$TMP/p.gif" "input=$IN"
  run_row "gradientmap.gif" "${PROCESS[@]}" gradientmap.gif "$TMP/g.gif" "input=$IN"
  run_row "gradientmap.webp" "${PROCESS[@]}" gradientmap.webp "$TMP/g.webp" "input=$IN"
  run_row "passthrough.gif width=200" "${PROCESS[@]}" passthrough.gif "$TMP/s.gif" "input=$IN" width=200
  run_row "gaussianblur.gif" "${PROCESS[@]}" gaussianblur.gif "$TMP/b.gif" "input=$IN"
  run_row "gradientmap.png (first frame only)" "${PROCESS[@]}" gradientmap.png "$TMP/f.png" "input=$IN"
} >"$OUT"

cat "$OUT"
mkdir -p "$BUILD/bench"
cp "$OUT" "$BUILD/bench/animation-$(date -u +%Y%m%dT%H%M%S).md"
if ((RECORD)); then record_section "$ROOT/bench/RESULTS.md" animation.sh "$OUT"; fi
